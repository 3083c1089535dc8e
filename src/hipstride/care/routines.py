"""The routines library: warm-up, heat, cool-down, recovery and the strength plan.

The routines themselves are data: one TOML file per routine in ``care/content/``. This module holds
the model (:class:`Routine`, :class:`Step`, :class:`WeekDose`) and a loader that checks every file
and names the file and field at fault when something is wrong.

A step is done either for a set time (``duration_s``) or as sets of repetitions or holds
(``sets`` with ``reps`` and/or ``hold_s``). Plan routines (``kind = "plan"``, the strength plan)
carry a per-week dose on each step; :meth:`Routine.for_week` resolves it.

Each step says why it is there (``why``, and ``guidance``: the numbers of the physician's guidance
points in the product map it serves) and, where a study backs it, ``evidence`` as
``"<grade> — <source>"``.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

from hipstride.errors import ContentError, InputError

__all__ = [
    "EVIDENCE_GRADES",
    "GUIDANCE_POINTS",
    "SECONDS_PER_REP",
    "ContentError",
    "Routine",
    "Step",
    "WeekDose",
    "get_routine",
    "load_routine",
    "load_routines",
    "routine_names",
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

_ROUTINE_KEYS = {
    "name",
    "title",
    "summary",
    "kind",
    "when",
    "optional",
    "guidance",
    "weeks",
    "steps",
}
_STEP_KEYS = {
    "name", "cues", "why", "guidance", "evidence", "safety", "targets",
    "duration_s", "sets", "reps", "hold_s", "rest_s", "per_side", "plan",
}  # fmt: skip
_DOSE_KEYS = {"weeks", "sets", "reps", "hold_s", "rest_s", "note"}


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
            return _mmss(self.duration_s)
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


def _mmss(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


# ---------------------------------------------------------------------------------------------
# loading and validation


def _content_dir() -> Traversable:
    return resources.files("hipstride.care").joinpath("content")


def routine_names() -> list[str]:
    """Names of the routines shipped with hipstride, sorted."""
    return sorted(routine.name for routine in load_routines())


def load_routines() -> list[Routine]:
    """Load and check every shipped routine (``care/content/*.toml``), sorted by name."""
    return list(_shipped())


@functools.cache
def _shipped() -> tuple[Routine, ...]:
    """The shipped routines, read once per process (they are immutable)."""
    routines = [
        _parse(entry.read_text(encoding="utf-8"), entry.name)
        for entry in _content_dir().iterdir()
        if entry.name.endswith(".toml")
    ]
    return tuple(sorted(routines, key=lambda r: r.name))


def get_routine(name: str) -> Routine:
    """The shipped routine called ``name``.

    Raises
    ------
    InputError
        If there is no such routine; the message lists the names there are.
    """
    for routine in load_routines():
        if routine.name == name:
            return routine
    raise InputError(f"no routine called {name!r}; choose one of: {', '.join(routine_names())}")


def load_routine(path: str | Path) -> Routine:
    """Load and check one routine file.

    Raises
    ------
    ContentError
        If the file is not valid TOML or breaks the content rules; the message names the file and
        the field, e.g. ``"warm-up.toml: steps[2].cues: must be a non-empty list of strings"``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(f"{path}: cannot read: {exc.strerror}") from exc
    return _parse(text, str(path))


def _parse(text: str, source: str) -> Routine:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{source}: not valid TOML: {exc}") from exc
    return _Checker(source).routine(data)


class _Checker:
    """Field-by-field validation that names the file and field in every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, field: str, problem: str) -> ContentError:
        return ContentError(f"{self.source}: {field}: {problem}")

    def unknown(self, data: Mapping[str, Any], allowed: set[str], where: str) -> None:
        extra = sorted(set(data) - allowed)
        if extra:
            prefix = f"{where}." if where else ""
            raise self.fail(
                prefix + extra[0], f"unknown field (allowed: {', '.join(sorted(allowed))})"
            )

    def text(
        self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True
    ) -> str | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}{key}", "must be a non-empty string")
        return value.strip()

    def texts(
        self, data: Mapping[str, Any], key: str, where: str, *, required: bool
    ) -> tuple[str, ...]:
        value = data.get(key)
        if value is None and not required:
            return ()
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise self.fail(f"{where}{key}", "must be a non-empty list of strings")
        return tuple(v.strip() for v in value)

    def integer(
        self, data: Mapping[str, Any], key: str, where: str, *, low: int, high: int
    ) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(
                f"{where}{key}", f"must be a whole number from {low} to {high}, got {value!r}"
            )
        return value

    def guidance(self, data: Mapping[str, Any], where: str) -> tuple[int, ...]:
        value = data.get("guidance")
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            or not set(value) <= set(GUIDANCE_POINTS)
        ):
            raise self.fail(
                f"{where}guidance",
                f"must be a non-empty list of guidance point numbers {sorted(GUIDANCE_POINTS)}",
            )
        return tuple(value)

    def evidence(self, data: Mapping[str, Any], where: str) -> str | None:
        value = self.text(data, "evidence", where, required=False)
        if value is None:
            return None
        grade, sep, source = value.partition(" — ")
        if not sep or not source.strip() or not grade.startswith(EVIDENCE_GRADES):
            raise self.fail(
                f"{where}evidence",
                f"must read '<grade> — <source>' with a grade starting {'/'.join(EVIDENCE_GRADES)}",
            )
        return value

    def routine(self, data: Mapping[str, Any]) -> Routine:
        self.unknown(data, _ROUTINE_KEYS, "")
        name = self.text(data, "name", "")
        assert name is not None
        kind = data.get("kind", "session")
        if kind not in ("session", "plan"):
            raise self.fail("kind", f"must be 'session' or 'plan', got {kind!r}")
        weeks = self.integer(data, "weeks", "", low=1, high=52)
        if kind == "plan" and weeks is None:
            raise self.fail("weeks", "a plan needs the number of weeks")
        if kind == "session" and weeks is not None:
            raise self.fail("weeks", "only a plan has weeks")
        optional = data.get("optional", False)
        if not isinstance(optional, bool):
            raise self.fail("optional", "must be true or false")
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            raise self.fail("steps", "must hold at least one [[steps]] table")
        steps = tuple(self.step(raw, i, kind, weeks) for i, raw in enumerate(raw_steps))
        return Routine(
            name=name,
            title=self.text(data, "title", "") or name,
            summary=self.text(data, "summary", "") or "",
            kind=kind,
            when=self.text(data, "when", "") or "",
            guidance=self.guidance(data, ""),
            steps=steps,
            optional=optional,
            weeks=weeks,
            week=1 if kind == "plan" else None,
            source=self.source,
        )

    def step(self, raw: Any, index: int, kind: str, weeks: int | None) -> Step:
        where = f"steps[{index}]."
        if not isinstance(raw, dict):
            raise self.fail(f"steps[{index}]", "must be a table")
        self.unknown(raw, _STEP_KEYS, f"steps[{index}]")
        name = self.text(raw, "name", where)
        why = self.text(raw, "why", where)
        assert name is not None
        assert why is not None
        per_side = raw.get("per_side", False)
        if not isinstance(per_side, bool):
            raise self.fail(f"{where}per_side", "must be true or false")
        step = Step(
            name=name,
            cues=self.texts(raw, "cues", where, required=True),
            why=why,
            guidance=self.guidance(raw, where),
            evidence=self.evidence(raw, where),
            safety=self.texts(raw, "safety", where, required=False),
            targets=self.texts(raw, "targets", where, required=False),
            per_side=per_side,
        )
        if kind == "plan":
            assert weeks is not None
            if any(k in raw for k in ("duration_s", "sets", "reps", "hold_s", "rest_s")):
                raise self.fail(
                    where.rstrip("."), "a plan step gives its dose per week in [[steps.plan]]"
                )
            progression = self.progression(raw.get("plan"), where, weeks)
            first = progression[0]
            return replace(
                step,
                progression=progression,
                sets=first.sets,
                reps=first.reps,
                hold_s=first.hold_s,
                rest_s=first.rest_s,
            )
        if "plan" in raw:
            raise self.fail(f"{where}plan", "only a plan routine has a per-week dose")
        duration_s = self.integer(raw, "duration_s", where, low=1, high=3600)
        sets = self.integer(raw, "sets", where, low=1, high=10)
        reps = self.integer(raw, "reps", where, low=1, high=100)
        hold_s = self.integer(raw, "hold_s", where, low=1, high=600)
        rest_s = self.integer(raw, "rest_s", where, low=0, high=600) or 0
        if duration_s is not None and (sets or reps or hold_s):
            raise self.fail(
                f"{where}duration_s", "give either duration_s or sets with reps/hold_s, not both"
            )
        if duration_s is None and (sets is None or (reps is None and hold_s is None)):
            raise self.fail(where.rstrip("."), "needs duration_s, or sets with reps and/or hold_s")
        return replace(
            step, duration_s=duration_s, sets=sets, reps=reps, hold_s=hold_s, rest_s=rest_s
        )

    def progression(self, raw: Any, where: str, weeks: int) -> tuple[WeekDose, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(f"{where}plan", "must hold at least one [[steps.plan]] table")
        doses = []
        for j, item in enumerate(raw):
            at = f"{where}plan[{j}]."
            if not isinstance(item, dict):
                raise self.fail(at.rstrip("."), "must be a table")
            self.unknown(item, _DOSE_KEYS, at.rstrip("."))
            span = item.get("weeks")
            if (
                not isinstance(span, list)
                or len(span) != 2
                or not all(isinstance(w, int) and not isinstance(w, bool) for w in span)
                or not 1 <= span[0] <= span[1] <= weeks
            ):
                raise self.fail(f"{at}weeks", f"must be [first, last] within 1..{weeks}")
            sets = self.integer(item, "sets", at, low=1, high=10)
            reps = self.integer(item, "reps", at, low=1, high=100)
            hold_s = self.integer(item, "hold_s", at, low=1, high=600)
            if sets is None or (reps is None and hold_s is None):
                raise self.fail(at.rstrip("."), "needs sets with reps and/or hold_s")
            doses.append(
                WeekDose(
                    first_week=span[0],
                    last_week=span[1],
                    sets=sets,
                    reps=reps,
                    hold_s=hold_s,
                    rest_s=self.integer(item, "rest_s", at, low=0, high=600) or 0,
                    note=self.text(item, "note", at, required=False),
                )
            )
        doses.sort(key=lambda d: d.first_week)
        expected = 1
        for dose in doses:
            if dose.first_week != expected:
                raise self.fail(
                    f"{where}plan", f"weeks must run 1..{weeks} without gaps or overlaps"
                )
            expected = dose.last_week + 1
        if expected != weeks + 1:
            raise self.fail(f"{where}plan", f"weeks must run 1..{weeks} without gaps or overlaps")
        return tuple(doses)
