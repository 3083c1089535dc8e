"""The foot network: a compact, routable graph of the ways a runner may use, as NumPy arrays.

Only junctions and way ends are graph *nodes*; the geometry between them is kept per *edge* as
shape points, so bends inside a way stay available for turn costs, matching and drawing. Every
edge is stored once, in the direction of its OSM way; a directed *arc* is ``2 * edge`` (along the
way) or ``2 * edge + 1`` (against it). ``adj_ptr``/``adj_arc`` are the CSR adjacency: the arcs that
leave node ``u`` are ``adj_arc[adj_ptr[u]:adj_ptr[u + 1]]``.

Arrays, by table (units in the names; angles in degrees, WGS84):

* nodes: ``node_lat_deg``, ``node_lon_deg``, ``node_osm_id``, ``node_component``;
* edges: ``edge_from``, ``edge_to``, ``edge_length_m``, ``edge_way`` (row of the way table),
  ``edge_surface_class`` (see :data:`hipstride.track.surface.SURFACE_CLASSES`),
  ``edge_surface_confidence``, ``edge_surface_raw`` (index into ``strings``),
  ``edge_highway`` (index into :data:`HIGHWAY_CLASSES`), ``edge_grade_pct`` (along the way;
  NaN when unknown), ``edge_flags`` (:data:`FLAG_STEPS`, :data:`FLAG_AREA`);
* shape points: ``shape_ptr`` (edge ``e`` owns ``shape_ptr[e]:shape_ptr[e + 1]``, both ends
  included), ``shape_lat_deg``, ``shape_lon_deg``, ``shape_elevation_m`` (NaN without a DEM);
* ways: ``way_osm_id`` and ``way_tags`` (one column per key of :data:`WAY_TAG_KEYS`, each an
  index into ``strings``; 0 is the empty string, i.e. the tag is absent).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from hipstride.activity import FloatArray
from hipstride.track.geodesy import EARTH_RADIUS_M, haversine_m

__all__ = ["ATTRIBUTION", "FLAG_AREA", "FLAG_STEPS", "FORMAT_VERSION", "HIGHWAY_CLASSES",
           "WAY_TAG_KEYS", "FootNetwork", "IntArray", "adjacency", "min_csr"]

IntArray = NDArray[np.int64]

#: Attribution every map, route and export derived from OpenStreetMap must carry.
ATTRIBUTION = "© OpenStreetMap contributors"
#: Version of the stored array layout.
FORMAT_VERSION = 1
#: ``highway=*`` classes a runner may use, indexed by ``edge_highway``.
HIGHWAY_CLASSES: tuple[str, ...] = (
    "footway", "path", "track", "pedestrian", "steps", "bridleway", "cycleway", "living_street",
    "residential", "service", "unclassified", "road", "tertiary", "tertiary_link", "secondary",
    "secondary_link", "primary", "primary_link", "trunk", "trunk_link", "motorway",
    "motorway_link")
#: Way tags kept per way, in the column order of ``way_tags``.
WAY_TAG_KEYS: tuple[str, ...] = ("highway", "surface", "tracktype", "smoothness", "footway",
                                 "incline", "sac_scale", "name")
#: ``edge_flags`` bit: the edge is a flight of steps.
FLAG_STEPS = 1
#: ``edge_flags`` bit: the edge is the outline of a pedestrian area (a square).
FLAG_AREA = 2


@dataclass(frozen=True, eq=False)
class FootNetwork:
    """A routable foot network (see the module docstring for every array)."""

    node_lat_deg: FloatArray
    node_lon_deg: FloatArray
    node_osm_id: IntArray
    node_component: IntArray
    edge_from: IntArray
    edge_to: IntArray
    edge_length_m: FloatArray
    edge_way: IntArray
    edge_surface_class: NDArray[np.int8]
    edge_surface_confidence: FloatArray
    edge_surface_raw: IntArray
    edge_highway: IntArray
    edge_grade_pct: FloatArray
    edge_flags: NDArray[np.uint8]
    shape_ptr: IntArray
    shape_lat_deg: FloatArray
    shape_lon_deg: FloatArray
    shape_elevation_m: FloatArray
    way_osm_id: IntArray
    way_tags: IntArray
    strings: NDArray[np.str_]
    adj_ptr: IntArray
    adj_arc: IntArray
    meta: dict[str, Any] = field(default_factory=dict)

    # -- sizes -------------------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return int(self.node_lat_deg.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_from.shape[0])

    @property
    def name(self) -> str:
        return str(self.meta.get("name", ""))

    def arrays(self) -> dict[str, np.ndarray[Any, Any]]:
        """Every array by field name (what is stored in the ``.npz`` file)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "meta"}

    # -- derived, computed once per loaded network --------------------------------------------
    @cached_property
    def origin_deg(self) -> tuple[float, float]:
        """Reference point (lat, lon) of :attr:`node_xy_m`: the middle of the nodes' bbox."""
        if self.n_nodes == 0:
            return 0.0, 0.0
        return (float(self.node_lat_deg.min() + self.node_lat_deg.max()) / 2.0,
                float(self.node_lon_deg.min() + self.node_lon_deg.max()) / 2.0)

    def to_xy_m(self, lat_deg: FloatArray, lon_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Project WGS84 degrees to the network's local east/north plane, metres."""
        lat0, lon0 = self.origin_deg
        k = np.pi / 180.0 * EARTH_RADIUS_M
        x = (np.asarray(lon_deg, dtype=np.float64) - lon0) * k * np.cos(np.radians(lat0))
        y = (np.asarray(lat_deg, dtype=np.float64) - lat0) * k
        return x, y

    @cached_property
    def node_xy_m(self) -> tuple[FloatArray, FloatArray]:
        """Node positions in the local plane (metres)."""
        return self.to_xy_m(self.node_lat_deg, self.node_lon_deg)

    @cached_property
    def shape_xy_m(self) -> tuple[FloatArray, FloatArray]:
        """Shape-point positions in the local plane (metres)."""
        return self.to_xy_m(self.shape_lat_deg, self.shape_lon_deg)

    @cached_property
    def shape_edge(self) -> IntArray:
        """Edge of each shape point."""
        counts = np.diff(self.shape_ptr)
        return np.repeat(np.arange(self.n_edges, dtype=np.int64), counts)

    @cached_property
    def shape_offset_m(self) -> FloatArray:
        """Distance of each shape point from the start of its edge, metres (along the way)."""
        lat, lon = self.shape_lat_deg, self.shape_lon_deg
        if lat.shape[0] < 2:
            return np.zeros(lat.shape[0])
        step = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
        cum = np.concatenate(([0.0], np.cumsum(step)))
        start = cum[self.shape_ptr[:-1]]
        return np.asarray(cum - np.repeat(start, np.diff(self.shape_ptr)), dtype=np.float64)

    @cached_property
    def segment_starts(self) -> IntArray:
        """Index of the first shape point of every segment (a segment never spans two edges)."""
        last = np.zeros(self.shape_lat_deg.shape[0], dtype=bool)
        last[self.shape_ptr[1:] - 1] = True
        return np.flatnonzero(~last)

    @cached_property
    def derived(self) -> dict[Any, Any]:
        """Tables other modules derive from this network (cost models, search indexes).

        They live on the network object, so they are dropped with it and can never be served
        to another network (a cache keyed by ``id()`` can, once the id is reused).
        """
        return {}

    @cached_property
    def component_length_m(self) -> FloatArray:
        """Total edge length of each connected component, metres."""
        n_comp = int(self.node_component.max()) + 1 if self.n_nodes else 0
        return np.asarray(np.bincount(self.node_component[self.edge_from],
                                      weights=self.edge_length_m, minlength=n_comp),
                          dtype=np.float64)

    @cached_property
    def main_component(self) -> int:
        """The connected component with the most length of way."""
        return int(np.argmax(self.component_length_m)) if self.n_edges else 0

    # -- per-edge look-ups --------------------------------------------------------------------
    def string(self, index: int) -> str:
        return str(self.strings[index])

    def way_tag(self, way_row: int, key: str) -> str | None:
        """Value of one kept tag of a way (``None`` when absent)."""
        value = self.string(int(self.way_tags[way_row, WAY_TAG_KEYS.index(key)]))
        return value or None

    def edge_way_osm_id(self, edges: IntArray) -> IntArray:
        """OSM way id of each edge."""
        return self.way_osm_id[self.edge_way[edges]]

    def edge_shape(self, edge: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Shape of one edge along its way: latitudes, longitudes and offsets (metres)."""
        a, b = int(self.shape_ptr[edge]), int(self.shape_ptr[edge + 1])
        return self.shape_lat_deg[a:b], self.shape_lon_deg[a:b], self.shape_offset_m[a:b]

    def arc_head(self, arcs: IntArray) -> IntArray:
        """Node each arc arrives at."""
        e = arcs >> 1
        return np.asarray(np.where(arcs & 1, self.edge_from[e], self.edge_to[e]), dtype=np.int64)

    def arc_tail(self, arcs: IntArray) -> IntArray:
        """Node each arc leaves from."""
        e = arcs >> 1
        return np.asarray(np.where(arcs & 1, self.edge_to[e], self.edge_from[e]), dtype=np.int64)

    def bbox(self) -> tuple[float, float, float, float]:
        """``(min lat, min lon, max lat, max lon)`` of the network's shape points, degrees."""
        if self.shape_lat_deg.shape[0] == 0:
            return (0.0, 0.0, 0.0, 0.0)
        return (float(self.shape_lat_deg.min()), float(self.shape_lon_deg.min()),
                float(self.shape_lat_deg.max()), float(self.shape_lon_deg.max()))


def min_csr(u: IntArray, v: IntArray, weight: FloatArray, n: int) -> csr_matrix:
    """Sparse ``n × n`` matrix holding, for each pair (u, v), the *smallest* weight given.

    ``scipy.sparse`` would add up parallel edges; a graph needs the cheapest of them.
    """
    order = np.lexsort((weight, v, u))
    uu, vv, ww = u[order], v[order], weight[order]
    first = np.ones(uu.shape[0], dtype=bool)
    first[1:] = (uu[1:] != uu[:-1]) | (vv[1:] != vv[:-1])
    return csr_matrix((ww[first], (uu[first], vv[first])), shape=(n, n))


def adjacency(edge_from: IntArray, edge_to: IntArray, n_nodes: int) -> tuple[IntArray, IntArray]:
    """CSR adjacency of the arcs leaving each node: ``(adj_ptr, adj_arc)``."""
    m = edge_from.shape[0]
    arcs = np.arange(2 * m, dtype=np.int64)
    tail = np.empty(2 * m, dtype=np.int64)
    tail[0::2] = edge_from
    tail[1::2] = edge_to
    order = np.argsort(tail, kind="stable")
    ptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n_nodes), out=ptr[1:])
    return ptr, arcs[order]
