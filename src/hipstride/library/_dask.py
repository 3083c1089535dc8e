"""The Dask client a re-analysis runs on: a local cluster, a cluster by address, or this process.

A local cluster has one single-threaded worker process per core (``threads_per_worker=1``): the
analysis is NumPy over short arrays, which holds the GIL most of the time, so processes, not
threads, give the parallelism (research.md §C.3 measured ``LocalCluster(n_workers=2,
threads_per_worker=1)``). Dask's nanny starts workers with one BLAS thread each. No dashboard is
started (it would need a free port and bokeh). Distributed is imported only here, when a
re-analysis asks for it: it costs a second of start-up that no other command should pay.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from hipstride.errors import InputError

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["MAX_LOCAL_WORKERS", "dask_client", "default_workers"]

#: The most worker processes a local cluster starts by default (each holds about 100 MB).
MAX_LOCAL_WORKERS = 8
#: How long to wait for a scheduler given by address (s).
CONNECT_TIMEOUT_S = 20


def default_workers() -> int:
    """One worker per CPU core this process may use, at most :data:`MAX_LOCAL_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_LOCAL_WORKERS))


@contextmanager
def dask_client(*, scheduler: str | None = None, workers: int | None = None,
                in_process: bool = False) -> Iterator[Client]:
    """A client on the cluster at ``scheduler`` (e.g. ``"tcp://10.0.0.5:8786"``), else on a new
    local cluster of ``workers`` processes (default :func:`default_workers`), or with
    ``in_process`` on threads of this process (for tests); closed (and the local cluster
    stopped) on exit."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"scheduler {scheduler}: cannot connect ({exc})") from None
        try:
            yield client
        finally:
            client.close()  # type: ignore[no-untyped-call]
        return
    if in_process:
        with Client(processes=False, n_workers=1,  # type: ignore[no-untyped-call]
                    threads_per_worker=workers or 1, dashboard_address=None) as client:
            yield client
        return
    count = workers or default_workers()
    if count < 1:
        raise InputError(f"workers: must be at least 1, got {count}")
    with LocalCluster(n_workers=count,  # type: ignore[no-untyped-call]
                      threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client
