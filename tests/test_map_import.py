"""``hipstride map import``/``list`` on the real OpenStreetMap extracts in ``../shared/data/osm``.

This module also holds the helpers the other ``test_map_*`` modules share: each extract is
imported once per test session into one temporary hipstride home (:func:`stored_network`).
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hipstride.cli import main
from hipstride.errors import InputError
from hipstride.map.access import foot_allowed, incline_grade_pct
from hipstride.map.network import FLAG_AREA, FLAG_STEPS, HIGHWAY_CLASSES, FootNetwork
from hipstride.map.osm_import import read_osm
from hipstride.map.store import import_map, list_maps, load_map, map_name_for, save_map
from hipstride.map.surface_rules import classify_surface
from hipstride.track.geodesy import haversine_m
from hipstride.track.surface import HARD, SOFT, UNKNOWN
from tests.conftest import data_path

EXTRACTS = {
    "heidelberg": "osm/ors__heidelberg.test.osm.pbf",
    "liechtenstein": "osm/valhalla__liechtenstein-latest.osm.pbf",
    "monaco": "osm/osrm__monaco.osm.pbf",
    "berlin": "osm/graphhopper__berlin-siegessaeule.osm.gz",
    "andorra": "osm/graphhopper__andorra.osm.pbf",
}


@functools.cache
def map_home() -> Path:
    """One temporary hipstride home for the whole test session."""
    home = Path(tempfile.mkdtemp(prefix="hipstride-map-tests-"))
    atexit.register(shutil.rmtree, home, True)
    return home


@functools.cache
def stored_network(name: str) -> FootNetwork:
    """Import an extract once per session into :func:`map_home` and load it back."""
    save_map(read_osm(data_path(EXTRACTS[name]), name=name), name, map_home())
    return load_map(name, map_home())


@pytest.fixture(scope="session")
def heidelberg() -> FootNetwork:
    return stored_network("heidelberg")


# --- rules --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("tags", "expected"), [
    (("track", None, "grade1"), (HARD, 0.6, "unknown (track, grade1)")),
    (("track", None, "grade4"), (SOFT, 0.7, "unknown (track, grade4)")),
    (("track", None, None), (SOFT, 0.5, "unknown (track)")),
    (("path", None, None), (SOFT, 0.5, "unknown (path)")),
    (("residential", None, None), (HARD, 0.7, "unknown (residential)")),
    (("footway", None, None), (HARD, 0.4, "unknown (footway)")),
    (("track", "compacted", "grade1"), (SOFT, 0.8, "compacted")),
    (("primary", "asphalt", None), (HARD, 1.0, "asphalt")),
    (("path", "ground;gravel", None), (SOFT, 1.0, "ground;gravel")),
    (("path", "stepping_stones", None), (UNKNOWN, 0.0, "stepping_stones")),
    (("unknown_class", None, None), (UNKNOWN, 0.0, "unknown (unknown_class)")),
])
def test_surface_rules(tags: tuple[str, str | None, str | None],
                       expected: tuple[int, float, str]) -> None:
    highway, surface, tracktype = tags
    code, conf, raw = classify_surface(highway, surface, tracktype)
    assert (code, raw) == (expected[0], expected[2])
    assert conf == pytest.approx(expected[1])


def test_smoothness_and_sidewalks_refine_untagged_ways() -> None:
    assert classify_surface("path", None, smoothness="excellent")[:2] == (HARD, 0.6)
    assert classify_surface("path", None, smoothness="bad")[:2] == (SOFT, 0.6)
    assert classify_surface("footway", None, footway="sidewalk")[:2] == (HARD, 0.8)


@pytest.mark.parametrize(("tags", "allowed"), [
    (("footway", None, None), True),
    (("track", None, "agricultural"), True),
    (("service", None, "private"), False),
    (("service", "yes", "private"), True),
    (("path", "no", None), False),
    (("cycleway", "use_sidepath", None), False),
    (("motorway", None, None), False),
    (("trunk", None, None), False),
    (("trunk", "yes", None), True),
    (("construction", None, None), False),
    (("platform", None, None), False),
])
def test_foot_access(tags: tuple[str, str | None, str | None], allowed: bool) -> None:
    assert foot_allowed(*tags) is allowed


def test_areas_and_alpine_paths() -> None:
    assert foot_allowed("pedestrian", None, None, area="yes")
    assert not foot_allowed("service", None, None, area="yes")
    assert not foot_allowed("path", None, None, sac_scale="demanding_alpine_hiking")
    assert foot_allowed("path", None, None, sac_scale="hiking")


@pytest.mark.parametrize(("value", "grade"), [
    ("10%", 10.0), ("-5 %", -5.0), ("12", 12.0), ("0%", 0.0), ("up", 10.0), ("down", -10.0),
    ("5°", 8.749), ("yes", None), ("10%-20%", None), (None, None),
])
def test_incline_tags(value: str | None, grade: float | None) -> None:
    result = incline_grade_pct(value)
    assert (result is None) if grade is None else result == pytest.approx(grade, abs=0.01)


# --- the imported network ----------------------------------------------------------------------

def test_heidelberg_network_is_compact_and_consistent(heidelberg: FootNetwork) -> None:
    net = heidelberg
    meta = net.meta
    assert meta["attribution"] == "© OpenStreetMap contributors"
    assert 20_000 < net.n_nodes < 60_000
    assert 30_000 < net.n_edges < 80_000
    # the run lies inside the map
    s, w, n, e = meta["bbox"]
    assert s < 49.39962
    assert n > 49.40851
    assert w < 8.69417
    assert e > 8.70941
    # edges join graph nodes; shape ends sit on their nodes; no self-loops
    first, last = net.shape_ptr[:-1], net.shape_ptr[1:] - 1
    assert np.allclose(net.shape_lat_deg[first], net.node_lat_deg[net.edge_from])
    assert np.allclose(net.shape_lon_deg[last], net.node_lon_deg[net.edge_to])
    assert not np.any(net.edge_from == net.edge_to)
    # lengths agree with the shape geometry
    lat, lon = net.shape_lat_deg, net.shape_lon_deg
    step = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    inner = np.ones(step.shape[0], dtype=bool)
    inner[last[:-1]] = False
    sums = np.bincount(net.shape_edge[:-1][inner], weights=step[inner], minlength=net.n_edges)
    assert np.allclose(sums, net.edge_length_m, atol=0.01)
    assert (net.edge_length_m >= 0).all()
    # CSR adjacency: every arc leaves the node it is listed under
    for u in (0, net.n_nodes // 2, net.n_nodes - 1):
        arcs = net.adj_arc[net.adj_ptr[u]:net.adj_ptr[u + 1]]
        assert (net.arc_tail(arcs) == u).all()
    # interior shape points are not junctions: a junction always ends its edges
    degree = np.diff(net.adj_ptr)
    assert (degree >= 1).all()


def test_heidelberg_tags_surfaces_and_steps(heidelberg: FootNetwork) -> None:
    net = heidelberg
    steps = (net.edge_flags & FLAG_STEPS) != 0
    assert steps.sum() > 500
    areas = (net.edge_flags & FLAG_AREA) != 0        # squares kept as outlines, flagged
    assert areas.sum() > 10
    assert set(net.edge_highway[areas].tolist()) <= {HIGHWAY_CLASSES.index(h)
                                                     for h in ("pedestrian", "footway", "path")}
    assert (net.edge_highway[steps] == HIGHWAY_CLASSES.index("steps")).all()
    labels = {net.string(i) for i in np.unique(net.edge_surface_raw)}
    assert {"asphalt", "compacted", "ground", "unknown (track)", "unknown (path)"} <= labels
    tagged = net.meta["surface_tagged_share"]
    assert 0.3 < tagged < 0.9
    assert np.isfinite(net.edge_grade_pct).sum() > 500      # incline tags
    assert np.isnan(net.shape_elevation_m).all()             # no DEM given
    # no motorway without foot access in the network
    motorway = HIGHWAY_CLASSES.index("motorway")
    assert not (net.edge_highway == motorway).any()


def test_store_roundtrip_is_exact_and_atomic(heidelberg: FootNetwork, tmp_path: Path) -> None:
    # how fast a map loads is measured in benchmarks/bench_map.py, not asserted here
    info = save_map(heidelberg, "copy", tmp_path)
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == ["copy.npz"]
    loaded = load_map("copy", tmp_path)
    for key, value in heidelberg.arrays().items():
        assert np.array_equal(getattr(loaded, key), value, equal_nan=value.dtype.kind == "f"), key
    assert info.meta["counts"] == loaded.meta["counts"]
    assert [m.name for m in list_maps(tmp_path)] == ["copy"]


def test_osm_gz_extract_imports() -> None:
    net = stored_network("berlin")
    assert net.n_edges > 100
    raw = {net.string(i) for i in np.unique(net.edge_surface_raw)}
    assert raw - {s for s in raw if s.startswith("unknown")}   # tagged park paths


def test_unsupported_files_get_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Overpass JSON is not supported"):
        read_osm(data_path("osm/everysinglestreet__Altona.overpass.json"), name="x")
    with pytest.raises(InputError, match="no such file"):
        read_osm(tmp_path / "missing.osm.pbf", name="x")
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"not a pbf")
    with pytest.raises(InputError, match="cannot be read"):
        read_osm(bad, name="x")
    with pytest.raises(InputError, match="no stored map named"):
        load_map("nothing", tmp_path)


def test_map_names_from_files() -> None:
    assert map_name_for("ors__heidelberg.test.osm.pbf") == "ors__heidelberg.test"
    assert map_name_for("berlin-siegessaeule.osm.gz") == "berlin-siegessaeule"
    assert map_name_for("My Town.osm.bz2") == "My-Town"


def test_dem_gives_grades(tmp_path: Path) -> None:
    rasterio = pytest.importorskip("rasterio")
    from affine import Affine

    # a plane rising 5 m per 100 m eastwards over the Tiergarten extract
    west, north, cell = 13.30, 52.53, 0.0005
    cols, rows = 200, 80
    lon = west + (np.arange(cols) + 0.5) * cell
    metres_east = (lon - west) * 111_195.0 * np.cos(np.radians(52.51))
    grid = np.tile(30.0 + 0.05 * metres_east, (rows, 1)).astype("float32")
    dem = tmp_path / "plane.tif"
    with rasterio.open(dem, "w", driver="GTiff", height=rows, width=cols, count=1,
                       dtype="float32", crs="EPSG:4326",
                       transform=Affine(cell, 0.0, west, 0.0, -cell, north)) as dst:
        dst.write(grid, 1)
    net = read_osm(data_path(EXTRACTS["berlin"]), name="b", dem=dem)
    assert np.isfinite(net.shape_elevation_m).all()
    long_enough = net.edge_length_m > 50
    dx = (net.node_lon_deg[net.edge_to] - net.node_lon_deg[net.edge_from]) * 111_195.0 * \
        np.cos(np.radians(52.51))
    expected = 5.0 * dx / net.edge_length_m
    assert np.allclose(net.edge_grade_pct[long_enough], expected[long_enough], atol=0.3)
    assert net.meta["dem"] == [str(dem.resolve())]


def test_cli_import_and_list(tmp_path: Path) -> None:
    runner = CliRunner()
    source = data_path(EXTRACTS["berlin"])
    result = runner.invoke(main, ["map", "import", str(source), "--name", "tiergarten",
                                  "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "stored map 'tiergarten'" in result.output
    assert "© OpenStreetMap contributors" in result.output
    listed = runner.invoke(main, ["map", "list", "--json", "--home", str(tmp_path)])
    docs = json.loads(listed.stdout)
    assert [d["name"] for d in docs] == ["tiergarten"]
    assert docs[0]["bbox"][0] == pytest.approx(52.5, abs=0.05)
    assert docs[0]["attribution"] == "© OpenStreetMap contributors"
    text = runner.invoke(main, ["map", "list", "--home", str(tmp_path)])
    assert "tiergarten: lat 52." in text.output
    missing = runner.invoke(main, ["map", "import", str(tmp_path / "nope.osm.pbf"),
                                   "--home", str(tmp_path)])
    assert missing.exit_code == 2
    assert "no such file" in missing.output


def test_import_map_reads_and_stores_in_one_call(tmp_path: Path) -> None:
    source = data_path(EXTRACTS["berlin"])
    info = import_map(source, home=tmp_path)
    assert info.name == map_name_for(source) == "graphhopper__berlin-siegessaeule"
    assert info.meta["name"] == info.name
    assert [m.name for m in list_maps(tmp_path)] == [info.name]
    named = import_map(source, name="tiergarten", home=tmp_path)
    assert named.path == tmp_path / "maps" / "tiergarten.npz"
    assert load_map("tiergarten", tmp_path).n_edges == load_map(info.name, tmp_path).n_edges
    # a bad name is refused before the extract is read
    with pytest.raises(InputError, match="map name 'no/slash' is not usable"):
        import_map(tmp_path / "never-read.osm.pbf", name="no/slash", home=tmp_path)
