"""How a course is scored: turns, hip load and the facts advice and reports need, in one call.

:func:`score_course` is the one place where the profile meets a course: it detects the turns with
the profile's ``[turns]`` thresholds, evaluates the hip-load model and measures the grades
(steepest, and the distance steeper than the profile's downhill and uphill thresholds). A
recorded run (:func:`hipstride.analysis.analyze_activity`) and a planned route
(:func:`hipstride.map.evaluate.evaluate_route`) both end here, so they are scored alike.

Climb and descent use one hysteresis band, :data:`CLIMB_HYSTERESIS_M`, for recorded runs and
planned routes alike (:attr:`CourseScore.climb_descent_m`): 3 m, chosen against the watches' own totals in
the test data (tests/test_analyze.py). Planned routes used 1 m before; on map elevation (a DEM
resampled every 5 m and smoothed) 3 m drops only ripples smaller than a storey.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import numpy as np

from hipstride.activity import FloatArray
from hipstride.model.hipload import HipLoad, evaluate_course
from hipstride.model.profile import Profile
from hipstride.track.course import Course
from hipstride.track.smoothing import climb_descent_per_sample_m as _per_sample
from hipstride.track.surface import SurfaceTrack
from hipstride.track.turns import Turn, TurnLimits, find_turns

__all__ = ["CLIMB_HYSTERESIS_M", "CourseScore", "GradeFacts", "climb_descent_per_sample_m",
           "score_course"]

#: Hysteresis band for climb and descent totals (m), recorded and planned alike.
CLIMB_HYSTERESIS_M = 3.0


@dataclass(frozen=True)
class GradeFacts:
    """Grades of a course: the extremes (``None`` without elevation) and the steep distances.

    ``steep_descent_m``/``steep_climb_m`` are the metres of course steeper than the profile's
    ``[downhill]``/``[uphill]`` ``threshold_pct`` (the stretches the model charges for).
    """

    min_grade_pct: float | None
    max_grade_pct: float | None
    steep_descent_m: float
    steep_climb_m: float


@dataclass(frozen=True)
class CourseScore:
    """A scored course: its turns, its hip load and its grades.

    ``rejected_turns`` are the candidates beyond ``[turns] max_lateral_accel_mps2`` (GPS
    artefacts): they add no load and are not counted.
    """

    turns: list[Turn]
    hip_load: HipLoad
    grades: GradeFacts
    rejected_turns: list[Turn]
    #: Climb and descent credited to each course sample (m, :data:`CLIMB_HYSTERESIS_M` band).
    climb_per_sample_m: FloatArray
    descent_per_sample_m: FloatArray
    #: Whether the course has elevation at all (two finite samples or more).
    has_elevation: bool

    @property
    def sharp_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.sharp]

    @property
    def climb_descent_m(self) -> tuple[float, float] | tuple[None, None]:
        """Total climb and descent (m); ``None`` for a course without elevation. The per-km
        splits sum the per-sample arrays, so they add up to these totals."""
        if not self.has_elevation:
            return None, None
        return float(self.climb_per_sample_m.sum()), float(self.descent_per_sample_m.sum()) + 0.0


def grade_facts(course: Course, weights_m: FloatArray, profile: Profile) -> GradeFacts:
    """Steepest grades and the metres beyond the profile's thresholds."""
    grade = course.grade_pct
    has_grade = bool(np.isfinite(grade).any())
    # a NaN grade is steep neither way (the thresholds are 0 or more)
    return GradeFacts(
        min_grade_pct=float(np.nanmin(grade)) if has_grade else None,
        max_grade_pct=float(np.nanmax(grade)) if has_grade else None,
        steep_descent_m=float(weights_m[grade < -profile.downhill.threshold_pct].sum()),
        steep_climb_m=float(weights_m[grade > profile.uphill.threshold_pct].sum()))


@functools.lru_cache(maxsize=64)
def _planned_limits(limits: TurnLimits) -> TurnLimits:
    """The turn limits for map geometry: every turn counts (no artefact to reject)."""
    return replace(limits, max_lateral_accel_mps2=math.inf, max_angle_deg=math.inf)


def score_course(course: Course, surface: SurfaceTrack, profile: Profile, *,
                 cadence_baseline_spm: FloatArray | None = None,
                 recorded: bool = True) -> CourseScore:
    """Turns, hip load and grade facts of a course under a profile.

    Parameters
    ----------
    course
        The course (:func:`hipstride.track.course.course_from_path`).
    surface
        Its surface, one class per course sample.
    profile
        The hip-load profile: turn thresholds and every weight come from it.
    cadence_baseline_spm
        The runner's own step rate at each sample's speed; ``None`` keeps cadence neutral.
    recorded
        ``True`` for a recorded run, whose turns beyond ``max_lateral_accel_mps2`` or
        ``max_angle_deg`` are GPS artefacts and are rejected. ``False`` for a planned route: its
        geometry is the map's, with no GPS noise, so every turn counts, as the planner charged it.
    """
    limits = profile.turns.limits if recorded else _planned_limits(profile.turns.limits)
    turns, rejected = find_turns(course, limits)
    hip = evaluate_course(course, turns, surface, profile, cadence_baseline_spm=cadence_baseline_spm)
    climb, descent = climb_descent_per_sample_m(course.elevation_m)
    return CourseScore(turns, hip, grade_facts(course, hip.weights_m, profile), rejected,
                       climb, descent, bool(np.isfinite(course.elevation_m).sum() >= 2))


def climb_descent_per_sample_m(elevation_m: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Climb and descent credited to each course sample (m), :data:`CLIMB_HYSTERESIS_M` band.

    Their sums are :attr:`CourseScore.climb_descent_m`, so a per-km table adds up to the totals.
    """
    return _per_sample(elevation_m, threshold_m=CLIMB_HYSTERESIS_M)
