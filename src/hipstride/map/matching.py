"""Map matching: which way of the network each GPS point was on (Newson & Krumm 2009).

A hidden Markov model whose states are *candidates*: projections of a GPS point onto the edges
within :data:`SEARCH_RADIUS_M`.

* Emission: a Gaussian in the distance from the point to the candidate, σ = :data:`SIGMA_M`.
* Transition: an exponential in ``|route distance − great-circle distance|`` between consecutive
  points, β = :data:`BETA_M`. Route distances between candidates come from a bounded Dijkstra
  (``scipy.sparse.csgraph.dijkstra`` with a ``limit``) over the part of the network near a window
  of points, so every transition of a window is a few array look-ups.
* Viterbi picks the most likely sequence. When a point has no candidate, or no transition into it
  is plausible (route longer than the window's limit), the chain is *broken*: what comes before is
  decoded on its own, and the points without a candidate are reported as off-network stretches
  rather than forced onto a way.

Everything per point is vectorised; only the Viterbi recursion loops over points (one small
matrix operation each), which keeps throughput well above 10,000 points per second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from hipstride.activity import FloatArray
from hipstride.map.network import FootNetwork, IntArray, min_csr
from hipstride.map.spatial import Candidates, SegmentIndex
from hipstride.track.geodesy import haversine_m

__all__ = ["BETA_M", "SEARCH_RADIUS_M", "SIGMA_M", "MatchResult", "OffNetworkStretch",
           "match_track"]

#: GPS error σ of the emission model, metres (Valhalla uses 4 m, GraphHopper 10 m; forest
#: canopy and phone GPS sit in between).
SIGMA_M = 6.0
#: β of the transition model, metres (Valhalla 3, GraphHopper 2; a runner cuts corners a bit).
BETA_M = 4.0
#: Candidates are searched within this distance of each GPS point, metres.
SEARCH_RADIUS_M = 50.0
#: At most this many candidate edges per point.
MAX_CANDIDATES = 8
#: A point further than this from both neighbours (which lie close together) is a spike, metres.
SPIKE_M = 50.0
#: Points decoded together (one bounded Dijkstra per window).
WINDOW = 256


@dataclass(frozen=True)
class OffNetworkStretch:
    """A run of consecutive GPS points that no way of the network explains."""

    start_index: int
    end_index: int
    points: int
    length_m: float


@dataclass(frozen=True)
class MatchResult:
    """Matched position of every input point (``edge == -1`` where unmatched).

    Attributes
    ----------
    edge, way_id
        Matched edge and its OSM way id per point (``-1`` when unmatched).
    offset_m
        Position along the matched edge from its start (way direction), metres.
    distance_m
        Distance from the GPS point to its matched position, metres (NaN when unmatched).
    lat_deg, lon_deg
        The matched positions (NaN when unmatched).
    breaks
        Indices of points where the Viterbi chain was restarted.
    off_network
        Stretches of points without a plausible match.
    outliers
        Indices of GPS spikes (a point far from both neighbours, which lie close together),
        left unmatched and out of the chain.
    """

    edge: IntArray
    way_id: IntArray
    offset_m: FloatArray
    distance_m: FloatArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    breaks: list[int]
    off_network: list[OffNetworkStretch]
    outliers: list[int]

    @property
    def matched(self) -> np.ndarray:
        return self.edge >= 0

    @property
    def matched_share(self) -> float:
        """Share (0–1) of the input points that were matched."""
        n = self.edge.shape[0]
        return float(np.count_nonzero(self.edge >= 0)) / n if n else 0.0


def _window_distances(net: FootNetwork, cand: Candidates, lo: int, hi: int,
                      straight: FloatArray, radius_m: float) -> np.ndarray:
    """Route distance (metres) from each candidate of point t to each of t+1, for t in [lo, hi-1).

    Returns an array of shape ``(hi - lo - 1, k, k)``; ``inf`` where no route within the limit.
    """
    e = cand.edge[lo:hi]
    k = e.shape[1]
    valid = e >= 0
    ev = np.maximum(e, 0)
    u, v = net.edge_from[ev], net.edge_to[ev]
    off = cand.offset_m[lo:hi]
    length = net.edge_length_m[ev]
    ends = np.unique(np.concatenate((u[valid], v[valid])))
    steps = hi - lo - 1
    if steps <= 0:
        return np.zeros((0, k, k))
    limit = float(np.nanmax(straight[lo:hi - 1], initial=0.0)) + 2.0 * radius_m + 300.0
    # sub-network: edges with an end node within `limit` of the window's candidates
    nx, ny = net.node_xy_m
    if ends.size:
        x0, x1 = nx[ends].min() - limit, nx[ends].max() + limit
        y0, y1 = ny[ends].min() - limit, ny[ends].max() + limit
        fx, fy = nx[net.edge_from], ny[net.edge_from]
        sub = np.flatnonzero((fx >= x0) & (fx <= x1) & (fy >= y0) & (fy <= y1))
        nodes = np.unique(np.concatenate((net.edge_from[sub], net.edge_to[sub], ends)))
        a = np.searchsorted(nodes, net.edge_from[sub])
        b = np.searchsorted(nodes, net.edge_to[sub])
        w = np.maximum(net.edge_length_m[sub], 1e-3)
        graph = min_csr(a, b, w, nodes.shape[0])
        src = np.searchsorted(nodes, ends)
        dist = dijkstra(graph, directed=False, indices=src, limit=limit)[:, src]
        np.fill_diagonal(dist, 0.0)
    else:
        dist = np.zeros((0, 0))
    pos_u = np.searchsorted(ends, u)
    pos_v = np.searchsorted(ends, v)
    pos_u = np.where(valid, pos_u, 0)
    pos_v = np.where(valid, pos_v, 0)
    exit_u, exit_v = off, length - off            # from the candidate to its edge's ends
    enter_u, enter_v = off, length - off          # from an edge's ends to the candidate
    route = np.full((steps, k, k), np.inf)
    if dist.size:
        for pa, xa in ((pos_u, exit_u), (pos_v, exit_v)):
            for pb, xb in ((pos_u, enter_u), (pos_v, enter_v)):
                d = dist[pa[:-1, :, None], pb[1:, None, :]]
                route = np.minimum(route, xa[:-1, :, None] + d + xb[1:, None, :])
    same = e[:-1, :, None] == e[1:, None, :]
    direct = np.abs(off[:-1, :, None] - off[1:, None, :])
    route = np.where(same, np.minimum(route, direct), route)
    ok = valid[:-1, :, None] & valid[1:, None, :]
    return np.where(ok & (route <= limit), route, np.inf)


def match_track(net: FootNetwork, lat_deg: FloatArray, lon_deg: FloatArray, *,
                sigma_m: float = SIGMA_M, beta_m: float = BETA_M,
                radius_m: float = SEARCH_RADIUS_M, max_candidates: int = MAX_CANDIDATES,
                ) -> MatchResult:
    """Match a GPS track to the network.

    Parameters
    ----------
    net
        The foot network.
    lat_deg, lon_deg
        GPS positions, decimal degrees (NaN where a sample has no fix; such samples are skipped
        and left unmatched).
    sigma_m, beta_m, radius_m
        Emission σ, transition β and candidate search radius, metres.
    max_candidates
        Candidate edges kept per point.

    Returns
    -------
    MatchResult
        Per input point: matched edge, way id, offset, distance and position.
    """
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    n_all = lat.shape[0]
    fix = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    spikes: list[int] = []
    if fix.size and net.n_edges:
        x_all, y_all = net.to_xy_m(lat[fix], lon[fix])
        spike = _spikes(x_all, y_all)
        spikes = fix[spike].tolist()
        fix = fix[~spike]
    edge_out = np.full(n_all, -1, dtype=np.int64)
    off_out = np.full(n_all, np.nan)
    dist_out = np.full(n_all, np.nan)
    x_out = np.full(n_all, np.nan)
    y_out = np.full(n_all, np.nan)
    breaks: list[int] = []
    if fix.size and net.n_edges:
        x, y = net.to_xy_m(lat[fix], lon[fix])
        index = SegmentIndex(net, (float(x.min()), float(y.min()), float(x.max()), float(y.max())),
                             margin_m=radius_m + 20.0)
        cand = index.query(x, y, radius_m=radius_m, k=max_candidates)
        straight = np.zeros(fix.shape[0])
        if fix.size > 1:
            straight[:-1] = haversine_m(lat[fix[:-1]], lon[fix[:-1]], lat[fix[1:]], lon[fix[1:]])
        emission = -0.5 * (cand.distance_m / sigma_m) ** 2
        choice = _viterbi(net, cand, emission, straight, beta_m, radius_m, breaks)
        hit = choice >= 0
        rows = np.flatnonzero(hit)
        cols = choice[hit]
        target = fix[rows]
        edge_out[target] = cand.edge[rows, cols]
        off_out[target] = cand.offset_m[rows, cols]
        dist_out[target] = cand.distance_m[rows, cols]
        x_out[target] = cand.x_m[rows, cols]
        y_out[target] = cand.y_m[rows, cols]
        breaks = [int(fix[b]) for b in breaks]
    lat0, lon0 = net.origin_deg
    k = np.pi / 180.0 * 6_371_008.8
    m_lat = lat0 + y_out / k
    m_lon = lon0 + x_out / (k * np.cos(np.radians(lat0)))
    way = np.where(edge_out >= 0, net.way_osm_id[net.edge_way[np.maximum(edge_out, 0)]], -1)
    miss = np.isfinite(lat) & np.isfinite(lon)
    miss[spikes] = False
    return MatchResult(edge_out, way, off_out, dist_out, m_lat, m_lon, breaks,
                       _off_network(lat, lon, edge_out, miss), spikes)


def _spikes(x: FloatArray, y: FloatArray) -> np.ndarray:
    """GPS spikes: points far from both neighbours, which lie close together.

    "Far" is more than :data:`SPIKE_M` and more than four typical steps, so that the turnaround of
    a sparsely sampled out-and-back is not taken for a spike. Three passes, so that two-point
    spikes are caught too.
    """
    n = x.shape[0]
    spike = np.zeros(n, dtype=bool)
    if n < 3:
        return spike
    typical = float(np.median(np.hypot(np.diff(x), np.diff(y))))
    far = max(SPIKE_M, 4.0 * typical)
    for _ in range(3):
        keep = np.flatnonzero(~spike)
        if keep.size < 3:
            break
        kx, ky = x[keep], y[keep]
        d_prev = np.hypot(kx[1:-1] - kx[:-2], ky[1:-1] - ky[:-2])
        d_next = np.hypot(kx[2:] - kx[1:-1], ky[2:] - ky[1:-1])
        d_skip = np.hypot(kx[2:] - kx[:-2], ky[2:] - ky[:-2])
        near = np.minimum(d_prev, d_next)
        bad = (near > far) & (d_skip < 0.5 * near)
        if not bad.any():
            break
        spike[keep[1:-1][bad]] = True
    return spike


def _viterbi(net: FootNetwork, cand: Candidates, emission: np.ndarray, straight: FloatArray,
             beta_m: float, radius_m: float, breaks: list[int]) -> IntArray:
    """Most likely candidate column per point (−1 where unmatched), window by window."""
    n, _ = cand.edge.shape
    choice = np.full(n, -1, dtype=np.int64)
    has = np.isfinite(emission).any(axis=1) if n else np.zeros(0, dtype=bool)
    back: list[np.ndarray | None] = [None] * n
    score: np.ndarray | None = None
    prev_trans: np.ndarray | None = None   # transitions into the first point of a window
    chain_start = 0

    def close(last: int) -> None:
        if score is None or last < chain_start:
            return
        j = int(np.argmax(score))
        for t in range(last, chain_start - 1, -1):
            choice[t] = j
            bp = back[t]
            if bp is None:
                break
            j = int(bp[j])

    for lo in range(0, n, WINDOW):
        hi = min(n, lo + WINDOW + 1)  # one point of overlap links the windows
        route = _window_distances(net, cand, lo, hi, straight, radius_m)
        trans_all = -np.abs(route - straight[lo:hi - 1, None, None]) / beta_m
        for t in range(lo, min(n, lo + WINDOW)):
            if score is None:
                if has[t]:
                    score, chain_start = emission[t].copy(), t
                    back[t] = None
                continue
            if not has[t]:
                close(t - 1)
                score = None
                continue
            into = trans_all[t - 1 - lo] if t - 1 >= lo else prev_trans
            if into is None:  # pragma: no cover - every window but the first has prev_trans
                raise AssertionError("missing transition")
            cand_score = score[:, None] + into
            best = np.argmax(cand_score, axis=0)
            new = cand_score[best, np.arange(best.shape[0])]
            if not np.isfinite(new).any():
                close(t - 1)
                breaks.append(t)
                score, chain_start = emission[t].copy(), t
                back[t] = None
                continue
            back[t] = best
            score = new + emission[t]
        prev_trans = trans_all[-1] if trans_all.shape[0] else None
        if hi == n:
            break
    close(n - 1)
    return choice


def _off_network(lat: FloatArray, lon: FloatArray, edge: IntArray,
                 candidates: np.ndarray) -> list[OffNetworkStretch]:
    """Runs of unmatched points among ``candidates`` (points with a fix that are no spike)."""
    miss = (edge < 0) & candidates
    if not miss.any():
        return []
    d = np.diff(np.concatenate(([0], miss.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1
    out = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        la, lo = lat[a:b + 1], lon[a:b + 1]
        length = float(haversine_m(la[:-1], lo[:-1], la[1:], lo[1:]).sum()) if b > a else 0.0
        out.append(OffNetworkStretch(a, b, b - a + 1, round(length, 1)))
    return out
