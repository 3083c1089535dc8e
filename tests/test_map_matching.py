"""Map matching and the surface from the map, on the real Heidelberg run and its extract."""

from __future__ import annotations

import json
import sys
from collections import Counter

import numpy as np
import pytest
from click.testing import CliRunner

from hipstride.activity import Activity
from hipstride.analysis.run import analyze_activity
from hipstride.cli import main
from hipstride.io import read_activity
from hipstride.map.matching import match_track
from hipstride.map.network import FLAG_STEPS, FootNetwork
from hipstride.map.surfaces import surface_for_course
from hipstride.model.hipload import FACTORS
from hipstride.model.profile import default_profile
from hipstride.track.geodesy import haversine_m
from hipstride.track.surface import SURFACE_CLASSES
from tests.conftest import data_path
from tests.test_map_import import map_home, stored_network

RUN = "fit/runpandas__run.fit"


@pytest.fixture(scope="session")
def heidelberg() -> FootNetwork:
    return stored_network("heidelberg")


@pytest.fixture(scope="session")
def run() -> Activity:
    return read_activity(data_path(RUN))


def test_heidelberg_run_matches(heidelberg: FootNetwork, run: Activity) -> None:
    result = match_track(heidelberg, run.lat_deg, run.lon_deg)
    has_fix = np.isfinite(run.lat_deg)
    assert result.matched_share >= 0.90                      # of all 1202 records
    assert (result.edge[has_fix] >= 0).mean() >= 0.95         # of the 1157 with a position
    assert np.nanmedian(result.distance_m) < 10.0
    assert (result.way_id[result.edge >= 0] > 0).all()
    assert (result.edge[~has_fix] == -1).all()
    # matched positions lie near their GPS points (within the 50 m search radius)
    ok = result.edge >= 0
    gap = haversine_m(result.lat_deg[ok], result.lon_deg[ok], run.lat_deg[ok], run.lon_deg[ok])
    assert np.allclose(gap, result.distance_m[ok], atol=1.0)
    assert gap.max() <= 50.0


def test_matched_ways_are_the_forest_tracks(heidelberg: FootNetwork, run: Activity) -> None:
    result = match_track(heidelberg, run.lat_deg, run.lon_deg)
    used = result.edge[result.edge >= 0]
    kinds = Counter((heidelberg.way_tag(int(w), "highway"), heidelberg.way_tag(int(w), "surface"))
                    for w in heidelberg.edge_way[used])
    top = [k for k, _ in kinds.most_common(4)]
    assert top[0] == ("track", "compacted")
    assert ("path", "compacted") in top
    assert ("track", "asphalt") in top
    assert ((heidelberg.edge_flags[used] & FLAG_STEPS) != 0).sum() >= 5   # the run took steps


def test_surface_from_the_map_agrees_with_the_ways(heidelberg: FootNetwork, run: Activity) -> None:
    profile = default_profile()
    analysis = analyze_activity(run, profile=profile, surface=lambda c: surface_for_course(heidelberg, c))
    surface = analysis.surface
    assert surface.source == "map"
    assert surface.matched_share is not None
    assert surface.matched_share >= 0.9
    assert surface.way_ids
    assert len(set(surface.way_ids)) > 20
    w = analysis.hip_load.weights_m
    shares = surface.shares(w)
    assert set(shares) == set(SURFACE_CLASSES)
    assert shares["soft"] > 0.6
    assert shares["hard"] < 0.3
    raw = surface.raw_shares(w)
    assert next(iter(raw)) == "compacted"
    assert {"ground", "asphalt", "gravel"} <= set(raw)
    assert any(label.startswith("unknown (steps") for label in raw)
    # the model weighs each sample by its confidence: recompute the surface factor
    weights = np.array([getattr(profile.surface, c) for c in SURFACE_CLASSES])
    expected = np.dot(weights[surface.classes] * surface.confidence, w) / w.sum()
    assert analysis.hip_load.factors["surface"] == pytest.approx(expected)
    doc = analysis.to_dict()
    assert doc["surface"]["matched_share"] == surface.matched_share
    assert doc["surface"]["way_ids"] == surface.way_ids


def test_analysis_as_a_dataframe(heidelberg: FootNetwork, run: Activity,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Per sample, each factor's contribution; the weighted mean multiplier is the index."""
    pytest.importorskip("pandas")
    analysis = analyze_activity(run, surface=lambda c: surface_for_course(heidelberg, c))
    df = analysis.to_dataframe()
    assert len(df) == len(analysis.course)
    assert {f"{f}_load" for f in FACTORS} <= set(df.columns)
    assert {"distance_m", "grade_pct", "surface_class", "weight_m", "multiplier", "in_turn"} <= set(df.columns)
    assert float((df["surface_load"] * df["weight_m"]).sum() / df["weight_m"].sum()) == \
        pytest.approx(analysis.hip_load.factors["surface"], rel=1e-12)
    index = float((df["multiplier"] * df["weight_m"]).sum() / df["weight_m"].sum())
    assert index == pytest.approx(analysis.hip_load.index, rel=1e-12)
    assert set(df["surface_class"]) <= set(SURFACE_CLASSES)
    assert df["in_turn"].sum() > 0
    km = analysis.to_dataframe(per="km")
    assert list(km["km"]) == [s.km for s in analysis.per_km]
    assert list(km["index"]) == [s.index for s in analysis.per_km]
    with pytest.raises(ValueError, match="per must be"):
        analysis.to_dataframe(per="lap")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"needs the optional package pandas \(pip install pandas\)"):
        analysis.to_dataframe()


def test_gps_jumps_and_off_network_stretches_are_reported(heidelberg: FootNetwork, run: Activity) -> None:
    lat = run.lat_deg.copy()
    lon = run.lon_deg.copy()
    # 20 points 15 km away, where the extract has no way, and a lone 330 m spike
    lat[600:620] = 49.36
    lon[600:620] = 8.52
    lat[300] += 0.003
    result = match_track(heidelberg, lat, lon)
    assert (result.edge[600:620] == -1).all()
    stretch = [s for s in result.off_network if s.start_index <= 600 <= s.end_index]
    assert stretch
    assert stretch[0].end_index == 619
    assert stretch[0].points == 20
    assert result.edge[300] == -1
    assert result.outliers == [300]
    assert (result.edge[400:590] >= 0).mean() > 0.95
    assert (result.edge[630:900] >= 0).mean() > 0.95


def test_empty_and_positionless_tracks(heidelberg: FootNetwork) -> None:
    empty = match_track(heidelberg, np.zeros(0), np.zeros(0))
    assert empty.edge.shape == (0,)
    assert empty.matched_share == 0.0
    nan = match_track(heidelberg, np.full(5, np.nan), np.full(5, np.nan))
    assert (nan.edge == -1).all()
    assert nan.off_network == []


def test_a_long_noisy_track_still_matches(heidelberg: FootNetwork, run: Activity) -> None:
    """The run repeated 8 times with GPS noise (points/s: benchmarks/bench_map.py, part 4)."""
    ok = np.isfinite(run.lat_deg)
    rng = np.random.default_rng(1)
    lat = np.tile(run.lat_deg[ok], 8) + rng.normal(0, 2e-5, ok.sum() * 8)
    lon = np.tile(run.lon_deg[ok], 8) + rng.normal(0, 3e-5, ok.sum() * 8)
    result = match_track(heidelberg, lat, lon)
    assert result.edge.shape == lat.shape
    assert result.matched_share > 0.95


def test_analyze_picks_the_covering_map(heidelberg: FootNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    stored_network("liechtenstein")   # a second stored map that does not cover the run
    monkeypatch.setenv("HIPSTRIDE_HOME", str(map_home()))
    runner = CliRunner()
    result = runner.invoke(main, ["analyze", str(data_path(RUN)), "--json"])
    assert result.exit_code == 0, result.output
    assert "surface from stored map 'heidelberg'" in result.stderr
    doc = json.loads(result.stdout)
    assert doc["surface"]["source"] == "map"
    assert doc["surface"]["matched_share"] >= 0.9
    named = runner.invoke(main, ["analyze", str(data_path(RUN)), "--json", "--map", "heidelberg"])
    assert json.loads(named.stdout)["surface"]["shares"] == doc["surface"]["shares"]
    missing = runner.invoke(main, ["analyze", str(data_path(RUN)), "--map", "atlantis"])
    assert missing.exit_code != 0
    assert "no stored map named 'atlantis'" in missing.stderr
    both = runner.invoke(main, ["analyze", str(data_path(RUN)), "--map", "x", "--surface", "soft"])
    assert both.exit_code == 2
