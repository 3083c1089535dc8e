"""The seven rules of the daily decision, their thresholds and the evidence behind them.

Each rule is a pure function from journal entries (or weekly load, or recent runs) to the
:class:`Reason` objects it fires, none when it does not apply; :func:`hipstride.journal.decision.
decide` runs them all and lets the strongest reason decide. The rules, with the ids that appear in
:attr:`Reason.rule`:

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

The value types the rules read (:class:`WeekLoad`, :class:`RecentRun`) and return
(:class:`Reason`) are defined here, next to the rules, so that the decision and the plan can both
import them without a circle; :mod:`hipstride.journal.decision` is their public home.

The wording explains and points to help; it never names a diagnosis.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from hipstride.journal.entry import JournalEntry, flag, site_words

__all__ = [
    "DECISION_RANK",
    "HIP_LOAD_INDEX_HIGH",
    "LOAD_PROGRESSION_MAX",
    "PAIN_ACCEPTABLE_MAX",
    "PERSISTENT_DAYS",
    "PERSISTENT_PAIN_MIN",
    "DecisionKind",
    "Reason",
    "RecentRun",
    "WeekLoad",
    "all_rules",
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
#: Days of journal the rules look back at most.
LOOKBACK_DAYS = max(RED_FLAG_LOOKBACK_DAYS, WORSENING_LOOKBACK_DAYS)

EV_PAIN_MODEL = (
    "moderate, extrapolated to the hip from Achilles tendon research — Silbernagel 2007"
)
EV_LOAD = "moderate — Nielsen 2014; the 10 % rule gave no protection — Buist 2008"
EV_GUIDANCE = "physician's guidance (no graded study)"
EV_RED_FLAGS = ("clinical red flags for hip pain in runners (signs of a stress fracture of the femoral "
                "neck, infection, nerve involvement or a serious underlying cause); not graded: "
                "they call for a medical check, not for evidence")
EV_CADENCE = "moderate — Heiderscheit 2011"
EV_HIP_LOAD = (
    "hipstride hip-load model; its factors are graded from strong (downhill grade) to weak "
    "(turns, surface) in docs/hip-load-model.md"
)


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


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a rule fired: its id, an explanation in plain words, and the evidence behind it."""

    rule: str
    text: str
    evidence: str | None
    decision: DecisionKind = "run"
    urgent: bool = False


def recent(entries: Iterable[JournalEntry], today: date, days: int) -> list[JournalEntry]:
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


def red_flags(entries: list[JournalEntry]) -> list[Reason]:
    """``red-flag``: any warning sign in ``entries``."""
    seen: dict[str, date] = {}
    for entry in entries:
        for name in entry.flags:
            seen.setdefault(name, entry.date)
    if not seen:
        return []
    signs = "; ".join(f"{flag(name).text} (noted {day.isoformat()})" for name, day in seen.items())
    text = (
        f"Warning signs in your journal: {signs}. These need a medical check before any more "
        "running: stop running and get seen today, by your doctor or an urgent-care service. "
        "This is not a diagnosis; it is a reason to have a professional look."
    )
    return [Reason("red-flag", text, EV_RED_FLAGS, "see-professional", urgent=True)]


def worsening(entries: list[JournalEntry]) -> list[Reason]:
    """``pain-worsening``: the day's pain climbing over the last days with entries."""
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
    return [Reason("pain-worsening", text, EV_GUIDANCE, "see-professional")]


def spreading(entries: list[JournalEntry]) -> list[Reason]:
    """``pain-spreading``: pain in the lower back or a knee."""
    for entry in reversed(entries):
        spread = [s for s in entry.where if s in SPREAD_SITES]
        if spread and (entry.pain is None or entry.pain > 0):
            places = " and ".join(site_words(s) for s in spread)
            text = (
                f"On {entry.date.isoformat()} you noted pain in the {places}. When hip pain starts "
                "to reach the lower back or knees, the way you move may be changing to protect "
                "the hip; that is worth a professional assessment."
            )
            return [Reason("pain-spreading", text, EV_GUIDANCE, "see-professional")]
    return []


def persistent(entries: list[JournalEntry], today: date) -> list[Reason]:
    """``pain-persistent``: pain of :data:`PERSISTENT_PAIN_MIN` or more, days in a row."""
    daily = _daily_pain(entries)
    for end in (today, today - timedelta(days=1)):
        days = [end - timedelta(days=k) for k in range(PERSISTENT_DAYS)]
        if all(daily.get(day, -1) >= PERSISTENT_PAIN_MIN for day in days):
            text = (
                f"Pain of {PERSISTENT_PAIN_MIN}/10 or more on {PERSISTENT_DAYS} days in a row "
                f"(up to {end.isoformat()}). Pause running until it settles and keep fit with "
                "low-impact exercise instead."
            )
            return [Reason("pain-persistent", text, EV_GUIDANCE, "cross-train")]
    return []


def _pain_during(entries: list[JournalEntry], today: date) -> list[Reason]:
    recent_days = [e for e in entries if e.date >= today - timedelta(days=1)]
    high = [
        (e, p)
        for e in recent_days
        for p in (e.pain_during, e.pain_after)
        if p is not None and p > PAIN_ACCEPTABLE_MAX
    ]
    if not high:
        return []
    entry, pain = max(high, key=lambda item: item[1])
    text = (
        f"Pain reached {pain:g}/10 during or after activity on {entry.date.isoformat()} "
        f"({_where_text(entry)}). Up to {PAIN_ACCEPTABLE_MAX}/10 is the usual limit in the "
        "pain-monitoring model; above it, give the hip a rest day."
    )
    return [Reason("pain-monitor-during", text, EV_PAIN_MODEL, "rest")]


def _pain_morning(entries: list[JournalEntry], today: date) -> list[Reason]:
    mornings = [e.pain_morning for e in entries if e.date == today and e.pain_morning is not None]
    if not mornings or max(mornings) <= MORNING_SETTLED_MAX:
        return []
    morning = max(mornings)
    kind: DecisionKind = "rest" if morning >= MORNING_REST_MIN else "modify"
    advice = "rest today" if kind == "rest" else "keep today's run shorter and easier"
    text = (
        f"This morning's pain is {morning:g}/10: it has not settled overnight (settled "
        f"means {MORNING_SETTLED_MAX}/10 or less). The pain-monitoring model says to "
        f"{advice}."
    )
    return [Reason("pain-monitor-morning", text, EV_PAIN_MODEL, kind)]


def _mean_morning(entries: list[JournalEntry], first: date, last: date) -> float | None:
    values = [e.pain_morning for e in entries
              if first <= e.date <= last and e.pain_morning is not None]
    return statistics.fmean(values) if values else None


def _pain_weekly(entries: list[JournalEntry], today: date) -> list[Reason]:
    this_week = _mean_morning(entries, today - timedelta(days=6), today)
    last_week = _mean_morning(entries, today - timedelta(days=13), today - timedelta(days=7))
    if this_week is None or last_week is None or this_week - last_week < WEEKLY_RISE_MIN:
        return []
    text = (
        f"Morning pain averaged {this_week:.1f}/10 this week against {last_week:.1f}/10 the "
        "week before. In the pain-monitoring model morning pain should not rise from week to "
        "week; ease the running load until it steadies."
    )
    return [Reason("pain-monitor-weekly", text, EV_PAIN_MODEL, "modify")]


def pain_monitor(entries: list[JournalEntry], today: date) -> list[Reason]:
    """``pain-monitor-*``: the pain-monitoring model's three checks (during, morning, weekly)."""
    return (_pain_during(entries, today) + _pain_morning(entries, today)
            + _pain_weekly(entries, today))


def load_progression(weeks: Sequence[WeekLoad], today: date) -> list[Reason]:
    """``load-progression``: the latest week well above the two before it."""
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
    return [Reason("load-progression", text, EV_LOAD, "modify")]


def hip_load(runs: Sequence[RecentRun], today: date) -> list[Reason]:
    """``hip-load-high``: a recent run well above the runner's usual hip load."""
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
    return [Reason("hip-load-high", text, EV_HIP_LOAD, "modify")]


def all_rules(today: date, entries: Sequence[JournalEntry], weeks: Sequence[WeekLoad],
              runs: Sequence[RecentRun]) -> list[Reason]:
    """Every reason that fires for ``today``, in rule order (entries, weeks and runs any order)."""
    window = recent(entries, today, LOOKBACK_DAYS)
    return [
        *red_flags(recent(entries, today, RED_FLAG_LOOKBACK_DAYS)),
        *worsening(recent(entries, today, WORSENING_LOOKBACK_DAYS)),
        *spreading(recent(entries, today, SPREAD_LOOKBACK_DAYS)),
        *persistent(window, today),
        *pain_monitor(window, today),
        *load_progression(weeks, today),
        *hip_load(runs, today),
    ]
