"""A pool of worker processes for the importer that survives a worker dying mid-file.

A file that crashes the process reading it (a fault in a C library, the kernel's out-of-memory
killer) breaks a :class:`~concurrent.futures.ProcessPoolExecutor` and every task in flight with it.
:class:`Workers` then starts a fresh pool, tries the tasks that were in flight one at a time, and
reports the one that kills its worker through ``on_crash``, so the rest of the import goes on.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

__all__ = ["Workers"]

T = TypeVar("T")
R = TypeVar("R")


def _start_method() -> str:
    """``fork`` on Linux while this process has a single thread (workers start at once, with
    every module already imported); ``spawn`` otherwise (a fork beside running threads, such as a
    progress bar's, can deadlock the child; macOS frameworks are not fork-safe)."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


class Workers(Generic[T, R]):
    """``jobs`` worker processes, or this process when ``jobs`` is 1. ``initializer(*initargs)``
    runs once in each."""

    def __init__(self, jobs: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
        self.jobs = max(1, jobs)
        self._initializer = initializer
        self._initargs = initargs
        self._pool: ProcessPoolExecutor | None = None
        if self.jobs == 1:
            initializer(*initargs)

    def _get(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=multiprocessing.get_context(_start_method()),
                initializer=self._initializer, initargs=self._initargs)
        return self._pool

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        """Stop the worker processes."""
        self._restart()

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T],
                      on_crash: Callable[[T], R]) -> Iterator[R]:
        """``fn(task)`` for every task, in completion order, at most ``4 × jobs`` in flight.

        ``fn`` must be a module-level function (it is pickled to the workers). A task whose worker
        dies yields ``on_crash(task)`` instead.
        """
        if self.jobs == 1:
            yield from map(fn, tasks)
            return
        pending: dict[Future[R], T] = {}
        source = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and len(pending) < 4 * self.jobs:
                try:
                    task = next(source)
                except StopIteration:
                    exhausted = True
                    break
                pending[self._get().submit(fn, task)] = task
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            lost: list[T] = []
            for fut in done:
                task = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    lost.append(task)
                    continue
                yield result
            if lost:  # the pool is dead and took every task in flight with it
                lost += pending.values()
                pending.clear()
                self._restart()
                for task in lost:
                    yield self._alone(fn, task, on_crash)

    def _alone(self, fn: Callable[[T], R], task: T, on_crash: Callable[[T], R]) -> R:
        try:
            return self._get().submit(fn, task).result()
        except BrokenProcessPool:
            self._restart()
            return on_crash(task)
