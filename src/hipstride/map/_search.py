"""Exact route search on a :class:`SearchIndex`: the tables, and the search over them.

The search is exact and edge-based: its states are arcs, so turn costs at junctions are exact, and
it returns the cost of a plain Dijkstra over arcs (:class:`~hipstride.map.costs.CostModel`'s arc
and turn costs). It is an A* (Hart, Nilsson & Raphael 1968) over arcs, steered by ALT landmark
bounds (:mod:`hipstride.map._landmarks`): the heuristic at an arc is a lower bound of the cost
from its head to the goal that counts no turns and no penalties, which only add to a leg's cost,
so it is consistent and the first leg no open state's key undercuts is the cheapest one.

The loop itself is in C (``_astar.c``, built with the package): a search settles a few thousand
arcs, and a heap of them in Python, or a graph cut out per query for SciPy's Dijkstra (what
this module did before), costs milliseconds in overhead alone, where the compiled loop needs a
few tenths of one, and a fresh process loads it in no time (a JIT such as numba took 0.6 s to
start). It numbers arcs in adjacency order, so that the arcs a settled arc relaxes lie side by
side in memory. This module prepares a query on NumPy arrays (the ends, the penalised edges, the
landmark rows for the pair) and turns the arcs found into pieces of edges.

The tables number nodes along a Z-order curve, so that a query's nodes lie close in memory, and
hold the turn cost of every pair of arcs meeting at a node. What does not depend on costs (the
numbering, the adjacency, the work buffers: :class:`SearchGraph`, 17 MB for a city of 40,000
edges) is shared by a network's cost kinds; each kind adds its costs, turn table and landmark
bounds (about 0.2 s and 16 MB), the bounds stored with a map at import
(:mod:`hipstride.map._tables`). :func:`search_index` keeps one index per network, profile and
kind on the network object.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.map._astar import astar
from hipstride.map._landmarks import active_rows, build_landmarks
from hipstride.map._legs import Place, SearchResult, leg_pieces
from hipstride.map._tables import stored_landmarks
from hipstride.map.costs import CostModel, cost_model
from hipstride.map.network import FootNetwork, IntArray, adjacency
from hipstride.model.profile import Profile

__all__ = ["Place", "SearchGraph", "SearchIndex", "SearchResult", "search", "search_graph",
           "search_index"]


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


def _rounded_up_f32(values: FloatArray) -> NDArray[np.float32]:
    """``values`` as float32, each rounded towards +∞ (never below the float64 value)."""
    out = values.astype(np.float32)
    low = out.astype(np.float64) < values
    out[low] = np.nextafter(out[low], np.float32(np.inf))
    return out


class SearchGraph:
    """A network's numbering, adjacency and turn pointers for the search, and its work buffers.

    Nodes are numbered along a Z-order curve of their positions and edges by their ``from``
    node (``node_net``/``edge_net`` give the network's numbers), so that what is near on the map
    is near in memory. Arc ``2·e + d`` runs along internal edge ``e`` in the direction ``d`` of
    the network's arc. Arrays in *adjacency order* follow ``adj_arc``: position ``j`` is the arc
    ``adj_arc[j]``, which leaves the node ``u`` whose range ``adj_ptr[u]:adj_ptr[u + 1]`` holds
    ``j`` (``adj_index`` is the position of each arc); the turns from arc ``adj_arc[j]`` into the
    arcs leaving its head are at ``turn_ptr[j]:turn_ptr[j + 1]`` of a cost kind's turn table.

    None of it depends on costs, so every :class:`SearchIndex` of a network shares one
    (:func:`search_graph`): one copy in memory, and the second search of an A→B plan finds the
    arrays of its region still in the cache from the first. Searches write the work buffers
    under :attr:`lock`, one at a time; :attr:`queries` numbers them (the buffers' stamps).
    """

    def __init__(self, net: FootNetwork) -> None:
        self.lock = threading.Lock()
        self.queries = 0
        #: How often a search compacted the heap (see ``heap_compact`` in _astar.c).
        self.compactions = 0
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
        self.adj_ptr, self.adj_arc = adjacency(self.edge_from, self.edge_to, n)
        arcs = np.arange(m, dtype=np.int64)
        self.arc_tail = np.where(arcs & 1, self.edge_to[arcs >> 1], self.edge_from[arcs >> 1])
        self.arc_head = np.where(arcs & 1, self.edge_from[arcs >> 1], self.edge_to[arcs >> 1])
        self.adj_index = np.empty(m, dtype=np.int64)
        self.adj_index[self.adj_arc] = arcs
        # each arc's head and edge in adjacency order, as the search reads them
        self.adj_head = self.arc_head[self.adj_arc]
        self.adj_edge = self.adj_arc >> 1
        count = np.diff(self.adj_ptr)[self.adj_head]
        self.turn_ptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(count, out=self.turn_ptr[1:])
        # the work buffers: a stamp says which query wrote the value beside it, so that none
        # needs clearing. Per arc, side by side (``ArcWork`` in _astar.c): the query that
        # reached it, the one that closed it, its cost so far (float64 bits), its predecessor;
        # per node (``NodeWork``): the query that bounded it and its bound
        self.arc_work = np.zeros((m, 4), dtype=np.int64)
        self.arc_work[:, :2] = -1
        self.node_work = np.zeros((n, 2), dtype=np.int64)
        self.node_work[:, 0] = -1
        # an arc closed once pushes at most the turns from it, so the heap holds every turn;
        # the search compacts it should arcs opened again fill it
        self.heap_keys = np.zeros(int(self.turn_ptr[-1]) + m)
        self.heap_items = np.zeros(int(self.turn_ptr[-1]) + m, dtype=np.int64)
        self.path = np.zeros(m, dtype=np.int64)

    @property
    def table_bytes(self) -> int:
        """Memory of the numbering, adjacency and work buffers (bytes)."""
        return _array_bytes(vars(self).values())

    def turn_pairs(self) -> tuple[IntArray, IntArray]:
        """Every turn in adjacency order: the arcs into and out of it (internal numbers)."""
        count = np.diff(self.turn_ptr)
        into = np.repeat(self.adj_arc, count)
        out_of = self.adj_arc[np.repeat(self.adj_ptr[self.adj_head] - self.turn_ptr[:-1], count)
                              + np.arange(int(self.turn_ptr[-1]))]
        return into, out_of


def _array_bytes(values: Iterable[object]) -> int:
    return int(sum(value.nbytes for value in values if isinstance(value, np.ndarray)))


def search_graph(net: FootNetwork) -> SearchGraph:
    """The :class:`SearchGraph` of a network, kept on the network object."""
    hit = net.derived.get("search_graph")
    if not isinstance(hit, SearchGraph):
        hit = net.derived["search_graph"] = SearchGraph(net)
    return hit


class SearchIndex:
    """The search tables of one :class:`~hipstride.map.costs.CostModel` over its network's
    :class:`SearchGraph` (whose numbering, adjacency and work buffers it shares, as attributes
    of the same names): each arc's cost in adjacency order, the turn table, and the landmark
    bounds. Building one takes ``LANDMARKS + 1`` single-source Dijkstras and one with
    ``LANDMARKS`` sources on the node graph, when the map does not store them: about 0.2 s for
    a city of 40,000 edges (:attr:`table_bytes`: its memory). Searches run under the graph's
    :attr:`lock`, one at a time per network.
    """

    def __init__(self, costs: CostModel) -> None:
        self.costs, self.net = costs, costs.net
        net = self.net
        g = self.graph = search_graph(net)
        self.lock = g.lock
        self.node_net, self.node_rank, self.edge_net, self.edge_rank = \
            g.node_net, g.node_rank, g.edge_net, g.edge_rank
        self.edge_from, self.edge_to, self.arc_net, self.arc_rank = \
            g.edge_from, g.edge_to, g.arc_net, g.arc_rank
        self.adj_ptr, self.adj_arc, self.adj_index, self.adj_head, self.adj_edge = \
            g.adj_ptr, g.adj_arc, g.adj_index, g.adj_head, g.adj_edge
        self.arc_tail, self.arc_head, self.turn_ptr = g.arc_tail, g.arc_head, g.turn_ptr
        self.arc_work, self.node_work, self.heap_keys, self.heap_items, self.path = \
            g.arc_work, g.node_work, g.heap_keys, g.heap_items, g.path
        self.cost = costs.arc_cost[self.arc_net]
        self.bearing_out = costs.arc_bearing_out[self.arc_net]
        self.bearing_in = costs.arc_bearing_in[self.arc_net]
        # each arc's cost in adjacency order, as the search reads it
        self.adj_cost = self.cost[self.adj_arc]
        #: Landmark nodes (network numbers; see :func:`~hipstride.map._landmarks.build_landmarks`).
        stored = stored_landmarks(self)
        x, y = net.node_xy_m
        self.landmarks, bounds = stored if stored is not None else \
            build_landmarks(self, x[self.node_net], y[self.node_net])
        #: The landmark bounds node by node (``node_bounds[v, j]`` is row ``j`` of
        #: :func:`~hipstride.map._landmarks.build_landmarks` at node ``v``): a search reads a
        #: node's few active rows together.
        self.node_bounds = np.ascontiguousarray(bounds.T)
        #: The same, each rounded up to float32: what the compiled search reads (half the
        #: memory, so half the cache lines a node's rows span). A bound is the goal's row less
        #: the node's, so rounding the node's up never lets it exceed the true cost: the
        #: heuristic stays admissible, and a rounding's loss of consistency is mended by opening
        #: an arc again when it is reached more cheaply (``_astar.c``).
        self.search_bounds = _rounded_up_f32(self.node_bounds)
        # the turn costs, in the graph's turn order
        self.turn_table = self.turn_costs(*g.turn_pairs())
        self.penalised = np.zeros(net.n_edges, dtype=bool)

    def turn_costs(self, arc_in: IntArray, arc_out: IntArray) -> FloatArray:
        """Cost of each turn ``arc_in[i] → arc_out[i]`` between internal arcs."""
        return self.costs.turn_costs_between(self.bearing_in[arc_in], self.bearing_out[arc_out])

    @property
    def table_bytes(self) -> int:
        """Memory of this index's own tables (bytes): its costs, turn table and bounds; the
        :class:`SearchGraph` it shares with the network's other kinds counts apart
        (:attr:`SearchGraph.table_bytes`)."""
        shared = {id(value) for value in vars(self.graph).values()}
        return _array_bytes(value for value in vars(self).values() if id(value) not in shared)

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
    if origin.node >= 0 and origin.node == goal.node:
        return SearchResult([], 0.0, origin.arrive_arc)
    if ix.place_component(origin) != ix.place_component(goal):
        return None
    pen = np.zeros(0, dtype=np.int64)
    if penalised:
        pen = ix.edge_rank[np.fromiter(penalised, dtype=np.int64)]
    with ix.lock:
        ix.penalised[pen] = True
        try:
            found = _search(ix, _inner_place(ix, origin), _inner_place(ix, goal),
                            reuse_factor if pen.shape[0] else 1.0)
        finally:
            ix.penalised[pen] = False
    if found is None:  # pragma: no cover - the ends share a component, so a leg joins them
        return None
    cost, inner, inner_final, settled = found
    arcs = ix.arc_net[inner].tolist()
    final = int(ix.arc_net[inner_final]) if inner_final >= 0 else -1
    last = final if final >= 0 else (arcs[-1] if arcs else -1)
    return SearchResult(leg_pieces(origin, goal, arcs, final), cost, last, settled)


def _inner_place(ix: SearchIndex, place: Place) -> Place:
    """``place`` in the searches' numbering of nodes, edges and arcs."""
    if place.node >= 0:
        arrive = int(ix.arc_rank[place.arrive_arc]) if place.arrive_arc >= 0 else -1
        return Place(node=int(ix.node_rank[place.node]), arrive_arc=arrive)
    return Place(edge=int(ix.edge_rank[place.edge]), fraction=place.fraction)


def _search(ix: SearchIndex, origin: Place, goal: Place, factor: float
            ) -> tuple[float, IntArray, int, int] | None:
    """The search on internal numbers: (cost, full arcs, final arc, arcs settled), ``None``
    if not joined. Arcs go to :func:`~hipstride.map._astar.astar` by their adjacency position."""
    c, at = ix.cost, ix.adj_index
    best, best_final = math.inf, -1
    # the goal: a node, or its edge entered from either end, with the part run to the goal
    g_tails, g_arcs, g_extra = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    if goal.node >= 0:
        g_ref, g_shift = goal.node, 0.0
    else:
        e, f = goal.edge, goal.fraction
        a, b = int(ix.edge_from[e]), int(ix.edge_to[e])
        g_tails, g_arcs = np.array([a, b]), at[[2 * e, 2 * e + 1]]
        g_extra = np.array([float(c[2 * e]) * f, float(c[2 * e + 1]) * (1 - f)])
        g_ref, g_shift = (a, float(c[2 * e + 1]) * f) if f <= 0.5 else (b, float(c[2 * e]) * (1 - f))
    # the origin: the arcs a leg starts on, at what each costs up to its head
    if origin.node >= 0:
        o = origin.node
        o_ref, o_shift = o, 0.0
        first, stop = int(ix.adj_ptr[o]), int(ix.adj_ptr[o + 1])
        starts = np.arange(first, stop)
        start_cost = ix.adj_cost[first:stop].copy()
        if origin.arrive_arc >= 0:
            row = int(ix.turn_ptr[at[origin.arrive_arc]])
            start_cost += ix.turn_table[row:row + stop - first]
        for i in np.flatnonzero(g_tails == o).tolist():   # along the goal's edge only
            turn = float(ix.turn_table[row + int(g_arcs[i]) - first]) \
                if origin.arrive_arc >= 0 else 0.0
            if g_extra[i] + turn < best:
                best, best_final = float(g_extra[i]) + turn, int(g_arcs[i])
    else:
        e, f = origin.edge, origin.fraction
        a, b = int(ix.edge_from[e]), int(ix.edge_to[e])
        starts = at[[2 * e, 2 * e + 1]]
        start_cost = np.array([float(c[2 * e]) * (1.0 - f), float(c[2 * e + 1]) * f])
        o_ref, o_shift = (a, float(c[2 * e]) * f) if f <= 0.5 else (b, float(c[2 * e + 1]) * (1 - f))
        if goal.node < 0 and goal.edge == e:                # inside the one edge
            f1 = goal.fraction
            best = float(c[2 * e] * (f1 - f) if f1 >= f else c[2 * e + 1] * (f - f1))
    if factor != 1.0:
        start_cost[ix.penalised[ix.adj_edge[starts]]] *= factor
    rows = active_rows(ix.node_bounds, o_ref, o_shift, g_ref)
    goal_bounds = ix.node_bounds[g_ref, rows] - g_shift
    ix.graph.queries += 1
    cost, count, final, settled, compacted = astar(
        ix.adj_ptr, ix.adj_head, ix.adj_cost, ix.adj_edge, ix.turn_ptr, ix.turn_table,
        ix.penalised, factor, ix.search_bounds, ix.search_bounds.shape[1], rows, goal_bounds,
        starts, start_cost,
        goal.node, g_tails, g_arcs, g_extra, best, best_final, ix.graph.queries, ix.arc_work,
        ix.node_work, ix.heap_keys, ix.heap_items, ix.path)
    ix.graph.compactions += compacted
    if cost == math.inf:  # pragma: no cover - the ends share a component
        return None
    arcs = ix.adj_arc[ix.path[:max(count, 0)]]
    return float(cost), arcs, int(ix.adj_arc[final]) if final >= 0 else -1, int(settled)
