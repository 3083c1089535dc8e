"""Turns: changes of direction of at least ``min_angle_deg`` completed within ``window_m`` of path.

Counted on a :class:`~hipstride.track.course.Course` so that recorded runs and planned routes are
measured the same way. A *sharp* turn is one of at least ``sharp_angle_deg``. The thresholds have
no defaults here: they are the profile's ``[turns]`` keys (45°, 80° and 30 m in the shipped
profile), passed in by :func:`hipstride.model.score.score_course`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from hipstride.track.course import Course

__all__ = ["Turn", "detect_turns"]


@dataclass(frozen=True)
class Turn:
    """One turn.

    ``start_index``/``end_index`` are course sample indices spanning the turn (inclusive);
    ``angle_deg`` is the heading change across it (always positive), ``side`` ``"left"`` or ``"right"``.
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


def detect_turns(course: Course, *, min_angle_deg: float, sharp_angle_deg: float,
                 window_m: float) -> list[Turn]:
    """Find turns along a course.

    The heading change across a sliding window of ``window_m`` is computed at every sample;
    each run of samples where it reaches ``min_angle_deg`` in the same direction is one turn,
    whose angle is the heading change from the run's first sample to the window end of its last.
    """
    heading = course.heading_deg
    n = heading.shape[0]
    w = max(1, round(window_m / course.step_m))
    if n <= w or not np.isfinite(heading).any():
        return []
    change = heading[w:] - heading[:-w]
    change = np.nan_to_num(change, nan=0.0)
    sign = np.sign(change) * (np.abs(change) >= min_angle_deg)
    # boundaries of runs of equal non-zero sign
    edges = np.flatnonzero(np.diff(np.concatenate(([0], sign, [0]))) != 0)
    turns: list[Turn] = []
    for a, b in itertools.pairwise(edges):
        if sign[a] == 0:
            continue
        last = int(b - 1)
        end = min(last + w, n - 1)
        angle = float(heading[end] - heading[a])
        if abs(angle) < min_angle_deg:
            continue
        peak = int(a + np.argmax(np.abs(change[a:b])))
        centre = min(peak + w // 2, n - 1)
        lat = float(course.lat_deg[centre]) if np.isfinite(course.lat_deg[centre]) else None
        lon = float(course.lon_deg[centre]) if np.isfinite(course.lon_deg[centre]) else None
        turns.append(Turn(
            start_index=int(a), end_index=end, distance_m=float(course.distance_m[centre]),
            angle_deg=abs(angle), side="right" if angle > 0 else "left",
            sharp=abs(angle) >= sharp_angle_deg, lat_deg=lat, lon_deg=lon,
            peak_lateral_accel_mps2=float(course.lateral_accel_mps2[a:end + 1].max()),
        ))
    return turns
