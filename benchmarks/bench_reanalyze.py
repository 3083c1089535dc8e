#!/usr/bin/env python
"""Benchmark: re-analysis throughput in this process (serial) against a local Dask cluster.

Standalone (no pytest, no benchmark framework)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_reanalyze.py [--runs 2000] [--workers 2]
        [--batch 100] [--athletes 4] [--repeat 1] [--keep DIR]

It imports the real running recordings of ``../shared/data`` (FIT, GPX, TCX) once and fills a
library with about ``--runs`` copies of them under ``--athletes`` athletes (each copy moved a day
later than the one before, so that cadence baselines are real). Then it re-analyses the whole
library with a changed profile (``[downhill] per_pct = 0.09``), from a fresh copy of the library
file each time: once with the serial loop of :func:`hipstride.library.reanalyze.reanalyze` (no
client), once on ``LocalCluster(n_workers=--workers, threads_per_worker=1)``. It prints runs per
second for both, the cluster's start-up apart, and their ratio; it reports and never asserts.

On 2 shared cores, two worker processes give at most two cores' worth; the issue expects about
one core of throughput more than serial at best, and less on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # tests.reanalysis_support builds the library

from tests.reanalysis_support import (  # noqa: E402
    build_club,
    import_real_runs,
    library_url,
    steeper_profile,
)

from hipstride.library.api import open_store  # noqa: E402
from hipstride.library.reanalyze import ReanalysisReport, reanalyze  # noqa: E402
from hipstride.model.profile import load_profile  # noqa: E402

DATA = Path(os.environ.get("HIPSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
FOLDERS = ("fit", "gpx", "tcx")


def build(root: Path, runs: int, athletes: int) -> tuple[Path, list[str], int]:
    """The library to re-analyse (``root/club``), its athletes and its number of runs."""
    template = root / "template"
    import_real_runs(template, [DATA / f for f in FOLDERS])
    with open_store(home=template) as store:
        per_copy = len(store.list_runs())
    names = [f"athlete-{i:03d}" for i in range(athletes)]
    copies = max(1, round(runs / (per_copy * athletes)))
    total = build_club(template, root / "club", names, copies)
    return root / "club", names, total


def reuse(club: Path) -> tuple[Path, list[str], int]:
    """A library built by an earlier run kept with ``--keep``."""
    with open_store(home=club) as store:
        names = [a.name for a in store.athletes()]
    total = 0
    for name in names:
        with open_store(home=club, athlete=name) as scoped:
            total += sum(1 for _ in scoped.iter_run_ids())
    return club, names, total


def fresh(club: Path, root: Path, label: str) -> Path:
    """A copy of the library that no re-analysis has touched."""
    home = root / label
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    shutil.copy2(club / "library.sqlite", home / "library.sqlite")
    return home


def run_serial(home: Path, athletes: list[str], profile_path: Path, batch: int) -> ReanalysisReport:
    url = library_url(home)
    return reanalyze(url, home=home, athletes=athletes, profile=load_profile(profile_path),
                     batch_size=batch)


def run_dask(home: Path, athletes: list[str], profile_path: Path, batch: int,
             workers: int) -> tuple[ReanalysisReport, float]:
    from hipstride.library._dask import dask_client

    url = library_url(home)
    started = time.perf_counter()
    with dask_client(workers=workers) as client:
        start_up = time.perf_counter() - started
        report = reanalyze(url, home=home, athletes=athletes, profile=load_profile(profile_path),
                           client=client, batch_size=batch)
    return report, start_up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--athletes", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path,
                        help="keep the libraries in this folder (and reuse the one built there)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-reanalyze-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}, "
          f"{os.cpu_count()} CPU(s)")
    began = time.perf_counter()
    if (root / "club" / "library.sqlite").is_file():  # kept from an earlier run (--keep)
        club, athletes, total = reuse(root / "club")
    else:
        club, athletes, total = build(root, args.runs, args.athletes)
    print(f"library: {total} runs (copies of the real runs) under {len(athletes)} athletes, "
          f"ready in {time.perf_counter() - began:.0f} s")
    profile_path = steeper_profile(root)
    serial: list[float] = []
    dask: list[float] = []
    for i in range(args.repeat):
        s = run_serial(fresh(club, root, "serial"), athletes, profile_path, args.batch)
        serial.append(s.analysed / s.seconds)
        print(f"[{i + 1}] serial:              {s.analysed} runs in {s.seconds:6.2f} s = "
              f"{serial[-1]:6.1f} runs/s (failed {len(s.failed)})")
        d, start_up = run_dask(fresh(club, root, "dask"), athletes, profile_path, args.batch,
                               args.workers)
        dask.append(d.analysed / d.seconds)
        print(f"[{i + 1}] Dask LocalCluster({args.workers}): {d.analysed} runs in {d.seconds:6.2f} s = "
              f"{dask[-1]:6.1f} runs/s (failed {len(d.failed)}; cluster start-up "
              f"{start_up:.1f} s more, {d.analysed / (d.seconds + start_up):.1f} runs/s with it)")
    print(f"best: serial {max(serial):.1f} runs/s, Dask {max(dask):.1f} runs/s, "
          f"ratio Dask/serial {max(dask) / max(serial):.2f}")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
