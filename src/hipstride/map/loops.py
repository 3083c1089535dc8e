"""Loops of a requested length from a start point: waypoint placement with length feedback.

Finding a loop of given length that minimises a cost is NP-hard in general (Gemsa et al. 2013), so
hipstride iterates, like the published loop planners but with feedback on the real length:

1. put 2 or 3 waypoints on a circle through the start (a triangle or a square) at a seeded random
   bearing, sized so that the polygon's perimeter, times the detour factor of the ways measured
   so far, is the requested length;
2. snap them to junctions of the start's network component and route start → w1 → … → start on
   the planner's cost, multiplying the cost of edges already used by this loop by
   :data:`REUSE_FACTOR` (GraphHopper uses 5) so that it does not come back the same way;
3. rescale the circle by requested / actual length and repeat, up to :data:`MAX_ITERATIONS`.

A candidate is kept when its length is within the tolerance, at most :data:`MAX_REPEAT_SHARE` of
it is run twice, and it shares less than :data:`MAX_SHARED_SHARE` of its length with every loop
kept before it. Everything random comes from one ``numpy`` generator seeded by ``seed``.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from hipstride.map._search import Place, SearchIndex, search
from hipstride.map.evaluate import Piece
from hipstride.map.network import FootNetwork

__all__ = ["LENGTH_TOLERANCE", "MAX_REPEAT_SHARE", "MAX_SHARED_SHARE", "REUSE_FACTOR",
           "LoopCandidate", "acceptable", "find_loops", "fit_loop", "loop_overlap_m"]

#: Cost multiplier for edges a loop has already used.
REUSE_FACTOR = 5.0
#: Accepted relative length error of a loop.
LENGTH_TOLERANCE = 0.05
#: The iteration stops early once the length is this close.
TARGET_TOLERANCE = 0.02
#: At most this share of a loop may be run twice.
MAX_REPEAT_SHARE = 0.10
#: Two loops are distinct when they share less than this share of the shorter one.
MAX_SHARED_SHARE = 0.50
#: Distinct loops searched beyond the number asked for, to choose the best from.
EXTRA_CANDIDATES = 2
#: Length-feedback iterations per candidate.
MAX_ITERATIONS = 6
#: A waypoint may move this share of the circle's radius towards cheaper ways.
WAYPOINT_FREEDOM = 0.2
#: Ratio of route length to the waypoint polygon's perimeter assumed before any is measured.
INITIAL_DETOUR = 1.3


@dataclass(frozen=True)
class LoopCandidate:
    """One loop: its pieces, length, planner cost and coverage of each edge (metres)."""

    pieces: list[Piece]
    length_m: float
    cost: float
    coverage_m: dict[int, float]
    repeated_m: float
    bearing_deg: float
    waypoints: int
    clockwise: bool

    @property
    def repeated_share(self) -> float:
        return self.repeated_m / self.length_m if self.length_m > 0 else 0.0


def _coverage(net: FootNetwork, pieces: list[Piece]) -> tuple[dict[int, float], float, float]:
    """Metres of each edge covered (union), total length, and metres covered more than once."""
    spans: dict[int, list[tuple[float, float]]] = defaultdict(list)
    total = 0.0
    for e, f0, f1 in pieces:
        spans[e].append((min(f0, f1), max(f0, f1)))
    cover: dict[int, float] = {}
    repeated = 0.0
    for e, items in spans.items():
        length = float(net.edge_length_m[e])
        run = sum(b - a for a, b in items) * length
        total += run
        if len(items) == 1:
            cover[e] = run
            continue
        items.sort()
        union, (lo, hi) = 0.0, items[0]
        for a, b in items[1:]:
            if a > hi:
                union += hi - lo
                lo, hi = a, b
            else:
                hi = max(hi, b)
        union += hi - lo
        cover[e] = union * length
        repeated += run - cover[e]
    return cover, total, repeated


def loop_overlap_m(a: LoopCandidate, b: LoopCandidate) -> float:
    """Metres of way two loops have in common."""
    small, large = (a.coverage_m, b.coverage_m) if len(a.coverage_m) < len(b.coverage_m) else \
        (b.coverage_m, a.coverage_m)
    return sum(min(v, large[e]) for e, v in small.items() if e in large)


class _Junctions:
    """Junctions (degree ≥ 3) of one network component, to place waypoints on.

    Each junction is scored by the mean cost per metre of the arcs that leave it, so a waypoint
    is drawn towards the cheapest ways (soft, flat, straight) near its ideal position.
    """

    def __init__(self, ix: SearchIndex, component: int) -> None:
        net = ix.net
        degree = np.diff(net.adj_ptr)
        ok = net.node_component == component
        nodes = np.flatnonzero(ok & (degree >= 3))
        if nodes.size < 4:
            nodes = np.flatnonzero(ok)
        x, y = net.node_xy_m
        arcs = net.adj_arc
        tail = np.repeat(np.arange(net.n_nodes), degree)
        per_m = ix.costs.arc_cost[arcs] / np.maximum(net.edge_length_m[arcs >> 1], 1.0)
        total = np.bincount(tail, weights=np.minimum(per_m, 10.0), minlength=net.n_nodes)
        self.ratio = total / np.maximum(degree, 1)
        self.nodes = nodes
        self.tree = cKDTree(np.column_stack((x[nodes], y[nodes])))

    def pick(self, x: float, y: float, within_m: float) -> int:
        """The cheapest junction within ``within_m`` of (x, y), else the nearest one."""
        k = min(16, self.nodes.shape[0])
        dist, idx = self.tree.query((x, y), k=k)
        dist, idx = np.atleast_1d(dist), np.atleast_1d(idx)
        near = dist <= max(within_m, float(dist[0]))
        nodes = self.nodes[idx[near]]
        return int(nodes[int(np.argmin(self.ratio[nodes]))])


def fit_loop(ix: SearchIndex, start: Place, start_xy: tuple[float, float], target_m: float,
             bearing_deg: float, waypoints: int, clockwise: bool, junctions: _Junctions,
             detour: float) -> tuple[LoopCandidate | None, float]:
    """Fit one loop at a bearing by length feedback.

    Returns the candidate closest to ``target_m`` (``None`` if no loop could be routed) and the
    detour factor (route length / polygon perimeter) last measured.
    """
    net = ix.net
    n = waypoints + 1
    perimeter_per_r = 2.0 * n * math.sin(math.pi / n)   # regular polygon inscribed in r = 1
    radius = target_m / (perimeter_per_r * detour)
    best: LoopCandidate | None = None
    sx, sy = start_xy
    b = math.radians(bearing_deg)
    sign = 1.0 if clockwise else -1.0
    for _ in range(MAX_ITERATIONS):
        cx, cy = sx + radius * math.sin(b), sy + radius * math.cos(b)
        phi0 = b + math.pi   # the start, seen from the centre
        nodes = []
        for j in range(1, n):
            phi = phi0 + sign * 2.0 * math.pi * j / n
            nodes.append(junctions.pick(cx + radius * math.sin(phi), cy + radius * math.cos(phi),
                                        WAYPOINT_FREEDOM * radius))
        stops = [start] + [Place(node=v) for v in nodes] + [start]
        pieces: list[Piece] = []
        used: set[int] = set()
        cost = 0.0
        arrive = -1
        ok = True
        for a, z in itertools.pairwise(stops):
            if a.node >= 0:
                a = Place(node=a.node, arrive_arc=arrive)
            if a.node >= 0 and a.node == z.node:
                continue
            leg = search(ix, a, z, penalised=used, reuse_factor=REUSE_FACTOR)
            if leg is None:
                ok = False
                break
            pieces.extend(leg.pieces)
            used.update(p[0] for p in leg.pieces)
            cost += leg.cost
            arrive = leg.last_arc
        if not ok or not pieces:
            return best, detour
        cover, length, repeated = _coverage(net, pieces)
        cand = LoopCandidate(pieces, length, cost, cover, repeated, bearing_deg % 360.0, waypoints,
                             clockwise)
        if best is None or abs(length - target_m) < abs(best.length_m - target_m):
            best = cand
        if length <= 0:
            break
        detour = length / (perimeter_per_r * radius)
        if abs(length - target_m) <= TARGET_TOLERANCE * target_m:
            break
        radius *= target_m / length
    return best, detour


def acceptable(cand: LoopCandidate, target_m: float) -> bool:
    """Length within tolerance and little run twice."""
    return (abs(cand.length_m - target_m) <= LENGTH_TOLERANCE * target_m
            and cand.repeated_share <= MAX_REPEAT_SHARE)


def find_loops(ix: SearchIndex, start: Place, start_xy: tuple[float, float], target_m: float, *,
               count: int, seed: int | None, attempts: int | None = None,
               shapes: list[tuple[float, int, bool]] | None = None,
               ) -> tuple[list[LoopCandidate], LoopCandidate | None]:
    """Acceptable loop candidates (unsorted, possibly overlapping), from seeded attempts.

    Parameters
    ----------
    ix
        Search index (cost model and tables) to route on.
    start
        The start, snapped onto an edge.
    start_xy
        The snapped start in the network's local plane, metres.
    target_m
        Requested length, metres.
    count
        How many distinct loops are wanted; attempts continue until ``count`` +
        :data:`EXTRA_CANDIDATES` distinct acceptable loops are found or the attempts run out
        (``attempts``, else ``4·count + 4``, then up to three times as many while fewer than
        ``count`` distinct loops are found). The number of attempts never depends on time, so a
        seed always gives the same loops.
    seed
        Seed of the random generator (bearings, shapes, direction).
    shapes
        ``(bearing, waypoints, clockwise)`` to try first (the baseline follows the best loop's).

    Returns
    -------
    tuple
        The acceptable candidates, and the routed loop closest to the requested length (for
        the message when none is acceptable).
    """
    rng = np.random.default_rng(seed)
    net = ix.net
    component = int(net.node_component[net.edge_from[start.edge]])
    junctions = _Junctions(ix, component)
    first_round = attempts if attempts is not None else 4 * count + 4
    limit = first_round if attempts is not None else 3 * first_round
    base = float(rng.uniform(0.0, 360.0))
    plan: list[tuple[float, int, bool]] = list(shapes or [])
    for i in range(limit):
        bearing = base + i * 137.50776 + float(rng.normal(0.0, 12.0))  # golden-angle spread
        shapes_here = 2 if i < first_round else 3
        plan.append((bearing, 2 + int(rng.integers(0, shapes_here)), bool(rng.integers(0, 2))))
    found: list[LoopCandidate] = []
    distinct: list[LoopCandidate] = []
    closest: LoopCandidate | None = None
    detour = INITIAL_DETOUR
    for i, (bearing, wps, clockwise) in enumerate(plan):
        if i >= first_round + len(shapes or []) and len(distinct) >= count:
            break
        cand, measured = fit_loop(ix, start, start_xy, target_m, bearing, wps, clockwise,
                                  junctions, detour)
        if measured > 0:
            detour = 0.5 * detour + 0.5 * measured
        if cand is None:
            continue
        if closest is None or abs(cand.length_m - target_m) < abs(closest.length_m - target_m):
            closest = cand
        if not acceptable(cand, target_m):
            continue
        found.append(cand)
        if all(loop_overlap_m(cand, d) < MAX_SHARED_SHARE * min(cand.length_m, d.length_m)
               for d in distinct):
            distinct.append(cand)
        if len(distinct) >= count + EXTRA_CANDIDATES:
            break
    return found, closest
