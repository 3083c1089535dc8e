"""A pool of worker processes for the importer that survives a worker dying mid-file.

A file that crashes the process reading it (a fault in a C library, the kernel's out-of-memory
killer) breaks a :class:`~concurrent.futures.ProcessPoolExecutor` and every task in flight with it.
:class:`Workers` then starts a fresh pool, tries the tasks that were in flight one at a time, and
reports the one that kills its worker through ``on_crash``, so the rest of the import goes on.

Workers die with their parent. A ``kill -9`` of the import cannot run any clean-up, and workers
blocked on their task queue used to live on for good. Each worker therefore asks Linux to send it
SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``, through :mod:`ctypes`); elsewhere a
daemon thread polls the parent's pid once a second and exits the worker when it changes.

A memory budget per worker: ``memory_bytes`` caps each worker's heap (``RLIMIT_DATA``), so a file
that needs more fails with :class:`MemoryError` instead of taking the machine's memory.

A time budget per task. :func:`time_budget` arms a timer (``SIGALRM``) around one task, in a worker
or in the main thread of a single-process import; when it fires, :class:`OverBudget` (a
``BaseException``, so that no ``except Exception`` of a reader swallows it) ends the task, and the
caller reports that item alone.

The scratch folder. :func:`workdir` makes an import's temporary folder with its owner's pid inside;
a killed import cannot remove it, so every import first removes the folders whose owner is gone
(:func:`sweep_workdirs`).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Generic, TypeVar

__all__ = ["OverBudget", "Workers", "sweep_workdirs", "time_budget", "workdir"]

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1


class OverBudget(BaseException):
    """A task ran past its time budget (raised from the ``SIGALRM`` handler)."""


def _alarm(signum: int, frame: object) -> None:
    raise OverBudget


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`OverBudget` in the body after ``seconds`` (no limit where ``None``, or where
    no timer can be armed: off the main thread, or without ``SIGALRM``)."""
    armed = (seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
             and threading.current_thread() is threading.main_thread())
    if not armed:
        yield
        return
    assert seconds is not None
    outer, _ = signal.getitimer(signal.ITIMER_REAL)  # someone else's timer (a test runner's)
    if outer and outer <= seconds:
        yield  # theirs fires first: leave it alone
        return
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # put theirs back, less the time spent here
            signal.setitimer(signal.ITIMER_REAL, max(1e-3, outer - (time.monotonic() - started)))


def _die_with(parent: int) -> None:
    """Make this worker end when process ``parent`` does (see the module docstring)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="hipstride-parent-watch", daemon=True).start()


def _start_worker(parent: int, memory_bytes: int | None, initializer: Callable[..., None],
                  *initargs: Any) -> None:
    _die_with(parent)
    if memory_bytes:
        _limit_memory(memory_bytes)
    initializer(*initargs)


def _limit_memory(memory_bytes: int) -> None:
    """Cap this worker's heap (``RLIMIT_DATA``: the private memory it writes, which is what a
    runaway parse grows; address space would also count libraries merely mapped): past it an
    allocation raises :class:`MemoryError`, which fails the task alone."""
    try:
        import resource
    except ImportError:  # not on this platform
        return
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (OSError, ValueError):
        pass


def _start_method() -> str:
    """``fork`` on Linux while this process has a single thread (workers start at once, with
    every module already imported); ``spawn`` otherwise (a fork beside running threads, such as a
    progress bar's, can deadlock the child; macOS frameworks are not fork-safe)."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


class Workers(Generic[T, R]):
    """``jobs`` worker processes, or this process when ``jobs`` is 1. ``initializer(*initargs)``
    runs once in each; ``memory_bytes`` caps each worker's heap."""

    def __init__(self, jobs: int, initializer: Callable[..., None], initargs: tuple[Any, ...], *,
                 memory_bytes: int | None = None) -> None:
        self.jobs = max(1, jobs)
        #: Heap cap of each worker process (none when ``jobs`` is 1: this process is not capped).
        self.memory_bytes = memory_bytes
        self._initializer = initializer
        self._initargs = initargs
        self._pool: ProcessPoolExecutor | None = None
        if self.jobs == 1:
            initializer(*initargs)

    def _get(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=multiprocessing.get_context(_start_method()),
                initializer=_start_worker,
                initargs=(os.getpid(), self.memory_bytes, self._initializer, *self._initargs))
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


#: The temporary folder of an import (nested zips are extracted there) and its owner's pid file.
WORKDIR_PREFIX = "hipstride-import-"
_OWNER = "owner.pid"
#: A folder without an owner file older than this is left over too (s).
_ORPHAN_AGE_S = 86_400.0


def sweep_workdirs(root: Path | None = None) -> list[Path]:
    """Remove the temporary folders of imports that were killed (their owner process is gone);
    return them. Only this user's folders are touched."""
    removed: list[Path] = []
    base = Path(root or tempfile.gettempdir())
    try:
        candidates = list(base.glob(WORKDIR_PREFIX + "*"))
    except OSError:
        return removed
    for folder in candidates:
        try:
            info = folder.lstat()
            if not folder.is_dir() or folder.is_symlink() or info.st_uid != os.getuid():
                continue
            owner = folder / _OWNER
            if owner.exists():
                if _alive(int(owner.read_text(encoding="ascii").strip() or 0)):
                    continue
            elif time.time() - info.st_mtime < _ORPHAN_AGE_S:
                continue  # being set up by an import that has not written its pid yet
        except (OSError, ValueError):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    """A fresh temporary folder for one import, owned by this process (removed on exit, and by
    the next import if this one is killed)."""
    sweep_workdirs()
    with tempfile.TemporaryDirectory(prefix=WORKDIR_PREFIX) as tmp:
        (Path(tmp) / _OWNER).write_text(str(os.getpid()), encoding="ascii")
        yield Path(tmp)
