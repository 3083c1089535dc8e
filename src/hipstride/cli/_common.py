"""Options and helpers shared by the command modules that work on the run library."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from hipstride.library.sqlite import SQLiteStore

__all__ = ["HOME_OPTION", "JSON_OPTION", "OUT_PATH", "dump_json", "open_store"]

HOME_OPTION = click.option("--home", type=click.Path(file_okay=False, path_type=Path),
                           help="hipstride home folder (default: $HIPSTRIDE_HOME or the platform's).")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
OUT_PATH = click.Path(dir_okay=False, path_type=Path)


@contextmanager
def open_store(home: Path | None) -> Iterator[SQLiteStore]:
    """The run library in ``home`` (see :func:`hipstride._home.home_dir`), closed afterwards."""
    from hipstride.library.api import open_library

    store = open_library(home)
    try:
        yield store
    finally:
        store.close()


def dump_json(doc: Any) -> None:
    """Print a JSON document to standard output: always valid JSON (see :mod:`hipstride._json`)."""
    from hipstride._json import dumps

    sys.stdout.write(dumps(doc, indent=2, ensure_ascii=False))
    sys.stdout.write("\n")
