"""The daily decision: run, modify, cross-train, rest or see a professional.

Pure functions over plain values (journal entries, weekly load, recent runs); nothing here reads or
writes storage. :func:`decide` checks every rule, keeps every reason that fired, and returns the
strongest decision, ranked::

    see-professional  >  rest  >  cross-train  >  modify  >  run

Rules (ids as they appear in :attr:`Reason.rule`):

``red-flag``
    Any warning sign in an entry of the last :data:`RED_FLAG_LOOKBACK_DAYS` days → see a
    professional, urgently. Red flags always win.
``pain-worsening``
    The day's highest pain rose over the last :data:`WORSENING_ENTRIES` days with entries (never
    falling, up by at least :data:`WORSENING_MIN_RISE` points, ending at
    :data:`PERSISTENT_PAIN_MIN` or more) → see a professional.
``pain-spreading``
    An entry of the last :data:`SPREAD_LOOKBACK_DAYS` days puts pain in the lower back or a knee →
    see a professional.
``pain-persistent``
    Pain of at least :data:`PERSISTENT_PAIN_MIN` on :data:`PERSISTENT_DAYS` consecutive days, the
    last of them today or yesterday → cross-train (pause running).
``pain-monitor-during``, ``pain-monitor-morning``, ``pain-monitor-weekly``
    The pain-monitoring model (Silbernagel 2007, from Achilles tendon research; applied to the hip
    by extrapolation): pain during or after the last run above :data:`PAIN_ACCEPTABLE_MAX` → rest;
    this morning's pain above :data:`MORNING_SETTLED_MAX` (not settled) → modify, or rest from
    :data:`MORNING_REST_MIN`; this week's mean morning pain up by :data:`WEEKLY_RISE_MIN` or more on
    last week's → modify.
``load-progression``
    The latest week's distance (or hip load) more than :data:`LOAD_PROGRESSION_MAX` above the mean
    of the two weeks before it → modify (Nielsen 2014; the 10 % rule gave no protection, Buist 2008).
``hip-load-high``
    A run in the last :data:`HIGH_LOAD_LOOKBACK_DAYS` days with hip-load index above
    :data:`HIP_LOAD_INDEX_HIGH` → modify.
``all-clear`` / ``no-entries``
    Nothing fired → run (with or without recent journal entries).

The wording explains and points to help; it never names a diagnosis.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

__all__ = [
    "CADENCE_CUE_PCT",
    "DECISION_RANK",
    "FLAGS",
    "HIP_LOAD_INDEX_HIGH",
    "LOAD_PROGRESSION_MAX",
    "MODIFY_DISTANCE_FRACTION",
    "PAIN_ACCEPTABLE_MAX",
    "PERSISTENT_DAYS",
    "PERSISTENT_PAIN_MIN",
    "SIDES",
    "SITES",
    "Decision",
    "JournalEntry",
    "Reason",
    "RecentRun",
    "WeekLoad",
    "decide",
]

DecisionKind = Literal["run", "modify", "cross-train", "rest", "see-professional"]

#: Strength of each decision; the strongest reason decides.
DECISION_RANK: dict[str, int] = {
    "run": 0,
    "modify": 1,
    "cross-train": 2,
    "rest": 3,
    "see-professional": 4,
}

#: Where pain can be recorded.
SITES = ("hip", "groin", "outer-hip", "buttock", "thigh", "lower-back", "knee")
#: Which side hurts.
SIDES = ("left", "right", "both")
#: Warning signs that mean: stop running and get checked now.
FLAGS = (
    "night-pain",
    "rest-pain",
    "cannot-bear-weight",
    "fever",
    "earlier-each-run",
    "numbness",
    "fall",
    "weight-loss",
    "cancer-history",
    "under-16-limp",
)

RED_FLAG_LOOKBACK_DAYS = 14
WORSENING_LOOKBACK_DAYS = 14
WORSENING_ENTRIES = 3
WORSENING_MIN_RISE = 2
SPREAD_LOOKBACK_DAYS = 7
SPREAD_SITES = ("lower-back", "knee")
PERSISTENT_DAYS = 3
PERSISTENT_PAIN_MIN = 3
#: Pain during or after activity that the pain-monitoring model accepts (0–10).
PAIN_ACCEPTABLE_MAX = 5
#: Morning pain at or below this counts as settled (hipstride's reading of "settled", 0–10).
MORNING_SETTLED_MAX = 2
MORNING_REST_MIN = 6
WEEKLY_RISE_MIN = 1.0
#: Latest week over the mean of the two before it: flag above this fraction (0.30 = +30 %).
LOAD_PROGRESSION_MAX = 0.30
#: Hip-load index of a run (1.0 = the runner's usual) above which the run counts as hard on the hip.
HIP_LOAD_INDEX_HIGH = 1.25
HIGH_LOAD_LOOKBACK_DAYS = 7
#: A modified run is this share of the recent typical run distance (low, high).
MODIFY_DISTANCE_FRACTION = (0.70, 0.80)
TYPICAL_RUN_LOOKBACK_DAYS = 28
#: Step-rate cue for a modified run: this much above the runner's own baseline, in percent.
CADENCE_CUE_PCT = 5.0

WARM_UP_ROUTINE = "warm-up"
COOL_DOWN_ROUTINE = "cool-down"
RECOVERY_ROUTINE = "recovery"

PROFESSIONALS = ("orthopaedist", "physiotherapist", "sports-medicine physician")

_EV_PAIN_MODEL = (
    "moderate, extrapolated to the hip from Achilles tendon research — Silbernagel 2007"
)
_EV_LOAD = "moderate — Nielsen 2014; the 10 % rule gave no protection — Buist 2008"
_EV_GUIDANCE = "physician's guidance (no graded study)"
_EV_RED_FLAGS = ("clinical red flags for hip pain in runners (signs of a stress fracture of the femoral "
                 "neck, infection, nerve involvement or a serious underlying cause); not graded: "
                 "they call for a medical check, not for evidence")
_EV_CADENCE = "moderate — Heiderscheit 2011"
_EV_HIP_LOAD = (
    "hipstride hip-load model; its factors are graded from strong (downhill grade) to weak "
    "(turns, surface) in docs/hip-load-model.md"
)

_FLAG_TEXT = {
    "night-pain": "pain that wakes you at night",
    "rest-pain": "pain at rest",
    "cannot-bear-weight": "not being able to put weight on the leg",
    "fever": "fever or feeling generally unwell",
    "earlier-each-run": "groin or hip pain that starts earlier in each run, which can point to a "
    "bone stress injury",
    "numbness": "numbness, tingling or weakness in the leg",
    "fall": "a fall or other injury",
    "weight-loss": "weight loss you cannot explain",
    "cancer-history": "a history of cancer together with new hip pain",
    "under-16-limp": "a limp in someone under 16",
}


# ---------------------------------------------------------------------------------------------
# inputs


def _check_pain(name: str, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number from 0 to 10 or None, got {value!r}")
    if not math.isfinite(value) or not 0 <= value <= 10:
        raise ValueError(f"{name} must be from 0 to 10, got {value!r}")


@dataclass(slots=True)
class JournalEntry:
    """One pain journal entry.

    Pain scores are 0 (none) to 10 (worst imaginable), or ``None`` when not recorded.
    ``morning_stiffness_min`` is minutes of stiffness after getting up. ``where`` holds sites from
    :data:`SITES`, ``flags`` warning signs from :data:`FLAGS`.

    Raises
    ------
    ValueError
        For scores outside 0–10, negative stiffness, an unknown site, side or flag.
    """

    date: date
    pain_during: float | None = None
    pain_after: float | None = None
    pain_morning: float | None = None
    morning_stiffness_min: float | None = None
    where: list[str] = field(default_factory=list)
    side: str | None = None
    better: str | None = None
    worse: str | None = None
    flags: list[str] = field(default_factory=list)
    run_id: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.date, date):
            raise ValueError(f"date must be a datetime.date, got {self.date!r}")
        for name in ("pain_during", "pain_after", "pain_morning"):
            _check_pain(name, getattr(self, name))
        stiffness = self.morning_stiffness_min
        if stiffness is not None and (
            isinstance(stiffness, bool)
            or not isinstance(stiffness, int | float)
            or not 0 <= stiffness <= 24 * 60
        ):
            raise ValueError(f"morning_stiffness_min must be 0 to 1440 minutes, got {stiffness!r}")
        unknown_sites = [s for s in self.where if s not in SITES]
        if unknown_sites:
            raise ValueError(
                f"unknown pain site {unknown_sites[0]!r}; use one of: {', '.join(SITES)}"
            )
        if self.side is not None and self.side not in SIDES:
            raise ValueError(f"side must be one of {', '.join(SIDES)} or None, got {self.side!r}")
        unknown_flags = [f for f in self.flags if f not in FLAGS]
        if unknown_flags:
            raise ValueError(f"unknown flag {unknown_flags[0]!r}; use one of: {', '.join(FLAGS)}")

    @property
    def pain(self) -> float | None:
        """The highest pain score recorded in this entry, or ``None`` if none was recorded."""
        scores = [
            p for p in (self.pain_during, self.pain_after, self.pain_morning) if p is not None
        ]
        return max(scores) if scores else None


@dataclass(frozen=True, slots=True)
class WeekLoad:
    """Training load of one week: total distance in metres and total hip load (model units)."""

    week_start: date
    distance_m: float
    hip_load: float


@dataclass(frozen=True, slots=True)
class RecentRun:
    """One recent run: its date, hip-load index (1.0 = the runner's usual) and distance in metres."""

    date: date
    hip_load_index: float
    distance_m: float


# ---------------------------------------------------------------------------------------------
# outputs


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a rule fired: its id, an explanation in plain words, and the evidence behind it."""

    rule: str
    text: str
    evidence: str | None
    decision: DecisionKind = "run"
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """The day's decision, whether it is urgent, every reason that fired, and a concrete plan."""

    decision: DecisionKind
    urgent: bool
    reasons: list[Reason]
    plan: dict[str, Any]

    @property
    def rules(self) -> list[str]:
        """Ids of the rules that fired, strongest first."""
        return [reason.rule for reason in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "decision": self.decision,
            "urgent": self.urgent,
            "reasons": [
                {"rule": r.rule, "text": r.text, "evidence": r.evidence, "decision": r.decision}
                for r in self.reasons
            ],
            "plan": self.plan,
        }


# ---------------------------------------------------------------------------------------------
# rules


def _recent(entries: Iterable[JournalEntry], today: date, days: int) -> list[JournalEntry]:
    """Entries dated from ``today - days + 1`` to ``today``, oldest first."""
    first = today - timedelta(days=days - 1)
    return sorted((e for e in entries if first <= e.date <= today), key=lambda e: e.date)


def _daily_pain(entries: Iterable[JournalEntry]) -> dict[date, float]:
    """Highest pain per day over the entries that recorded any."""
    days: dict[date, float] = {}
    for entry in entries:
        pain = entry.pain
        if pain is not None:
            days[entry.date] = max(pain, days.get(entry.date, 0.0))
    return days


def _where_text(entry: JournalEntry) -> str:
    sites = ", ".join(entry.where) if entry.where else "hip"
    return f"{entry.side} {sites}" if entry.side in ("left", "right") else sites


def _rule_red_flags(entries: list[JournalEntry]) -> list[Reason]:
    seen: dict[str, date] = {}
    for entry in entries:
        for flag in entry.flags:
            seen.setdefault(flag, entry.date)
    if not seen:
        return []
    signs = "; ".join(f"{_FLAG_TEXT[flag]} (noted {day.isoformat()})" for flag, day in seen.items())
    text = (
        f"Warning signs in your journal: {signs}. These need a medical check before any more "
        "running: stop running and get seen today, by your doctor or an urgent-care service. "
        "This is not a diagnosis; it is a reason to have a professional look."
    )
    return [Reason("red-flag", text, _EV_RED_FLAGS, "see-professional", urgent=True)]


def _rule_worsening(entries: list[JournalEntry]) -> list[Reason]:
    daily = sorted(_daily_pain(entries).items())[-WORSENING_ENTRIES:]
    if len(daily) < WORSENING_ENTRIES:
        return []
    scores = [pain for _, pain in daily]
    rising = all(b >= a for a, b in itertools.pairwise(scores))
    if not (
        rising
        and scores[-1] - scores[0] >= WORSENING_MIN_RISE
        and scores[-1] >= PERSISTENT_PAIN_MIN
    ):
        return []
    trail = " → ".join(f"{p:g}" for p in scores)
    text = (
        f"Your pain has been climbing ({trail} out of 10 over {daily[0][0].isoformat()} to "
        f"{daily[-1][0].isoformat()}) despite care. Pain that keeps getting worse deserves a "
        "proper assessment and a plan made for you."
    )
    return [Reason("pain-worsening", text, _EV_GUIDANCE, "see-professional")]


def _rule_spreading(entries: list[JournalEntry]) -> list[Reason]:
    for entry in reversed(entries):
        spread = [s for s in entry.where if s in SPREAD_SITES]
        if spread and (entry.pain is None or entry.pain > 0):
            places = " and ".join("lower back" if s == "lower-back" else "knee" for s in spread)
            text = (
                f"On {entry.date.isoformat()} you noted pain in the {places}. When hip pain starts "
                "to reach the lower back or knees, the way you move may be changing to protect "
                "the hip; that is worth a professional assessment."
            )
            return [Reason("pain-spreading", text, _EV_GUIDANCE, "see-professional")]
    return []


def _rule_persistent(entries: list[JournalEntry], today: date) -> list[Reason]:
    daily = _daily_pain(entries)
    for end in (today, today - timedelta(days=1)):
        days = [end - timedelta(days=k) for k in range(PERSISTENT_DAYS)]
        if all(daily.get(day, -1) >= PERSISTENT_PAIN_MIN for day in days):
            text = (
                f"Pain of {PERSISTENT_PAIN_MIN}/10 or more on {PERSISTENT_DAYS} days in a row "
                f"(up to {end.isoformat()}). Pause running until it settles and keep fit with "
                "low-impact exercise instead."
            )
            return [Reason("pain-persistent", text, _EV_GUIDANCE, "cross-train")]
    return []


def _rule_pain_monitor(entries: list[JournalEntry], today: date) -> list[Reason]:
    reasons: list[Reason] = []
    recent = [e for e in entries if e.date >= today - timedelta(days=1)]
    high = [
        (e, p)
        for e in recent
        for p in (e.pain_during, e.pain_after)
        if p is not None and p > PAIN_ACCEPTABLE_MAX
    ]
    if high:
        entry, pain = max(high, key=lambda item: item[1])
        text = (
            f"Pain reached {pain:g}/10 during or after activity on {entry.date.isoformat()} "
            f"({_where_text(entry)}). Up to {PAIN_ACCEPTABLE_MAX}/10 is the usual limit in the "
            "pain-monitoring model; above it, give the hip a rest day."
        )
        reasons.append(Reason("pain-monitor-during", text, _EV_PAIN_MODEL, "rest"))

    mornings = [e for e in entries if e.date == today and e.pain_morning is not None]
    if mornings:
        morning = max(e.pain_morning for e in mornings if e.pain_morning is not None)
        if morning > MORNING_SETTLED_MAX:
            kind: DecisionKind = "rest" if morning >= MORNING_REST_MIN else "modify"
            advice = "rest today" if kind == "rest" else "keep today's run shorter and easier"
            text = (
                f"This morning's pain is {morning:g}/10: it has not settled overnight (settled "
                f"means {MORNING_SETTLED_MAX}/10 or less). The pain-monitoring model says to "
                f"{advice}."
            )
            reasons.append(Reason("pain-monitor-morning", text, _EV_PAIN_MODEL, kind))

    def mean_morning(first: date, last: date) -> float | None:
        values = [
            e.pain_morning
            for e in entries
            if first <= e.date <= last and e.pain_morning is not None
        ]
        return statistics.fmean(values) if values else None

    this_week = mean_morning(today - timedelta(days=6), today)
    last_week = mean_morning(today - timedelta(days=13), today - timedelta(days=7))
    if this_week is not None and last_week is not None and this_week - last_week >= WEEKLY_RISE_MIN:
        text = (
            f"Morning pain averaged {this_week:.1f}/10 this week against {last_week:.1f}/10 the "
            "week before. In the pain-monitoring model morning pain should not rise from week to "
            "week; ease the running load until it steadies."
        )
        reasons.append(Reason("pain-monitor-weekly", text, _EV_PAIN_MODEL, "modify"))
    return reasons


def _rule_load_progression(weeks: Sequence[WeekLoad], today: date) -> list[Reason]:
    past = sorted((w for w in weeks if w.week_start <= today), key=lambda w: w.week_start)[-3:]
    if len(past) < 3:
        return []
    before, latest = past[:2], past[2]
    changes = []
    for label, value, base in (
        ("distance", latest.distance_m, statistics.fmean(w.distance_m for w in before)),
        ("hip load", latest.hip_load, statistics.fmean(w.hip_load for w in before)),
    ):
        if base <= 0:
            continue
        progression = round(value / base - 1, 9)  # keep +30.000...04 % from counting as above 30 %
        if progression > LOAD_PROGRESSION_MAX:
            changes.append(f"{label} up {100 * progression:.0f} %")
    if not changes:
        return []
    text = (
        f"Week of {latest.week_start.isoformat()}: {', '.join(changes)} on the mean of the two "
        f"weeks before. Increases of more than {100 * LOAD_PROGRESSION_MAX:.0f} % over two weeks "
        "were linked to overuse injuries around the hip; the old 10 % rule, tested in a trial, "
        "gave no protection either, so hold the load steady for now."
    )
    return [Reason("load-progression", text, _EV_LOAD, "modify")]


def _rule_hip_load(runs: Sequence[RecentRun], today: date) -> list[Reason]:
    first = today - timedelta(days=HIGH_LOAD_LOOKBACK_DAYS - 1)
    heavy = sorted(
        (r for r in runs if first <= r.date <= today and r.hip_load_index > HIP_LOAD_INDEX_HIGH),
        key=lambda r: r.date,
    )
    if not heavy:
        return []
    listed = ", ".join(f"{r.date.isoformat()} ({r.hip_load_index:.2f})" for r in heavy)
    text = (
        f"Recent runs loaded the hip well above your usual (index over {HIP_LOAD_INDEX_HIGH:g}): "
        f"{listed}. Choose a flat, soft, smooth route with few sharp turns for the next run."
    )
    return [Reason("hip-load-high", text, _EV_HIP_LOAD, "modify")]


# ---------------------------------------------------------------------------------------------
# plan


def _typical_run_m(runs: Sequence[RecentRun], today: date) -> float | None:
    """Median distance of the runs in the last :data:`TYPICAL_RUN_LOOKBACK_DAYS` days, metres."""
    first = today - timedelta(days=TYPICAL_RUN_LOOKBACK_DAYS)
    distances = [r.distance_m for r in runs if first <= r.date <= today and r.distance_m > 0]
    if distances:
        return statistics.median(distances)
    return None


def _plan(
    decision: DecisionKind,
    urgent: bool,
    *,
    today: date,
    runs: Sequence[RecentRun],
    cadence_baseline_spm: float | None,
) -> dict[str, Any]:
    plan: dict[str, Any] = {"decision": decision}
    if decision == "see-professional":
        plan.update(
            {
                "when": "today" if urgent else "within the next few days",
                "running": "stop running until you have been seen",
                "professionals": (["your doctor or an urgent-care service"] if urgent else [])
                + list(PROFESSIONALS),
                "bring": [
                    "your pain journal (levels, where, when, what helps and what hurts)",
                    "your recent runs (distances, routes and the hip-load reports)",
                    "the clinician report from hipstride",
                ],
            }
        )
        return plan
    if decision == "rest":
        plan.update(
            {
                "running": "no running today",
                "activity": "gentle walking around the house or garden is fine if it does not hurt",
                "after": [RECOVERY_ROUTINE],
                "recheck": (today + timedelta(days=1)).isoformat(),
            }
        )
        return plan

    plan["before"] = [WARM_UP_ROUTINE]
    if decision == "cross-train":
        plan.update(
            {
                "running": "pause running until pain stays below "
                f"{PERSISTENT_PAIN_MIN}/10 for a few days",
                "options": [
                    {"activity": "walking", "duration_min": [30, 45], "note": "flat, even ground"},
                    {"activity": "swimming", "duration_min": [20, 30], "note": "easy strokes"},
                    {
                        "activity": "stationary cycling",
                        "duration_min": [20, 30],
                        "note": "light resistance, saddle high enough that the hip does not bend sharply",
                    },
                ],
                "after": [RECOVERY_ROUTINE],
            }
        )
        return plan

    plan["after"] = [COOL_DOWN_ROUTINE, RECOVERY_ROUTINE]
    if decision == "run":
        plan["run"] = {"effort": "easy to steady, as planned", "route_profile": "hip-friendly"}
        return plan

    typical_m = _typical_run_m(runs, today)
    low, high = MODIFY_DISTANCE_FRACTION
    run: dict[str, Any] = {"effort": "easy, able to talk in full sentences"}
    if typical_m is not None:
        low_km, high_km = typical_m * low / 1000, typical_m * high / 1000
        distance_km = round(typical_m * (low + high) / 2 / 1000, 1)
        run.update(
            {
                "typical_km": round(typical_m / 1000, 1),
                "distance_km": [round(low_km, 1), round(high_km, 1)],
                "text": f"{low_km:.1f}–{high_km:.1f} km ({100 * low:.0f}–{100 * high:.0f} % of your typical "
                f"{typical_m / 1000:.1f} km)",
            }
        )
    else:
        distance_km = 3.0
        run["text"] = "a short run of about 20–30 minutes (no recent runs to scale from)"
    run["route_profile"] = "flat-soft"
    run["route_command"] = (
        f"hipstride route loop --start LAT,LON --distance-km {distance_km:g} --profile flat-soft"
    )
    if cadence_baseline_spm is not None:
        cue = cadence_baseline_spm * (1 + CADENCE_CUE_PCT / 100)
        run["cadence_cue_spm"] = round(cue)
        run["cadence_text"] = (
            f"aim for about {cue:.0f} steps/min, {CADENCE_CUE_PCT:g} % above your own "
            f"{cadence_baseline_spm:.0f}; slightly quicker, shorter steps ease the load on the hip "
            f"({_EV_CADENCE})"
        )
    else:
        run["cadence_text"] = (
            "no cadence baseline yet: run a few easy runs with step rate recorded; the cue is "
            f"+{CADENCE_CUE_PCT:g} % on your own rate, not a fixed number such as 180"
        )
    plan["run"] = run
    return plan


# ---------------------------------------------------------------------------------------------
# the decision


def decide(
    today: date,
    entries: Sequence[JournalEntry],
    weeks: Sequence[WeekLoad],
    recent_runs: Sequence[RecentRun],
    *,
    cadence_baseline_spm: float | None,
) -> Decision:
    """Decide what to do today from the journal, weekly load and recent runs.

    Parameters
    ----------
    today
        The day to decide for; entries, weeks and runs after it are ignored.
    entries
        Pain journal entries, any order.
    weeks
        Weekly totals, any order.
    recent_runs
        Recent runs with their hip-load index, any order.
    cadence_baseline_spm
        The runner's own easy step rate in steps/min, if known (used for the cadence cue).

    Returns
    -------
    Decision
        The strongest decision among the rules that fired (see the module docstring), all their
        reasons (strongest first) and a concrete plan.
    """
    if cadence_baseline_spm is not None and not (
        math.isfinite(cadence_baseline_spm) and 100 <= cadence_baseline_spm <= 250
    ):
        raise ValueError(
            f"cadence baseline must be 100 to 250 steps/min, got {cadence_baseline_spm}"
        )
    lookback = max(RED_FLAG_LOOKBACK_DAYS, WORSENING_LOOKBACK_DAYS)
    recent = _recent(entries, today, lookback)
    reasons: list[Reason] = []
    reasons += _rule_red_flags(_recent(entries, today, RED_FLAG_LOOKBACK_DAYS))
    reasons += _rule_worsening(_recent(entries, today, WORSENING_LOOKBACK_DAYS))
    reasons += _rule_spreading(_recent(entries, today, SPREAD_LOOKBACK_DAYS))
    reasons += _rule_persistent(recent, today)
    reasons += _rule_pain_monitor(recent, today)
    reasons += _rule_load_progression(weeks, today)
    reasons += _rule_hip_load(recent_runs, today)

    if not reasons:
        if recent:
            reasons.append(
                Reason(
                    "all-clear",
                    "Your journal shows no warning signs and pain within the acceptable range; "
                    "run as planned, warm up first and recover after.",
                    _EV_PAIN_MODEL,
                    "run",
                )
            )
        else:
            reasons.append(
                Reason(
                    "no-entries",
                    "No journal entries in the last two weeks and no warning signs in your load; "
                    "run as planned. Log pain after runs so hipstride can spot trends.",
                    None,
                    "run",
                )
            )

    reasons.sort(key=lambda r: DECISION_RANK[r.decision], reverse=True)
    decision = reasons[0].decision
    urgent = any(r.urgent for r in reasons)
    plan = _plan(
        decision,
        urgent,
        today=today,
        runs=recent_runs,
        cadence_baseline_spm=cadence_baseline_spm,
    )
    return Decision(decision=decision, urgent=urgent, reasons=reasons, plan=plan)
