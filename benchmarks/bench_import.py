#!/usr/bin/env python
"""Benchmark: ``hipstride import`` throughput with 1 and 2 worker processes, and library size.

Standalone (no pytest, no benchmark framework)::

    python benchmarks/bench_import.py [--files 300] [--jobs 1 2] [--repeat 3] [--keep DIR]

It writes ``--files`` distinct recordings into a temporary folder: copies of real running
recordings from ``../shared/data`` (GPX and TCX with their times and positions shifted in the
text; FIT decoded and written again with ``garmin-fit-sdk``, shifted the same way), each moved to
its own start time 8 hours after the previous one and its own position, so that they are distinct
runs rather than duplicates. Then, for each ``--jobs`` value, it imports the folder into a fresh
library as a child process (``hipstride import …``) and measures the whole
process's wall time, ``--repeat`` times, alternating the settings. It prints the best time and
runs per second, the speed-up of 2 jobs over 1 (target ≥ 1.7×), the time of a second import that
finds everything already stored, and the library's size per hour of running. It reports and never asserts: the exit code is always 0.

``--hostile`` instead imports a folder of hostile files (issue 11: a FIT missing two bytes, a GPX
without times with one point at (0, 0), 10⁶ FIT records on one timestamp, a GPX dated 9999, a zip
bomb) beside three good runs, twice, and prints the wall time of each import and what it said.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("HIPSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
SOURCES = [
    "fit/elevate__trosku.fit", "fit/elevate__bloemendaal.fit", "fit/runpandas__run.fit",
    "fit/elevate__20171011_run_2088390344.fit", "fit/fitparse__sample_mulitple_header.fit",
    "gpx/elevate__20170319_run_906581465.gpx", "gpx/elevate__20171008_run_2067489619.gpx",
    "gpx/runpandas__run.gpx", "gpx/runpandas__strava_export.gpx",
    "tcx/runpandas__11km.tcx", "tcx/elevate__20181021_run_3106033902.tcx",
    "tcx/runpandas__run_garmin.tcx",
]
BASE = datetime(2023, 1, 2, 6, 0, tzinfo=UTC)
TARGET_SPEEDUP = 1.7
_SEMI = 2**31 / 180.0


def _text_copy(data: bytes, kind: str, shift: timedelta, dlat: float, dlon: float) -> bytes:
    def when(m: re.Match[bytes]) -> bytes:
        moment = datetime.fromisoformat(m.group(2).decode().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        stamp = (moment + shift).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        return m.group(1) + stamp.encode() + m.group(3)

    def move(delta: float) -> Callable[[re.Match[bytes]], bytes]:
        return lambda m: m.group(1) + f"{float(m.group(2)) + delta:.7f}".encode() + m.group(3)

    if kind == "gpx":
        data = re.sub(rb"(<time>)([^<]+)(</time>)", when, data)
        data = re.sub(rb'(\blat=")([-\d.]+)(")', move(dlat), data)
        return re.sub(rb'(\blon=")([-\d.]+)(")', move(dlon), data)
    data = re.sub(rb"(<(?:Time|Id)>)([^<]+)(</(?:Time|Id)>)", when, data)
    data = re.sub(rb'(\bStartTime=")([^"]+)(")', when, data)
    data = re.sub(rb"(<LatitudeDegrees>)([-\d.]+)(</LatitudeDegrees>)", move(dlat), data)
    return re.sub(rb"(<LongitudeDegrees>)([-\d.]+)(</LongitudeDegrees>)", move(dlon), data)


def _fit_copy(path: Path, start: datetime, dlat: float, dlon: float) -> bytes:
    import math

    from garmin_fit_sdk import Encoder

    from hipstride.io import read_activity

    a = read_activity(path)
    enc = Encoder()
    enc.write_mesg({"mesg_num": 0, "type": "activity", "manufacturer": "development",
                    "product": 0, "serial_number": 1, "time_created": start})
    fields = {"heart_rate_bpm": "heart_rate", "stance_time_ms": "stance_time",
              "vertical_oscillation_mm": "vertical_oscillation", "step_length_mm": "step_length",
              "stance_time_balance_left_pct": "stance_time_balance", "power_w": "power"}
    for i in range(len(a)):
        t = float(a.time_s[i])
        rec: dict[str, object] = {"mesg_num": 20, "timestamp": start + timedelta(seconds=round(t))}
        if math.isfinite(a.lat_deg[i]):
            rec["position_lat"] = round((a.lat_deg[i] + dlat) * _SEMI)
            rec["position_long"] = round((a.lon_deg[i] + dlon) * _SEMI)
        if math.isfinite(a.elevation_m[i]):
            rec["enhanced_altitude"] = float(a.elevation_m[i])
        if a.distance_m is not None and math.isfinite(a.distance_m[i]):
            rec["distance"] = float(a.distance_m[i])
        if a.speed_mps is not None and math.isfinite(a.speed_mps[i]):
            rec["enhanced_speed"] = float(a.speed_mps[i])
        cad = a.channels.get("cadence_spm")
        if cad is not None and math.isfinite(cad[i]):
            rec["cadence"] = int(cad[i] // 2)
            rec["fractional_cadence"] = float(cad[i] / 2 - cad[i] // 2)
        for channel, field in fields.items():
            values = a.channels.get(channel)
            if values is not None and math.isfinite(values[i]):
                rec[field] = float(values[i])
        enc.write_mesg(rec)
    end = start + timedelta(seconds=float(a.time_s[-1]) + 1)
    enc.write_mesg({"mesg_num": 18, "timestamp": end, "start_time": start, "sport": "running",
                    "sub_sport": a.sub_sport or "generic",
                    "total_elapsed_time": float(a.time_s[-1]), "total_timer_time": float(a.time_s[-1])})
    enc.write_mesg({"mesg_num": 34, "timestamp": end, "num_sessions": 1, "type": "manual",
                    "event": "activity", "event_type": "stop",
                    "total_timer_time": float(a.time_s[-1])})
    return bytes(enc.close())


def generate(folder: Path, count: int) -> None:
    """Write ``count`` distinct runs into ``folder`` (see the module docstring)."""
    from hipstride.io import read_activity

    starts = {}
    for rel in SOURCES:
        a = read_activity(DATA / rel)
        starts[rel] = a.start_time_utc
    for k in range(count):
        rel = SOURCES[k % len(SOURCES)]
        src = DATA / rel
        start = BASE + timedelta(hours=8 * k)
        dlat, dlon = 0.0005 * (k % 17), 0.0005 * (k % 13)
        kind = rel.split("/")[0]
        if kind == "fit":
            data = _fit_copy(src, start, dlat, dlon)
        else:
            original = starts[rel]
            assert original is not None
            data = _text_copy(src.read_bytes(), kind, start - original, dlat, dlon)
        (folder / f"{k:04d}_{src.name}").write_bytes(data)


def import_once(folder: Path, home: Path, jobs: int) -> tuple[float, dict[str, object]]:
    """Wall time (s) of one whole ``hipstride import`` child process, and its JSON summary."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", "from hipstride.cli import main; main()", "import", str(folder),
         "--home", str(home),
         "--jobs", str(jobs), "--json"], capture_output=True, check=False)
    wall = time.perf_counter() - t0
    try:
        summary = json.loads(proc.stdout)
    except json.JSONDecodeError:
        summary = {"error": proc.stderr.decode()[-2000:]}
    return wall, summary


def library_size(home: Path) -> tuple[int, float, int, int]:
    """(library bytes, hours of recording, sample-blob bytes, runs) after a checkpoint."""
    db = home / "library.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        hours = (con.execute("SELECT SUM(duration_s) FROM runs").fetchone()[0] or 0.0) / 3600.0
        blobs = con.execute("SELECT SUM(LENGTH(data)) FROM run_samples").fetchone()[0] or 0
        runs = con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    size = db.stat().st_size + sum(p.stat().st_size for p in home.glob("library.sqlite-*"))
    return size, hours, int(blobs), int(runs)


def hostile(folder: Path) -> None:
    """Write the hostile files of issue 11 and three good runs into ``folder``."""
    import io
    import zipfile

    sys.path.insert(0, str(REPO))
    from tests.hostile import T0_FIT, fit_file, gpx_file

    generate(folder, 3)
    trosku = (DATA / "fit/elevate__trosku.fit").read_bytes()
    (folder / "two_bytes_deleted.fit").write_bytes(trosku[:69_076] + trosku[69_078:])
    gpx = (DATA / "gpx/gpxpy__Mojstrovka.gpx").read_bytes()
    at = gpx.index(b'<trkpt lat="', 5000)
    (folder / "null_island.gpx").write_bytes(
        gpx[:at] + b'<trkpt lat="0" lon="0"' + gpx[gpx.index(b">", at):])
    (folder / "same_timestamp_1e6.fit").write_bytes(fit_file([T0_FIT] * 1_000_000))
    (folder / "year_9999.gpx").write_bytes(gpx_file(
        [(60.17 + i * 3e-5, 24.94, f"9999-06-01T06:{i // 60:02d}:{i % 60:02d}Z") for i in range(600)]))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.gpx", b" " * (1 << 30))
    (folder / "bomb.zip").write_bytes(bomb.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3,
                        help="imports per --jobs value, alternating; the best is reported")
    parser.add_argument("--keep", type=Path, help="keep the generated files and libraries here")
    parser.add_argument("--hostile", action="store_true", help="import hostile files instead")
    args = parser.parse_args()
    if args.hostile:
        with tempfile.TemporaryDirectory(prefix="hipstride-bench-hostile-") as tmp:
            folder = Path(tmp) / "hostile"
            folder.mkdir()
            hostile(folder)
            for attempt in ("first", "second"):
                wall, summary = import_once(folder, Path(tmp) / "home", args.jobs[-1])
                print(f"{attempt} import of {len(list(folder.iterdir()))} files: {wall:.1f} s, "
                      f"imported {summary.get('imported')}, duplicates {summary.get('duplicates')}")
                for failed in summary.get("failed", []):  # type: ignore[attr-defined]
                    print(f"  failed: {failed['file'].rsplit('/', 1)[-1]}: {failed['error']}")
                for warned in summary.get("warnings", []):  # type: ignore[attr-defined]
                    print(f"  warning: {warned['file'].rsplit('/', 1)[-1]}: {warned['warning'][:150]}")
        return

    root = args.keep or Path(tempfile.mkdtemp(prefix="hipstride-bench-import-"))
    root.mkdir(parents=True, exist_ok=True)
    folder = root / "history"
    if not folder.exists() or len(list(folder.iterdir())) != args.files:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        t0 = time.perf_counter()
        generate(folder, args.files)
        print(f"generated {args.files} recordings in {time.perf_counter() - t0:.1f} s "
              f"({sum(p.stat().st_size for p in folder.iterdir()) / 1e6:.1f} MB) in {folder}")
    print(f"machine: {os.cpu_count()} CPU core(s), Python {sys.version.split()[0]}")

    walls: dict[int, list[float]] = {jobs: [] for jobs in args.jobs}
    summaries: dict[int, dict[str, object]] = {}
    for _ in range(args.repeat):  # alternate, so that a busy moment hits every setting alike
        for jobs in args.jobs:
            home = root / f"home-jobs{jobs}"
            shutil.rmtree(home, ignore_errors=True)
            wall, summaries[jobs] = import_once(folder, home, jobs)
            walls[jobs].append(wall)
    for jobs in args.jobs:
        summary = summaries[jobs]
        best = min(walls[jobs])
        runs = int(summary.get("imported", 0))  # type: ignore[call-overload]
        print(f"--jobs {jobs}: best {best:6.1f} s (all: {', '.join(f'{w:.1f}' for w in walls[jobs])}) "
              f"for {runs} runs = {runs / best:5.1f} runs/s "
              f"(re-analysed with a new baseline: {summary.get('reanalysed')}, "
              f"failed: {len(summary.get('failed', []))})")  # type: ignore[arg-type]
    if 1 in walls and 2 in walls:
        speedup = min(walls[1]) / min(walls[2])
        verdict = "meets" if speedup >= TARGET_SPEEDUP else "misses"
        print(f"speed-up --jobs 2 over --jobs 1: {speedup:.2f}x ({verdict} the {TARGET_SPEEDUP}x target)")

    home = root / f"home-jobs{args.jobs[-1]}"
    wall, summary = import_once(folder, home, args.jobs[-1])
    print(f"second import (everything already stored): {wall:.1f} s, "
          f"{summary.get('duplicates')} duplicates, {summary.get('imported')} imported")
    size, hours, blobs, runs = library_size(home)
    if hours > 0:
        print(f"library: {size / 1e6:.1f} MB for {runs} runs, {hours:.1f} h of recording = "
              f"{size / 1e3 / hours:.0f} kB per hour (of which sample blobs "
              f"{blobs / 1e3 / hours:.0f} kB/h)")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
