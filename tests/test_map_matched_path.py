"""Matched paths: the ways a run was matched to, as one line, in ``analyze --json``, the GeoJSON
export and the HTML report (real run in the Heidelberg extract; noisy traces along known paths)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hipstride.cli import main
from hipstride.io import read_activity
from hipstride.map.matched_path import matched_path
from hipstride.map.matching import match_track
from hipstride.map.planner import plan_route
from hipstride.map.store import save_map
from hipstride.track.geodesy import segment_lengths_m
from tests.conftest import data_path
from tests.test_map_import import stored_network

RUN = "fit/runpandas__run.fit"


def test_the_real_run_gives_one_line_about_as_long_as_its_gps_track() -> None:
    net = stored_network("heidelberg")
    run = read_activity(data_path(RUN))
    located = np.isfinite(run.lat_deg) & np.isfinite(run.lon_deg)
    gps_m = float(segment_lengths_m(run.lat_deg[located], run.lon_deg[located]).sum())
    path = matched_path(net, match_track(net, run.lat_deg, run.lon_deg))
    doc = path.to_dict()
    assert doc["geometry"]["type"] == "LineString"
    assert doc["parts"] == 1
    assert 0.93 * gps_m < path.length_m < 1.01 * gps_m     # the GPS track cuts no corner twice
    ways = doc["way_ids"]
    assert len(ways) > 10
    assert all(a != b for a, b in itertools.pairwise(ways))
    lon, lat = np.array(doc["geometry"]["coordinates"]).T
    assert float(segment_lengths_m(lat, lon).sum()) == pytest.approx(path.length_m, rel=0.01)


@pytest.mark.parametrize("name", ["heidelberg", "liechtenstein"])
def test_a_noisy_trace_along_a_known_path_gives_its_length(name: str) -> None:
    """Joining matched samples one by one makes a σ 5 m trace 2–3 times too long; runs of
    samples per edge give the true length."""
    net = stored_network(name)
    rng = np.random.default_rng(4)
    nodes = np.flatnonzero(net.node_component == net.main_component)
    for _ in range(3):
        a, b = rng.choice(nodes, 2, replace=False)
        route = plan_route(net, start_lat_deg=float(net.node_lat_deg[a]),
                           start_lon_deg=float(net.node_lon_deg[a]),
                           end_lat_deg=float(net.node_lat_deg[b]),
                           end_lon_deg=float(net.node_lon_deg[b])).baseline
        assert route is not None
        geo = route.geometry
        at = np.arange(0.0, geo.length_m, 3.0)                   # 3 m/s at 1 Hz
        lat = np.interp(at, geo.distance_m, geo.lat_deg)
        lon = np.interp(at, geo.distance_m, geo.lon_deg)
        noise = rng.normal(0.0, 5.0, (2, at.shape[0]))
        lat = lat + noise[0] / 111_195.0
        lon = lon + noise[1] / (111_195.0 * np.cos(np.radians(lat)))
        path = matched_path(net, match_track(net, lat, lon))
        assert path.length_m == pytest.approx(geo.length_m, rel=0.03, abs=15.0)


def test_analyze_export_and_report_carry_the_matched_path(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    save_map(stored_network("heidelberg"), "heidelberg", home)
    monkeypatch.setenv("HIPSTRIDE_HOME", str(home))
    source = str(data_path(RUN))
    runner = CliRunner()
    html = tmp_path / "run.html"
    result = runner.invoke(main, ["analyze", "--json", "--html", str(html), source])
    assert result.exit_code == 0, result.output
    surface = json.loads(result.stdout)["surface"]
    path = surface["matched_path"]
    assert path["geometry"]["type"] == "LineString"
    assert path["length_m"] > 4000.0
    assert path["way_ids"][0] in surface["way_ids"]
    page = html.read_text(encoding="utf-8")
    assert 'class="way-soft"' in page
    assert 'class="way-hard"' in page
    assert runner.invoke(main, ["import", "--home", str(home), source]).exit_code == 0
    out = tmp_path / "run.geojson"
    exported = runner.invoke(main, ["export", "run", "1", "--home", str(home), "--geojson", str(out)])
    assert exported.exit_code == 0, exported.output
    feature = json.loads(out.read_text(encoding="utf-8"))
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["matched_path"] == path
