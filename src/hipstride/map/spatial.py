"""Nearest ways to a point: projections onto the network's shape segments.

:func:`snap_point` puts one point (a route's start or end) on the nearest usable way: a
:class:`SegmentIndex` of the component's segments, kept on the network object, finds it in well
under a millisecond (a projection onto every segment of a city took tens of milliseconds, more
than the route search itself); only a point farther than the search radius from every way falls
back to that projection, to say how far it is.

A :class:`SegmentIndex` covers the segments inside a bounding box (plus a margin). Each segment is
cut into pieces of at most :data:`PIECE_M` metres and a ``scipy.spatial.cKDTree`` holds the
pieces' midpoints, so every segment within ``r`` of a point has a midpoint within
``r + PIECE_M / 2``; the exact point-to-segment projection then ranks them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from hipstride.activity import FloatArray
from hipstride.errors import InputError
from hipstride.map import _geometry
from hipstride.map.network import FootNetwork, IntArray
from hipstride.track.geodesy import EARTH_RADIUS_M

__all__ = ["MAX_SNAP_M", "PIECE_M", "Candidates", "SegmentIndex", "Snap", "segment_starts",
           "snap_point"]

#: Longest piece a segment is cut into for the spatial index, metres.
PIECE_M = 10.0
#: A start or end further than this from any usable way is refused (metres).
MAX_SNAP_M = 500.0


def segment_starts(net: FootNetwork) -> IntArray:
    """Index of the first shape point of every segment (computed once, on the network)."""
    return net.segment_starts


@dataclass(frozen=True)
class Snap:
    """A point snapped onto the network: edge, position along it and how far it moved."""

    edge: int
    fraction: float
    distance_m: float
    lat_deg: float
    lon_deg: float


def snap_point(net: FootNetwork, lat_deg: float, lon_deg: float, *,
               component: int | None = None, max_distance_m: float = MAX_SNAP_M,
               what: str = "start") -> Snap:
    """Nearest position on a usable way (in ``component`` when given).

    Raises
    ------
    hipstride.errors.InputError
        When no usable way lies within ``max_distance_m``.
    """
    px, py = net.to_xy_m(np.array([lat_deg]), np.array([lon_deg]))
    key = ("snap_index", component)
    index = net.derived.get(key)
    if not isinstance(index, SegmentIndex):
        mask = None if component is None else net.node_component[net.edge_from] == component
        index = net.derived[key] = SegmentIndex(net, edge_mask=mask)
    near = index.nearest(float(px[0]), float(py[0]), radius_m=max_distance_m)
    if near is not None:
        e, offset_m, distance_m, x_m, y_m = near
        length = float(net.edge_length_m[e])
        frac = float(np.clip(offset_m / length, 0.0, 1.0)) if length > 0 else 0.0
        lat0, lon0 = net.origin_deg
        k_m = np.pi / 180.0 * EARTH_RADIUS_M
        lat = lat0 + y_m / k_m
        lon = lon0 + x_m / (k_m * np.cos(np.radians(lat0)))
        return Snap(e, frac, distance_m, lat, lon)
    return _snap_everywhere(net, lat_deg, lon_deg, px, py, component, max_distance_m, what)


def _snap_everywhere(net: FootNetwork, lat_deg: float, lon_deg: float, px: FloatArray,
                     py: FloatArray, component: int | None, max_distance_m: float,
                     what: str) -> Snap:
    """:func:`snap_point` by projection onto every segment (a point far from every way)."""
    sx, sy = net.shape_xy_m
    start = net.segment_starts
    x0, y0, x1, y1 = sx[start], sy[start], sx[start + 1], sy[start + 1]
    dx, dy = x1 - x0, y1 - y0
    den = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(den > 0, ((px[0] - x0) * dx + (py[0] - y0) * dy) / den, 0.0), 0, 1)
    d = np.hypot(px[0] - (x0 + t * dx), py[0] - (y0 + t * dy))
    edges = net.shape_edge[start]
    if component is not None:
        d = np.where(net.node_component[net.edge_from[edges]] == component, d, np.inf)
    if d.size == 0 or not np.isfinite(d).any():
        raise InputError(f"the map has no usable way for the {what}")
    i = int(np.argmin(d))
    if d[i] > max_distance_m:
        raise InputError(
            f"the {what} ({lat_deg:.5f}, {lon_deg:.5f}) is {d[i] / 1000.0:.1f} km from the nearest "
            f"usable way of map '{net.name}' (at most {max_distance_m:.0f} m is accepted): "
            "check the coordinates or import a map that covers them")
    e = int(edges[i])
    s = int(start[i])
    offset = net.shape_offset_m[s] + float(t[i]) * (net.shape_offset_m[s + 1] - net.shape_offset_m[s])
    length = float(net.edge_length_m[e])
    frac = float(np.clip(offset / length, 0.0, 1.0)) if length > 0 else 0.0
    lat = float(net.shape_lat_deg[s] + t[i] * (net.shape_lat_deg[s + 1] - net.shape_lat_deg[s]))
    lon = float(net.shape_lon_deg[s] + t[i] * (net.shape_lon_deg[s + 1] - net.shape_lon_deg[s]))
    return Snap(e, frac, float(d[i]), lat, lon)


@dataclass(frozen=True)
class Candidates:
    """Up to ``k`` candidate positions per query point (padded with ``edge = -1``).

    ``offset_m`` is measured from the start of the edge along its way; ``distance_m`` is the
    distance from the query point to its projection; ``x_m``/``y_m`` the projection itself.
    """

    edge: IntArray
    offset_m: FloatArray
    distance_m: FloatArray
    x_m: FloatArray
    y_m: FloatArray


class SegmentIndex:
    """Spatial index over the shape segments of a network (optionally only within a box).

    Parameters
    ----------
    net
        The network.
    box_xy_m
        ``(min x, min y, max x, max y)`` in the network's local plane (metres), or ``None`` for
        the whole network.
    margin_m
        How far around the box segments are still included, metres.
    edge_mask
        Optional boolean mask of the edges that may be returned.
    """

    def __init__(self, net: FootNetwork, box_xy_m: tuple[float, float, float, float] | None = None,
                 *, margin_m: float = 100.0, edge_mask: np.ndarray | None = None) -> None:
        sx, sy = net.shape_xy_m
        start = segment_starts(net)
        x0, y0, x1, y1 = sx[start], sy[start], sx[start + 1], sy[start + 1]
        keep = np.ones(start.shape[0], dtype=bool)
        if box_xy_m is not None:
            bx0, by0, bx1, by1 = box_xy_m
            keep &= (np.maximum(x0, x1) >= bx0 - margin_m) & (np.minimum(x0, x1) <= bx1 + margin_m)
            keep &= (np.maximum(y0, y1) >= by0 - margin_m) & (np.minimum(y0, y1) <= by1 + margin_m)
        if edge_mask is not None:
            keep &= edge_mask[net.shape_edge[start]]
        self.net = net
        self.start = start[keep]
        self.x0, self.y0, self.x1, self.y1 = x0[keep], y0[keep], x1[keep], y1[keep]
        self.edge = net.shape_edge[self.start]
        self.offset0 = net.shape_offset_m[self.start]
        self.length = net.shape_offset_m[self.start + 1] - self.offset0
        seg_len = np.hypot(self.x1 - self.x0, self.y1 - self.y0)
        n_piece = np.maximum(1, np.ceil(seg_len / PIECE_M)).astype(np.int64)
        self.piece_segment = np.repeat(np.arange(self.start.shape[0]), n_piece)
        first = np.cumsum(n_piece) - n_piece      # empty when no segment lies near the box
        k = np.arange(int(n_piece.sum())) - np.repeat(first, n_piece)
        t = (k + 0.5) / np.repeat(n_piece, n_piece)
        px = self.x0[self.piece_segment] + t * (self.x1 - self.x0)[self.piece_segment]
        py = self.y0[self.piece_segment] + t * (self.y1 - self.y0)[self.piece_segment]
        self.tree = cKDTree(np.column_stack((px, py))) if px.size else None

    def __len__(self) -> int:
        return int(self.start.shape[0])

    def nearest(self, x_m: float, y_m: float, *, radius_m: float, pieces: int = 48,
                ) -> tuple[int, float, float, float, float] | None:
        """The nearest position within ``radius_m`` of one point: ``(edge, offset_m,
        distance_m, x_m, y_m)``, or ``None``; :meth:`query` with ``k=1`` for one point, the same
        arithmetic on one row (the nearest candidate, the first of equals; compiled:
        :mod:`hipstride.map._geometry`), without the per-edge ranking that ``k > 1`` needs."""
        if self.tree is None:
            return None
        n_tree = self.tree.n
        _, hit = self.tree.query(np.array([[x_m, y_m]]), k=min(pieces, n_tree),
                                 distance_upper_bound=radius_m + PIECE_M / 2.0 + 1e-6)
        best = _geometry.nearest_segment(
            np.ascontiguousarray(np.reshape(hit, -1), dtype=np.int64), self.piece_segment,
            self.x0, self.y0, self.x1, self.y1, x_m, y_m, radius_m)
        if best is None:
            return None
        s, t, distance, qx, qy = best
        return int(self.edge[s]), float(self.offset0[s] + t * self.length[s]), distance, qx, qy

    def query(self, x_m: FloatArray, y_m: FloatArray, *, radius_m: float, k: int = 8,
              pieces: int = 48) -> Candidates:
        """The ``k`` nearest edges within ``radius_m`` of each point (one position per edge)."""
        n = x_m.shape[0]
        if self.tree is None or n == 0:
            empty = np.full((n, k), -1, dtype=np.int64)
            nan = np.full((n, k), np.nan)
            return Candidates(empty, nan, np.full((n, k), np.inf), nan, nan)
        pts = np.column_stack((x_m, y_m))
        bound = radius_m + PIECE_M / 2.0 + 1e-6
        n_tree = self.tree.n
        q = min(pieces, n_tree)
        _, hit = self.tree.query(pts, k=q, distance_upper_bound=bound)
        hit = np.asarray(hit).reshape(n, q)
        found = hit < n_tree
        seg = np.where(found, self.piece_segment[np.minimum(hit, n_tree - 1)], -1)
        sidx = np.maximum(seg, 0)
        ax, ay = self.x0[sidx], self.y0[sidx]
        dx, dy = self.x1[sidx] - ax, self.y1[sidx] - ay
        px, py = x_m[:, None], y_m[:, None]
        den = dx * dx + dy * dy
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(den > 0, ((px - ax) * dx + (py - ay) * dy) / den, 0.0)
        t = np.clip(t, 0.0, 1.0)
        qx, qy = ax + t * dx, ay + t * dy
        dist = np.hypot(px - qx, py - qy)
        dist = np.where(found & (dist <= radius_m), dist, np.inf)
        edge = np.where(np.isfinite(dist), self.edge[sidx], -1)
        # keep the nearest position per edge: sort by (edge, distance) within each row
        order = np.lexsort((dist, edge), axis=1)
        edge_s = np.take_along_axis(edge, order, axis=1)
        dup = np.zeros_like(found)
        dup[:, 1:] = (edge_s[:, 1:] == edge_s[:, :-1]) & (edge_s[:, 1:] >= 0)
        first_of_edge = np.zeros_like(found)
        np.put_along_axis(first_of_edge, order, ~dup, axis=1)
        dist = np.where(first_of_edge, dist, np.inf)
        best = np.argsort(dist, axis=1, kind="stable")[:, :k]
        d = np.take_along_axis(dist, best, axis=1)
        ok = np.isfinite(d)
        e = np.where(ok, np.take_along_axis(edge, best, axis=1), -1)
        s = np.take_along_axis(sidx, best, axis=1)
        tt = np.take_along_axis(t, best, axis=1)
        offset = np.where(ok, self.offset0[s] + tt * self.length[s], np.nan)
        cx = np.where(ok, np.take_along_axis(qx, best, axis=1), np.nan)
        cy = np.where(ok, np.take_along_axis(qy, best, axis=1), np.nan)
        if d.shape[1] < k:  # fewer pieces than k in a tiny network
            pad = k - d.shape[1]
            e = np.pad(e, ((0, 0), (0, pad)), constant_values=-1)
            d, offset, cx, cy = (np.pad(a, ((0, 0), (0, pad)), constant_values=v)
                                 for a, v in ((d, np.inf), (offset, np.nan), (cx, np.nan),
                                              (cy, np.nan)))
        return Candidates(e, offset, d, cx, cy)
