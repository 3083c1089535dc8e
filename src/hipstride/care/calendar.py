"""A weekly care plan (runs, strength sessions, recovery days) as an iCalendar file.

Each week repeats one pattern counted from the start date: run, strength, recovery, run,
strength, run, recovery. Run days carry the warm-up before and the cool-down and recovery after;
strength days carry that week's dose of the strength plan (after its last week the last dose is
kept). Events are all-day, so they land on the right day in any time zone; every description lists
the steps and says why they are there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hipstride._files import write_atomic
from hipstride.care.routine import format_clock
from hipstride.errors import InputError

if TYPE_CHECKING:
    from hipstride.care.routine import Routine

__all__ = ["MAX_WEEKS", "WEEK_PATTERN", "PlanEvent", "plan_to_ics", "weekly_plan", "write_ics"]

EventKind = Literal["run", "strength", "recovery"]

#: The kind of day for each day of a plan week, counted from the start date.
WEEK_PATTERN: tuple[EventKind, ...] = (
    "run",
    "strength",
    "recovery",
    "run",
    "strength",
    "run",
    "recovery",
)
#: Longest plan, in weeks.
MAX_WEEKS = 52

_PAIN_RULE = (
    "Pain rule: up to 5/10 during the session is acceptable if it has settled by the next "
    "morning and morning pain is not creeping up week by week (a model from Achilles tendon "
    "research, Silbernagel 2007, applied to the hip by extrapolation). If pain rises or spreads to "
    "the lower back or knees, stop and see a physiotherapist, orthopaedist or sports-medicine "
    "physician."
)


@dataclass(frozen=True, slots=True)
class PlanEvent:
    """One all-day event of the plan."""

    day: date
    kind: EventKind
    summary: str
    description: str
    week: int

    @property
    def uid(self) -> str:
        """A stable identifier, so re-importing the same plan updates rather than duplicates."""
        return f"{self.day.isoformat()}-{self.kind}@hipstride"


def _steps_text(routine: Routine) -> str:
    lines = [f"{routine.title} ({format_clock(routine.total_s)}):"]
    lines.extend(f"  - {step.name}: {step.dose_text()}" for step in routine.steps)
    return "\n".join(lines)


def weekly_plan(start: date, *, weeks: int = 4, run_min: float = 30.0) -> list[PlanEvent]:
    """The plan's events for ``weeks`` weeks from ``start``.

    Parameters
    ----------
    start
        First day of the plan (a run day).
    weeks
        Number of weeks, 1 to :data:`MAX_WEEKS`.
    run_min
        Planned length of each easy run in minutes (1 to 360).

    Raises
    ------
    InputError
        For weeks or minutes out of range.
    """
    from hipstride.care.content import get_routine

    if not 1 <= weeks <= MAX_WEEKS:
        raise InputError(f"weeks must be between 1 and {MAX_WEEKS}, got {weeks}")
    if not 1 <= run_min <= 360:
        raise InputError(f"the run must be between 1 and 360 minutes, got {run_min:g}")
    warm_up, cool_down, recovery = (get_routine(n) for n in ("warm-up", "cool-down", "recovery"))
    heat, strength = get_routine("heat"), get_routine("strength")
    assert strength.weeks is not None

    events: list[PlanEvent] = []
    for week in range(1, weeks + 1):
        dose_week = min(week, strength.weeks)
        for offset, kind in enumerate(WEEK_PATTERN):
            day = start + timedelta(days=7 * (week - 1) + offset)
            if kind == "run":
                summary = f"Easy run {run_min:g} min (warm-up first, recovery after)"
                description = "\n\n".join(
                    [
                        f"Easy run of about {run_min:g} minutes on a flat, soft, smooth route "
                        "with few sharp turns. Stay upright, arms swinging forward and back, "
                        "breathing steady.",
                        f"First, if it helps: {_steps_text(heat)}",
                        f"Before: {_steps_text(warm_up)}",
                        f"After: {_steps_text(cool_down)}",
                        f"Then: {_steps_text(recovery)}",
                        "Why: the warm-up readies the hip for impact, the course choice keeps the "
                        "load on the hip low, and the cool-down and recovery ease soreness. Keep "
                        "the weekly distance from jumping: in novice runners, more than 30 % over "
                        "two weeks went with more distance-related injuries, hip-area ones among "
                        "them (Nielsen 2014: HR 1.59, 95 % CI 0.96–2.66, p = 0.07; a signal, not "
                        "proof).",
                        _PAIN_RULE,
                    ]
                )
            elif kind == "strength":
                plan = strength.for_week(dose_week)
                summary = f"Hip & core strength, plan week {dose_week}"
                notes = [
                    f"  note ({s.name}): {d.note}"
                    for s in strength.steps
                    for d in s.progression
                    if d.covers(dose_week) and d.note
                ]
                description = "\n\n".join(
                    [
                        _steps_text(plan) + ("\n" + "\n".join(notes) if notes else ""),
                        "Why: strong, supple hip and core muscles hold the body upright and take "
                        "strain off the hip and lower back when pain would otherwise change your "
                        "running form. Repeat a week instead of moving on if the pain rule was "
                        "broken.",
                        _PAIN_RULE,
                    ]
                )
            else:
                summary = "Recovery day (no running)"
                description = "\n\n".join(
                    [
                        "No running today. An easy 20–30 minute walk is fine if it feels good. "
                        "Roll out the front and side of the hip and thigh (foam-roller steps "
                        "below) and take a warm bath.",
                        _steps_text(recovery),
                        "Why: tissues adapt to running during the days between runs; a day off "
                        "lets them catch up.",
                        _PAIN_RULE,
                    ]
                )
            events.append(PlanEvent(day, kind, summary, description, week))
    return events


def plan_to_ics(events: list[PlanEvent], *, stamp: datetime | None = None) -> bytes:
    """Encode ``events`` as an iCalendar (RFC 5545) file."""
    import icalendar

    stamp = stamp or datetime.now(UTC)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//hipstride//care plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "hipstride care plan")
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("categories", [item.kind])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def write_ics(events: list[PlanEvent], path: str | Path) -> Path:
    """Write ``events`` to ``path`` as an .ics file and return the path."""
    return write_atomic(path, plan_to_ics(events))
