#!/usr/bin/env python
"""Benchmark: a club's library on PostgreSQL — 300 athletes, 1,000,000 runs.

Standalone (no pytest)::

    PYTHONPATH=src python benchmarks/bench_club.py [--dsn postgresql://…] [--athletes 300]
        [--runs 1000000] [--compare 100000]

Without ``--dsn`` it starts a throwaway cluster (``scripts/postgres-throwaway``, Debian's
PostgreSQL binaries) in a temporary folder and stops it at the end; with one, it works in a schema
``bench_club`` of that database, dropped first.

What it builds: ``--runs`` synthetic runs shared evenly among ``--athletes`` athletes, over the
three years 2023–2025 (a run every few days each), each with a small packed sample blob (a real
:func:`~hipstride.library.codec.pack_activity` blob of two minutes at 1 s), a compact analysis
document, two form minutes and one source file; one in ten is a ride (cross-training). Every
athlete's runs are written in one transaction with ``COPY``
(:meth:`~hipstride.library.postgres.PostgresStore.add_stored_runs`).

What it prints (it reports and never asserts; the exit code is always 0):

* load: the wall time of the whole club and runs/s; then the same ``--compare`` runs (default
  100,000) loaded once into SQLite through ``add_run`` in a single transaction (SQLite's fastest
  path: one process, no server) and once into PostgreSQL as one athlete, with runs/s of each;
  the target is PostgreSQL at least as fast per run as SQLite;
* one athlete's run list through ``PostgresStore.list_runs`` (target ≤ 50 ms; median and best of 7 on
  one store, after one warm-up);
* the club-wide running distance per month of one year
  (:meth:`~hipstride.library.postgres.PostgresStore.club_monthly_distance_m`, target ≤ 500 ms);
* re-analysis throughput on the same server (:func:`hipstride.library.reanalyze.reanalyze` with a
  steeper downhill weight): about ``--reanalyse`` copies of the real recordings of
  ``../shared/data`` (imported once into SQLite, then copied in with ``COPY``, a day apart), once
  in this process and once on ``LocalCluster(n_workers=2, threads_per_worker=1)``, each engine on
  its own athletes so that neither finds the other's work done. ``OPENBLAS_NUM_THREADS`` is set
  to 1 (when not set) before NumPy loads, for this process and the workers it starts.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads (workers inherit it)

import argparse
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

from hipstride.activity import Activity
from hipstride.library.codec import ENCODING, pack_activity
from hipstride.library.postgres import PostgresStore
from hipstride.library.sqlite import SQLiteStore
from hipstride.library.store import AnalysisRecord, RunRecord, SourceRecord, StoredRun, format_utc

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "postgres-throwaway"
SCHEMA = "bench_club"
FIRST_DAY = datetime(2023, 1, 1, 6, 0, tzinfo=UTC)
SPAN_DAYS = 3 * 365
LIST_TARGET_MS = 50.0
MONTHLY_TARGET_MS = 500.0


def _blob() -> bytes:
    """A real packed blob of two minutes at 1 s (positions, elevation, distance, heart rate)."""
    t = np.arange(120, dtype=np.float64)
    activity = Activity(source="bench.fit", start_time_utc=FIRST_DAY, time_s=t,
                        lat_deg=48.1 + t * 3.0 / 111_320.0, lon_deg=np.full(120, 11.5),
                        elevation_m=500.0 + np.sin(t / 20.0), distance_m=t * 3.0,
                        speed_mps=np.full(120, 3.0), channels={"heart_rate_bpm": np.full(120, 140.0)},
                        sport="running", file_format="fit")
    return pack_activity(activity)


class Club:
    """Synthetic runs, reproducible from a seed."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.blob = _blob()
        self.serial = 0

    def run(self, athlete: int, k: int, count: int) -> StoredRun:
        """Run ``k`` of ``count`` of athlete number ``athlete`` (spread over the three years)."""
        self.serial += 1
        start = FIRST_DAY + timedelta(days=SPAN_DAYS * k / count, minutes=self.rng.randrange(600))
        ride = self.serial % 10 == 0
        km = self.rng.uniform(20.0, 60.0) if ride else self.rng.uniform(3.0, 21.0)
        duration_s = km * (150.0 if ride else 330.0)
        index = round(self.rng.uniform(0.9, 1.3), 4)
        headline: dict[str, float | None] = {
            "distance_m": km * 1000.0, "duration_s": duration_s, "moving_time_s": duration_s * 0.97,
            "elevation_gain_m": 40.0, "elevation_loss_m": 40.0, "hip_load_index": index,
            "hip_load_total": index * km, "avg_cadence_spm": None if ride else 170.0}
        doc = {"activity": {"distance_m": km * 1000.0, "duration_s": duration_s},
               "hip_load": {"index": index, "total": index * km}, "form": {}}
        stamp = format_utc(start)
        assert stamp is not None
        sha = f"{athlete:04d}{self.serial:012d}".ljust(64, "0")
        source = SourceRecord(f"a{athlete}/{self.serial}.fit", sha, "fit", "bench watch", 120, 1,
                              True, stamp)
        record = RunRecord(
            start_time_utc=start, end_time_utc=start + timedelta(seconds=duration_s),
            time_is_relative=False, sport="cycling" if ride else "running", sub_sport=None,
            name=None, device="bench watch", file_format="fit",
            channels=("lat_deg", "lon_deg", "elevation_m", "distance_m", "heart_rate_bpm"),
            samples=120, source=source,
            analysis=AnalysisRecord(json.dumps(doc), 1, "", headline, stamp),
            samples_blob=self.blob, samples_encoding=ENCODING,
            form_minutes=[] if ride else [(0, 3.0, 170.0, 1.05, 250.0, 80.0, 50.0),
                                          (1, 3.1, 171.0, 1.06, 248.0, 81.0, 50.2)])
        return StoredRun(record=record, sources=(source,), sport_label=None,
                         imported_at_utc=stamp, analysed_at_utc=stamp)

    def runs(self, athlete: int, count: int) -> list[StoredRun]:
        return [self.run(athlete, k, count) for k in range(count)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(dsn: str | None) -> Iterator[str]:
    """The DSN of a server to work on: the one given, or a throwaway cluster for the run."""
    if dsn:
        yield dsn
        return
    folder = tempfile.mkdtemp(prefix="hs-bench-pg-", dir="/tmp")
    started = subprocess.run([str(SCRIPT), "start", folder, str(_free_port())], capture_output=True,
                             text=True, check=True)
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([str(SCRIPT), "stop", folder], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_schema(dsn: str, schema: str) -> str:
    """Drop and create ``schema``; a DSN that works in it."""
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in dsn else "?"
    return f"{dsn}{joiner}options=-csearch_path%3D{schema}"


def timed_ms(call: Callable[[], Any], repeat: int = 7) -> tuple[float, float, Any]:
    """Median and best wall time (ms) of ``repeat`` calls after one warm-up, and the last result
    (the best shows the cost on a quiet machine; the median what a busy one gave)."""
    result = call()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times), min(times), result


def load_club(dsn: str, club: Club, athletes: int, runs: int) -> float:
    """Load the whole club; wall seconds (building the rows in Python included)."""
    per = [runs // athletes + (1 if a < runs % athletes else 0) for a in range(athletes)]
    t0 = time.perf_counter()
    with PostgresStore(dsn, athlete="athlete-000") as first:
        for a, count in enumerate(per):
            with first.with_athlete(f"athlete-{a:03d}") as store, store.transaction():
                store.add_stored_runs(club.runs(a, count))
            if (a + 1) % 50 == 0:
                done = sum(per[:a + 1])
                print(f"  {a + 1} athletes, {done:,} runs, {time.perf_counter() - t0:.1f} s", flush=True)
    return time.perf_counter() - t0


def vacuum(dsn: str) -> float:
    """``VACUUM (ANALYZE)`` after the bulk load, as an operator runs it (or autovacuum, later and
    maybe while the queries are timed): fresh statistics and the visibility map that lets the
    monthly distance read its index alone. Wall seconds."""
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - t0


def compare_load(dsn: str, club: Club, count: int) -> tuple[float, float]:
    """Seconds to load the same ``count`` runs into SQLite (``add_run``, one transaction) and into
    PostgreSQL (COPY, one athlete)."""
    runs = club.runs(9999, count)
    with tempfile.TemporaryDirectory() as tmp, SQLiteStore(Path(tmp) / "library.sqlite") as lite:
        t0 = time.perf_counter()
        with lite.transaction():
            for run in runs:
                lite.add_run(run.record)
        sqlite_s = time.perf_counter() - t0
    compare_dsn = fresh_schema(dsn.split("?")[0], f"{SCHEMA}_compare")
    with PostgresStore(compare_dsn, athlete="export") as pg:
        t0 = time.perf_counter()
        with pg.transaction():
            pg.add_stored_runs(runs)
        pg_s = time.perf_counter() - t0
    with psycopg.connect(dsn.split("?")[0], autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA {SCHEMA}_compare CASCADE")
    return sqlite_s, pg_s


def size_mb(dsn: str) -> float:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                           "JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')").fetchone()
    return float(row[0] if row and row[0] else 0) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", help="a PostgreSQL server to work on (default: a throwaway cluster)")
    parser.add_argument("--athletes", type=int, default=300)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--compare", type=int, default=100_000,
                        help="runs loaded into SQLite and PostgreSQL alike for the per-run comparison")
    parser.add_argument("--reanalyse", type=int, default=2_000,
                        help="runs of real recordings re-analysed by each engine (0: skip)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPU core(s), Python {sys.version.split()[0]}, "
          f"psycopg {psycopg.__version__}")
    with server(args.dsn) as base:
        with psycopg.connect(base) as conn:
            print(f"server: {conn.execute('SELECT version()').fetchone()[0].split(' on ')[0]}")  # type: ignore[index]
        dsn = fresh_schema(base, SCHEMA)
        club = Club()
        print(f"loading {args.runs:,} runs of {args.athletes} athletes (COPY, one transaction per athlete) …")
        load_s = load_club(dsn, club, args.athletes, args.runs)
        print(f"load: {load_s:.1f} s, {args.runs / load_s:,.0f} runs/s (building the rows in Python "
              f"included); {size_mb(dsn):,.0f} MB on disk")
        print(f"VACUUM (ANALYZE) after the load: {vacuum(dsn):.1f} s")

        sqlite_s, pg_s = compare_load(base, Club(seed=2), args.compare)
        verdict = "meets" if pg_s <= sqlite_s else "misses"
        print(f"same {args.compare:,} runs: SQLite (add_run, one transaction) {sqlite_s:.1f} s = "
              f"{args.compare / sqlite_s:,.0f} runs/s; PostgreSQL (COPY) {pg_s:.1f} s = "
              f"{args.compare / pg_s:,.0f} runs/s ({verdict} 'at least as fast per run as SQLite')")

        who = f"athlete-{args.athletes // 2:03d}"
        with PostgresStore(dsn, athlete=who) as one:
            list_ms, list_best, listed = timed_ms(one.list_runs)
            month_ms, month_best, months = timed_ms(lambda: one.club_monthly_distance_m(date(2024, 1, 1),
                                                                            date(2025, 1, 1)))
        print(f"list_runs({who}): {len(listed):,} runs in {list_ms:.1f} ms (best {list_best:.1f}) "
              f"(target <= {LIST_TARGET_MS:.0f} ms: {'met' if list_ms <= LIST_TARGET_MS else 'missed'})")
        km = sum(m[1] for m in months) / 1000.0
        print(f"club monthly running distance, 2024: {len(months)} months, {km:,.0f} km over "
              f"{sum(m[2] for m in months):,} runs in {month_ms:.1f} ms (best {month_best:.1f}) "
              f"(target <= {MONTHLY_TARGET_MS:.0f} ms: {'met' if month_ms <= MONTHLY_TARGET_MS else 'missed'})")
        if args.reanalyse:
            reanalysis(base, args.reanalyse)


def _real_runs() -> list[StoredRun]:
    """The real recordings of the shared data, imported once into a scratch SQLite library."""
    from hipstride.library.importer import import_paths

    data = Path(os.environ.get("HIPSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
    with tempfile.TemporaryDirectory() as tmp, SQLiteStore(Path(tmp) / "library.sqlite") as lite:
        import_paths(lite, [data / "fit", data / "gpx", data / "tcx"], jobs=1)
        runs = [lite.stored_run(i) for i in lite.iter_run_ids()]
    return [r for r in runs if r is not None]


def _copies(real: list[StoredRun], count: int) -> list[StoredRun]:
    """``count`` copies of the real runs, each a day after the one before, with its own hash."""
    out = []
    for k in range(count):
        run = real[k % len(real)]
        r = run.record
        shift = timedelta(days=k)
        source = replace(r.source, content_sha256=f"{k:08d}".ljust(64, "e"))
        out.append(replace(run, sources=(source,), record=replace(
            r, source=source,
            start_time_utc=None if r.start_time_utc is None else r.start_time_utc + shift,
            end_time_utc=None if r.end_time_utc is None else r.end_time_utc + shift)))
    return out


def reanalysis(base: str, count: int, athletes: int = 4) -> None:
    """Re-analysis throughput in this process and on a local Dask cluster (see the docstring)."""
    from hipstride.library._dask import dask_client
    from hipstride.library.reanalyze import reanalyze
    from hipstride.model.profile import load_profile

    dsn = fresh_schema(base.split("?")[0], f"{SCHEMA}_reanalyse")
    real = _real_runs()
    per = max(1, count // athletes)
    names = {engine: [f"{engine}-{a}" for a in range(athletes)] for engine in ("serial", "dask")}
    with PostgresStore(dsn) as store:
        for group in names.values():
            for name in group:
                with store.with_athlete(name) as one, one.transaction():
                    one.add_stored_runs(_copies(real, per))
    with tempfile.TemporaryDirectory() as home:
        profile_path = Path(home) / "steeper.toml"
        profile_path.write_text('[profile]\nname = "steeper"\n\n[downhill]\nper_pct = 0.09\n',
                                encoding="utf-8")
        profile = load_profile(profile_path)
        print(f"re-analysis of {per * athletes:,} real runs ({len(real)} recordings copied) per engine, "
              f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}:")
        serial = reanalyze(dsn, home=home, athletes=names["serial"], profile=profile)
        print(f"  in this process: {serial.analysed:,} runs in {serial.seconds:.1f} s = "
              f"{serial.analysed / serial.seconds:.0f} runs/s")
        t0 = time.perf_counter()
        with dask_client(workers=2) as client:
            start_up = time.perf_counter() - t0
            dask = reanalyze(dsn, home=home, athletes=names["dask"], profile=profile, client=client)
        print(f"  Dask LocalCluster(2 workers, 1 thread each): {dask.analysed:,} runs in "
              f"{dask.seconds:.1f} s = {dask.analysed / dask.seconds:.0f} runs/s "
              f"(start-up {start_up:.1f} s apart); ratio {serial.seconds / dask.seconds:.2f}x serial")
        if serial.failed or dask.failed:
            print(f"  failed: {len(serial.failed)} serial, {len(dask.failed)} on Dask")
    with psycopg.connect(base.split("?")[0], autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA {SCHEMA}_reanalyse CASCADE")


if __name__ == "__main__":
    main()
