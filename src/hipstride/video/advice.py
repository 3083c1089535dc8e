"""Education drawn from a form check: what a finding means for a hip, and a cue to try.

Worded as education, never as a diagnosis, and given only when the capture-quality gate passed.
Thresholds are hipstride's choices, each set where the measured median clearly exceeds its own noise
floor and the literature describes the pattern:

* overstride (heel more than :data:`OVERSTRIDE_LEGS` leg lengths ahead of the hip, or the shank
  reaching forward more than :data:`SHANK_DEG`) together with a cadence under
  :data:`LOW_CADENCE_SPM`: a step rate 5–10 % higher cut hip and knee loads in Heiderscheit et al.
  (2011), so the cue is +5 %;
* forward trunk lean over :data:`LEAN_DEG`: more lean shifts work toward the hip extensors (Teng &
  Powers 2015); a backward lean is named too;
* contralateral pelvic drop over :data:`DROP_DEG` (relative): Bramah et al. (2018) found more drop
  in injured runners;
* a wrist crossing the midline, and feet landing across it (crossover) in a quarter of the steps.
"""

from __future__ import annotations

from typing import Any

from hipstride.video.metric import Metric

__all__ = ["form_advice"]

OVERSTRIDE_LEGS = 0.25
SHANK_DEG = 8.0
LOW_CADENCE_SPM = 170.0
LEAN_DEG = 12.0
DROP_DEG = 6.0
ARM_CROSS = 0.1


def _above(metric: Metric | None, limit: float) -> bool:
    return (metric is not None and metric.median is not None and metric.median > limit
            and metric.median - limit > metric.noise_floor)


def form_advice(metrics: dict[str, Metric]) -> list[dict[str, Any]]:
    """Findings with their cue and source (empty when nothing stands out)."""
    out: list[dict[str, Any]] = []
    cadence = metrics.get("cadence_spm")
    over = _above(metrics.get("overstride_legs"), OVERSTRIDE_LEGS) or _above(
        metrics.get("shank_angle_deg"), SHANK_DEG)
    if over:
        low = cadence is not None and cadence.median is not None and cadence.median < LOW_CADENCE_SPM
        target = round(cadence.median * 1.05) if low and cadence and cadence.median else None
        out.append({
            "finding": "overstride",
            "text": "The foot lands well ahead of the hips. A longer reach brakes each step and "
                    "asks more of the hip." + (f" Try a step rate 5 % higher (about {target} "
                                               "steps/min) for a few easy runs." if target else
                                               " Think of landing closer under the body."),
            "cue": {"cadence_target_spm": target} if target else {},
            "source": "Heiderscheit et al. 2011; Bramah et al. 2018"})
    lean = metrics.get("trunk_lean_deg")
    if _above(lean, LEAN_DEG):
        out.append({"finding": "forward lean",
                    "text": "The trunk leans forward more than usual. More lean moves work to the "
                            "hip's extensors; run tall, with the lean from the ankles.",
                    "cue": {}, "source": "Teng & Powers 2015"})
    elif lean is not None and lean.median is not None and lean.median < -lean.noise_floor - 2.0:
        out.append({"finding": "backward lean", "text": "The trunk tilts back while running; "
                    "aim for an upright trunk, neither forward nor back.", "cue": {},
                    "source": "hipstride guidance"})
    if _above(metrics.get("pelvic_drop_deg"), DROP_DEG):
        out.append({"finding": "pelvic drop",
                    "text": "The hip of the swinging leg drops at mid-stance. Hip-abductor "
                            "strength work and a slightly higher step rate are the usual first "
                            "steps; a clinician can check it.",
                    "cue": {}, "source": "Bramah et al. 2018"})
    if _above(metrics.get("arm_crossing_shoulder_widths"), ARM_CROSS):
        out.append({"finding": "arms cross the body",
                    "text": "The hands swing across the body's midline. Let the arms swing "
                            "forward and back, elbows close to the sides.", "cue": {},
                    "source": "hipstride guidance"})
    width = metrics.get("step_width_hip_widths")
    if width is not None:
        steps = [v for v in width.per_step if v is not None]
        if steps and sum(1 for v in steps if v < 0) >= 0.25 * len(steps):
            out.append({"finding": "crossover",
                        "text": "Feet often land across the midline. Picture running along both "
                                "sides of a line rather than on it.", "cue": {},
                        "source": "hipstride guidance"})
    return out
