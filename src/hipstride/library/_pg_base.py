"""The plumbing of :class:`~hipstride.library.postgres.PostgresStore` (kept apart so that each
module stays small): the connection, the athlete the store is scoped to, transactions, and the
one place where psycopg's failures become :class:`~hipstride.errors.StorageError` naming the
database (never its password).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from hipstride.errors import StorageError
from hipstride.library._pg_connect import apply_migrations, connect, first_line, shown_name
from hipstride.library.sqlite import MAX_RUN_ID
from hipstride.library.store import DEFAULT_ATHLETE, AthleteRecord, now_utc

__all__ = ["PgBase"]


class PgBase:
    """Connection, athlete scope and transactions of a PostgreSQL store (see the subclass)."""

    def __init__(self, dsn: str, *, athlete: str = DEFAULT_ATHLETE,
                 maps_home: str | None = None,
                 _shared: psycopg.Connection[tuple[Any, ...]] | None = None) -> None:
        self.url = dsn
        self.athlete = athlete
        self.maps_home = maps_home
        #: the database as messages name it (no password)
        self.name = shown_name(dsn)
        #: a store made by ``with_athlete`` uses its maker's connection (already migrated)
        self._owns_connection = _shared is None
        self._db = connect(dsn) if _shared is None else _shared
        try:
            #: the migrations this opening applied (empty when the schema was current)
            self.newly_applied = apply_migrations(self._db) if _shared is None else []
            row = self._db.execute("SELECT id FROM athletes WHERE name = %s", (athlete,)).fetchone()
        except psycopg.Error as exc:
            self.close()
            raise StorageError(f"{self.name}: cannot open the run library ({first_line(exc)})") from None
        self._athlete_id: int | None = None if row is None else int(row[0])

    # -- plumbing -----------------------------------------------------------------------------
    def close(self) -> None:
        if self._owns_connection:
            self._db.close()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _failed(self, exc: psycopg.Error, what: str) -> StorageError:
        return StorageError(f"{self.name}: {what} ({first_line(exc)})")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction: committed on normal exit, rolled back on an exception. The
        athlete's row is created here when it does not exist yet."""
        created = False
        try:
            with self._db.transaction():
                if self._athlete_id is None:
                    self._athlete_id, created = self._athlete_row(), True
                yield
        except (psycopg.OperationalError, psycopg.errors.InsufficientPrivilege,
                psycopg.errors.ReadOnlySqlTransaction) as exc:
            if created:
                self._athlete_id = None
            raise self._failed(exc, "cannot write to the run library") from None
        except BaseException:
            if created:
                self._athlete_id = None
            raise

    def _athlete_row(self) -> int:
        self._db.execute("INSERT INTO athletes (name, created_at_utc) VALUES (%s, %s) "
                         "ON CONFLICT (name) DO NOTHING", (self.athlete, now_utc()))
        row = self._db.execute("SELECT id FROM athletes WHERE name = %s", (self.athlete,)).fetchone()
        assert row is not None
        return int(row[0])

    def _rows(self, sql: str, params: Sequence[Any] = (), *,
              binary: bool = False) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, params, binary=binary).fetchall()
        except psycopg.OperationalError as exc:
            raise self._failed(exc, "cannot read the run library") from None

    def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            return self._db.execute(sql, params).rowcount
        except psycopg.OperationalError as exc:
            raise self._failed(exc, "cannot write to the run library") from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one query (``%s`` placeholders) and return its rows, if any (for checks and tests)."""
        try:
            cur = self._db.execute(sql, params)
            return cur.fetchall() if cur.description is not None else []
        except psycopg.OperationalError as exc:
            raise self._failed(exc, "cannot read the run library") from None

    def applied_migrations(self) -> list[str]:
        """Names of the applied migrations, in order."""
        return [str(r[0]) for r in self._rows("SELECT name FROM schema_migrations ORDER BY name")]

    def _owned(self, run_id: int) -> bool:
        if not 0 < run_id <= MAX_RUN_ID:
            return False
        return bool(self._rows("SELECT 1 FROM runs WHERE id = %s AND athlete_id = %s",
                               (run_id, self._athlete_id)))

    def _require_owned(self, run_id: int) -> None:
        if not self._owned(run_id):
            raise StorageError(f"{self.name}: athlete {self.athlete!r} has no run {run_id}")

    def athletes(self) -> list[AthleteRecord]:
        return [AthleteRecord(int(r[0]), str(r[1]), str(r[2]))
                for r in self._rows("SELECT id, name, created_at_utc FROM athletes ORDER BY name")]

