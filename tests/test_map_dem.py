"""Elevation models: SRTM tiles (plain, zipped, with voids), refusals, grades at import, hills
the planner sees, and a recording's climb from a DEM (real tiles in ``../shared/data/dem``)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hipstride.cli import main
from hipstride.errors import InputError
from hipstride.io import read_activity
from hipstride.map.dem import SRTM_VOID, sample_dem
from hipstride.map.network import FootNetwork
from hipstride.map.osm_import import MAX_GRADE_PCT, read_osm
from hipstride.map.planner import plan_loops, plan_route
from tests.conftest import data_path

MONACO_DEM = "dem/graphhopper__N43E007.hgt.zip"
ANDORRA_DEM = ["dem/graphhopper__N42E001.hgt.zip", "dem/graphhopper__N41E001.hgt.zip"]
_NETS: dict[str, FootNetwork] = {}


def dem_network(name: str) -> FootNetwork:
    if name not in _NETS:
        if name == "monaco":
            _NETS[name] = read_osm(data_path("osm/osrm__monaco.osm.pbf"), name=name,
                                   dem=data_path(MONACO_DEM))
        else:
            _NETS[name] = read_osm(data_path("osm/graphhopper__andorra.osm.pbf"), name=name,
                                   dem=[data_path(p) for p in ANDORRA_DEM])
    return _NETS[name]


def _raw_tile(zipped: Path) -> tuple[str, bytes]:
    with zipfile.ZipFile(zipped) as archive:
        member = archive.namelist()[0]
        return member, archive.read(member)


def test_plain_and_zipped_tiles_agree_and_fill_their_voids(tmp_path: Path) -> None:
    zipped = data_path(ANDORRA_DEM[0])
    member, data = _raw_tile(zipped)
    plain = tmp_path / member
    plain.write_bytes(data)
    side = 1201
    raw = np.frombuffer(data, dtype=">i2").reshape(side, side)
    rows, cols = np.nonzero(raw == SRTM_VOID)
    assert rows.size > 0                              # the tile has voids (on peaks)
    lat = 43.0 - rows[:50] / (side - 1)
    lon = 1.0 + cols[:50] / (side - 1)
    from_zip = sample_dem(zipped, lat, lon)
    assert np.array_equal(from_zip, sample_dem(plain, lat, lon))
    assert np.isfinite(from_zip).all()                # filled, not a −32768 m hole
    valid = raw[raw != SRTM_VOID]
    assert (from_zip > float(valid.min())).all()
    assert (from_zip < float(valid.max())).all()
    # a valid cell reads its own height exactly
    r, c = 600, 700
    assert raw[r, c] != SRTM_VOID
    one = sample_dem(plain, np.array([43.0 - r / (side - 1)]), np.array([1.0 + c / (side - 1)]))
    assert one[0] == pytest.approx(float(raw[r, c]), abs=1e-6)


def test_files_that_are_not_a_dem_are_refused_by_name(tmp_path: Path) -> None:
    lat, lon = np.array([42.5]), np.array([1.5])
    fake = tmp_path / "N42E001.hgt"
    fake.write_bytes(b"\0" * 1000)
    with pytest.raises(InputError, match=r"N42E001.hgt: holds 1000 bytes, not an SRTM tile"):
        sample_dem(fake, lat, lon)
    empty_zip = tmp_path / "tiles.zip"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("readme.txt", "no tile here")
    with pytest.raises(InputError, match=r"must hold exactly one \.hgt file"):
        sample_dem(empty_zip, lat, lon)
    text = tmp_path / "heights.tif"
    text.write_text("not a raster", encoding="utf-8")
    with pytest.raises(InputError, match=r"heights\.tif: cannot be read as an elevation raster"):
        sample_dem(text, lat, lon)
    with pytest.raises(InputError, match="covers none of the points"):
        sample_dem(data_path(MONACO_DEM), lat, lon)
    result = CliRunner().invoke(main, ["map", "import", str(data_path("osm/osrm__monaco.osm.pbf")),
                                       "--dem", str(fake), "--home", str(tmp_path / "home")])
    assert result.exit_code != 0
    assert "not an SRTM tile" in result.output
    assert "Traceback" not in result.output


def test_map_grades_from_the_dem_are_real_hills_and_implausible_ones_are_discarded() -> None:
    net = dem_network("monaco")
    assert net.meta["dem"] == [str(data_path(MONACO_DEM).resolve())]
    elevation = net.shape_elevation_m
    assert np.isfinite(elevation).all()
    assert 0.0 <= float(np.percentile(elevation, 1)) < 20.0      # the harbour
    assert float(elevation.max()) > 100.0                          # the hills above it
    grade = net.edge_grade_pct[np.isfinite(net.edge_grade_pct)]
    assert np.abs(grade).max() <= MAX_GRADE_PCT
    assert (np.abs(grade) > 10.0).mean() > 0.05


@pytest.mark.parametrize(("name", "start"), [("monaco", (43.7384, 7.4246)),
                                             ("andorra", (42.5078, 1.5211))])
def test_loops_with_a_dem_avoid_steep_descents_first(name: str, start: tuple[float, float]) -> None:
    plan = plan_loops(dem_network(name), start_lat_deg=start[0], start_lon_deg=start[1],
                      distance_m=5000.0, count=3)
    best, base = plan.routes[0], plan.baseline
    assert base is not None
    assert best.hip_load.index is not None
    assert base.hip_load.index is not None
    assert best.hip_load.index <= base.hip_load.index
    factors = best.hip_load.factors
    assert factors["downhill"] > 0.02                              # these hills load the hip
    assert factors["downhill"] <= base.hip_load.factors["downhill"]
    assert best.descent_m is not None
    assert best.descent_m > 50.0                                   # hills seen, not "+0/−0"
    assert not any("no elevation model" in n for n in plan.notes)


def test_routes_with_a_dem_trade_descent_for_little_distance() -> None:
    net = dem_network("monaco")
    rng = np.random.default_rng(2)
    nodes = np.flatnonzero(net.node_component == net.main_component)
    chosen, shortest = [], []
    for _ in range(20):
        a, b = rng.choice(nodes, 2, replace=False)
        plan = plan_route(net, start_lat_deg=float(net.node_lat_deg[a]),
                          start_lon_deg=float(net.node_lon_deg[a]),
                          end_lat_deg=float(net.node_lat_deg[b]),
                          end_lon_deg=float(net.node_lon_deg[b]))
        assert plan.baseline is not None
        chosen.append(plan.routes[0].hip_load.factors["downhill"])
        shortest.append(plan.baseline.hip_load.factors["downhill"])
    assert np.mean(chosen) < np.mean(shortest)


def test_a_recordings_climb_from_the_dem_matches_the_watch(tmp_path: Path) -> None:
    source = data_path("fit/jimmykane__suunto-uphill.fit")
    watch_m = read_activity(source).session.total_ascent_m
    assert watch_m is not None
    result = CliRunner().invoke(main, ["analyze", "--json", "--dem", str(data_path(ANDORRA_DEM[0])),
                                       str(source)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["activity"]["elevation_gain_m"] == pytest.approx(watch_m, rel=0.10)
    assert "elevation from the DEM graphhopper__N42E001.hgt.zip" in doc["notes"]
