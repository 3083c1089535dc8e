"""What the ``hipstride`` commands ask of the library: open it, show, delete or relabel a run, the
trends document.

A relabelled sport is the runner's word on what a recording was (a phone's untyped GPX that was a
walk, a ride logged as a run): it is stored beside the recording's own sport and wins over it
everywhere a run's sport is read (the listing, weekly load, the daily decision, baselines).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hipstride._home import home_dir
from hipstride.errors import InputError, StorageError
from hipstride.library.sqlite import LIBRARY_FILE, SQLiteStore
from hipstride.library.store import DEFAULT_ATHLETE, RunStore, now_utc
from hipstride.model.hipload import MODEL_VERSION

if TYPE_CHECKING:
    from hipstride.analysis.baselines import CadenceBaseline
    from hipstride.analysis.run import RunAnalysis

__all__ = ["SPORTS", "delete_run", "library_path", "open_library", "open_store", "rebuild_analysis",
           "refresh_for_maps", "refresh_run", "relabel_run", "show_run", "trends_document"]

#: The sports a run can be relabelled as.
SPORTS = ("running", "walking", "hiking", "cycling", "swimming", "training", "other")


def library_path(home: str | os.PathLike[str] | None = None) -> Path:
    """``HOME/library.sqlite`` (see :func:`hipstride._home.home_dir` for HOME)."""
    return home_dir(home) / LIBRARY_FILE


def open_library(home: str | os.PathLike[str] | None = None) -> SQLiteStore:
    """Open (creating and migrating when needed) the run library in the hipstride home."""
    return SQLiteStore(library_path(home))


#: URL schemes of a PostgreSQL server (libpq's).
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(db: str | None = None, *, home: str | os.PathLike[str] | None = None,
               athlete: str | None = None) -> RunStore:
    """Open a run library for one athlete, creating and migrating it when needed.

    ``db`` is where: ``None`` for ``$HIPSTRIDE_DB``, and without that the SQLite file in the
    hipstride home; ``sqlite:PATH`` (or ``sqlite:///ABSOLUTE``, or a plain path) for a SQLite
    file; ``postgresql://…`` for a PostgreSQL server, whose runs are matched against the maps
    of ``home``. ``athlete`` is whose data: ``None`` for ``$HIPSTRIDE_ATHLETE``, and without
    that :data:`~hipstride.library.store.DEFAULT_ATHLETE`.

    Raises
    ------
    InputError
        For an empty athlete name or a database address of another kind.
    StorageError
        When the database cannot be opened.
    """
    where = db if db is not None else os.environ.get("HIPSTRIDE_DB") or None
    who = (athlete if athlete is not None else os.environ.get("HIPSTRIDE_ATHLETE")
           or DEFAULT_ATHLETE).strip()
    if not who or len(who) > 200 or not who.isprintable():
        raise InputError(f"athlete: {who!r} is not a name (1 to 200 printable characters)")
    if where is None:
        return SQLiteStore(library_path(home), athlete=who)
    if where.startswith(_POSTGRES_SCHEMES):
        from hipstride.library.postgres import PostgresStore

        return PostgresStore(where, athlete=who, maps_home=str(home_dir(home)))
    if "://" in where and not where.startswith("sqlite:"):
        scheme = where.split("://", 1)[0]
        raise InputError(f"database: {scheme}:// is not a kind hipstride stores in "
                         "(use sqlite:PATH or postgresql://…)")
    path = where.removeprefix("sqlite:")
    if path.startswith("//"):
        path = path[2:]
    if not path:
        raise InputError("database: sqlite: needs the path of the library file")
    return SQLiteStore(Path(path).expanduser(), athlete=who)


def _baseline_for(store: RunStore, run_id: int) -> CadenceBaseline | None:
    from hipstride.analysis.baselines import BaselineHistory
    from hipstride.analysis.trends import counts_as_running

    run = store.get_run(run_id)
    if (run is None or not counts_as_running(run.sport) or run.time_is_relative
            or run.start_time_utc is None):
        return None
    return BaselineHistory(store.form_minutes()).cadence_baseline_at(run.start_time_utc,
                                                                      exclude_run=run_id)


def _require(store: RunStore, run_id: int) -> None:
    if store.get_run(run_id) is None:
        raise InputError(f"no run with id {run_id} in the library (see `hipstride runs`)")


def delete_run(store: RunStore, run_id: int) -> None:
    """Remove run ``run_id`` and all that is stored for it, in one transaction (a journal entry
    about it keeps its other fields).

    Raises
    ------
    InputError
        When the library holds no run with that id (nothing is changed).
    """
    with store.transaction():
        if not store.delete_run(run_id):
            raise InputError(f"no run with id {run_id} in the library (see `hipstride runs`)")


def relabel_run(store: RunStore, run_id: int, sport: str) -> str:
    """Record that run ``run_id`` was ``sport`` (one of :data:`SPORTS`); return the sport it had.

    Raises
    ------
    InputError
        For a sport not in :data:`SPORTS`, or when the library holds no run with that id.
    """
    name = sport.strip().lower()
    if name not in SPORTS:
        raise InputError(f"sport: unknown sport {sport!r}; use one of: {', '.join(SPORTS)}")
    run = store.get_run(run_id)
    if run is None:
        raise InputError(f"no run with id {run_id} in the library (see `hipstride runs`)")
    with store.transaction():
        store.set_sport_label(run_id, name)
    # analysed as what it was (a ride gets no running index); with damaged samples the label
    # stands all the same, and the listing honours it
    with contextlib.suppress(StorageError):
        refresh_run(store, run_id)
    return run.sport


def _map_now(store: RunStore, run_id: int, doc: dict[str, Any]) -> bool:
    """Whether the stored map a run's analysis used is still the one that covers it best."""
    from hipstride.library.records import maps_home_of
    from hipstride.map.store import list_maps

    used = doc.get("surface", {}).get("map")
    home = maps_home_of(store)
    maps = {m.name: m for m in list_maps(home)}
    if used is None and not maps:
        return True
    if not doc.get("activity", {}).get("has_positions"):
        return True
    blob = store.get_samples(run_id)
    if blob is None:
        return True
    from hipstride.library.codec import unpack_activity
    from hipstride.map.surfaces import choose_map

    activity = unpack_activity(blob, run=f"run {run_id}")
    choice = choose_map(activity.lat_deg, activity.lon_deg, home=home)
    if choice is None:
        return used is None
    return used is not None and used.get("name") == choice.name and \
        used.get("created_utc") == maps[choice.name].meta.get("created_utc")


def refresh_run(store: RunStore, run_id: int) -> bool:
    """Analyze a run again when its stored analysis is out of date: made by another version of
    the hip-load model, with another stored map than the one that now covers it best (a map
    imported, replaced or removed since), as another sport than the run now has (relabelled),
    or (for a run with cadence) against another cadence baseline. True when it was analysed
    again."""
    from hipstride.library.records import maps_home_of, reanalyze

    _require(store, run_id)
    stored = store.get_analysis(run_id)
    run = store.get_run(run_id)
    if stored is None or run is None:
        return False
    as_of = now_utc()
    baseline = _baseline_for(store, run_id) if "cadence_spm" in run.channels else None
    hip = stored[0].get("hip_load", {})
    same_model = hip.get("model_version") == MODEL_VERSION \
        and stored[0].get("activity", {}).get("sport") == run.sport \
        and (not run.cross_training or "not_computed" in hip) \
        and _map_now(store, run_id, stored[0])
    if same_model and ("cadence_spm" not in run.channels
                       or stored[1] == (baseline.signature if baseline else "")):
        return False
    blob = store.get_samples(run_id)
    if blob is None:
        return False
    record = replace(reanalyze(blob, baseline, run=f"run {run_id}", maps_home=maps_home_of(store),
                               sport=run.sport), baseline_as_of_utc=as_of)
    with store.transaction():
        store.update_analysis(run_id, record)
    return True


def refresh_for_maps(store: RunStore, *, every_athlete: bool = False) -> int:
    """Analyse again every stored run (of the store's athlete, or of every athlete) whose
    analysis used another map than the one that now covers it best (after a map was imported
    or replaced); return how many were."""
    if not every_athlete:
        return sum(1 for run in store.list_runs() if refresh_run(store, run.id))
    total = 0
    for athlete in store.athletes():
        other = store.with_athlete(athlete.name)
        try:
            total += refresh_for_maps(other)
        finally:
            other.close()
    return total


def show_run(store: RunStore, run_id: int, *, refresh: bool = True) -> dict[str, Any]:
    """The run's analysis document (the shape of ``hipstride analyze --json``), with a
    ``library`` entry naming the run id, its sources and the cadence baseline used."""
    _require(store, run_id)
    if refresh:
        refresh_run(store, run_id)
    stored = store.get_analysis(run_id)
    if stored is None:
        raise InputError(f"run {run_id} has no analysis")
    doc, signature = stored
    doc["library"] = {
        "run_id": run_id,
        "sources": [{"file": s.file_path, "content_sha256": s.content_sha256,
                     "file_format": s.file_format, "device": s.device, "samples": s.samples,
                     "channels": s.channel_count, "primary": s.is_primary}
                    for s in store.get_sources(run_id)],
        "cadence_baseline": signature or None,
    }
    return doc


def rebuild_analysis(store: RunStore, run_id: int) -> RunAnalysis:
    """Rebuild the run's :class:`~hipstride.activity.Activity` from its stored samples and
    analyse it again (with the cadence baseline of its date), e.g. for the HTML report."""
    from hipstride.library.codec import unpack_activity
    from hipstride.library.records import analyze, maps_home_of

    _require(store, run_id)
    blob = store.get_samples(run_id)
    if blob is None:
        raise InputError(f"run {run_id} has no stored samples")
    activity = unpack_activity(blob, run=f"run {run_id}")
    run = store.get_run(run_id)
    if run is not None:
        activity.sport = run.sport  # the runner's relabel, when there is one
    return analyze(activity, _baseline_for(store, run_id), maps_home=maps_home_of(store))[0]


def trends_document(store: RunStore) -> dict[str, Any]:
    """The JSON document of ``hipstride trends``: weekly load, flags, form against baseline."""
    from hipstride.analysis.baselines import SPEED_NOTE, compute_baselines
    from hipstride.analysis.formchanges import form_history
    from hipstride.analysis.trends import (
        ACWR_NOTE,
        UNTYPED_SPORTS,
        Flag,
        counts_as_running,
        progression_flags,
        week_start,
        weekly_load,
    )

    runs = store.list_runs()
    weeks = weekly_load(runs, as_of=date.today())
    flags = progression_flags(weeks)
    minutes = store.form_minutes()
    changes, deviations = form_history(minutes)
    for change in changes:
        details = change.to_dict()
        text, evidence = details.pop("text"), details.pop("evidence")
        flags.append(Flag("form_change", text, evidence, week_start(change.confirmed_start_utc),
                          details))
    flags.sort(key=lambda f: (f.week, f.rule))
    baselines: dict[str, Any] = {}
    as_of = None
    if len(minutes):
        as_of = float(minutes.start_s.max()) + 1.0
        baselines = {m: b.to_dict() for m, b in compute_baselines(minutes, as_of).items()}
    running = [r for r in runs if counts_as_running(r.sport)]
    others = sorted({r.sport for r in runs if not counts_as_running(r.sport)})
    notes = [ACWR_NOTE,
             "Weeks are ISO weeks (Monday start) of the UTC start times; only running counts"
             + (f" ({', '.join(others)} left out)." if others else ".")
             + " Two recordings of one run count once."]
    untyped = sum(1 for r in running if r.sport in UNTYPED_SPORTS)
    if untyped:
        notes.append(f"{untyped} recording(s) named no sport and count as running; relabel one "
                     "that was not a run (see `hipstride runs relabel`).")
    skipped = sum(1 for r in running if r.time_is_relative or r.start_time_utc is None)
    if skipped:
        notes.append(f"{skipped} run(s) without a real date (device-relative times) are left out.")
    return {
        "weeks": [w.to_dict() for w in weeks],
        "flags": [f.to_dict() for f in flags],
        "form": {
            "baselines_as_of_utc": (datetime.fromtimestamp(as_of, UTC) - timedelta(seconds=1)).isoformat()
            if as_of is not None else None,
            "baselines": baselines,
            "runs": [d.to_dict() for d in deviations],
            "speed_note": SPEED_NOTE,
        },
        "notes": notes,
    }
