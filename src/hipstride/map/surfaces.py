"""Surface from the map: a :class:`~hipstride.track.surface.SurfaceTrack` with ``source="map"``.

A recorded course gets its surface by map matching (:func:`surface_for_course`); a planned route
knows its edges already (:func:`surface_for_edges`). Both give each course sample the class,
confidence and raw label of the way under it, so analysis and planning see the same surface.

:func:`choose_map` is the one rule for which stored map a run or a route uses, for ``analyze``,
the run library (:func:`map_surface_provider`) and planning alike: the named map; else the stored
map whose extent holds the largest share of the positions (a run partly off every map is matched
where it lies on one, and reports the share matched); on a tie the smallest of them (the most
detailed), then by name; a note says which map was picked and why. Map matching (scipy) is
imported only once a map is used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hipstride.activity import FloatArray
from hipstride.map import _geometry
from hipstride.model.hipload import sample_weights_m
from hipstride.track.course import Course
from hipstride.track.surface import UNKNOWN, SurfaceTrack

if TYPE_CHECKING:
    from hipstride.map.network import FootNetwork, IntArray
    from hipstride.map.store import MapInfo

__all__ = ["NO_POSITION_LABEL", "OFF_NETWORK_LABEL", "MapChoice", "choose_map", "load_chosen_map",
           "map_surface_provider", "surface_for_course", "surface_for_edges"]

#: Raw label of course samples that no way explains.
OFF_NETWORK_LABEL = "off network"
#: Raw label of course samples without a GPS position (nothing to match).
NO_POSITION_LABEL = "no position"


def surface_for_edges(net: FootNetwork, edges: IntArray, *, matched_share: float | None = None,
                      ) -> SurfaceTrack:
    """Surface of a course whose samples lie on the given edges (``-1`` = off the network):
    each sample gets its edge's class, confidence and raw label (off the network: unknown, 0 and
    :data:`OFF_NETWORK_LABEL`), and the track the OSM ways along them, consecutive repeats
    collapsed (one compiled walk: :mod:`hipstride.map._geometry`)."""
    labels = net.derived.get("surface_labels")
    if not isinstance(labels, list):
        labels = net.derived["surface_labels"] = net.strings.tolist()
    n = edges.shape[0]
    classes, confidence = np.empty(n, dtype=np.int8), np.empty(n)
    i64 = np.int64
    raw, way_ids = _geometry.edge_surface(
        np.ascontiguousarray(edges, dtype=i64),
        np.ascontiguousarray(net.edge_surface_class, dtype=np.int8),
        np.ascontiguousarray(net.edge_surface_confidence, dtype=np.float64),
        np.ascontiguousarray(net.edge_surface_raw, dtype=i64), labels,
        np.ascontiguousarray(net.edge_way, dtype=i64),
        np.ascontiguousarray(net.way_osm_id, dtype=i64), UNKNOWN, OFF_NETWORK_LABEL, classes,
        confidence)
    return SurfaceTrack("map", classes, confidence, raw, matched_share=matched_share,
                        way_ids=way_ids)


def surface_for_course(net: FootNetwork, course: Course) -> SurfaceTrack:
    """Surface of a recorded course from the map, by matching its samples to the network.

    Parameters
    ----------
    net
        The foot network that covers the run.
    course
        The course of the run (:func:`hipstride.track.course.course_from_path`).

    Returns
    -------
    SurfaceTrack
        ``source="map"``; per sample the class, confidence and raw OSM surface label of the
        matched way (unknown with confidence 0 and the label ``"off network"`` where nothing
        matched, ``"no position"`` where the recording has no position), the share of the
        positioned part of the course that matched (by distance), the way ids used, in order,
        and the matched path along them.
    """
    from hipstride.map.matched_path import matched_path
    from hipstride.map.matching import match_track

    result = match_track(net, course.lat_deg, course.lon_deg)
    weights = sample_weights_m(course)
    located = np.isfinite(course.lat_deg) & np.isfinite(course.lon_deg)
    total = float(weights[located].sum())
    share = float(weights[result.edge >= 0].sum()) / total if total > 0 else 0.0
    track = dataclasses.replace(surface_for_edges(net, result.edge, matched_share=round(share, 4)),
                                map_name=net.name, map_created_utc=net.meta.get("created_utc"),
                                matched_path=matched_path(net, result).to_dict())
    if track.raw is not None and not located.all():
        for i in np.flatnonzero(~located).tolist():
            track.raw[i] = NO_POSITION_LABEL
    return track

@dataclass(frozen=True)
class MapChoice:
    """The stored map chosen for some positions, and a note on why (``None`` when named)."""

    name: str
    note: str | None


def _area_deg2(info: MapInfo) -> float:
    s, w, n, e = info.bbox
    return (n - s) * (e - w)


def _covered_share(info: MapInfo, lat: FloatArray, lon: FloatArray) -> float:
    s, w, n, e = info.bbox
    return float(np.count_nonzero((lat >= s) & (lat <= n) & (lon >= w) & (lon <= e))) / lat.size


def choose_map(lat_deg: float | FloatArray, lon_deg: float | FloatArray, *,
               name: str | None = None, home: str | Path | None = None,
               what: str = "the run") -> MapChoice | None:
    """The stored map to use for a point or a track (``what`` names it in the note).

    The named map when ``name`` is given (it is not checked here: :func:`load_chosen_map` does);
    else the stored map whose extent holds the largest share of the finite positions; on a tie
    the smallest of them, then by name. The note names the share when it is not all, and the
    other maps when several cover as much. ``None`` when no stored map holds any position.
    """
    from hipstride.map.store import list_maps

    if name is not None:
        return MapChoice(name, None)
    lat, lon = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64)), \
        np.atleast_1d(np.asarray(lon_deg, dtype=np.float64))
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return None
    lat, lon = lat[ok], lon[ok]
    scored = [(_covered_share(m, lat, lon), m) for m in list_maps(home)]
    scored = sorted(((share, m) for share, m in scored if share > 0),
                    key=lambda sm: (-sm[0], _area_deg2(sm[1]), sm[1].name))
    if not scored:
        return None
    share, chosen = scored[0][0], scored[0][1].name
    held = "" if share >= 1.0 else f", whose extent holds {share:.0%} of {what}'s positions"
    rivals = [m.name for s, m in scored[1:] if s == share]
    if not rivals:
        covering = [m.name for s, m in scored[1:]]
        also = f"; also partly covered by {', '.join(repr(c) for c in covering)}" if covering else ""
        if share >= 1.0 and not covering:
            return MapChoice(chosen, f"stored map '{chosen}' (the one stored map that covers {what})")
        return MapChoice(chosen, f"stored map '{chosen}' (the one that covers most of {what}"
                                 f"{held}{also})")
    others = ", ".join(f"'{r}'" for r in rivals)
    return MapChoice(chosen, f"stored map '{chosen}' (the smallest of the {len(rivals) + 1} stored "
                             f"maps that cover {what}{held}; also {others})")


_LOADED: dict[tuple[str, str], FootNetwork] = {}


def load_chosen_map(choice: MapChoice, home: str | Path | None = None) -> FootNetwork:
    """Load a chosen map, reusing the last one loaded while its file is unchanged.

    Raises
    ------
    hipstride.errors.InputError
        When no map of that name is stored.
    """
    from hipstride.map.store import load_map, maps_dir

    npz = maps_dir(home) / f"{choice.name}.npz"
    key = (str(npz), str(npz.stat().st_mtime_ns) if npz.is_file() else "")
    net = _LOADED.get(key)
    if net is None:
        _LOADED.clear()
        net = _LOADED[key] = load_map(choice.name, home)
    return net


def map_surface_provider(lat_deg: FloatArray, lon_deg: FloatArray, map_name: str | None = None,
                         home: str | Path | None = None,
                         ) -> tuple[Callable[[Course], SurfaceTrack] | None, str | None]:
    """The map surface for a run, from the map :func:`choose_map` picks.

    Returns the provider to hand to :func:`hipstride.analysis.run.analyze_activity` (``None``
    when no map applies) and a message saying which map was picked automatically (or ``None``).

    Raises
    ------
    hipstride.errors.InputError
        When ``map_name`` names no stored map.
    """
    choice = choose_map(lat_deg, lon_deg, name=map_name, home=home, what="this run")
    if choice is None:
        return None, None
    network = load_chosen_map(choice, home)

    def provider(course: Course) -> SurfaceTrack:
        return surface_for_course(network, course)

    return provider, None if choice.note is None else f"surface from {choice.note}"
