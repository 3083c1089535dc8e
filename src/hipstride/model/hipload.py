"""Hip load of a course under a profile (see docs/hip-load-model.md).

Each course sample gets a *multiplier* ``1 + Σ cᶠ``, where ``cᶠ`` is what factor ``f`` adds on
that metre relative to the reference course (flat, straight, neutral surface, the runner's own
cadence). The run's ``index`` is the distance-weighted mean multiplier; each factor's reported
contribution is the distance-weighted mean of its ``cᶠ``, so the contributions add up to
``index − 1`` exactly. The ``total`` in hip-load units is ``index × km``: a flat, straight kilometre
on neutral ground is one unit.

Every factor's term is a pure function over NumPy arrays and one profile section
(:func:`downhill_load`, :func:`uphill_load`, :func:`turn_load`, :func:`surface_load`,
:func:`cadence_load`). :func:`evaluate_course` scores a course with them, and the route planner
builds its arc costs from the very same functions (:mod:`hipstride.map.costs`), so a change to a
term changes scoring and steering together. :func:`turn_load_per_rad_m` is the turn term
integrated over a bend, for the planner, which has bends instead of a sampled course.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.model.profile import Cadence, Downhill, Profile, SurfaceWeights, Turns, Uphill
from hipstride.track.course import Course
from hipstride.track.surface import HARD, SOFT, UNKNOWN, SurfaceTrack
from hipstride.track.turns import Turn

__all__ = ["FACTORS", "G_MPS2", "MODEL_VERSION", "HipLoad", "cadence_load", "downhill_load", "evaluate_course",
           "factor_contributions", "sample_weights_m", "surface_load", "turn_load",
           "turn_load_per_rad_m", "uphill_load"]

FACTORS: tuple[str, ...] = ("downhill", "uphill", "turns", "surface", "cadence")
#: Version of the model (docs/hip-load-model.md says what changed): stored analyses made by
#: another version are analysed again when a run is shown.
MODEL_VERSION = 2
G_MPS2 = 9.80665


# -- the terms: each factor's extra load per metre, as a pure array function -------------------

def downhill_load(grade_pct: FloatArray, downhill: Downhill) -> FloatArray:
    """``per_pct × max(0, min(−grade, cap_pct) − threshold_pct)`` per metre (NaN grade: 0)."""
    grade = np.asarray(grade_pct, dtype=np.float64)
    # fmax/fmin pass over NaN: a NaN grade reads as 0, like flat ground
    excess = np.fmin(np.fmax(-grade, 0.0), downhill.cap_pct) - downhill.threshold_pct
    return np.asarray(downhill.per_pct * np.fmax(excess, 0.0), dtype=np.float64)


def uphill_load(grade_pct: FloatArray, uphill: Uphill) -> FloatArray:
    """``per_pct × max(0, min(grade, cap_pct) − threshold_pct)`` per metre (NaN grade: 0)."""
    grade = np.asarray(grade_pct, dtype=np.float64)
    excess = np.fmin(np.fmax(grade, 0.0), uphill.cap_pct) - uphill.threshold_pct
    return np.asarray(uphill.per_pct * np.fmax(excess, 0.0), dtype=np.float64)


def turn_load(lateral_accel_mps2: FloatArray, turning: NDArray[np.bool_], turns: Turns) -> FloatArray:
    """``per_g × max(0, a_lat − threshold_mps2) / g`` per metre inside a turn (``turning``), else 0.

    Turns beyond ``max_lateral_accel_mps2`` never reach this term: they are rejected as
    artefacts when turns are detected; the cap here only bounds a stray sample inside a kept turn.
    """
    lateral = np.minimum(np.asarray(lateral_accel_mps2, dtype=np.float64), turns.max_lateral_accel_mps2)
    excess = np.maximum(lateral - turns.threshold_mps2, 0.0)
    return np.asarray(np.where(turning, turns.per_g * excess / G_MPS2, 0.0), dtype=np.float64)


def turn_load_per_rad_m(turns: Turns, speed_mps: float) -> float:
    """The turn term integrated over a corner: metres-equivalent per radian turned.

    Over a bend of angle θ on radius r at speed v, ``a_lat = v²/r`` acts along ``r·θ`` metres,
    so :func:`turn_load` adds ``per_g · (v² − threshold_mps2 · r) · θ / g``. The planner's bends
    are corners between straight pieces of a way (r → 0), where this is ``per_g · v² · θ / g``.
    """
    return turns.per_g * speed_mps * speed_mps / G_MPS2


def surface_load(classes: NDArray[np.integer[Any]], confidence: FloatArray,
                 surface: SurfaceWeights) -> FloatArray:
    """The weight of each sample's surface class, scaled by the confidence in the class."""
    weight_by_class = np.zeros(3)
    weight_by_class[UNKNOWN] = surface.unknown
    weight_by_class[SOFT] = surface.soft
    weight_by_class[HARD] = surface.hard
    return np.asarray(weight_by_class[classes] * confidence, dtype=np.float64)


def cadence_load(cadence_spm: FloatArray, baseline_spm: FloatArray, cadence: Cadence) -> FloatArray:
    """``per_10pct_below × max(0, deficit_pct − tolerance_pct) / 10`` against the baseline."""
    with np.errstate(invalid="ignore", divide="ignore"):
        deficit_pct = (baseline_spm - cadence_spm) / baseline_spm * 100.0
    deficit_pct = np.nan_to_num(deficit_pct, nan=0.0)
    excess = np.maximum(deficit_pct - cadence.tolerance_pct, 0.0)
    return np.asarray(cadence.per_10pct_below * excess / 10.0, dtype=np.float64)


# -- a course --------------------------------------------------------------------------------

@dataclass(frozen=True)
class HipLoad:
    """The model's result for one course.

    ``index`` and ``total`` are ``None`` when the course has no length. ``per_sample`` holds each
    factor's contribution on each course sample, ``weights_m`` the metres each sample stands for.
    """

    index: float | None
    total: float | None
    factors: dict[str, float]
    per_sample: dict[str, FloatArray]
    weights_m: FloatArray

    @property
    def multiplier(self) -> FloatArray:
        """``1 + Σ cᶠ`` per course sample."""
        return 1.0 + sum((self.per_sample[f] for f in FACTORS), np.zeros_like(self.weights_m))


def sample_weights_m(course: Course) -> FloatArray:
    """Metres of path each course sample stands for (half the gap to each neighbour)."""
    d = course.distance_m
    if d.shape[0] < 2:
        return np.zeros(d.shape[0])
    gaps = np.diff(d)
    w = np.zeros(d.shape[0])
    w[:-1] += gaps / 2.0
    w[1:] += gaps / 2.0
    return w


def factor_contributions(course: Course, turns: list[Turn], surface: SurfaceTrack,
                         profile: Profile, *,
                         cadence_baseline_spm: FloatArray | None = None) -> dict[str, FloatArray]:
    """Per-sample contribution ``cᶠ`` of each factor (see the module docstring).

    ``cadence_baseline_spm`` is the runner's own step rate at each course sample's speed; the
    cadence factor compares ``course.cadence_spm`` against it, and is neutral without it.
    """
    n = len(course)
    turning = np.zeros(n, dtype=bool)
    for t in turns:
        turning[t.start_index:t.end_index + 1] = True
    cadence = np.zeros(n)
    if cadence_baseline_spm is not None:
        cadence = cadence_load(course.cadence_spm, cadence_baseline_spm, profile.cadence)
    return {"downhill": downhill_load(course.grade_pct, profile.downhill),
            "uphill": uphill_load(course.grade_pct, profile.uphill),
            "turns": turn_load(course.lateral_accel_mps2, turning, profile.turns),
            "surface": surface_load(surface.classes, surface.confidence, profile.surface),
            "cadence": cadence}


def evaluate_course(course: Course, turns: list[Turn], surface: SurfaceTrack, profile: Profile,
                    *, cadence_baseline_spm: FloatArray | None = None) -> HipLoad:
    """Hip load of a course: index, total, and each factor's contribution."""
    per_sample = factor_contributions(course, turns, surface, profile,
                                      cadence_baseline_spm=cadence_baseline_spm)
    weights = sample_weights_m(course)
    length = float(weights.sum())
    if length <= 0:
        return HipLoad(None, None, dict.fromkeys(FACTORS, 0.0), per_sample, weights)
    factors = {f: float(np.dot(per_sample[f], weights) / length) for f in FACTORS}
    index = 1.0 + sum(factors.values())
    return HipLoad(index, index * length / 1000.0, factors, per_sample, weights)
