"""Turns: changes of direction of at least ``min_angle_deg`` completed within ``window_m`` of path.

Counted on a :class:`~hipstride.track.course.Course` (the smoothed path resampled by moving
distance) so that recorded runs and planned routes are measured the same way. Version 2 of the
model keeps only turns a hip can feel and a runner can make (docs/hip-load-model.md, "Turns"):

* **moving**: a turn whose median speed is below ``min_speed_mps`` (standing, walking slowly) is
  not a running turn and is left out; stationary jitter is removed before, in
  :func:`hipstride.track.motion.alternating_fixes`.
* **plausible**: a turn whose peak lateral acceleration ``v²/r`` exceeds
  ``max_lateral_accel_mps2``, or that winds further than ``max_angle_deg`` in one direction, is
  rejected as a GPS artefact (returned apart, so that a report can say how many were dropped).
* **sharp by radius**: a turn is sharp when it turns at least ``sharp_angle_deg`` *and* its radius
  (the path length over which the middle 80 % of the heading change happens, divided by that
  change in radians) is at most ``sharp_radius_m``. A 400 m track's bend (radius about 36 m) is
  then a gentle curve, a street corner a sharp turn.

The thresholds have no defaults here: they are the profile's ``[turns]`` keys, passed in by
:func:`hipstride.model.score.score_course`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.track import _kernels
from hipstride.track.course import Course

__all__ = ["Turn", "TurnLimits", "find_turns"]

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Turn:
    """One turn.

    ``start_index``/``end_index`` are course sample indices spanning the turn (inclusive);
    ``angle_deg`` is the heading change across it (always positive), ``side`` ``"left"`` or
    ``"right"``, ``radius_m`` the radius of its middle part (see the module docstring).
    """

    start_index: int
    end_index: int
    distance_m: float
    angle_deg: float
    side: str
    sharp: bool
    lat_deg: float | None
    lon_deg: float | None
    peak_lateral_accel_mps2: float
    radius_m: float = float("inf")
    median_speed_mps: float | None = None


@dataclass(frozen=True)
class TurnLimits:
    """What counts as a turn, a sharp turn and a runnable turn (the profile's ``[turns]`` keys)."""

    min_angle_deg: float
    sharp_angle_deg: float
    window_m: float
    sharp_radius_m: float
    max_lateral_accel_mps2: float
    min_speed_mps: float
    max_angle_deg: float


def _candidates(course: Course, window: int, min_angle_deg: float,
                ) -> tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray, FloatArray,
                           FloatArray, FloatArray]:
    """Every candidate turn of a course, and what :func:`find_turns` needs of each, at once.

    A candidate is a run ``a:b`` of samples where the heading change over ``window`` samples
    reaches ``min_angle_deg`` in one direction (a NaN change counts as none), whose angle, from
    sample ``a`` to the window end ``end = min(b − 1 + window, n − 1)``, is ``min_angle_deg`` or
    more (or NaN). Per candidate, over ``a..end``:

    * the median of the speeds that are not NaN (NaN without any);
    * the peak: the first sample of the run with the largest heading change;
    * the heading change ``total`` between its first and last finite heading (NaN with fewer
      than two, or none), and the middle arc: the path length from the first sample whose
      progress through ``total`` reaches 10 % to the first that reaches 90 % (NaN when the
      second does not come after the first);
    * the peak lateral acceleration.

    Returns ``(a, end, peak, angle, median speed, total, arc, peak lateral)``; compiled
    (:mod:`hipstride.track._kernels`).
    """
    n = len(course)
    start, end, peak = (np.empty(n, dtype=np.int64) for _ in range(3))
    angle, median, total, arc, lateral, scratch = (np.empty(n) for _ in range(6))
    found = _kernels.turn_candidates(
        np.ascontiguousarray(course.heading_deg, dtype=np.float64),
        np.ascontiguousarray(course.speed_mps, dtype=np.float64),
        np.ascontiguousarray(course.lateral_accel_mps2, dtype=np.float64),
        np.ascontiguousarray(course.distance_m, dtype=np.float64), window, float(min_angle_deg),
        start, end, peak, angle, median, total, arc, lateral, scratch)
    return (start[:found], end[:found], peak[:found], angle[:found], median[:found],
            total[:found], arc[:found], lateral[:found])


def find_turns(course: Course, limits: TurnLimits) -> tuple[list[Turn], list[Turn]]:
    """Turns along a course: ``(kept, rejected)``.

    The heading change across a sliding window of ``window_m`` is computed at every sample; each
    run of samples where it reaches ``min_angle_deg`` in the same direction is a candidate, whose
    angle is the heading change from the run's first sample to the window end of its last.
    Candidates slower than ``min_speed_mps`` are dropped silently (not running); those beyond
    ``max_lateral_accel_mps2`` or ``max_angle_deg`` are returned as rejected.
    """
    heading = course.heading_deg
    n = heading.shape[0]
    w = max(1, round(limits.window_m / course.step_m))
    if n <= w or not np.isfinite(heading).any():
        return [], []
    kept: list[Turn] = []
    rejected: list[Turn] = []
    a_all, end_all, peak_all, angle_all, median_all, total_all, arc_all, lateral_all = \
        _candidates(course, w, limits.min_angle_deg)
    if a_all.shape[0] == 0:
        return kept, rejected
    centre_all = np.minimum(peak_all + w // 2, n - 1)
    lat_all, lon_all = course.lat_deg[centre_all], course.lon_deg[centre_all]
    at_all = course.distance_m[centre_all]
    for a, end, angle, median, total, arc, peak_lateral, lat, lon, at in zip(
            a_all.tolist(), end_all.tolist(), angle_all.tolist(), median_all.tolist(),
            total_all.tolist(), arc_all.tolist(), lateral_all.tolist(), lat_all.tolist(),
            lon_all.tolist(), at_all.tolist(), strict=True):
        median_v = None if median != median else median          # NaN: no speed known
        if median_v is not None and median_v < limits.min_speed_mps:
            continue
        # path length over the middle 80 % of the heading change, divided by that change (rad)
        radius = math.inf if total != total else \
            0.0 if arc != arc else arc / math.radians(0.8 * abs(total))
        # positional, in the order of the fields (a call by keyword costs twice as much)
        turn = Turn(a, end, at, abs(angle), "right" if angle > 0 else "left",
                    abs(angle) >= limits.sharp_angle_deg and radius <= limits.sharp_radius_m,
                    lat if math.isfinite(lat) else None, lon if math.isfinite(lon) else None,
                    peak_lateral, radius, median_v)
        artefact = peak_lateral > limits.max_lateral_accel_mps2 or abs(angle) > limits.max_angle_deg
        (rejected if artefact else kept).append(turn)
    return kept, rejected
