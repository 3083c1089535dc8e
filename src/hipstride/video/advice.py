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

Each finding carries ``why``: the metrics that decided it, each with its median, unit, noise floor,
the limit it was held against and how (``above``/``below``), so that the advice, the daily plan
and the clinician page can say which value of which metric led to it, and ``source``, the study
or hipstride's own guidance behind it. ``because`` is the same in words.
"""

from __future__ import annotations

from typing import Any

from hipstride.video.metric import Metric

__all__ = ["form_advice", "why_words"]

OVERSTRIDE_LEGS = 0.25
SHANK_DEG = 8.0
LOW_CADENCE_SPM = 170.0
LEAN_DEG = 12.0
DROP_DEG = 6.0
ARM_CROSS = 0.1
#: Share of steps landing across the midline that counts as crossover.
CROSSOVER_SHARE = 0.25


def _above(metric: Metric | None, limit: float) -> bool:
    return (metric is not None and metric.median is not None and metric.median > limit
            and metric.median - limit > metric.noise_floor)


def _why(key: str, metric: Metric, limit: float, comparison: str) -> dict[str, Any]:
    median = metric.median
    return {"metric": key, "label": metric.name, "unit": metric.unit,
            "value": None if median is None else round(median, 3),
            "noise_floor": round(metric.noise_floor, 3), "limit": limit,
            "comparison": comparison}


def why_words(why: list[dict[str, Any]]) -> str:
    """``why`` in words: "trunk lean 14 deg (noise floor 0.18) above 12"."""
    return "; ".join(f"{w['label']} "
                     + ("not measured" if w["value"] is None else f"{w['value']:.3g} {w['unit']}")
                     + f" (noise floor {w['noise_floor']:.2g}) {w['comparison']} {w['limit']:g}"
                     for w in why)


def _finding(finding: str, text: str, source: str, why: list[dict[str, Any]],
             cue: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"finding": finding, "text": text, "cue": cue or {}, "source": source, "why": why,
            "because": why_words(why)}


def form_advice(metrics: dict[str, Metric]) -> list[dict[str, Any]]:
    """Findings with their cue, source and reasons (empty when nothing stands out)."""
    out: list[dict[str, Any]] = []
    cadence = metrics.get("cadence_spm")
    reach, shank = metrics.get("overstride_legs"), metrics.get("shank_angle_deg")
    why = ([_why("overstride_legs", reach, OVERSTRIDE_LEGS, "above")]
           if reach is not None and _above(reach, OVERSTRIDE_LEGS) else [])
    why += ([_why("shank_angle_deg", shank, SHANK_DEG, "above")]
            if shank is not None and _above(shank, SHANK_DEG) else [])
    if why:
        low = cadence is not None and cadence.median is not None and cadence.median < LOW_CADENCE_SPM
        target = round(cadence.median * 1.05) if low and cadence and cadence.median else None
        if target and cadence is not None:
            why.append(_why("cadence_spm", cadence, LOW_CADENCE_SPM, "below"))
        out.append(_finding(
            "overstride",
            "The foot lands well ahead of the hips. A longer reach brakes each step and asks more "
            "of the hip." + (f" Try a step rate 5 % higher (about {target} steps/min) for a few "
                             "easy runs." if target else " Think of landing closer under the body."),
            "Heiderscheit et al. 2011; Bramah et al. 2018", why,
            {"cadence_target_spm": target, "cadence_change_pct": 5.0} if target else {}))
    lean = metrics.get("trunk_lean_deg")
    if lean is not None and _above(lean, LEAN_DEG):
        out.append(_finding("forward lean", "The trunk leans forward more than usual. More lean "
                            "moves work to the hip's extensors; run tall, with the lean from the "
                            "ankles.", "Teng & Powers 2015",
                            [_why("trunk_lean_deg", lean, LEAN_DEG, "above")]))
    elif lean is not None and lean.median is not None and lean.median < -lean.noise_floor - 2.0:
        out.append(_finding("backward lean", "The trunk tilts back while running; aim for an "
                            "upright trunk, neither forward nor back.", "hipstride guidance",
                            [_why("trunk_lean_deg", lean, -2.0, "below")]))
    drop = metrics.get("pelvic_drop_deg")
    if drop is not None and _above(drop, DROP_DEG):
        out.append(_finding("pelvic drop", "The hip of the swinging leg drops at mid-stance. "
                            "Hip-abductor strength work and a slightly higher step rate are the "
                            "usual first steps; a clinician can check it.", "Bramah et al. 2018",
                            [_why("pelvic_drop_deg", drop, DROP_DEG, "above")]))
    arms = metrics.get("arm_crossing_shoulder_widths")
    if arms is not None and _above(arms, ARM_CROSS):
        out.append(_finding("arms cross the body", "The hands swing across the body's midline. "
                            "Let the arms swing forward and back, elbows close to the sides.",
                            "hipstride guidance",
                            [_why("arm_crossing_shoulder_widths", arms, ARM_CROSS, "above")]))
    width = metrics.get("step_width_hip_widths")
    if width is not None:
        steps = [v for v in width.per_step if v is not None]
        crossed = sum(1 for v in steps if v < 0)
        if steps and crossed >= CROSSOVER_SHARE * len(steps):
            why = [{**_why("step_width_hip_widths", width, 0.0, "below"),
                    "label": f"share of steps landing across the midline ({crossed} of "
                             f"{len(steps)}); step width median"}]
            out.append(_finding("crossover", "Feet often land across the midline. Picture "
                                "running along both sides of a line rather than on it.",
                                "hipstride guidance", why))
    return out
