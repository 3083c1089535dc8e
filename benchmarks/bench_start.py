#!/usr/bin/env python
"""Benchmark: how long ``hipstride analyze`` of a 1 km GPX takes as a whole process.

Standalone (no pytest, no benchmark framework)::

    python benchmarks/bench_start.py [--runs 9] [--gpx FILE]

A short run is where start-up dominates: the interpreter, numpy, click and the modules the
command needs, then a few milliseconds of work. The script times, as child processes, in turn
(A B C A B C …, so a drifting machine affects all alike) after one warm-up each:

* ``python -m hipstride analyze RUN.gpx`` (the terminal summary) and the same with ``--json``;
* ``python -c pass``: the bare interpreter, the floor;
* a gpxpy script that parses the same file and computes its length, climb and moving time.

For each it prints the median and the range of the wall and CPU time (CPU from
:func:`os.wait4`), and the ratios of the medians. The target: ``analyze`` ≤ 0.25 s here.

The 1 km GPX is cut from a real recording in ``../shared/data/gpx`` (or
``$HIPSTRIDE_SHARED_DATA/gpx``) when it is there, else written from the built-in demo run
(which needs ``pip install 'hipstride[demo]'``). With no stored map covering it, which a fresh
temporary hipstride home guarantees, ``analyze`` takes no surface from a map. It reports and
never asserts: the exit code is 0 unless a command fails.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.25
REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("HIPSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
SOURCE_GPX = "gpx/runpandas__run.gpx"

GPXPY_SCRIPT = """
import sys
import gpxpy
with open(sys.argv[1], encoding="utf-8") as f:
    gpx = gpxpy.parse(f)
up, down = gpx.get_uphill_downhill()
print(f"length_2d={gpx.length_2d():.0f} m up={up:.0f} m moving={gpx.get_moving_data().moving_time:.0f} s")
"""


def _length_m(lat: list[float], lon: list[float]) -> list[float]:
    import math

    out = [0.0]
    for i in range(1, len(lat)):
        dy = math.radians(lat[i] - lat[i - 1])
        dx = math.radians(lon[i] - lon[i - 1]) * math.cos(math.radians(lat[i]))
        out.append(out[-1] + 6_371_000.0 * math.hypot(dx, dy))
    return out


def cut_real_gpx(source: Path, out: Path, distance_m: float = 1000.0) -> Path:
    """The first ``distance_m`` of a real GPX's first track segment, its header kept."""
    text = source.read_text(encoding="utf-8")
    head, rest = text.split("<trkseg>", 1)
    points = re.findall(r"<trkpt\b.*?</trkpt>", rest, flags=re.S)
    lat = [float(re.search(r'lat="([^"]+)"', p).group(1)) for p in points]  # type: ignore[union-attr]
    lon = [float(re.search(r'lon="([^"]+)"', p).group(1)) for p in points]  # type: ignore[union-attr]
    cumulative = _length_m(lat, lon)
    n = next((i + 1 for i, d in enumerate(cumulative) if d >= distance_m), len(points))
    body = "\n".join(points[:n])
    out.write_text(f"{head}<trkseg>\n{body}\n</trkseg></trk></gpx>\n", encoding="utf-8")
    return out


def demo_gpx(out: Path, distance_m: float = 1000.0) -> Path:
    """The first ``distance_m`` of the demo run, written as GPX."""
    import numpy as np

    from hipstride.activity import Activity
    from hipstride.demo import make_demo_run, write_demo_gpx
    from hipstride.track.geodesy import segment_lengths_m

    a = make_demo_run(seed=1).activity
    along = np.concatenate(([0.0], np.cumsum(segment_lengths_m(a.lat_deg, a.lon_deg))))
    n = int(np.searchsorted(along, distance_m)) + 1
    channels = {k: v[:n] for k, v in a.channels.items()}
    short = Activity(source=a.source, start_time_utc=a.start_time_utc, time_s=a.time_s[:n],
                     lat_deg=a.lat_deg[:n], lon_deg=a.lon_deg[:n], elevation_m=a.elevation_m[:n],
                     channels=channels, channel_units=dict(a.channel_units), sport=a.sport,
                     name=a.name)
    write_demo_gpx(short, out)
    return out


def one_km_gpx(folder: Path) -> tuple[Path, str]:
    source = SHARED_DATA / SOURCE_GPX
    if source.is_file():
        return cut_real_gpx(source, folder / "run-1km.gpx"), f"the first km of {SOURCE_GPX}"
    return demo_gpx(folder / "run-1km.gpx"), "the first km of the demo run (no shared data found)"


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + sys) seconds of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}): {stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="counted runs of each command")
    parser.add_argument("--gpx", type=Path, help="a GPX to use instead of the 1 km cut")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hipstride-bench-start-") as tmp:
        folder = Path(tmp)
        gpx, what = (args.gpx, str(args.gpx)) if args.gpx else one_km_gpx(folder)
        env = {**os.environ, "HIPSTRIDE_HOME": str(folder / "home"), "COLUMNS": "100",
               # bytecode as an installed package has it: written by the warm-up run into
               # this run's own cache folder (PYTHONDONTWRITEBYTECODE would make every run
               # compile hipstride's modules again)
               "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        src = str(REPO / "src")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
        py = sys.executable
        commands = {
            "hipstride analyze": [py, "-m", "hipstride", "analyze", str(gpx)],
            "hipstride analyze --json": [py, "-m", "hipstride", "analyze", str(gpx), "--json"],
            "python -c pass": [py, "-c", "pass"],
        }
        try:
            import gpxpy  # noqa: F401

            commands["gpxpy parse + stats"] = [py, "-c", GPXPY_SCRIPT, str(gpx)]
        except ImportError:
            print("gpxpy is not installed (pip install -e '.[bench]'): its row is left out")
        walls: dict[str, list[float]] = {k: [] for k in commands}
        cpus: dict[str, list[float]] = {k: [] for k in commands}
        for command in commands.values():  # warm-up: file cache, .pyc files
            run_once(command, env)
        for _ in range(args.runs):
            for label, command in commands.items():
                wall, cpu = run_once(command, env)
                walls[label].append(wall)
                cpus[label].append(cpu)

    print(f"GPX: {what}; {args.runs} runs each after one warm-up, in turn; whole process")
    print(f"{'command':<26} {'wall median':>12} {'wall min-max':>15} {'cpu median':>11}")
    for label in commands:
        w, c = walls[label], cpus[label]
        print(f"{label:<26} {statistics.median(w):>10.3f} s {min(w):>6.3f}-{max(w):.3f} s "
              f"{statistics.median(c):>9.3f} s")
    analyze = statistics.median(walls["hipstride analyze"])
    print()
    for label in commands:
        if label != "hipstride analyze":
            ratio = analyze / statistics.median(walls[label])
            print(f"hipstride analyze / {label:<24} {ratio:6.2f}x (wall medians)")
    verdict = "within" if analyze <= TARGET_S else "over"
    print(f"hipstride analyze: {analyze:.3f} s, {verdict} the {TARGET_S:.2f} s target")


if __name__ == "__main__":
    main()
