"""Exact route search on a :class:`SearchIndex`: the tables, and step 2, the route itself.

The search is exact and edge-based: its states are arcs, so turn costs at junctions are exact, and
it returns the cost of a plain Dijkstra over arcs (:class:`~hipstride.map.costs.CostModel`'s arc
and turn costs). It runs in C, as two or three calls of ``scipy.sparse.csgraph.dijkstra`` on
small graphs cut out per query from the tables of a :class:`SearchIndex`; the Python around them
is vectorised NumPy:

1. **Corridor** (:mod:`hipstride.map._corridor`): ``h``, the cost from the nodes near the best
   route to the goal without turn costs, steered by ALT landmark bounds.
2. **Route**: a Dijkstra from the start on an *arc* graph over the corridor's nodes that can lie
   on a leg no dearer than the cheapest route the corridor found (``ψ + h`` within its cost):
   vertices are the entry and exit of each arc, edges are the arcs (their cost, reuse penalties
   included) and the turns between them (their cost), on costs reduced by ``h``. That is A*
   with a consistent heuristic (Hart, Nilsson & Raphael 1968), so it is exact; ``h`` misses
   only the turns, so it settles little more than the arcs along the best route.

The tables (about 0.2 s and 23 MB for a city of 40,000 edges, per cost kind) number nodes along
a Z-order curve, so that a query's nodes lie close in memory; their landmark bounds, most of
the build, are stored with a map at import (:mod:`hipstride.map._tables`). :func:`search_index` keeps one
index per network, profile and kind on the network object.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from hipstride.activity import FloatArray
from hipstride.map._corridor import (
    CORRIDOR_PAD_M,
    CORRIDOR_SHARE,
    Corridor,
    arc_costs,
    build_landmarks,
    plain_route_cost,
)
from hipstride.map._legs import Place, SearchResult, leg_pieces
from hipstride.map._tables import stored_landmarks
from hipstride.map.costs import CostModel, cost_model
from hipstride.map.network import FootNetwork, IntArray, adjacency
from hipstride.model.profile import Profile

__all__ = ["Place", "SearchIndex", "SearchResult", "search", "search_index"]


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


class SearchIndex:
    """The search tables of one :class:`~hipstride.map.costs.CostModel`.

    Nodes are numbered along a Z-order curve of their positions and edges by their ``from``
    node (``node_net``/``edge_net`` give the network's numbers), so that what is near on the map
    is near in memory. Arc ``2·e + d`` runs along internal edge ``e`` in the direction ``d`` of
    the network's arc. Arrays in *adjacency order* follow ``adj_arc``: position ``j`` is the arc
    ``adj_arc[j]``, which leaves the node ``u`` whose range ``adj_ptr[u]:adj_ptr[u + 1]`` holds
    ``j``, for ``adj_head[j]``. Building one takes ``LANDMARKS + 1`` single-source Dijkstras and
    one with ``LANDMARKS`` sources on the node graph: about 0.2 s and 23 MB
    (:attr:`table_bytes`) for a city of 40,000 edges. Searches use its work buffers under
    :attr:`lock`, so those on one index run one at a time, and leave them as found.
    """

    def __init__(self, costs: CostModel) -> None:
        self.costs, self.net = costs, costs.net
        net = self.net
        self.lock = threading.Lock()
        n, m = net.n_nodes, 2 * net.n_edges
        x, y = net.node_xy_m
        self.node_net = _z_order(x, y)
        self.node_rank = np.empty(n, dtype=np.int64)
        self.node_rank[self.node_net] = np.arange(n)
        tail, head = self.node_rank[net.edge_from], self.node_rank[net.edge_to]
        self.edge_net = np.lexsort((head, tail))
        self.edge_rank = np.empty(net.n_edges, dtype=np.int64)
        self.edge_rank[self.edge_net] = np.arange(net.n_edges)
        self.edge_from, self.edge_to = tail[self.edge_net], head[self.edge_net]
        self.arc_net = np.empty(m, dtype=np.int64)
        self.arc_net[0::2] = 2 * self.edge_net
        self.arc_net[1::2] = 2 * self.edge_net + 1
        self.arc_rank = np.empty(m, dtype=np.int64)
        self.arc_rank[self.arc_net] = np.arange(m)
        self.cost = costs.arc_cost[self.arc_net]
        self.bearing_out = costs.arc_bearing_out[self.arc_net]
        self.bearing_in = costs.arc_bearing_in[self.arc_net]
        self.adj_ptr, self.adj_arc = adjacency(self.edge_from, self.edge_to, n)
        arcs = np.arange(m, dtype=np.int64)
        self.arc_tail = np.where(arcs & 1, self.edge_to[arcs >> 1], self.edge_from[arcs >> 1])
        self.arc_head = np.where(arcs & 1, self.edge_from[arcs >> 1], self.edge_to[arcs >> 1])
        self.degree = np.diff(self.adj_ptr)
        self.adj_head = self.arc_head[self.adj_arc]
        self.adj_cost = self.cost[self.adj_arc]
        self.adj_index = np.empty(m, dtype=np.int64)
        self.adj_index[self.adj_arc] = arcs
        #: Landmark nodes (network numbers; see :func:`~hipstride.map._corridor.build_landmarks`).
        stored = stored_landmarks(self)
        self.landmarks, self.bounds = stored if stored is not None else \
            build_landmarks(self, x[self.node_net], y[self.node_net])
        # the corridor's arcs, in adjacency order: entry j is arc adj_arc[j] ^ 1, arriving from
        # adj_head[j] at the node whose range holds j
        self.corridor_cost = self.cost[self.adj_arc ^ 1]
        # turns, in adjacency order: from arc adj_arc[j] into every arc leaving its head, in
        # that node's adjacency order, at turn_table[turn_ptr[j]:turn_ptr[j + 1]]
        count = self.degree[self.adj_head]
        self.turn_ptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(count, out=self.turn_ptr[1:])
        into = np.repeat(self.adj_arc, count)
        out_of = self.adj_arc[np.repeat(self.adj_ptr[self.adj_head] - self.turn_ptr[:-1], count)
                               + np.arange(int(self.turn_ptr[-1]))]
        self.turn_table = self.turn_costs(into, out_of)
        # the cheapest arc joining each pair of nodes, looked up by tail · n + head
        key = self.arc_tail * n + self.arc_head
        order = np.lexsort((self.cost, key))
        unique = np.ones(m, dtype=bool)
        unique[1:] = key[order][1:] != key[order][:-1]
        self.pair_key, self.pair_arc = key[order][unique], order[unique]
        # per-search state and work buffers (used under the lock, left as found)
        self.local = np.full(n, -1, dtype=np.int64)
        self.corridor_local = np.full(n, -1, dtype=np.int64)
        self.penalised = np.zeros(net.n_edges, dtype=bool)
        self.buf_nodes = np.zeros((3, n))


    def turn_costs(self, arc_in: IntArray, arc_out: IntArray) -> FloatArray:
        """Cost of each turn ``arc_in[i] → arc_out[i]`` between internal arcs."""
        return self.costs.turn_costs_between(self.bearing_in[arc_in], self.bearing_out[arc_out])

    def turn_one(self, arc_in: int, arc_out: int) -> float:
        """Cost of the turn ``arc_in → arc_out`` between internal arcs."""
        return float(self.turn_costs(np.array([arc_in]), np.array([arc_out]))[0])


    @property
    def table_bytes(self) -> int:
        """Memory of the search tables and buffers (bytes)."""
        return int(sum(value.nbytes for value in vars(self).values()
                       if isinstance(value, np.ndarray)))

    def place_component(self, place: Place) -> int:
        """Connected component of a place (network numbers)."""
        node = place.node if place.node >= 0 else int(self.net.edge_from[place.edge])
        return int(self.net.node_component[node])



def search_index(net: FootNetwork, profile: Profile, kind: str = "hip") -> SearchIndex:
    """The :class:`SearchIndex` of a network, profile and kind, kept on the network object.

    Building one takes about 0.2 s for a city; a planner asks for the same one many times.
    """
    key = ("search_index", profile, kind)
    hit = net.derived.get(key)
    if not isinstance(hit, SearchIndex):
        hit = net.derived[key] = SearchIndex(cost_model(net, profile, kind))
    return hit


def search(ix: SearchIndex, origin: Place, goal: Place, *, penalised: set[int] | None = None,
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
        c = ix.costs.arc_cost
        direct = float(c[2 * e] * (f1 - f0) if f1 >= f0 else c[2 * e + 1] * (f0 - f1))
    elif origin.node >= 0 and origin.node == goal.node:
        return SearchResult([], 0.0, origin.arrive_arc)
    if ix.place_component(origin) != ix.place_component(goal):
        return None
    pen: set[int] = set()
    if penalised:
        pen = set(ix.edge_rank[np.fromiter(penalised, dtype=np.int64)].tolist())
    with ix.lock:
        found = _search(ix, _inner_place(ix, origin), _inner_place(ix, goal), pen, reuse_factor,
                        direct)
    if found is None:  # pragma: no cover - the plain route always exists here
        return None
    cost, inner, inner_final, calls = found
    arcs = ix.arc_net[np.asarray(inner, dtype=np.int64)].tolist()
    final = int(ix.arc_net[inner_final]) if inner_final >= 0 else -1
    last = final if final >= 0 else (arcs[-1] if arcs else -1)
    return SearchResult(leg_pieces(origin, goal, arcs, final), cost, last, calls)


def _inner_place(ix: SearchIndex, place: Place) -> Place:
    """``place`` in the searches' numbering of nodes, edges and arcs."""
    if place.node >= 0:
        arrive = int(ix.arc_rank[place.arrive_arc]) if place.arrive_arc >= 0 else -1
        return Place(node=int(ix.node_rank[place.node]), arrive_arc=arrive)
    return Place(edge=int(ix.edge_rank[place.edge]), fraction=place.fraction)


def _search(ix: SearchIndex, origin: Place, goal: Place, pen: set[int], factor: float,
            direct: float) -> tuple[float, list[int], int, int] | None:
    """The search on internal numbers: (cost, arcs, final arc, Dijkstra calls)."""
    c = ix.cost
    # the origin: nodes the corridor must reach, and the node and offset of its lower bounds
    if origin.node >= 0:
        o_nodes = [origin.node]
        o_ref, o_shift = origin.node, 0.0
    else:
        e, f = origin.edge, origin.fraction
        a, b = int(ix.edge_from[e]), int(ix.edge_to[e])
        o_nodes = [a, b]
        o_ref, o_shift = (a, float(c[2 * e]) * f) if f <= 0.5 else (b, float(c[2 * e + 1]) * (1 - f))
    # the goal: its nodes with the cost from each to the goal (no turn, no penalty)
    if goal.node >= 0:
        g_nodes = [(goal.node, 0.0)]
        g_ref, g_shift = goal.node, 0.0
    else:
        e, f = goal.edge, goal.fraction
        a, b = int(ix.edge_from[e]), int(ix.edge_to[e])
        g_nodes = [(a, float(c[2 * e]) * f), (b, float(c[2 * e + 1]) * (1 - f))]
        g_ref, g_shift = (a, float(c[2 * e + 1]) * f) if f <= 0.5 else (b, float(c[2 * e]) * (1 - f))
    edges = np.fromiter(pen, dtype=np.int64, count=len(pen))
    ix.penalised[edges] = True
    corridor: Corridor | None = None
    try:
        corridor = Corridor(ix, o_ref, o_shift, g_ref, g_shift, g_nodes, factor if pen else 1.0)
        calls = corridor.run(CORRIDOR_SHARE * corridor.lower + CORRIDOR_PAD_M, o_nodes)
        bound = min(plain_route_cost(ix, origin, goal, corridor, pen, factor), direct)
        if bound > corridor.limit + corridor.psi_source:
            # a node of the best leg may lie outside the corridor: widen it to include them all
            calls += corridor.run((bound - corridor.psi_source) * (1 + 1e-9) + 1e-6, o_nodes)
        found = _route(ix, origin, goal, corridor.nodes(bound, o_nodes), corridor, pen, factor,
                       bound, direct)
    finally:
        ix.penalised[edges] = False
        if corridor is not None:
            corridor.close()
    if found is None:  # pragma: no cover - the plain route always exists here
        return None
    cost, arcs, final = found
    return cost, arcs, final, calls + 1



def _route(ix: SearchIndex, origin: Place, goal: Place, inside: IntArray, corridor: Corridor,
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
    local = ix.local
    local[inside] = np.arange(inside.shape[0])
    try:
        count = ix.degree[inside]
        node_ptr = np.zeros(inside.shape[0] + 1, dtype=np.int64)
        np.cumsum(count, out=node_ptr[1:])
        k = int(node_ptr[-1])
        where = np.repeat(ix.adj_ptr[inside] - node_ptr[:-1], count) + np.arange(k)
        arcs = ix.adj_arc[where]
        head = ix.adj_head[where]
        head_local = local[head]

        def index(of: IntArray) -> IntArray:
            """Index among ``arcs`` of some arcs (``-1`` for those leaving a node outside)."""
            tail = ix.arc_tail[of]
            at = local[tail]
            return np.where(at >= 0, node_ptr[at] + ix.adj_index[of] - ix.adj_ptr[tail], -1)

        h_source, starts, weights = _route_source(ix, origin, corridor, pen, factor, index, k)
        if goal.node >= 0:
            g = goal.node
            ends = index(ix.adj_arc[ix.adj_ptr[g]:ix.adj_ptr[g + 1]] ^ 1)
            ends = np.where(ends >= 0, k + ends, -1)
            offset = np.full(ends.shape[0], -float(corridor.h(g)))
        else:
            e, f = goal.edge, goal.fraction
            ends = index(np.array([2 * e, 2 * e + 1]))
            offset = np.array([float(ix.cost[2 * e]) * f, float(ix.cost[2 * e + 1]) * (1 - f)])
            offset -= corridor.h(np.array([int(ix.edge_from[e]), int(ix.edge_to[e])]))
    finally:
        local[inside] = -1
    inward = head_local >= 0
    out = np.where(inward, ix.degree[head], 0)
    turn_ptr = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(out, out=turn_ptr[1:])
    t = int(turn_ptr[-1])
    shift = np.repeat(np.stack((np.where(inward, node_ptr[head_local], 0),
                                ix.turn_ptr[where])) - turn_ptr[:-1], out, axis=1)
    step = np.arange(t)
    shift += step
    reduced = arc_costs(ix, arcs, ix.adj_cost[where], factor)
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
    np.take(ix.turn_table, shift[1], out=data[k:k + t], mode="wrap")
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


def _route_source(ix: SearchIndex, origin: Place, corridor: Corridor, pen: set[int],
                  factor: float, index: Callable[[IntArray], IntArray], k: int
                  ) -> tuple[float, IntArray, FloatArray]:
    """The route graph's source: its potential, the vertices it leads to and their weights.

    From a node, it enters every arc leaving it (at no cost, or at the turn from ``arrive_arc``,
    times the penalty for a used edge); from inside an edge, it leaves the edge's two arcs at the
    cost of the part run (reduced by ``h``). Arcs from nodes left out of the graph are dropped.
    """
    if origin.node >= 0:
        o = origin.node
        leaving = ix.adj_arc[ix.adj_ptr[o]:ix.adj_ptr[o + 1]]
        if origin.arrive_arc >= 0:
            arrive = np.full(leaving.shape[0], origin.arrive_arc)
            weights = arc_costs(ix, leaving, ix.turn_costs(arrive, leaving), factor)
        else:
            weights = np.zeros(leaving.shape[0])
        starts = index(leaving)
        keep = starts >= 0
        return float(corridor.h(o)), starts[keep], weights[keep]
    e, f = origin.edge, origin.fraction
    g_fwd, g_bwd = float(ix.cost[2 * e]) * (1.0 - f), float(ix.cost[2 * e + 1]) * f
    if e in pen:
        g_fwd, g_bwd = g_fwd * factor, g_bwd * factor
    h_to, h_from = corridor.h(np.array([int(ix.edge_to[e]), int(ix.edge_from[e])])).tolist()
    s_fwd, s_bwd = g_fwd + h_to, g_bwd + h_from
    h_source = min(s_fwd, s_bwd)
    starts = index(np.array([2 * e, 2 * e + 1]))
    keep = starts >= 0
    return h_source, k + starts[keep], np.array([s_fwd - h_source, s_bwd - h_source])[keep]
