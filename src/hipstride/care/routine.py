"""The routine model: a routine, its steps and a plan step's dose per week, with their text.

A step is done either for a set time (``duration_s``) or as sets of repetitions or holds
(``sets`` with ``reps`` and/or ``hold_s``). Plan routines (``kind = "plan"``, the strength plan)
carry a per-week dose on each step; :meth:`Routine.for_week` resolves it.

Each step says why it is there (``why``, and ``guidance``: the numbers of the physician's guidance
points in the product map it serves, :data:`GUIDANCE_POINTS`) and, where a study backs it,
``evidence`` as ``"<grade> — <source>"`` with a grade of :data:`EVIDENCE_GRADES`.

The routines themselves are data (one TOML file each in ``care/content/``), read and checked by
:mod:`hipstride.care.content`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from hipstride.errors import InputError

__all__ = [
    "EVIDENCE_GRADES",
    "GUIDANCE_POINTS",
    "SECONDS_PER_REP",
    "Routine",
    "RoutineKind",
    "Step",
    "WeekDose",
    "format_clock",
]

#: Time one repetition takes at a calm tempo, in seconds (used to estimate rep-based steps).
SECONDS_PER_REP = 3

#: The physician's guidance points (numbered as in the product map) a step can serve.
GUIDANCE_POINTS: Mapping[int, str] = {
    1: "keep the course easy on the hip",
    2: "protect the lower back: hip stretches and core strength",
    3: "balanced posture",
    4: "warm up and cool down",
    5: "recover after the run",
    6: "back off when pain persists; get help when it worsens or spreads",
}

#: Grades an ``evidence`` string may start with (the product map's evidence table).
EVIDENCE_GRADES = ("strong", "moderate", "weak")

RoutineKind = Literal["session", "plan"]


@dataclass(frozen=True, slots=True)
class WeekDose:
    """The dose of a plan step for a range of weeks (inclusive, 1-based)."""

    first_week: int
    last_week: int
    sets: int
    reps: int | None
    hold_s: int | None
    rest_s: int
    note: str | None = None

    def covers(self, week: int) -> bool:
        """Whether this dose applies in ``week``."""
        return self.first_week <= week <= self.last_week


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a routine.

    Exactly one way of dosing applies: ``duration_s`` (a timed step), or ``sets`` with ``reps``
    and/or ``hold_s`` (a rep-based or hold-based step; ``per_side`` doubles the work, ``rest_s`` is
    the pause between sets, in seconds).
    """

    name: str
    cues: tuple[str, ...]
    why: str
    guidance: tuple[int, ...]
    evidence: str | None = None
    safety: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    duration_s: int | None = None
    sets: int | None = None
    reps: int | None = None
    hold_s: int | None = None
    rest_s: int = 0
    per_side: bool = False
    progression: tuple[WeekDose, ...] = ()

    @property
    def is_rep_based(self) -> bool:
        """True for steps counted in repetitions (they end when the runner says so)."""
        return self.duration_s is None and self.reps is not None

    @property
    def planned_s(self) -> int:
        """Time budget of the step in seconds: ``duration_s``, or an estimate from the dose.

        The estimate counts :data:`SECONDS_PER_REP` per repetition plus any hold, both sides when
        ``per_side``, and ``rest_s`` between sets.
        """
        if self.duration_s is not None:
            return self.duration_s
        sets = self.sets or 1
        hold_s = self.hold_s or 0
        per_set_s = self.reps * (SECONDS_PER_REP + hold_s) if self.reps is not None else hold_s
        sides = 2 if self.per_side else 1
        return sets * per_set_s * sides + (sets - 1) * self.rest_s

    def dose_text(self) -> str:
        """The dose in words, e.g. ``"3 × 12 per side, hold 2 s, rest 45 s"`` or ``"4:00"``."""
        if self.duration_s is not None:
            return format_clock(self.duration_s)
        parts = []
        sets = self.sets or 1
        if self.reps is not None:
            parts.append(f"{sets} × {self.reps}" + (" per side" if self.per_side else ""))
            if self.hold_s:
                parts.append(f"hold {self.hold_s} s")
        else:
            parts.append(f"{sets} × {self.hold_s} s hold" + (" per side" if self.per_side else ""))
        if self.rest_s and sets > 1:
            parts.append(f"rest {self.rest_s} s")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Routine:
    """A named routine: a session done in one go, or a plan progressed over ``weeks`` weeks."""

    name: str
    title: str
    summary: str
    kind: RoutineKind
    when: str
    guidance: tuple[int, ...]
    steps: tuple[Step, ...]
    optional: bool = False
    weeks: int | None = None
    week: int | None = None
    source: str = "<memory>"

    @property
    def total_s(self) -> int:
        """Planned duration of the whole routine in seconds (sum of :attr:`Step.planned_s`)."""
        return sum(step.planned_s for step in self.steps)

    def for_week(self, week: int) -> Routine:
        """This plan with each step's dose for ``week`` (1-based); a session returns itself.

        Raises
        ------
        InputError
            If ``week`` is outside ``1..weeks``.
        """
        if self.kind != "plan" or self.weeks is None:
            return self
        if not 1 <= week <= self.weeks:
            raise InputError(f"routine {self.name!r} has weeks 1 to {self.weeks}, not {week}")
        steps = []
        for step in self.steps:
            dose = next(d for d in step.progression if d.covers(week))
            steps.append(
                replace(
                    step, sets=dose.sets, reps=dose.reps, hold_s=dose.hold_s, rest_s=dose.rest_s
                )
            )
        return replace(self, steps=tuple(steps), week=week)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description of the routine (used by ``--json``)."""
        return {
            "name": self.name,
            "title": self.title,
            "summary": self.summary,
            "kind": self.kind,
            "when": self.when,
            "optional": self.optional,
            "guidance": list(self.guidance),
            "weeks": self.weeks,
            "week": self.week,
            "total_s": self.total_s,
            "steps": [_step_dict(step) for step in self.steps],
        }


def _step_dict(step: Step) -> dict[str, Any]:
    return {
        "name": step.name,
        "dose": step.dose_text(),
        "planned_s": step.planned_s,
        "duration_s": step.duration_s,
        "sets": step.sets,
        "reps": step.reps,
        "hold_s": step.hold_s,
        "rest_s": step.rest_s,
        "per_side": step.per_side,
        "cues": list(step.cues),
        "why": step.why,
        "guidance": list(step.guidance),
        "evidence": step.evidence,
        "safety": list(step.safety),
        "targets": list(step.targets),
        "progression": [
            {
                "weeks": [d.first_week, d.last_week],
                "sets": d.sets,
                "reps": d.reps,
                "hold_s": d.hold_s,
                "rest_s": d.rest_s,
                "note": d.note,
            }
            for d in step.progression
        ],
    }


def format_clock(seconds: float) -> str:
    """Seconds as ``m:ss`` (rounded up, so a countdown shows 0:00 only when it is done)."""
    whole = max(0, int(-(-seconds // 1)))
    return f"{whole // 60}:{whole % 60:02d}"
