"""The ways of a stored map inside a view, as compact JSON for a vector map drawn in the browser.

A browser map of the ground (the web app's planner and run pages) draws the ways of the current
view only: measured on the Heidelberg extract, the ways of a city view are a few hundred kB and
about 0.1 s, the whole map about ten times that (``../shared/reviews/research.md`` §B.2). So the
page asks for its view's box and gets back only the ways with a segment starting in it, each as
its surface class and its points (degrees rounded to 1e-5, about a metre), capped at
:data:`MAX_WAYS` with ``truncated`` set when the cap cut the list. The same selection is the
basemap of a run's printed report (:func:`run_basemap`), so both views of the ground agree.

The track of a run is given the same way (:func:`track_view`): its points and, for each point,
the class of its hip-load colour on the report's scale (:data:`~hipstride.report.run_map.LOAD_COLOURS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hipstride.errors import InputError
from hipstride.map.network import ATTRIBUTION, FootNetwork
from hipstride.report._svg import thin_indices
from hipstride.report.run_map import LOAD_COLOURS, SURFACE_COLOURS, Basemap, load_bins
from hipstride.track.surface import SURFACE_CLASSES

if TYPE_CHECKING:
    from hipstride.analysis.run import RunAnalysis

__all__ = ["MAX_WAYS", "check_box", "run_basemap", "track_box", "track_view", "view_centre",
           "ways_in_box"]

#: The most ways one view returns (a dense city view holds about 7,000).
MAX_WAYS = 12_000
#: Decimals kept of each coordinate (1e-5 degrees is about 1 m).
DECIMALS = 5
#: Most points of a drawn track (the report's own thinning rule).
MAX_TRACK_POINTS = 4000

Box = tuple[float, float, float, float]


def check_box(south: float, west: float, north: float, east: float) -> Box:
    """The box ``(south, west, north, east)`` in degrees, checked: a position on Earth, with
    south below north and west left of east."""
    values = (south, west, north, east)
    if not all(np.isfinite(v) for v in values):
        raise InputError("the view box needs four finite numbers (south, west, north, east)")
    if not (-90.0 <= south < north <= 90.0 and -180.0 <= west < east <= 180.0):
        raise InputError(f"the view box {values} is not a box on Earth "
                         "(south < north within ±90°, west < east within ±180°)")
    return values


def _edges_in_box(net: FootNetwork, box: Box) -> np.ndarray[Any, Any]:
    s, w, n, e = box
    start = net.segment_starts
    lat, lon = net.shape_lat_deg[start], net.shape_lon_deg[start]
    inside = (lat >= s) & (lat <= n) & (lon >= w) & (lon <= e)
    return np.unique(net.shape_edge[start[inside]])


def ways_in_box(net: FootNetwork, box: Box, *, max_ways: int = MAX_WAYS) -> dict[str, Any]:
    """The ways of ``net`` with a segment starting inside ``box`` (see the module docstring).

    The document: ``map``, ``box``, ``classes`` (surface class names by code), ``colours`` (by
    code), ``ways`` (each ``[class code, [[lat, lon], …]]``), ``truncated`` and ``attribution``.
    """
    edges = _edges_in_box(net, check_box(*box))
    truncated = edges.shape[0] > max_ways
    edges = edges[:max_ways]
    ptr = net.shape_ptr
    lat = np.round(net.shape_lat_deg, DECIMALS)
    lon = np.round(net.shape_lon_deg, DECIMALS)
    classes = net.edge_surface_class
    ways = []
    for edge in edges.tolist():
        a, b = int(ptr[edge]), int(ptr[edge + 1])
        ways.append([int(classes[edge]),
                     np.column_stack((lat[a:b], lon[a:b])).tolist()])
    return {"map": net.name, "box": list(box), "classes": list(SURFACE_CLASSES),
            "colours": list(SURFACE_COLOURS), "ways": ways, "truncated": bool(truncated),
            "attribution": ATTRIBUTION}


def view_centre(net: FootNetwork) -> tuple[float, float]:
    """Where a first view of ``net`` opens: the median position of its nodes, which lies where
    the ways are dense (an extract's box can be mostly empty around a city)."""
    if net.n_nodes == 0:
        s, w, n, e = net.bbox()
        return (s + n) / 2.0, (w + e) / 2.0
    return float(np.median(net.node_lat_deg)), float(np.median(net.node_lon_deg))


def track_box(analysis: RunAnalysis, *, margin_deg: float = 0.002) -> Box | None:
    """The box around a run's positions (with a margin), or ``None`` without positions."""
    course = analysis.course
    if not course.has_positions:
        return None
    lat, lon = course.lat_deg, course.lon_deg
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return None
    return (max(float(lat[ok].min()) - margin_deg, -90.0), max(float(lon[ok].min()) - margin_deg, -180.0),
            min(float(lat[ok].max()) + margin_deg, 90.0), min(float(lon[ok].max()) + margin_deg, 180.0))


def run_basemap(net: FootNetwork, analysis: RunAnalysis) -> Basemap | None:
    """The ways of ``net`` around the run, as the basemap of its printed report."""
    box = track_box(analysis)
    if box is None:
        return None
    edges = _edges_in_box(net, box)[:MAX_WAYS]
    ptr = net.shape_ptr
    lines = [(net.shape_lat_deg[int(ptr[e]):int(ptr[e + 1])],
              net.shape_lon_deg[int(ptr[e]):int(ptr[e + 1])]) for e in edges.tolist()]
    return Basemap(tuple(lines), attribution=ATTRIBUTION) if lines else None


def track_view(analysis: RunAnalysis) -> dict[str, Any] | None:
    """A run's track for the browser map: ``points`` (``[lat, lon]``, a ``null`` pair where
    the position is missing), ``load_class`` of each point, ``colours`` (the hip-load scale)
    and ``box``; ``None`` when the run has no positions."""
    box = track_box(analysis)
    if box is None:
        return None
    course = analysis.course
    keep = thin_indices(len(course), MAX_TRACK_POINTS)
    lat, lon = course.lat_deg[keep], course.lon_deg[keep]
    bins = load_bins(analysis.hip_load.multiplier)[keep]
    points = [None if not (np.isfinite(a) and np.isfinite(b)) else [round(a, 6), round(b, 6)]
              for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]
    return {"points": points, "load_class": bins.tolist(), "colours": list(LOAD_COLOURS),
            "box": list(box)}
