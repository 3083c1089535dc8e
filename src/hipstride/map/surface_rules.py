"""Surface class of an OpenStreetMap way: soft, hard or unknown, with a confidence.

Two readable tables drive it:

* :data:`SURFACE_TAG_RULES` — what a ``surface=*`` value means for the hip (class and confidence).
  A tagged surface is trusted; the confidence only drops for values that mix classes
  (``gravel`` is loose and uneven, ``wood`` may be a stiff boardwalk or a soft bark path).
* :data:`INFERRED_RULES` — what to assume when ``surface`` is missing (the usual case: in the
  Heidelberg extract only 10,398 of 25,359 highway ways carry one), from the highway class and
  ``tracktype``, with a lower confidence. ``smoothness`` nudges the guess for paths and tracks.

The raw label kept with each class is the OSM value itself (``"compacted"``) for tagged ways and
``"unknown (track)"`` / ``"unknown (track, grade2)"`` for inferred ones, so a report can always
show *why* a stretch counts as soft or hard. The hip-load model multiplies each class weight by
the confidence, so an uncertain guess moves the index less than a tagged value.

============================  =======  ==========  ============================================
``surface=``                  class    confidence  note
============================  =======  ==========  ============================================
asphalt, concrete, paved,     hard     1.0         sealed surfaces (``paved`` 0.9: unspecific)
concrete:plates, chipseal
paving_stones, sett,          hard     1.0         stone and brick pavements
cobblestone, bricks, metal
grass, dirt, ground, earth,   soft     1.0         natural ground
mud, sand, woodchips, clay
compacted, fine_gravel        soft     0.8         water-bound surfaces: firm but give a little
tartan, rubber,               soft     0.9         running tracks and sports surfaces
artificial_turf
gravel, pebblestone, unpaved  soft     0.6         loose or mixed: softer, but uneven
wood                          unknown  0.0         boardwalks are stiff, bark paths soft
============================  =======  ==========  ============================================

Untagged ways (``highway`` [+ ``tracktype``] → class, confidence):

=====================================  =======  ==========
highway                                class    confidence
=====================================  =======  ==========
track + grade1                         hard     0.6
track + grade2                         soft     0.6
track + grade3/4/5                     soft     0.7
track (no tracktype)                   soft     0.5
path, bridleway                        soft     0.5
footway (sidewalk, crossing)           hard     0.8
footway, cycleway                      hard     0.4
pedestrian, steps                      hard     0.8 / 0.6
residential, service, living_street,   hard     0.7
unclassified
tertiary … primary (+ links), trunk    hard     0.9
road (unknown classification)          hard     0.5
=====================================  =======  ==========

``smoothness`` on an untagged path, track, footway or bridleway: ``excellent``/``good`` → hard 0.6
(such smoothness needs a sealed surface); ``bad`` and worse → soft 0.6.
"""

from __future__ import annotations

from hipstride.track.surface import HARD, SOFT, UNKNOWN

__all__ = ["INFERRED_RULES", "SURFACE_TAG_RULES", "TRACKTYPE_RULES", "classify_surface"]

#: ``surface=*`` value → (class code, confidence).
SURFACE_TAG_RULES: dict[str, tuple[int, float]] = {
    # sealed
    "asphalt": (HARD, 1.0), "concrete": (HARD, 1.0), "concrete:plates": (HARD, 1.0),
    "concrete:lanes": (HARD, 0.9), "chipseal": (HARD, 1.0), "paved": (HARD, 0.9),
    # stone and brick
    "paving_stones": (HARD, 1.0), "sett": (HARD, 1.0), "cobblestone": (HARD, 1.0),
    "unhewn_cobblestone": (HARD, 1.0), "cobblestone:flattened": (HARD, 1.0),
    "bricks": (HARD, 1.0), "stone": (HARD, 1.0), "metal": (HARD, 1.0), "rock": (HARD, 0.8),
    "grass_paver": (SOFT, 0.5),
    # natural ground
    "grass": (SOFT, 1.0), "dirt": (SOFT, 1.0), "ground": (SOFT, 1.0), "earth": (SOFT, 1.0),
    "mud": (SOFT, 1.0), "sand": (SOFT, 1.0), "woodchips": (SOFT, 1.0), "clay": (SOFT, 1.0),
    "soil": (SOFT, 1.0), "forest_floor": (SOFT, 1.0),
    # water-bound: firm, some give
    "compacted": (SOFT, 0.8), "fine_gravel": (SOFT, 0.8),
    # sports surfaces
    "tartan": (SOFT, 0.9), "rubber": (SOFT, 0.9), "artificial_turf": (SOFT, 0.9),
    # loose or mixed
    "gravel": (SOFT, 0.6), "pebblestone": (SOFT, 0.6), "unpaved": (SOFT, 0.6),
    "wood": (UNKNOWN, 0.0),
}

#: ``tracktype=*`` on an untagged ``highway=track`` → (class, confidence).
TRACKTYPE_RULES: dict[str, tuple[int, float]] = {
    "grade1": (HARD, 0.6),  # solid: usually paved or heavily compacted hardcore
    "grade2": (SOFT, 0.6),  # mostly solid: gravel or compacted
    "grade3": (SOFT, 0.7),  # even mixture of hard and soft
    "grade4": (SOFT, 0.7),  # mostly soft
    "grade5": (SOFT, 0.7),  # soft: soil, sand, grass
}

#: Untagged surface by ``highway=*`` class → (class, confidence).
INFERRED_RULES: dict[str, tuple[int, float]] = {
    "track": (SOFT, 0.5), "path": (SOFT, 0.5), "bridleway": (SOFT, 0.5),
    "footway": (HARD, 0.4), "cycleway": (HARD, 0.4),
    "pedestrian": (HARD, 0.8), "steps": (HARD, 0.6),
    "residential": (HARD, 0.7), "service": (HARD, 0.7), "living_street": (HARD, 0.7),
    "unclassified": (HARD, 0.7),
    "tertiary": (HARD, 0.9), "tertiary_link": (HARD, 0.9), "secondary": (HARD, 0.9),
    "secondary_link": (HARD, 0.9), "primary": (HARD, 0.9), "primary_link": (HARD, 0.9),
    "trunk": (HARD, 0.9), "trunk_link": (HARD, 0.9),
    "road": (HARD, 0.5),
}

_FOOTWAY_HARD = {"sidewalk", "crossing", "traffic_island"}
_SMOOTH = {"excellent", "good"}
_ROUGH = {"bad", "very_bad", "horrible", "very_horrible", "impassable"}
_NATURAL_WAYS = {"path", "track", "footway", "bridleway"}


def classify_surface(highway: str, surface: str | None, tracktype: str | None = None,
                     smoothness: str | None = None, footway: str | None = None,
                     ) -> tuple[int, float, str]:
    """Surface class, confidence (0–1) and raw label of one way.

    Parameters
    ----------
    highway, surface, tracktype, smoothness, footway
        The way's OSM tag values (``None`` when absent).

    Returns
    -------
    tuple
        ``(class code, confidence, raw label)``; the code indexes
        :data:`hipstride.track.surface.SURFACE_CLASSES`.
    """
    if surface:
        value = surface.strip().lower()
        # "asphalt;gravel" and similar: the first value is the main one
        main = value.split(";")[0].strip()
        rule = SURFACE_TAG_RULES.get(main)
        if rule is not None:
            return rule[0], rule[1], value
        return UNKNOWN, 0.0, value
    where = highway
    if highway == "track" and tracktype in TRACKTYPE_RULES:
        code, conf = TRACKTYPE_RULES[tracktype]
        return code, conf, f"unknown (track, {tracktype})"
    if highway == "footway" and footway in _FOOTWAY_HARD:
        return HARD, 0.8, f"unknown (footway, {footway})"
    if highway in _NATURAL_WAYS and smoothness in _SMOOTH:
        return HARD, 0.6, f"unknown ({where}, smoothness {smoothness})"
    if highway in _NATURAL_WAYS and smoothness in _ROUGH:
        return SOFT, 0.6, f"unknown ({where}, smoothness {smoothness})"
    code, conf = INFERRED_RULES.get(highway, (UNKNOWN, 0.0))
    return code, conf, f"unknown ({where})"
