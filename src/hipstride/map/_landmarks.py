"""The landmarks (ALT) whose bounds steer the route search, and how they are picked.

ALT (Goldberg & Harrelson 2005): with the cost from a landmark ``L`` to every node and from every
node to it, the triangle inequality gives, for any nodes ``o`` and ``x``, the lower bounds
``d(L, x) − d(L, o)`` and ``d(o, L) − d(x, L)`` of the cost from ``o`` to ``x``. The search
(:mod:`hipstride.map._astar`) takes, per query, the :data:`ACTIVE_LANDMARKS` rows that bound the
pair best and, at each node, the largest of them: a consistent heuristic that counts no turns and
no penalties, which only add to a leg's cost. Building the rows is :data:`LANDMARKS` + 1
single-source Dijkstras and one with :data:`LANDMARKS` sources over the node graph (SciPy), most
of building a :class:`~hipstride.map._search.SearchIndex`; a map stores them at import
(:mod:`hipstride.map._tables`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse.csgraph import dijkstra

from hipstride.activity import FloatArray
from hipstride.map.network import IntArray, min_csr

if TYPE_CHECKING:
    from hipstride.map._search import SearchIndex

__all__ = ["ACTIVE_LANDMARKS", "LANDMARKS", "active_rows", "build_landmarks"]

#: Landmarks of the ALT lower bounds, per network and cost kind (farthest-point picks).
LANDMARKS = 16
#: Landmark bounds (from or to one landmark) combined per query: the best for the pair.
ACTIVE_LANDMARKS = 6


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


def active_rows(node_bounds: FloatArray, o_ref: int, o_shift: float, g_ref: int) -> IntArray:
    """The :data:`ACTIVE_LANDMARKS` rows that bound the cost from the origin to the goal best
    (``node_bounds[v]``: the rows at node ``v``; ``o_ref`` a node the origin lies ``o_shift``
    from, ``g_ref`` one near the goal)."""
    gain = node_bounds[g_ref] - (node_bounds[o_ref] + o_shift)
    if gain.shape[0] <= ACTIVE_LANDMARKS:
        return np.arange(gain.shape[0], dtype=np.int64)
    return np.asarray(np.argpartition(gain, -ACTIVE_LANDMARKS)[-ACTIVE_LANDMARKS:], dtype=np.int64)
