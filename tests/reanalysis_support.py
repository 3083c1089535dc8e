"""Helpers for the re-analysis tests and benchmark: a club library of copies of real runs.

Real recordings from ``../shared/data`` are imported once into a template library; a club is
then made of copies of those runs under several athletes, each copy moved ``k`` days later (so
that an athlete's copies build a cadence history, and re-analysis meets real baselines) and given
its own content hash. A copy is rebuilt from the stored samples with the library's own
:func:`~hipstride.library.records.build_record`, which is far quicker than reading the files
again (no tests here).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hipstride.library.api import open_store
from hipstride.library.codec import unpack_activity
from hipstride.library.importer import import_paths
from hipstride.library.records import build_record, reanalyze
from hipstride.library.store import RunStore
from hipstride.model.profile import Profile

__all__ = [
    "REAL_RUNS",
    "build_club",
    "import_real_runs",
    "kill_midway",
    "real_runs_home",
    "reference_analyses",
    "steeper_profile",
    "stored_analyses",
]

#: Real runs of every format, with and without cadence and positions (one has relative times).
REAL_RUNS = (
    "fit/runpandas__run.fit", "fit/elevate__20171011_run_2088390344.fit",
    "fit/fitparse__sample_mulitple_header.fit", "fit/fitparse__compressed-speed-distance.fit",
    "gpx/elevate__20171008_run_2067489619.gpx", "gpx/runpandas__nike_run.gpx",
    "gpx/elevate__20170319_run_906581465.gpx",
    "tcx/runpandas__basic.tcx", "tcx/elevate__20181021_run_3106033902.tcx",
    "tcx/runpandas__run_garmin.tcx", "tcx/runpandas__11km.tcx",
)


@pytest.fixture(scope="module")
def real_runs_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library of the real recordings of :data:`REAL_RUNS` for the default athlete, made once
    per test module (a fixture registered in ``tests/conftest.py``)."""
    from tests.conftest import data_path

    home = tmp_path_factory.mktemp("real-runs")
    import_real_runs(home, [data_path(p) for p in REAL_RUNS])
    return home


def kill_midway(command: list[str], env: dict[str, str], logged: Callable[[], int],
                total: int) -> int:
    """Start ``command`` in its own session, ``kill -9`` it and every process it started once
    ``logged()`` (the re-analysis log's rows) reaches 8, and return the rows logged by then,
    checked to be some but not all of ``total``."""
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, rows = time.monotonic() + 120, 0
        while time.monotonic() < deadline and first.poll() is None:
            rows = logged()
            if rows >= 8:
                break
            time.sleep(0.01)
        os.killpg(first.pid, signal.SIGKILL)  # the driver and its cluster, mid-job
    finally:
        first.wait(30)
    assert 0 < rows < total, f"the job was not stopped mid-way ({rows} of {total} logged)"
    return rows


def library_url(home: Path) -> str:
    """The address of the library in ``home`` (``sqlite:`` and its file), as workers get it."""
    with open_store(home=home) as store:
        return store.url


def import_real_runs(home: Path, paths: Iterable[Path]) -> None:
    """Import recordings into the default athlete's library in ``home``."""
    with open_store(home=home) as store:
        import_paths(store, list(paths), jobs=1)


def build_club(template_home: Path, home: Path, athletes: Sequence[str], copies: int) -> int:
    """Fill the library in ``home`` with ``copies`` copies of every run of the template's
    default athlete for each of ``athletes``; return how many runs it holds."""
    with open_store(home=template_home) as source:
        runs = [(r, source.get_samples(r.id), source.get_sources(r.id)[0])
                for r in source.list_runs()]
    stored = 0
    for name in athletes:
        with open_store(home=home, athlete=name) as store, store.transaction(), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for k in range(copies):
                for run, blob, primary in runs:
                    assert blob is not None
                    activity = unpack_activity(blob)
                    activity.sport = run.sport
                    if activity.start_time_utc is not None:
                        activity.start_time_utc += timedelta(days=k)
                    sha = hashlib.sha256(f"{primary.content_sha256}:{k}".encode()).hexdigest()
                    store.add_run(build_record(activity, label=f"copy-{k}/{primary.file_path}",
                                               content_sha256=sha, baseline=None))
                    stored += 1
    return stored


def steeper_profile(folder: Path) -> Path:
    """A profile file whose descents weigh more than the shipped profile's."""
    path = folder / "steeper.toml"
    path.write_text('[profile]\nname = "steeper"\n\n[downhill]\nper_pct = 0.09\n', encoding="utf-8")
    return path


def reference_analyses(store: RunStore, profile: Profile) -> dict[int, tuple[Any, str]]:
    """Each run's analysis as the library makes it in-process, one run at a time: the run's
    sport, the cadence baseline of its date and the stored maps (the analysis document and
    the baseline signature) by run id."""
    from hipstride.library.api import _baseline_for
    from hipstride.library.records import maps_home_of

    out = {}
    for run in store.list_runs():
        blob = store.get_samples(run.id)
        assert blob is not None
        baseline = _baseline_for(store, run.id) if "cadence_spm" in run.channels else None
        record = reanalyze(blob, baseline, run=f"run {run.id}", profile=profile,
                           maps_home=getattr(store, "maps_home", None) or maps_home_of(store),
                           sport=run.sport)
        out[run.id] = (json.loads(record.analysis_json), record.baseline_signature)
    return out


def stored_analyses(store: RunStore) -> dict[int, tuple[Any, str]]:
    """What the store holds: ``(analysis document, baseline signature)`` by run id."""
    out = {}
    for run_id in store.iter_run_ids():
        stored = store.get_analysis(run_id)
        assert stored is not None
        out[run_id] = stored
    return out

