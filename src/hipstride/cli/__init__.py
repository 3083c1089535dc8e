"""The ``hipstride`` command line: a thin layer that parses arguments and calls the library.

Each command group lives in its own module here. The modules are imported only when one of
their commands runs (:data:`COMMAND_MODULES` says which module holds which command), so
``hipstride analyze`` never pays for the journal's, the library's or the map's imports; only
``hipstride --help``, which lists every command, imports them all.

Errors derived from :class:`hipstride.errors.HipstrideError` become a one-line message and a
non-zero exit code, never a traceback. So do, as a last net, a file-system failure (``OSError``,
named by its file) and a SQLite failure that no layer below turned into a ``StorageError``.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import sys

# Start-up is most of a short command. Its imports create tens of thousands of long-lived objects
# (modules, functions, classes) that the default collector (every 700 allocations) would scan
# again and again, and that interpreter exit would traverse once more. The numeric work runs on
# NumPy arrays, which make no reference cycles to speak of, so a command collects rarely and
# freezes what exists when it ends: measured here (paired runs), a quarter off `hipstride analyze`
# of a short run.
gc.set_threshold(50_000, 20, 20)
atexit.register(gc.freeze)

import click  # noqa: E402

from hipstride.__version__ import __version__  # noqa: E402
from hipstride.errors import HipstrideError  # noqa: E402

__all__ = ["COMMAND_MODULES", "main"]

#: Top-level command name -> module of :mod:`hipstride.cli` that defines it. A module either has
#: a ``COMMANDS`` list or one command named like the module. A command missing here is still
#: found (every module is then imported); ``tests/test_public_api.py`` keeps the table complete.
COMMAND_MODULES: dict[str, str] = {
    "analyze": "analyze",
    "demo": "demo",
    "routine": "care",
    "workout": "care",
    "import": "library",
    "runs": "library",
    "show": "library",
    "trends": "library",
    "export": "library",
    "map": "map",
    "route": "map",
    "journal": "journal",
    "today": "journal",
    "report": "journal",
    "form": "form",
    "serve": "serve",
    "athletes": "club",
    "db": "db",
    "reanalyze": "reanalyze",
}


def _module_commands(module_name: str) -> list[click.Command]:
    module = importlib.import_module(f"hipstride.cli.{module_name}")
    commands = getattr(module, "COMMANDS", None)
    if commands is None:
        commands = [getattr(module, module_name)]
    return list(commands)


class _Group(click.Group):
    """A click group that turns hipstride errors into one-line messages (exit code 2)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except HipstrideError as exc:
            click.echo(f"hipstride: error: {exc}", err=True)
            sys.exit(2)
        except BrokenPipeError:  # the reader of the output left (`| head`): nothing to say
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:  # the last net: the file system said no where nothing expected it
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"hipstride: error: {where}{exc.strerror or exc}", err=True)
            sys.exit(2)
        except Exception as exc:
            sqlite3 = sys.modules.get("sqlite3")  # imported only by commands that use the library
            if sqlite3 is None or not isinstance(exc, sqlite3.Error):
                raise
            click.echo(f"hipstride: error: the run library cannot be used ({exc})", err=True)
            sys.exit(2)


class _LazyGroup(_Group):
    """:class:`_Group` whose commands are imported on first use (see :data:`COMMAND_MODULES`)."""

    def _load(self, module_name: str) -> None:
        for command in _module_commands(module_name):
            if command.name and command.name not in self.commands:
                self.add_command(command)

    def _load_all(self) -> None:
        for module_name in dict.fromkeys(COMMAND_MODULES.values()):
            self._load(module_name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            module_name = COMMAND_MODULES.get(cmd_name)
            if module_name is not None:
                self._load(module_name)
            if cmd_name not in self.commands:
                self._load_all()
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_all()
        return sorted(self.commands)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hipstride")
def main() -> None:
    """hipstride: keep your hips healthy while running (local-first; nothing leaves your machine)."""
