"""Which OpenStreetMap ways a runner may use, and the grade an ``incline`` tag states.

Foot access, in order (the first rule that decides wins):

1. ``highway`` must be one of :data:`~hipstride.map.network.HIGHWAY_CLASSES` (ways under
   construction, proposed, platforms, corridors, elevators, rest areas… are not run on).
2. ``foot=no|private|use_sidepath`` excludes the way; ``foot=yes|designated|permissive|official``
   admits it whatever ``access`` says.
3. Motorways and trunk roads (and their links) are excluded unless ``foot`` admits them.
4. ``access=no|private`` excludes the way (other values such as ``agricultural`` or
   ``destination`` restrict vehicles, not walkers).
5. Alpine paths (``sac_scale`` of ``alpine_hiking`` or harder) are excluded: not running terrain.
6. ``area=yes`` is kept only for squares and plazas (``pedestrian``, ``footway``, ``path``): their
   outline joins the streets that meet the square, so it is kept as an edge and flagged; other
   areas (car parks, rest areas) are dropped.

``highway=steps`` is kept and flagged: the planner avoids steps, matching still finds them.
``oneway`` is ignored: on foot every way can be used in both directions.
"""

from __future__ import annotations

import math
import re

from hipstride.map.network import HIGHWAY_CLASSES

__all__ = ["DEFAULT_INCLINE_PCT", "foot_allowed", "incline_grade_pct"]

_HIGHWAYS = frozenset(HIGHWAY_CLASSES)
_MOTOR = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
_FOOT_YES = frozenset({"yes", "designated", "permissive", "official"})
_FOOT_NO = frozenset({"no", "private", "use_sidepath"})
_ACCESS_NO = frozenset({"no", "private"})
_ALPINE = frozenset({"alpine_hiking", "demanding_alpine_hiking", "difficult_alpine_hiking"})
_AREA_HIGHWAYS = frozenset({"pedestrian", "footway", "path"})

#: Grade assumed for ``incline=up`` / ``down`` without a number (%). Such tags mark noticeably
#: steep stretches (mostly steps and steep paths).
DEFAULT_INCLINE_PCT = 10.0

_NUMBER = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*(%|°|deg)?\s*$")


def foot_allowed(highway: str | None, foot: str | None, access: str | None,
                 sac_scale: str | None = None, area: str | None = None) -> bool:
    """Whether a runner may use a way with these tag values (see the module docstring)."""
    if highway not in _HIGHWAYS:
        return False
    if area == "yes" and highway not in _AREA_HIGHWAYS:
        return False
    if foot in _FOOT_NO:
        return False
    if foot in _FOOT_YES:
        return True
    if highway in _MOTOR:
        return False
    if access in _ACCESS_NO:
        return False
    return sac_scale not in _ALPINE


def incline_grade_pct(value: str | None) -> float | None:
    """Grade in percent along the way's direction from an ``incline=*`` value.

    ``"10%"`` → 10, ``"-5 %"`` → −5, ``"12"`` → 12 (percent assumed), ``"5°"`` → 8.7,
    ``"up"``/``"down"`` → ±:data:`DEFAULT_INCLINE_PCT`; anything else (``"yes"``, ranges) → ``None``.
    """
    if not value:
        return None
    v = value.strip().lower()
    if v == "up":
        return DEFAULT_INCLINE_PCT
    if v == "down":
        return -DEFAULT_INCLINE_PCT
    if v in ("no", "flat"):
        return 0.0
    m = _NUMBER.match(v)
    if m is None:
        return None
    number = float(m.group(1).replace(",", "."))
    if m.group(2) in ("°", "deg"):
        if abs(number) >= 80:
            return None
        return math.tan(math.radians(number)) * 100.0
    if abs(number) > 100:
        return None
    return number
