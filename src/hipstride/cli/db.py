"""``hipstride db …``: the library's database itself: ``migrate`` (bring its schema up to date) and
``copy`` (move a runner's library into a club's server). Thin over :mod:`hipstride.library.admin`.
"""

from __future__ import annotations

from pathlib import Path

import click

from hipstride.cli._common import HOME_OPTION, JSON_OPTION, dump_json

__all__ = ["COMMANDS", "db_group"]


@click.group("db")
def db_group() -> None:
    """The library's database: migrate its schema, copy a library into another database."""


@db_group.command("migrate")
@click.option("--db", metavar="URL",
              help="The library: sqlite:PATH or postgresql://… (default: $HIPSTRIDE_DB, or "
                   "library.sqlite in the home folder).")
@HOME_OPTION
@JSON_OPTION
def migrate(db: str | None, home: Path | None, as_json: bool) -> None:
    """Apply the schema migrations the database lacks (each once, in order) and list them."""
    from hipstride.library.admin import migrate as migrate_db

    report = migrate_db(db, home=home)
    if as_json:
        dump_json({"database": report.database, "applied": report.applied,
                   "applied_now": report.applied_now})
        return
    now = ", ".join(report.applied_now) if report.applied_now else "none (it was up to date)"
    click.echo(f"{report.database}: schema up to date, {len(report.applied)} migrations "
               f"(last {report.applied[-1] if report.applied else '-'}); applied now: {now}")


@db_group.command("copy")
@click.option("--from", "source", required=True, metavar="URL",
              help="The library to copy from: sqlite:PATH (a runner's file) or postgresql://….")
@click.option("--to", "target", required=True, metavar="URL",
              help="The library to copy into: postgresql://user@host:port/dbname (or sqlite:PATH).")
@click.option("--athlete", metavar="NAME",
              help="Copy only this athlete of the source (default: every athlete).")
@click.option("--as", "as_name", metavar="NAME",
              help="The copied athlete's name in the target (default: the same name); "
                   "one athlete only.")
@HOME_OPTION
@JSON_OPTION
def copy(source: str, target: str, athlete: str | None, as_name: str | None, home: Path | None,
         as_json: bool) -> None:
    """Copy runs (with samples, analyses, sources, form minutes, sport labels), journal entries
    and form checks, one transaction per athlete; copying again adds nothing."""
    from hipstride.library.admin import copy_library

    reports = copy_library(source, target, athlete=athlete, target_athlete=as_name, home=home)
    if as_json:
        dump_json({"athletes": [r.to_dict() for r in reports]})
        return
    if not reports:
        click.echo("the source library holds no athlete: nothing to copy")
    for r in reports:
        click.echo(f"{r.athlete}: {r.runs_added} runs, {r.journal_added} journal entries and "
                   f"{r.form_checks_added} form checks copied; already there: {r.runs_present} runs, "
                   f"{r.journal_present} entries, {r.form_checks_present} checks")


COMMANDS = [db_group]
