"""Batch re-analysis on a PostgreSQL library: the same documents as the library's own in-process
analysis, serially and on an in-process Dask client, each run logged exactly once, and a second
run of the job analyses nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

from hipstride.library._dask import dask_client
from hipstride.library.api import open_store
from hipstride.library.copy import copy_athlete
from hipstride.library.postgres import PostgresStore
from hipstride.library.reanalyze import reanalyze
from hipstride.model.profile import load_profile
from tests.reanalysis_support import (
    build_club,
    kill_midway,
    reference_analyses,
    steeper_profile,
    stored_analyses,
)


def test_reanalysis_on_postgresql_matches_the_reference_once(real_runs_home: Path, postgres_dsn: str,
                                                             tmp_path: Path) -> None:
    athletes = ["ana", "ben"]
    with open_store(home=real_runs_home) as source:
        for name in athletes:
            with open_store(postgres_dsn, home=tmp_path, athlete=name) as into:
                assert copy_athlete(source, into).runs_added > 0
    profile = load_profile(steeper_profile(tmp_path))
    serial = reanalyze(postgres_dsn, home=tmp_path, athletes=athletes[:1], profile=profile,
                       batch_size=3)
    with dask_client(in_process=True, workers=2) as client:
        on_dask = reanalyze(postgres_dsn, home=tmp_path, athletes=None, profile=profile,
                            client=client, batch_size=3)
    assert not serial.failed
    assert not on_dask.failed
    assert serial.analysed > 0
    assert (on_dask.analysed, on_dask.skipped) == (serial.analysed, serial.analysed)
    for name in athletes:
        with open_store(postgres_dsn, home=tmp_path, athlete=name) as store:
            reference = reference_analyses(store, profile)
            assert stored_analyses(store) == reference
            assert isinstance(store, PostgresStore)
            counts = store.execute("SELECT run_id, count(*) FROM reanalysis_log l "
                                   "JOIN athletes a ON a.id = l.athlete_id WHERE a.name = %s "
                                   "GROUP BY run_id", (name,))
            assert sorted(run_id for run_id, _ in counts) == sorted(reference)
            assert {n for _, n in counts} == {1}
    again = reanalyze(postgres_dsn, home=tmp_path, profile=profile)
    assert (again.analysed, again.skipped) == (0, 2 * serial.analysed)


def _log_counts(dsn: str) -> dict[int, int]:
    """Rows of the re-analysis log per run, read straight from the server."""
    with psycopg.connect(dsn, autocommit=True) as db:
        exists = db.execute("SELECT to_regclass('reanalysis_log')").fetchone()
        if exists is None or exists[0] is None:
            return {}
        return {int(r): int(n) for r, n in db.execute(
            "SELECT run_id, count(*) FROM reanalysis_log GROUP BY run_id").fetchall()}


def test_a_killed_reanalysis_on_postgresql_resumes_and_analyses_each_run_once(
        real_runs_home: Path, postgres_dsn: str, tmp_path: Path) -> None:
    club, athletes = tmp_path / "club", ["ana", "ben", "chen"]
    total = build_club(real_runs_home, club, athletes, copies=3)
    with open_store(home=club, athlete=athletes[0]) as first_store:
        for name in athletes:
            with first_store.with_athlete(name) as source, \
                    open_store(postgres_dsn, home=tmp_path, athlete=name) as into:
                copy_athlete(source, into)
    profile_path = steeper_profile(tmp_path)
    command = [sys.executable, "-m", "hipstride", "reanalyze", "--all", "--db", postgres_dsn,
               "--home", str(tmp_path), "--profile", str(profile_path), "--workers", "2",
               "--batch", "4", "--json"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src"),
           "OPENBLAS_NUM_THREADS": "1"}
    kill_midway(command, env, lambda: sum(_log_counts(postgres_dsn).values()), total)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)
    counts = _log_counts(postgres_dsn)
    assert len(counts) == total
    assert set(counts.values()) == {1}
    assert summary["analysed"] + summary["skipped_already_done"] == total
    profile = load_profile(profile_path)
    for name in athletes:
        with open_store(postgres_dsn, home=tmp_path, athlete=name) as store:
            assert stored_analyses(store) == reference_analyses(store, profile)
