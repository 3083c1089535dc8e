"""The importer's worker pool: a worker that dies takes only its own file down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hipstride.library._workers import (
    WORKDIR_PREFIX,
    OverBudget,
    Workers,
    sweep_workdirs,
    time_budget,
)


def _noop() -> None:
    pass


def _square_or_die(task: int) -> int:
    if task == 3:
        os._exit(1)  # what a segfault or the out-of-memory killer looks like to the pool
    return task * task


@pytest.mark.timeout(60)
def test_a_crashing_task_is_reported_and_the_rest_go_on() -> None:
    workers: Workers[int, int] = Workers(2, _noop, ())
    try:
        results = sorted(workers.map_unordered(_square_or_die, range(8), on_crash=lambda t: -t))
    finally:
        workers.close()
    assert results == [-3, 0, 1, 4, 16, 25, 36, 49]


def test_one_job_runs_in_this_process() -> None:
    workers: Workers[int, int] = Workers(1, _noop, ())
    assert list(workers.map_unordered(abs, [-1, 2], on_crash=lambda t: 0)) == [1, 2]


# --- kill -9 of the parent, and the scratch folder it leaves (issue 11) ----------------------

_PARENT = """
import os, sys, time
from hipstride.library._workers import Workers

def noop():
    pass

def pid(_task):
    time.sleep(0.3)
    return os.getpid()

if __name__ == "__main__":
    workers = Workers(2, noop, ())
    pids = set(workers.map_unordered(pid, range(6), on_crash=lambda t: 0))
    print(" ".join(map(str, sorted(pids))), flush=True)
    time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return any(line.startswith("State:") and "Z" in line.split()[1] for line in status)
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.timeout(60)
def test_workers_die_when_their_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(_PARENT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env=env) as parent:
        try:
            assert parent.stdout is not None
            pids = [int(p) for p in parent.stdout.readline().split()]
            assert pids
            assert not any(_gone(pid) for pid in pids)  # alive while the parent is
        finally:
            parent.kill()  # SIGKILL: no clean-up runs in the parent
            parent.wait()
    for _ in range(100):  # PDEATHSIG is immediate; the poll only waits for the kernel
        if all(_gone(pid) for pid in pids):
            break
        time.sleep(0.1)
    assert all(_gone(pid) for pid in pids), pids


def test_the_scratch_folder_of_a_killed_import_is_removed_by_the_next(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp_path / f"{WORKDIR_PREFIX}left"
    (left / "nested").mkdir(parents=True)
    (left / "owner.pid").write_text(str(dead.pid), encoding="ascii")
    running = tmp_path / f"{WORKDIR_PREFIX}running"
    running.mkdir()
    (running / "owner.pid").write_text(str(os.getpid()), encoding="ascii")
    other = tmp_path / "something-else"
    other.mkdir()
    assert sweep_workdirs(tmp_path) == [left]
    assert not left.exists()
    assert running.exists()
    assert other.exists()


def _allocate(size: int) -> str:
    try:
        block = bytearray(size)
    except MemoryError:
        return "memory"
    return f"ok {len(block) > 0}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_DATA is Linux's")
@pytest.mark.timeout(60)
def test_a_worker_past_its_memory_budget_fails_that_task_alone() -> None:
    workers: Workers[int, str] = Workers(2, _noop, (), memory_bytes=1 << 30)
    try:
        results = list(workers.map_unordered(_allocate, [1 << 20, 3 << 30], on_crash=str))
    finally:
        workers.close()
    assert sorted(results) == ["memory", "ok True"]


def test_the_time_budget_ends_a_task_and_keeps_an_outer_timer() -> None:
    signal.setitimer(signal.ITIMER_REAL, 30.0)  # an outer timer, such as a test runner's
    try:
        with pytest.raises(OverBudget), time_budget(0.2):
            time.sleep(10)
        with time_budget(5.0):
            pass
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 20.0 < remaining <= 30.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
