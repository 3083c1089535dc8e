"""Routes that minimise hip load: edge costs from the hip-load model and an A* search.

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

The search is an edge-based A* (states are arcs, so turn costs at junctions are exact) in plain
Python with ``heapq``. Its heuristic is the exact node-to-goal cost without turn costs, computed
in C by ``scipy.sparse.csgraph.dijkstra`` on the node graph: consistent, and so tight that the
search expands little more than the arcs near the best route.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from hipstride.activity import FloatArray
from hipstride.errors import InputError
from hipstride.map.network import FLAG_STEPS, FootNetwork, IntArray, min_csr
from hipstride.map.spatial import segment_starts
from hipstride.model.hipload import G_MPS2
from hipstride.model.profile import Profile

__all__ = ["BEARING_SPAN_M", "MAX_SNAP_M", "STEPS_FACTOR", "TURN_MIN_DEG", "UTURN_PENALTY_M",
           "CostModel", "Place", "SearchResult", "Snap", "cost_model", "search", "snap_point"]

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
#: The A* heuristic is searched up to this many times the straight distance of a leg, plus
#: :data:`HEURISTIC_PAD_M` (beyond, it is that limit: still admissible and consistent).
HEURISTIC_SPAN = 1.7
HEURISTIC_PAD_M = 500.0
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


class CostModel:
    """Arc costs and search tables for one network, profile and cost kind.

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
        self.arc_cost = cost
        b_out, b_in = self._bearings()
        self.arc_bearing_out, self.arc_bearing_in = b_out, b_in
        # plain lists: indexing them is several times faster than NumPy scalars in the search
        self._ptr = net.adj_ptr.tolist()
        self._adj = net.adj_arc.tolist()
        self._head = net.arc_head(np.arange(2 * net.n_edges, dtype=np.int64)).tolist()
        self._cost = cost.tolist()
        self._b_out = b_out.tolist()
        self._b_in = b_in.tolist()
        self._h_cache: dict[tuple[int, ...], tuple[list[float], float]] = {}
        self._succ_lists: list[list[tuple[int, int, float, float]]] | None = None
        self.successors()

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
        """Cost of turning from one arc into the next at their common node."""
        theta = abs((self._b_out[arc_out] - self._b_in[arc_in] + 180.0) % 360.0 - 180.0)
        if theta < TURN_MIN_DEG:
            return 0.0
        cost = self.turn_m_per_rad * math.radians(theta)
        return cost + self.uturn_m if theta >= UTURN_DEG else cost

    @cached_property
    def _reverse_graph(self) -> csr_matrix:
        """Node graph with, for each node pair, the cheapest arc cost — transposed."""
        net = self.net
        arcs = np.arange(2 * net.n_edges, dtype=np.int64)
        return min_csr(net.arc_head(arcs), net.arc_tail(arcs), self.arc_cost, net.n_nodes)

    def successors(self) -> list[list[tuple[int, int, float, float]]]:
        """Per node, the arcs leaving it as ``(arc, head node, cost, bearing out)`` (built once)."""
        if self._succ_lists is None:
            ptr, adj = self._ptr, self._adj
            arcs = np.asarray(self._adj, dtype=np.int64)
            rows = list(zip(adj, np.asarray(self._head)[arcs].tolist(), self.arc_cost[arcs].tolist(),
                            self.arc_bearing_out[arcs].tolist(), strict=True))
            self._succ_lists = [rows[ptr[u]:ptr[u + 1]] for u in range(len(ptr) - 1)]
        return self._succ_lists

    def cost_to(self, goal_nodes: list[int], limit: float) -> tuple[list[float], float]:
        """Exact cost (without turn costs) from every node to the nearest goal node.

        Costs beyond ``limit`` are not searched and reported as ``limit``: ``min(cost, limit)``
        is still an admissible, consistent A* heuristic. Results are cached per goal (a loop
        returns to its start many times).
        """
        key = tuple(sorted(goal_nodes))
        hit = self._h_cache.get(key)
        if hit is not None and hit[1] >= limit:
            return hit
        d = dijkstra(self._reverse_graph, directed=True, indices=list(key), min_only=True,
                     limit=limit)
        result = (np.minimum(d, limit).tolist(), limit)
        if len(self._h_cache) > 64:
            self._h_cache.clear()
        self._h_cache[key] = result
        return result

    def place_xy(self, place: Place) -> tuple[float, float]:
        """Approximate position of a place in the local plane (metres)."""
        x, y = self.net.node_xy_m
        node = place.node if place.node >= 0 else int(self.net.edge_from[place.edge])
        return float(x[node]), float(y[node])


_MODELS: dict[tuple[int, str, str], CostModel] = {}


def cost_model(net: FootNetwork, profile: Profile, kind: str = "hip") -> CostModel:
    """A :class:`CostModel`, reused while the same network, profile values and kind are asked for.

    Building one takes about 0.1 s for a city; a planner asks for the same one many times.
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
    """A found leg: the pieces ``(edge, fraction from, fraction to)`` in order, and its cost."""

    pieces: list[tuple[int, float, float]]
    cost: float
    last_arc: int
    expanded: int = field(default=0, compare=False)


def _starts(cm: CostModel, place: Place) -> list[tuple[int, float]]:
    if place.node >= 0:
        out = []
        for j in range(cm._ptr[place.node], cm._ptr[place.node + 1]):
            a = cm._adj[j]
            turn = cm.turn_cost(place.arrive_arc, a) if place.arrive_arc >= 0 else 0.0
            out.append((a, cm._cost[a] + turn))
        return out
    e, f = place.edge, place.fraction
    return [(2 * e, cm._cost[2 * e] * (1.0 - f)), (2 * e + 1, cm._cost[2 * e + 1] * f)]


def _goals(cm: CostModel, place: Place) -> dict[int, list[tuple[int, float]]]:
    if place.node >= 0:
        return {place.node: [(-1, 0.0)]}
    e, f = place.edge, place.fraction
    net = cm.net
    return {int(net.edge_from[e]): [(2 * e, cm._cost[2 * e] * f)],
            int(net.edge_to[e]): [(2 * e + 1, cm._cost[2 * e + 1] * (1.0 - f))]}


def search(cm: CostModel, origin: Place, goal: Place, *, penalised: set[int] | None = None,
           reuse_factor: float = 1.0) -> SearchResult | None:
    """Cheapest leg from ``origin`` to ``goal`` (``None`` when they are not connected).

    Parameters
    ----------
    penalised
        Edges whose cost is multiplied by ``reuse_factor`` (edges a loop has already used).
    """
    goals = _goals(cm, goal)
    (ox, oy), (gx, gy) = cm.place_xy(origin), cm.place_xy(goal)
    h, _ = cm.cost_to(list(goals), HEURISTIC_SPAN * math.hypot(gx - ox, gy - oy) + HEURISTIC_PAD_M)
    head, cost, succ = cm._head, cm._cost, cm.successors()
    b_in = cm._b_in
    k_turn, uturn = cm.turn_m_per_rad * math.pi / 180.0, cm.uturn_m
    pen = penalised or set()
    factor = reuse_factor
    inf = math.inf
    g: dict[int, float] = {}
    parent: dict[int, int] = {}
    heap: list[tuple[float, float, int]] = []
    push, pop, g_get = heapq.heappush, heapq.heappop, g.get
    best, best_arc, best_final = inf, -2, -1
    if origin.node < 0 and goal.node < 0 and origin.edge == goal.edge:
        e, f0, f1 = origin.edge, origin.fraction, goal.fraction
        best = cost[2 * e] * (f1 - f0) if f1 >= f0 else cost[2 * e + 1] * (f0 - f1)
        best_arc, best_final = -1, -1
    elif origin.node >= 0 and origin.node == goal.node:
        return SearchResult([], 0.0, origin.arrive_arc)
    for a, g0 in _starts(cm, origin):
        if a >> 1 in pen:
            g0 *= reuse_factor
        if g0 < g_get(a, inf):
            g[a] = g0
            parent[a] = -1
            push(heap, (g0 + h[head[a]], g0, a))
    expanded = 0
    while heap:
        f, gc, a = pop(heap)
        if f >= best:
            break
        if gc > g[a]:
            continue
        expanded += 1
        u = head[a]
        finals = goals.get(u)
        if finals is not None:
            for fa, extra in finals:
                total = gc + extra + (cm.turn_cost(a, fa) if fa >= 0 else 0.0)
                if total < best:
                    best, best_arc, best_final = total, a, fa
        bin_ = b_in[a]
        for a2, v, c, bo in succ[u]:
            if pen and a2 >> 1 in pen:
                c *= factor
            theta = abs((bo - bin_ + 180.0) % 360.0 - 180.0)
            if theta >= TURN_MIN_DEG:
                c += k_turn * theta + (uturn if theta >= UTURN_DEG else 0.0)
            ng = gc + c
            if ng < g_get(a2, inf):
                g[a2] = ng
                parent[a2] = a
                push(heap, (ng + h[v], ng, a2))
    if best == inf:
        return None
    return SearchResult(_pieces(cm, origin, goal, parent, best_arc, best_final), best,
                        best_final if best_final >= 0 else best_arc, expanded)


def _pieces(cm: CostModel, origin: Place, goal: Place, parent: dict[int, int], last: int,
            final: int) -> list[tuple[int, float, float]]:
    if last == -1:  # start and goal on the same edge, direct
        return [(origin.edge, origin.fraction, goal.fraction)]
    arcs = []
    a = last
    while a != -1:
        arcs.append(a)
        a = parent[a]
    arcs.reverse()
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
