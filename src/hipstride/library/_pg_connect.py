"""Reaching a PostgreSQL database for :class:`~hipstride.library.postgres.PostgresStore`: the
connection, the name a message may show, and the schema migrations.

Messages name the database as ``postgresql://USER@HOST:PORT/DBNAME`` and never the password
(:func:`shown_name`): a DSN is often pasted with its password, and the error lands in logs.
libpq's own reasons ("connection refused", "password authentication failed") are kept, cut to
their first line, because they say what to fix.

Migrations are the named SQL files in ``migrations_pg/`` (PostgreSQL's own series beside SQLite's
``migrations/``), applied once each in name order, each in its own transaction and recorded in
``schema_migrations``. Two processes that open a fresh database at the same moment (a Dask cluster's
workers) must not both run ``CREATE TABLE``: the migrating transaction first takes a transaction-level
advisory lock (``pg_advisory_xact_lock``, released at commit or rollback) and then looks again at
what is applied, so the second one finds the work done and applies nothing
(https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from hipstride.errors import StorageError
from hipstride.library.store import now_utc

__all__ = ["MIGRATION_LOCK", "apply_migrations", "connect", "migrations", "shown_name"]

#: The advisory lock key that serialises migrations (any fixed 64-bit number; "hipstri" in ASCII).
MIGRATION_LOCK = 0x68697073747269
#: Seconds to wait for the server before giving up.
CONNECT_TIMEOUT_S = 10


def shown_name(dsn: str) -> str:
    """The database ``dsn`` names, for messages: ``postgresql://USER@HOST:PORT/DBNAME``, no password."""
    try:
        parts = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "postgresql://(an unreadable address)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = str(parts.get("host") or "localhost")
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname') or ''}"


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an error's message (libpq's messages run over several)."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__


def connect(dsn: str) -> psycopg.Connection[tuple[Any, ...]]:
    """An autocommit connection (transactions are explicit); :class:`StorageError` naming the
    database when the address is unreadable or the server cannot be reached."""
    try:
        conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:  # libpq's reason quotes the whole address, password and all
        raise StorageError(f"{shown_name(dsn)}: not a readable PostgreSQL address") from None
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                               application_name="hipstride")
    except psycopg.Error as exc:
        raise StorageError(f"{shown_name(dsn)}: cannot reach the database ({first_line(exc)})") from None


def migrations() -> list[tuple[str, str]]:
    """The shipped PostgreSQL migrations as ``(name, sql)``, in the order they apply."""
    folder = resources.files("hipstride.library") / "migrations_pg"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


def _applied(conn: psycopg.Connection[tuple[Any, ...]]) -> set[str]:
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return set()
    return {str(r[0]) for r in conn.execute("SELECT name FROM schema_migrations")}


def apply_migrations(conn: psycopg.Connection[tuple[Any, ...]]) -> list[str]:
    """Apply what is missing of :func:`migrations` (see the module docstring); the names applied."""
    shipped = migrations()
    done = _applied(conn)  # once: the usual opening of a current schema costs two queries
    if all(name in done for name, _ in shipped):
        return []
    applied: list[str] = []
    for name, sql in shipped:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                         "(name text PRIMARY KEY, applied_at_utc text NOT NULL)")
            if name in _applied(conn):  # another process applied it meanwhile
                continue
            conn.execute(sql.encode())  # a whole script: no parameters, several statements
            conn.execute("INSERT INTO schema_migrations VALUES (%s, %s)", (name, now_utc()))
            applied.append(name)
    return applied
