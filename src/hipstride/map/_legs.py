"""A route search's ends and results: where a leg starts or ends (:class:`Place`), what a search
found (:class:`SearchResult`), and how a found chain of arcs becomes pieces of edges."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Place", "SearchResult", "leg_pieces"]


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
    inside one edge); ``expanded`` the number of arcs the search settled.
    """

    pieces: list[tuple[int, float, float]]
    cost: float
    last_arc: int
    expanded: int = field(default=0, compare=False)


def leg_pieces(origin: Place, goal: Place, arcs: list[int], final: int
               ) -> list[tuple[int, float, float]]:
    """The pieces ``(edge, fraction from, fraction to)`` of a leg that runs from ``origin`` along
    ``arcs`` (arc ``2·edge + backwards``) and ends on ``final`` (``-1``: the last arc ends at the goal)."""
    if not arcs and final < 0:  # start and goal on the same edge, direct
        return [(origin.edge, origin.fraction, goal.fraction)]
    pieces = [(arc >> 1, 1.0, 0.0) if arc & 1 else (arc >> 1, 0.0, 1.0) for arc in arcs]
    if pieces and origin.node < 0:                  # the first arc starts inside its edge
        e, _, f_to = pieces[0]
        pieces[0] = (e, origin.fraction, f_to)
    if final >= 0:
        e, back = final >> 1, final & 1
        pieces.append((e, 1.0 if back else 0.0, goal.fraction))
    return pieces
