"""Routes that minimise hip load: edge costs from the hip-load model and an exact search.

Cost of running an arc (an edge in one direction), in *metres-equivalent* of flat, straight,
neutral ground — the unit of the model's index:

``length × (1 + downhill(g) + uphill(g) + w_surface × confidence) × steps + bends``

* ``g`` is the edge's grade in the direction of travel (an arc against the way flips it), and the
  downhill/uphill terms are the profile's own (threshold, per-% weight, cap): descents cost more
  than climbs exactly as in :mod:`hipstride.model.hipload`.
* Turns use the model's per-g weight. Integrating ``per_g · a / g`` over a turn of angle θ taken at
  speed v on any radius r (``a = v²/r`` over an arc of length ``r·θ``) gives
  ``per_g · v² · θ / g`` metres whatever the radius, so each bend of at least
  :data:`TURN_MIN_DEG` — at a junction (between the arcs' bearings measured
  :data:`BEARING_SPAN_M` along each way, like OSRM, to ignore mapping noise) or inside a way
  (between shape segments) — costs that much at the profile's reference speed. A U-turn
  additionally costs :data:`UTURN_PENALTY_M`.
* Steps have no factor in the model (it sees their grade only); the planner multiplies their cost
  by :data:`STEPS_FACTOR` so that it takes them only to avoid a long detour.

``kind="length"`` is the plain shortest path (the baseline a runner compares with).

The search is exact and edge-based: its states are arcs, so turn costs at junctions are exact, and
it returns the cost of a plain Dijkstra over arcs. It runs in C, as two or three calls of
``scipy.sparse.csgraph.dijkstra`` on small graphs cut out per query from tables a
:class:`CostModel` builds once; the Python around them is vectorised NumPy:

1. **Corridor** — ``h``, the cost from the nodes near the best route to the goal, without turn
   costs: a Dijkstra from the goal on the reversed *node* graph, steered towards the start by a
   consistent lower bound ψ of the cost from the start (ALT: Goldberg & Harrelson 2005, from the
   costs to and from :data:`LANDMARKS` landmarks, the :data:`ACTIVE_LANDMARKS` best for the pair),
   i.e. on reduced costs ``c + ψ(tail) − ψ(head)``, and stopped at a limit on them (first
   :data:`CORRIDOR_SHARE` of the pair's lower bound plus :data:`CORRIDOR_PAD_M`, raised until the
   start is reached and then until the corridor holds every node of every leg no dearer than the
   cheapest route it found, turn costs included). It runs only on the nodes a lower bound φ of the
   cost to the goal lets it reach (``ψ + φ`` within the limit).
2. **Route** — a Dijkstra from the start on an *arc* graph over the corridor's nodes that can lie
   on a leg no dearer than that route (``ψ + h`` within its cost): vertices are the entry and
   exit of each arc, edges are the arcs (their cost, reuse penalties included) and the turns
   between them (their cost), on costs reduced by ``h``. That is A* with a consistent heuristic
   (Hart, Nilsson & Raphael 1968), so it is exact; ``h`` misses only the turns, so it settles
   little more than the arcs along the best route. It stops at that route's cost.

The tables (about 0.2 s and 23 MB for a city of 40,000 edges, per cost kind) number nodes along
a Z-order curve, so that a query's nodes lie close in memory.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from hipstride.activity import FloatArray
from hipstride.errors import InputError
from hipstride.map.network import FLAG_STEPS, FootNetwork, IntArray, adjacency, min_csr
from hipstride.map.spatial import segment_starts
from hipstride.model.hipload import G_MPS2
from hipstride.model.profile import Profile

__all__ = ["ACTIVE_LANDMARKS", "BEARING_SPAN_M", "CORRIDOR_GROWTH", "CORRIDOR_PAD_M",
           "CORRIDOR_SHARE", "LANDMARKS", "MAX_SNAP_M", "STEPS_FACTOR", "TURN_MIN_DEG",
           "UTURN_PENALTY_M", "CostModel", "Place", "SearchResult", "Snap", "cost_model", "search",
           "snap_point"]

#: Bends gentler than this cost nothing (degrees); a little under the model's 45° turn so that
#: two bends adding up to a counted turn are not free.
TURN_MIN_DEG = 30.0
#: Extra cost of turning back on oneself (metres-equivalent).
UTURN_PENALTY_M = 60.0
#: Bends from this angle on count as U-turns (degrees).
UTURN_DEG = 150.0
#: Bearings at junctions are measured over this much of each way (metres).
BEARING_SPAN_M = 10.0
#: Cost multiplier for steps.
STEPS_FACTOR = 4.0
#: A start or end further than this from any usable way is refused (metres).
MAX_SNAP_M = 500.0
#: Landmarks of the ALT lower bounds, per network and cost kind (farthest-point picks).
LANDMARKS = 16
#: Landmark bounds (from or to one landmark) combined per query: the best for the pair.
ACTIVE_LANDMARKS = 6
#: The corridor search first stops this share of the pair's lower bound past the start
#: (reduced cost, plus :data:`CORRIDOR_PAD_M` metres-equivalent) ...
CORRIDOR_SHARE = 0.04
CORRIDOR_PAD_M = 100.0
#: ... and its limit is multiplied by this (plus the pad) while it does not reach the start.
CORRIDOR_GROWTH = 3.0
_EPS_COST = 1e-3


@dataclass(frozen=True)
class Snap:
    """A point snapped onto the network: edge, position along it and how far it moved."""

    edge: int
    fraction: float
    distance_m: float
    lat_deg: float
    lon_deg: float


def snap_point(net: FootNetwork, lat_deg: float, lon_deg: float, *,
               component: int | None = None, max_distance_m: float = MAX_SNAP_M,
               what: str = "start") -> Snap:
    """Nearest position on a usable way (in ``component`` when given).

    Raises
    ------
    hipstride.errors.InputError
        When no usable way lies within ``max_distance_m``.
    """
    sx, sy = net.shape_xy_m
    start = _segments(net)
    px, py = net.to_xy_m(np.array([lat_deg]), np.array([lon_deg]))
    x0, y0, x1, y1 = sx[start], sy[start], sx[start + 1], sy[start + 1]
    dx, dy = x1 - x0, y1 - y0
    den = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(den > 0, ((px[0] - x0) * dx + (py[0] - y0) * dy) / den, 0.0), 0, 1)
    d = np.hypot(px[0] - (x0 + t * dx), py[0] - (y0 + t * dy))
    edges = net.shape_edge[start]
    if component is not None:
        d = np.where(net.node_component[net.edge_from[edges]] == component, d, np.inf)
    if d.size == 0 or not np.isfinite(d).any():
        raise InputError(f"the map has no usable way for the {what}")
    i = int(np.argmin(d))
    if d[i] > max_distance_m:
        raise InputError(
            f"the {what} ({lat_deg:.5f}, {lon_deg:.5f}) is {d[i] / 1000.0:.1f} km from the nearest "
            f"usable way of map '{net.name}' (at most {max_distance_m:.0f} m is accepted): "
            "check the coordinates or import a map that covers them")
    e = int(edges[i])
    s = int(start[i])
    offset = net.shape_offset_m[s] + float(t[i]) * (net.shape_offset_m[s + 1] - net.shape_offset_m[s])
    length = float(net.edge_length_m[e])
    frac = float(np.clip(offset / length, 0.0, 1.0)) if length > 0 else 0.0
    lat = float(net.shape_lat_deg[s] + t[i] * (net.shape_lat_deg[s + 1] - net.shape_lat_deg[s]))
    lon = float(net.shape_lon_deg[s] + t[i] * (net.shape_lon_deg[s + 1] - net.shape_lon_deg[s]))
    return Snap(e, frac, float(d[i]), lat, lon)


_SEGMENTS: dict[int, IntArray] = {}


def _segments(net: FootNetwork) -> IntArray:
    key = id(net)
    if key not in _SEGMENTS:
        _SEGMENTS.clear()
        _SEGMENTS[key] = segment_starts(net)
    return _SEGMENTS[key]


def _wrap_deg(a: FloatArray) -> FloatArray:
    return np.abs((a + 180.0) % 360.0 - 180.0)


def _turn_cost_of(bearing_in: FloatArray, bearing_out: FloatArray, per_rad: float,
                  uturn: float) -> FloatArray:
    """Cost of turns from arriving at ``bearing_in`` to leaving at ``bearing_out`` (degrees)."""
    theta = np.abs((bearing_out - bearing_in + 180.0) % 360.0 - 180.0)
    cost = per_rad * math.pi / 180.0 * theta + np.where(theta >= UTURN_DEG, uturn, 0.0)
    return np.asarray(np.where(theta >= TURN_MIN_DEG, cost, 0.0), dtype=np.float64)


def _z_order(x: FloatArray, y: FloatArray) -> IntArray:
    """Order of points along a Z-order (Morton) curve: points near each other come close."""
    if x.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    span = max(float(x.max() - x.min()), float(y.max() - y.min()), 1e-9)

    def spread(v: FloatArray) -> NDArray[np.uint64]:
        q: NDArray[np.uint64] = ((v - v.min()) / span * 65535.0).astype(np.uint64)
        for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
            q = (q | (q << np.uint64(shift))) & np.uint64(mask)
        return q

    return np.asarray(np.argsort(spread(x) | (spread(y) << np.uint64(1)), kind="stable"),
                      dtype=np.int64)


class CostModel:
    """Arc costs and search tables for one network, profile and cost kind.

    Building one computes the arc costs and bearings and the search tables (renumbered
    adjacency, turn costs, and the landmark bounds: ``LANDMARKS + 1`` single-source Dijkstras
    on the node graph and one with ``LANDMARKS`` sources): about 0.2 s and 23 MB
    (:attr:`table_bytes`) for a city of 40,000 edges. A model is reused by every search on it;
    searches use its work buffers under a lock, so those on one model run one at a time.

    Parameters
    ----------
    net
        The network.
    profile
        Hip-load profile whose weights set the costs.
    kind
        ``"hip"`` (hip load, the planner's cost) or ``"length"`` (plain distance).
    """

    def __init__(self, net: FootNetwork, profile: Profile, kind: str = "hip") -> None:
        if kind not in ("hip", "length"):
            raise ValueError(f"unknown cost kind {kind!r}")
        self.net, self.profile, self.kind = net, profile, kind
        p = profile.get
        v = p("profile", "reference_speed_mps")
        self.turn_m_per_rad = p("turns", "per_g") * v * v / G_MPS2 if kind == "hip" else 0.0
        self.uturn_m = UTURN_PENALTY_M if kind == "hip" else 0.0
        length = net.edge_length_m
        if kind == "hip":
            grade = np.nan_to_num(net.edge_grade_pct, nan=0.0)
            weights = np.array([p("surface", "unknown"), p("surface", "soft"), p("surface", "hard")])
            surf = weights[net.edge_surface_class] * net.edge_surface_confidence
            steps = np.where(net.edge_flags & FLAG_STEPS, STEPS_FACTOR, 1.0)
            bends = self._bend_costs()
            fwd = length * np.maximum(1.0 + self._grade_term(grade) + surf, 0.1) * steps + bends
            bwd = length * np.maximum(1.0 + self._grade_term(-grade) + surf, 0.1) * steps + bends
        else:
            fwd = bwd = length
        cost = np.empty(2 * net.n_edges)
        cost[0::2] = fwd + _EPS_COST
        cost[1::2] = bwd + _EPS_COST
        #: Cost of each arc (metres-equivalent), ``2·edge`` along the way, ``2·edge + 1`` against.
        self.arc_cost = cost
        b_out, b_in = self._bearings()
        self.arc_bearing_out, self.arc_bearing_in = b_out, b_in
        self._lock = threading.Lock()
        self._build_tables()

    # -- costs ---------------------------------------------------------------------------------
    def _grade_term(self, grade: FloatArray) -> FloatArray:
        p = self.profile.get
        down = np.maximum(np.clip(-grade, 0.0, p("downhill", "cap_pct")) - p("downhill", "threshold_pct"), 0)
        up = np.maximum(np.clip(grade, 0.0, p("uphill", "cap_pct")) - p("uphill", "threshold_pct"), 0)
        return np.asarray(p("downhill", "per_pct") * down + p("uphill", "per_pct") * up)

    def _bend_costs(self) -> FloatArray:
        """Cost of the bends inside each edge (between its shape segments), metres-equivalent."""
        net = self.net
        sx, sy = net.shape_xy_m
        start = _segments(net)
        heading = np.degrees(np.arctan2(sx[start + 1] - sx[start], sy[start + 1] - sy[start]))
        edge = net.shape_edge[start]
        inner = edge[1:] == edge[:-1]
        angle = _wrap_deg(heading[1:] - heading[:-1])
        cost = np.where(inner & (angle >= TURN_MIN_DEG),
                        self.turn_m_per_rad * np.radians(angle), 0.0)
        return np.asarray(np.bincount(edge[1:], weights=cost, minlength=net.n_edges),
                          dtype=np.float64)

    def _bearings(self) -> tuple[FloatArray, FloatArray]:
        """Bearing (deg) each arc leaves its tail with, and arrives at its head with."""
        net = self.net
        sx, sy = net.shape_xy_m
        off = net.shape_offset_m
        ptr = net.shape_ptr
        big = float(net.edge_length_m.max(initial=0.0)) + 10.0
        key = off + net.shape_edge * big
        span = np.minimum(BEARING_SPAN_M, net.edge_length_m)
        e = np.arange(net.n_edges)
        first, last = ptr[:-1], ptr[1:] - 1
        near_start = np.clip(np.searchsorted(key, e * big + span), first + 1, last)
        near_end = np.clip(np.searchsorted(key, e * big + net.edge_length_m - span, side="right") - 1,
                           first, last - 1)
        out_fwd = np.degrees(np.arctan2(sx[near_start] - sx[first], sy[near_start] - sy[first]))
        in_fwd = np.degrees(np.arctan2(sx[last] - sx[near_end], sy[last] - sy[near_end]))
        b_out = np.empty(2 * net.n_edges)
        b_in = np.empty(2 * net.n_edges)
        b_out[0::2], b_in[0::2] = out_fwd, in_fwd
        b_out[1::2], b_in[1::2] = in_fwd + 180.0, out_fwd + 180.0
        return b_out, b_in

    def turn_cost(self, arc_in: int, arc_out: int) -> float:
        """Cost of turning from one arc into the next at their common node (metres-equivalent)."""
        return float(self._turn_costs(np.array([arc_in]), np.array([arc_out]))[0])

    def _turn_costs(self, arc_in: IntArray, arc_out: IntArray) -> FloatArray:
        """Cost of each turn ``arc_in[i] → arc_out[i]`` (metres-equivalent)."""
        return _turn_cost_of(self.arc_bearing_in[arc_in], self.arc_bearing_out[arc_out],
                             self.turn_m_per_rad, self.uturn_m)

    def place_xy(self, place: Place) -> tuple[float, float]:
        """Approximate position of a place in the local plane (metres)."""
        x, y = self.net.node_xy_m
        node = place.node if place.node >= 0 else int(self.net.edge_from[place.edge])
        return float(x[node]), float(y[node])

    def place_component(self, place: Place) -> int:
        """Connected component of a place."""
        node = place.node if place.node >= 0 else int(self.net.edge_from[place.edge])
        return int(self.net.node_component[node])

    # -- search tables -------------------------------------------------------------------------
    def _build_tables(self) -> None:
        """The landmark bounds and the static arrays of both searches.

        The searches number nodes along a Z-order curve of their positions and edges by their
        ``from`` node (``_node_net``/``_edge_net`` give the network's numbers), so that what is
        near on the map is near in memory. Arc ``2·e + d`` runs along internal edge ``e`` in the
        direction ``d`` of the network's arc. Arrays in *adjacency order* follow ``_adj_arc``:
        position ``j`` is the arc ``_adj_arc[j]``, which leaves the node ``u`` whose range
        ``_adj_ptr[u]:_adj_ptr[u + 1]`` holds ``j``, for ``_adj_head[j]``.
        """
        net = self.net
        n, m = net.n_nodes, 2 * net.n_edges
        x, y = net.node_xy_m
        self._node_net = _z_order(x, y)
        self._node_rank = np.empty(n, dtype=np.int64)
        self._node_rank[self._node_net] = np.arange(n)
        tail, head = self._node_rank[net.edge_from], self._node_rank[net.edge_to]
        self._edge_net = np.lexsort((head, tail))
        self._edge_rank = np.empty(net.n_edges, dtype=np.int64)
        self._edge_rank[self._edge_net] = np.arange(net.n_edges)
        self._edge_from, self._edge_to = tail[self._edge_net], head[self._edge_net]
        self._arc_net = np.empty(m, dtype=np.int64)
        self._arc_net[0::2] = 2 * self._edge_net
        self._arc_net[1::2] = 2 * self._edge_net + 1
        self._arc_rank = np.empty(m, dtype=np.int64)
        self._arc_rank[self._arc_net] = np.arange(m)
        self._cost = self.arc_cost[self._arc_net]
        self._bearing_out = self.arc_bearing_out[self._arc_net]
        self._bearing_in = self.arc_bearing_in[self._arc_net]
        self._adj_ptr, self._adj_arc = adjacency(self._edge_from, self._edge_to, n)
        arcs = np.arange(m, dtype=np.int64)
        self._arc_tail = np.where(arcs & 1, self._edge_to[arcs >> 1], self._edge_from[arcs >> 1])
        self._arc_head = np.where(arcs & 1, self._edge_from[arcs >> 1], self._edge_to[arcs >> 1])
        self._degree = np.diff(self._adj_ptr)
        self._adj_head = self._arc_head[self._adj_arc]
        self._adj_cost = self._cost[self._adj_arc]
        self._adj_index = np.empty(m, dtype=np.int64)
        self._adj_index[self._adj_arc] = arcs
        #: Landmark nodes (network numbers; see :meth:`_build_landmarks` for the bounds).
        self.landmarks, self._bounds = self._build_landmarks(x[self._node_net], y[self._node_net])
        # the corridor's arcs, in adjacency order: entry j is arc _adj_arc[j] ^ 1, arriving from
        # _adj_head[j] at the node whose range holds j
        self._corridor_cost = self._cost[self._adj_arc ^ 1]
        # turns, in adjacency order: from arc _adj_arc[j] into every arc leaving its head, in
        # that node's adjacency order, at _turn[_turn_ptr[j]:_turn_ptr[j + 1]]
        count = self._degree[self._adj_head]
        self._turn_ptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(count, out=self._turn_ptr[1:])
        into = np.repeat(self._adj_arc, count)
        out_of = self._adj_arc[np.repeat(self._adj_ptr[self._adj_head] - self._turn_ptr[:-1], count)
                               + np.arange(int(self._turn_ptr[-1]))]
        self._turn = self._turns(into, out_of)
        # the cheapest arc joining each pair of nodes, looked up by tail · n + head
        key = self._arc_tail * n + self._arc_head
        order = np.lexsort((self._cost, key))
        unique = np.ones(m, dtype=bool)
        unique[1:] = key[order][1:] != key[order][:-1]
        self._pair_key, self._pair_arc = key[order][unique], order[unique]
        # per-search state and work buffers (used under the lock, left as found)
        self._local = np.full(n, -1, dtype=np.int64)
        self._corridor_local = np.full(n, -1, dtype=np.int64)
        self._penalised = np.zeros(net.n_edges, dtype=bool)
        self._buf_nodes = np.zeros((3, n))

    def _turns(self, arc_in: IntArray, arc_out: IntArray) -> FloatArray:
        """Cost of each turn ``arc_in[i] → arc_out[i]`` between internal arcs."""
        return _turn_cost_of(self._bearing_in[arc_in], self._bearing_out[arc_out],
                             self.turn_m_per_rad, self.uturn_m)

    def _turn_one(self, arc_in: int, arc_out: int) -> float:
        """Cost of the turn ``arc_in → arc_out`` between internal arcs."""
        return float(self._turns(np.array([arc_in]), np.array([arc_out]))[0])

    def _build_landmarks(self, x: FloatArray, y: FloatArray) -> tuple[IntArray, FloatArray]:
        """Landmarks of the main component and their bound rows.

        Row ``k`` holds the cost from landmark ``k`` to every node, row ``K + k`` minus the cost
        from every node to it (0 outside the main component), so that for any row ``j``
        ``bounds[j, x] − bounds[j, o]`` is a lower bound of the cost from ``o`` to ``x``
        (triangle inequality; arc costs only, turn costs and penalties only add to it).
        Landmarks are farthest-point picks: first the node farthest from the middle of the
        component, then each time the node farthest from all landmarks so far.
        """
        net = self.net
        n = net.n_nodes
        main = net.node_component[self._node_net] == net.main_component
        count = min(LANDMARKS, int(main.sum()))
        if count == 0:
            return np.zeros(0, dtype=np.int64), np.zeros((0, n))
        head, tail, cost = self._arc_head, self._arc_tail, self._cost
        forward = min_csr(tail, head, cost, n)
        backward = min_csr(head, tail, cost, n)
        bounds = np.zeros((2 * count, n))
        nodes = np.flatnonzero(main)
        middle = nodes[np.argmin(np.hypot(x[nodes] - x[nodes].mean(), y[nodes] - y[nodes].mean()))]
        nearest = np.where(main, dijkstra(forward, directed=True, indices=int(middle)), -np.inf)
        chosen: list[int] = []
        for k in range(count):
            node = int(np.argmax(nearest))
            chosen.append(node)
            row = dijkstra(forward, directed=True, indices=node)
            finite = np.isfinite(row)
            bounds[k] = np.where(finite, row, 0.0)
            row = np.where(main & finite, row, -np.inf)
            nearest = np.minimum(nearest, row) if k else row
        back = dijkstra(backward, directed=True, indices=chosen)
        bounds[count:] = -np.where(np.isfinite(back), back, 0.0)
        return self._node_net[np.asarray(chosen, dtype=np.int64)], bounds

    @property
    def table_bytes(self) -> int:
        """Memory of the search tables and buffers (bytes)."""
        return int(sum(value.nbytes for name, value in vars(self).items()
                       if name.startswith("_") and isinstance(value, np.ndarray)))


_MODELS: dict[tuple[int, str, str], CostModel] = {}


def cost_model(net: FootNetwork, profile: Profile, kind: str = "hip") -> CostModel:
    """A :class:`CostModel`, reused while the same network, profile values and kind are asked for.

    Building one takes about 0.2 s for a city; a planner asks for the same one many times.
    """
    key = (id(net), repr(sorted(profile.values.items())), kind)
    hit = _MODELS.get(key)
    if hit is not None and hit.net is net:
        return hit
    if len(_MODELS) >= 4:
        _MODELS.clear()
    model = _MODELS[key] = CostModel(net, profile, kind)
    return model


@dataclass(frozen=True)
class Place:
    """Where a leg starts or ends: a position on an edge, or a node.

    ``edge``/``fraction`` (0 at the edge's ``from`` node, 1 at its ``to`` node) for a snapped point;
    ``node`` for a waypoint on a junction. ``arrive_arc`` (for a start node) is the arc the
    runner arrives on, so that turning there is costed.
    """

    edge: int = -1
    fraction: float = 0.0
    node: int = -1
    arrive_arc: int = -1


@dataclass(frozen=True)
class SearchResult:
    """A found leg: the pieces ``(edge, fraction from, fraction to)`` in order, and its cost.

    ``cost`` is in metres-equivalent; ``last_arc`` is the arc the leg ends on (``-1`` for a leg
    inside one edge); ``expanded`` the number of search calls made (corridor and route).
    """

    pieces: list[tuple[int, float, float]]
    cost: float
    last_arc: int
    expanded: int = field(default=0, compare=False)


def search(cm: CostModel, origin: Place, goal: Place, *, penalised: set[int] | None = None,
           reuse_factor: float = 1.0) -> SearchResult | None:
    """Cheapest leg from ``origin`` to ``goal`` (``None`` when they are not connected).

    The cost of a leg is the sum of its arcs' costs (the first and last ones in proportion to the
    part run) and of the turns between them, in metres-equivalent; see the module docstring for
    the method. The result is exact: the cost of a plain Dijkstra over arcs.

    Parameters
    ----------
    penalised
        Edges whose cost is multiplied by ``reuse_factor`` (edges a loop has already used). The
        turns onto them are not, except at a start node with ``arrive_arc`` (leaving a waypoint
        onto a used edge, going back included, costs its turn times the factor too); the part of
        the goal's edge run at the end is not either.
    """
    direct = math.inf
    if origin.node < 0 and goal.node < 0 and origin.edge == goal.edge:
        e, f0, f1 = origin.edge, origin.fraction, goal.fraction
        c = cm.arc_cost
        direct = float(c[2 * e] * (f1 - f0) if f1 >= f0 else c[2 * e + 1] * (f0 - f1))
    elif origin.node >= 0 and origin.node == goal.node:
        return SearchResult([], 0.0, origin.arrive_arc)
    if cm.place_component(origin) != cm.place_component(goal):
        return None
    pen: set[int] = set()
    if penalised:
        pen = set(cm._edge_rank[np.fromiter(penalised, dtype=np.int64)].tolist())
    with cm._lock:
        found = _search(cm, _inner_place(cm, origin), _inner_place(cm, goal), pen, reuse_factor,
                        direct)
    if found is None:  # pragma: no cover - the plain route always exists here
        return None
    cost, inner, inner_final, calls = found
    arcs = cm._arc_net[np.asarray(inner, dtype=np.int64)].tolist()
    final = int(cm._arc_net[inner_final]) if inner_final >= 0 else -1
    last = final if final >= 0 else (arcs[-1] if arcs else -1)
    return SearchResult(_pieces(origin, goal, arcs, final), cost, last, calls)


def _inner_place(cm: CostModel, place: Place) -> Place:
    """``place`` in the searches' numbering of nodes, edges and arcs."""
    if place.node >= 0:
        arrive = int(cm._arc_rank[place.arrive_arc]) if place.arrive_arc >= 0 else -1
        return Place(node=int(cm._node_rank[place.node]), arrive_arc=arrive)
    return Place(edge=int(cm._edge_rank[place.edge]), fraction=place.fraction)


def _search(cm: CostModel, origin: Place, goal: Place, pen: set[int], factor: float,
            direct: float) -> tuple[float, list[int], int, int] | None:
    """The search on internal numbers: (cost, arcs, final arc, Dijkstra calls)."""
    c = cm._cost
    # the origin: nodes the corridor must reach, and the node and offset of its lower bounds
    if origin.node >= 0:
        o_nodes = [origin.node]
        o_ref, o_shift = origin.node, 0.0
    else:
        e, f = origin.edge, origin.fraction
        a, b = int(cm._edge_from[e]), int(cm._edge_to[e])
        o_nodes = [a, b]
        o_ref, o_shift = (a, float(c[2 * e]) * f) if f <= 0.5 else (b, float(c[2 * e + 1]) * (1 - f))
    # the goal: its nodes with the cost from each to the goal (no turn, no penalty)
    if goal.node >= 0:
        g_nodes = [(goal.node, 0.0)]
        g_ref, g_shift = goal.node, 0.0
    else:
        e, f = goal.edge, goal.fraction
        a, b = int(cm._edge_from[e]), int(cm._edge_to[e])
        g_nodes = [(a, float(c[2 * e]) * f), (b, float(c[2 * e + 1]) * (1 - f))]
        g_ref, g_shift = (a, float(c[2 * e + 1]) * f) if f <= 0.5 else (b, float(c[2 * e]) * (1 - f))
    edges = np.fromiter(pen, dtype=np.int64, count=len(pen))
    cm._penalised[edges] = True
    corridor: _Corridor | None = None
    try:
        corridor = _Corridor(cm, o_ref, o_shift, g_ref, g_shift, g_nodes, factor if pen else 1.0)
        calls = corridor.run(CORRIDOR_SHARE * corridor.lower + CORRIDOR_PAD_M, o_nodes)
        bound = min(_plain_route_cost(cm, origin, goal, corridor, pen, factor), direct)
        if bound > corridor.limit + corridor.psi_source:
            # a node of the best leg may lie outside the corridor: widen it to include them all
            calls += corridor.run((bound - corridor.psi_source) * (1 + 1e-9) + 1e-6, o_nodes)
        found = _route(cm, origin, goal, corridor.nodes(bound, o_nodes), corridor, pen, factor,
                       bound, direct)
    finally:
        cm._penalised[edges] = False
        if corridor is not None:
            corridor.close()
    if found is None:  # pragma: no cover - the plain route always exists here
        return None
    cost, arcs, final = found
    return cost, arcs, final, calls + 1


class _Corridor:
    """Step 1 of a search: the cost ``h`` from nodes to the goal, exact along the corridor.

    ``h`` (metres-equivalent) has no turn costs and counts penalties. It comes from a Dijkstra
    from the goal on the reversed node graph with reduced costs ``c + ψ(tail) − ψ(head)``, ψ
    being a consistent lower bound of the cost from the origin (:meth:`_bounds`), stopped at a
    limit on the reduced cost. The search runs on the subgraph of the nodes that it could reach
    within the limit (``ψ + φ ≤ limit + ψ_source``, φ a lower bound of the cost to the goal),
    numbered in order, plus a sink for the arcs from outside and a source for a goal inside an
    edge.

    Parameters
    ----------
    o_ref, o_shift
        A node near the origin and the cost of the way from it to the origin.
    g_ref, g_shift
        A node near the goal and the cost of the way from the goal to it.
    g_nodes
        The goal's nodes and the cost from each to the goal.
    factor
        Penalty on the edges marked in the model's ``_penalised``.
    """

    def __init__(self, cm: CostModel, o_ref: int, o_shift: float, g_ref: int, g_shift: float,
                 g_nodes: list[tuple[int, float]], factor: float) -> None:
        self.cm, self.factor, self.g_nodes = cm, factor, g_nodes
        self.psi, self.reach, self.lower = self._bounds(o_ref, o_shift, g_ref, g_shift)
        self.starts = [off + float(self.psi[v]) for v, off in g_nodes]
        #: ψ at the search's source (the goal node, or the goal inside an edge)
        self.psi_source = min(self.starts)
        self.limit = 0.0
        self.rows = np.zeros(0, dtype=np.int64)
        self.reached = np.zeros(0)
        self.pred = np.zeros(0, dtype=np.int32)

    def _bounds(self, o_ref: int, o_shift: float, g_ref: int, g_shift: float
                ) -> tuple[FloatArray, FloatArray, float]:
        """ψ (from the origin) and ψ + φ (φ: to the goal) for every node, and ψ at ``g_ref``.

        Both are the maximum of the :data:`ACTIVE_LANDMARKS` landmark bounds best for the pair,
        shifted by the way between the reference nodes and the places, and at least 0.
        """
        cm = self.cm
        bounds = cm._bounds
        psi, phi, tmp = cm._buf_nodes
        if bounds.shape[0] == 0:
            psi.fill(0.0)
            return psi, psi, 0.0
        base = bounds[:, o_ref] + o_shift
        top = bounds[:, g_ref] - g_shift
        gain = bounds[:, g_ref] - base
        rows = np.argpartition(gain, -ACTIVE_LANDMARKS)[-ACTIVE_LANDMARKS:] \
            if gain.shape[0] > ACTIVE_LANDMARKS else np.arange(gain.shape[0])
        first, *others = rows.tolist()
        np.subtract(bounds[first], base[first], out=psi)
        np.subtract(top[first], bounds[first], out=phi)
        for j in others:
            np.subtract(bounds[j], base[j], out=tmp)
            np.maximum(psi, tmp, out=psi)
            np.subtract(top[j], bounds[j], out=tmp)
            np.maximum(phi, tmp, out=phi)
        np.maximum(psi, 0.0, out=psi)
        np.maximum(phi, 0.0, out=phi)
        phi += psi
        return psi, phi, max(float(gain.max()), 0.0)

    def run(self, limit: float, o_nodes: list[int]) -> int:
        """Search up to ``limit`` (reduced cost), raised until ``o_nodes`` are reached.

        Returns the number of Dijkstra calls made.
        """
        calls = 0
        while True:
            calls += 1
            self._search(limit)
            if (self.h_reached(np.asarray(o_nodes)) <= limit).all() or limit == math.inf:
                return calls
            limit = CORRIDOR_GROWTH * limit + CORRIDOR_PAD_M if calls < 6 else math.inf

    def _search(self, limit: float) -> None:
        """One Dijkstra up to ``limit``, on the subgraph of the nodes it may reach."""
        cm = self.cm
        local = cm._corridor_local
        local[self.rows] = -1
        rows = np.flatnonzero(self.reach <= (limit + self.psi_source) * (1 + 1e-9) + 1e-6)
        size = rows.shape[0]
        local[rows] = np.arange(size)
        self.rows, self.limit = rows, limit
        # row v: the arcs arriving at v (reverses of those leaving it), from inside or the sink
        count = cm._degree[rows]
        ptr = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(count, out=ptr[1:])
        at = np.repeat(cm._adj_ptr[rows] - ptr[:-1], count) + np.arange(int(ptr[-1]))
        col = cm._adj_head[at]
        reduced = cm._corridor_cost[at]
        if self.factor != 1.0:
            hit = cm._penalised[cm._adj_arc[at] >> 1]
            reduced[hit] *= self.factor
        reduced += self.psi[col]
        reduced -= np.repeat(self.psi[rows], count)
        np.maximum(reduced, 0.0, out=reduced)
        col = local[col]
        sink = size
        indices = np.where(col >= 0, col, sink)
        # the source: the goal node, or a vertex into both ends of the goal's edge
        ends = local[np.array([v for v, _ in self.g_nodes])]
        source = int(ends[0])
        extra = 0
        if len(self.g_nodes) > 1:
            keep = ends >= 0
            extra = int(keep.sum())
            indices = np.concatenate((indices, ends[keep]))
            reduced = np.concatenate((reduced, (np.array(self.starts) - self.psi_source)[keep]))
            source = size + 1
        indptr = np.concatenate((ptr, [ptr[-1], ptr[-1] + extra])).astype(np.int32)
        graph = csr_matrix((reduced, indices.astype(np.int32), indptr), shape=(size + 2, size + 2))
        self.reached, self.pred, _ = dijkstra(graph, directed=True, indices=source, min_only=True,
                                              limit=limit, return_predecessors=True)

    def h_reached(self, nodes: IntArray) -> FloatArray:
        """Reduced cost of ``nodes`` from the goal (``inf`` beyond the limit)."""
        at = self.cm._corridor_local[nodes]
        return np.where(at >= 0, self.reached[at], math.inf)

    def h(self, nodes: IntArray | int) -> FloatArray:
        """Cost from ``nodes`` to the goal: exact where reached, else a consistent lower bound.

        Reached, ``reached = h + ψ − ψ_source``; beyond, ``reached > limit``, so
        ``limit − ψ + ψ_source`` bounds it (consistent, as ψ is).
        """
        nodes = np.asarray(nodes)
        value = np.minimum(self.h_reached(nodes), self.limit) - self.psi[nodes] + self.psi_source
        return np.asarray(np.maximum(value, 0.0), dtype=np.float64)

    def path(self, node: int) -> list[int]:
        """The nodes of a cheapest way without turns from ``node`` (reached) to the goal."""
        pred = self.pred
        size = self.rows.shape[0]
        steps = []
        y = int(pred[self.cm._corridor_local[node]])
        while 0 <= y < size:
            steps.append(y)
            y = int(pred[y])
        return [node, *self.rows[steps].tolist()]

    def nodes(self, bound: float, extra: list[int]) -> IntArray:
        """The nodes of every leg no dearer than ``bound`` (ψ + h ≤ bound), and ``extra``."""
        size = self.rows.shape[0]
        keep = self.reached[:size] <= bound * (1 + 1e-9) + 1e-6 - self.psi_source
        keep[self.cm._corridor_local[extra]] = True
        return self.rows[keep]

    def close(self) -> None:
        """Leave the model's node map as found."""
        self.cm._corridor_local[self.rows] = -1


def _arc_costs(cm: CostModel, arcs: IntArray, costs: FloatArray, factor: float) -> FloatArray:
    """``costs`` of ``arcs`` with the penalty applied to used edges (in place: pass a copy)."""
    hit = cm._penalised[arcs >> 1]
    if hit.any():
        costs[hit] *= factor
    return costs


def _plain_route_cost(cm: CostModel, origin: Place, goal: Place, corridor: _Corridor,
                      pen: set[int], factor: float) -> float:
    """Cost, turns and penalties included, of the cheapest route without turns the corridor found.

    An upper bound of the best leg's cost (metres-equivalent), which bounds the route search.
    """
    net = cm.net
    n = net.n_nodes
    arcs: list[int] = []
    first = 0.0
    if origin.node >= 0:
        x = origin.node
    else:
        e, f = origin.edge, origin.fraction
        g_fwd, g_bwd = float(cm._cost[2 * e]) * (1.0 - f), float(cm._cost[2 * e + 1]) * f
        if e in pen:
            g_fwd, g_bwd = g_fwd * factor, g_bwd * factor
        to_node, from_node = int(cm._edge_to[e]), int(cm._edge_from[e])
        h_to, h_from = corridor.h(np.array([to_node, from_node])).tolist()
        if g_fwd + h_to <= g_bwd + h_from:
            arcs.append(2 * e)
            x, first = to_node, g_fwd
        else:
            arcs.append(2 * e + 1)
            x, first = from_node, g_bwd
    nodes = corridor.path(x)
    if len(nodes) > 1:
        path = np.asarray(nodes, dtype=np.int64)
        keys = path[:-1] * n + path[1:]
        arcs.extend(cm._pair_arc[np.searchsorted(cm._pair_key, keys)].tolist())
    chain = np.asarray(arcs, dtype=np.int64)
    costs = _arc_costs(cm, chain, cm._cost[chain], factor)
    total = first + float(costs[1:].sum()) if origin.node < 0 else float(costs.sum())
    if chain.shape[0] > 1:
        total += float(cm._turns(chain[:-1], chain[1:]).sum())
    last = int(chain[-1]) if chain.shape[0] else -1
    if origin.node >= 0 and origin.arrive_arc >= 0:
        if chain.shape[0]:
            turn = cm._turn_one(origin.arrive_arc, int(chain[0]))
            total += turn * factor if int(chain[0]) >> 1 in pen else turn
        else:
            last = origin.arrive_arc
    if goal.node < 0:
        e, f = goal.edge, goal.fraction
        if nodes[-1] == int(cm._edge_from[e]):
            final, extra = 2 * e, float(cm._cost[2 * e]) * f
        else:
            final, extra = 2 * e + 1, float(cm._cost[2 * e + 1]) * (1 - f)
        total += extra + (cm._turn_one(last, final) if last >= 0 else 0.0)
    return total


def _route(cm: CostModel, origin: Place, goal: Place, inside: IntArray, corridor: _Corridor,
           pen: set[int], factor: float, upper: float, direct: float
           ) -> tuple[float, list[int], int] | None:
    """Step 2: the exact route on the corridor's arc graph, potential ``h``: (cost, arcs, final).

    ``inside`` are the corridor's nodes, in order (every node of the best leg is one), and
    ``upper`` an upper bound of the best cost. The graph has, for the ``k`` arcs leaving those
    nodes (in adjacency order), vertex ``i`` (entering arc ``i``), ``k + i`` (leaving it) and a
    source ``2k``; its edges are the arcs (reduced cost ``c + h(head) − h(tail)``, penalties
    included) and the turns from each arc whose head is inside into every arc leaving that head
    (their cost: both ends share a node). ``final`` is the arc into a goal inside an edge
    (``-1`` for a node goal); the route inside one edge (cost ``direct``, no arcs) when it is
    the cheapest.
    """
    local = cm._local
    local[inside] = np.arange(inside.shape[0])
    try:
        count = cm._degree[inside]
        node_ptr = np.zeros(inside.shape[0] + 1, dtype=np.int64)
        np.cumsum(count, out=node_ptr[1:])
        k = int(node_ptr[-1])
        where = np.repeat(cm._adj_ptr[inside] - node_ptr[:-1], count) + np.arange(k)
        arcs = cm._adj_arc[where]
        head = cm._adj_head[where]
        head_local = local[head]

        def index(of: IntArray) -> IntArray:
            """Index among ``arcs`` of some arcs (``-1`` for those leaving a node outside)."""
            tail = cm._arc_tail[of]
            at = local[tail]
            return np.where(at >= 0, node_ptr[at] + cm._adj_index[of] - cm._adj_ptr[tail], -1)

        h_source, starts, weights = _route_source(cm, origin, corridor, pen, factor, index, k)
        if goal.node >= 0:
            g = goal.node
            ends = index(cm._adj_arc[cm._adj_ptr[g]:cm._adj_ptr[g + 1]] ^ 1)
            ends = np.where(ends >= 0, k + ends, -1)
            offset = np.full(ends.shape[0], -float(corridor.h(g)))
        else:
            e, f = goal.edge, goal.fraction
            ends = index(np.array([2 * e, 2 * e + 1]))
            offset = np.array([float(cm._cost[2 * e]) * f, float(cm._cost[2 * e + 1]) * (1 - f)])
            offset -= corridor.h(np.array([int(cm._edge_from[e]), int(cm._edge_to[e])]))
    finally:
        local[inside] = -1
    inward = head_local >= 0
    out = np.where(inward, cm._degree[head], 0)
    turn_ptr = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(out, out=turn_ptr[1:])
    t = int(turn_ptr[-1])
    shift = np.repeat(np.stack((np.where(inward, node_ptr[head_local], 0),
                                cm._turn_ptr[where])) - turn_ptr[:-1], out, axis=1)
    step = np.arange(t)
    shift += step
    reduced = _arc_costs(cm, arcs, cm._adj_cost[where], factor)
    reduced += corridor.h(head)
    reduced -= np.repeat(corridor.h(inside), count)
    np.maximum(reduced, 0.0, out=reduced)
    nnz = k + t + starts.shape[0]
    indptr = np.empty(2 * k + 2, dtype=np.int32)
    indptr[:k + 1] = np.arange(k + 1)
    indptr[k + 1:2 * k + 1] = turn_ptr[1:]
    indptr[k + 1:] += k
    indptr[-1] = nnz
    indices = np.empty(nnz, dtype=np.int32)
    indices[:k] = np.arange(k, 2 * k)
    indices[k:k + t] = shift[0]
    indices[k + t:] = starts
    data = np.empty(nnz)
    data[:k] = reduced
    np.take(cm._turn, shift[1], out=data[k:k + t], mode="wrap")
    data[k + t:] = weights
    graph = csr_matrix((data, indices, indptr), shape=(2 * k + 1, 2 * k + 1))
    # every goal vertex of a leg cheaper than `upper` lies within this reduced distance
    limit = max(upper - h_source, 0.0) * (1.0 + 1e-12) + 1e-9
    dist, pred, _ = dijkstra(graph, directed=True, indices=2 * k, min_only=True, limit=limit,
                             return_predecessors=True)
    total = np.where(ends >= 0, dist[ends], math.inf) + offset + h_source
    i = int(np.argmin(total))
    if not total[i] < direct:
        return None if direct == math.inf else (direct, [], -1)
    best, v = float(total[i]), int(ends[i])
    final = -1
    if goal.node < 0:
        final = int(arcs[v])
        v = int(pred[v])
    # walk back over the arcs' exits: the exit before exit i is pred[pred[k + i]] (through the
    # entry of arc i), or the source
    before = pred[k:2 * k]
    entry = (before >= 0) & (before < k)
    before = np.where(entry, pred[np.where(entry, before, 0)], before)
    exits = []
    while k <= v < 2 * k:
        exits.append(v - k)
        v = int(before[v - k])
    exits.reverse()
    return best, arcs[exits].tolist(), final


def _route_source(cm: CostModel, origin: Place, corridor: _Corridor, pen: set[int],
                  factor: float, index: Callable[[IntArray], IntArray], k: int
                  ) -> tuple[float, IntArray, FloatArray]:
    """The route graph's source: its potential, the vertices it leads to and their weights.

    From a node, it enters every arc leaving it (at no cost, or at the turn from ``arrive_arc``,
    times the penalty for a used edge); from inside an edge, it leaves the edge's two arcs at the
    cost of the part run (reduced by ``h``). Arcs from nodes left out of the graph are dropped.
    """
    if origin.node >= 0:
        o = origin.node
        leaving = cm._adj_arc[cm._adj_ptr[o]:cm._adj_ptr[o + 1]]
        if origin.arrive_arc >= 0:
            arrive = np.full(leaving.shape[0], origin.arrive_arc)
            weights = _arc_costs(cm, leaving, cm._turns(arrive, leaving), factor)
        else:
            weights = np.zeros(leaving.shape[0])
        starts = index(leaving)
        keep = starts >= 0
        return float(corridor.h(o)), starts[keep], weights[keep]
    e, f = origin.edge, origin.fraction
    g_fwd, g_bwd = float(cm._cost[2 * e]) * (1.0 - f), float(cm._cost[2 * e + 1]) * f
    if e in pen:
        g_fwd, g_bwd = g_fwd * factor, g_bwd * factor
    h_to, h_from = corridor.h(np.array([int(cm._edge_to[e]), int(cm._edge_from[e])])).tolist()
    s_fwd, s_bwd = g_fwd + h_to, g_bwd + h_from
    h_source = min(s_fwd, s_bwd)
    starts = index(np.array([2 * e, 2 * e + 1]))
    keep = starts >= 0
    return h_source, k + starts[keep], np.array([s_fwd - h_source, s_bwd - h_source])[keep]


def _pieces(origin: Place, goal: Place, arcs: list[int], final: int
            ) -> list[tuple[int, float, float]]:
    if not arcs and final < 0:  # start and goal on the same edge, direct
        return [(origin.edge, origin.fraction, goal.fraction)]
    pieces: list[tuple[int, float, float]] = []
    for i, arc in enumerate(arcs):
        e, back = arc >> 1, arc & 1
        f_from, f_to = (1.0, 0.0) if back else (0.0, 1.0)
        if i == 0 and origin.node < 0:
            f_from = origin.fraction
        pieces.append((e, f_from, f_to))
    if final >= 0:
        e, back = final >> 1, final & 1
        pieces.append((e, 1.0 if back else 0.0, goal.fraction))
    return pieces
