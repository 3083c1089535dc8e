"""The route search's compiled core: an exact A* over arcs, steered by landmark bounds.

States are arcs (Hart, Nilsson & Raphael 1968, on the *edge-based* graph), so a turn is costed
exactly at the junction where it happens: the cost to have run arc ``a`` to its head is the
cost of the arcs before it, of the turns between them and of ``a`` itself. The heuristic at an
arc is ALT's lower bound (Goldberg & Harrelson 2005) of the cost from the arc's head to the goal,
the best of a few landmark rows for the pair. It counts no turns and no penalties, which only add
to a leg's cost, so it is consistent and the first leg whose cost no open state's key undercuts
is the cheapest one: the search is exact, the cost of a plain Dijkstra over arcs.

It is compiled with numba (``cache=True``: once per machine, then read back from numba's cache),
because a search settles a few thousand arcs per query and a heap of them in Python or a
per-query graph for SciPy costs milliseconds in overhead alone, where the compiled loop needs a
tenth of one. The arrays come from a :class:`~hipstride.map._search.SearchIndex`; the work
buffers are the index's own and are never cleared: a *stamp* per arc and per node says which
query wrote the value beside it, so a query touches only what it settles.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from hipstride.activity import FloatArray
from hipstride.map.network import IntArray

__all__ = ["astar"]


@njit(cache=True, nogil=True)
def _push(keys: FloatArray, items: IntArray, size: int, key: float, item: int) -> int:
    """Add ``item`` at ``key`` to the binary heap of ``size`` entries; the new size."""
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        items[i] = items[parent]
        i = parent
    keys[i] = key
    items[i] = item
    return size + 1


@njit(cache=True, nogil=True)
def _pop(keys: FloatArray, items: IntArray, size: int) -> int:
    """Remove the heap's first entry (read it before); the new size."""
    size -= 1
    key, item = keys[size], items[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= key:
            break
        keys[i] = keys[child]
        items[i] = items[child]
        i = child
    if size > 0:
        keys[i] = key
        items[i] = item
    return size


@njit(cache=True, nogil=True)
def _bound(v: int, node_bounds: FloatArray, rows: IntArray, goal_bounds: FloatArray) -> float:
    """Lower bound of the cost from node ``v`` to the goal: the best landmark row, at least 0.

    ``goal_bounds[i]`` is row ``rows[i]`` at the goal's reference node less the way from the
    goal to that node, so that ``goal_bounds[i] − node_bounds[v, rows[i]]`` bounds the cost."""
    best = 0.0
    for i in range(rows.shape[0]):
        value = goal_bounds[i] - node_bounds[v, rows[i]]
        if value > best:
            best = value
    return best


@njit(cache=True, nogil=True)
def astar(adj_ptr: IntArray, adj_arc: IntArray, adj_index: IntArray, arc_head: IntArray,
          cost: FloatArray, turn_ptr: IntArray, turn_table: FloatArray, penalised: np.ndarray,
          factor: float, node_bounds: FloatArray, rows: IntArray, goal_bounds: FloatArray,
          starts: IntArray, start_cost: FloatArray, g_node: int, g_tails: IntArray,
          g_arcs: IntArray, g_extra: FloatArray, best: float, best_final: int,
          query: int, stamp: IntArray, closed: IntArray, dist: FloatArray, pred: IntArray,
          node_stamp: IntArray, node_h: FloatArray, heap_keys: FloatArray, heap_items: IntArray,
          out: IntArray) -> tuple[float, int, int, int]:
    """The cheapest leg: ``(cost, number of its full arcs written to out, final arc, arcs
    settled)``.

    Arcs are the index's (arc ``2·e + d`` along its edge ``e``). The leg starts on ``starts``
    at ``start_cost`` each (the part of the origin's edge run, or the first arc with its turn
    and penalty). It ends at node ``g_node``, or (``g_node`` −1) on one of ``g_arcs``, the
    goal's edge leaving ``g_tails``, after its ``g_extra`` (the turn onto it counted, no
    penalty). ``best`` is the cost of a leg of no full arc known beforehand (``inf`` if none):
    inside one edge (``best_final`` −1) or along the goal's edge from the start node
    (``best_final`` that arc). ``out[:count]`` are the full arcs in order; ``count`` is −1 when
    the leg known beforehand stays the cheapest, and the cost ``inf`` when nothing joins the ends.
    """
    found = False
    size = 0
    for i in range(starts.shape[0]):
        a = starts[i]
        d = start_cost[i]
        if stamp[a] == query and dist[a] <= d:
            continue
        stamp[a] = query
        dist[a] = d
        pred[a] = -1
        v = arc_head[a]
        if node_stamp[v] != query:
            node_stamp[v] = query
            node_h[v] = _bound(v, node_bounds, rows, goal_bounds)
        size = _push(heap_keys, heap_items, size, d + node_h[v], a)
    best_arc = -1
    settled = 0
    while size > 0:
        key, a = heap_keys[0], heap_items[0]
        size = _pop(heap_keys, heap_items, size)
        if key >= best:
            break
        if closed[a] == query:
            continue
        closed[a] = query
        settled += 1
        d = dist[a]
        u = arc_head[a]
        row = turn_ptr[adj_index[a]]
        first = adj_ptr[u]
        if g_node >= 0:
            if u == g_node and d < best:
                best, best_arc, best_final, found = d, a, -1, True
        else:
            for i in range(g_arcs.shape[0]):
                if g_tails[i] == u:
                    fa = g_arcs[i]
                    value = d + turn_table[row + adj_index[fa] - first] + g_extra[i]
                    if value < best:
                        best, best_arc, best_final, found = value, a, fa, True
        for k in range(adj_ptr[u + 1] - first):
            b = adj_arc[first + k]
            if closed[b] == query:
                continue
            c = cost[b]
            if penalised[b >> 1]:
                c *= factor
            nd = d + c + turn_table[row + k]
            if stamp[b] != query or nd < dist[b]:
                stamp[b] = query
                dist[b] = nd
                pred[b] = a
                v = arc_head[b]
                if node_stamp[v] != query:
                    node_stamp[v] = query
                    node_h[v] = _bound(v, node_bounds, rows, goal_bounds)
                size = _push(heap_keys, heap_items, size, nd + node_h[v], b)
    if not found:
        return best, -1, best_final, settled
    count = 0
    a = best_arc
    while a >= 0:
        out[count] = a
        count += 1
        a = pred[a]
    out[:count] = out[:count][::-1].copy()
    return best, count, best_final, settled
