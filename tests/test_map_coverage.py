"""One answer everywhere: which stored map a run uses, runs far from or partly off a map, and the
run library analysing with the stored maps exactly as ``analyze`` does."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.spatial import cKDTree

from hipstride.analysis.run import analyze_activity
from hipstride.cli import main
from hipstride.io import read_activity
from hipstride.library.api import open_library, show_run
from hipstride.library.importer import import_paths
from hipstride.map.store import save_map
from hipstride.map.surfaces import choose_map, map_surface_provider
from tests.conftest import data_path
from tests.test_map_import import EXTRACTS, stored_network

RUN = "fit/runpandas__run.fit"     # a real run inside the Heidelberg extract


def _gpx(path: Path, lat: np.ndarray, lon: np.ndarray) -> Path:
    points = "".join(f'<trkpt lat="{a:.7f}" lon="{b:.7f}"><time>2024-05-01T10:{i // 60:02d}:'
                     f'{i % 60:02d}Z</time></trkpt>' for i, (a, b) in enumerate(zip(lat, lon, strict=True)))
    path.write_text('<?xml version="1.0"?><gpx version="1.1" creator="t" '
                    'xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type><trkseg>'
                    f"{points}</trkseg></trk></gpx>", encoding="utf-8")
    return path


def test_a_run_inside_a_map_but_far_from_its_ways_is_analysed(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    net = stored_network("berlin")
    home = tmp_path / "home"
    save_map(net, "berlin", home)
    monkeypatch.setenv("HIPSTRIDE_HOME", str(home))
    s, w, n, e = net.bbox()
    grid_lat, grid_lon = (a.ravel() for a in np.meshgrid(np.linspace(s, n, 40), np.linspace(w, e, 40)))
    gx, gy = net.to_xy_m(grid_lat, grid_lon)
    far_m, _ = cKDTree(np.column_stack(net.node_xy_m)).query(np.column_stack((gx, gy)))
    i = int(np.argmax(far_m))
    assert far_m[i] > 300.0                      # the emptiest corner of the extract's box
    lat = grid_lat[i] + np.linspace(0.0, 0.0016, 60) * np.sign((s + n) / 2 - grid_lat[i])
    lon = np.full(60, grid_lon[i])
    result = CliRunner().invoke(main, ["analyze", "--json", str(_gpx(tmp_path / "far.gpx", lat, lon))])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["surface"]["source"] == "map"
    assert doc["surface"]["matched_share"] == 0.0
    assert doc["surface"]["shares"]["unknown"] == 1.0


def test_the_map_that_covers_most_of_a_run_is_chosen(tmp_path: Path) -> None:
    monaco = stored_network("monaco")
    s, w, n, e = monaco.meta["bbox"]
    save_map(monaco, "monaco", tmp_path)
    west = dataclasses.replace(monaco, meta={**monaco.meta, "bbox": [s, w - 1.0, n, (w + e) / 2]})
    save_map(west, "west", tmp_path)           # larger, but holds only the run's western half
    lat = np.full(10, (s + n) / 2)
    lon = np.linspace(w + 0.1 * (e - w), e - 0.1 * (e - w), 10)
    choice = choose_map(lat, lon, home=tmp_path)
    assert choice is not None
    assert choice.name == "monaco"
    assert choice.note is not None
    assert "covers most of this run" not in choice.note      # `what` is the caller's words
    assert "'west'" in choice.note
    outside = lon - 0.5 * (e - w) - 0.05                      # shifted west: half off monaco
    part = choose_map(lat, outside, home=tmp_path, what="the run")
    assert part is not None
    assert part.name == "west"
    assert part.note is not None
    assert "holds 100% of the run's positions" not in part.note
    assert "the one that covers most of the run" in part.note


def test_a_run_partly_off_the_map_is_matched_where_it_is_on_it(tmp_path: Path) -> None:
    heidelberg = stored_network("heidelberg")
    save_map(heidelberg, "heidelberg", tmp_path)
    run = read_activity(data_path(RUN))
    half = len(run) // 2
    lon = run.lon_deg.copy()
    lon[half:] += 2.0                            # the second half far east of the extract
    moved = dataclasses.replace(run, lon_deg=lon, distance_m=None, speed_mps=None)
    choice = choose_map(moved.lat_deg, moved.lon_deg, home=tmp_path, what="the run")
    assert choice is not None
    assert choice.name == "heidelberg"
    assert choice.note is not None
    located = np.isfinite(moved.lat_deg) & np.isfinite(moved.lon_deg)
    inside = float(located[:half].sum() / located.sum())
    assert f"whose extent holds {inside:.0%} of the run's positions" in choice.note
    provider, _ = map_surface_provider(moved.lat_deg, moved.lon_deg, home=tmp_path)
    assert provider is not None
    analysis = analyze_activity(moved, surface=provider)
    share = analysis.to_dict()["surface"]["matched_share"]
    assert 0.3 < share < 0.7
    whole = analyze_activity(run, surface=provider).to_dict()["surface"]["matched_share"]
    assert whole > 0.95


def test_the_library_analyses_with_the_stored_maps_as_analyze_does(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HIPSTRIDE_HOME", str(home))
    source = data_path(RUN)
    store = open_library(home)
    try:
        import_paths(store, [source], jobs=1)
        run_id = store.list_runs()[0].id
        before = show_run(store, run_id)
        assert before["surface"]["source"] != "map"
    finally:
        store.close()
    imported = CliRunner().invoke(main, ["map", "import", str(data_path(EXTRACTS["heidelberg"])),
                                         "--name", "heidelberg", "--home", str(home)])
    assert imported.exit_code == 0, imported.output            # a map imported later ...
    assert "analysed 1 stored run(s) again" in imported.output  # ... is taken up at once
    store = open_library(home)
    try:
        listed = store.list_runs()[0].hip_load_index
        after = show_run(store, run_id)
    finally:
        store.close()
    assert listed == after["hip_load"]["index"]
    result = CliRunner().invoke(main, ["analyze", "--json", str(source)])
    assert result.exit_code == 0, result.output
    direct = json.loads(result.stdout)
    assert after["surface"]["map"]["name"] == "heidelberg"
    assert after["hip_load"]["index"] == direct["hip_load"]["index"]
    assert after["surface"]["shares"] == direct["surface"]["shares"]
    assert before["hip_load"]["index"] != after["hip_load"]["index"]
