"""What the journal says at a glance, for the first page of the clinician report.

Pure functions over journal entries (and run figures), so that the report only lays them out:

:func:`complaints`
    Each site and side with pain: since when (the first day of its current spell: pain entries
    no more than :data:`ONSET_GAP_DAYS` apart, read back through the whole journal), the days
    logged, and the trend of each measure compared like with like (morning with morning, during
    with during, after with after): the mean of the last 7 calendar days against the 7 before,
    "rising" or "falling" from :data:`TREND_MIN_CHANGE` points, else "steady". Missing days are
    missing; with either week empty the trend is "too few days".
:func:`stiffness_trend`
    Morning stiffness the same way (minutes; from :data:`STIFFNESS_MIN_CHANGE_MIN` minutes), and
    on how many of the last 7 days it lasted over the rules' long-stiffness threshold.
:func:`flag_status`
    Each red flag noted, when, and whether an entry records that a professional saw it.
:func:`run_responses`
    Each run beside the pain that followed it: that day's pain during and after (the entry of
    the run's day, or the entry that names the run) and the next morning's pain.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hipstride.journal._pain_rules import MEASURES, daily
from hipstride.journal._rule_base import STIFFNESS_LONG_MIN
from hipstride.journal.entry import JournalEntry, flag, flag_dates

__all__ = [
    "ONSET_GAP_DAYS",
    "TREND_MIN_CHANGE",
    "RunFigures",
    "complaints",
    "flag_status",
    "run_responses",
    "stiffness_trend",
]

#: Pain entries of one site further apart than this start a new spell (onset), days.
ONSET_GAP_DAYS = 28
#: A weekly mean moving this much (points, 0–10) is "rising" or "falling".
TREND_MIN_CHANGE = 1.0
#: Morning stiffness moving this much (minutes) week on week is "rising" or "falling".
STIFFNESS_MIN_CHANGE_MIN = 10.0


def _weeks(values: dict[date, float], today: date) -> tuple[float | None, float | None]:
    def mean(last: date) -> float | None:
        inside = [v for d, v in values.items() if last - timedelta(days=6) <= d <= last]
        return statistics.fmean(inside) if inside else None

    return mean(today), mean(today - timedelta(days=7))


def _trend(now: float | None, before: float | None, step: float) -> str:
    if now is None or before is None:
        return "too few days"
    return "rising" if now - before >= step else "falling" if before - now >= step else "steady"


def _measure(entries: Sequence[JournalEntry], field: str, today: date,
             step: float) -> dict[str, Any]:
    now, before = _weeks(daily(entries, field), today)
    return {"last_7_days": None if now is None else round(now, 1),
            "7_days_before": None if before is None else round(before, 1),
            "trend": _trend(now, before, step)}


def _site_words(site: str, side: str | None) -> str:
    where = site.replace("-", " ")
    return f"{side} {where}" if side in ("left", "right") else (
        f"{where}, both sides" if side == "both" else f"{where} (side not given)")


def complaints(entries: Sequence[JournalEntry], today: date) -> list[dict[str, Any]]:
    """Each site and side with pain up to ``today`` (see the module docstring), most logged first."""
    groups: dict[tuple[str, str | None], list[JournalEntry]] = {}
    for entry in sorted((e for e in entries if e.date <= today), key=lambda e: e.date):
        if entry.pain:
            for site in entry.where or ["hip"]:
                groups.setdefault((site, entry.side), []).append(entry)
    out = []
    for (site, side), group in groups.items():
        onset = group[-1].date
        for earlier in reversed(group[:-1]):
            if (onset - earlier.date).days > ONSET_GAP_DAYS:
                break
            onset = earlier.date
        spell = [e for e in group if e.date >= onset]
        out.append({
            "where": _site_words(site, side), "since": onset.isoformat(),
            "weeks": round(((today - onset).days + 1) / 7, 1), "days_logged": len({e.date for e in spell}),
            "last": spell[-1].date.isoformat(), "peak": max(e.pain or 0 for e in spell),
            "measures": {words: _measure(spell, field, today, TREND_MIN_CHANGE)
                         for field, words in MEASURES},
        })
    return sorted(out, key=lambda c: (-c["days_logged"], c["where"]))


def stiffness_trend(entries: Sequence[JournalEntry], today: date) -> dict[str, Any]:
    """Morning stiffness: its weekly trend and the long days of the last week."""
    values = daily([e for e in entries if e.date <= today], "morning_stiffness_min")
    first = today - timedelta(days=6)
    trend = _measure(entries, "morning_stiffness_min", today, STIFFNESS_MIN_CHANGE_MIN)
    trend["long_days_last_7"] = sum(1 for d, v in values.items()
                                    if first <= d <= today and v > STIFFNESS_LONG_MIN)
    trend["long_min"] = STIFFNESS_LONG_MIN
    return trend


def flag_status(entries: Sequence[JournalEntry]) -> list[dict[str, Any]]:
    """Each red flag noted: its label, tier, the last day noted and the day seen (or ``None``)."""
    noted, seen = flag_dates(entries)
    return [{"flag": name, "label": flag(name).label, "tier": flag(name).tier,
             "noted": day.isoformat(),
             "seen": seen[name].isoformat() if name in seen and seen[name] >= day else None}
            for name, day in sorted(noted.items(), key=lambda item: item[1], reverse=True)]


@dataclass(frozen=True, slots=True)
class RunFigures:
    """What the run-to-pain table needs of a run."""

    run_id: int
    date: date
    distance_m: float | None
    hip_load_index: float | None


def run_responses(runs: Sequence[RunFigures],
                  entries: Sequence[JournalEntry]) -> list[dict[str, Any]]:
    """Each run with the pain that followed it (see the module docstring), newest first."""
    by_day: dict[date, list[JournalEntry]] = {}
    by_run: dict[int, list[JournalEntry]] = {}
    for entry in entries:
        by_day.setdefault(entry.date, []).append(entry)
        if entry.run_id is not None:
            by_run.setdefault(entry.run_id, []).append(entry)

    def highest(found: list[JournalEntry], field: str) -> float | None:
        values = [v for e in found if (v := getattr(e, field)) is not None]
        return max(values) if values else None

    out = []
    for run in sorted(runs, key=lambda r: (r.date, r.run_id), reverse=True):
        same = by_run.get(run.run_id) or by_day.get(run.date, [])
        out.append({"run_id": run.run_id, "date": run.date.isoformat(),
                    "km": None if run.distance_m is None else round(run.distance_m / 1000, 1),
                    "index": run.hip_load_index,
                    "during": highest(same, "pain_during"), "after": highest(same, "pain_after"),
                    "next_morning": highest(by_day.get(run.date + timedelta(days=1), []),
                                            "pain_morning")})
    return out
