"""A route's points from its edge pieces, compiled (``_geometry.c``).

:func:`hipstride.map.evaluate.route_geometry` calls it and documents the method.
"""

import numpy as np
from numpy.typing import NDArray

def route_points(edges: NDArray[np.int64], fraction_from: NDArray[np.float64],
                 fraction_to: NDArray[np.float64], edge_length_m: NDArray[np.float64],
                 shape_ptr: NDArray[np.int64], shape_offset_m: NDArray[np.float64],
                 shape_lat_deg: NDArray[np.float64], shape_lon_deg: NDArray[np.float64],
                 shape_elevation_m: NDArray[np.float64], lat_deg: NDArray[np.float64],
                 lon_deg: NDArray[np.float64], elevation_m: NDArray[np.float64],
                 piece: NDArray[np.int64], distance_m: NDArray[np.float64]) -> int:
    """The points of the pieces into the first entries of the outputs, each point's piece and
    the cumulative distance along them (m); returns how many points. Raises ``ValueError``
    when a buffer does not fit the tables or the pieces' edges do not exist."""
