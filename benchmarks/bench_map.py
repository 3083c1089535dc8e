#!/usr/bin/env python
"""Benchmark: hipstride's map against osmnx + networkx on the Heidelberg extract.

Standalone (no pytest)::

    python benchmarks/bench_map.py [--runs 3] [--osmnx-runs 1] [--queries 50] [--keep DIR]

Needs ``osmnx`` and ``networkx`` (benchmark peers only; not hipstride dependencies). It measures,
side by side in one run, on ``../shared/data/osm/ors__heidelberg.test.osm.pbf``:

1. **Import**: ``read_osm`` + ``save_map`` against ``osmnx.graph_from_xml`` building its graph
   from the same data. osmnx reads only ``.osm`` XML, so the extract is first converted to XML with
   pyosmium (setup, not timed). Each contender runs in its own child process; the parent measures
   the child's wall time and peak resident memory (``ru_maxrss`` from :func:`os.wait4`), imports
   included. Targets: ≥ 10× faster, ≤ ⅓ of the peak memory.
2. **A→B routing**: the same random pairs of OSM nodes (junctions present in both graphs and
   connected in both), per query: hipstride's A* on the hip-load cost (and on plain length)
   against ``networkx.shortest_path(G, a, b, weight="length")`` on the osmnx graph. Target ≥ 20×.
3. **Loops**: a 10 km loop with 3 candidates (plus the baseline) from central Heidelberg, three
   seeds. Target < 2 s each.
4. **Map matching**: the Heidelberg run (1,157 GPS points) and the run repeated 10 times with
   noise (~11,600 points). Target ≥ 10,000 points/s.

It prints a table and the ratios; it never asserts (exit code 0).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("HIPSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
EXTRACT = DATA / "osm" / "ors__heidelberg.test.osm.pbf"
RUN = DATA / "fit" / "runpandas__run.fit"
LOOP_START = (49.4093, 8.6947)

HIPSTRIDE_IMPORT = """
import sys, time
t = time.perf_counter()
from hipstride.map.osm_import import read_osm
from hipstride.map.store import save_map
net = read_osm(sys.argv[1], name="heidelberg")
save_map(net, "heidelberg", sys.argv[2])
print(f"edges={net.n_edges} nodes={net.n_nodes} in-process={time.perf_counter() - t:.2f}s")
"""

OSMNX_IMPORT = """
import sys, time
t = time.perf_counter()
import osmnx as ox
G = ox.graph_from_xml(sys.argv[1])
print(f"edges={G.number_of_edges()} nodes={G.number_of_nodes()} in-process={time.perf_counter() - t:.2f}s")
"""

BARE = "pass"

NETWORKX_ROUTES = """
import json, sys, time
import networkx as nx
import osmnx as ox
G = ox.graph_from_xml(sys.argv[1])
pairs = json.load(open(sys.argv[2]))
want = int(sys.argv[4])
kept, times = [], []
for a, b in pairs:
    if a not in G or b not in G:
        continue
    t = time.perf_counter()
    try:
        nx.shortest_path(G, a, b, weight="length")
    except nx.NetworkXNoPath:
        continue
    times.append(time.perf_counter() - t)
    kept.append([a, b])
    if len(kept) == want:
        break
json.dump({"pairs": kept, "times": times}, open(sys.argv[3], "w"))
"""


@dataclass
class Measure:
    """Wall times (s) and peak RSS (MiB) of repeated child-process runs."""

    name: str
    wall_s: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(self.wall_s) if self.wall_s else float("nan")

    @property
    def rss(self) -> float:
        return max(self.rss_mib) if self.rss_mib else float("nan")


def run_child(code: str, *args: str, timeout_s: float = 900.0) -> tuple[float, float, str]:
    """Run ``python -c code args`` and return (wall seconds, peak RSS MiB, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {err[-2000:]}")
    rss = usage.ru_maxrss / 1024.0  # KiB on Linux
    return wall, rss, out.strip()


def measure(name: str, runs: int, code: str, *args: str) -> Measure:
    m = Measure(name)
    for _ in range(runs):
        wall, rss, out = run_child(code, *args)
        m.wall_s.append(wall)
        m.rss_mib.append(rss)
        m.note = out
    return m


def to_xml(src: Path, dst: Path) -> None:
    """Convert an .osm.pbf extract to .osm XML with pyosmium (setup for osmnx; not timed)."""
    import osmium

    writer = osmium.SimpleWriter(str(dst), overwrite=True)
    try:
        for obj in osmium.FileProcessor(str(src)):
            if isinstance(obj, osmium.osm.Node):
                writer.add_node(obj)
            elif isinstance(obj, osmium.osm.Way):
                writer.add_way(obj)
            elif isinstance(obj, osmium.osm.Relation):
                writer.add_relation(obj)
    finally:
        writer.close()


def pick_pairs(home: Path, count: int, seed: int = 42) -> list[list[int]]:
    """Random pairs of OSM node ids: junctions of the main component of hipstride's network."""
    import numpy as np

    from hipstride.map.store import load_map

    net = load_map("heidelberg", home)
    degree = np.diff(net.adj_ptr)
    nodes = np.flatnonzero((net.node_component == net.main_component) & (degree >= 3))
    rng = np.random.default_rng(seed)
    chosen = rng.choice(nodes, size=(count, 2))
    return [[int(net.node_osm_id[a]), int(net.node_osm_id[b])] for a, b in chosen.tolist()]


def time_hipstride_routes(home: Path, pairs: list[list[int]]) -> dict[str, float]:
    """Per-query seconds of hipstride's searches on the same OSM node pairs."""
    import numpy as np

    from hipstride.map._search import Place, SearchIndex, search
    from hipstride.map.costs import CostModel
    from hipstride.map.planner import plan_route
    from hipstride.map.store import load_map
    from hipstride.model.profile import default_profile

    t = time.perf_counter()
    net = load_map("heidelberg", home)
    load_s = time.perf_counter() - t
    profile = default_profile()
    t = time.perf_counter()
    hip = SearchIndex(CostModel(net, profile, "hip"))
    length = SearchIndex(CostModel(net, profile, "length"))
    build_s = time.perf_counter() - t
    tables_mib = (hip.graph.table_bytes + hip.table_bytes + length.table_bytes) / 2**20
    index = {int(osm): i for i, osm in enumerate(net.node_osm_id.tolist())}
    out: dict[str, list[float]] = {"hip": [], "length": [], "route_to": []}
    for a, b in pairs:
        u, v = index[a], index[b]
        for key, ix in (("hip", hip), ("length", length)):
            t = time.perf_counter()
            search(ix, Place(node=u), Place(node=v))
            out[key].append(time.perf_counter() - t)
        t = time.perf_counter()
        plan_route(net, start_lat_deg=float(net.node_lat_deg[u]),
                   start_lon_deg=float(net.node_lon_deg[u]), end_lat_deg=float(net.node_lat_deg[v]),
                   end_lon_deg=float(net.node_lon_deg[v]), profile=profile)
        out["route_to"].append(time.perf_counter() - t)
    return {"load_s": load_s, "build_s": build_s, "tables_mib": tables_mib,
            **{k: float(np.mean(v)) for k, v in out.items()},
            **{f"{k}_median": float(np.median(v)) for k, v in out.items()}}


def time_loops(home: Path) -> list[tuple[int, float, list[float]]]:
    from hipstride.map.planner import plan_loops
    from hipstride.map.store import load_map
    from hipstride.model.profile import default_profile

    net = load_map("heidelberg", home)
    profile = default_profile()
    out = []
    for seed in (1, 2, 3):
        t = time.perf_counter()
        plan = plan_loops(net, start_lat_deg=LOOP_START[0], start_lon_deg=LOOP_START[1],
                          distance_m=10_000.0, profile=profile, count=3, seed=seed)
        out.append((seed, time.perf_counter() - t, [r.distance_m for r in plan.routes]))
    return out


def time_matching(home: Path) -> list[tuple[str, int, float, float]]:
    import numpy as np

    from hipstride.io import read_activity
    from hipstride.map.matching import match_track
    from hipstride.map.store import load_map

    net = load_map("heidelberg", home)
    run = read_activity(RUN)
    ok = np.isfinite(run.lat_deg)
    lat, lon = run.lat_deg[ok], run.lon_deg[ok]
    rng = np.random.default_rng(5)
    big_lat = np.tile(lat, 10) + rng.normal(0.0, 2e-5, lat.shape[0] * 10)
    big_lon = np.tile(lon, 10) + rng.normal(0.0, 3e-5, lat.shape[0] * 10)
    match_track(net, lat[:200], lon[:200])  # warm-up (imports, caches)
    out = []
    for name, a, b in (("Heidelberg run", lat, lon), ("run ×10 with noise", big_lat, big_lon)):
        times = []
        share = 0.0
        for _ in range(3):
            t = time.perf_counter()
            result = match_track(net, a, b)
            times.append(time.perf_counter() - t)
            share = result.matched_share
        best = min(times)
        out.append((name, int(a.shape[0]), a.shape[0] / best, share))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each hipstride import")
    parser.add_argument("--osmnx-runs", type=int, default=1, help="runs of the osmnx import")
    parser.add_argument("--queries", type=int, default=50, help="A→B queries")
    parser.add_argument("--keep", type=Path, help="keep the work folder here")
    args = parser.parse_args()
    if not EXTRACT.is_file():
        print(f"missing {EXTRACT}")
        return 0
    work = Path(args.keep or tempfile.mkdtemp(prefix="hipstride-bench-map-"))
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    try:
        xml = work / "heidelberg.osm"
        t = time.perf_counter()
        to_xml(EXTRACT, xml)
        print(f"setup: {EXTRACT.name} → {xml.name} ({xml.stat().st_size / 1e6:.0f} MB XML) "
              f"in {time.perf_counter() - t:.1f} s (not timed)")

        print("\n1. import (child processes; wall time and peak RSS include interpreter and imports)")
        bare = measure("python (bare interpreter)", 3, BARE)
        hs = measure("hipstride map import (.pbf)", args.runs, HIPSTRIDE_IMPORT, str(EXTRACT), str(home))
        hs_xml = measure("hipstride map import (.osm XML)", args.runs, HIPSTRIDE_IMPORT, str(xml),
                         str(work / "home-xml"))
        ox = measure("osmnx graph_from_xml (.osm XML)", args.osmnx_runs, OSMNX_IMPORT, str(xml))
        print(f"{'contender':<36} {'wall s':>8} {'peak MiB':>9}  detail")
        for m in (bare, hs, hs_xml, ox):
            print(f"{m.name:<36} {m.wall:>8.2f} {m.rss:>9.0f}  {m.note}")
        print(f"ratio osmnx / hipstride (.pbf): time {ox.wall / hs.wall:.1f}× faster (target ≥ 10×), "
              f"peak memory {hs.rss / ox.rss:.2f} of osmnx (target ≤ 0.33)")
        print(f"ratio osmnx / hipstride (same XML): time {ox.wall / hs_xml.wall:.1f}×, "
              f"peak memory {hs_xml.rss / ox.rss:.2f}")

        print(f"\n2. A→B routing, {args.queries} random pairs of junctions")
        pairs_file, result_file = work / "pairs.json", work / "nx.json"
        pairs_file.write_text(json.dumps(pick_pairs(home, args.queries * 4)))
        run_child(NETWORKX_ROUTES, str(xml), str(pairs_file), str(result_file), str(args.queries))
        nx_result = json.loads(result_file.read_text())
        pairs = nx_result["pairs"]
        nx_mean = statistics.mean(nx_result["times"])
        nx_median = statistics.median(nx_result["times"])
        hs_routes = time_hipstride_routes(home, pairs)
        print(f"pairs routable in both graphs: {len(pairs)}; hipstride map load "
              f"{hs_routes['load_s'] * 1000:.0f} ms, cost tables (hip-load and length) "
              f"{hs_routes['build_s'] * 1000:.0f} ms and {hs_routes['tables_mib']:.0f} MiB "
              "(once per map and profile)")
        print(f"{'query':<48} {'mean ms':>8} {'median ms':>10}")
        print(f"{'networkx shortest_path (length, osmnx graph)':<48} {nx_mean * 1000:>8.1f} "
              f"{nx_median * 1000:>10.1f}")
        for key, label in (("hip", "hipstride A* (hip-load cost, turn costs)"),
                           ("length", "hipstride A* (plain length)"),
                           ("route_to", "hipstride plan_route (snap, both, evaluate)")):
            print(f"{label:<48} {hs_routes[key] * 1000:>8.2f} {hs_routes[key + '_median'] * 1000:>10.2f}")
        print(f"ratio networkx / hipstride hip-load A*: {nx_mean / hs_routes['hip']:.0f}× (mean), "
              f"{nx_median / hs_routes['hip_median']:.0f}× (median) (target ≥ 20×)")
        print(f"ratio networkx / hipstride plan_route (two searches + evaluation): "
              f"{nx_mean / hs_routes['route_to']:.0f}×")

        print("\n3. 10 km loop, 3 candidates + baseline, central Heidelberg (target < 2 s)")
        for seed, seconds, lengths in time_loops(home):
            km = ", ".join(f"{d / 1000:.2f}" for d in lengths)
            print(f"seed {seed}: {seconds:.2f} s  (loops of {km} km)")

        print("\n4. map matching (target ≥ 10,000 points/s)")
        for name, n, rate, share in time_matching(home):
            print(f"{name:<22} {n:>7} points  {rate:>9,.0f} points/s  matched {share:.1%}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
