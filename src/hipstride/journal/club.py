"""The coach's and clinician's view: every athlete of a library at a glance.

For each athlete, what a coach or physiotherapist checks first each morning, all of it the same
figures the athlete's own pages show (nothing is computed twice): today's decision with its
strongest reason (:func:`hipstride.journal.today.decide_today`), the red flags noted and not yet
recorded as seen by a professional (:func:`hipstride.journal.summary.flag_status`), the last run
with its hip-load index, and the load trend as the one progression figure of the trends page
(:func:`hipstride.analysis.trends.progression_pct`: a week against the mean of the two before;
the week in progress is named partial, never read as a fall).

Athletes are listed with the urgent ones first (a red flag or a "see a professional" decision),
then by name, so that the day's first call is at the top.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hipstride.library.store import RunStore, RunSummary

__all__ = ["athlete_overview", "club_overview"]


def _last_run(listed: list[RunSummary]) -> dict[str, Any] | None:
    runs = [r for r in listed if r.start_time_utc is not None]
    if not runs:
        return None
    last = runs[-1]
    assert last.start_time_utc is not None
    return {"id": last.id, "date": last.start_time_utc.date().isoformat(), "sport": last.sport,
            "distance_m": last.distance_m,
            "hip_load_index": None if last.cross_training else last.hip_load_index}


def _load_trend(runs: list[RunSummary], today: date) -> dict[str, Any] | None:
    from hipstride.analysis.trends import weekly_load

    weeks = weekly_load(runs, until=today, as_of=today)  # running, dated, each run once
    if not weeks:
        return None
    now = weeks[-1]
    # the week in progress has a figure only once it is already a rise beyond the limit
    done = [w for w in weeks if not w.partial]
    shown = now if now.progression_pct is not None else (done[-1] if done else None)
    return {"week_start": now.week_start.isoformat(), "week_distance_m": round(now.distance_m, 1),
            "week_partial": now.partial,
            "progression_pct": shown.progression_pct if shown else None,
            "progression_week_start": shown.week_start.isoformat() if shown else None,
            "progression_partial": shown.partial if shown else False}


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + ("." if dot else "")


def athlete_overview(store: RunStore, *, today: date) -> dict[str, Any]:
    """One athlete's line of the overview (see the module docstring)."""
    from hipstride.journal.store import list_entries
    from hipstride.journal.summary import flag_status
    from hipstride.journal.today import decide_on, gather_inputs

    runs = store.list_runs()  # read once for the decision, the last run and the load
    decision = decide_on(gather_inputs(store, today, runs=runs))
    open_flags = [f for f in flag_status(list_entries(store)) if f["seen"] is None]
    top = decision.reasons[0] if decision.reasons else None
    return {
        "athlete": store.athlete,
        "decision": decision.decision,
        "urgent": decision.urgent or bool(open_flags),
        "why": top.text if top else None,
        "why_first": _first_sentence(top.text) if top else None,
        "rule": top.rule if top else None,
        "red_flags": open_flags,
        "last_run": _last_run(runs),
        "load": _load_trend(runs, today),
    }


def club_overview(store: RunStore, *, today: date) -> list[dict[str, Any]]:
    """Every athlete of the store's database (urgent first, then by name)."""
    lines = []
    for athlete in store.athletes():
        other = store.with_athlete(athlete.name)
        try:
            lines.append(athlete_overview(other, today=today))
        finally:
            other.close()
    return sorted(lines, key=lambda line: (not line["urgent"], line["athlete"]))
