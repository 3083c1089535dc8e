"""The run library in SQLite (``HOME/library.sqlite``): WAL, foreign keys, explicit transactions.

Schema changes are the named, ordered SQL files in ``migrations/`` (``0001_runs.sql``, …). Each is
applied once, in name order, inside its own transaction, and recorded in ``schema_migrations``.
Every query names the store's athlete (see :mod:`hipstride.library.store`); the journal, form
checks and the re-analysis log are in :mod:`hipstride.library._sqlite_athlete`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hipstride.analysis.baselines import FormMinutes
from hipstride.errors import StorageError
from hipstride.library._connect import connect
from hipstride.library._migrations import migrations, statements
from hipstride.library._sqlite_athlete import MAX_RUN_ID, AthleteTables
from hipstride.library._stored import (
    HEADLINE,
    META_COLUMNS,
    RUNNING,
    SPORT,
    SUMMARY_COLUMNS,
    form_minutes_table,
    meta_fields,
    meta_values,
    overlap_candidates,
    read_stored_run,
)
from hipstride.library.store import (
    DEFAULT_ATHLETE,
    AnalysisRecord,
    AnalysisState,
    RunRecord,
    RunSummary,
    SourceRecord,
    StoredRun,
    format_utc,
    now_utc,
)
from hipstride.track.form import FORM_METRICS

__all__ = ["LIBRARY_FILE", "MAX_RUN_ID", "SQLiteStore", "migrations"]

LIBRARY_FILE = "library.sqlite"
#: How long a writer waits for another writer's lock before giving up (s).
BUSY_TIMEOUT_S = 30.0

_N_META = len(META_COLUMNS)
#: Only the store's athlete's runs (the runs alias ``r``).
_MINE = "r.athlete_id = ?"
#: A child table's rows of the store's athlete's runs.
_MY_RUN = "run_id IN (SELECT id FROM runs WHERE athlete_id = ?)"


class SQLiteStore(AthleteTables):
    """A :class:`~hipstride.library.store.RunStore` in one SQLite file.

    Parameters
    ----------
    path
        The database file (created with its folder when missing).
    athlete
        The athlete every method reads and writes (see :mod:`hipstride.library.store`).
    """

    def __init__(self, path: str | Path, *, athlete: str = DEFAULT_ATHLETE) -> None:
        self.path = Path(path)
        self.athlete = athlete
        #: the maps of a library in a file are those of its home folder
        self.maps_home: str | None = str(self.path.parent)
        self._athlete_id = None
        self._migrated = False  # the migrations' own transactions make no athlete
        try:
            #: whether the library's folder cannot be written, so it was opened read-only
            self._db, self.read_only = connect(self.path, timeout_s=BUSY_TIMEOUT_S)
            self._migrate()
            self._migrated = True
            self._find_athlete()
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{self.path}: cannot open the run library ({exc})") from None

    @property
    def url(self) -> str:
        """``sqlite:`` and the file's absolute path."""
        return f"sqlite:{self.path.resolve()}"

    def with_athlete(self, name: str) -> SQLiteStore:
        return SQLiteStore(self.path, athlete=name)

    # -- plumbing -----------------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction (see :class:`~hipstride.library.store.RunStore`).

        Raises :class:`StorageError` when the library cannot be written: another process held
        the write lock for longer than :data:`BUSY_TIMEOUT_S`, a read-only file, a full disk.
        """
        self._write("BEGIN IMMEDIATE")
        athlete_before = self._athlete_id
        try:
            self._ensure_athlete()
            yield
            self._write("COMMIT")
        except BaseException as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            self._athlete_id = athlete_before  # a row made in it is gone with it
            if isinstance(exc, sqlite3.OperationalError):  # read-only file, full disk, I/O error
                raise StorageError(f"{self.path}: cannot write to the run library ({exc})") from None
            raise

    def _write(self, statement: str) -> None:
        try:
            self._db.execute(statement)
        except sqlite3.OperationalError as exc:
            raise StorageError(f"{self.path}: cannot write to the run library ({exc})") from None

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one read query and return all rows (for checks and tests)."""
        return list(self._db.execute(sql, params))

    def _migrate(self) -> None:
        if self.read_only:
            done = {row[0] for row in self._db.execute("SELECT name FROM schema_migrations")}
            if any(name not in done for name, _ in migrations()):
                raise StorageError(f"{self.path}: the run library needs upgrading, but its "
                                   "folder is read-only")
            return
        self._db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                         "(name TEXT PRIMARY KEY, applied_at_utc TEXT NOT NULL)")
        done = {row[0] for row in self._db.execute("SELECT name FROM schema_migrations")}
        for name, sql in migrations():
            if name in done:
                continue
            with self.transaction():
                again = self._db.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (name,))
                if again.fetchone():  # another process applied it meanwhile
                    continue
                for statement in statements(sql):
                    self._db.execute(statement)
                self._db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, now_utc()))

    def applied_migrations(self) -> list[str]:
        """Names of the applied migrations, in order."""
        return [r[0] for r in self._db.execute("SELECT name FROM schema_migrations ORDER BY name")]

    # -- writing ------------------------------------------------------------------------------
    def _write_run_columns(self, run_id: int | None, record: RunRecord) -> int:
        h = record.analysis.headline
        values: dict[str, Any] = {
            **meta_values(record),
            "source_file": record.source.file_path, "content_sha256": record.source.content_sha256,
            "samples": record.samples, "channels": json.dumps(list(record.channels)),
            "imported_at_utc": now_utc(),
            **{k: h.get(k) for k in HEADLINE},
        }
        if run_id is None:
            values["athlete_id"] = self._athlete_param
        elif not self._owns_run(run_id):
            raise StorageError(f"{self.path}: no run {run_id} for athlete {self.athlete!r}")
        cols = list(values)
        if run_id is None:
            cur = self._db.execute(
                f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                tuple(values.values()))
            assert cur.lastrowid is not None
            run_id = int(cur.lastrowid)
        else:
            self._db.execute(f"UPDATE runs SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?",
                             (*values.values(), run_id))
        self._db.execute("INSERT OR REPLACE INTO run_samples (run_id, encoding, data) VALUES (?, ?, ?)",
                         (run_id, record.samples_encoding, record.samples_blob))
        self._write_analysis(run_id, record.analysis)
        self._db.execute("DELETE FROM form_minutes WHERE run_id = ?", (run_id,))
        self._db.executemany(
            f"INSERT INTO form_minutes (run_id, minute, speed_mps, {', '.join(FORM_METRICS)}) "
            f"VALUES (?, ?, ?, {', '.join('?' * len(FORM_METRICS))})",
            [(run_id, *row) for row in record.form_minutes])
        return run_id

    def _write_analysis(self, run_id: int, analysis: AnalysisRecord) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO run_analyses (run_id, schema_version, analysis_json, "
            "baseline_signature, baseline_as_of_utc, analysed_at_utc) VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, analysis.schema_version, analysis.analysis_json, analysis.baseline_signature,
             analysis.baseline_as_of_utc, now_utc()))

    def _insert_source(self, run_id: int, source: SourceRecord, primary: bool) -> None:
        self._db.execute(
            "INSERT INTO sources (run_id, athlete_id, file_path, content_sha256, file_format, device, "
            "samples, channel_count, is_primary, imported_at_utc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, self._athlete_param, source.file_path, source.content_sha256, source.file_format, source.device,
             source.samples, source.channel_count, int(primary), now_utc()))

    def add_run(self, record: RunRecord) -> int:
        run_id = self._write_run_columns(None, record)
        self._insert_source(run_id, record.source, True)
        return run_id

    def add_source(self, run_id: int, source: SourceRecord) -> None:
        if not self._owns_run(run_id):
            raise StorageError(f"{self.path}: no run {run_id} for athlete {self.athlete!r}")
        self._insert_source(run_id, source, False)

    def replace_primary(self, run_id: int, record: RunRecord) -> None:
        self._write_run_columns(run_id, record)
        self._db.execute("UPDATE sources SET is_primary = 0 WHERE run_id = ?", (run_id,))
        updated = self._db.execute(
            "UPDATE sources SET is_primary = 1 WHERE run_id = ? AND content_sha256 = ?",
            (run_id, record.source.content_sha256)).rowcount
        if not updated:
            self._insert_source(run_id, record.source, True)

    def update_analysis(self, run_id: int, analysis: AnalysisRecord) -> None:
        if not self._owns_run(run_id):
            raise StorageError(f"{self.path}: no run {run_id} for athlete {self.athlete!r}")
        self._write_analysis(run_id, analysis)
        h = analysis.headline
        self._db.execute(f"UPDATE runs SET {', '.join(k + ' = ?' for k in HEADLINE)} WHERE id = ?",
                         (*(h.get(k) for k in HEADLINE), run_id))

    def mark_baseline_current(self, run_ids: list[int], as_of_utc: str) -> None:
        self._db.executemany("UPDATE run_analyses SET baseline_as_of_utc = ? WHERE run_id = ? "
                             f"AND {_MY_RUN}",
                             [(as_of_utc, run_id, self._athlete_param) for run_id in run_ids])

    # -- reading ------------------------------------------------------------------------------
    def known_hashes(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT content_sha256 FROM sources "
                                               "WHERE athlete_id = ?", (self._athlete_param,))}

    def run_for_hash(self, content_sha256: str) -> int | None:
        row = self._db.execute("SELECT run_id FROM sources WHERE athlete_id = ? AND "
                               "content_sha256 = ?", (self._athlete_param, content_sha256)).fetchone()
        return None if row is None else int(row[0])

    def overlapping_runs(self, start_utc: datetime, end_utc: datetime,
                         start_window_s: float) -> list[tuple[int, datetime, datetime, tuple[int, int, int, int]]]:
        window = timedelta(seconds=start_window_s)
        rows = self._db.execute(
            "SELECT id, start_time_utc, end_time_utc, channels, samples, sport "
            "FROM runs WHERE athlete_id = ? AND time_is_relative = 0 "
            "AND start_time_utc BETWEEN ? AND ?",
            (self._athlete_param, format_utc(start_utc - window), format_utc(start_utc + window)))
        return overlap_candidates(rows.fetchall())

    def _summary(self, row: tuple[Any, ...]) -> RunSummary:
        figures = row[1 + _N_META:]
        return RunSummary(
            id=int(row[0]), **meta_fields(row[1:1 + _N_META]), source_file=figures[0],
            distance_m=figures[1], duration_s=figures[2], moving_time_s=figures[3],
            elevation_gain_m=figures[4], elevation_loss_m=figures[5], hip_load_index=figures[6],
            hip_load_total=figures[7], samples=int(figures[8]),
            channels=tuple(json.loads(figures[9])), sources=int(figures[10]))

    def list_runs(self, *, sport: str | None = None) -> list[RunSummary]:
        where, params = (f"AND {SPORT} = ?", (sport,)) if sport else ("", ())
        rows = self._db.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM runs r WHERE {_MINE} {where} "
            "ORDER BY r.start_time_utc IS NULL, r.start_time_utc, r.id",
            (self._athlete_param, *params))
        return [self._summary(row) for row in rows]

    def get_run(self, run_id: int) -> RunSummary | None:
        if not 0 < run_id <= MAX_RUN_ID:  # SQLite ids are 64-bit: 10**23 is no run, not a crash
            return None
        row = self._db.execute(f"SELECT {SUMMARY_COLUMNS} FROM runs r WHERE r.id = ? AND {_MINE}",
                               (run_id, self._athlete_param)).fetchone()
        return None if row is None else self._summary(row)

    def get_analysis(self, run_id: int) -> tuple[dict[str, Any], str] | None:
        if not 0 < run_id <= MAX_RUN_ID:
            return None
        row = self._db.execute("SELECT analysis_json, baseline_signature FROM run_analyses "
                               f"WHERE run_id = ? AND {_MY_RUN}",
                               (run_id, self._athlete_param)).fetchone()
        return None if row is None else (json.loads(row[0]), str(row[1]))

    def get_samples(self, run_id: int) -> bytes | None:
        if not 0 < run_id <= MAX_RUN_ID:
            return None
        row = self._db.execute(f"SELECT data FROM run_samples WHERE run_id = ? AND {_MY_RUN}",
                               (run_id, self._athlete_param)).fetchone()
        return None if row is None else bytes(row[0])

    def get_sources(self, run_id: int) -> list[SourceRecord]:
        rows = self._db.execute(
            "SELECT file_path, content_sha256, file_format, device, samples, channel_count, "
            "is_primary, imported_at_utc FROM sources WHERE run_id = ? AND athlete_id = ? "
            "ORDER BY is_primary DESC, id", (run_id, self._athlete_param))
        return [SourceRecord(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), bool(r[6]), r[7])
                for r in rows]

    def stored_run(self, run_id: int) -> StoredRun | None:
        if not self._owns_run(run_id):
            return None
        return read_stored_run(lambda sql, params: list(self._db.execute(sql, params)), run_id, "?")

    def form_minutes(self) -> FormMinutes:
        rows = self._db.execute(
            f"SELECT f.run_id, r.start_time_utc, f.speed_mps, {', '.join('f.' + m for m in FORM_METRICS)} "
            "FROM form_minutes f JOIN runs r ON r.id = f.run_id "
            f"WHERE {_MINE} AND {SPORT} IN {RUNNING} AND r.time_is_relative = 0 "
            "AND r.start_time_utc IS NOT NULL ORDER BY r.start_time_utc, f.run_id, f.minute",
            (self._athlete_param,)).fetchall()
        devices = {int(r[0]): r[1] for r in self._db.execute(
            f"SELECT r.id, r.device FROM runs r WHERE {_MINE} AND {SPORT} IN {RUNNING}",
            (self._athlete_param,))}
        return form_minutes_table(rows, devices)

    def analysis_states(self) -> dict[int, AnalysisState]:
        rows = self._db.execute(
            "SELECT r.id, a.baseline_signature, r.imported_at_utc, a.baseline_as_of_utc "
            f"FROM runs r JOIN run_analyses a ON a.run_id = r.id WHERE {_MINE}",
            (self._athlete_param,))
        return {int(r[0]): AnalysisState(str(r[1]), str(r[2]), str(r[3])) for r in rows}

    def iter_run_ids(self) -> Iterator[int]:
        for (run_id,) in self._db.execute("SELECT id FROM runs WHERE athlete_id = ? ORDER BY id",
                                          (self._athlete_param,)).fetchall():
            yield int(run_id)

    def integrity_problems(self) -> list[str]:
        """What is inconsistent (empty when the library is sound): SQLite's own check, and runs
        missing their samples, analysis or primary source."""
        problems = [r[0] for r in self._db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {r}" for r in self._db.execute("PRAGMA foreign_key_check")]
        for what, sql in (
                ("samples", "SELECT id FROM runs WHERE id NOT IN (SELECT run_id FROM run_samples)"),
                ("analysis", "SELECT id FROM runs WHERE id NOT IN (SELECT run_id FROM run_analyses)"),
                ("primary source", "SELECT id FROM runs WHERE id NOT IN "
                                   "(SELECT run_id FROM sources WHERE is_primary = 1)")):
            problems += [f"run {r[0]} has no {what}" for r in self._db.execute(sql)]
        return problems
