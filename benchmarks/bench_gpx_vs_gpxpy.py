#!/usr/bin/env python
"""Benchmark: ``hipstride analyze`` against a gpxpy script on a generated 100,000-point GPX.

Standalone (no pytest, no benchmark framework)::

    python benchmarks/bench_gpx_vs_gpxpy.py [--points 100000] [--runs 3] [--keep DIR]

The script writes a realistic ultra-length GPX 1.1 track (a hilly ~5 km loop run again and again at
1 s sampling, with GPS noise, elevation, heart rate and cadence in Garmin's TrackPointExtension) into
a temporary folder, then runs each contender ``--runs`` times as a child process and measures the
child's wall time and peak resident memory (``ru_maxrss`` from :func:`os.wait4`):

* ``hipstride analyze FILE --json`` (the whole command, imports included);
* a gpxpy script that parses the file and computes ``length_2d()``, ``get_uphill_downhill()`` and
  ``get_moving_data()``;
* for reference, hipstride's reader alone (``read_activity``) and a bare interpreter.

It prints a table and the ratios hipstride/gpxpy (targets: wall time ≤ 0.35×, peak memory ≤ 0.7×).
It reports and never asserts: the exit code is always 0.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

TARGET_TIME_RATIO = 0.35
TARGET_MEMORY_RATIO = 0.7

GPXPY_SCRIPT = """
import sys
import gpxpy
with open(sys.argv[1], encoding="utf-8") as f:
    gpx = gpxpy.parse(f)
length = gpx.length_2d()
up, down = gpx.get_uphill_downhill()
moving = gpx.get_moving_data()
print(f"length_2d={length:.0f} m up={up:.0f} m down={down:.0f} m moving={moving.moving_time:.0f} s")
"""

READER_SCRIPT = """
import sys
from hipstride.io import read_activity
a = read_activity(sys.argv[1])
print(f"points={len(a)}")
"""

GPX_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="hipstride benchmark generator" version="1.1"
  xmlns="http://www.topografix.com/GPX/1/1"
  xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/11.xsd">
  <metadata>
    <time>{start}</time>
  </metadata>
  <trk>
    <name>Generated ultra</name>
    <type>running</type>
    <trkseg>
"""

GPX_POINT = """      <trkpt lat="{lat:.7f}" lon="{lon:.7f}">
        <ele>{ele:.1f}</ele>
        <time>{time}</time>
        <extensions>
          <ns3:TrackPointExtension>
            <ns3:hr>{hr}</ns3:hr>
            <ns3:cad>{cad}</ns3:cad>
          </ns3:TrackPointExtension>
        </extensions>
      </trkpt>
"""

GPX_TAIL = """    </trkseg>
  </trk>
</gpx>
"""


def write_gpx(path: Path, n_points: int, seed: int = 2024) -> None:
    """Write an ``n_points`` GPX 1.1 track to ``path``.

    The runner goes round a 5 km loop with two hills (±40 m) at 2.6-3.4 m/s, sampled every second,
    with a 2-4 m GPS jitter, a few stops at an aid station (speed 0) and HR/cadence that follow
    effort. Everything comes from a seeded generator, so the file is the same on every run.
    """
    rng = random.Random(seed)
    lat0, lon0 = 45.2, 5.78
    loop_m = 5000.0
    radius_m = loop_m / (2 * math.pi)
    m_per_deg_lat = 111_195.0
    m_per_deg_lon = m_per_deg_lat * math.cos(math.radians(lat0))
    start = datetime(2024, 6, 1, 4, 0, 0, tzinfo=UTC)
    s = 0.0
    speed = 3.0
    hr = 120.0
    stop_left = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(GPX_HEAD.format(start=start.strftime("%Y-%m-%dT%H:%M:%SZ")))
        chunk: list[str] = []
        for i in range(n_points):
            if stop_left > 0:
                stop_left -= 1
                v = 0.0
            else:
                speed += rng.gauss(0.0, 0.05) + 0.02 * (3.0 - speed)
                speed = min(max(speed, 2.6), 3.4)
                v = speed
                if rng.random() < 1 / 3600:  # an aid-station stop about once an hour
                    stop_left = rng.randint(30, 180)
            s += v
            theta = 2 * math.pi * (s % loop_m) / loop_m
            ele = 400.0 + 40.0 * math.sin(2 * theta) + 10.0 * math.sin(5 * theta + 1.0)
            x = radius_m * math.cos(theta) + rng.gauss(0.0, 2.5)
            y = radius_m * math.sin(theta) + rng.gauss(0.0, 2.5)
            hr += 0.05 * ((140.0 + 15.0 * v / 3.0 - 20.0 * (v == 0.0)) - hr) + rng.gauss(0.0, 0.8)
            cad = 0 if v == 0.0 else round(84 + 6 * (v - 3.0) + rng.gauss(0.0, 1.5))
            t = start + timedelta(seconds=i)
            chunk.append(GPX_POINT.format(
                lat=lat0 + y / m_per_deg_lat, lon=lon0 + x / m_per_deg_lon,
                ele=ele + rng.gauss(0.0, 0.3), time=t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                hr=round(hr), cad=cad))
            if len(chunk) >= 5000:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
        out.write(GPX_TAIL)


@dataclass
class Result:
    """Wall times (s) and peak RSS (KiB) of one contender's runs."""

    name: str
    walls: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    failure: str | None = None
    output: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(self.walls) if self.walls else math.nan

    @property
    def rss_mib(self) -> float:
        return max(self.rss_kib) / 1024 if self.rss_kib else math.nan


def run_child(cmd: list[str]) -> tuple[float, int, int, str]:
    """Run ``cmd``; return (wall seconds, peak RSS KiB, exit code, stdout+stderr tail)."""
    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    return wall, int(usage.ru_maxrss), proc.returncode, text[-600:]


def hipstride_command() -> list[str]:
    """The ``hipstride`` console script next to this interpreter, else ``python -m hipstride``."""
    script = Path(sys.executable).with_name("hipstride")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "hipstride"]


def measure(name: str, cmd: list[str], runs: int) -> Result:
    """Run ``cmd`` ``runs`` times (after one untimed warm-up for the OS file cache)."""
    result = Result(name)
    run_child(cmd)
    for _ in range(runs):
        wall, rss, rc, text = run_child(cmd)
        if rc != 0:
            result.failure = f"exit code {rc}: {text.strip().splitlines()[-1] if text.strip() else ''}"
            return result
        result.walls.append(wall)
        result.rss_kib.append(rss)
        result.output = text.strip()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000, help="track points (default 100000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each contender (default 3)")
    parser.add_argument("--keep", type=Path, help="write the GPX into this folder and keep it")
    args = parser.parse_args(argv)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="hipstride-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    gpx = folder / f"generated_{args.points}.gpx"
    try:
        t0 = time.perf_counter()
        write_gpx(gpx, args.points)
        size_mb = gpx.stat().st_size / 1e6
        print(f"generated {gpx} ({args.points} points, {size_mb:.1f} MB) "
              f"in {time.perf_counter() - t0:.1f} s; python {sys.version.split()[0]}; "
              f"{args.runs} timed runs each (median wall, max peak RSS)\n")
        contenders = [
            ("python (bare interpreter)", [sys.executable, "-c", "pass"]),
            ("hipstride reader only", [sys.executable, "-c", READER_SCRIPT, str(gpx)]),
            ("hipstride analyze --json", [*hipstride_command(), "analyze", str(gpx), "--json"]),
            ("gpxpy parse+length+updown+moving", [sys.executable, "-c", GPXPY_SCRIPT, str(gpx)]),
        ]
        results = [measure(name, cmd, args.runs) for name, cmd in contenders]
        print(f"{'contender':36s} {'wall s':>8s} {'min s':>8s} {'peak RSS MiB':>13s}")
        for r in results:
            if r.failure:
                print(f"{r.name:36s} {'unavailable':>8s}  ({r.failure})")
            else:
                print(f"{r.name:36s} {r.wall:8.3f} {min(r.walls):8.3f} {r.rss_mib:13.1f}")
        by_name = {r.name: r for r in results}
        peer = by_name["gpxpy parse+length+updown+moving"]
        if peer.output:
            print(f"\ngpxpy says: {peer.output.splitlines()[-1]}")
        print()
        for mine in ("hipstride analyze --json", "hipstride reader only"):
            r = by_name[mine]
            if r.failure or peer.failure:
                print(f"{mine} / gpxpy: not measured")
                continue
            t_ratio = r.wall / peer.wall
            m_ratio = r.rss_mib / peer.rss_mib
            print(f"{mine} / gpxpy: time {t_ratio:.3f}x (target <= {TARGET_TIME_RATIO}x, "
                  f"{'met' if t_ratio <= TARGET_TIME_RATIO else 'MISSED'}), "
                  f"memory {m_ratio:.3f}x (target <= {TARGET_MEMORY_RATIO}x, "
                  f"{'met' if m_ratio <= TARGET_MEMORY_RATIO else 'MISSED'})")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
