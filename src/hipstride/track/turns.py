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

from hipstride.track.course import Course

__all__ = ["Turn", "TurnLimits", "find_turns"]


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


def _radius_m(heading_deg: list[float], distance_m: list[float]) -> float:
    """Path length over the middle 80 % of the heading change, divided by that change (rad),
    from a turn's samples (plain floats: a few, where NumPy's per-call cost is most of it)."""
    pairs = [(h, s) for h, s in zip(heading_deg, distance_m, strict=True) if math.isfinite(h)]
    if len(pairs) < 2:
        return math.inf
    h0, h1 = pairs[0][0], pairs[-1][0]
    total = h1 - h0
    if total == 0:
        return math.inf
    # progress 0 -> 1 across the turn (not monotone on noisy paths); the first sample past
    # 10 % and 90 % of it (the first sample when none is)
    lo = next((i for i, (h, _) in enumerate(pairs) if (h - h0) / total >= 0.1), 0)
    hi = next((i for i, (h, _) in enumerate(pairs) if (h - h0) / total >= 0.9), 0)
    arc = pairs[hi][1] - pairs[lo][1]
    return arc / math.radians(0.8 * abs(total)) if hi > lo else 0.0


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
    change = heading[w:] - heading[:-w]
    change = np.nan_to_num(change, nan=0.0)
    sign = np.sign(change) * (np.abs(change) >= limits.min_angle_deg)
    # boundaries of runs of equal non-zero sign
    edges = np.flatnonzero(np.diff(np.concatenate(([0], sign, [0]))) != 0)
    kept: list[Turn] = []
    rejected: list[Turn] = []
    # runs of a non-zero sign, with their angle, all at once; then each remaining candidate
    # (tens per course, a few samples each) on plain floats of its own slice, where NumPy's
    # per-call cost would be most of the work
    a_all, b_all = edges[:-1], edges[1:]
    run = sign[a_all] != 0
    a_all, b_all = a_all[run], b_all[run]
    end_all = np.minimum(b_all - 1 + w, n - 1)
    angle_all = heading[end_all] - heading[a_all]
    wide = ~(np.abs(angle_all) < limits.min_angle_deg)        # a NaN angle stays, as before
    size = np.abs(change)
    speed, distance, lateral = course.speed_mps, course.distance_m, course.lateral_accel_mps2
    for a, b, end, angle in zip(a_all[wide].tolist(), b_all[wide].tolist(),
                                end_all[wide].tolist(), angle_all[wide].tolist(), strict=True):
        v = sorted(x for x in speed[a:end + 1].tolist() if x == x)  # finite only (NaN != NaN)
        median_v = (v[len(v) // 2] + v[(len(v) - 1) // 2]) / 2.0 if v else None
        if median_v is not None and median_v < limits.min_speed_mps:
            continue
        part = size[a:b].tolist()
        peak = a + max(range(b - a), key=part.__getitem__)     # the first largest, as argmax
        centre = min(peak + w // 2, n - 1)
        lat, lon = float(course.lat_deg[centre]), float(course.lon_deg[centre])
        radius = _radius_m(heading[a:end + 1].tolist(), distance[a:end + 1].tolist())
        peak_lateral = float(lateral[a:end + 1].max())
        turn = Turn(
            start_index=a, end_index=end, distance_m=float(distance[centre]),
            angle_deg=abs(angle), side="right" if angle > 0 else "left",
            sharp=bool(abs(angle) >= limits.sharp_angle_deg and radius <= limits.sharp_radius_m),
            lat_deg=lat if math.isfinite(lat) else None,
            lon_deg=lon if math.isfinite(lon) else None, peak_lateral_accel_mps2=peak_lateral,
            radius_m=radius, median_speed_mps=median_v)
        artefact = peak_lateral > limits.max_lateral_accel_mps2 or abs(angle) > limits.max_angle_deg
        (rejected if artefact else kept).append(turn)
    return kept, rejected
