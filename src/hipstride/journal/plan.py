"""The concrete plan that comes with the day's decision: what to do, for how long, and how.

:func:`make_plan` returns a JSON-ready mapping (it is the ``plan`` of ``hipstride today --json``)
that always holds ``decision`` and, by decision:

see-professional
    ``when``, ``running`` (stop until seen for red flags; paused while pain has not settled;
    otherwise easy running within the pain limits), ``professionals`` (your doctor or urgent care first when urgent), ``bring``.
rest
    ``running``, ``activity``, ``after`` (routines), ``recheck`` (the next day, ISO date).
cross-train
    ``before`` (empty: the running warm-up opens with a jog), ``warm_up`` (easy minutes of the
    activity itself), ``running``, ``options`` (activity, ``duration_min`` range, note),
    ``after`` and ``after_note`` (no ice after swimming).
run
    ``before``, ``after``, ``run`` (effort and route profile).
modify
    ``before``, ``after``, ``run``: the distance scaled from the runner's typical recent run
    (:data:`MODIFY_DISTANCE_FRACTION` of the median of the last :data:`TYPICAL_RUN_LOOKBACK_DAYS`
    days), the route profile and the command that plans such a loop, and a step-rate cue
    :data:`CADENCE_CUE_PCT` above the runner's own baseline (never a fixed number such as 180).

With the findings of the runner's latest form checks (:mod:`hipstride.journal.form_plan`), a
run, modify or cross-train plan also holds ``form_emphasis`` (the strength and mobility work that
answers a forward lean or a pelvic drop, with why), and a run or modify plan's ``run`` holds
``form_cue`` (the +5 % step-rate cue of an overstride with a low cadence; a modified run without a
cadence baseline takes its step-rate target from it).

``before`` and ``after`` name routines of :mod:`hipstride.care` (:data:`ROUTINES`); a test checks
that each exists.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from hipstride.journal.form_plan import form_cue, form_emphasis
from hipstride.journal.rules import (
    EV_CADENCE,
    MORNING_SETTLED_MAX,
    PAIN_ACCEPTABLE_MAX,
    PERSISTENT_PAIN_MIN,
    DecisionKind,
    RecentRun,
)

__all__ = [
    "CADENCE_CUE_PCT",
    "MODIFY_DISTANCE_FRACTION",
    "ROUTINES",
    "TYPICAL_RUN_LOOKBACK_DAYS",
    "make_plan",
]

#: A modified run is this share of the recent typical run distance (low, high).
MODIFY_DISTANCE_FRACTION = (0.70, 0.80)
TYPICAL_RUN_LOOKBACK_DAYS = 28
#: Step-rate cue for a modified run: this much above the runner's own baseline, in percent.
CADENCE_CUE_PCT = 5.0
#: Distance of a modified run when there are no recent runs to scale from, in km.
DEFAULT_MODIFIED_KM = 3.0

WARM_UP_ROUTINE = "warm-up"
COOL_DOWN_ROUTINE = "cool-down"
RECOVERY_ROUTINE = "recovery"
#: Every care routine a plan may name.
ROUTINES = (WARM_UP_ROUTINE, COOL_DOWN_ROUTINE, RECOVERY_ROUTINE)

#: The warm-up of a cross-training day: the running warm-up opens with a jog, so it is not named.
CROSS_TRAIN_WARM_UP = ("5–10 minutes of the chosen activity at a very easy pace, then ease "
                       "into the session; no jogging")
PROFESSIONALS = ("orthopaedist", "physiotherapist", "sports-medicine physician")
BRING = (
    "your pain journal (levels, where, when, what helps and what hurts)",
    "your recent runs (distances, routes and the hip-load reports)",
    "the clinician report from hipstride",
)
CROSS_TRAINING: tuple[dict[str, Any], ...] = (
    {"activity": "walking", "duration_min": [30, 45], "note": "flat, even ground"},
    {"activity": "swimming", "duration_min": [20, 30],
     "note": "easy strokes; no ice afterwards"},
    {
        "activity": "stationary cycling",
        "duration_min": [20, 30],
        "note": "light resistance, saddle high enough that the hip does not bend sharply",
    },
)


def typical_run_m(runs: Sequence[RecentRun], today: date) -> float | None:
    """Median distance of the runs in the last :data:`TYPICAL_RUN_LOOKBACK_DAYS` days, metres."""
    first = today - timedelta(days=TYPICAL_RUN_LOOKBACK_DAYS)
    distances = [r.distance_m for r in runs if first <= r.date <= today and r.distance_m > 0]
    if distances:
        return statistics.median(distances)
    return None


def _see_professional(urgent: bool, stop_running: bool, pause_running: bool) -> dict[str, Any]:
    running = (
        "stop running until you have been seen" if stop_running else
        "keep running paused and cross-train until you have been seen" if pause_running else
        f"until you have been seen, run only easy and within the pain limits (up to "
        f"{PAIN_ACCEPTABLE_MAX}/10 during, settled by the next morning); cross-train if not")
    return {
        "when": "today" if urgent else "within the next few days",
        "running": running,
        "professionals": (["your doctor or an urgent-care service"] if urgent else [])
        + list(PROFESSIONALS),
        "bring": list(BRING),
    }


def _rest(today: date) -> dict[str, Any]:
    return {
        "running": "no running today",
        "activity": "gentle walking around the house or garden is fine if it does not hurt",
        "after": [RECOVERY_ROUTINE],
        "recheck": (today + timedelta(days=1)).isoformat(),
    }


def _cross_train() -> dict[str, Any]:
    return {
        "before": [],  # kept for the JSON shape: no routine, the running warm-up opens with a jog
        "warm_up": CROSS_TRAIN_WARM_UP,
        "running": (f"pause running until a morning shows the pain settled "
                    f"({MORNING_SETTLED_MAX}/10 or less) and it stays below "
                    f"{PERSISTENT_PAIN_MIN}/10 for a few days"),
        "options": [dict(option) for option in CROSS_TRAINING],
        "after": [RECOVERY_ROUTINE],
        "after_note": "after swimming, leave out the ice: the water has cooled the hip already",
    }


def _distance(run: dict[str, Any], typical_m: float | None) -> float:
    """Fill the distance of a modified run into ``run``; return the loop's distance in km."""
    if typical_m is None:
        run["text"] = "a short run of about 20–30 minutes (no recent runs to scale from)"
        return DEFAULT_MODIFIED_KM
    low, high = MODIFY_DISTANCE_FRACTION
    low_km, high_km = typical_m * low / 1000, typical_m * high / 1000
    run["typical_km"] = round(typical_m / 1000, 1)
    run["distance_km"] = [round(low_km, 1), round(high_km, 1)]
    run["text"] = (f"{low_km:.1f}–{high_km:.1f} km ({100 * low:.0f}–{100 * high:.0f} % of your "
                   f"typical {typical_m / 1000:.1f} km)")
    return round(typical_m * (low + high) / 2 / 1000, 1)


def _cadence(run: dict[str, Any], baseline_spm: float | None) -> None:
    """Fill the step-rate cue of a modified run into ``run``."""
    if baseline_spm is None:
        run["cadence_text"] = (
            "no cadence baseline yet: run a few easy runs with step rate recorded; the cue is "
            f"+{CADENCE_CUE_PCT:g} % on your own rate, not a fixed number such as 180"
        )
        return
    cue = baseline_spm * (1 + CADENCE_CUE_PCT / 100)
    run["cadence_cue_spm"] = round(cue)
    run["cadence_text"] = (
        f"aim for about {cue:.0f} steps/min, {CADENCE_CUE_PCT:g} % above your own "
        f"{baseline_spm:.0f}; slightly quicker, shorter steps ease the load on the hip "
        f"({EV_CADENCE})"
    )


def _modified_run(typical_m: float | None, cadence_baseline_spm: float | None) -> dict[str, Any]:
    run: dict[str, Any] = {"effort": "easy, able to talk in full sentences"}
    distance_km = _distance(run, typical_m)
    run["route_profile"] = "flat-soft"
    run["route_command"] = (
        f"hipstride route loop --start LAT,LON --distance-km {distance_km:g} --profile flat-soft"
    )
    _cadence(run, cadence_baseline_spm)
    return run


def make_plan(
    decision: DecisionKind,
    *,
    urgent: bool,
    today: date,
    runs: Sequence[RecentRun],
    cadence_baseline_spm: float | None,
    stop_running: bool | None = None,
    pause_running: bool = False,
    form_findings: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The plan for ``decision`` (see the module docstring for its keys). Under
    see-professional, ``stop_running`` (default: ``urgent``; red flags) stops running until the
    visit, ``pause_running`` (pain not settled) keeps it paused for cross-training, and
    otherwise running may go on within the pain limits. ``form_findings`` are the findings of
    the latest form checks (see the module docstring)."""
    plan: dict[str, Any] = {"decision": decision}
    if decision == "see-professional":
        plan.update(_see_professional(urgent, urgent if stop_running is None else stop_running,
                                      pause_running))
    elif decision == "rest":
        plan.update(_rest(today))
    elif decision == "cross-train":
        plan.update(_cross_train())
    else:
        plan["before"] = [WARM_UP_ROUTINE]
        plan["after"] = [COOL_DOWN_ROUTINE, RECOVERY_ROUTINE]
        plan["run"] = (
            {"effort": "easy to steady, as planned", "route_profile": "hip-friendly"}
            if decision == "run"
            else _modified_run(typical_run_m(runs, today), cadence_baseline_spm)
        )
        cue = form_cue(form_findings)
        if cue is not None:
            plan["run"]["form_cue"] = cue
            if decision == "modify" and cadence_baseline_spm is None:
                plan["run"]["cadence_cue_spm"] = cue["cadence_cue_spm"]
                plan["run"]["cadence_text"] = f"{cue['text']} ({cue['source']})"
    if decision in ("run", "modify", "cross-train") and (emphasis := form_emphasis(form_findings)):
        plan["form_emphasis"] = emphasis
    return plan
