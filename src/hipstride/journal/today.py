"""``hipstride today``: the day's decision, from the journal and the run library.

:func:`gather_inputs` collects what :func:`hipstride.journal.decision.decide` needs, and nothing here
adds rules of its own:

journal entries
    The entries of the :data:`JOURNAL_LOOKBACK_DAYS` days up to the day: the pain rules read the
    last four weeks, the red-flag rule a year, so that a warning sign never drops out silently
    before a professional is recorded as having seen it.
weekly load
    Distance (m) and hip-load units per ISO week of running (:func:`hipstride.analysis.trends.
    weekly_load`, runs started on or before the day), up to the day's week. Running is what
    :func:`hipstride.analysis.trends.counts_as_running` says (an untyped recording counts unless
    the runner relabelled it) and two recordings of one run count once. The week in progress
    stands as the latest week once it already holds more running than the last complete week;
    until then the last complete week does, so that Monday's decision still sees last week's
    jump. Weeks are those of the runs' UTC start times, as in ``hipstride trends``.
recent runs
    Running of the :data:`RUNS_LOOKBACK_DAYS` days up to the day (the same runs, each once): UTC
    date, hip-load index and distance (m); the plan sizes a modified run from their median. A run
    without a hip-load index (no usable course) counts for distance only.
cross-training days
    The UTC dates of the same :data:`RUNS_LOOKBACK_DAYS` days with a ride, walk, hike or swim
    (:func:`hipstride.activity.is_cross_training`, by the file's sport or the runner's relabel)
    and no running. They are activity, not running: weekly load and recent runs never hold them,
    so no rule that reads running load or running days counts them; the decision reports them.
cadence baseline
    The runner's own step rate at their usual speed: of the speed-matched cadence baseline
    (:func:`hipstride.analysis.baselines.compute_baselines`, the 90 days up to the end of the day)
    the speed band with the most minutes; ``None`` while no band has enough running.
form findings
    The findings of the latest form check from video of each view that passed its quality gate,
    checked on or before the day and at most :data:`~hipstride.journal.form_plan.
    FORM_LOOKBACK_DAYS` days before it (:mod:`hipstride.journal.form_plan`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hipstride.analysis.baselines import FormMinutes
from hipstride.journal.decision import (
    CADENCE_BASELINE_RANGE_SPM,
    Decision,
    RecentRun,
    WeekLoad,
    decide,
)
from hipstride.journal.entry import JournalEntry
from hipstride.journal.form_plan import FORM_LOOKBACK_DAYS
from hipstride.journal.plan import TYPICAL_RUN_LOOKBACK_DAYS
from hipstride.journal.rules import RED_FLAG_MEMORY_DAYS
from hipstride.journal.store import list_entries
from hipstride.library.store import RunStore, RunSummary

__all__ = [
    "JOURNAL_LOOKBACK_DAYS",
    "RUNS_LOOKBACK_DAYS",
    "DecisionInputs",
    "cross_training_days",
    "decide_on",
    "decide_today",
    "decision_weeks",
    "form_findings",
    "gather_inputs",
    "usual_cadence_spm",
]

#: Days of journal read for a decision (the red-flag rule's memory).
JOURNAL_LOOKBACK_DAYS = RED_FLAG_MEMORY_DAYS
#: Days of runs read for a decision (the plan scales a modified run from them).
RUNS_LOOKBACK_DAYS = TYPICAL_RUN_LOOKBACK_DAYS


@dataclass(frozen=True)
class DecisionInputs:
    """Everything the day's decision is made from (see the module docstring)."""

    today: date
    entries: list[JournalEntry]
    weeks: list[WeekLoad]
    recent_runs: list[RecentRun]
    cadence_baseline_spm: float | None
    form_findings: list[dict[str, Any]] = field(default_factory=list)
    cross_training_days: list[date] = field(default_factory=list)


def _dated_running(runs: list[RunSummary], today: date) -> list[RunSummary]:
    """Running (untyped recordings included) with a real start time on or before ``today`` (UTC
    dates), each run once."""
    from hipstride.analysis.trends import counts_as_running, one_per_run

    return [r for r in one_per_run([r for r in runs if counts_as_running(r.sport)])
            if r.start_time_utc is not None and r.start_time_utc.astimezone(UTC).date() <= today]


def decision_weeks(runs: list[RunSummary], today: date) -> list[WeekLoad]:
    """Weekly distance and hip load for the decision (see the module docstring)."""
    from hipstride.analysis.trends import week_start, weekly_load

    weeks = weekly_load(_dated_running(runs, today), until=today)
    if (len(weeks) >= 2 and weeks[-1].week_start == week_start(today)
            and weeks[-1].distance_m <= weeks[-2].distance_m
            and weeks[-1].hip_load <= weeks[-2].hip_load):
        weeks = weeks[:-1]  # the week in progress has not yet overtaken the last complete one
    return [WeekLoad(w.week_start, w.distance_m, w.hip_load) for w in weeks]


def _recent_runs(runs: list[RunSummary], today: date) -> list[RecentRun]:
    first = today - timedelta(days=RUNS_LOOKBACK_DAYS)
    out = []
    for r in _dated_running(runs, today):
        assert r.start_time_utc is not None
        day = r.start_time_utc.astimezone(UTC).date()
        if day >= first:
            index = r.hip_load_index if r.hip_load_index is not None else math.nan
            out.append(RecentRun(day, index, r.distance_m or 0.0))
    return out


def cross_training_days(runs: list[RunSummary], today: date) -> list[date]:
    """Days of the last :data:`RUNS_LOOKBACK_DAYS` up to ``today`` with cross-training and no
    running (see the module docstring), in order."""
    from hipstride.activity import is_cross_training

    first = today - timedelta(days=RUNS_LOOKBACK_DAYS)
    running = {r.start_time_utc.astimezone(UTC).date() for r in _dated_running(runs, today)
               if r.start_time_utc is not None}
    days = {r.start_time_utc.astimezone(UTC).date() for r in runs
            if is_cross_training(r.sport) and r.start_time_utc is not None
            and not r.time_is_relative}
    return sorted(d for d in days if first <= d <= today and d not in running)


def usual_cadence_spm(minutes: FormMinutes, today: date) -> float | None:
    """The runner's own step rate (steps/min) at their most-run speed, from the baseline of the
    90 days up to the end of ``today``; ``None`` without a qualifying speed band."""
    from hipstride.analysis.baselines import compute_baselines

    if len(minutes) == 0:
        return None
    end = datetime.combine(today + timedelta(days=1), time(), UTC)
    baseline = compute_baselines(minutes, end, metrics=("cadence_spm",)).get("cadence_spm")
    if baseline is None or not baseline.bands:
        return None
    usual = max(baseline.bands.values(), key=lambda b: (b.minutes, b.runs, -b.band))
    spm = round(usual.median * 2.0) / 2.0  # the devices' resolution, as in CadenceBaseline
    lo, hi = CADENCE_BASELINE_RANGE_SPM  # anything else is left out rather than trusted
    return spm if lo <= spm <= hi else None


def form_findings(store: RunStore, today: date) -> list[dict[str, Any]]:
    """The findings of the latest passed form check of each view (see the module docstring),
    each with ``check_id`` and ``checked_utc`` added."""
    from hipstride.library.form_checks import form_checks

    first = (today - timedelta(days=FORM_LOOKBACK_DAYS)).isoformat()
    latest: dict[str, Any] = {}
    for check in form_checks(store):
        if check.passed and first <= check.checked_at_utc[:10] <= today.isoformat():
            latest[check.view] = check
    return [{**finding, "check_id": c.id, "checked_utc": c.checked_at_utc}
            for c in latest.values() for finding in c.document.get("advice", [])]


def gather_inputs(store: RunStore, today: date, *,
                  runs: list[RunSummary] | None = None) -> DecisionInputs:
    """Read the journal, weekly load, recent runs and cadence baseline for ``today`` (``runs``:
    the store's run list when the caller has read it already)."""
    runs = store.list_runs() if runs is None else runs
    return DecisionInputs(
        today=today,
        entries=list_entries(store, since=today - timedelta(days=JOURNAL_LOOKBACK_DAYS - 1),
                             until=today),
        weeks=decision_weeks(runs, today),
        recent_runs=_recent_runs(runs, today),
        cadence_baseline_spm=usual_cadence_spm(store.form_minutes(), today),
        form_findings=form_findings(store, today),
        cross_training_days=cross_training_days(runs, today))


def decide_today(store: RunStore, *, today: date | None = None) -> Decision:
    """The decision for ``today`` (default: the computer's local date):
    :func:`hipstride.journal.decision.decide` on the library's data."""
    return decide_on(gather_inputs(store, date.today() if today is None else today))


def decide_on(inputs: DecisionInputs) -> Decision:
    """:func:`hipstride.journal.decision.decide` on what :func:`gather_inputs` read."""
    return decide(inputs.today, inputs.entries, inputs.weeks, inputs.recent_runs,
                  cadence_baseline_spm=inputs.cadence_baseline_spm,
                  form_findings=inputs.form_findings,
                  cross_training_days=inputs.cross_training_days)
