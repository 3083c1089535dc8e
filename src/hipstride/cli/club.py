"""``hipstride athletes``: a coach's or clinician's list of every athlete in the library."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from hipstride.cli._common import JSON_OPTION, LIBRARY_OPTIONS, dump_json, open_store

__all__ = ["COMMANDS", "athletes"]


@click.command("athletes")
@click.option("--date", "day", help="The day to decide for, YYYY-MM-DD (default: today).")
@LIBRARY_OPTIONS
@JSON_OPTION
def athletes(day: str | None, home: Path | None, as_json: bool) -> None:
    """Every athlete at a glance: today's decision and why, red flags not yet seen by a
    professional, the last run and the weekly load trend (urgent first)."""
    from hipstride.journal.club import club_overview
    from hipstride.journal.store import parse_date

    today = parse_date(day, field="date") if day else date.today()
    with open_store(home) as store:
        lines = club_overview(store, today=today)
    if as_json:
        dump_json({"date": today.isoformat(), "athletes": lines})
        return
    if not lines:
        click.echo("no athletes yet: import runs or add a journal entry with --athlete NAME")
        return
    from rich.console import Console

    from hipstride.report.club_terminal import athletes_table

    Console(highlight=False).print(athletes_table(lines))


COMMANDS = [athletes]
