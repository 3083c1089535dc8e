"""Hip load of a course under a profile (see docs/hip-load-model.md).

Each course sample gets a *multiplier* ``1 + Σ cᶠ``, where ``cᶠ`` is what factor ``f`` adds on
that metre relative to the reference course (flat, straight, neutral surface, the runner's own
cadence). The run's ``index`` is the distance-weighted mean multiplier; each factor's reported
contribution is the distance-weighted mean of its ``cᶠ``, so the contributions add up to
``index − 1`` exactly. The ``total`` in hip-load units is ``index × km``: a flat, straight kilometre
on neutral ground is one unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipstride.activity import FloatArray
from hipstride.model.profile import Profile
from hipstride.track.course import Course
from hipstride.track.surface import HARD, SOFT, UNKNOWN, SurfaceTrack
from hipstride.track.turns import Turn

__all__ = ["FACTORS", "G_MPS2", "HipLoad", "evaluate_course", "factor_contributions"]

FACTORS: tuple[str, ...] = ("downhill", "uphill", "turns", "surface", "cadence")
G_MPS2 = 9.80665


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
    p = profile.get
    grade = np.nan_to_num(course.grade_pct, nan=0.0)

    down_excess = np.clip(-grade, 0.0, p("downhill", "cap_pct")) - p("downhill", "threshold_pct")
    up_excess = np.clip(grade, 0.0, p("uphill", "cap_pct")) - p("uphill", "threshold_pct")
    downhill = p("downhill", "per_pct") * np.maximum(down_excess, 0.0)
    uphill = p("uphill", "per_pct") * np.maximum(up_excess, 0.0)

    turning = np.zeros(n, dtype=bool)
    for t in turns:
        turning[t.start_index:t.end_index + 1] = True
    lateral = np.minimum(course.lateral_accel_mps2, p("turns", "cap_mps2"))
    turn_load = np.where(turning, p("turns", "per_g") * lateral / G_MPS2, 0.0)

    weight_by_class = np.zeros(3)
    weight_by_class[UNKNOWN] = p("surface", "unknown")
    weight_by_class[SOFT] = p("surface", "soft")
    weight_by_class[HARD] = p("surface", "hard")
    surface_load = weight_by_class[surface.classes] * surface.confidence

    cadence = np.zeros(n)
    if cadence_baseline_spm is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            deficit_pct = (cadence_baseline_spm - course.cadence_spm) / cadence_baseline_spm * 100.0
        deficit_pct = np.nan_to_num(deficit_pct, nan=0.0)
        excess = np.maximum(deficit_pct - p("cadence", "tolerance_pct"), 0.0)
        cadence = p("cadence", "per_10pct_below") * excess / 10.0

    return {"downhill": downhill, "uphill": uphill, "turns": turn_load,
            "surface": surface_load, "cadence": cadence}


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
