"""Analysis of one recorded run: motion, course, turns, surface, form and hip load.

The course is scored by :func:`hipstride.model.score.score_course` (turns, hip load, grades), the
same call that scores a planned route. :meth:`RunAnalysis.to_dataframe` gives a notebook user the
per-sample course with each factor's contribution (or the per-km splits) as a pandas DataFrame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import Activity, FloatArray
from hipstride.analysis.result import KmSplit, RunAnalysis, index_withheld
from hipstride.errors import DataError
from hipstride.model.advice import RunFacts, advise
from hipstride.model.hipload import FACTORS, HipLoad
from hipstride.model.profile import Profile, default_profile
from hipstride.model.score import (
    GradeFacts,
    score_course,
)
from hipstride.track.course import Course, course_from_path
from hipstride.track.form import Form, running_mask, summarise_form
from hipstride.track.motion import Motion, detect_motion
from hipstride.track.surface import (
    SurfaceTrack,
    surface_from_sub_sport,
    surface_from_word,
)
from hipstride.track.turns import Turn

__all__ = ["KmSplit", "RunAnalysis", "analyze_activity"]  # the first two live in .result

SurfaceLike = str | SurfaceTrack | Callable[[Course], SurfaceTrack] | None
CadenceBaseline = Callable[[FloatArray], FloatArray]


def _course_for(activity: Activity, motion: Motion, running: NDArray[np.bool_],
                reference_speed_mps: float) -> Course:
    """Course over the moving part of the recording."""
    steps = np.diff(motion.distance_m) * motion.moving if len(activity) > 1 else np.zeros(0)
    path = np.concatenate(([0.0], np.cumsum(steps)))
    has_time = motion.moving_time_s is not None
    return course_from_path(
        path, activity.lat_deg, activity.lon_deg, activity.elevation_m,
        time_s=activity.time_s if has_time else None,
        speed_mps=motion.speed_mps if has_time else None,
        cadence_spm=_running_cadence(activity, running),
        reference_speed_mps=reference_speed_mps)


def _running_cadence(activity: Activity, running: NDArray[np.bool_]) -> FloatArray | None:
    cadence = activity.channel("cadence_spm")
    if cadence is None:
        return None
    return np.where(running & (cadence > 0), cadence, np.nan)


def _resolve_surface(surface: SurfaceLike, activity: Activity, course: Course) -> SurfaceTrack:
    if surface is None:
        return surface_from_sub_sport(activity.sub_sport, len(course))
    if isinstance(surface, str):
        return surface_from_word(surface, len(course))
    if isinstance(surface, SurfaceTrack):
        if surface.classes.shape[0] != len(course):
            raise ValueError("surface track does not match the course length")
        return surface
    return surface(course)


def analyze_activity(activity: Activity, *, profile: Profile | None = None,
                     surface: SurfaceLike = None,
                     cadence_baseline: CadenceBaseline | None = None) -> RunAnalysis:
    """Analyse one activity.

    Parameters
    ----------
    profile
        Hip-load profile (the default profile when ``None``).
    surface
        ``None`` (from the sub-sport, else unknown), a word such as ``"trail"`` (``--surface``),
        a ready :class:`SurfaceTrack`, or a function of the course returning one (the map).
    cadence_baseline
        The runner's own step rate (steps/min) as a function of speed (m/s); ``None`` keeps the
        cadence factor neutral.
    """
    if len(activity) == 0:
        raise DataError(f"{activity.source}: the recording has no samples")
    profile = profile or default_profile()
    notes = list(activity.warnings)
    withheld = index_withheld(activity.sport)
    if activity.sport == "unknown":
        notes.append("The file does not say which sport this is: it is analysed as a run.")
    elif withheld is not None:
        what = {"cycling": "a ride", "walking": "a walk", "hiking": "a hike",
                "swimming": "a swim"}.get(activity.sport, activity.sport)
        notes.append(f"This is {what}, cross-training rather than a run: {withheld}.")
    elif not activity.is_running:
        notes.append(f"This is not a run (sport: {activity.sport}): the hip-load "
                     "model is built for running, so read its figures with care.")
    if activity.time_is_relative:
        notes.append("The device recorded times relative to its own clock: the start date is unknown.")

    motion = detect_motion(activity.time_s, activity.lat_deg, activity.lon_deg,
                           activity.distance_m, activity.speed_mps,
                           segment_starts=activity.segment_starts,
                           timer_pauses_s=activity.timer_pauses_s)
    if motion.jumps:
        notes.append(f"{motion.jumps} GPS jump(s) were removed or bridged.")
    if motion.alternating_s >= 10.0:
        notes.append(f"For {motion.alternating_s / 60.0:.1f} min the GPS fixes jittered in place "
                     "(a standstill): counted as stopped, with no distance and no turns.")
    running = running_mask(activity, motion.moving)
    course = _course_for(activity, motion, running, profile.reference_speed_mps)
    surface_track = _resolve_surface(surface, activity, course)

    form = summarise_form(activity, running)
    baseline_on_course = None
    if cadence_baseline is not None and np.isfinite(course.cadence_spm).any():
        baseline_on_course = cadence_baseline(np.nan_to_num(course.speed_mps, nan=0.0))
    score = score_course(course, surface_track, profile, cadence_baseline_spm=baseline_on_course)
    turns, hip_load = score.turns, score.hip_load
    if withheld is not None:  # cross-training: no running index, no running advice
        hip_load = replace(hip_load, index=None, total=None,
                           factors=dict.fromkeys(FACTORS, 0.0),
                           per_sample={f: np.zeros_like(hip_load.weights_m) for f in FACTORS})
    if score.rejected_turns:
        notes.append(f"{len(score.rejected_turns)} turn(s) beyond what a runner can do (sharper than "
                     f"{profile.turns.max_lateral_accel_mps2:g} m/s² sideways, or winding past "
                     f"{profile.turns.max_angle_deg:g}°) were taken for GPS noise and left out.")
    if hip_load.index is None and withheld is None:
        notes.append("No distance or positions in this recording: hip load cannot be computed.")

    # on the course (moving path, spikes dropped), as for a planned route; the per-km splits
    # share the very same turning points, so they add up to these totals
    gain, loss = score.climb_descent_m
    per_km = _splits(course, turns, hip_load, score.climb_per_sample_m, score.descent_per_sample_m)
    advice = [] if withheld is not None else advise(_facts(
        activity, course, turns, surface_track, hip_load, score.grades, form, baseline_on_course),
        profile)
    return RunAnalysis(activity, profile, motion, course, turns, surface_track, form, hip_load,
                       score.grades, score.rejected_turns, gain, loss, per_km, advice, notes)


def _splits(course: Course, turns: list[Turn], hip_load: HipLoad, climb: FloatArray,
            descent: FloatArray) -> list[KmSplit]:
    if hip_load.index is None:
        return []
    w = hip_load.weights_m
    # a sample exactly on a kilometre mark closes that kilometre
    km_of = np.maximum(np.ceil(course.distance_m / 1000.0) - 1, 0).astype(int)
    out: list[KmSplit] = []
    for k in range(int(km_of.max()) + 1):
        sel = km_of == k
        wk = w[sel]
        length = float(wk.sum())
        if length <= 0:
            continue
        factors = {f: round(float(np.dot(hip_load.per_sample[f][sel], wk) / length), 4) for f in FACTORS}
        t = course.time_s[sel]
        duration = float(np.nanmax(t) - np.nanmin(t)) if np.isfinite(t).sum() >= 2 else None
        out.append(KmSplit(
            km=k + 1, distance_m=round(length, 1),
            duration_s=round(duration, 1) if duration is not None else None,
            index=round(1.0 + sum(factors.values()), 4), factors=factors,
            sharp_turns=sum(1 for tn in turns if tn.sharp and k * 1000 <= tn.distance_m < (k + 1) * 1000),
            climb_m=round(float(climb[sel].sum()), 1), descent_m=round(float(descent[sel].sum()), 1)))
    return out


def _facts(activity: Activity, course: Course, turns: list[Turn], surface: SurfaceTrack,
           hip_load: HipLoad, grades: GradeFacts, form: Form,
           baseline: FloatArray | None) -> RunFacts:
    w = hip_load.weights_m
    km = float(w.sum()) / 1000.0
    shares = surface.shares(w)
    sharp = [t for t in turns if t.sharp]
    deficit = None
    if baseline is not None:
        gap = (baseline - course.cadence_spm) / baseline * 100.0
        known = np.isfinite(gap) & (w > 0)
        deficit = float(np.average(gap[known], weights=w[known])) if known.any() else None
    return RunFacts(
        distance_km=km,
        contributions=hip_load.factors,
        steep_descent_km=grades.steep_descent_m / 1000.0,
        min_grade_pct=grades.min_grade_pct,
        steep_climb_km=grades.steep_climb_m / 1000.0,
        max_grade_pct=grades.max_grade_pct,
        sharp_turns=len(sharp),
        sharp_turns_per_km=len(sharp) / km if km > 0.2 else 0.0,
        sharp_left=sum(1 for t in sharp if t.side == "left"),
        sharp_right=sum(1 for t in sharp if t.side == "right"),
        hard_share=shares["hard"], unknown_share=shares["unknown"], surface_source=surface.source,
        cadence_deficit_pct=deficit,
        balance_left_pct=form.averages.get("stance_time_balance_left_pct"),
        running=activity.is_running,
    )
