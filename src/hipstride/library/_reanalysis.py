"""One batch of a re-analysis job: what a Dask task (or the serial loop) does with a few run ids.

A re-analysis job is named by its **job key**, a hash of everything a stored analysis depends on
besides the run's own samples: the hip-load model's version, the analysis document's schema
version, the profile's every value, and the stored maps (name and ``created_utc``) that runs are
matched against. Re-analysing with the same key again would give the same documents, so the key
is what the store's re-analysis log is kept by: a run logged for a key is done for that key.

A batch is analysed exactly as the library does in-process (:func:`hipstride.library.api.refresh_run`):
the runner's sport label, the cadence baseline of the run's date (one
:class:`~hipstride.analysis.baselines.BaselineHistory` per batch, from the athlete's form minutes,
leaving the run itself out), and the stored map that covers the run best. The analyses and the
log rows of a batch are written in one transaction, after checking inside it which of its runs
were logged meanwhile (a task that Dask ran twice because its worker died after committing, or
two commands on one job): so a run is analysed once per job, whatever was killed when.

A task is given the store's address, never samples: the worker opens the store itself, reads
its runs' blobs and returns only counts and the reasons runs failed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from hipstride.analysis.result import SCHEMA_VERSION
from hipstride.errors import HipstrideError, StorageError
from hipstride.library.records import maps_home_of
from hipstride.library.store import AnalysisRecord, RunStore, now_utc
from hipstride.model.hipload import MODEL_VERSION
from hipstride.model.profile import Profile

__all__ = ["BatchResult", "BatchTask", "Failure", "analyse_runs", "job_key", "run_batch",
           "write_batch"]

#: Changes when the meaning of a job key changes (what goes into it).
JOB_FORMAT = 1


@dataclass(frozen=True)
class Failure:
    """A run that could not be analysed again, and why (its samples are damaged, it was deleted)."""

    athlete: str
    run_id: int
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"athlete": self.athlete, "run_id": self.run_id, "reason": self.reason}


@dataclass(frozen=True)
class BatchTask:
    """What a worker needs for one batch: where the store is, whose runs, which, and with what."""

    store_url: str
    home: str | None
    athlete: str
    job: str
    run_ids: tuple[int, ...]
    profile: Profile


@dataclass(frozen=True)
class BatchResult:
    """What a batch sends back: counts and failures only (never samples or documents)."""

    athlete: str
    analysed: int
    already_done: int
    failures: tuple[Failure, ...]


def job_inputs(profile: Profile, maps_home: str | Path | None) -> dict[str, object]:
    """What the job key hashes (see the module docstring); ``maps_home`` as for
    :func:`hipstride.map.store.list_maps` (``None``: the hipstride home)."""
    from hipstride.map.store import list_maps

    maps = [[m.name, m.meta.get("created_utc")] for m in list_maps(maps_home)]
    return {"job_format": JOB_FORMAT, "model_version": MODEL_VERSION,
            "schema_version": SCHEMA_VERSION, "profile": profile.to_dict(), "maps": maps}


def job_key(profile: Profile, maps_home: str | Path | None) -> str:
    """The key of a re-analysis with ``profile`` against the maps stored in ``maps_home``."""
    text = json.dumps(job_inputs(profile, maps_home), sort_keys=True, separators=(",", ":"))
    return "r1-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def analyse_runs(store: RunStore, run_ids: tuple[int, ...] | list[int], profile: Profile, *,
                 athlete: str = "") -> tuple[list[tuple[int, AnalysisRecord]], list[Failure]]:
    """Analyse runs of ``store`` again with ``profile`` (nothing is written); a run that cannot be
    analysed (damaged samples, gone) is a :class:`Failure`, not an error."""
    from hipstride.analysis.baselines import BaselineHistory
    from hipstride.analysis.trends import counts_as_running
    from hipstride.library.records import reanalyze

    as_of = now_utc()
    home = maps_home_of(store)
    history: BaselineHistory | None = None
    done: list[tuple[int, AnalysisRecord]] = []
    failures: list[Failure] = []
    for run_id in run_ids:
        run = store.get_run(run_id)
        blob = store.get_samples(run_id) if run is not None else None
        if run is None or blob is None:
            failures.append(Failure(athlete, run_id, "no longer in the library" if run is None
                                    else "no stored samples"))
            continue
        baseline = None
        if ("cadence_spm" in run.channels and counts_as_running(run.sport)
                and not run.time_is_relative and run.start_time_utc is not None):
            if history is None:  # the athlete's form minutes, read once per batch
                history = BaselineHistory(store.form_minutes())
            baseline = history.cadence_baseline_at(run.start_time_utc, exclude_run=run_id)
        try:
            record = reanalyze(blob, baseline, run=f"run {run_id}", profile=profile,
                               maps_home=home, sport=run.sport)
        except HipstrideError as exc:  # damaged samples, or nothing left to analyse
            failures.append(Failure(athlete, run_id, str(exc)))
            continue
        done.append((run_id, replace(record, baseline_as_of_utc=as_of)))
    return done, failures


def write_batch(store: RunStore, job: str, records: list[tuple[int, AnalysisRecord]]) -> int:
    """Store the analyses of runs not yet logged for ``job`` and log them, in one transaction;
    return how many were written (the rest were logged meanwhile by another task)."""
    with store.transaction():
        logged = store.reanalysed_ids(job, among=[run_id for run_id, _ in records])
        fresh = [(run_id, record) for run_id, record in records if run_id not in logged]
        for run_id, record in fresh:
            store.update_analysis(run_id, record)
        if fresh:
            store.record_reanalysis(job, [run_id for run_id, _ in fresh])
    return len(fresh)


def run_batch(task: BatchTask) -> BatchResult:
    """One batch, start to end: open the store, check the job key against this machine's maps,
    analyse, write. Runs on a Dask worker (or in the serial loop)."""
    from hipstride.library.api import open_store

    with open_store(task.store_url, home=task.home, athlete=task.athlete) as store:
        here = job_key(task.profile, maps_home_of(store))
        if here != task.job:
            where = maps_home_of(store) or "the hipstride home"
            raise StorageError(f"{Path(where) / 'maps'}: the stored maps differ from those the "
                               "re-analysis was planned with (every worker needs the same maps)")
        records, failures = analyse_runs(store, task.run_ids, task.profile, athlete=task.athlete)
        written = write_batch(store, task.job, records) if records else 0
    return BatchResult(task.athlete, written, len(records) - written, tuple(failures))
