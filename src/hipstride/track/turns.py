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
from hipstride.track.course import Course

__all__ = ["Turn", "TurnLimits", "find_turns"]

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


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


def _windows(start: IntArray, stop: IntArray, n: int) -> tuple[IntArray, BoolArray]:
    """Sample indices of each slice ``start[i]:stop[i]`` as rows of one matrix, and which cells
    of each row belong to its slice (rows are padded to the longest slice)."""
    width = int((stop - start).max(initial=1))
    cells = np.arange(max(width, 1))
    inside = cells[None, :] < (stop - start)[:, None]
    return np.minimum(start[:, None] + cells[None, :], n - 1), inside


def _first(mask: BoolArray) -> IntArray:
    """Column of the first ``True`` of each row (``-1`` for a row without one)."""
    return np.where(mask.any(axis=1), mask.argmax(axis=1), -1)


def _turn_facts(course: Course, size: FloatArray, a: IntArray, b: IntArray, end: IntArray,
                ) -> tuple[FloatArray, IntArray, FloatArray, FloatArray, FloatArray]:
    """Per candidate ``a:b`` (window end ``end``): median speed (NaN without any), peak sample,
    and the radius parts: heading change ``total`` (NaN: radius ∞), middle arc (NaN: radius 0),
    and the peak lateral acceleration, all candidates at once.

    The median is the middle of the sorted non-NaN speeds (or the mean of the middle two); the
    peak the first largest heading change; the middle arc the path length from the first sample
    past 10 % of the heading change to the first past 90 % (the first finite sample when none
    is), among the samples with a finite heading, NaN when the second comes first.
    """
    n = len(course)
    rows = np.arange(a.shape[0])
    at, inside = _windows(a, end + 1, n)
    # median speed: NaN and the padding sort last (as +inf); the count is of the non-NaN
    speed = course.speed_mps[at]
    valid = inside & ~np.isnan(speed)
    ordered = np.sort(np.where(valid, speed, np.inf), axis=1)
    count = valid.sum(axis=1)
    median = (ordered[rows, count // 2] + ordered[rows, np.maximum(count - 1, 0) // 2]) / 2.0
    median[count == 0] = np.nan
    # peak: the first largest heading change over a:b (sizes are finite and at least 0)
    p_at, p_inside = _windows(a, b, size.shape[0])
    peak = a + np.where(p_inside, size[p_at], -1.0).argmax(axis=1)
    lateral = np.where(inside, course.lateral_accel_mps2[at], -np.inf).max(axis=1)
    # radius: over the samples with a finite heading, between the first and the last of them
    heading, distance = course.heading_deg[at], course.distance_m[at]
    finite = inside & np.isfinite(heading)
    first, last = _first(finite), finite.shape[1] - 1 - _first(finite[:, ::-1])
    enough = finite.sum(axis=1) >= 2
    h0 = heading[rows, np.maximum(first, 0)]
    total = heading[rows, np.maximum(last, 0)] - h0
    with np.errstate(invalid="ignore", divide="ignore"):
        progress = (heading - h0[:, None]) / total[:, None]
    lo, hi = _first(finite & (progress >= 0.1)), _first(finite & (progress >= 0.9))
    lo, hi = np.where(lo < 0, first, lo), np.where(hi < 0, first, hi)
    arc = distance[rows, np.maximum(hi, 0)] - distance[rows, np.maximum(lo, 0)]
    arc[hi <= lo] = np.nan
    total[~enough | (total == 0)] = np.nan
    return median, peak, total, arc, lateral


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
    # runs of a non-zero sign, with their angle, all at once; then what each remaining
    # candidate needs (median speed, peak, radius), all candidates at once too
    a_all, b_all = edges[:-1], edges[1:]
    run = sign[a_all] != 0
    a_all, b_all = a_all[run], b_all[run]
    end_all = np.minimum(b_all - 1 + w, n - 1)
    angle_all = heading[end_all] - heading[a_all]
    wide = ~(np.abs(angle_all) < limits.min_angle_deg)        # a NaN angle stays, as before
    if not wide.any():
        return kept, rejected
    a_all, b_all, end_all, angle_all = a_all[wide], b_all[wide], end_all[wide], angle_all[wide]
    median_all, peak_all, total_all, arc_all, lateral_all = _turn_facts(
        course, np.abs(change), a_all, b_all, end_all)
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
        turn = Turn(
            start_index=a, end_index=end, distance_m=at,
            angle_deg=abs(angle), side="right" if angle > 0 else "left",
            sharp=bool(abs(angle) >= limits.sharp_angle_deg and radius <= limits.sharp_radius_m),
            lat_deg=lat if math.isfinite(lat) else None,
            lon_deg=lon if math.isfinite(lon) else None, peak_lateral_accel_mps2=peak_lateral,
            radius_m=radius, median_speed_mps=median_v)
        artefact = peak_lateral > limits.max_lateral_accel_mps2 or abs(angle) > limits.max_angle_deg
        (rejected if artefact else kept).append(turn)
    return kept, rejected
