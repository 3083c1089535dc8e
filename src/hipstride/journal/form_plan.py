"""What the runner's latest form checks add to the day's plan: an emphasis in the strength and
mobility work, and the step-rate cue, each with the finding that led to it.

The findings are those of the form check (:func:`hipstride.video.advice.form_advice`, stored in
the check's document with their ``why``): the latest check of each view that passed the
capture-quality gate, no older than :data:`FORM_LOOKBACK_DAYS`. Only two findings change the plan,
because for those the guidance names the work that answers them:

* forward trunk lean: more lean shifts work toward the hip extensors (Teng & Powers 2015), so the
  emphasis is mobility of the hip flexors and strength of the glutes and trunk;
* contralateral pelvic drop: more drop was found in injured runners (Bramah et al. 2018), and the
  first answer is strength of the side of the hip.

The exercises are named from the shipped strength routine (a test checks that each exists there),
so the runner finds them with the guided routine. An overstride with a low cadence brings its
+5 % step-rate cue to a run (see :mod:`hipstride.journal.plan`). Education, never a diagnosis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["FORM_EMPHASIS", "FORM_LOOKBACK_DAYS", "STRENGTH_ROUTINE", "form_cue", "form_emphasis"]

#: Form checks older than this many days do not change the plan.
FORM_LOOKBACK_DAYS = 90
#: The care routine the exercises belong to.
STRENGTH_ROUTINE = "strength"
#: Finding -> (emphasis, exercises of the strength routine, how it helps).
FORM_EMPHASIS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "forward lean": (
        "hip-flexor mobility and glute and trunk strength",
        ("Kneeling hip flexor stretch", "Glute bridge", "Front plank"),
        "supple hip flexors and strong glutes and trunk make it easier to run tall"),
    "pelvic drop": (
        "strength of the side of the hip",
        ("Clamshell", "Hip abduction, side-lying to standing", "Side plank"),
        "the muscles on the side of the hip hold the pelvis level when one foot is in the air"),
}


def form_emphasis(findings: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan's ``form_emphasis``: one item per finding of :data:`FORM_EMPHASIS`, each with
    its exercises, the routine, and why (the check's metric, value, noise floor and source)."""
    out: list[dict[str, Any]] = []
    for finding in findings:
        name = finding.get("finding")
        if name not in FORM_EMPHASIS or any(o["finding"] == name for o in out):
            continue
        emphasis, exercises, how = FORM_EMPHASIS[name]
        checked = finding.get("checked_utc", "")[:10]
        out.append({
            "finding": name, "emphasis": emphasis, "routine": STRENGTH_ROUTINE,
            "exercises": list(exercises),
            "text": (f"Your form check{' of ' + checked if checked else ''} showed {name}: put "
                     f"the weight of your strength work on {emphasis} ({', '.join(exercises)}); "
                     f"{how}. Education, not a diagnosis."),
            "why": finding.get("why", []), "because": finding.get("because", ""),
            "source": finding.get("source", ""), "form_check_id": finding.get("check_id")})
    return out


def form_cue(findings: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The step-rate cue of an overstride with a low cadence (None without one)."""
    for finding in findings:
        target = finding.get("cue", {}).get("cadence_target_spm")
        if finding.get("finding") == "overstride" and target:
            return {"cadence_cue_spm": target,
                    "text": (f"your form check found overstride with a low step rate: aim for "
                             f"about {target} steps/min, 5 % quicker, on easy runs"),
                    "why": finding.get("why", []), "because": finding.get("because", ""),
                    "source": finding.get("source", ""),
                    "form_check_id": finding.get("check_id")}
    return None
