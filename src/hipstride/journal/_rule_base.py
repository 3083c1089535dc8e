"""The value types, thresholds and evidence strings that every rule reads.

Kept apart from :mod:`hipstride.journal.rules` (which documents each rule and threshold and is
their public home) so that the pain rules, the flag and load rules and the plan can all import
them without an import circle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from hipstride.analysis.trends import PROGRESSION_LIMIT_PCT
from hipstride.journal.entry import JournalEntry

DecisionKind = Literal["run", "modify", "cross-train", "rest", "see-professional"]

#: Strength of each decision; the strongest reason decides.
DECISION_RANK: dict[str, int] = {
    "run": 0,
    "modify": 1,
    "cross-train": 2,
    "rest": 3,
    "see-professional": 4,
}

# -- red flags ----------------------------------------------------------------------------------
#: A same-day flag noted this many days ago or fewer still means "get seen today".
RED_FLAG_URGENT_DAYS = 7
#: A flag of either tier noted this many days ago or fewer is "recent"; older ones are reminders.
RED_FLAG_RECENT_DAYS = 14
#: Days of journal searched for flags not yet recorded as seen by a professional.
RED_FLAG_MEMORY_DAYS = 365

# -- pain ---------------------------------------------------------------------------------------
#: Pain during or after activity that the pain-monitoring model accepts (0–10).
PAIN_ACCEPTABLE_MAX = 5
#: Morning pain at or below this counts as settled (a pre-run level of 1 plus one point).
MORNING_SETTLED_MAX = 2
#: Morning pain from this level means rest today.
MORNING_REST_MIN = 6
#: An entry this high on any measure is a high entry (stays in force until shown settled).
HIGH_PAIN_MIN = 7
#: Morning (rest) pain this high is a high entry too.
HIGH_MORNING_MIN = 5
#: An unsettled spell spanning this many days or more (first to last entry) → pause running.
PERSISTENT_DAYS = 2
#: A high entry not shown settled this many days later → pause running.
HIGH_PAUSE_AFTER_DAYS = 3
#: An unsettled spell spanning this many days or more → see a professional.
PERSISTENT_PROFESSIONAL_DAYS = 14
#: Lowest pain that still counts as pain (pause text: "below this for a few days").
PERSISTENT_PAIN_MIN = 3
#: Worsening: this week's mean of one measure up this many points on an earlier week's.
WORSENING_MIN_RISE = 2.0
#: Worsening needs this week's mean of the measure at this level or above (0–10).
WORSENING_MIN_LEVEL = 3.0
#: Weeks (7 calendar days each, ending today) the worsening rule compares.
WORSENING_WEEKS = 4
#: Morning pain mean rising this much week on week → modify.
WEEKLY_RISE_MIN = 1.0
#: Morning stiffness mean rising this many minutes week on week → modify.
WEEKLY_STIFFNESS_RISE_MIN = 15.0
#: Morning stiffness longer than this, in minutes, counts as long.
STIFFNESS_LONG_MIN = 30.0
#: Long stiffness on this many of the last 7 calendar days → see a professional.
STIFFNESS_DAYS_MIN = 4
SPREAD_LOOKBACK_DAYS = 7
SPREAD_SITES = ("lower-back", "knee")
#: Pain at a spread site must reach this (0–10) to count as spreading.
SPREAD_PAIN_MIN = 2
#: Sites that count as a hip complaint (an entry with pain and no site counts too).
HIP_SITES = ("hip", "groin", "outer-hip", "buttock", "thigh")

# -- load ---------------------------------------------------------------------------------------
#: Latest week over the mean of the two before it: flag above this fraction (0.30 = +30 %).
LOAD_PROGRESSION_MAX = PROGRESSION_LIMIT_PCT / 100.0  # the one limit, analysis.trends
#: A break of this many weeks or more without running is a long break (half the old level).
LONG_BREAK_WEEKS = 4
#: After a long break, the first weeks are flagged above this share of the pre-break level.
LONG_BREAK_SHARE = 0.5
#: Hip-load index of a run (1.0 = the runner's usual) above which the run counts as hard on the hip.
HIP_LOAD_INDEX_HIGH = 1.25
HIGH_LOAD_LOOKBACK_DAYS = 7
#: Days of runs whose median hip-load index is the runner's own usual.
HIP_LOAD_BASELINE_DAYS = 28
#: Fewest runs for that median; with fewer the usual is 1.0.
HIP_LOAD_BASELINE_MIN_RUNS = 3
#: Days of journal the pain rules look back at most.
LOOKBACK_DAYS = 7 * WORSENING_WEEKS

EV_PAIN_MODEL = (
    "moderate, extrapolated to the hip from Achilles tendon research — Silbernagel 2007"
)
EV_LOAD = ("weak — Nielsen 2014 (874 novices; injuries linked to distance: HR 1.59, 95 % CI "
           "0.96–2.66, p = 0.07); the 10 % rule gave no protection — Buist 2008")
EV_GUIDANCE = "physician's guidance (no graded study)"
EV_CLINICAL = ("usual clinical practice for pain that does not settle (not graded; a reason to "
               "have a professional look, not a finding)")
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


def where_text(entry: JournalEntry) -> str:
    """Where an entry's pain was, in words (``"left hip"``)."""
    sites = ", ".join(entry.where) if entry.where else "hip"
    return f"{entry.side} {sites}" if entry.side in ("left", "right") else sites


def days_ago(day: date, today: date) -> str:
    """``"today"``, ``"yesterday"`` or ``"N days ago"``."""
    n = (today - day).days
    return "today" if n == 0 else "yesterday" if n == 1 else f"{n} days ago"
