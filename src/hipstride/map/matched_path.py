"""The matched path of a run: the ways it ran along, as one line, from a per-sample match.

:func:`~hipstride.map.matching.match_track` gives each GPS sample a position on an edge. Those
positions jitter back and forth along the way (a σ 5 m trace joined sample by sample is 2.3–2.6
times too long), so the path is rebuilt from the *runs* of samples on one edge instead, as Valhalla
and OSRM return it:

1. consecutive samples on one edge make a run; runs of fewer than :data:`MIN_RUN_SAMPLES`
   samples, and visits to a side edge that come back (edges A, B, A with B at most
   :data:`SPUR_SAMPLES` samples), are GPS noise at a junction and are dropped;
2. each run is run from where the runner entered the edge to where they left it: from the node
   it shares with the previous run's edge (else from the first sample's position) to the node it
   shares with the next one (else to the last sample's position);
3. runs on edges that share no node are joined by the shortest way between them on the network
   (what the matcher's transition model assumes), found by one bounded Dijkstra each;
4. a break in the match (a stretch off the network, or no plausible transition) ends one line and
   starts another.

The result is the way ids in order, the geometry (a GeoJSON ``LineString``; a ``MultiLineString``
when the match broke) and the length along the ways.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from hipstride.map.evaluate import Piece, route_geometry
from hipstride.map.matching import MatchResult
from hipstride.map.network import FootNetwork, min_csr

__all__ = ["JOIN_LIMIT_M", "MIN_RUN_SAMPLES", "SPUR_SAMPLES", "MatchedPath", "matched_path"]

#: Runs of fewer samples than this are noise at a junction (a course sample every 5 m: an edge
#: really run for under about 10 m is recovered by the join between its neighbours).
MIN_RUN_SAMPLES = 3
#: A visit to a side edge of at most this many samples, between two runs on one edge, is noise.
SPUR_SAMPLES = 4
#: Runs on edges that share no node are joined by a shortest way of at most this length (metres);
#: farther apart, the line breaks.
JOIN_LIMIT_M = 2000.0


@dataclass(frozen=True)
class MatchedPath:
    """The ways a run was matched to, in order, as lines along them.

    ``lines`` holds one ``(lat_deg, lon_deg)`` pair of lists per unbroken part; ``length_m`` is
    their length along the ways; ``way_ids`` the OSM ways used, consecutive repeats collapsed.
    """

    way_ids: list[int]
    lines: list[tuple[list[float], list[float]]]
    length_m: float

    def geometry(self) -> dict[str, Any]:
        """GeoJSON geometry: a ``LineString`` (``[lon, lat]``), a ``MultiLineString`` when the
        match broke into several parts."""
        parts = [[[round(b, 7), round(a, 7)] for a, b in zip(lat, lon, strict=True)]
                 for lat, lon in self.lines]
        if len(parts) == 1:
            return {"type": "LineString", "coordinates": parts[0]}
        return {"type": "MultiLineString", "coordinates": parts}

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view: ``way_ids``, ``length_m``, ``parts`` and the GeoJSON ``geometry``."""
        return {"way_ids": self.way_ids, "length_m": round(self.length_m, 1),
                "parts": len(self.lines), "geometry": self.geometry()}


#: Where the length graph is kept on the network object.
_GRAPH_KEY = "matched_path_length_graph"


def _length_graph(net: FootNetwork) -> csr_matrix:
    """The undirected node graph weighted by edge length, kept on the network object."""
    hit = net.derived.get(_GRAPH_KEY)
    if not isinstance(hit, csr_matrix):
        u = np.concatenate((net.edge_from, net.edge_to))
        v = np.concatenate((net.edge_to, net.edge_from))
        w = np.maximum(np.concatenate((net.edge_length_m, net.edge_length_m)), 1e-3)
        hit = net.derived[_GRAPH_KEY] = min_csr(u, v, w, net.n_nodes)
    return hit


def _runs(match: MatchResult) -> list[list[list[Any]]]:
    """Chains of runs ``[edge, first offset, last offset, samples]``, split where the match broke
    or went off the network (samples without a position or spikes do not split them)."""
    edge, offset, breaks = match.edge, match.offset_m, set(match.breaks)
    off = np.zeros(edge.shape[0] + 1, dtype=np.int64)
    for stretch in match.off_network:
        off[stretch.start_index + 1] += 1
    off = np.cumsum(off)[1:]            # off-network stretches started up to each sample
    chains: list[list[list[Any]]] = []
    current: list[list[Any]] = []
    previous = -1
    for i in np.flatnonzero(edge >= 0).tolist():
        e, o = int(edge[i]), float(offset[i])
        if current and (i in breaks or off[i] != off[previous]):
            chains.append(current)
            current = []
        previous = i
        if current and current[-1][0] == e:
            current[-1][2] = o
            current[-1][3] += 1
        else:
            current.append([e, o, o, 1])
    if current:
        chains.append(current)
    for k, runs in enumerate(chains):
        chains[k] = _clean(runs)
    return chains


def _merge(runs: list[list[Any]]) -> list[list[Any]]:
    """Consecutive runs on one edge as one."""
    out: list[list[Any]] = []
    for run in runs:
        if out and out[-1][0] == run[0]:
            out[-1][2] = run[2]
            out[-1][3] += run[3]
        else:
            out.append(list(run))
    return out


def _clean(runs: list[list[Any]]) -> list[list[Any]]:
    """Drop the brief visits that GPS noise makes near junctions: runs of fewer than
    :data:`MIN_RUN_SAMPLES` samples (the shortest join between their neighbours runs any short
    edge really passed), then side trips A, B, A of at most :data:`SPUR_SAMPLES` samples."""
    kept = [r for r in runs if r[3] >= MIN_RUN_SAMPLES]
    runs = _merge(kept if kept else runs[:1])
    k = 1
    while k + 1 < len(runs):
        if runs[k - 1][0] == runs[k + 1][0] and runs[k][3] <= SPUR_SAMPLES:
            runs = _merge(runs[:k] + runs[k + 1:])
            k = max(k - 1, 1)
        else:
            k += 1
    return runs


def _join(net: FootNetwork, a: int, b: int) -> tuple[int, int, list[int]] | None:
    """The end of edge ``a`` to leave by, the end of ``b`` to enter by, and the edges between
    (shortest way); ``None`` when they lie farther apart than :data:`JOIN_LIMIT_M`."""
    ends_a = [int(net.edge_from[a]), int(net.edge_to[a])]
    ends_b = [int(net.edge_from[b]), int(net.edge_to[b])]
    for x in ends_a:
        if x in ends_b:
            return x, x, []
    dist, pred = dijkstra(_length_graph(net), directed=True, indices=ends_a, limit=JOIN_LIMIT_M,
                          return_predecessors=True)
    best = min((float(dist[i, ends_b[j]]), i, j) for i in range(2) for j in range(2))
    if not math.isfinite(best[0]):
        return None
    _, i, j = best
    nodes = [ends_b[j]]
    while nodes[-1] != ends_a[i]:
        nodes.append(int(pred[i, nodes[-1]]))
    nodes.reverse()
    edges = [_edge_between(net, u, v) for u, v in itertools.pairwise(nodes)]
    return ends_a[i], ends_b[j], edges


def _edge_between(net: FootNetwork, u: int, v: int) -> int:
    """The shortest edge joining nodes ``u`` and ``v``, with its direction's sign (``~e`` when
    run against the way)."""
    arcs = net.adj_arc[net.adj_ptr[u]:net.adj_ptr[u + 1]]
    arcs = arcs[net.arc_head(arcs) == v]
    arc = int(arcs[np.argmin(net.edge_length_m[arcs >> 1])])
    return arc >> 1 if arc & 1 == 0 else ~(arc >> 1)


def _chain_pieces(net: FootNetwork, runs: list[list[Any]]) -> list[list[Piece]]:
    """Pieces ``(edge, fraction from, fraction to)`` of one chain of runs, split where no join
    is found."""
    lines: list[list[Piece]] = [[]]
    length = net.edge_length_m
    entry = runs[0][1] / max(float(length[runs[0][0]]), 1e-9)
    for k, (e, _, last, _) in enumerate(runs):
        exit_f = last / max(float(length[e]), 1e-9)
        joined = _join(net, e, runs[k + 1][0]) if k + 1 < len(runs) else None
        if joined is not None:
            leave, enter, between = joined
            exit_f = 0.0 if leave == int(net.edge_from[e]) else 1.0
        lines[-1].append((e, min(max(entry, 0.0), 1.0), min(max(exit_f, 0.0), 1.0)))
        if k + 1 == len(runs):
            break
        nxt = runs[k + 1][0]
        if joined is None:
            lines.append([])
            entry = runs[k + 1][1] / max(float(length[nxt]), 1e-9)
            continue
        for signed in between:
            lines[-1].append((signed, 0.0, 1.0) if signed >= 0 else (~signed, 1.0, 0.0))
        entry = 0.0 if enter == int(net.edge_from[nxt]) else 1.0
    return [line for line in lines if line]


def matched_path(net: FootNetwork, match: MatchResult) -> MatchedPath:
    """The matched path of a per-sample match (see the module docstring)."""
    lines: list[tuple[list[float], list[float]]] = []
    total = 0.0
    used: list[int] = []
    for runs in _runs(match):
        for pieces in _chain_pieces(net, runs):
            geo = route_geometry(net, pieces)
            if geo.lat_deg.shape[0] < 2:
                continue
            lines.append((geo.lat_deg.tolist(), geo.lon_deg.tolist()))
            total += geo.length_m
            used.extend(p[0] for p in pieces)
    ways: list[int] = []
    for w in net.way_osm_id[net.edge_way[np.asarray(used, dtype=np.int64)]].tolist() if used else []:
        if not ways or ways[-1] != w:
            ways.append(int(w))
    return MatchedPath(ways, lines, total)
