"""The ``hipstride`` command line: a thin layer that parses arguments and calls the library.

Each command group lives in its own module here and only registers itself on :data:`main`.
Errors derived from :class:`hipstride.errors.HipstrideError` become a one-line message and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

import sys

import click

from hipstride import __version__
from hipstride.errors import HipstrideError

__all__ = ["main"]


class _Group(click.Group):
    """A click group that turns hipstride errors into one-line messages (exit code 2)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except HipstrideError as exc:
            click.echo(f"hipstride: error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hipstride")
def main() -> None:
    """hipstride: keep your hips healthy while running (local-first; nothing leaves your machine)."""


def _register() -> None:
    from hipstride.cli import analyze, care, demo, journal, library
    from hipstride.cli import map as map_cli

    main.add_command(analyze.analyze)
    main.add_command(demo.demo)
    for command in care.COMMANDS:
        main.add_command(command)
    for command in (*library.COMMANDS, *map_cli.COMMANDS, *journal.COMMANDS):
        main.add_command(command)


_register()
