"""The shipped schema migrations (``migrations/*.sql``, applied by name order) and the splitting of
a migration script into the statements :class:`~hipstride.library.sqlite.SQLiteStore` runs one by
one inside its transaction."""

from __future__ import annotations

import sqlite3
from importlib import resources

__all__ = ["migrations", "statements"]


def statements(sql: str) -> list[str]:
    """Split a script into complete statements (a ``;`` inside a comment or string is kept)."""
    out: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(ln.strip().startswith("--") or not ln.strip()
                                  for ln in buffer.splitlines()):
        out.append(buffer.strip())
    return out


def migrations() -> list[tuple[str, str]]:
    """The shipped migrations as ``(name, sql)``, in the order they apply."""
    folder = resources.files("hipstride.library") / "migrations"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]
