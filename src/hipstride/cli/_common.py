"""Options and helpers shared by the command modules that work on the run library."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from rich.progress import Progress

    from hipstride.library.store import RunStore

__all__ = ["HOME_OPTION", "JSON_OPTION", "LIBRARY_OPTIONS", "OUT_PATH", "dump_json", "library_choice",
           "open_store", "stderr_progress"]

F = TypeVar("F", bound=Callable[..., Any])

HOME_OPTION = click.option("--home", type=click.Path(file_okay=False, path_type=Path),
                           help="hipstride home folder (default: $HIPSTRIDE_HOME or the platform's).")
#: Where ``open_store`` finds ``--db`` and ``--athlete`` (the command's context).
_DB_KEY, _ATHLETE_KEY = "hipstride.db", "hipstride.athlete"


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is not None:
            ctx.meta[key] = value
        return value
    return callback


def LIBRARY_OPTIONS(command: F) -> F:  # noqa: N802 (used like the option constants)
    """``--home``, ``--db`` and ``--athlete`` for a command that opens the run library
    (the last two are read by :func:`open_store`)."""
    command = click.option(
        "--athlete", expose_value=False, callback=_remember(_ATHLETE_KEY), metavar="NAME",
        help="Whose data (default: $HIPSTRIDE_ATHLETE, or the one runner of a personal "
             "library).")(command)
    command = click.option(
        "--db", expose_value=False, callback=_remember(_DB_KEY), metavar="URL",
        help="The library: sqlite:PATH or postgresql://… (default: $HIPSTRIDE_DB, or "
             "library.sqlite in the home folder).")(command)
    return HOME_OPTION(command)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
OUT_PATH = click.Path(dir_okay=False, path_type=Path)


def library_choice() -> tuple[str | None, str | None]:
    """The command's ``--db`` and ``--athlete`` (``None`` where not given)."""
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    return meta.get(_DB_KEY), meta.get(_ATHLETE_KEY)


@contextmanager
def open_store(home: Path | None) -> Iterator[RunStore]:
    """The run library of the command's ``--db`` and ``--athlete`` (see
    :func:`hipstride.library.api.open_store`), closed afterwards."""
    from hipstride.library.api import open_store as open_library_store

    db, athlete = library_choice()
    store = open_library_store(db, home=home, athlete=athlete)
    try:
        yield store
        if athlete is not None:
            _note_unknown_athlete(store)
    finally:
        store.close()


def _note_unknown_athlete(store: RunStore) -> None:
    """A mistyped name reads as an empty library: say so when the command made nothing."""
    names = [a.name for a in store.athletes()]
    if store.athlete not in names:
        known = f" (its athletes: {', '.join(names[:20])})" if names else ""
        click.echo(f"note: this library has no athlete named {store.athlete!r}{known}; the "
                   "first import or journal entry for that name makes one", err=True)


def dump_json(doc: Any) -> None:
    """Print a JSON document to standard output: always valid JSON (see :mod:`hipstride._json`)."""
    from hipstride._json import dumps

    sys.stdout.write(dumps(doc, indent=2, ensure_ascii=False))
    sys.stdout.write("\n")


@contextmanager
def stderr_progress() -> Iterator[Progress]:
    """A progress display on standard error, one bar with counts per task (its description,
    the bar, done of total, time left), gone when the work ends."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:
        yield bar
