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
from hipstride.map import _geometry
from hipstride.map.network import FLAG_STEPS, FootNetwork, IntArray
from hipstride.map.surfaces import surface_for_edges
from hipstride.model.hipload import FACTORS, HipLoad
from hipstride.model.profile import Profile
from hipstride.model.score import GradeFacts, score_course
from hipstride.track.course import Course, course_from_path
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


def _float64(values: FloatArray) -> FloatArray:
    """``values`` as the compiled code reads them (contiguous float64; no copy when they are)."""
    return np.ascontiguousarray(values, dtype=np.float64)


def _int64(values: IntArray) -> IntArray:
    return np.ascontiguousarray(values, dtype=np.int64)


def route_geometry(net: FootNetwork, pieces: list[Piece]) -> RouteGeometry:
    """Points of a route made of edge pieces (consecutive pieces share their joining point).

    Each piece gives its start and end (linear between the edge's shape points around them) and
    the edge's shape points strictly between them, in the direction run; the first point of every
    piece but the first is the previous piece's last. Distances are the haversine steps of
    :func:`~hipstride.track.geodesy.segment_lengths_m`. The walk over the pieces is compiled
    (:mod:`hipstride.map._geometry`).
    """
    if not pieces:
        z = np.zeros(0)
        return RouteGeometry(pieces, z, z, z, z, np.zeros(0, dtype=np.int64))
    f64, i64 = _float64, _int64
    lat, lon, elevation, distance, step_edge = _geometry.route_points(
        pieces, f64(net.edge_length_m), i64(net.shape_ptr), f64(net.shape_offset_m),
        f64(net.shape_lat_deg), f64(net.shape_lon_deg), f64(net.shape_elevation_m),
        f64(net.edge_grade_pct))
    return RouteGeometry(pieces, np.frombuffer(lat), np.frombuffer(lon), np.frombuffer(distance),
                         np.frombuffer(elevation), np.frombuffer(step_edge, dtype=np.int64))


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
        sample_edge = np.empty(len(course), dtype=np.int64)
        _geometry.sample_edges(geo.distance_m, course.distance_m, geo.step_edge, sample_edge)
    else:
        sample_edge = np.full(len(course), -1, dtype=np.int64)
    surface = surface_for_edges(net, sample_edge, matched_share=1.0)
    score = score_course(course, surface, profile, recorded=False)
    climb, descent = score.climb_descent_m
    steps = np.diff(geo.distance_m)
    steps_m = float(steps[(net.edge_flags[geo.step_edge] & FLAG_STEPS) != 0].sum()) if n_steps else 0.0
    return RouteSummary(geo, course, score.turns, surface, score.hip_load, score.grades, climb,
                        descent, steps_m)
