"""The JSON document of an analysis (``hipstride analyze --json``, ``hipstride show --json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hipstride.model.hipload import FACTORS, MODEL_VERSION

if TYPE_CHECKING:
    from hipstride.analysis.run import RunAnalysis

__all__ = ["SCHEMA_VERSION", "analysis_to_dict"]

SCHEMA_VERSION = 1


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def analysis_to_dict(a: RunAnalysis) -> dict[str, Any]:
    """Plain-JSON view of a :class:`~hipstride.analysis.RunAnalysis` (SI units, names with units)."""
    act = a.activity
    km = a.hip_load.weights_m.sum() / 1000.0
    sharp = [t for t in a.turns if t.sharp]
    w = a.hip_load.weights_m
    g = a.grades
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
            "distance_m": _r(a.distance_m),
            "duration_s": _r(a.motion.elapsed_time_s),
            "moving_time_s": _r(a.motion.moving_time_s),
            "elevation_gain_m": _r(a.elevation_gain_m),
            "elevation_loss_m": _r(a.elevation_loss_m),
            "samples": len(act),
            "has_positions": act.has_positions,
        },
        "turns": {
            "count": len(a.turns),
            "sharp_count": len(sharp),
            "per_km": _r(len(a.turns) / km, 2) if km > 0.2 else None,
            "sharp_per_km": _r(len(sharp) / km, 2) if km > 0.2 else None,
            "left": sum(1 for t in a.turns if t.side == "left"),
            "right": sum(1 for t in a.turns if t.side == "right"),
            "sharp_left": sum(1 for t in sharp if t.side == "left"),
            "sharp_right": sum(1 for t in sharp if t.side == "right"),
            "rejected_count": len(a.rejected_turns),
            "items": [{"distance_m": _r(t.distance_m), "angle_deg": _r(t.angle_deg), "side": t.side,
                       "sharp": t.sharp, "radius_m": _r(min(t.radius_m, 1e6)),
                       "lat": _r(t.lat_deg, 6), "lon": _r(t.lon_deg, 6),
                       "peak_lateral_accel_mps2": _r(t.peak_lateral_accel_mps2, 2)} for t in a.turns],
        },
        "grade": {
            "max_grade_pct": _r(g.max_grade_pct),
            "min_grade_pct": _r(g.min_grade_pct),
            "steep_descent_m": _r(g.steep_descent_m),
            "steep_climb_m": _r(g.steep_climb_m),
        },
        "surface": {
            "source": a.surface.source,
            "shares": a.surface.shares(w),
            "raw_shares": a.surface.raw_shares(w),
            **({"matched_share": a.surface.matched_share}
               if a.surface.matched_share is not None else {}),
            **({"way_ids": a.surface.way_ids} if a.surface.way_ids is not None else {}),
        },
        "form": {**{k: _r(v, 3 if k == "step_length_m" else 1) for k, v in a.form.averages.items()},
                 "drift": {k: _r(v, 3 if k == "step_length_m" else 1) for k, v in a.form.drift.items()},
                 "samples": a.form.samples},
        "hip_load": {
            "model_version": MODEL_VERSION,
            "profile": a.profile.name,
            "index": _r(a.hip_load.index, 4),
            "total": _r(a.hip_load.total, 3),
            "unit": "hip-load units (1 = one flat, straight km on neutral ground at your own cadence)",
            "factors": {f: round(a.hip_load.factors[f], 4) for f in FACTORS},
            "per_km": [{"km": s.km, "distance_m": s.distance_m, "duration_s": s.duration_s,
                        "index": s.index, "factors": s.factors, "sharp_turns": s.sharp_turns,
                        "climb_m": s.climb_m, "descent_m": s.descent_m} for s in a.per_km],
            "advice": [item.to_dict() for item in a.advice],
        },
        "notes": a.notes,
    }
