#!/usr/bin/env python
"""Benchmark: how long the web app's pages and endpoints take, on real data.

Standalone (no pytest, no benchmark framework)::

    PYTHONPATH=src python benchmarks/bench_web.py [--runs 5] [--data ../shared/data]

It imports the Heidelberg extract and three real recordings (``fit/runpandas__run.fit`` inside
the map, ``gpx/runpandas__strava_export.gpx`` and a bike ride) into a temporary hipstride home,
then requests every page and endpoint ``--runs`` times through Flask's test client (in-process:
the WSGI server's own time is left out) and prints the median and the worst time of each, with
the size of the answer. The first request of each route is timed on its own (it loads the map or
imports modules). A plan asked again is served from the app's few kept plans, so the plan's
first time is the planner's and the median is the cache's. It reports and never asserts: the exit code is always 0.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import hipstride as hs
from hipstride.library.importer import import_paths
from hipstride.web import create_app

ROUTES = [
    ("GET", "/"), ("GET", "/runs"), ("GET", "/runs/2"), ("GET", "/runs/2/report"),
    ("GET", "/api/runs/2/track"), ("GET", "/trends"), ("GET", "/journal"),
    ("GET", "/routines/warm-up"), ("GET", "/clinician"), ("GET", "/planner"),
    ("GET", "/api/maps/heidelberg/ways?s=49.40&w=8.68&n=49.42&e=8.72"),
    ("POST", "/api/plan"), ("GET", "/planner/plan.gpx?map=heidelberg&lat=49.4093&lon=8.6947&km=5"),
]
PLAN = {"map": "heidelberg", "lat": 49.4093, "lon": 8.6947, "km": 5, "profile": "default"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path,
                        default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hipstride-bench-web-") as tmp:
        home = Path(tmp)
        started = time.perf_counter()
        hs.import_map(args.data / "osm/ors__heidelberg.test.osm.pbf", name="heidelberg", home=home)
        with hs.open_library(home) as store:
            import_paths(store, [args.data / "gpx/runpandas__strava_export.gpx",
                                 args.data / "fit/runpandas__run.fit",
                                 args.data / "fit/fitparse__garmin-fenix-5-bike.fit"], jobs=1)
        print(f"set-up (map import and 3 recordings): {time.perf_counter() - started:.2f} s")
        app = create_app(home, import_jobs=1)
        client = app.test_client()
        token = app.config["HIPSTRIDE_CSRF"]
        upload = (args.data / "fit/runpandas__run.fit").read_bytes()
        print(f"{'route':<62} {'first ms':>9} {'median ms':>10} {'worst ms':>9} {'kB':>8}")
        for method, path in ROUTES:
            times = []
            size = 0
            for _ in range(args.runs + 1):
                t0 = time.perf_counter()
                if method == "POST":
                    response = client.post(path, json=PLAN, headers={"X-CSRF-Token": token})
                else:
                    response = client.get(path)
                times.append((time.perf_counter() - t0) * 1000.0)
                size = len(response.data)
                status = response.status_code
            first, rest = times[0], times[1:]
            print(f"{method + ' ' + path:<62} {first:9.1f} {statistics.median(rest):10.1f} "
                  f"{max(rest):9.1f} {size / 1000:8.1f}" + ("" if status == 200 else f"  status {status}"))
        t0 = time.perf_counter()
        response = client.post("/runs/upload", data={"csrf_token": token,
                                                     "files": [(io.BytesIO(upload), "run.fit")]},
                               content_type="multipart/form-data")
        print(f"POST /runs/upload (a stored FIT again: read, hashed, skipped): "
              f"{(time.perf_counter() - t0) * 1000:.1f} ms, status {response.status_code}")


if __name__ == "__main__":
    main()
