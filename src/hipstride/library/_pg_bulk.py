"""Writing many runs into PostgreSQL at once, and the club-wide queries that span athletes.

``COPY … FROM STDIN`` streams rows to the server without a statement per row, which is what lets a
club's export load at least as fast per run as SQLite's in-process inserts (research §C.2: 1 M runs
in 14 s, limited by building the rows in Python). The new runs' ids are drawn from the identity's
sequence first (``nextval`` for the whole batch), so the children (samples, analyses, form minutes,
sources) can be copied in the same pass without reading anything back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import psycopg

from hipstride.analysis.trends import UNTYPED_SPORTS
from hipstride.library._stored import HEADLINE, META_COLUMNS
from hipstride.library.store import StoredRun, format_utc
from hipstride.track.form import FORM_METRICS

__all__ = ["copy_runs", "monthly_running_distance_m"]

_RUN_COLUMNS = ("id", "athlete_id", *META_COLUMNS, "source_file", "content_sha256", *HEADLINE,
                "samples", "channels", "sport_label", "imported_at_utc")
#: Sports whose distance counts as running (as in weekly load).
RUNNING_SPORTS = ("running", *UNTYPED_SPORTS)


def _run_row(run_id: int, athlete_id: int, run: StoredRun) -> tuple[Any, ...]:
    r = run.record
    h = r.analysis.headline
    return (run_id, athlete_id, format_utc(r.start_time_utc), format_utc(r.end_time_utc),
            r.time_is_relative, r.sport, r.sub_sport, r.name, r.device, r.file_format,
            r.source.file_path, r.source.content_sha256, *(h.get(k) for k in HEADLINE), r.samples,
            json.dumps(list(r.channels)), run.sport_label, run.imported_at_utc)


def copy_runs(db: psycopg.Connection[tuple[Any, ...]], athlete_id: int,
              runs: Sequence[StoredRun]) -> list[int]:
    """Store ``runs`` for athlete ``athlete_id`` with ``COPY`` (inside the caller's
    transaction); their new ids, in order."""
    if not runs:
        return []
    ids = [int(r[0]) for r in db.execute(
        "SELECT nextval(pg_get_serial_sequence('runs', 'id')) FROM generate_series(1, %s)",
        (len(runs),)).fetchall()]
    with db.cursor() as cur:
        with cur.copy(f"COPY runs ({', '.join(_RUN_COLUMNS)}) FROM STDIN") as copy:
            for run_id, run in zip(ids, runs, strict=True):
                copy.write_row(_run_row(run_id, athlete_id, run))
        with cur.copy("COPY run_samples (run_id, encoding, data) FROM STDIN") as copy:
            for run_id, run in zip(ids, runs, strict=True):
                copy.write_row((run_id, run.record.samples_encoding, run.record.samples_blob))
        with cur.copy("COPY run_analyses (run_id, schema_version, analysis_json, baseline_signature, "
                      "baseline_as_of_utc, analysed_at_utc) FROM STDIN") as copy:
            for run_id, run in zip(ids, runs, strict=True):
                a = run.record.analysis
                copy.write_row((run_id, a.schema_version, a.analysis_json, a.baseline_signature,
                                a.baseline_as_of_utc, run.analysed_at_utc))
        with cur.copy(f"COPY form_minutes (run_id, minute, speed_mps, {', '.join(FORM_METRICS)}) "
                      "FROM STDIN") as copy:
            for run_id, run in zip(ids, runs, strict=True):
                for row in run.record.form_minutes:
                    copy.write_row((run_id, *row))
        with cur.copy("COPY sources (athlete_id, run_id, file_path, content_sha256, file_format, "
                      "device, samples, channel_count, is_primary, imported_at_utc) FROM STDIN") as copy:
            for run_id, run in zip(ids, runs, strict=True):
                for s in run.sources:
                    copy.write_row((athlete_id, run_id, s.file_path, s.content_sha256, s.file_format,
                                    s.device, s.samples, s.channel_count, s.is_primary,
                                    s.imported_at_utc or run.imported_at_utc))
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
