"""Routes that honour the model, on the real extracts: A→B never worse than the shortest route
by the index it reports, and loops that are the same for the same request."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hipstride.cli import main
from hipstride.map.planner import plan_loops, plan_route
from hipstride.model.profile import default_profile
from tests.test_map_import import map_home, stored_network

PROFILE = default_profile()
PAIRS = 50


@pytest.mark.parametrize("name", ["heidelberg", "liechtenstein", "monaco", "andorra"])
def test_chosen_route_is_never_worse_than_the_shortest_by_its_index(name: str) -> None:
    net = stored_network(name)
    rng = np.random.default_rng(10)
    nodes = np.flatnonzero(net.node_component == net.main_component)
    lat, lon = net.node_lat_deg, net.node_lon_deg
    detours = 0
    for _ in range(PAIRS):
        a, b = rng.choice(nodes, 2, replace=False)
        plan = plan_route(net, start_lat_deg=float(lat[a]), start_lon_deg=float(lon[a]),
                          end_lat_deg=float(lat[b]), end_lon_deg=float(lon[b]), profile=PROFILE)
        assert plan.baseline is not None
        best, short = plan.routes[0].hip_load.index, plan.baseline.hip_load.index
        assert best is not None
        assert short is not None
        assert best <= short
        assert plan.routes[0].distance_m >= plan.baseline.distance_m - 1.0
        detours += plan.routes[0] is not plan.baseline
    assert detours > 0          # the search's own route is chosen where it is better


def test_the_shipped_profile_does_not_weight_steps() -> None:
    """Steps are scored by their grade only, so the search does not weight them either."""
    assert PROFILE.planner.steps_factor == 1.0


def test_the_same_loop_request_gives_the_same_loops_in_html_and_gpx(tmp_path: Path) -> None:
    stored_network("heidelberg")
    args = ["route", "loop", "--start", "49.4093,8.6947", "--distance-km", "5", "--count", "2",
            "--map", "heidelberg", "--home", str(map_home())]
    runner = CliRunner()
    first = runner.invoke(main, [*args, "--json", "--gpx", str(tmp_path / "a.gpx")])
    again = runner.invoke(main, [*args, "--json", "--html", str(tmp_path / "a.html")])
    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    doc_a, doc_b = json.loads(first.stdout), json.loads(again.stdout)
    coords = [r["coordinates"] for r in doc_a["routes"]]
    assert coords == [r["coordinates"] for r in doc_b["routes"]]
    assert doc_a["request"]["seed"] == 0
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    tracks = ET.parse(tmp_path / "a.gpx").getroot().findall("g:trk", ns)
    first_track = [[float(p.get("lat", "nan")), float(p.get("lon", "nan"))]
                   for p in tracks[0].iter(f"{{{ns['g']}}}trkpt")]
    assert np.allclose(np.array(first_track), np.array(coords[0]), atol=1e-6)
    indices = [r["hip_load"]["index"] for r in doc_a["routes"]]
    assert indices == sorted(indices)
    other = plan_loops(stored_network("heidelberg"), start_lat_deg=49.4093, start_lon_deg=8.6947,
                       distance_m=5000.0, profile=PROFILE, count=2, seed=3).to_dict()
    assert [r["coordinates"] for r in other["routes"]] != coords
