"""Read an OpenStreetMap extract once (pyosmium) and build the compact foot network.

One streaming pass reads the nodes' locations (kept by libosmium in C++) and hands only the
``highway`` ways to Python; everything after that is vectorised NumPy:

1. ways a runner may not use are dropped (:func:`hipstride.map.access.foot_allowed`);
2. ways are split where a node location is missing (a partial extract) and at every node shared
   with another way (or visited twice by the same way): only those junctions and the way ends
   become graph nodes, the points between them stay as the edge's shape;
3. a closed way without any other junction is split in its middle, so that no edge is a self-loop;
4. each edge gets its length, its way, the way's surface class (:mod:`hipstride.map.surface_rules`),
   highway class, steps/area flags and a grade — from the DEM when one is given, from the
   ``incline`` tag otherwise (NaN when neither says).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import osmium
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hipstride.errors import InputError
from hipstride.map.access import foot_allowed, incline_grade_pct
from hipstride.map.dem import DemPaths, dem_paths
from hipstride.map.network import (
    ATTRIBUTION,
    FLAG_AREA,
    FLAG_STEPS,
    FORMAT_VERSION,
    HIGHWAY_CLASSES,
    WAY_TAG_KEYS,
    FootNetwork,
    IntArray,
    adjacency,
)
from hipstride.map.surface_rules import classify_surface
from hipstride.track.geodesy import haversine_m

__all__ = ["OSM_SUFFIXES", "build_network", "read_osm"]

#: File endings that :func:`read_osm` accepts (libosmium decompresses ``.gz``/``.bz2`` itself).
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.gz", ".osm.bz2")
#: Grades beyond this (%) are discarded (unknown, like an untagged way): DEM artefacts on very
#: short edges, or a mistagged incline; a runnable way is not steeper (the recordings' limit too).
MAX_GRADE_PCT = 45.0


class _Ways:
    """What the Python pass collects: per way tags, per node reference id and location."""

    def __init__(self) -> None:
        self.strings: dict[str, int] = {"": 0}
        self.way_ids: list[int] = []
        self.tag_rows: list[list[int]] = []
        self.counts: list[int] = []
        self.refs: list[int] = []
        self.lat: list[float] = []
        self.lon: list[float] = []


def _check_path(path: Path) -> None:
    name = path.name.lower()
    if name.endswith(".json"):
        raise InputError(f"{path}: Overpass JSON is not supported; export the area as .osm.pbf "
                         "(e.g. from https://download.geofabrik.de or with osmium extract)")
    if not name.endswith(OSM_SUFFIXES):
        raise InputError(f"{path}: not an OpenStreetMap extract (use {', '.join(OSM_SUFFIXES)})")
    if not path.is_file():
        raise InputError(f"{path}: no such file")


def _read_ways(path: Path) -> _Ways:
    ways = _Ways()
    nan = float("nan")
    processor = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
                 .with_locations()
                 .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
                 .with_filter(osmium.filter.KeyFilter("highway")))
    refs, lats, lons = ways.refs, ways.lat, ways.lon
    counts, way_ids, tag_rows, strings = ways.counts, ways.way_ids, ways.tag_rows, ways.strings
    keys = WAY_TAG_KEYS
    for way in processor:
        get = way.tags.get
        if not foot_allowed(get("highway"), get("foot"), get("access"), get("sac_scale"),
                            get("area")):
            continue
        # the plain loop below avoids the per-node wrappers of WayNodeList.__iter__ (pyosmium
        # has no public bulk accessor; the import's hot loop, pinned by the pyosmium version)
        node_list = way.nodes  # type: ignore[union-attr]
        data, raw = node_list._pyosmium_data, node_list._list
        node_at = raw.get
        size = raw.size(data)
        for i in range(size):
            node = node_at(data, i)
            location = node.location
            refs.append(node.ref)
            if location.valid():
                lats.append(location.lat)
                lons.append(location.lon)
            else:
                lats.append(nan)
                lons.append(nan)
        counts.append(size)
        way_ids.append(way.id)
        row = []
        for key in keys:
            value = get(key)
            if value is None:
                row.append(0)
            else:
                index = strings.get(value)
                if index is None:
                    index = strings[value] = len(strings)
                row.append(index)
        row.append(1 if get("area") == "yes" else 0)
        tag_rows.append(row)
    return ways


def read_osm(path: str | Path, *, name: str, dem: DemPaths | None = None) -> FootNetwork:
    """Read an extract (``.osm.pbf``, ``.osm``, ``.osm.gz``, ``.osm.bz2``) into a foot network.

    Parameters
    ----------
    path
        The OpenStreetMap extract.
    name
        Name of the map (stored in its metadata).
    dem
        Optional elevation model for per-edge grades: an SRTM ``.hgt`` tile (plain or zipped),
        a GeoTIFF, or a list of tiles (:func:`hipstride.map.dem.sample_dem`).

    Raises
    ------
    hipstride.errors.InputError
        For a file that is not an extract, cannot be read, or holds no way a runner may use.
    """
    p = Path(path)
    _check_path(p)
    try:
        ways = _read_ways(p)
    except RuntimeError as exc:
        raise InputError(f"{p}: cannot be read as OpenStreetMap data ({exc})") from None
    elevation_fn: Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any]], np.ndarray[Any, Any]] | None = None
    if dem is not None:
        from hipstride.map.dem import sample_dem

        def elevation_fn(lat: np.ndarray[Any, Any], lon: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
            return sample_dem(dem, lat, lon)

    network = build_network(ways, elevation_fn=elevation_fn)
    if network.n_edges == 0:
        raise InputError(f"{p}: holds no way a runner may use (no foot-accessible highway)")
    bbox = network.bbox()
    meta: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "source_file": str(p.resolve()),
        "source_size_bytes": p.stat().st_size,
        "dem": [str(d.resolve()) for d in dem_paths(dem)] if dem is not None else None,
        "bbox": list(bbox),
        "counts": {"nodes": network.n_nodes, "edges": network.n_edges,
                   "ways": int(network.way_osm_id.shape[0]),
                   "shape_points": int(network.shape_lat_deg.shape[0])},
        "length_km": round(float(network.edge_length_m.sum()) / 1000.0, 1),
        "surface_tagged_share": _tagged_share(network),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "attribution": ATTRIBUTION,
        "licence": "ODbL 1.0 (https://www.openstreetmap.org/copyright)",
    }
    network.meta.update(meta)
    return network


def _tagged_share(net: FootNetwork) -> float:
    """Share of the network's length whose way carries a ``surface`` tag."""
    col = WAY_TAG_KEYS.index("surface")
    tagged = net.way_tags[net.edge_way, col] != 0
    total = float(net.edge_length_m.sum())
    return round(float(net.edge_length_m[tagged].sum()) / total, 4) if total > 0 else 0.0


def _split_points(ways: _Ways) -> tuple[IntArray, np.ndarray[Any, Any], np.ndarray[Any, Any],
                                        IntArray, IntArray]:
    """Node references split into *pieces* (runs of one way with known locations, no repeats).

    Returns refs, lat, lon, way row and piece id per kept point.
    """
    refs = np.asarray(ways.refs, dtype=np.int64)
    lat = np.asarray(ways.lat, dtype=np.float64)
    lon = np.asarray(ways.lon, dtype=np.float64)
    counts = np.asarray(ways.counts, dtype=np.int64)
    way_row = np.repeat(np.arange(counts.shape[0], dtype=np.int64), counts)
    n = refs.shape[0]
    new_piece = np.zeros(n, dtype=bool)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if counts.size else np.zeros(0, np.int64)
    new_piece[starts[counts > 0]] = True
    valid = np.isfinite(lat) & np.isfinite(lon)
    new_piece[1:] |= ~valid[:-1]
    piece = np.cumsum(new_piece) - 1
    # drop unknown locations and a node repeated right after itself within a piece
    repeat = np.zeros(n, dtype=bool)
    repeat[1:] = (refs[1:] == refs[:-1]) & (piece[1:] == piece[:-1])
    keep = valid & ~repeat
    refs, lat, lon, way_row, piece = refs[keep], lat[keep], lon[keep], way_row[keep], piece[keep]
    # pieces with fewer than two points carry no edge
    # (piece ids never decrease along the array, so run lengths line up with np.unique)
    _, size = np.unique(piece, return_counts=True)
    ok = np.repeat(size >= 2, size)
    return refs[ok], lat[ok], lon[ok], way_row[ok], piece[ok]


def _edges(refs: IntArray, piece: IntArray) -> tuple[IntArray, IntArray]:
    """Start and end positions (inclusive) of each edge, splitting at junctions and self-loops."""
    _, inverse, count = np.unique(refs, return_inverse=True, return_counts=True)
    brk = count[inverse] >= 2
    brk[0] = brk[-1] = True
    change = np.flatnonzero(piece[1:] != piece[:-1])
    brk[change] = True
    brk[change + 1] = True
    for attempt in range(2):
        pos = np.flatnonzero(brk)
        b0, b1 = pos[:-1], pos[1:]
        same = piece[b0] == piece[b1]
        b0, b1 = b0[same], b1[same]
        loop = refs[b0] == refs[b1]
        splittable = loop & (b1 - b0 >= 2)
        if attempt == 1 or not splittable.any():
            break
        # split a self-loop at its middle point (a loop of two points is degenerate: dropped)
        brk[(b0[splittable] + b1[splittable]) // 2] = True
    return b0[~loop], b1[~loop]


def build_network(ways: _Ways, *, elevation_fn: Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any]],
                                                        np.ndarray[Any, Any]] | None = None,
                  ) -> FootNetwork:
    """Turn the collected ways into a :class:`FootNetwork` (see the module docstring)."""
    strings = np.array(list(ways.strings), dtype=np.str_) if ways.strings else np.array([""])
    tag_rows = np.asarray(ways.tag_rows, dtype=np.int64).reshape(-1, len(WAY_TAG_KEYS) + 1)
    way_tags, way_area = tag_rows[:, :-1], tag_rows[:, -1]
    way_osm_id = np.asarray(ways.way_ids, dtype=np.int64)
    refs, lat, lon, way_row, piece = _split_points(ways)
    if refs.shape[0] < 2:
        return _empty(strings)
    b0, b1 = _edges(refs, piece)

    # graph nodes: the distinct references at edge ends
    end_refs = np.concatenate((refs[b0], refs[b1]))
    end_pos = np.concatenate((b0, b1))
    node_osm_id, first = np.unique(end_refs, return_index=True)
    node_lat, node_lon = lat[end_pos[first]], lon[end_pos[first]]
    edge_from = np.searchsorted(node_osm_id, refs[b0]).astype(np.int64)
    edge_to = np.searchsorted(node_osm_id, refs[b1]).astype(np.int64)

    # shape points: every position from b0 to b1 inclusive
    lengths = b1 - b0 + 1
    shape_ptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    idx = np.repeat(b0 - shape_ptr[:-1], lengths) + np.arange(int(shape_ptr[-1]), dtype=np.int64)
    shape_lat, shape_lon = lat[idx], lon[idx]
    step = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    cum = np.concatenate(([0.0], np.cumsum(step)))
    edge_length = cum[b1] - cum[b0]
    edge_way = way_row[b0]

    # per way: surface, highway class, flags, incline
    n_ways = way_osm_id.shape[0]
    surf_class = np.zeros(n_ways, dtype=np.int8)
    surf_conf = np.zeros(n_ways, dtype=np.float32)
    surf_raw = np.zeros(n_ways, dtype=np.int64)
    highway_idx = np.zeros(n_ways, dtype=np.int64)
    incline = np.full(n_ways, np.nan)
    labels = dict(ways.strings)
    col = {key: i for i, key in enumerate(WAY_TAG_KEYS)}
    text = list(ways.strings)
    hw_index = {h: i for i, h in enumerate(HIGHWAY_CLASSES)}
    for w in np.unique(edge_way).tolist():
        row = way_tags[w].tolist()
        hw = text[row[col["highway"]]]
        code, conf, raw = classify_surface(
            hw, text[row[col["surface"]]] or None, text[row[col["tracktype"]]] or None,
            text[row[col["smoothness"]]] or None, text[row[col["footway"]]] or None)
        surf_class[w], surf_conf[w] = code, conf
        if raw not in labels:
            labels[raw] = len(labels)
        surf_raw[w] = labels[raw]
        highway_idx[w] = hw_index.get(hw, 0)
        g = incline_grade_pct(text[row[col["incline"]]] or None)
        if g is not None:
            incline[w] = g
    strings = np.array(list(labels), dtype=np.str_)
    flags = np.zeros(n_ways, dtype=np.uint8)
    flags[highway_idx == HIGHWAY_CLASSES.index("steps")] |= FLAG_STEPS
    flags[way_area == 1] |= FLAG_AREA

    grade = incline[edge_way].astype(np.float64)
    shape_elev = np.full(shape_lat.shape[0], np.nan)
    if elevation_fn is not None:
        shape_elev = np.asarray(elevation_fn(shape_lat, shape_lon), dtype=np.float64)
        rise = shape_elev[shape_ptr[1:] - 1] - shape_elev[shape_ptr[:-1]]
        with np.errstate(invalid="ignore", divide="ignore"):
            dem_grade = np.where(edge_length > 1.0, rise / edge_length * 100.0, 0.0)
        grade = np.where(np.isfinite(dem_grade), dem_grade, grade)
    grade = np.where(np.abs(grade) <= MAX_GRADE_PCT, grade, np.nan)

    n_nodes = node_osm_id.shape[0]
    graph = coo_matrix((np.ones(edge_from.shape[0]), (edge_from, edge_to)), shape=(n_nodes, n_nodes))
    _, component = connected_components(graph, directed=False)
    adj_ptr, adj_arc = adjacency(edge_from, edge_to, n_nodes)
    return FootNetwork(
        node_lat_deg=node_lat, node_lon_deg=node_lon, node_osm_id=node_osm_id,
        node_component=component.astype(np.int64),
        edge_from=edge_from, edge_to=edge_to, edge_length_m=edge_length,
        edge_way=edge_way, edge_surface_class=surf_class[edge_way],
        edge_surface_confidence=surf_conf[edge_way].astype(np.float64),
        edge_surface_raw=surf_raw[edge_way], edge_highway=highway_idx[edge_way],
        edge_grade_pct=grade, edge_flags=flags[edge_way],
        shape_ptr=shape_ptr, shape_lat_deg=shape_lat, shape_lon_deg=shape_lon,
        shape_elevation_m=shape_elev, way_osm_id=way_osm_id, way_tags=way_tags,
        strings=strings, adj_ptr=adj_ptr, adj_arc=adj_arc, meta={})


def _empty(strings: np.ndarray[Any, Any]) -> FootNetwork:
    f = np.zeros(0, dtype=np.float64)
    i = np.zeros(0, dtype=np.int64)
    return FootNetwork(
        node_lat_deg=f, node_lon_deg=f, node_osm_id=i, node_component=i, edge_from=i, edge_to=i,
        edge_length_m=f, edge_way=i, edge_surface_class=np.zeros(0, np.int8),
        edge_surface_confidence=f, edge_surface_raw=i, edge_highway=i, edge_grade_pct=f,
        edge_flags=np.zeros(0, np.uint8), shape_ptr=np.zeros(1, np.int64), shape_lat_deg=f,
        shape_lon_deg=f, shape_elevation_m=f, way_osm_id=i,
        way_tags=np.zeros((0, len(WAY_TAG_KEYS)), np.int64), strings=strings,
        adj_ptr=np.zeros(1, np.int64), adj_arc=i, meta={})
