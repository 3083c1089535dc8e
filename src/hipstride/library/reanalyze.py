"""Re-analyse stored runs with the current model, profile and maps, on Dask or in this process.

When the hip-load model, a profile or the stored maps change, every stored analysis is out of
date: 6 ms (research.md §C.3) to 12 ms (``benchmarks/bench_reanalyze.py``, baselines and store
included) of CPU per run, so 1.7 to 3.3 CPU-hours for a club's million runs (research.md §C.3,
``../shared/reviews/``, measured the engines). The work is cut into batches of
run ids of one athlete (about 100 runs: small enough to spread, big enough that a task's start
and its transaction cost little), and each batch is a task that opens the store itself
(:func:`hipstride.library._reanalysis.run_batch`). Dask distributed was chosen there as the
smallest and fastest-starting engine whose same code runs on a laptop's ``LocalCluster`` and on
any cluster by address (``Client("tcp://host:8786")``).

The driver sends tasks in a bounded window (a few per worker thread), so a million runs never
become ten thousand futures at once, and gets back only counts. The re-analysis log in the store
(one row per run analysed for a job key) makes a job resumable: a command that was killed, run
again, plans only the runs not logged for the key, and a run is never analysed twice for it.

Without a client the same batches run one after another in this process: the reference the
Dask results are compared with, and the "in-process" figure of the benchmark.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hipstride.errors import InputError
from hipstride.library._reanalysis import (
    BatchResult,
    BatchTask,
    Failure,
    job_key,
    run_batch,
)
from hipstride.library.records import maps_home_of
from hipstride.model.profile import Profile, default_profile

if TYPE_CHECKING:
    from distributed import Client

    from hipstride.library.store import RunStore

__all__ = ["DEFAULT_BATCH", "Failure", "ReanalysisPlan", "ReanalysisReport", "job_key",
           "plan_reanalysis", "reanalyze"]

#: Runs per task (research.md §C.3: 50 to 100 runs a task cost the least).
DEFAULT_BATCH = 100
#: Tasks in flight per worker thread: one running, one queued, one being written back.
TASKS_PER_THREAD = 3


@dataclass(frozen=True)
class ReanalysisPlan:
    """The runs a job still has to analyse, by athlete, and how many were done before."""

    job: str
    todo: dict[str, np.ndarray[Any, np.dtype[np.int64]]]
    skipped: int

    @property
    def total(self) -> int:
        """Runs still to analyse."""
        return sum(len(ids) for ids in self.todo.values())

    def batches(self, size: int) -> Iterator[tuple[str, tuple[int, ...]]]:
        """``(athlete, run ids)`` batches of at most ``size`` runs, each of one athlete."""
        for athlete, ids in self.todo.items():
            for start in range(0, len(ids), size):
                yield athlete, tuple(int(i) for i in ids[start:start + size])


@dataclass
class ReanalysisReport:
    """What a re-analysis did: the job key, runs analysed, already done, failed (with reasons)."""

    job: str
    athletes: list[str]
    engine: str
    analysed: int = 0
    skipped: int = 0
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def runs_per_s(self) -> float:
        """Throughput of this command (analysed runs over its whole time)."""
        return self.analysed / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"job": self.job, "athletes": self.athletes, "engine": self.engine,
                "analysed": self.analysed, "skipped_already_done": self.skipped,
                "failed": [f.to_dict() for f in self.failed], "seconds": round(self.seconds, 3),
                "runs_per_s": round(self.runs_per_s, 1)}


def _athletes(store: RunStore, athletes: Sequence[str] | None) -> list[str]:
    if athletes is None:
        return [a.name for a in store.athletes()]
    names = list(dict.fromkeys(athletes))
    if not names:
        raise InputError("athletes: name at least one athlete")
    return names


def plan_reanalysis(store: RunStore, job: str, athletes: Sequence[str]) -> ReanalysisPlan:
    """The runs of ``athletes`` not yet logged for ``job`` (in id order), and how many are."""
    todo: dict[str, np.ndarray[Any, np.dtype[np.int64]]] = {}
    skipped = 0
    for name in athletes:
        scoped = store if name == store.athlete else store.with_athlete(name)
        try:
            done = scoped.reanalysed_ids(job)
            ids = np.fromiter(scoped.iter_run_ids(), dtype=np.int64)
        finally:
            if scoped is not store:
                scoped.close()
        left = ids[~np.isin(ids, np.fromiter(done, dtype=np.int64, count=len(done)))]
        skipped += len(ids) - len(left)
        if len(left):
            todo[name] = left
    return ReanalysisPlan(job, todo, skipped)


def _failed_batch(task: BatchTask, exc: BaseException) -> BatchResult:
    """A batch whose task raised (a worker that cannot reach the store, other maps): its runs
    are reported, the job goes on, and the next command tries them again."""
    reason = f"the batch failed: {type(exc).__name__}: {exc}"
    return BatchResult(task.athlete, 0, 0,
                       tuple(Failure(task.athlete, i, reason) for i in task.run_ids))


def _serial(tasks: Iterator[BatchTask]) -> Iterator[tuple[BatchTask, BatchResult]]:
    for task in tasks:
        try:
            yield task, run_batch(task)
        except Exception as exc:  # reported per run, as a Dask task's error is
            yield task, _failed_batch(task, exc)


def _on_dask(client: Client, tasks: Iterator[BatchTask],
             window: int) -> Iterator[tuple[BatchTask, BatchResult]]:
    """Results as tasks finish, with at most ``window`` tasks submitted and not yet collected."""
    from distributed import as_completed

    pending: dict[Any, BatchTask] = {}

    def submit(task: BatchTask) -> Any:
        future = client.submit(run_batch, task, pure=False, retries=0)
        pending[future.key] = task
        return future

    queue = as_completed([submit(t) for t in islice(tasks, window)])  # type: ignore[no-untyped-call]
    for future in queue:
        task = pending.pop(future.key)
        try:
            result = future.result()
        except Exception as exc:
            result = _failed_batch(task, exc)
        future.release()
        following = next(tasks, None)
        if following is not None:
            queue.add(submit(following))  # type: ignore[no-untyped-call]
        yield task, result


def _threads(client: Client) -> int:
    info = client.scheduler_info()
    workers = info.get("workers", {}) if isinstance(info, dict) else {}
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))


def reanalyze(store_url: str, *, home: str | os.PathLike[str] | None = None,
              athletes: Sequence[str] | None = None, profile: Profile | None = None,
              client: Client | None = None, batch_size: int = DEFAULT_BATCH,
              progress: Callable[[int], None] | None = None,
              on_plan: Callable[[ReanalysisPlan], None] | None = None) -> ReanalysisReport:
    """Re-analyse the stored runs of ``athletes`` (``None``: every athlete in the database) with
    ``profile`` (default: the shipped one) and the maps in the library's home.

    ``store_url`` is a store's :attr:`~hipstride.library.store.RunStore.url`; every worker opens
    it itself, with ``home`` as its hipstride home (``None``: the worker's own). With a Dask
    ``client`` the batches run on its cluster; without one, here, one after another.
    ``progress`` is called with the number of runs each finished batch covered; ``on_plan``
    once, before the work, with what is left to do.
    """
    from hipstride.library.api import open_store

    if batch_size < 1:
        raise InputError(f"batch size: must be at least 1, got {batch_size}")
    started = time.perf_counter()
    chosen = profile or default_profile()
    home_text = None if home is None else str(Path(home).resolve())
    first = None if athletes is None or not athletes else athletes[0]
    with open_store(store_url, home=home, athlete=first) as store:
        names = _athletes(store, athletes)
        job = job_key(chosen, maps_home_of(store))
        plan = plan_reanalysis(store, job, names)
    if on_plan is not None:
        on_plan(plan)
    report = ReanalysisReport(job, names, "serial" if client is None else "dask",
                              skipped=plan.skipped)
    tasks = (BatchTask(store_url, home_text, name, job, ids, chosen)
             for name, ids in plan.batches(batch_size))
    results = _serial(tasks) if client is None else \
        _on_dask(client, tasks, TASKS_PER_THREAD * _threads(client))
    for task, result in results:
        report.analysed += result.analysed
        report.skipped += result.already_done
        report.failed.extend(result.failures)
        if progress is not None:
            progress(len(task.run_ids))
    report.failed.sort(key=lambda f: (f.athlete, f.run_id))
    report.seconds = time.perf_counter() - started
    return report
