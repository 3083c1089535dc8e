"""The pain rules of the daily decision (documented, with thresholds and sources, in
:mod:`hipstride.journal.rules`).

Every rule here reads calendar days, never "the last N entries": a day without an entry is
missing, not zero, and a second entry on one day only adds what it measured. Measures are kept
apart (morning with morning, during with during, after with after).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hipstride.journal._rule_base import (
    EV_CLINICAL,
    EV_GUIDANCE,
    EV_PAIN_MODEL,
    HIGH_MORNING_MIN,
    HIGH_PAIN_MIN,
    HIGH_PAUSE_AFTER_DAYS,
    MORNING_REST_MIN,
    MORNING_SETTLED_MAX,
    PAIN_ACCEPTABLE_MAX,
    PERSISTENT_DAYS,
    PERSISTENT_PROFESSIONAL_DAYS,
    STIFFNESS_DAYS_MIN,
    STIFFNESS_LONG_MIN,
    WEEKLY_RISE_MIN,
    WEEKLY_STIFFNESS_RISE_MIN,
    WORSENING_MIN_LEVEL,
    WORSENING_MIN_RISE,
    WORSENING_WEEKS,
    DecisionKind,
    Reason,
    days_ago,
    where_text,
)
from hipstride.journal.entry import JournalEntry

#: The measures compared like with like, with their words.
MEASURES = (("pain_morning", "on getting up"), ("pain_during", "during runs"),
            ("pain_after", "after runs"))


def daily(entries: Sequence[JournalEntry], field: str) -> dict[date, float]:
    """The highest value of one measure per calendar day (days without it are absent)."""
    days: dict[date, float] = {}
    for entry in entries:
        value = getattr(entry, field)
        if value is not None:
            days[entry.date] = max(float(value), days.get(entry.date, 0.0))
    return days


def _week_mean(values: dict[date, float], last: date) -> tuple[float, int] | None:
    """Mean and count of the values of the 7 days ending ``last``."""
    inside = [v for d, v in values.items() if last - timedelta(days=6) <= d <= last]
    return (statistics.fmean(inside), len(inside)) if inside else None


def worsening(entries: Sequence[JournalEntry], today: date) -> list[Reason]:
    """``pain-worsening``: one measure's mean of the last 7 days up on an earlier week's."""
    found: list[tuple[float, str]] = []
    for field, words in MEASURES:
        values = daily(entries, field)
        now = _week_mean(values, today)
        if now is None or now[0] < WORSENING_MIN_LEVEL:
            continue
        for k in range(1, WORSENING_WEEKS):
            last = today - timedelta(days=7 * k)
            then = _week_mean(values, last)
            if then is not None and now[0] - then[0] >= WORSENING_MIN_RISE:
                first = last - timedelta(days=6)
                found.append((now[0] - then[0], (
                    f"pain {words} averaged {now[0]:.1f}/10 over the last 7 days ({now[1]} "
                    f"day(s) logged) against {then[0]:.1f}/10 in {first.isoformat()} to "
                    f"{last.isoformat()} ({then[1]} day(s))")))
                break
    if not found:
        return []
    detail = "; ".join(text for _, text in sorted(found, reverse=True))
    text = (f"Your pain is getting worse: {detail}. A rise of {WORSENING_MIN_RISE:g} points or more "
            "on the same measure over a week or longer deserves a proper assessment and a plan "
            "made for you.")
    return [Reason("pain-worsening", text, EV_GUIDANCE, "see-professional")]


@dataclass(frozen=True, slots=True)
class _Spell:
    """Pain not yet shown settled: from its first to its last unsettled entry; the highest
    value and the date of the first high entry (``None`` without one)."""

    first: date
    last: date
    peak: float
    high_since: date | None


def _opens(entry: JournalEntry) -> tuple[bool, bool]:
    """(unsettled, high) for one entry's own values."""
    values = [v for v in (entry.pain_morning, entry.pain_during, entry.pain_after) if v is not None]
    morning = entry.pain_morning
    high = any(v >= HIGH_PAIN_MIN for v in values) or (
        morning is not None and morning >= HIGH_MORNING_MIN)
    active = [v for v in (entry.pain_during, entry.pain_after) if v is not None]
    unsettled = high or (morning is not None and morning > MORNING_SETTLED_MAX) or any(
        v > PAIN_ACCEPTABLE_MAX for v in active)
    return unsettled, high


def current_spell(entries: Sequence[JournalEntry]) -> _Spell | None:
    """The spell of pain not shown settled since the last entry that showed it settled."""
    spell: _Spell | None = None
    for day in sorted({e.date for e in entries}):
        todays = [e for e in entries if e.date == day]
        mornings = [e.pain_morning for e in todays if e.pain_morning is not None]
        pains = [p for p in (e.pain for e in todays) if p is not None]
        shown = mornings or pains  # a morning speaks for the day; without one, every value does
        if shown and max(shown) <= MORNING_SETTLED_MAX:
            spell = None  # settled (the morning comes before the day's run)
        for entry in todays:
            unsettled, high = _opens(entry)
            if not unsettled:
                continue
            peak = entry.pain or 0.0
            if spell is None:
                spell = _Spell(day, day, peak, day if high else None)
            else:
                spell = _Spell(spell.first, day, max(spell.peak, peak),
                               spell.high_since or (day if high else None))
    return spell


def unsettled(entries: Sequence[JournalEntry], today: date) -> list[Reason]:
    """``pain-unsettled`` (a high entry still in force) and ``pain-persistent`` (a spell of
    unsettled pain over days or weeks)."""
    spell = current_spell(entries)
    if spell is None:
        return []
    span = (spell.last - spell.first).days
    out: list[Reason] = []
    if span >= PERSISTENT_DAYS:
        escalate = span >= PERSISTENT_PROFESSIONAL_DAYS
        kind: DecisionKind = "see-professional" if escalate else "cross-train"
        action = ("Pain that has not settled for two weeks or more, pause or not, needs a "
                  "professional assessment." if escalate else
                  "Pause running until a morning shows it settled, and keep fit with low-impact "
                  "exercise instead.")
        text = (f"Your pain has not settled for {span} days (from {spell.first.isoformat()} to "
                f"{spell.last.isoformat()}, up to {spell.peak:g}/10; settled means a morning at "
                f"{MORNING_SETTLED_MAX}/10 or less). {action}")
        out.append(Reason("pain-persistent", text, EV_CLINICAL if escalate else EV_GUIDANCE, kind))
    if spell.high_since is not None:
        age = (today - spell.high_since).days
        pause = age >= HIGH_PAUSE_AFTER_DAYS
        text = (f"Pain reached {spell.peak:g}/10 {days_ago(spell.high_since, today)} "
                f"({spell.high_since.isoformat()}) and no entry since shows it settled (a morning "
                f"at {MORNING_SETTLED_MAX}/10 or less). "
                + ("Pause running and cross-train until it settles."
                   if pause else "Rest from running today and log how it feels tomorrow morning."))
        out.append(Reason("pain-unsettled", text, EV_PAIN_MODEL,
                          "cross-train" if pause else "rest"))
    return out


def stiffness(entries: Sequence[JournalEntry], today: date) -> list[Reason]:
    """``stiffness-long``: long morning stiffness on most days of the last week."""
    values = daily(entries, "morning_stiffness_min")
    first = today - timedelta(days=6)
    long_days = sorted(d for d, v in values.items() if first <= d <= today and v > STIFFNESS_LONG_MIN)
    if len(long_days) < STIFFNESS_DAYS_MIN:
        return []
    longest = max(values[d] for d in long_days)
    text = (f"Morning stiffness lasted over {STIFFNESS_LONG_MIN:g} minutes on {len(long_days)} of "
            f"the last 7 days (up to {longest:g} minutes). Stiffness that long, most days, is worth "
            "showing to a professional; it is not urgent.")
    return [Reason("stiffness-long", text, EV_CLINICAL, "see-professional")]


def _pain_during(entries: Sequence[JournalEntry], today: date) -> list[Reason]:
    high = [(e, p) for e in entries if e.date >= today - timedelta(days=1)
            for p in (e.pain_during, e.pain_after) if p is not None and p > PAIN_ACCEPTABLE_MAX]
    if not high:
        return []
    entry, pain = max(high, key=lambda item: item[1])
    text = (f"Pain reached {pain:g}/10 during or after activity on {entry.date.isoformat()} "
            f"({where_text(entry)}). Up to {PAIN_ACCEPTABLE_MAX}/10 is the usual limit in the "
            "pain-monitoring model; above it, give the hip a rest day.")
    return [Reason("pain-monitor-during", text, EV_PAIN_MODEL, "rest")]


def _pain_morning(entries: Sequence[JournalEntry], today: date) -> list[Reason]:
    mornings = [e.pain_morning for e in entries if e.date == today and e.pain_morning is not None]
    if not mornings or max(mornings) <= MORNING_SETTLED_MAX:
        return []
    morning = max(mornings)
    kind: DecisionKind = "rest" if morning >= MORNING_REST_MIN else "modify"
    advice = "rest today" if kind == "rest" else "keep today's run shorter and easier"
    text = (f"This morning's pain is {morning:g}/10: it has not settled overnight (settled "
            f"means {MORNING_SETTLED_MAX}/10 or less). The pain-monitoring model says to {advice}.")
    return [Reason("pain-monitor-morning", text, EV_PAIN_MODEL, kind)]


def _pain_weekly(entries: Sequence[JournalEntry], today: date) -> list[Reason]:
    rises = []
    for field, words, unit, limit in (("pain_morning", "Morning pain", "/10", WEEKLY_RISE_MIN),
                                      ("morning_stiffness_min", "Morning stiffness", " min",
                                       WEEKLY_STIFFNESS_RISE_MIN)):
        values = daily(entries, field)
        now, then = _week_mean(values, today), _week_mean(values, today - timedelta(days=7))
        if now is not None and then is not None and now[0] - then[0] >= limit:
            rises.append(f"{words} averaged {now[0]:.1f}{unit} this week against "
                         f"{then[0]:.1f}{unit} the week before")
    if not rises:
        return []
    text = (f"{'; '.join(rises)}. In the pain-monitoring model morning pain and stiffness should "
            "not rise from week to week; ease the running load until they steady.")
    return [Reason("pain-monitor-weekly", text, EV_PAIN_MODEL, "modify")]


def pain_monitor(entries: Sequence[JournalEntry], today: date) -> list[Reason]:
    """``pain-monitor-*``: the pain-monitoring model's three checks (during, morning, weekly)."""
    return (_pain_during(entries, today) + _pain_morning(entries, today)
            + _pain_weekly(entries, today))
