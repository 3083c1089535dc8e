"""A planned route as a course, evaluated exactly like a recorded run.

The planner's arc costs steer the search; what a runner is shown comes from here: the route's
geometry goes through :func:`~hipstride.track.course.course_from_path` (no position smoothing: map
geometry has no GPS noise) and :func:`~hipstride.model.score.score_course` with the map's surface,
the call that scores a recorded run too, so the figures of a planned route and of the same route
run and analysed agree (climb and descent included: one hysteresis band for both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hipstride.activity import FloatArray
from hipstride.map.network import FLAG_STEPS, FootNetwork, IntArray
from hipstride.map.surfaces import surface_for_edges
from hipstride.model.hipload import FACTORS, HipLoad
from hipstride.model.profile import Profile
from hipstride.model.score import GradeFacts, score_course
from hipstride.track.course import Course, course_from_path
from hipstride.track.geodesy import segment_lengths_m
from hipstride.track.surface import SurfaceTrack
from hipstride.track.turns import Turn

__all__ = ["Piece", "RouteGeometry", "RouteSummary", "evaluate_route", "route_geometry"]

#: A stretch of one edge: ``(edge, fraction from, fraction to)``; fractions run 0 → 1 along the way.
Piece = tuple[int, float, float]


@dataclass(frozen=True)
class RouteGeometry:
    """Points of a route, and the edge under each step between consecutive points.

    ``step_edge[i]`` is the edge from point ``i`` to ``i + 1``; ``elevation_m`` comes from the DEM
    when the map has one, else from integrating edge grades (``incline`` tags) from 0 m; NaN
    everywhere when neither is known.
    """

    pieces: list[Piece]
    lat_deg: FloatArray
    lon_deg: FloatArray
    distance_m: FloatArray
    elevation_m: FloatArray
    step_edge: IntArray

    @property
    def length_m(self) -> float:
        return float(self.distance_m[-1]) if self.distance_m.size else 0.0


def _along(net: FootNetwork, edges: IntArray, offset_m: FloatArray,
           ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Latitude, longitude and elevation at ``offset_m`` along each of ``edges`` (linear
    between the edge's shape points, like ``np.interp`` per edge, for all at once)."""
    ptr, off = net.shape_ptr, net.shape_offset_m
    big = float(net.edge_length_m.max(initial=0.0)) + 10.0
    key = net.derived.get("shape_key")
    if not isinstance(key, np.ndarray):     # shape points ordered by (edge, offset), kept
        key = net.derived["shape_key"] = net.shape_edge * big + off
    pos = np.searchsorted(key, edges * big + offset_m, side="right") - 1
    pos = np.clip(pos, ptr[edges], np.maximum(ptr[edges + 1] - 2, ptr[edges]))
    span = off[pos + 1] - off[pos]
    t = np.clip(np.divide(offset_m - off[pos], span, out=np.zeros_like(span), where=span > 0),
                0.0, 1.0)

    def lerp(values: FloatArray) -> FloatArray:
        return np.asarray(values[pos] + t * (values[pos + 1] - values[pos]), dtype=np.float64)

    return lerp(net.shape_lat_deg), lerp(net.shape_lon_deg), lerp(net.shape_elevation_m)


def route_geometry(net: FootNetwork, pieces: list[Piece]) -> RouteGeometry:
    """Points of a route made of edge pieces (consecutive pieces share their joining point).

    Each piece gives its two ends and the edge's shape points strictly between them, in the
    direction run; all pieces are built at once with array operations."""
    if not pieces:
        z = np.zeros(0)
        return RouteGeometry(pieces, z, z, z, z, np.zeros(0, dtype=np.int64))
    table = np.asarray(pieces, dtype=np.float64)
    edges = table[:, 0].astype(np.int64)
    length = net.edge_length_m[edges]
    o0, o1 = table[:, 1] * length, table[:, 2] * length
    forward = o1 >= o0
    lo, hi = np.minimum(o0, o1), np.maximum(o0, o1)
    ptr = net.shape_ptr
    count = ptr[edges + 1] - ptr[edges]
    owner = np.repeat(np.arange(edges.shape[0]), count)
    idx = np.repeat(ptr[edges] - np.concatenate(([0], np.cumsum(count)[:-1])), count) \
        + np.arange(int(count.sum()))
    off = net.shape_offset_m[idx]
    inner = (off > lo[owner]) & (off < hi[owner])
    owner, idx, off = owner[inner], idx[inner], off[inner]
    # rank along each piece: its start first, then inner points in the direction run, its end
    rank = np.where(forward[owner], off, -off)
    n = edges.shape[0]
    ends_lat, ends_lon, ends_elev = _along(net, np.concatenate((edges, edges)),
                                           np.concatenate((o0, o1)))
    piece_of = np.concatenate((np.arange(n), np.arange(n), owner))
    order_rank = np.concatenate((np.full(n, -np.inf), np.full(n, np.inf), rank))
    lat_all = np.concatenate((ends_lat, net.shape_lat_deg[idx]))
    lon_all = np.concatenate((ends_lon, net.shape_lon_deg[idx]))
    elev_all = np.concatenate((ends_elev, net.shape_elevation_m[idx]))
    order = np.lexsort((order_rank, piece_of))
    piece_of, lat_all, lon_all, elevation = (piece_of[order], lat_all[order], lon_all[order],
                                             elev_all[order])
    keep = np.ones(piece_of.shape[0], dtype=bool)
    first_of_piece = np.flatnonzero(np.concatenate(([True], piece_of[1:] != piece_of[:-1])))
    keep[first_of_piece[1:]] = False           # the first point is the previous piece's last
    piece_of, lat_all, lon_all, elevation = (piece_of[keep], lat_all[keep], lon_all[keep],
                                             elevation[keep])
    step_piece = piece_of[1:]
    step_edge = edges[step_piece]
    steps = segment_lengths_m(lat_all, lon_all)
    distance = np.concatenate(([0.0], np.cumsum(steps)))
    if not np.isfinite(elevation).any():
        grade = net.edge_grade_pct[step_edge] * np.where(forward, 1.0, -1.0)[step_piece]
        if np.isfinite(grade).any():
            rise = np.nan_to_num(grade, nan=0.0) / 100.0 * steps
            elevation = np.concatenate(([0.0], np.cumsum(rise)))
    return RouteGeometry(pieces, lat_all, lon_all, distance, elevation, step_edge)


@dataclass(frozen=True)
class RouteSummary:
    """A route evaluated with the hip-load model."""

    geometry: RouteGeometry
    course: Course
    turns: list[Turn]
    surface: SurfaceTrack
    hip_load: HipLoad
    grades: GradeFacts
    climb_m: float | None
    descent_m: float | None
    steps_m: float

    @property
    def distance_m(self) -> float:
        return self.geometry.length_m

    def to_dict(self, *, coordinates: bool = True) -> dict[str, Any]:
        """Plain-JSON view (SI units; coordinates as ``[lat, lon]`` pairs)."""
        w = self.hip_load.weights_m
        km = float(w.sum()) / 1000.0
        sharp = sum(1 for t in self.turns if t.sharp)
        out: dict[str, Any] = {
            "distance_m": round(self.distance_m, 1),
            "surface": {"shares": self.surface.shares(w), "raw_shares": self.surface.raw_shares(w)},
            "turns": {"count": len(self.turns), "sharp_count": sharp,
                      "per_km": round(len(self.turns) / km, 2) if km > 0 else None,
                      "sharp_per_km": round(sharp / km, 2) if km > 0 else None},
            "climb_m": None if self.climb_m is None else round(self.climb_m, 1),
            "descent_m": None if self.descent_m is None else round(self.descent_m, 1),
            "steps_m": round(self.steps_m, 1),
            "hip_load": {
                "index": None if self.hip_load.index is None else round(self.hip_load.index, 4),
                "total": None if self.hip_load.total is None else round(self.hip_load.total, 3),
                "factors": {f: round(self.hip_load.factors[f], 4) for f in FACTORS},
            },
        }
        if coordinates:
            out["coordinates"] = [[round(a, 6), round(b, 6)] for a, b in
                                  zip(self.geometry.lat_deg.tolist(), self.geometry.lon_deg.tolist(),
                                      strict=True)]
        return out


def evaluate_route(net: FootNetwork, pieces: list[Piece], profile: Profile) -> RouteSummary:
    """Evaluate a route with the same course maths and model as a recorded run."""
    geo = route_geometry(net, pieces)
    course = course_from_path(geo.distance_m, geo.lat_deg, geo.lon_deg, geo.elevation_m,
                              reference_speed_mps=profile.reference_speed_mps,
                              smooth_positions=False)
    n_steps = geo.step_edge.shape[0]
    if n_steps:
        idx = np.clip(np.searchsorted(geo.distance_m, course.distance_m, side="right") - 1,
                      0, n_steps - 1)
        sample_edge = geo.step_edge[idx]
    else:
        sample_edge = np.full(len(course), -1, dtype=np.int64)
    surface = surface_for_edges(net, sample_edge, matched_share=1.0)
    score = score_course(course, surface, profile, recorded=False)
    climb, descent = score.climb_descent_m
    steps = np.diff(geo.distance_m)
    steps_m = float(steps[(net.edge_flags[geo.step_edge] & FLAG_STEPS) != 0].sum()) if n_steps else 0.0
    return RouteSummary(geo, course, score.turns, surface, score.hip_load, score.grades, climb,
                        descent, steps_m)
