"""The daily decision: run, modify, cross-train, rest or see a professional.

Pure functions over plain values (journal entries, weekly load, recent runs); nothing here reads or
writes storage (:func:`hipstride.journal.today.decide_today` gathers the inputs from the run
library). :func:`decide` checks every rule of :mod:`hipstride.journal.rules`, keeps every reason
that fired, and returns the strongest decision, ranked::

    see-professional  >  rest  >  cross-train  >  modify  >  run

with a concrete plan (:mod:`hipstride.journal.plan`). Under an urgent decision every
lower-ranked reason opens with :data:`ALSO_NOTED`: the visit is the only action for today, and
those reasons are for the professional. Under any other decision that has no running today
(rest, cross-train, or a visit while running is stopped or paused) a lower-ranked reason opens
with :data:`ALSO_NOTED_NO_RUN`, so that "keep today's run shorter" never reads as an action
beside "pause running". When nothing fires the decision is ``run``,
with the reason ``all-clear`` (journal entries in the last four weeks) or ``no-entries``.
``urgent`` means "get seen today" (a same-day red flag noted lately); a see-professional
decision without it means within the next few days.

:meth:`Decision.to_dict` is the one serialisation of a decision: ``hipstride today --json``
prints it and the clinician page shows it.

The input and reason types are defined beside the rules (:mod:`hipstride.journal.rules`, which
the plan imports too) and exported from here, their public home.
"""

from __future__ import annotations

import dataclasses
import datetime as dt  # the field "date" shadows the type inside Decision
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hipstride.journal.entry import JournalEntry
from hipstride.journal.plan import make_plan
from hipstride.journal.rules import (
    DECISION_RANK,
    EV_PAIN_MODEL,
    LOOKBACK_DAYS,
    DecisionKind,
    Reason,
    RecentRun,
    WeekLoad,
    all_rules,
    recent,
)

__all__ = ["Decision", "DecisionKind", "Reason", "RecentRun", "WeekLoad", "decide"]

#: How a lower-ranked reason opens under an urgent decision (it is not today's action).
ALSO_NOTED = "Also noted, to mention when you are seen (not an action for today): "
#: How a lower-ranked reason opens when today's plan has no running (it is not today's action).
ALSO_NOTED_NO_RUN = "Also noted (today's plan has no running, so this is not an action for today): "
#: Rules whose reason means the pain has not settled: running stays paused until the visit.
PAUSING_RULES = ("pain-persistent", "pain-unsettled")
#: Plausible cadence baselines (steps/min).
CADENCE_BASELINE_RANGE_SPM = (100.0, 250.0)

_ALL_CLEAR = Reason(
    "all-clear",
    "Your journal shows no warning signs and pain within the acceptable range; "
    "run as planned, warm up first and recover after.",
    EV_PAIN_MODEL,
    "run",
)
_NO_ENTRIES = Reason(
    "no-entries",
    "No journal entries in the last four weeks and no warning signs in your load; "
    "run as planned. Log pain after runs so hipstride can spot trends.",
    None,
    "run",
)


@dataclass(frozen=True, slots=True)
class Decision:
    """The decision for ``date``, whether it is urgent, every reason that fired (strongest
    first) and a concrete plan (:func:`hipstride.journal.plan.make_plan`)."""

    date: date
    decision: DecisionKind
    urgent: bool
    reasons: list[Reason]
    plan: dict[str, Any]
    #: Recent days with cross-training and no running (activity, never counted as running).
    cross_training_days: tuple[dt.date, ...] = ()

    @property
    def rules(self) -> list[str]:
        """Ids of the rules that fired, strongest first."""
        return [reason.rule for reason in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``hipstride today --json``): ``date`` (ISO), ``decision``, ``urgent``,
        ``reasons`` (each ``rule``, ``text``, ``evidence``, ``decision``, ``urgent``; strongest
        first), ``plan`` and ``cross_training_days`` (ISO dates)."""
        return {
            "date": self.date.isoformat(),
            "decision": self.decision,
            "urgent": self.urgent,
            "reasons": [
                {"rule": r.rule, "text": r.text, "evidence": r.evidence, "decision": r.decision,
                 "urgent": r.urgent}
                for r in self.reasons
            ],
            "plan": self.plan,
            "cross_training_days": [d.isoformat() for d in self.cross_training_days],
        }


def decide(
    today: date,
    entries: Sequence[JournalEntry],
    weeks: Sequence[WeekLoad],
    recent_runs: Sequence[RecentRun],
    *,
    cadence_baseline_spm: float | None,
    form_findings: Sequence[dict[str, Any]] = (),
    cross_training_days: Sequence[date] = (),
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
    form_findings
        Findings of the runner's latest form checks from video (they add a strength emphasis
        and a step-rate cue to the plan; see :mod:`hipstride.journal.form_plan`).
    cross_training_days
        Recent days with a ride, walk, hike or swim and no run: reported with the decision, and
        read by no rule of running load or running days.

    Returns
    -------
    Decision
        The strongest decision among the rules that fired (see the module docstring), all their
        reasons (strongest first) and a concrete plan.

    Raises
    ------
    ValueError
        For a cadence baseline outside 100–250 steps/min.
    """
    low, high = CADENCE_BASELINE_RANGE_SPM
    if cadence_baseline_spm is not None and not (
        math.isfinite(cadence_baseline_spm) and low <= cadence_baseline_spm <= high
    ):
        raise ValueError(
            f"cadence baseline must be 100 to 250 steps/min, got {cadence_baseline_spm}"
        )
    reasons = all_rules(today, entries, weeks, recent_runs)
    if not reasons:
        reasons = [_ALL_CLEAR if recent(entries, today, LOOKBACK_DAYS) else _NO_ENTRIES]
    reasons.sort(key=lambda r: DECISION_RANK[r.decision], reverse=True)
    decision = reasons[0].decision
    urgent = any(r.urgent for r in reasons)
    stop = any(r.rule == "red-flag" for r in reasons)
    pause = any(r.rule in PAUSING_RULES for r in reasons)
    opening = ALSO_NOTED if urgent else ALSO_NOTED_NO_RUN if (
        decision in ("rest", "cross-train") or (decision == "see-professional" and (stop or pause))
    ) else None
    if opening:  # only the strongest reasons are today's action: the rest are for later
        reasons = [r if r.urgent or r.decision == decision
                   else dataclasses.replace(r, text=opening + r.text) for r in reasons]
    plan = make_plan(decision, urgent=urgent, today=today, runs=recent_runs,
                     cadence_baseline_spm=cadence_baseline_spm, stop_running=stop,
                     pause_running=pause, form_findings=form_findings)
    return Decision(date=today, decision=decision, urgent=urgent, reasons=reasons, plan=plan,
                    cross_training_days=tuple(sorted(d for d in cross_training_days if d <= today)))
