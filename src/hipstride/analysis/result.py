"""The result of analysing one run: :class:`RunAnalysis` (with its per-km :class:`KmSplit`), and
its JSON document, which ``hipstride analyze --json`` prints and the run library stores.

The value and its serialisation live together, so that nothing below the faces has to import a
renderer and no module here imports another in a circle: :mod:`hipstride.analysis.run` computes
a :class:`RunAnalysis`, this module says what it is and how it is written down.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from hipstride.activity import Activity, is_cross_training
from hipstride.model.advice import Advice
from hipstride.model.hipload import FACTORS, MODEL_VERSION, HipLoad
from hipstride.model.profile import Profile
from hipstride.model.score import GradeFacts
from hipstride.track.course import Course
from hipstride.track.form import Form
from hipstride.track.motion import Motion
from hipstride.track.surface import SURFACE_CLASSES, SurfaceTrack
from hipstride.track.turns import Turn

__all__ = ["SCHEMA_VERSION", "KmSplit", "RunAnalysis", "index_withheld"]

#: Version of the document's layout (not of the model: that is ``hip_load.model_version``).
SCHEMA_VERSION = 1


def index_withheld(sport: str | None) -> str | None:
    """Why a session has no hip-load index although it has a course: cross-training (a ride, a
    walk, a hike, a swim) is not scored by a model built for running; ``None`` for running."""
    if not is_cross_training(sport):
        return None
    return f"hip-load index: not computed for {sport} (the model is for running)"


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


@dataclass(frozen=True)
class KmSplit:
    """Hip load over one kilometre of the course (the last split may be shorter)."""

    km: int
    distance_m: float
    duration_s: float | None
    index: float
    factors: dict[str, float]
    sharp_turns: int
    climb_m: float
    descent_m: float


@dataclass(frozen=True)
class RunAnalysis:
    """Everything hipstride measured in one recording."""

    activity: Activity
    profile: Profile
    motion: Motion
    course: Course
    turns: list[Turn]
    surface: SurfaceTrack
    form: Form
    hip_load: HipLoad
    grades: GradeFacts
    rejected_turns: list[Turn]
    elevation_gain_m: float | None
    elevation_loss_m: float | None
    per_km: list[KmSplit]
    advice: list[Advice]
    notes: list[str]

    @property
    def distance_m(self) -> float:
        return float(self.motion.distance_m[-1]) if len(self.activity) else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``hipstride analyze --json``, also what the run library stores
        (SI units, names with units; ``schema_version`` :data:`SCHEMA_VERSION`)."""
        act = self.activity
        km = self.hip_load.weights_m.sum() / 1000.0
        sharp = [t for t in self.turns if t.sharp]
        w = self.hip_load.weights_m
        g = self.grades
        return {
            "schema_version": SCHEMA_VERSION,
            "source_file": act.source,
            "activity": {
                "sport": act.sport,
                "sub_sport": act.sub_sport,
                "name": act.name,
                "device": act.device,
                "file_format": act.file_format,
                "start_time_utc": act.start_time_utc.isoformat() if act.start_time_utc else None,
                "distance_m": _r(self.distance_m),
                "duration_s": _r(self.motion.elapsed_time_s),
                "moving_time_s": _r(self.motion.moving_time_s),
                "elevation_gain_m": _r(self.elevation_gain_m),
                "elevation_loss_m": _r(self.elevation_loss_m),
                "samples": len(act),
                "has_positions": act.has_positions,
            },
            "turns": {
                "count": len(self.turns),
                "sharp_count": len(sharp),
                "per_km": _r(len(self.turns) / km, 2) if km > 0.2 else None,
                "sharp_per_km": _r(len(sharp) / km, 2) if km > 0.2 else None,
                "left": sum(1 for t in self.turns if t.side == "left"),
                "right": sum(1 for t in self.turns if t.side == "right"),
                "sharp_left": sum(1 for t in sharp if t.side == "left"),
                "sharp_right": sum(1 for t in sharp if t.side == "right"),
                "rejected_count": len(self.rejected_turns),
                "items": [{"distance_m": _r(t.distance_m), "angle_deg": _r(t.angle_deg), "side": t.side,
                           "sharp": t.sharp, "radius_m": _r(min(t.radius_m, 1e6)),
                           "lat": _r(t.lat_deg, 6), "lon": _r(t.lon_deg, 6),
                           "peak_lateral_accel_mps2": _r(t.peak_lateral_accel_mps2, 2)} for t in self.turns],
            },
            "grade": {
                "max_grade_pct": _r(g.max_grade_pct),
                "min_grade_pct": _r(g.min_grade_pct),
                "steep_descent_m": _r(g.steep_descent_m),
                "steep_climb_m": _r(g.steep_climb_m),
            },
            "surface": {
                "source": self.surface.source,
                "shares": self.surface.shares(w),
                "raw_shares": self.surface.raw_shares(w),
                **({"matched_share": self.surface.matched_share}
                   if self.surface.matched_share is not None else {}),
                **({"way_ids": self.surface.way_ids} if self.surface.way_ids is not None else {}),
                **({"map": {"name": self.surface.map_name,
                            "created_utc": self.surface.map_created_utc}}
                   if self.surface.map_name is not None else {}),
                **({"matched_path": self.surface.matched_path}
                   if self.surface.matched_path is not None else {}),
            },
            "form": {**{k: _r(v, 3 if k == "step_length_m" else 1) for k, v in self.form.averages.items()},
                     "drift": {k: _r(v, 3 if k == "step_length_m" else 1) for k, v in self.form.drift.items()},
                     "samples": self.form.samples},
            "hip_load": {
                "model_version": MODEL_VERSION,
                "profile": self.profile.name,
                "index": _r(self.hip_load.index, 4),
                **({"not_computed": withheld}
                   if (withheld := index_withheld(act.sport)) is not None else {}),
                "total": _r(self.hip_load.total, 3),
                "unit": "hip-load units (1 = one flat, straight km on neutral ground at your own cadence)",
                "factors": {f: round(self.hip_load.factors[f], 4) for f in FACTORS},
                "per_km": [{"km": s.km, "distance_m": s.distance_m, "duration_s": s.duration_s,
                            "index": s.index, "factors": s.factors, "sharp_turns": s.sharp_turns,
                            "climb_m": s.climb_m, "descent_m": s.descent_m} for s in self.per_km],
                "advice": [item.to_dict() for item in self.advice],
            },
            "notes": self.notes,
        }

    def to_dataframe(self, *, per: str = "sample") -> Any:
        """The analysis as a ``pandas.DataFrame`` (pandas is optional: ``pip install pandas``).

        ``per="sample"`` (default): one row per course sample (every 5 m of moving path) with
        ``distance_m``, ``time_s``, position, ``elevation_m``, ``grade_pct``, ``speed_mps``,
        ``cadence_spm``, ``lateral_accel_mps2``, ``surface_class`` and ``surface_confidence``,
        ``in_turn``, ``weight_m`` (metres the sample stands for), ``<factor>_load`` for each
        model factor (its contribution on that sample: ``downhill_load``, …) and
        ``multiplier`` (``1 + Σ`` contributions); the
        ``weight_m``-weighted mean of ``multiplier`` is the run's index. ``per="km"``: the
        per-km splits, one row per kilometre, ``<factor>_load`` for each factor.

        Raises
        ------
        ImportError
            When pandas is not installed.
        ValueError
            For another ``per``.
        """
        try:  # imported by name: pandas is optional and ships no type stubs
            pd = importlib.import_module("pandas")
        except ImportError:
            raise ImportError("RunAnalysis.to_dataframe needs the optional package pandas "
                              "(pip install pandas)") from None
        if per == "km":
            return pd.DataFrame([{"km": s.km, "distance_m": s.distance_m, "duration_s": s.duration_s,
                                  "index": s.index,
                                  **{f"{f}_load": v for f, v in s.factors.items()},
                                  "sharp_turns": s.sharp_turns,
                                  "climb_m": s.climb_m, "descent_m": s.descent_m}
                                 for s in self.per_km])
        if per != "sample":
            raise ValueError(f"per must be 'sample' or 'km', not {per!r}")
        c, hl = self.course, self.hip_load
        in_turn = np.zeros(len(c), dtype=bool)
        for t in self.turns:
            in_turn[t.start_index:t.end_index + 1] = True
        return pd.DataFrame({
            "distance_m": c.distance_m, "time_s": c.time_s, "lat_deg": c.lat_deg,
            "lon_deg": c.lon_deg, "elevation_m": c.elevation_m, "grade_pct": c.grade_pct,
            "speed_mps": c.speed_mps, "cadence_spm": c.cadence_spm,
            "lateral_accel_mps2": c.lateral_accel_mps2,
            "surface_class": np.asarray(SURFACE_CLASSES)[self.surface.classes],
            "surface_confidence": self.surface.confidence, "in_turn": in_turn,
            "weight_m": hl.weights_m, **{f"{f}_load": hl.per_sample[f] for f in FACTORS},
            "multiplier": hl.multiplier})
