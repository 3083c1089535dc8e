"""Writing many runs into PostgreSQL at once, and the club-wide queries that span athletes.

``COPY … FROM STDIN`` streams rows to the server without a statement per row, which is what lets a
club's export load at least as fast per run as SQLite's in-process inserts (research §C.2: 1 M runs
in 14 s, limited by building the rows in Python). The binary format spares rendering every float
as text and every sample blob as hex (twice its size) only for the server to parse it back. The new runs' ids are drawn from the identity's
sequence first (``nextval`` for the whole batch), so the children (samples, analyses, form minutes,
sources) can be copied in the same pass without reading anything back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import psycopg

from hipstride.analysis.trends import UNTYPED_SPORTS
from hipstride.library._stored import HEADLINE, META_COLUMNS
from hipstride.library.store import StoredRun, format_utc
from hipstride.track.form import FORM_METRICS

__all__ = ["copy_runs", "monthly_running_distance_m"]

_META_TYPES = {"time_is_relative": "bool"}
#: ``(column, PostgreSQL type)`` of each table written, in the order the rows give them.
_RUN_TYPES = (("id", "int8"), ("athlete_id", "int8"),
              *((c, _META_TYPES.get(c, "text")) for c in META_COLUMNS),
              ("source_file", "text"), ("content_sha256", "text"), *((h, "float8") for h in HEADLINE),
              ("samples", "int8"), ("channels", "text"), ("sport_label", "text"),
              ("imported_at_utc", "text"))
_MINUTE_TYPES = (("run_id", "int8"), ("minute", "int4"), ("speed_mps", "float8"),
                 *((m, "float8") for m in FORM_METRICS))
_SOURCE_TYPES = (("athlete_id", "int8"), ("run_id", "int8"), ("file_path", "text"),
                 ("content_sha256", "text"), ("file_format", "text"), ("device", "text"),
                 ("samples", "int8"), ("channel_count", "int4"), ("is_primary", "bool"),
                 ("imported_at_utc", "text"))
#: Sports whose distance counts as running (as in weekly load).
RUNNING_SPORTS = ("running", *UNTYPED_SPORTS)


def _run_row(run_id: int, athlete_id: int, run: StoredRun) -> tuple[Any, ...]:
    r = run.record
    h = r.analysis.headline
    return (run_id, athlete_id, format_utc(r.start_time_utc), format_utc(r.end_time_utc),
            bool(r.time_is_relative), r.sport, r.sub_sport, r.name, r.device, r.file_format,
            r.source.file_path, r.source.content_sha256,
            *(None if h.get(k) is None else float(h[k]) for k in HEADLINE),  # type: ignore[arg-type]
            r.samples, json.dumps(list(r.channels)), run.sport_label, run.imported_at_utc)


def _copy(cur: psycopg.Cursor[Any], table: str, columns: Sequence[tuple[str, str]],
          rows: Iterable[Sequence[Any]]) -> None:
    """``COPY table FROM STDIN`` in the binary format (no text rendering of floats and blobs)."""
    with cur.copy(f"COPY {table} ({', '.join(c for c, _ in columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([t for _, t in columns])
        for row in rows:
            copy.write_row(row)


def copy_runs(db: psycopg.Connection[tuple[Any, ...]], athlete_id: int,
              runs: Sequence[StoredRun]) -> list[int]:
    """Store ``runs`` for athlete ``athlete_id`` with ``COPY`` (inside the caller's
    transaction); their new ids, in order."""
    if not runs:
        return []
    ids = [int(r[0]) for r in db.execute(
        "SELECT nextval(pg_get_serial_sequence('runs', 'id')) FROM generate_series(1, %s)",
        (len(runs),)).fetchall()]
    pairs = list(zip(ids, runs, strict=True))
    with db.cursor() as cur:
        _copy(cur, "runs", _RUN_TYPES, (_run_row(i, athlete_id, run) for i, run in pairs))
        _copy(cur, "run_samples", (("run_id", "int8"), ("encoding", "text"), ("data", "bytea")),
              ((i, run.record.samples_encoding, run.record.samples_blob) for i, run in pairs))
        _copy(cur, "run_analyses", (("run_id", "int8"), ("schema_version", "int4"),
                                    ("analysis_json", "text"), ("baseline_signature", "text"),
                                    ("baseline_as_of_utc", "text"), ("analysed_at_utc", "text")),
              ((i, r.record.analysis.schema_version, r.record.analysis.analysis_json,
                r.record.analysis.baseline_signature, r.record.analysis.baseline_as_of_utc,
                r.analysed_at_utc) for i, r in pairs))
        _copy(cur, "form_minutes", _MINUTE_TYPES,
              ((i, int(row[0] or 0), *(None if v is None else float(v) for v in row[1:]))
               for i, run in pairs for row in run.record.form_minutes))
        _copy(cur, "sources", _SOURCE_TYPES,
              ((athlete_id, i, s.file_path, s.content_sha256, s.file_format, s.device, s.samples,
                s.channel_count, s.is_primary, s.imported_at_utc or run.imported_at_utc)
               for i, run in pairs for s in run.sources))
    return ids


def monthly_running_distance_m(db: psycopg.Connection[tuple[Any, ...]], since: date,
                               until: date) -> list[tuple[str, float, int]]:
    """Running distance of every athlete together per calendar month (UTC) of runs that started
    from ``since`` to before ``until``: ``(YYYY-MM, metres, runs)``, oldest month first."""
    rows = db.execute(
        "SELECT substr(start_time_utc, 1, 7) AS month, COALESCE(sum(distance_m), 0), count(*) "
        "FROM runs WHERE start_time_utc >= %s AND start_time_utc < %s "
        "AND COALESCE(sport_label, sport) = ANY(%s) GROUP BY month ORDER BY month",
        (since.isoformat(), until.isoformat(), list(RUNNING_SPORTS))).fetchall()
    return [(str(r[0]), float(r[1]), int(r[2])) for r in rows]
