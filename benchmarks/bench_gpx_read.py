#!/usr/bin/env python
"""Benchmark: hipstride's GPX reader against ``gpxpy.parse``, reading only, in one process.

Standalone (no pytest)::

    PYTHONPATH=src python benchmarks/bench_gpx_read.py [--points 1000000] [--runs 3] [--real FILE]

Two inputs:

* the largest real GPX under the shared data folder (or ``--real FILE``), read ``--runs`` times;
* a synthetic track of ``--points`` points at 1 s (lat, lon, ele and time: the layout of a phone
  export, about 98 bytes a point, so 10⁶ points stay under the reader's 256 MiB file bound).

Each contender reads the bytes already in memory (file cache effects left out): hipstride through
``read_activity`` (the libxml2 check, the fast path, the bounds and the Activity arrays), gpxpy
through ``gpxpy.parse`` (its objects, one per point). It prints the median wall time of each and
the ratio hipstride/gpxpy, and never asserts on time (the exit code is always 0). To compare two
versions of hipstride, run it once with each on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sized
from datetime import UTC, datetime
from pathlib import Path

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="bench" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>synthetic</name><type>running</type>'
        "<trkseg>\n")
TAIL = "</trkseg></trk></gpx>\n"


def synthetic_gpx(n_points: int) -> bytes:
    """``n_points`` points at 1 s and 2.7 m apart, going north and back (the time is a count of
    seconds from 2024-06-01 04:00 UTC, written as devices write it)."""
    start = int(datetime(2024, 6, 1, 4, tzinfo=UTC).timestamp())
    rows = []
    for i in range(n_points):
        stamp = datetime.fromtimestamp(start + i, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        lat_deg = 45.2 + 2.7e-5 * (i % 2000 if (i // 2000) % 2 == 0 else 2000 - i % 2000)
        rows.append(f'<trkpt lat="{lat_deg:.7f}" lon="5.7800000"><ele>{400 + i % 50}.0</ele>'
                    f"<time>{stamp}</time></trkpt>\n")
    return (HEAD + "".join(rows) + TAIL).encode()


def largest_real_gpx() -> Path | None:
    folder = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gpx"
    for candidate in (folder, Path("/work/shared/data/gpx")):
        files = sorted(candidate.glob("*.gpx"), key=lambda p: p.stat().st_size) if candidate.is_dir() else []
        if files:
            return files[-1]
    return None


def median_s(read: Callable[[], object], runs: int) -> float:
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        read()
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls)


def compare(title: str, data: bytes, runs: int) -> None:
    import gpxpy

    from hipstride.io import read_activity

    def ours() -> Sized:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the bounds may drop points of a long synthetic track
            return read_activity(io.BytesIO(data), name="bench.gpx")

    def theirs() -> object:
        return gpxpy.parse(data.decode("utf-8"))

    points = len(ours())  # also warms up imports and caches
    mine, peer = median_s(ours, runs), median_s(theirs, runs)
    print(f"{title}: {len(data) / 1e6:.1f} MB, {points} points kept by hipstride; "
          f"hipstride {mine:.3f} s, gpxpy {peer:.3f} s, ratio hipstride/gpxpy {mine / peer:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="synthetic points (10⁶)")
    parser.add_argument("--runs", type=int, default=3, help="timed reads of the real file")
    parser.add_argument("--real", type=Path, help="a real GPX (default: the largest shared one)")
    args = parser.parse_args(argv)
    real = args.real or largest_real_gpx()
    print(f"python {sys.version.split()[0]}; median of the timed reads")
    if real is not None:
        compare(f"real {real.name}", real.read_bytes(), args.runs)
    else:
        print("real file: none found (pass --real FILE)")
    compare(f"synthetic {args.points} points", synthetic_gpx(args.points), 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
