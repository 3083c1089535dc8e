"""Step 1 of a route search: the corridor ``h``, and the landmarks (ALT) that steer it.

``h`` is the cost from the nodes near the best route to the goal, without turn costs: a Dijkstra
from the goal on the reversed *node* graph, steered towards the start by a consistent lower
bound ψ of the cost from the start (ALT: Goldberg & Harrelson 2005, from the costs to and from
:data:`LANDMARKS` landmarks, the :data:`ACTIVE_LANDMARKS` best for the pair), i.e. on reduced
costs ``c + ψ(tail) − ψ(head)``, and stopped at a limit on them (first :data:`CORRIDOR_SHARE`
of the pair's lower bound plus :data:`CORRIDOR_PAD_M`, raised until the start is reached and
then until the corridor holds every node of every leg no dearer than the cheapest route it
found, turn costs included: :func:`plain_route_cost`). It runs only on the nodes a lower bound φ
of the cost to the goal lets it reach (``ψ + φ`` within the limit). Step 2, the exact route on
the corridor's arc graph, is in :mod:`hipstride.map._search`, whose :class:`SearchIndex` holds
the tables used here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from hipstride.activity import FloatArray
from hipstride.map.network import IntArray, min_csr

if TYPE_CHECKING:
    from hipstride.map._search import Place, SearchIndex

__all__ = ["ACTIVE_LANDMARKS", "CORRIDOR_GROWTH", "CORRIDOR_PAD_M", "CORRIDOR_SHARE", "LANDMARKS",
           "Corridor", "arc_costs", "build_landmarks", "plain_route_cost"]

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


def build_landmarks(ix: SearchIndex, x: FloatArray, y: FloatArray) -> tuple[IntArray, FloatArray]:
    """Landmarks of the main component and their bound rows.

    ``x``, ``y`` are the nodes' positions in the index's numbering. Row ``k`` holds the cost from landmark ``k`` to every node, row ``K + k`` minus the cost
    from every node to it (0 outside the main component), so that for any row ``j``
    ``bounds[j, x] − bounds[j, o]`` is a lower bound of the cost from ``o`` to ``x``
    (triangle inequality; arc costs only, turn costs and penalties only add to it).
    Landmarks are farthest-point picks: first the node farthest from the middle of the
    component, then each time the node farthest from all landmarks so far.
    """
    net = ix.net
    n = net.n_nodes
    main = net.node_component[ix.node_net] == net.main_component
    count = min(LANDMARKS, int(main.sum()))
    if count == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, n))
    head, tail, cost = ix.arc_head, ix.arc_tail, ix.cost
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
    return ix.node_net[np.asarray(chosen, dtype=np.int64)], bounds


class Corridor:
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
        Penalty on the edges marked in the index's ``penalised``.
    """

    def __init__(self, ix: SearchIndex, o_ref: int, o_shift: float, g_ref: int, g_shift: float,
                 g_nodes: list[tuple[int, float]], factor: float) -> None:
        self.ix, self.factor, self.g_nodes = ix, factor, g_nodes
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
        ix = self.ix
        bounds = ix.bounds
        psi, phi, tmp = ix.buf_nodes
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
        ix = self.ix
        local = ix.corridor_local
        local[self.rows] = -1
        rows = np.flatnonzero(self.reach <= (limit + self.psi_source) * (1 + 1e-9) + 1e-6)
        size = rows.shape[0]
        local[rows] = np.arange(size)
        self.rows, self.limit = rows, limit
        # row v: the arcs arriving at v (reverses of those leaving it), from inside or the sink
        count = ix.degree[rows]
        ptr = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(count, out=ptr[1:])
        at = np.repeat(ix.adj_ptr[rows] - ptr[:-1], count) + np.arange(int(ptr[-1]))
        col = ix.adj_head[at]
        reduced = ix.corridor_cost[at]
        if self.factor != 1.0:
            hit = ix.penalised[ix.adj_arc[at] >> 1]
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
        at = self.ix.corridor_local[nodes]
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
        y = int(pred[self.ix.corridor_local[node]])
        while 0 <= y < size:
            steps.append(y)
            y = int(pred[y])
        return [node, *self.rows[steps].tolist()]

    def nodes(self, bound: float, extra: list[int]) -> IntArray:
        """The nodes of every leg no dearer than ``bound`` (ψ + h ≤ bound), and ``extra``."""
        size = self.rows.shape[0]
        keep = self.reached[:size] <= bound * (1 + 1e-9) + 1e-6 - self.psi_source
        keep[self.ix.corridor_local[extra]] = True
        return self.rows[keep]

    def close(self) -> None:
        """Leave the index's node map as found."""
        self.ix.corridor_local[self.rows] = -1


def arc_costs(ix: SearchIndex, arcs: IntArray, costs: FloatArray, factor: float) -> FloatArray:
    """``costs`` of ``arcs`` with the penalty applied to used edges (in place: pass a copy)."""
    hit = ix.penalised[arcs >> 1]
    if hit.any():
        costs[hit] *= factor
    return costs


def plain_route_cost(ix: SearchIndex, origin: Place, goal: Place, corridor: Corridor,
                      pen: set[int], factor: float) -> float:
    """Cost, turns and penalties included, of the cheapest route without turns the corridor found.

    An upper bound of the best leg's cost (metres-equivalent), which bounds the route search.
    """
    net = ix.net
    n = net.n_nodes
    arcs: list[int] = []
    first = 0.0
    if origin.node >= 0:
        x = origin.node
    else:
        e, f = origin.edge, origin.fraction
        g_fwd, g_bwd = float(ix.cost[2 * e]) * (1.0 - f), float(ix.cost[2 * e + 1]) * f
        if e in pen:
            g_fwd, g_bwd = g_fwd * factor, g_bwd * factor
        to_node, from_node = int(ix.edge_to[e]), int(ix.edge_from[e])
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
        arcs.extend(ix.pair_arc[np.searchsorted(ix.pair_key, keys)].tolist())
    chain = np.asarray(arcs, dtype=np.int64)
    costs = arc_costs(ix, chain, ix.cost[chain], factor)
    total = first + float(costs[1:].sum()) if origin.node < 0 else float(costs.sum())
    if chain.shape[0] > 1:
        total += float(ix.turn_costs(chain[:-1], chain[1:]).sum())
    last = int(chain[-1]) if chain.shape[0] else -1
    if origin.node >= 0 and origin.arrive_arc >= 0:
        if chain.shape[0]:
            turn = ix.turn_one(origin.arrive_arc, int(chain[0]))
            total += turn * factor if int(chain[0]) >> 1 in pen else turn
        else:
            last = origin.arrive_arc
    if goal.node < 0:
        e, f = goal.edge, goal.fraction
        if nodes[-1] == int(ix.edge_from[e]):
            final, extra = 2 * e, float(ix.cost[2 * e]) * f
        else:
            final, extra = 2 * e + 1, float(ix.cost[2 * e + 1]) * (1 - f)
        total += extra + (ix.turn_one(last, final) if last >= 0 else 0.0)
    return total
