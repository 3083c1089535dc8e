"""Helpers for the journal tests: a temporary library with runs and a CLI runner (no tests here)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner, Result

from hipstride.cli import _Group
from hipstride.cli.journal import COMMANDS
from hipstride.library.api import open_store
from hipstride.library.store import AnalysisRecord, RunRecord, RunStore, SourceRecord

__all__ = ["add_run", "cli", "library", "weeks_of_running"]

_GROUP = _Group(name="hipstride", commands={c.name: c for c in COMMANDS if c.name})


def cli(*args: str, home: Path, input: str | None = None) -> Result:
    """Run ``hipstride ARGS --home HOME`` (the journal commands, with the CLI's error handling)."""
    group: click.Group = _GROUP
    return CliRunner().invoke(group, [*args, "--home", str(home)], input=input)


def library(home: Path) -> RunStore:
    """The run library of ``home`` (created and migrated): its SQLite file, or the database
    ``HIPSTRIDE_DB`` names (as the commands open it)."""
    return open_store(home=home)


def add_run(store: RunStore, day: date, km: float, *, index: float = 1.05,
            factors: dict[str, float] | None = None, cadence_spm: float | None = None,
            speed_mps: float = 3.0, name: str | None = None, sport: str = "running",
            start_time: time = time(7, 0)) -> int:
    """Store one run of ``km`` on ``day`` (07:00 UTC, or ``start_time``) with a generated analysis
    (``sport`` as the recording gave it: ``"unknown"`` for an untyped file).

    With ``cadence_spm``, every minute of the run carries that step rate (for baselines).
    """
    start = datetime.combine(day, start_time, UTC)
    duration_s = km * 1000.0 / speed_mps
    factors = factors or {"downhill": index - 1.0, "uphill": 0.0, "turns": 0.0, "surface": 0.0,
                          "cadence": 0.0}
    doc: dict[str, Any] = {
        "activity": {"distance_m": km * 1000.0, "duration_s": duration_s,
                     "moving_time_s": duration_s},
        "form": {},
        "hip_load": {"index": index, "total": index * km, "factors": factors},
    }
    headline: dict[str, float | None] = {
        "distance_m": km * 1000.0, "duration_s": duration_s, "moving_time_s": duration_s,
        "hip_load_index": index, "hip_load_total": index * km}
    minutes: list[tuple[float | None, ...]] = []
    if cadence_spm is not None:
        minutes = [(float(m), speed_mps, cadence_spm, None, None, None, None)
                   for m in range(int(duration_s // 60))]
    tag = f"{day.isoformat()}-{km}-{index}-{name}-{len(store.list_runs())}"
    record = RunRecord(
        start_time_utc=start, end_time_utc=start + timedelta(seconds=duration_s),
        time_is_relative=False, sport=sport, sub_sport=None, name=name, device="test watch",
        file_format="fit", channels=("cadence_spm",) if cadence_spm else (), samples=10,
        source=SourceRecord(f"{tag}.fit", tag.ljust(64, "0"), "fit", "test watch", 10, 1),
        analysis=AnalysisRecord(json.dumps(doc), 1, "", headline),
        samples_blob=b"\0", samples_encoding="test", form_minutes=minutes)
    with store.transaction():
        return store.add_run(record)


def weeks_of_running(store: RunStore, monday: date, weekly_km: list[float], *,
                     cadence_spm: float | None = None) -> None:
    """Three runs a week (Monday, Wednesday, Saturday) sharing each week's distance."""
    for w, km in enumerate(weekly_km):
        for d in (0, 2, 5):
            add_run(store, monday + timedelta(weeks=w, days=d), km / 3, cadence_spm=cadence_spm)
