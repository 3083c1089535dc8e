"""The run library on a PostgreSQL server, for a club or clinic that follows many athletes.

:class:`PostgresStore` implements the same :class:`~hipstride.library.store.RunStore` protocol as
:class:`~hipstride.library.sqlite.SQLiteStore` and hands back the same values for the same
operations (the store suite runs on both). The differences are where PostgreSQL differs:

- Types: ``double precision`` (PostgreSQL's ``REAL`` has 4 bytes, SQLite's 8), ``bytea``,
  ``bigint`` identity keys written with ``RETURNING id``, ``boolean`` flags. Times stay the
  fixed-width UTC text of :func:`~hipstride.library.store.format_utc` (``COLLATE "C"``), so both
  stores return the very same strings. Schema: ``migrations_pg/`` (see :mod:`._pg_connect`).
- Athletes: one database holds many. A store is opened for one athlete (``athlete=``) and every
  query is scoped to that athlete's id; the children of a run (samples, analysis, form minutes)
  are reached through a run of that athlete, so another athlete's run id is "no such run". The
  athlete's row is created by the first write transaction; before that every read is empty.
- SQL is parameterised (psycopg 3, ``%s``); the only text put into a statement is this module's
  own column lists, never a caller's value.
- A server that cannot be reached, a connection lost or a write refused is a
  :class:`~hipstride.errors.StorageError` naming the database without its password.

Bulk loading (a club's export, ``hipstride db copy``) goes through :meth:`PostgresStore.add_stored_runs`,
which writes with ``COPY`` (:mod:`._pg_bulk`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import psycopg

from hipstride.analysis.baselines import FormMinutes
from hipstride.errors import StorageError
from hipstride.library import _pg_bulk
from hipstride.library._pg_notes import PgNotes
from hipstride.library._sqlite_athlete import MAX_RUN_ID
from hipstride.library._stored import (
    HEADLINE,
    RUNNING,
    SPORT,
    SUMMARY_COLUMNS,
    form_minutes_table,
    meta_values,
    overlap_candidates,
    read_stored_run,
)
from hipstride.library.store import (
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

__all__ = ["PostgresStore"]

_SOURCE_COLUMNS = ("file_path, content_sha256, file_format, device, samples, channel_count, "
                   "is_primary, imported_at_utc")


#: :data:`SUMMARY_COLUMNS` with the source count from the joined ``n`` of :meth:`list_runs`.
_LIST_COLUMNS = SUMMARY_COLUMNS.replace("(SELECT COUNT(*) FROM sources s WHERE s.run_id = r.id)",
                                         "COALESCE(n.n, 0)")
assert _LIST_COLUMNS != SUMMARY_COLUMNS


def _summaries(rows: list[tuple[Any, ...]]) -> list[RunSummary]:
    """Listing rows from :data:`SUMMARY_COLUMNS` fetched in binary (typed values already).

    The run list is the club's hot read (a coach opens an athlete of thousands of runs; target
    50 ms), so this unpacks each row once and parses each distinct channel list once (an
    athlete's runs share a handful of them): half the time of a generic per-row conversion.
    """
    iso = datetime.fromisoformat
    names_of: dict[str, tuple[str, ...]] = {}
    out = []
    for (run_id, start, end, relative, sport, sub_sport, name, device, file_format, source_file,
         distance, duration, moving, gain, loss, index, total, samples, channels, sources) in rows:
        names = names_of.get(channels)
        if names is None:
            names = names_of[channels] = tuple(json.loads(channels))
        out.append(RunSummary(
            start_time_utc=None if start is None else iso(start),
            end_time_utc=None if end is None else iso(end), time_is_relative=relative,
            sport=sport, sub_sport=sub_sport, name=name, device=device, file_format=file_format,
            id=run_id, source_file=source_file, distance_m=distance, duration_s=duration,
            moving_time_s=moving, elevation_gain_m=gain, elevation_loss_m=loss,
            hip_load_index=index, hip_load_total=total, samples=samples, channels=names,
            sources=sources))
    return out


def _pg_meta(record: RunRecord) -> dict[str, Any]:
    values = meta_values(record)
    values["time_is_relative"] = bool(values["time_is_relative"])
    return values


class PostgresStore(PgNotes):
    """A :class:`~hipstride.library.store.RunStore` on PostgreSQL, scoped to one athlete.

    Parameters
    ----------
    dsn
        A libpq address (``postgresql://user:password@host:port/dbname`` or ``key=value`` form);
        kept as :attr:`url` so that other processes (re-analysis workers) can open the same store.
    athlete
        The athlete every method reads and writes.
    maps_home
        The hipstride home whose stored maps this store's runs are matched against.
    """

    def __enter__(self) -> PostgresStore:
        return self

    def with_athlete(self, name: str) -> PostgresStore:
        """A store for athlete ``name`` on this store's connection (a coach's list of hundreds
        of athletes opens no connection per athlete); closing it leaves the connection open."""
        return PostgresStore(self.url, athlete=name, maps_home=self.maps_home, _shared=self._db)

    # -- writing ------------------------------------------------------------------------------
    def _write_run_columns(self, run_id: int | None, record: RunRecord) -> int:
        h = record.analysis.headline
        values: dict[str, Any] = {
            **_pg_meta(record),
            "source_file": record.source.file_path, "content_sha256": record.source.content_sha256,
            "samples": record.samples, "channels": json.dumps(list(record.channels)),
            "imported_at_utc": now_utc(),
            **{k: h.get(k) for k in HEADLINE},
        }
        cols = list(values)
        if run_id is None:
            row = self._rows(
                f"INSERT INTO runs (athlete_id, {', '.join(cols)}) "
                f"VALUES (%s, {', '.join(['%s'] * len(cols))}) RETURNING id",
                (self._athlete_id, *values.values()))
            run_id = int(row[0][0])
        else:
            self._count(f"UPDATE runs SET {', '.join(c + ' = %s' for c in cols)} "
                        "WHERE id = %s AND athlete_id = %s",
                        (*values.values(), run_id, self._athlete_id))
        self._count("INSERT INTO run_samples (run_id, encoding, data) VALUES (%s, %s, %s) "
                    "ON CONFLICT (run_id) DO UPDATE SET encoding = EXCLUDED.encoding, data = EXCLUDED.data",
                    (run_id, record.samples_encoding, record.samples_blob))
        self._write_analysis(run_id, record.analysis)
        self._count("DELETE FROM form_minutes WHERE run_id = %s", (run_id,))
        if record.form_minutes:
            with self._db.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO form_minutes (run_id, minute, speed_mps, {', '.join(FORM_METRICS)}) "
                    f"VALUES (%s, %s, %s, {', '.join(['%s'] * len(FORM_METRICS))})",
                    [(run_id, *row) for row in record.form_minutes])
        return run_id

    def _write_analysis(self, run_id: int, analysis: AnalysisRecord) -> None:
        self._count(
            "INSERT INTO run_analyses (run_id, schema_version, analysis_json, baseline_signature, "
            "baseline_as_of_utc, analysed_at_utc) VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (run_id) DO UPDATE SET schema_version = EXCLUDED.schema_version, "
            "analysis_json = EXCLUDED.analysis_json, baseline_signature = EXCLUDED.baseline_signature, "
            "baseline_as_of_utc = EXCLUDED.baseline_as_of_utc, analysed_at_utc = EXCLUDED.analysed_at_utc",
            (run_id, analysis.schema_version, analysis.analysis_json, analysis.baseline_signature,
             analysis.baseline_as_of_utc, now_utc()))

    def _insert_source(self, run_id: int, source: SourceRecord, primary: bool) -> None:
        self._count(
            f"INSERT INTO sources (athlete_id, run_id, {_SOURCE_COLUMNS}) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (self._athlete_id, run_id, source.file_path, source.content_sha256, source.file_format,
             source.device, source.samples, source.channel_count, primary, now_utc()))

    def add_run(self, record: RunRecord) -> int:
        run_id = self._write_run_columns(None, record)
        self._insert_source(run_id, record.source, True)
        return run_id

    def add_stored_runs(self, runs: Sequence[StoredRun]) -> list[int]:
        """Store many whole runs at once with ``COPY`` (call inside :meth:`transaction`): each
        with all its sources, its sport label and its import time; their new ids in order."""
        assert self._athlete_id is not None, "call inside transaction()"
        try:
            return _pg_bulk.copy_runs(self._db, self._athlete_id, runs)
        except psycopg.OperationalError as exc:
            raise self._failed(exc, "cannot write to the run library") from None

    def add_source(self, run_id: int, source: SourceRecord) -> None:
        self._require_owned(run_id)
        self._insert_source(run_id, source, False)

    def replace_primary(self, run_id: int, record: RunRecord) -> None:
        self._require_owned(run_id)
        self._count("UPDATE sources SET is_primary = false WHERE run_id = %s", (run_id,))
        self._write_run_columns(run_id, record)
        updated = self._count("UPDATE sources SET is_primary = true "
                              "WHERE run_id = %s AND content_sha256 = %s",
                              (run_id, record.source.content_sha256))
        if not updated:
            self._insert_source(run_id, record.source, True)

    def update_analysis(self, run_id: int, analysis: AnalysisRecord) -> None:
        h = analysis.headline
        if not self._count(f"UPDATE runs SET {', '.join(k + ' = %s' for k in HEADLINE)} "
                           "WHERE id = %s AND athlete_id = %s",
                           (*(h.get(k) for k in HEADLINE), run_id, self._athlete_id)):
            raise StorageError(f"{self.name}: athlete {self.athlete!r} has no run {run_id}")
        self._write_analysis(run_id, analysis)

    def mark_baseline_current(self, run_ids: list[int], as_of_utc: str) -> None:
        self._count("UPDATE run_analyses a SET baseline_as_of_utc = %s FROM runs r "
                    "WHERE a.run_id = r.id AND r.athlete_id = %s AND a.run_id = ANY(%s)",
                    (as_of_utc, self._athlete_id, [i for i in run_ids if 0 < i <= MAX_RUN_ID]))

    def delete_run(self, run_id: int) -> bool:
        if not 0 < run_id <= MAX_RUN_ID:
            return False
        return self._count("DELETE FROM runs WHERE id = %s AND athlete_id = %s",
                           (run_id, self._athlete_id)) > 0

    def set_sport_label(self, run_id: int, sport: str | None) -> bool:
        if not 0 < run_id <= MAX_RUN_ID:
            return False
        return self._count("UPDATE runs SET sport_label = %s WHERE id = %s AND athlete_id = %s",
                           (sport, run_id, self._athlete_id)) > 0

    # -- reading ------------------------------------------------------------------------------
    def known_hashes(self) -> set[str]:
        return {str(r[0]) for r in self._rows("SELECT content_sha256 FROM sources WHERE athlete_id = %s",
                                              (self._athlete_id,))}

    def run_for_hash(self, content_sha256: str) -> int | None:
        rows = self._rows("SELECT run_id FROM sources WHERE athlete_id = %s AND content_sha256 = %s",
                          (self._athlete_id, content_sha256))
        return None if not rows else int(rows[0][0])

    def overlapping_runs(self, start_utc: datetime, end_utc: datetime,
                         start_window_s: float) -> list[tuple[int, datetime, datetime, tuple[int, int, int, int]]]:
        window = timedelta(seconds=start_window_s)
        rows = self._rows(
            "SELECT id, start_time_utc, end_time_utc, channels, samples, sport FROM runs "
            "WHERE athlete_id = %s AND NOT time_is_relative AND start_time_utc BETWEEN %s AND %s",
            (self._athlete_id, format_utc(start_utc - window), format_utc(start_utc + window)))
        return overlap_candidates(rows)

    def list_runs(self, *, sport: str | None = None) -> list[RunSummary]:
        where, params = (f"AND {SPORT} = %s", (sport,)) if sport else ("", ())
        # the athlete's source counts in one grouped pass (not a count per run), and no
        # "IS NULL" sort key: PostgreSQL sorts NULLs last in ascending order, as SQLite's list does
        rows = self._rows(
            f"SELECT {_LIST_COLUMNS} FROM runs r LEFT JOIN (SELECT run_id, count(*) AS n "
            "FROM sources WHERE athlete_id = %s GROUP BY run_id) n ON n.run_id = r.id "
            f"WHERE r.athlete_id = %s {where} ORDER BY r.start_time_utc, r.id",
            (self._athlete_id, self._athlete_id, *params), binary=True)
        return _summaries(rows)

    def get_run(self, run_id: int) -> RunSummary | None:
        if not 0 < run_id <= MAX_RUN_ID:
            return None
        rows = self._rows(f"SELECT {SUMMARY_COLUMNS} FROM runs r WHERE r.id = %s AND r.athlete_id = %s",
                          (run_id, self._athlete_id))
        return _summaries(rows)[0] if rows else None

    def _child(self, sql: str, run_id: int) -> tuple[Any, ...] | None:
        if not 0 < run_id <= MAX_RUN_ID:
            return None
        rows = self._rows(sql + " JOIN runs r ON r.id = c.run_id WHERE c.run_id = %s AND r.athlete_id = %s",
                          (run_id, self._athlete_id))
        return rows[0] if rows else None

    def get_analysis(self, run_id: int) -> tuple[dict[str, Any], str] | None:
        row = self._child("SELECT c.analysis_json, c.baseline_signature FROM run_analyses c", run_id)
        return None if row is None else (json.loads(row[0]), str(row[1]))

    def get_samples(self, run_id: int) -> bytes | None:
        row = self._child("SELECT c.data FROM run_samples c", run_id)
        return None if row is None else bytes(row[0])

    def get_sources(self, run_id: int) -> list[SourceRecord]:
        if not 0 < run_id <= MAX_RUN_ID:
            return []
        rows = self._rows(f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE run_id = %s AND athlete_id = %s "
                          "ORDER BY is_primary DESC, id", (run_id, self._athlete_id))
        return [SourceRecord(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), bool(r[6]), r[7])
                for r in rows]

    def stored_run(self, run_id: int) -> StoredRun | None:
        if not self._owned(run_id):
            return None
        return read_stored_run(self._rows, run_id, "%s")

    def form_minutes(self) -> FormMinutes:
        rows = self._rows(
            f"SELECT f.run_id, r.start_time_utc, f.speed_mps, {', '.join('f.' + m for m in FORM_METRICS)} "
            "FROM form_minutes f JOIN runs r ON r.id = f.run_id "
            f"WHERE r.athlete_id = %s AND {SPORT} IN {RUNNING} AND NOT r.time_is_relative "
            "AND r.start_time_utc IS NOT NULL ORDER BY r.start_time_utc, f.run_id, f.minute",
            (self._athlete_id,))
        devices = {int(r[0]): r[1] for r in self._rows(
            f"SELECT r.id, r.device FROM runs r WHERE r.athlete_id = %s AND {SPORT} IN {RUNNING}",
            (self._athlete_id,))}
        return form_minutes_table(rows, devices)

    def analysis_states(self) -> dict[int, AnalysisState]:
        rows = self._rows(
            "SELECT r.id, a.baseline_signature, r.imported_at_utc, a.baseline_as_of_utc "
            "FROM runs r JOIN run_analyses a ON a.run_id = r.id WHERE r.athlete_id = %s",
            (self._athlete_id,))
        return {int(r[0]): AnalysisState(str(r[1]), str(r[2]), str(r[3])) for r in rows}

    def iter_run_ids(self) -> Iterator[int]:
        for (run_id,) in self._rows("SELECT id FROM runs WHERE athlete_id = %s ORDER BY id",
                                    (self._athlete_id,)):
            yield int(run_id)

    def club_monthly_distance_m(self, since: date, until: date) -> list[tuple[str, float, int]]:
        """Running distance of the whole club (every athlete) per calendar month (UTC) from
        ``since`` to before ``until``: ``(YYYY-MM, metres, runs)``, oldest first."""
        try:
            return _pg_bulk.monthly_running_distance_m(self._db, since, until)
        except psycopg.OperationalError as exc:
            raise self._failed(exc, "cannot read the run library") from None
