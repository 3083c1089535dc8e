"""``hipstride import``: bring a runner's whole history into the library.

How an import runs
    1. :func:`~hipstride.library._archives.discover` lists the recordings (files, folders, gzip,
       Strava and Garmin export zips).
    2. Worker processes (``jobs`` of them; :class:`concurrent.futures.ProcessPoolExecutor`) read each
       file, hash its decompressed content (sha256), skip it when the library already has that
       content, and otherwise analyse it and pack its samples. The parent process alone writes.
    3. The parent stores each run in one transaction, so a run is stored whole or not at all and a
       killed import leaves a consistent library; importing again finishes the job.
    4. Analyses whose cadence baseline changed because of the new runs (history imported out of
       order) are analysed again from their stored samples (:func:`refresh_analyses`).

Duplicates (:mod:`hipstride.library._twins`)
    The same content (same hash) is never stored twice. The same run recorded by two devices or
    exported twice in different formats (time ranges mostly overlapping, starts minutes apart) is
    kept once: the richer recording (more sensor channels, then positions, then samples) is
    primary, and both files are listed as the run's sources.

What is a run (:mod:`hipstride.library._pieces`)
    A file holding runs hours apart is split into one run per piece; a recording (or piece) under
    200 m or 2 minutes is a fragment, reported in :attr:`ImportSummary.fragments` and not stored.
    Rides, walks, hikes and swims are stored as cross-training: listed, with no running hip-load
    index. Baselines and load trends count running, untyped recordings included.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hipstride.activity import Activity
from hipstride.analysis.baselines import WINDOW_DAYS, BaselineHistory, CadenceBaseline
from hipstride.analysis.trends import counts_as_running
from hipstride.errors import HipstrideError, ReadError
from hipstride.io import load_bytes, read_activity
from hipstride.library._archives import ImportItem, discover, read_item_bytes
from hipstride.library._pieces import fragment_reason, piece_hash, split_at_gaps
from hipstride.library._twins import store_record
from hipstride.library._workers import OverBudget, Workers, time_budget, workdir
from hipstride.library.records import build_record, maps_home_of, reanalyze
from hipstride.library.store import AnalysisRecord, RunRecord, RunStore, now_utc

__all__ = ["ImportSummary", "import_paths", "stale_analyses", "store_record"]

#: Time one file may take to read and analyse (s); past it the file fails alone with this reason.
#: The longest real recordings here take a few seconds; pathological ones took minutes.
FILE_BUDGET_S = 60.0
#: Heap one worker process may use (bytes); a file that needs more fails alone (the largest
#: recording read, 256 MiB, needs well under 2 GiB; a zip bomb used to need 6 GB).
WORKER_MEMORY_BYTES = 4 << 30

#: Progress callback: (phase, done, total); phase is "import" or "reanalyse".
Progress = Callable[[str, int, int], None]


@dataclass
class ImportSummary:
    """The outcome of one import (``fragments``: ``(file, reason)`` of each piece too short to
    be a run; nothing of it is stored)."""

    imported: int = 0
    duplicates: int = 0
    #: Of the duplicates: recordings of a run already stored from another file or device.
    other_sources: int = 0
    reanalysed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    fragments: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``hipstride import --json``."""
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "other_sources": self.other_sources,
            "reanalysed": self.reanalysed,
            "failed": [{"file": f, "error": e} for f, e in self.failed],
            "warnings": [{"file": f, "warning": w} for f, w in self.warnings],
            "ignored": self.ignored,
            "fragments": [{"file": f, "reason": r} for f, r in self.fragments],
        }


@dataclass(frozen=True)
class _Parsed:
    label: str
    records: list[RunRecord]  # one per run in the file (see library/_pieces.py)
    warnings: list[str]
    fragments: list[str] = field(default_factory=list)  # why each piece left out was


@dataclass(frozen=True)
class _Duplicate:
    label: str


@dataclass(frozen=True)
class _Failed:
    label: str
    error: str


_Result = _Parsed | _Duplicate | _Failed

# -- worker side ----------------------------------------------------------------------------------
_KNOWN: frozenset[str] = frozenset()
_HISTORY: BaselineHistory | None = None
_BUDGET_S: float | None = FILE_BUDGET_S
_MAPS_HOME: str | None = None   # the library's home, whose stored maps give runs their surface


def _init_worker(known: frozenset[str], history: BaselineHistory | None,
                 budget_s: float | None = FILE_BUDGET_S, maps_home: str | None = None) -> None:
    global _KNOWN, _HISTORY, _BUDGET_S, _MAPS_HOME
    _KNOWN, _HISTORY, _BUDGET_S, _MAPS_HOME = known, history, budget_s, maps_home


def _apply_hints(item: ImportItem, activity: Activity) -> None:
    """Fill in what an export's index knows and the file does not (name, sport)."""
    if item.sport and activity.sport in ("unknown", "generic", "", None):
        activity.sport = item.sport
        if item.sub_sport and activity.sub_sport in (None, "generic"):
            activity.sub_sport = item.sub_sport
    if item.name:
        activity.name = item.name


def _import_task(item: ImportItem) -> _Result:
    """Read, hash and analyse one item (runs in a worker process), within the time budget."""
    try:
        with time_budget(_BUDGET_S):
            return _read_item(item)
    except OverBudget:
        return _Failed(item.label, f"took over {_BUDGET_S:g} s to read and analyse (the time "
                                   "budget per file): not imported")


def _read_item(item: ImportItem) -> _Result:
    try:
        data, _ = load_bytes(read_item_bytes(item), name=item.label)
        sha = hashlib.sha256(data).hexdigest()
        if sha in _KNOWN:
            return _Duplicate(item.label)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            activity = read_activity(data, name=item.label)
            _apply_hints(item, activity)
            records, fragments = [], []
            pieces = split_at_gaps(activity)
            for n, piece in enumerate(pieces):
                baseline = (_HISTORY.cadence_baseline_at(piece.start_time_utc)
                            if _HISTORY is not None and not piece.time_is_relative else None)
                record = build_record(piece, label=item.label, content_sha256=piece_hash(sha, n, len(pieces)),
                                      baseline=baseline, maps_home=_MAPS_HOME)
                if (reason := fragment_reason(record)) is None:
                    records.append(record)
                else:
                    fragments.append(reason if piece is activity else f"{piece.name}: {reason}")
        notes = [str(w.message).removeprefix(f"{item.label}: ") for w in caught
                 if issubclass(w.category, UserWarning)]
        return _Parsed(item.label, records, notes, fragments)
    except ReadError as exc:
        return _Failed(item.label, exc.problem)
    except MemoryError:
        return _Failed(item.label, f"needs more than {WORKER_MEMORY_BYTES >> 30} GiB of memory "
                                   "(the memory budget per worker): not imported")
    except HipstrideError as exc:
        return _Failed(item.label, str(exc).removeprefix(f"{item.label}: "))
    except Exception as exc:  # a bug must not stop the rest of the import
        return _Failed(item.label, f"internal error: {type(exc).__name__}: {exc}")


_Reanalysis = tuple[int, bytes, CadenceBaseline | None]


def _reanalyze_task(batch: list[_Reanalysis]) -> list[tuple[int, AnalysisRecord | str]]:
    """Analyze a few stored runs again (runs in a worker process)."""
    out: list[tuple[int, AnalysisRecord | str]] = []
    for run_id, blob, baseline in batch:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append((run_id, reanalyze(blob, baseline, run=f"run {run_id}",
                                              maps_home=_MAPS_HOME)))
        except Exception as exc:
            out.append((run_id, f"{type(exc).__name__}: {exc}"))
    return out


# -- parent side ----------------------------------------------------------------------------------
def stale_analyses(store: RunStore) -> Iterator[tuple[int, CadenceBaseline | None]]:
    """Runs whose stored analysis used another cadence baseline than their history now gives,
    with that baseline (lazily: each is found as it is asked for)."""
    for run_id, baseline, changed in _baseline_checks(store):
        if changed:
            yield run_id, baseline


def _baseline_checks(store: RunStore) -> Iterator[tuple[int, CadenceBaseline | None, bool]]:
    """``(run_id, baseline, changed)`` for every run whose cadence baseline may have moved.

    Only runs with a run stored in their look-back window after the library state their baseline
    came from can have changed, so only those have their baseline computed again.
    """
    states = store.analysis_states()
    runs = [r for r in store.list_runs() if r.start_time_utc is not None and not r.time_is_relative]
    history: BaselineHistory | None = None
    window = timedelta(days=WINDOW_DAYS)
    latest: deque[tuple[datetime, str]] = deque()  # (start, imported_at), imported_at decreasing
    for i, run in enumerate(runs):  # in start order: a sliding window of the runs before this one
        assert run.start_time_utc is not None
        start = run.start_time_utc
        if i > 0:
            prev = runs[i - 1]
            assert prev.start_time_utc is not None
            imported = states[prev.id].imported_at_utc if prev.id in states else ""
            while latest and latest[-1][1] <= imported:
                latest.pop()
            latest.append((prev.start_time_utc, imported))
        while latest and latest[0][0] < start - window:
            latest.popleft()
        state = states.get(run.id)
        if (state is None or not counts_as_running(run.sport) or "cadence_spm" not in run.channels
                or not latest or latest[0][1] <= state.baseline_as_of_utc):
            continue
        if history is None:
            history = BaselineHistory(store.form_minutes())
        baseline = history.cadence_baseline_at(start, exclude_run=run.id)
        yield run.id, baseline, state.baseline_signature != (baseline.signature if baseline else "")


#: Re-analyses sent to a worker at once, and committed in one transaction (they only replace
#: derived data, so a killed import loses nothing that the next one does not redo).
REANALYSIS_BATCH = 8


def refresh_analyses(store: RunStore, *, workers: Workers[Any, Any] | None = None,
                     progress: Progress | None = None) -> int:
    """Analyse again every run whose cadence baseline changed; return how many were updated."""
    if workers is None:
        workers = Workers(1, _init_worker, (frozenset(), None, FILE_BUDGET_S, maps_home_of(store)))
    as_of = now_utc()
    candidates = sum(1 for r in store.list_runs()
                     if counts_as_running(r.sport) and "cadence_spm" in r.channels)

    unchanged: list[int] = []

    def batches() -> Iterator[list[_Reanalysis]]:
        batch: list[_Reanalysis] = []
        for run_id, baseline, changed in _baseline_checks(store):
            if not changed:
                unchanged.append(run_id)
                continue
            blob = store.get_samples(run_id)
            if blob is not None:
                batch.append((run_id, blob, baseline))
            if len(batch) >= (REANALYSIS_BATCH if workers.jobs > 1 else 1):
                yield batch
                batch = []
        if batch:
            yield batch

    done = 0
    def crashed(batch: list[_Reanalysis]) -> list[tuple[int, AnalysisRecord | str]]:
        return [(run_id, "the worker process crashed") for run_id, _, _ in batch]

    for results in workers.map_unordered(_reanalyze_task, batches(), crashed):
        with store.transaction():
            for run_id, result in results:
                if isinstance(result, AnalysisRecord):
                    store.update_analysis(run_id, replace(result, baseline_as_of_utc=as_of))
        done += len(results)
        if progress:
            progress("reanalyse", done, max(done, candidates))
    with store.transaction():  # checked and still right: no need to check them again
        store.mark_baseline_current(unchanged, as_of)
    return done


def import_paths(store: RunStore, paths: Iterable[str | os.PathLike[str]], *,
                 jobs: int | None = None, progress: Progress | None = None,
                 file_budget_s: float | None = FILE_BUDGET_S) -> ImportSummary:
    """Import every recording under ``paths`` into ``store`` (see the module docstring).

    Parameters
    ----------
    jobs
        Worker processes for reading and analysing (default: ``os.cpu_count()``); 1 works in
        this process.
    progress
        Called as ``progress(phase, done, total)`` after each file (phase ``"import"``) and each
        re-analysis (phase ``"reanalyse"``).
    file_budget_s
        Seconds one file may take to read and analyse; a file over it fails alone, with that
        reason (``None``: no limit).
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    summary = ImportSummary()
    with workdir() as tmp:
        found = discover([Path(p) for p in paths], Path(tmp))
        summary.failed += found.failed
        summary.ignored += found.ignored
        as_of = now_utc()  # the baselines the workers use reflect the library as of now
        known = frozenset(store.known_hashes())
        history = BaselineHistory(store.form_minutes())
        jobs = min(jobs, max(1, len(found.items)))
        if jobs > 1:  # forked workers then start with the readers already imported
            for module in ("hipstride.io.fit", "hipstride.io.gpx", "hipstride.io.tcx"):
                importlib.import_module(module)
        workers: Workers[Any, Any] = Workers(jobs, _init_worker, (known, history, file_budget_s,
                                                                  maps_home_of(store)),
                                             memory_bytes=WORKER_MEMORY_BYTES)
        try:
            total = len(found.items)
            # largest first, so that no worker is left with a long file at the end
            items = sorted(found.items, key=lambda i: -i.size)
            if progress:
                progress("import", 0, total)
            for n, result in enumerate(workers.map_unordered(_import_task, items, _crashed), 1):
                _tally(store, result, summary, as_of)
                if progress:
                    progress("import", n, total)
            summary.reanalysed = refresh_analyses(store, workers=workers, progress=progress)
        finally:
            workers.close()
            _init_worker(frozenset(), None)
    return summary


def _crashed(item: ImportItem) -> _Result:
    return _Failed(item.label, "the process reading it crashed (out of memory, or a fault in a "
                               "decoder)")


def _tally(store: RunStore, result: _Result, summary: ImportSummary, as_of: str) -> None:
    if isinstance(result, _Failed):
        summary.failed.append((result.label, result.error))
    elif isinstance(result, _Duplicate):
        summary.duplicates += 1
    else:
        summary.warnings += [(result.label, w) for w in result.warnings]
        summary.fragments += [(result.label, why) for why in result.fragments]
        for record in result.records:
            try:
                outcome = store_record(store, replace(
                    record, analysis=replace(record.analysis, baseline_as_of_utc=as_of)))
            except (UnicodeError, ValueError, OverflowError) as exc:  # this item's data
                summary.failed.append((result.label, f"cannot be stored ({type(exc).__name__}: {exc})"))
                return
            if outcome == "imported":
                summary.imported += 1
            else:
                summary.duplicates += 1
                summary.other_sources += outcome == "other_source"

