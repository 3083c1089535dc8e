"""Planning on the real extracts: A→B routes and loops, their properties, exports and errors."""

from __future__ import annotations

import dataclasses
import gc
import heapq
import itertools
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from hipstride.cli import main
from hipstride.errors import InputError
from hipstride.map._astar import astar
from hipstride.map._search import Place, SearchIndex, SearchResult, search, search_index
from hipstride.map.costs import EPS_COST_M, MIN_MULTIPLIER, UTURN_DEG, CostModel
from hipstride.map.evaluate import RouteSummary
from hipstride.map.network import FLAG_STEPS, FootNetwork
from hipstride.map.osm_import import read_osm
from hipstride.map.planner import Plan, plan_loops, plan_route
from hipstride.map.spatial import snap_point
from hipstride.map.store import save_map
from hipstride.map.surfaces import MapChoice, choose_map, map_surface_provider, surface_for_course
from hipstride.model.hipload import (
    downhill_load,
    evaluate_course,
    surface_load,
    turn_load_per_rad_m,
    uphill_load,
)
from hipstride.model.profile import default_profile, load_profile
from hipstride.track.geodesy import haversine_m
from tests.conftest import data_path
from tests.test_map_import import EXTRACTS, map_home, stored_network

PROFILE = default_profile()
LOOPS = [("heidelberg", (49.4093, 8.6947), 8.0),
         ("liechtenstein", (47.1410, 9.5209), 10.0),
         ("monaco", (43.7384, 7.4246), 5.0)]
_PLANS: dict[tuple[str, int], Plan] = {}


def loop_plan(name: str, seed: int) -> Plan:
    key = (name, seed)
    if key not in _PLANS:
        _, (lat, lon), km = next(item for item in LOOPS if item[0] == name)
        _PLANS[key] = plan_loops(stored_network(name), start_lat_deg=lat, start_lon_deg=lon,
                                 distance_m=km * 1000.0, profile=PROFILE, count=3, seed=seed)
    return _PLANS[key]


def _repeated_m(net: FootNetwork, r: RouteSummary) -> float:
    spans: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for e, f0, f1 in r.geometry.pieces:
        spans[e].append((min(f0, f1), max(f0, f1)))
    repeated = 0.0
    for e, items in spans.items():
        for (a0, a1), (b0, b1) in itertools.combinations(items, 2):
            repeated += max(0.0, min(a1, b1) - max(a0, b0)) * float(net.edge_length_m[e])
    return repeated


def _segments(r: RouteSummary) -> dict[tuple[tuple[float, float], tuple[float, float]], float]:
    lat, lon = r.geometry.lat_deg, r.geometry.lon_deg
    out = {}
    for i in range(lat.shape[0] - 1):
        a = (round(float(lat[i]), 6), round(float(lon[i]), 6))
        b = (round(float(lat[i + 1]), 6), round(float(lon[i + 1]), 6))
        out[(min(a, b), max(a, b))] = float(haversine_m(lat[i], lon[i], lat[i + 1], lon[i + 1]))
    return out


@pytest.mark.parametrize(("name", "start", "km"), LOOPS)
def test_loops_meet_every_property(name: str, start: tuple[float, float], km: float) -> None:
    plan = loop_plan(name, 7)
    net = stored_network(name)
    assert len(plan.routes) == 3
    for r in plan.routes:
        assert abs(r.distance_m - km * 1000.0) <= 0.05 * km * 1000.0
        lat, lon = r.geometry.lat_deg, r.geometry.lon_deg
        assert haversine_m(lat[0], lon[0], lat[-1], lon[-1]) < 1.0            # closed
        assert haversine_m(lat[0], lon[0], *start) < 500.0                      # at the start
        assert _repeated_m(net, r) <= 0.10 * r.distance_m
        assert r.hip_load.index is not None
        assert r.hip_load.index >= 1.0 - 0.2
    for a, b in itertools.combinations(plan.routes, 2):
        sa, sb = _segments(a), _segments(b)
        shared = sum(length for key, length in sa.items() if key in sb)
        assert shared < 0.5 * min(a.distance_m, b.distance_m)
    assert plan.baseline is not None
    assert abs(plan.baseline.distance_m - km * 1000.0) <= 0.05 * km * 1000.0
    # every index was asserted not None above, so the filter drops nothing
    ranked = [r.hip_load.index for r in plan.routes if r.hip_load.index is not None]
    assert ranked == sorted(ranked)                   # listed in the order of the index shown


@pytest.mark.parametrize("name", ["heidelberg", "monaco"])
def test_loops_are_reproducible_with_a_seed(name: str) -> None:
    first = loop_plan(name, 7).to_dict()
    _, (lat, lon), km = next(item for item in LOOPS if item[0] == name)
    again = plan_loops(stored_network(name), start_lat_deg=lat, start_lon_deg=lon,
                       distance_m=km * 1000.0, profile=PROFILE, count=3, seed=7).to_dict()
    assert again["routes"] == first["routes"]
    other = loop_plan(name, 8).to_dict()
    assert [r["coordinates"] for r in other["routes"]] != [r["coordinates"] for r in first["routes"]]


def test_loop_document(tmp_path: Path) -> None:
    doc = loop_plan("heidelberg", 7).to_dict()
    assert doc["attribution"] == "© OpenStreetMap contributors"
    assert set(doc) >= {"routes", "baseline", "attribution", "start", "request", "notes"}
    for r in [*doc["routes"], doc["baseline"]]:
        assert set(r) >= {"distance_m", "coordinates", "surface", "turns", "climb_m", "descent_m",
                          "hip_load"}
        assert set(r["turns"]) >= {"sharp_count", "per_km"}
        assert set(r["hip_load"]) >= {"index", "factors"}
        assert set(r["surface"]["shares"]) == {"soft", "hard", "unknown"}
        assert r["coordinates"][0] == r["coordinates"][-1]
    assert "vs_baseline" in doc["routes"][0]
    json.dumps(doc)


def test_planning_and_analysis_agree() -> None:
    """A planned loop, matched back to the map like a run, gives the planner's own figures."""
    plan = loop_plan("liechtenstein", 7)
    net = stored_network("liechtenstein")
    r = plan.routes[0]
    matched = surface_for_course(net, r.course)
    assert matched.matched_share == pytest.approx(1.0, abs=0.02)
    w = r.hip_load.weights_m
    for cls, share in r.surface.shares(w).items():
        assert matched.shares(w)[cls] == pytest.approx(share, abs=0.03)
    again = evaluate_course(r.course, r.turns, matched, PROFILE)
    assert again.index == pytest.approx(r.hip_load.index, abs=0.005)


def test_a_star_finds_the_shortest_path() -> None:
    net = stored_network("liechtenstein")
    ix = SearchIndex(CostModel(net, PROFILE, "length"))
    n = net.n_nodes
    best: dict[tuple[int, int], float] = {}
    for u, v, w in zip(net.edge_from.tolist(), net.edge_to.tolist(),
                       (net.edge_length_m + 1e-3).tolist(), strict=True):
        key = (min(u, v), max(u, v))
        best[key] = min(w, best.get(key, np.inf))
    rows, cols = zip(*best, strict=True)
    graph = csr_matrix((list(best.values()), (rows, cols)), shape=(n, n))
    main_nodes = np.flatnonzero(net.node_component == net.main_component)
    rng = np.random.default_rng(3)
    pairs = rng.choice(main_nodes, size=(6, 2))
    exact = dijkstra(graph, directed=False, indices=pairs[:, 0])
    for i, (a, b) in enumerate(pairs.tolist()):
        found = search(ix, Place(node=a), Place(node=b))
        assert found is not None
        assert found.cost == pytest.approx(exact[i, b], rel=1e-9, abs=1e-6)


def test_costs_follow_the_model() -> None:
    net = stored_network("heidelberg")
    cm = CostModel(net, PROFILE, "hip")
    steep = np.flatnonzero((net.edge_grade_pct > 10) & ((net.edge_flags & FLAG_STEPS) == 0))
    e = int(steep[0])
    up, down = cm.arc_cost[2 * e], cm.arc_cost[2 * e + 1]
    assert down > up > net.edge_length_m[e]          # descents cost more than climbs
    steps = np.flatnonzero(net.edge_flags & FLAG_STEPS)
    s = int(steps[np.argmax(net.edge_length_m[steps])])
    assert cm.arc_cost[2 * s] < 2.0 * net.edge_length_m[s]      # steps: their grade only
    wary = dataclasses.replace(PROFILE, planner=dataclasses.replace(PROFILE.planner,
                                                                    steps_factor=4.0))
    assert CostModel(net, wary, "hip").arc_cost[2 * s] > 3.0 * net.edge_length_m[s]
    length = CostModel(net, PROFILE, "length")
    assert length.arc_cost[2 * e] == pytest.approx(net.edge_length_m[e], abs=0.01)
    assert cm.turn_cost(2 * e, 2 * e + 1) > 50.0      # a U-turn


def _inner_bend_costs_m(net: FootNetwork, per_rad: float, bend_min_deg: float) -> np.ndarray:
    """Bends between consecutive shape segments of each edge, recomputed from the shapes."""
    e_of = net.shape_edge
    seg = np.flatnonzero(e_of[:-1] == e_of[1:])                 # segments never span two edges
    sx, sy = net.shape_xy_m
    heading = np.degrees(np.arctan2(sx[seg + 1] - sx[seg], sy[seg + 1] - sy[seg]))
    same = e_of[seg[1:]] == e_of[seg[:-1]]
    angle = np.abs((heading[1:] - heading[:-1] + 180.0) % 360.0 - 180.0)
    cost = np.where(same & (angle >= bend_min_deg), per_rad * np.radians(angle), 0.0)
    return np.bincount(e_of[seg[1:]], weights=cost, minlength=net.n_edges)


@pytest.mark.parametrize("profile_name", ["default", "flat-soft"])
@pytest.mark.parametrize("name", ["heidelberg", "liechtenstein"])
def test_arc_costs_are_the_models_terms(name: str, profile_name: str) -> None:
    """On every edge of a real map, both directions: arc cost = length × (1 + the model's
    downhill, uphill and surface terms) × steps factor + bends at the model's turn weight, so a
    change to the model's curves cannot leave the planner behind."""
    profile = load_profile(profile_name)
    net = stored_network(name)
    cm = CostModel(net, profile, "hip")
    grade = net.edge_grade_pct
    assert np.isfinite(grade).sum() > 50                      # the map has grades to test
    surf = surface_load(net.edge_surface_class, net.edge_surface_confidence, profile.surface)
    steps = np.where(net.edge_flags & FLAG_STEPS, profile.planner.steps_factor, 1.0)
    per_rad = turn_load_per_rad_m(profile.turns, profile.reference_speed_mps)
    assert per_rad == pytest.approx(profile.turns.per_g * profile.reference_speed_mps ** 2 / 9.80665)
    bends = _inner_bend_costs_m(net, per_rad, profile.planner.bend_min_deg)
    for direction, g in ((0, grade), (1, -grade)):
        terms = downhill_load(g, profile.downhill) + uphill_load(g, profile.uphill) + surf
        expected = net.edge_length_m * np.maximum(1.0 + terms, MIN_MULTIPLIER) * steps + bends
        np.testing.assert_allclose(cm.arc_cost[direction::2], expected + EPS_COST_M, rtol=1e-9)
    # turns at junctions: the same weight per radian, plus the U-turn knob
    rng = np.random.default_rng(4)
    for e in rng.choice(net.n_edges, 50).tolist():
        head = int(net.edge_to[e])
        for b in net.adj_arc[net.adj_ptr[head]:net.adj_ptr[head + 1]].tolist():
            theta = abs((cm.arc_bearing_out[b] - cm.arc_bearing_in[2 * e] + 180.0) % 360.0 - 180.0)
            want = 0.0
            if theta >= profile.planner.bend_min_deg:
                want = per_rad * np.radians(theta)
                want += profile.planner.uturn_penalty_m if theta >= UTURN_DEG else 0.0
            assert cm.turn_cost(2 * e, b) == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_a_new_network_never_gets_the_old_ones_tables() -> None:
    """The review's §3.3 bug: tables cached by ``id(net)`` served Berlin's segments to Andorra's
    network once Berlin's was dropped and its id reused (with the old cache this test snapped the
    point 442 m away). Berlin is built, used and dropped until Andorra's network lands on its id
    (a few tries here), then Andorra's snaps and tables must be its own."""
    berlin_src = read_osm(data_path(EXTRACTS["berlin"]), name="berlin")
    andorra_src = read_osm(data_path("osm/graphhopper__andorra.osm.pbf"), name="andorra")
    parts = [(berlin_src.arrays(), berlin_src.meta), (andorra_src.arrays(), andorra_src.meta)]
    del berlin_src, andorra_src
    for _ in range(20):
        berlin = FootNetwork(**parts[0][0], meta=parts[0][1])
        snap_point(berlin, 52.5145, 13.3501)
        search_index(berlin, PROFILE, "length")
        dropped = id(berlin)
        del berlin
        gc.collect()
        andorra = FootNetwork(**parts[1][0], meta=parts[1][1])
        if id(andorra) == dropped:
            break
    assert andorra.segment_starts.shape[0] == andorra.shape_lat_deg.shape[0] - andorra.n_edges
    # a shape point inside the edge of the main component with most shape points snaps onto itself
    main = np.flatnonzero(andorra.node_component[andorra.edge_from] == andorra.main_component)
    e = int(main[np.argmax(np.diff(andorra.shape_ptr)[main])])
    i = int((andorra.shape_ptr[e] + andorra.shape_ptr[e + 1]) // 2)
    lat, lon = float(andorra.shape_lat_deg[i]), float(andorra.shape_lon_deg[i])
    snap = snap_point(andorra, lat, lon)
    assert snap.distance_m < 0.01
    assert haversine_m(snap.lat_deg, snap.lon_deg, lat, lon) < 0.01
    ix = search_index(andorra, PROFILE, "length")
    assert ix.net is andorra
    assert ix.costs.arc_cost.shape == (2 * andorra.n_edges,)
    assert search_index(andorra, load_profile(None), "length") is ix   # profiles equal by value


def test_several_covering_maps_pick_the_smallest_and_say_so(tmp_path: Path) -> None:
    monaco = stored_network("monaco")
    save_map(monaco, "monaco", tmp_path)
    s, w, n, e = monaco.meta["bbox"]
    wide = dataclasses.replace(monaco, meta={**monaco.meta, "bbox": [s - 0.5, w - 0.5, n + 0.5, e + 0.5]})
    save_map(wide, "riviera", tmp_path)
    choice = choose_map(43.7384, 7.4246, home=tmp_path, what="the start")
    assert choice is not None
    assert choice.name == "monaco"
    assert choice.note is not None
    assert "smallest of the 2 stored maps that cover the start" in choice.note
    assert "'riviera'" in choice.note
    assert choose_map(43.7384, 7.4246, name="riviera", home=tmp_path) == MapChoice("riviera", None)
    assert choose_map(43.5, 7.0, home=tmp_path) is not None      # only the wide one covers it
    assert choose_map(10.0, 10.0, home=tmp_path) is None
    provider, message = map_surface_provider(np.array([43.7384, 43.7311]), np.array([7.4246, 7.4197]),
                                             home=tmp_path)
    assert provider is not None
    assert message is not None
    assert message.startswith("surface from stored map 'monaco'")
    result = CliRunner().invoke(main, ["route", "to", "--start", "43.7384,7.4246", "--end",
                                       "43.7311,7.4197", "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "note: planning on stored map 'monaco'" in result.stderr
    assert "Route 1:" in result.stdout


def test_route_to_beats_or_matches_the_shortest_on_the_planner_cost() -> None:
    net = stored_network("heidelberg")
    plan = plan_route(net, start_lat_deg=49.4093, start_lon_deg=8.6947, end_lat_deg=49.4010,
                      end_lon_deg=8.7070, profile=PROFILE)
    best, short = plan.routes[0], plan.baseline
    assert short is not None
    assert best.distance_m >= short.distance_m - 1.0
    assert best.steps_m <= short.steps_m
    lat, lon = best.geometry.lat_deg, best.geometry.lon_deg
    assert haversine_m(lat[0], lon[0], plan.start.lat_deg, plan.start.lon_deg) < 1.0
    assert plan.end is not None                       # an A→B plan has an end
    assert haversine_m(lat[-1], lon[-1], plan.end.lat_deg, plan.end.lon_deg) < 1.0
    assert any("moved 46 m" in n for n in plan.notes)


def test_requests_that_cannot_be_met() -> None:
    monaco = stored_network("monaco")
    with pytest.raises(InputError, match="km from the nearest usable way"):
        plan_loops(monaco, start_lat_deg=48.0, start_lon_deg=2.0, distance_m=5000.0, seed=1)
    with pytest.raises(InputError, match="90 km"):
        plan_loops(monaco, start_lat_deg=43.7384, start_lon_deg=7.4246, distance_m=90_000.0,
                   seed=1)
    with pytest.raises(InputError, match="between"):
        plan_loops(monaco, start_lat_deg=43.7384, start_lon_deg=7.4246, distance_m=500_000.0,
                   seed=1)
    with pytest.raises(InputError, match=r"^count must be between 1 and 10, got 11$"):
        plan_loops(monaco, start_lat_deg=43.7384, start_lon_deg=7.4246, distance_m=5000.0,
                   count=11)
    with pytest.raises(InputError, match="end"):
        plan_route(monaco, start_lat_deg=43.7384, start_lon_deg=7.4246, end_lat_deg=43.0,
                   end_lon_deg=7.0)
    tiny = stored_network("berlin")
    with pytest.raises(InputError, match="cannot be planned from here"):
        plan_loops(tiny, start_lat_deg=52.5145, start_lon_deg=13.3501, distance_m=30_000.0,
                   seed=1)


def test_cli_route_loop_with_exports(tmp_path: Path) -> None:
    stored_network("monaco")
    runner = CliRunner()
    gpx, page = tmp_path / "loops.gpx", tmp_path / "loops.html"
    result = runner.invoke(main, ["route", "loop", "--start", "43.7384,7.4246", "--distance-km", "5",
                                  "--seed", "7", "--map", "monaco", "--home", str(map_home()),
                                  "--json", "--gpx", str(gpx), "--html", str(page)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(doc["routes"]) == 3
    assert doc["attribution"] == "© OpenStreetMap contributors"
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    root = ET.parse(gpx).getroot()
    assert root.get("version") == "1.1"
    tracks = root.findall("g:trk", ns)
    assert len(tracks) == 3
    points = tracks[0].findall("g:trkseg/g:trkpt", ns)
    assert len(points) == len(doc["routes"][0]["coordinates"])
    notice = root.find("g:metadata/g:copyright", ns)
    assert notice is not None
    assert notice.get("author") == "OpenStreetMap contributors"
    text = page.read_text(encoding="utf-8")
    assert "<svg" in text
    assert "© OpenStreetMap contributors" in text
    assert "<script" not in text
    assert "<link" not in text
    assert "src=" not in text
    plain = runner.invoke(main, ["route", "loop", "--start", "43.7384,7.4246", "--distance-km", "5",
                                 "--seed", "7", "--home", str(map_home())])
    assert plain.exit_code == 0
    assert "Loop 1:" in plain.output
    assert "Shortest (baseline)" in plain.output


def test_cli_route_to_and_errors(tmp_path: Path) -> None:
    stored_network("monaco")
    runner = CliRunner()
    home = ["--home", str(map_home()), "--map", "monaco"]
    ok = runner.invoke(main, ["route", "to", "--start", "43.7384,7.4246", "--end", "43.7311,7.4197",
                              "--json", *home])
    assert ok.exit_code == 0, ok.output
    doc = json.loads(ok.stdout)
    assert len(doc["routes"]) == 1
    assert doc["baseline"]["distance_m"] > 0
    far = runner.invoke(main, ["route", "loop", "--start", "0,0", "--distance-km", "5", *home])
    assert far.exit_code == 2
    assert "km from the nearest usable way" in far.output
    bad = runner.invoke(main, ["route", "loop", "--start", "north", "--distance-km", "5", *home])
    assert bad.exit_code == 2
    assert "LAT,LON" in bad.output
    nomap = runner.invoke(main, ["route", "loop", "--start", "10,10", "--distance-km", "5",
                                 "--home", str(tmp_path)])
    assert nomap.exit_code == 2
    assert "no stored map covers" in nomap.output


# --- the search against a plain Dijkstra over arcs ----------------------------------------------

_NETWORKS: dict[str, FootNetwork] = {}


def _network(name: str) -> FootNetwork:
    if name not in _NETWORKS:
        _NETWORKS[name] = stored_network(name)
    return _NETWORKS[name]


def reference_cost(cm: CostModel, origin: Place, goal: Place, penalised: frozenset[int] = frozenset(),
                   factor: float = 1.0) -> float | None:
    """Cheapest leg by a textbook Dijkstra over arcs (states = arcs), in plain Python.

    Same cost rules as :func:`search`: an arc's cost times ``factor`` on a penalised edge, the
    turn between consecutive arcs, the part of the first and last edge run; leaving a start node
    with ``arrive_arc`` onto a penalised edge costs (arc + turn) × factor.
    """
    net = cm.net
    cost = cm.arc_cost.tolist()
    head = net.arc_head(np.arange(2 * net.n_edges)).tolist()
    ptr, adj = net.adj_ptr.tolist(), net.adj_arc.tolist()
    b_in, b_out = cm.arc_bearing_in.tolist(), cm.arc_bearing_out.tolist()
    per_deg = cm.turn_m_per_rad * np.pi / 180.0
    bend_min_deg = cm.bend_min_deg

    def arc(a: int) -> float:
        return cost[a] * factor if a >> 1 in penalised else cost[a]

    def turn_cost(a: int, b: int) -> float:
        theta = abs((b_out[b] - b_in[a] + 180.0) % 360.0 - 180.0)
        if theta < bend_min_deg:
            return 0.0
        return float(per_deg * theta + (cm.uturn_m if theta >= 150.0 else 0.0))

    best = np.inf
    if origin.node < 0 and goal.node < 0 and origin.edge == goal.edge:
        e, f0, f1 = origin.edge, origin.fraction, goal.fraction
        best = cost[2 * e] * (f1 - f0) if f1 >= f0 else cost[2 * e + 1] * (f0 - f1)
    elif origin.node >= 0 and origin.node == goal.node:
        return 0.0
    finals: dict[int, list[tuple[int, float]]] = defaultdict(list)
    if goal.node >= 0:
        finals[goal.node].append((-1, 0.0))
    else:
        e, f = goal.edge, goal.fraction
        finals[int(net.edge_from[e])].append((2 * e, cost[2 * e] * f))
        finals[int(net.edge_to[e])].append((2 * e + 1, cost[2 * e + 1] * (1 - f)))
    dist: dict[int, float] = {}
    if origin.node >= 0:
        u, came = origin.node, origin.arrive_arc
        for fa, extra in finals.get(u, []):   # the goal on an edge at the start node
            best = min(best, extra + (turn_cost(came, fa) if came >= 0 and fa >= 0 else 0.0))
        for a in adj[ptr[u]:ptr[u + 1]]:
            g0 = cost[a] + (turn_cost(came, a) if came >= 0 else 0.0)
            g0 = g0 * factor if a >> 1 in penalised else g0
            dist[a] = min(g0, dist.get(a, np.inf))
    else:
        e, f = origin.edge, origin.fraction
        scale = factor if e in penalised else 1.0
        dist[2 * e], dist[2 * e + 1] = cost[2 * e] * (1 - f) * scale, cost[2 * e + 1] * f * scale
    heap = [(d, a) for a, d in dist.items()]
    heapq.heapify(heap)
    while heap:
        d, a = heapq.heappop(heap)
        if d >= best:
            break
        if d > dist[a]:
            continue
        u = head[a]
        for fa, extra in finals.get(u, []):
            best = min(best, d + extra + (turn_cost(a, fa) if fa >= 0 else 0.0))
        for b in adj[ptr[u]:ptr[u + 1]]:
            nd = d + arc(b) + turn_cost(a, b)
            if nd < dist.get(b, np.inf):
                dist[b] = nd
                heapq.heappush(heap, (nd, b))
    return None if best == np.inf else float(best)


def _leg_cost(cm: CostModel, origin: Place, goal: Place, leg: SearchResult, penalised: frozenset[int],
              factor: float) -> float:
    """Cost of a found leg recomputed from its pieces, checking that they join up."""
    net = cm.net
    pieces = leg.pieces
    if origin.node < 0 and goal.node < 0 and len(pieces) == 1 and pieces[0][0] == origin.edge \
            and leg.last_arc == -1:
        e, f0, f1 = pieces[0]
        return float(cm.arc_cost[2 * e] * (f1 - f0) if f1 >= f0 else cm.arc_cost[2 * e + 1] * (f0 - f1))
    total, prev = 0.0, origin.arrive_arc if origin.node >= 0 else -1
    at = origin.node if origin.node >= 0 else -1
    for i, (e, f0, f1) in enumerate(pieces):
        a = 2 * e if (f1 > f0 if f1 != f0 else f0 == 0.0) else 2 * e + 1
        tail = int(net.arc_tail(np.array([a]))[0])
        if i == 0 and origin.node < 0:
            assert e == origin.edge
            assert f0 == origin.fraction
        else:
            assert tail == at
            assert f0 == (1.0 if a & 1 else 0.0)
        last = i == len(pieces) - 1 and goal.node < 0
        if last:
            assert e == goal.edge
            assert f1 == goal.fraction
        part = float(cm.arc_cost[a]) * abs(f1 - f0)
        turn = cm.turn_cost(prev, a) if prev >= 0 else 0.0
        if e in penalised and not last:
            part *= factor
            if i == 0 and origin.node >= 0 and prev >= 0:
                turn *= factor
        total += part + turn
        prev, at = a, int(net.arc_head(np.array([a]))[0])
    if goal.node >= 0:
        assert at == goal.node
    assert leg.last_arc == prev
    return total


def _random_place(rng: np.random.Generator, net: FootNetwork, near: Place | None = None,
                  within_m: float = np.inf) -> Place:
    main = np.flatnonzero(net.node_component == net.main_component)
    if near is not None and np.isfinite(within_m):
        x, y = net.node_xy_m
        u = near.node if near.node >= 0 else int(net.edge_from[near.edge])
        main = main[np.hypot(x[main] - x[u], y[main] - y[u]) <= within_m]
    node = int(rng.choice(main))
    if rng.random() < 0.5:
        return Place(node=node)
    arcs = net.adj_arc[net.adj_ptr[node]:net.adj_ptr[node + 1]]
    return Place(edge=int(rng.choice(arcs)) >> 1, fraction=float(rng.random()))


@pytest.mark.parametrize(("name", "queries", "within_m"), [("monaco", 150, np.inf),
                                                          ("heidelberg", 40, 2500.0),
                                                          ("heidelberg", 8, np.inf)])
@pytest.mark.parametrize("kind", ["hip", "length"])
def test_search_costs_match_a_plain_dijkstra_over_arcs(name: str, queries: int, within_m: float,
                                                       kind: str) -> None:
    """Random legs (nodes, points inside edges, arrival arcs, penalised edges, one edge): same
    cost as the textbook search, and pieces that join up and add up to that cost."""
    net = _network(name)
    ix = SearchIndex(CostModel(net, PROFILE, kind))
    cm = ix.costs
    rng = np.random.default_rng(11)
    for i in range(queries):
        origin = _random_place(rng, net)
        goal = _random_place(rng, net, origin, within_m)
        if i % 7 == 3 and origin.node < 0:                       # both inside one edge
            goal = Place(edge=origin.edge, fraction=float(rng.random()))
        if i % 5 == 2 and goal.node < 0:                         # at an end of an edge
            goal = Place(edge=goal.edge, fraction=float(rng.choice([0.0, 1.0])))
        if i % 3 == 1 and origin.node >= 0:                      # arriving at a waypoint
            came = int(net.adj_arc[net.adj_ptr[origin.node]]) ^ 1
            origin = Place(node=origin.node, arrive_arc=came)
        penalised: frozenset[int] = frozenset()
        factor = 1.0
        if i % 2 == 1:                                           # a loop's used edges
            plain = search(ix, origin, goal)
            assert plain is not None
            used = [e for e, _, _ in plain.pieces[: max(1, len(plain.pieces) // 2)]]
            if origin.node >= 0 and origin.arrive_arc >= 0:
                used.append(origin.arrive_arc >> 1)
            penalised = frozenset(used) | frozenset(rng.choice(net.n_edges, 40).tolist())
            factor = 5.0
        leg = search(ix, origin, goal, penalised=set(penalised), reuse_factor=factor)
        expected = reference_cost(cm, origin, goal, penalised, factor)
        assert leg is not None, (origin, goal)
        assert expected is not None, (origin, goal)
        assert leg.cost == pytest.approx(expected, rel=1e-9, abs=1e-6), (origin, goal, penalised)
        assert _leg_cost(cm, origin, goal, leg, penalised, factor) == pytest.approx(
            leg.cost, rel=1e-9, abs=1e-6)


def test_search_stays_exact_with_bounds_that_are_admissible_but_not_consistent() -> None:
    """The compiled search reads bounds rounded to float32, which may break consistency by a
    rounding: an arc reached more cheaply after it closed is opened again, and the heap is
    compacted whenever it fills. Here every node's rows are raised at random by up to a third of
    their size (the bounds stay lower bounds, far from consistent); then, with no bounds, the heap
    is cut to a few hundred entries: the legs still cost what a plain Dijkstra over arcs finds. A heap
    too small for the open arcs alone stops the search with an error, never an overrun."""
    net = _network("monaco")
    ix = SearchIndex(CostModel(net, PROFILE, "hip"))
    rng = np.random.default_rng(21)
    raised = ix.node_bounds + np.abs(ix.node_bounds) * rng.uniform(0.0, 0.34, ix.node_bounds.shape)
    ix.search_bounds = raised.astype(np.float32) + np.float32(1.0)      # rounded up, and more
    room = ix.adj_head.shape[0] + int(np.diff(ix.adj_ptr).max()) + 1
    legs = [(_random_place(rng, net), _random_place(rng, net)) for _ in range(40)]
    none = np.zeros((net.n_nodes, 0))
    for rows, bounds, heap in ((ix.node_bounds, ix.search_bounds, room), (none, none, 250)):
        # the raised bounds open arcs again; with none at all (a plain Dijkstra) a search
        # pushes more entries than a heap of a few hundred holds, compacted each time it fills
        ix.node_bounds, ix.search_bounds = rows, bounds.astype(np.float32)
        for origin, goal in legs:
            expected = reference_cost(ix.costs, origin, goal, frozenset(), 1.0)
            size = heap
            while True:        # a heap the open arcs alone fill is refused: give it more room
                ix.heap_keys, ix.heap_items = np.zeros(size), np.zeros(size, dtype=np.int64)
                try:
                    leg = search(ix, origin, goal)
                    break
                except MemoryError:
                    size *= 2
            assert leg is not None
            assert expected is not None
            assert leg.cost == pytest.approx(expected, rel=1e-9, abs=1e-6), (origin, goal)
    assert ix.graph.compactions > 10
    # a heap that the open arcs alone fill: the search stops and says so (no overrun)
    ix.heap_keys, ix.heap_items = np.zeros(8), np.zeros(8, dtype=np.int64)
    origin, goal = max(legs, key=lambda leg: reference_cost(ix.costs, leg[0], leg[1]) or 0.0)
    with pytest.raises(MemoryError, match="heap is full"):
        search(ix, origin, goal)


def test_search_is_repeatable_and_leaves_the_model_as_found() -> None:
    net = _network("monaco")
    ix = SearchIndex(CostModel(net, PROFILE, "hip"))
    rng = np.random.default_rng(5)
    legs = [(_random_place(rng, net), _random_place(rng, net)) for _ in range(10)]
    first = [search(ix, o, g) for o, g in legs]
    for o, g in legs:                                            # penalised searches between
        search(ix, o, g, penalised=set(rng.choice(net.n_edges, 300).tolist()), reuse_factor=5.0)
    assert [search(ix, o, g) for o, g in legs] == first
    assert not ix.penalised.any()


def test_landmark_bounds_steer_the_search_without_changing_its_cost() -> None:
    """The A* settles a fraction of the arcs a plain Dijkstra over arcs (no bounds) settles
    for the same legs, and finds legs of the same cost."""
    net = _network("heidelberg")
    steered = SearchIndex(CostModel(net, PROFILE, "hip"))
    plain = SearchIndex(CostModel(net, PROFILE, "hip"))
    plain.node_bounds = np.zeros((net.n_nodes, 0))
    plain.search_bounds = np.zeros((net.n_nodes, 0), dtype=np.float32)
    rng = np.random.default_rng(8)
    settled = []
    for _ in range(12):
        origin, goal = _random_place(rng, net), _random_place(rng, net)
        a, b = search(steered, origin, goal), search(plain, origin, goal)
        assert a is not None
        assert b is not None
        assert a.cost == pytest.approx(b.cost, rel=1e-9, abs=1e-6)
        settled.append((a.expanded, b.expanded))
    ratio = [a / max(b, 1) for a, b in settled]
    assert float(np.median(ratio)) < 0.25, settled


def test_the_compiled_search_refuses_buffers_that_do_not_fit_the_tables() -> None:
    """``_astar.astar`` checks every buffer against the tables before it reads one: a short
    work buffer, a start arc or a landmark row out of range is a ValueError, not a crash."""
    ix = SearchIndex(CostModel(_network("monaco"), PROFILE, "length"))
    nothing, none_f = np.zeros(0, dtype=np.int64), np.zeros(0)

    def call(starts: np.ndarray, rows: np.ndarray, work: np.ndarray,
             ) -> tuple[float, int, int, int, int]:
        return astar(ix.adj_ptr, ix.adj_head, ix.adj_cost, ix.adj_edge, ix.turn_ptr,
                     ix.turn_table, ix.penalised, 1.0, ix.search_bounds, ix.node_bounds.shape[1],
                     rows, np.zeros(rows.shape[0]), starts, np.zeros(starts.shape[0]), 0,
                     nothing, nothing, none_f, np.inf, -1, 10**9, work, ix.node_work,
                     ix.heap_keys, ix.heap_items, ix.path)

    one = np.array([0], dtype=np.int64)
    cost, _, _, settled, _ = call(one, one, ix.arc_work)          # fits: it runs
    assert np.isfinite(cost)
    assert settled >= 1
    with pytest.raises(ValueError, match="arc buffers"):
        call(one, one, ix.arc_work[:-1].copy())
    with pytest.raises(ValueError, match="start arc out of range"):
        call(np.array([ix.adj_head.shape[0]], dtype=np.int64), one, ix.arc_work)
    with pytest.raises(ValueError, match="landmark row out of range"):
        call(one, np.array([ix.node_bounds.shape[1]], dtype=np.int64), ix.arc_work)


def test_search_from_a_node_onto_the_goal_edge_runs_it_directly() -> None:
    net = _network("monaco")
    ix = SearchIndex(CostModel(net, PROFILE, "length"))
    e = int(np.argmax(net.edge_length_m))
    leg = search(ix, Place(node=int(net.edge_from[e])), Place(edge=e, fraction=0.25))
    assert leg is not None
    assert leg.pieces == [(e, 0.0, 0.25)]
    assert leg.cost == pytest.approx(0.25 * ix.costs.arc_cost[2 * e])
