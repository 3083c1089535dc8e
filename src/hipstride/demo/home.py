"""A demo home for the web app: the Helsinki map, a few weeks of demo runs and a journal.

``hipstride demo --serve`` fills an empty home with what a runner would have after a month of
use, so that every page of the web app has something to show: the Helsinki foot network stored
as a map (so runs are drawn over its ways and the planner plans on it), demo runs along loops
planned on it (:func:`hipstride.demo.simulate.make_demo_run`, one seed each, spread over the
weeks before ``today`` at the usual early-morning time) and a journal of pain scores with one
entry per run. The runs go in as GPX files (kept in ``<home>/demo-recordings``, since the
library names each run's source file) through the same importer as ``hipstride import``, and
the journal through the same check as ``hipstride journal add``, so the demo home is built
exactly like a real one. Deterministic for a given ``today``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from hipstride.demo.helsinki import DEMO_MAP_NAME, demo_network
from hipstride.demo.simulate import make_demo_run, write_demo_gpx
from hipstride.errors import InputError

__all__ = ["DAYS_BETWEEN_RUNS", "DemoHome", "seed_demo_home"]

#: Days from one demo run to the next (three runs a week, as a returning runner might).
DAYS_BETWEEN_RUNS = (2, 2, 3)
#: Pain after each run (0-10), oldest first, repeated: a sore hip that settles, then flares.
_PAIN_AFTER = (3, 2, 2, 1, 2, 1, 3, 4)
_WORSE = ("hills", "", "", "", "cambered road", "", "hills", "a longer run")


@dataclass(frozen=True)
class DemoHome:
    """What :func:`seed_demo_home` stored."""

    home: Path
    map_name: str
    runs: int
    journal_entries: int


def _run_days(today: date, runs: int) -> list[date]:
    days, day = [], today - timedelta(days=1)
    for n in range(runs):
        days.append(day)
        day -= timedelta(days=DAYS_BETWEEN_RUNS[n % len(DAYS_BETWEEN_RUNS)])
    return days[::-1]


def seed_demo_home(home: str | os.PathLike[str], *, runs: int = 8,
                   today: date | None = None) -> DemoHome:
    """Fill the empty home ``home`` with the demo map, ``runs`` demo runs and their journal.

    Raises
    ------
    InputError
        When ``home`` already holds a run library or maps (the demo never mixes with real data).
    """
    from hipstride.journal.store import entry_from_mapping, merge_entry
    from hipstride.library.api import library_path, open_library
    from hipstride.library.importer import import_paths
    from hipstride.map.store import list_maps, save_map

    folder = Path(home)
    if runs < 1:
        raise InputError(f"the demo needs at least one run, not {runs}")
    if library_path(folder).exists() or list_maps(folder):
        raise InputError(f"{folder}: already holds a run library or maps; the demo fills only an "
                         "empty or new folder")
    folder.mkdir(parents=True, exist_ok=True)
    day0 = today or date.today()
    net = demo_network()
    save_map(net, DEMO_MAP_NAME, folder, tables=True)
    days = _run_days(day0, runs)
    recordings = folder / "demo-recordings"
    recordings.mkdir(exist_ok=True)
    paths = []
    for n, day in enumerate(days):
        made = make_demo_run(n + 1, network=net)
        start = datetime.combine(day, time(5, 30), tzinfo=UTC) + timedelta(minutes=7 * n % 60)
        activity = dataclasses.replace(made.activity, start_time_utc=start,
                                       name=f"Morning loop in Helsinki ({day:%a %d %b})")
        paths.append(recordings / f"demo-{n + 1}.gpx")
        write_demo_gpx(activity, paths[-1])
    store = open_library(folder)
    try:
        summary = import_paths(store, paths, jobs=1)
        if summary.failed:
            raise InputError(f"the demo runs did not import: {summary.failed[0][1]}")
        stored = sorted(store.list_runs(), key=lambda r: r.start_time_utc or start)
        for n, (day, run) in enumerate(zip(days, stored, strict=True)):
            data = {"date": day.isoformat(), "pain_after": _PAIN_AFTER[n % len(_PAIN_AFTER)],
                    "pain_morning": max(0, _PAIN_AFTER[n % len(_PAIN_AFTER)] - 1),
                    "where": ["outer-hip"], "side": "right", "run_id": run.id}
            if worse := _WORSE[n % len(_WORSE)]:
                data["worse"] = worse
            merge_entry(store, entry_from_mapping(data, today=day0), set(data))
    finally:
        store.close()
    return DemoHome(folder, DEMO_MAP_NAME, summary.imported, len(days))
