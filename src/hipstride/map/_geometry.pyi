"""A route's points from its edge pieces, compiled (``_geometry.c``).

:func:`hipstride.map.evaluate.route_geometry` calls it and documents the method.
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

def route_points(pieces: Sequence[tuple[int, float, float]], edge_length_m: NDArray[np.float64],
                 shape_ptr: NDArray[np.int64], shape_offset_m: NDArray[np.float64],
                 shape_lat_deg: NDArray[np.float64], shape_lon_deg: NDArray[np.float64],
                 shape_elevation_m: NDArray[np.float64], edge_grade_pct: NDArray[np.float64],
                 ) -> tuple[bytearray, bytearray, bytearray, bytearray, bytearray]:
    """The points of the pieces ``(edge, fraction from, fraction to)``: latitude, longitude,
    elevation (m) and cumulative distance (m) per point as float64, and the edge of each step
    between two points as int64. Without any elevation, the edges' grades are integrated from
    0 m where any is known. Raises ``ValueError`` when a table's length does not fit the others
    or a piece's edge does not exist."""

def sample_edges(distance_m: NDArray[np.float64], at_m: NDArray[np.float64],
                 step_edge: NDArray[np.int64], out: NDArray[np.int64]) -> None:
    """The edge under each sample at ``at_m`` (ascending) of a route whose points lie at
    ``distance_m``: that of the last step starting at or before it (clipped to the steps)."""

def edge_surface(edges: NDArray[np.int64], edge_class: NDArray[np.int8],
                 edge_confidence: NDArray[np.float64], edge_label: NDArray[np.int64],
                 labels: list[str], edge_way: NDArray[np.int64], way_osm_id: NDArray[np.int64],
                 unknown: int, off_label: str, classes: NDArray[np.int8],
                 confidence: NDArray[np.float64]) -> tuple[list[str], list[int]]:
    """The surface class, confidence and raw label (``labels[edge_label[e]]``) under each
    sample on edge ``edges[i]`` (``-1``: off the network: ``unknown``, 0 and ``off_label``),
    and the OSM ways along them, consecutive repeats collapsed. Raises ``ValueError`` when a
    table's length does not fit or an edge, label or way does not exist."""

def nearest_segment(hits: NDArray[np.int64], piece_segment: NDArray[np.int64],
                    x0: NDArray[np.float64], y0: NDArray[np.float64], x1: NDArray[np.float64],
                    y1: NDArray[np.float64], x_m: float, y_m: float, radius_m: float,
                    ) -> tuple[int, float, float, float, float] | None:
    """Of the segments under the pieces ``hits`` (a k-d tree's answer; an index equal to the
    number of pieces is a miss), the one whose closest point to ``(x_m, y_m)`` is nearest
    within ``radius_m``, the first of equals: ``(segment, t along it, distance, x, y)``."""
