"""The shipped routines: loading the TOML content in ``care/content/`` and checking it.

Every file is checked field by field when it is read; a file that breaks a rule raises
:class:`~hipstride.errors.ContentError` naming the file and the field, e.g.
``"warm-up.toml: steps[2].cues: must be a non-empty list of strings"``. The shipped files are read
once per process (they are immutable).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from hipstride.care.routine import EVIDENCE_GRADES, GUIDANCE_POINTS, Routine, Step, WeekDose
from hipstride.errors import ContentError, InputError

__all__ = ["get_routine", "load_routine", "load_routines", "routine_names"]

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
