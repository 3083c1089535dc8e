"""The importer's worker pool: a worker that dies takes only its own file down."""

from __future__ import annotations

import os

import pytest

from hipstride.library._workers import Workers


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
