"""Batch re-analysis (``hipstride reanalyze``): the same documents as the library's own in-process
analysis, on an in-process Dask client, on a real two-worker ``LocalCluster`` and in a serial
loop; a job is resumable after ``kill -9`` and analyses every run exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hipstride.cli import main
from hipstride.errors import StorageError
from hipstride.library._dask import dask_client
from hipstride.library._reanalysis import BatchTask, analyse_runs, job_key, run_batch
from hipstride.library.api import open_store
from hipstride.library.reanalyze import plan_reanalysis, reanalyze
from hipstride.library.sqlite import SQLiteStore
from hipstride.model.profile import default_profile, load_profile
from tests.conftest import REPO
from tests.reanalysis_support import (
    build_club,
    kill_midway,
    library_url,
    reference_analyses,
    steeper_profile,
    stored_analyses,
)


def _log_rows(home: Path) -> list[tuple[int, int]]:
    """``(run id, rows)`` of the re-analysis log, read straight from the SQLite file."""
    with SQLiteStore(home / "library.sqlite") as store:
        return [(int(r[0]), int(r[1])) for r in store.execute(
            "SELECT run_id, COUNT(*) FROM reanalysis_log GROUP BY run_id")]


def _check_against_reference(home: Path, athletes: list[str], profile_path: Path) -> int:
    """Every athlete's stored analyses equal the in-process reference; return the runs seen."""
    profile = load_profile(profile_path)
    seen = 0
    for name in athletes:
        with open_store(home=home, athlete=name) as store:
            reference = reference_analyses(store, profile)
            stored = stored_analyses(store)
        assert stored.keys() == reference.keys()
        for run_id, expected in reference.items():
            assert stored[run_id] == expected, (name, run_id)
        seen += len(stored)
    return seen


def test_job_key_follows_model_inputs(tmp_path: Path) -> None:
    home = tmp_path / "home"
    steeper = load_profile(steeper_profile(tmp_path))
    base = job_key(default_profile(), home)
    assert base == job_key(default_profile(), home)
    assert job_key(steeper, home) != base
    assert job_key(load_profile("flat-soft"), home) not in {base, job_key(steeper, home)}
    maps = home / "maps"
    maps.mkdir(parents=True)

    def store_map(created: str) -> str:
        meta = json.dumps({"created_utc": created, "bbox": [0, 0, 1, 1]}).encode()
        np.savez(maps / "town.npz", __meta__=np.frombuffer(meta, dtype=np.uint8))
        return job_key(default_profile(), home)

    first = store_map("2026-01-01T00:00:00Z")
    assert first != base
    assert store_map("2026-02-01T00:00:00Z") not in {base, first}  # the map imported again


def test_analyse_runs_matches_the_library_one_run_at_a_time(real_runs_home: Path, tmp_path: Path) -> None:
    profile = load_profile(steeper_profile(tmp_path))
    with open_store(home=real_runs_home) as store:
        ids = list(store.iter_run_ids())
        records, failures = analyse_runs(store, ids, profile)
        reference = reference_analyses(store, profile)
    assert not failures
    assert [run_id for run_id, _ in records] == ids
    for run_id, record in records:
        assert (json.loads(record.analysis_json), record.baseline_signature) == reference[run_id]
        assert record.baseline_as_of_utc
    default = reference_analyses(open_store(home=real_runs_home), default_profile())
    assert any(default[i] != reference[i] for i in ids)  # the profile change shows


@pytest.fixture
def club(real_runs_home: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    home = tmp_path / "club"
    athletes = ["ana", "ben", "chen"]
    build_club(real_runs_home, home, athletes, copies=2)
    return home, athletes


def test_in_process_client_matches_reference_and_is_idempotent(
        club: tuple[Path, list[str]], tmp_path: Path) -> None:
    home, athletes = club
    profile_path = steeper_profile(tmp_path)
    url = library_url(home)
    with dask_client(in_process=True, workers=2) as client:
        ticks: list[int] = []
        totals: list[int] = []
        first = reanalyze(url, home=home, athletes=athletes[:2], profile=load_profile(profile_path),
                          client=client, batch_size=4, progress=ticks.append,
                          on_plan=lambda plan: totals.append(plan.total))
        per_athlete = first.analysed // 2
        assert totals == [first.analysed]
        assert sum(ticks) == first.analysed
        assert max(ticks) == 4
        assert first.analysed == 2 * per_athlete > 0
        assert not first.failed
        assert first.engine == "dask"
        assert first.athletes == athletes[:2]
        # only the chosen athletes were touched: the third still has its import-time analyses
        with open_store(home=home, athlete=athletes[2]) as third:
            assert not third.reanalysed_ids(first.job)
        everyone = reanalyze(url, home=home, athletes=None, profile=load_profile(profile_path),
                             client=client, batch_size=4)
    assert everyone.job == first.job
    assert everyone.skipped == first.analysed
    assert everyone.analysed == per_athlete
    assert _check_against_reference(home, athletes, profile_path) == 3 * per_athlete
    assert all(rows == 1 for _, rows in _log_rows(home))
    again = reanalyze(url, home=home, profile=load_profile(profile_path), batch_size=4)
    assert (again.analysed, again.skipped) == (0, 3 * per_athlete)


def test_a_batch_run_twice_writes_once_and_never_with_other_maps(
        club: tuple[Path, list[str]]) -> None:
    home, athletes = club
    with open_store(home=home, athlete=athletes[0]) as store:
        ids = tuple(store.iter_run_ids())[:3]
        url = store.url
    stranger = BatchTask(url, str(home), athletes[0], "r1-not-this-machine", ids, default_profile())
    with pytest.raises(StorageError, match="stored maps differ"):
        run_batch(stranger)
    assert not _log_rows(home)
    # Dask runs a task again when its worker died after the commit: the second run writes nothing
    task = replace(stranger, job=job_key(default_profile(), home))
    assert (run_batch(task).analysed, run_batch(task).analysed) == (3, 0)
    assert run_batch(task).already_done == 3
    assert dict(_log_rows(home)) == dict.fromkeys(ids, 1)


def test_local_cluster_by_address_reports_damaged_runs_and_finishes(
        club: tuple[Path, list[str]], tmp_path: Path) -> None:
    from distributed import LocalCluster

    from hipstride.library.codec import unpack_activity
    from hipstride.library.records import build_record

    home, athletes = club
    profile_path = steeper_profile(tmp_path)
    with open_store(home=home, athlete=athletes[1]) as store:
        victim = next(r for r in store.list_runs() if "cadence_spm" in r.channels)
        blob = store.get_samples(victim.id)
        assert blob is not None
        record = build_record(unpack_activity(blob), label="damaged", content_sha256="d" * 64,
                              baseline=None)
        with store.transaction():
            store.replace_primary(victim.id, replace(record, samples_blob=blob[:40]))
    args = ["reanalyze", "--all", "--home", str(home), "--profile", str(profile_path), "--json"]
    with LocalCluster(n_workers=2, threads_per_worker=1,  # type: ignore[no-untyped-call]
                      dashboard_address=None) as cluster:
        result = CliRunner().invoke(main, [*args, "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 1, result.output  # the job finished; one run is reported
    doc = json.loads(result.stdout)
    assert doc["engine"] == "dask"
    assert [(f["athlete"], f["run_id"]) for f in doc["failed"]] == [(athletes[1], victim.id)]
    assert f"run {victim.id}" in doc["failed"][0]["reason"]
    logged = dict(_log_rows(home))
    assert victim.id not in logged
    assert sum(logged.values()) == doc["analysed"]
    assert set(logged.values()) == {1}
    again = reanalyze(library_url(home), home=home, profile=load_profile(profile_path),
                      batch_size=5)
    assert again.analysed == 0
    assert [f.run_id for f in again.failed] == [victim.id]


def test_an_unreachable_scheduler_is_named(club: tuple[Path, list[str]],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from hipstride.library import _dask

    monkeypatch.setattr(_dask, "CONNECT_TIMEOUT_S", 1)
    result = CliRunner().invoke(main, ["reanalyze", "--home", str(club[0]),
                                       "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2
    assert "scheduler tcp://127.0.0.1:1: cannot connect" in result.output
    assert not _log_rows(club[0])


def test_tasks_are_submitted_in_a_bounded_window(club: tuple[Path, list[str]]) -> None:
    from hipstride.library import reanalyze as engine

    home, athletes = club
    url = library_url(home)
    with open_store(home=home) as store:
        plan = plan_reanalysis(store, job_key(default_profile(), home), athletes[:1])
    consumed = 0

    def tasks() -> Iterator[BatchTask]:
        nonlocal consumed
        for name, ids in plan.batches(1):
            consumed += 1
            yield BatchTask(url, str(home), name, plan.job, ids, default_profile())

    with dask_client(in_process=True) as client:
        results = engine._on_dask(client, tasks(), window=3)
        next(results)
        assert consumed <= 4
        assert sum(1 for _ in results) == plan.total - 1
    assert consumed == plan.total


def test_cli_json_summary_in_process(club: tuple[Path, list[str]], tmp_path: Path) -> None:
    home, athletes = club
    args = ["reanalyze", "--home", str(home), "--athlete", athletes[0], "--workers", "0",
            "--profile", str(steeper_profile(tmp_path)), "--json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    doc = json.loads(first.stdout)
    assert doc["engine"] == "serial"
    assert doc["athletes"] == [athletes[0]]
    assert doc["analysed"] > 0
    assert doc["failed"] == []
    assert doc["job"].startswith("r1-")
    again = json.loads(CliRunner().invoke(main, args).stdout)
    assert (again["analysed"], again["skipped_already_done"]) == (0, doc["analysed"])
    both = CliRunner().invoke(main, ["reanalyze", "--all", "--athlete", "x", "--home", str(home)])
    assert both.exit_code != 0
    assert "either --athlete or --all" in both.output


def test_killed_reanalysis_resumes_and_analyses_each_run_once(real_runs_home: Path,
                                                              tmp_path: Path) -> None:
    home = tmp_path / "club"
    athletes = ["ana", "ben", "chen", "dora"]
    total = build_club(real_runs_home, home, athletes, copies=3)
    profile_path = steeper_profile(tmp_path)
    command = [sys.executable, "-m", "hipstride", "reanalyze", "--all", "--home", str(home),
               "--profile", str(profile_path), "--workers", "2", "--batch", "4", "--json"]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "OPENBLAS_NUM_THREADS": "1"}
    logged = kill_midway(command, env, lambda: sum(rows for _, rows in _log_rows(home))
                         if (home / "library.sqlite").exists() else 0, total)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)
    rows = dict(_log_rows(home))
    assert len(rows) == total
    assert set(rows.values()) == {1}
    assert summary["analysed"] + summary["skipped_already_done"] == total
    assert summary["skipped_already_done"] >= logged
    assert _check_against_reference(home, athletes, profile_path) == total
    in_process = [*command[:command.index("--workers")], "--workers", "0", "--json"]
    third = subprocess.run(in_process, env=env,
                           capture_output=True, text=True, timeout=120, check=False)
    assert json.loads(third.stdout)["analysed"] == 0
