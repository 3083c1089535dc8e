"""The route search's compiled core (``_astar.c``): an exact A* over arcs in adjacency order.

:mod:`hipstride.map._search` prepares every argument from a
:class:`~hipstride.map._search.SearchIndex` and documents the method.
"""

import numpy as np
from numpy.typing import NDArray

def astar(adj_ptr: NDArray[np.int64], adj_head: NDArray[np.int64], adj_cost: NDArray[np.float64],
          adj_edge: NDArray[np.int64], turn_ptr: NDArray[np.int64],
          turn_table: NDArray[np.float64], penalised: NDArray[np.bool_], factor: float,
          node_bounds: NDArray[np.float32], n_cols: int, rows: NDArray[np.int64],
          goal_bounds: NDArray[np.float64], starts: NDArray[np.int64],
          start_cost: NDArray[np.float64], g_node: int, g_tails: NDArray[np.int64],
          g_arcs: NDArray[np.int64], g_extra: NDArray[np.float64], best: float, best_final: int,
          query: int, arc_work: NDArray[np.int64], node_work: NDArray[np.int64],
          heap_keys: NDArray[np.float64],
          heap_items: NDArray[np.int64], out: NDArray[np.int64]) -> tuple[float, int, int, int, int]:
    """The cheapest leg: ``(cost, number of its full arcs written to out, final arc, arcs
    settled, times the heap was compacted)``.

    Arcs are positions in the index's adjacency order: ``adj_head``, ``adj_cost`` and
    ``adj_edge`` give each one's head, cost and edge, ``turn_table[turn_ptr[j] + k]`` the turn
    from arc ``j`` into the ``k``-th arc leaving its head. The leg starts on ``starts`` at
    ``start_cost`` each and ends at node ``g_node`` or (``g_node`` −1) on one of ``g_arcs``, the
    goal's edge leaving ``g_tails``, after its ``g_extra``. ``best``/``best_final`` are a leg of
    no full arc known beforehand (``inf`` if none); ``count`` is −1 when it stays the cheapest,
    and the cost ``inf`` when nothing joins the ends. Arcs on ``penalised`` edges cost
    ``factor`` times theirs. ``node_bounds`` is ``(nodes, n_cols)``; ``goal_bounds[i]`` is
    column ``rows[i]`` at the goal, less the way from the goal to its reference node.
    ``arc_work`` is ``(arcs, 4)`` (per arc: the query that reached it, the one that closed it,
    its cost so far as float64 bits, its predecessor) and ``node_work`` ``(nodes, 2)`` (the
    query that bounded the node, the bound's bits), so that what a query touches of one arc or
    node lies in one cache line. Raises ``ValueError`` when a buffer does not match the tables'
    sizes, and ``MemoryError`` when the heap fills with entries the search still needs.
    """
