"""``hipstride routine ...`` and ``hipstride workout ...``: care routines and watch workouts.

The commands only parse arguments and call :mod:`hipstride.care`; the library is imported inside
each command so that ``hipstride --help`` stays fast.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hipstride.cli._common import dump_json
from hipstride.errors import InputError

if TYPE_CHECKING:
    from hipstride.care.routine import Routine

__all__ = ["COMMANDS", "routine", "workout"]

_OUT = click.Path(dir_okay=False, writable=True, path_type=Path)


def _load(name: str, week: int | None) -> Routine:
    """The routine ``name``, resolved to ``week`` for a plan (week 1 when not given)."""
    from hipstride.care.content import get_routine, routine_names

    found = get_routine(name)
    if week is not None and found.kind != "plan":
        plans = [n for n in routine_names() if get_routine(n).kind == "plan"]
        raise InputError(
            f"routine {name!r} is a single session; --week applies to: {', '.join(plans)}"
        )
    return found.for_week(week) if week is not None else found.for_week(1)


@click.group()
def routine() -> None:
    """Guided warm-up, heat, cool-down and recovery sessions and the strength plan."""


@routine.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_routines(as_json: bool) -> None:
    """List the routines with their length and when to do them."""
    from hipstride.care.content import load_routines
    from hipstride.care.routine import format_clock

    routines = load_routines()
    if as_json:
        rows = [
            {
                "name": r.name,
                "title": r.title,
                "kind": r.kind,
                "when": r.when,
                "optional": r.optional,
                "weeks": r.weeks,
                "steps": len(r.steps),
                "total_s": r.total_s,
            }
            for r in routines
        ]
        dump_json(rows)
        return
    width = max(len(r.name) for r in routines)
    for r in routines:
        length = f"{r.weeks} weeks" if r.kind == "plan" else format_clock(r.total_s)
        click.echo(f"{r.name:<{width}}  {length:>8}  {r.title} — {r.when}")


@routine.command()
@click.argument("name")
@click.option("--week", type=int, default=None, help="Week of a plan (strength), from 1.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def show(name: str, week: int | None, as_json: bool) -> None:
    """Show every step of routine NAME: dose, cues, why, evidence and safety notes."""
    from hipstride.care.routine import format_clock

    found = _load(name, week)
    if as_json:
        dump_json(found.to_dict())
        return
    heading = found.title + (
        f", week {found.week} of {found.weeks}" if found.kind == "plan" else ""
    )
    click.echo(f"{heading} ({format_clock(found.total_s)})")
    click.echo(found.summary)
    click.echo(f"When: {found.when}")
    for number, step in enumerate(found.steps, start=1):
        click.echo("")
        click.echo(f"{number}. {step.name} — {step.dose_text()}")
        for cue in step.cues:
            click.echo(f"   • {cue}")
        click.echo(f"   why: {step.why}")
        if step.evidence:
            click.echo(f"   evidence: {step.evidence}")
        for note in step.safety:
            click.echo(f"   ! {note}")
        for dose in step.progression:
            if found.week is not None and dose.covers(found.week) and dose.note:
                click.echo(f"   progression: {dose.note}")


@routine.command()
@click.argument("name")
@click.option("--week", type=int, default=None, help="Week of a plan (strength), from 1.")
@click.option("--no-wait", is_flag=True, help="Print all steps at once instead of timing them.")
@click.option(
    "--speed",
    type=float,
    default=1.0,
    show_default=True,
    help="Run the clock faster (60: a minute lasts a second).",
)
def guide(name: str, week: int | None, no_wait: bool, speed: float) -> None:
    """Guide routine NAME with a countdown, progress bar and cues per step.

    Keys: space or p pause/resume, n or → next step, b or ← previous step, q quit.
    """
    from rich.console import Console

    from hipstride.cli.guide_tty import print_routine, run_guide

    if not (speed > 0 and speed <= 10_000):
        raise InputError(f"--speed must be above 0 and at most 10000, got {speed:g}")
    found = _load(name, week)
    console = Console(highlight=False)
    if no_wait:
        print_routine(found, console)
        return
    try:
        run_guide(found, speed=speed, console=console)
    except KeyboardInterrupt:
        console.print("Stopped.")


@routine.command("export")
@click.argument("name")
@click.option("--week", type=int, default=None, help="Week of a plan (strength) for --fit.")
@click.option("--fit", "fit_path", type=_OUT, default=None, help="Write a FIT workout file here.")
@click.option(
    "--ics", "ics_path", type=_OUT, default=None, help="Write an iCalendar weekly plan here."
)
@click.option("--weeks", type=int, default=4, show_default=True, help="Weeks in the --ics plan.")
@click.option(
    "--start", default=None, help="First day of the --ics plan, YYYY-MM-DD (default today)."
)
@click.option(
    "--run-min",
    type=float,
    default=30.0,
    show_default=True,
    help="Easy-run length in the --ics plan.",
)
def export_routine(
    name: str,
    week: int | None,
    fit_path: Path | None,
    ics_path: Path | None,
    weeks: int,
    start: str | None,
    run_min: float,
) -> None:
    """Export routine NAME as a FIT workout (--fit) and/or a weekly plan calendar (--ics).

    The calendar is the whole weekly plan, whichever NAME is given: runs (warm-up before,
    cool-down and recovery after), strength sessions and recovery days for --weeks weeks from
    --start. --week picks the strength-plan week for --fit.
    """
    if fit_path is None and ics_path is None:
        raise InputError("give --fit OUT and/or --ics OUT")
    found = _load(name, week)
    if fit_path is not None:
        from hipstride.care.workout import routine_workout, write_fit

        write_fit(routine_workout(found), fit_path)
        click.echo(f"wrote {fit_path} ({len(found.steps)} steps)")
    if ics_path is not None:
        from hipstride.care.calendar import weekly_plan, write_ics

        try:
            first_day = date.fromisoformat(start) if start is not None else date.today()
        except ValueError as exc:
            raise InputError(f"--start must be a date as YYYY-MM-DD, got {start!r}") from exc
        events = weekly_plan(first_day, weeks=weeks, run_min=run_min)
        write_ics(events, ics_path)
        click.echo(f"wrote {ics_path} ({len(events)} events over {weeks} weeks)")


@click.group()
def workout() -> None:
    """Structured run workouts (warm-up, run, cool-down) for your watch."""


@workout.command("export")
@click.option("--run-min", type=float, required=True, help="Length of the run step, minutes.")
@click.option(
    "--cadence-spm",
    type=float,
    default=None,
    help="Step-rate target for the run, steps/min counting both feet (120–230).",
)
@click.option("--warmup-min", type=float, default=10.0, show_default=True, help="Warm-up minutes.")
@click.option(
    "--cooldown-min", type=float, default=10.0, show_default=True, help="Cool-down minutes."
)
@click.option(
    "--fit", "fit_path", type=_OUT, required=True, help="Write the FIT workout file here."
)
def export_workout(
    run_min: float,
    cadence_spm: float | None,
    warmup_min: float,
    cooldown_min: float,
    fit_path: Path,
) -> None:
    """Write a warm-up / run / cool-down workout as a FIT file for the watch."""
    from hipstride.care.workout import run_workout, write_fit

    plan = run_workout(
        run_min, cadence_spm=cadence_spm, warmup_min=warmup_min, cooldown_min=cooldown_min
    )
    write_fit(plan, fit_path)
    total = sum(step.duration_s or 0 for step in plan.steps)
    click.echo(f"wrote {fit_path} ({len(plan.steps)} steps, {total / 60:.0f} min)")


COMMANDS: list[click.Command] = [routine, workout]
