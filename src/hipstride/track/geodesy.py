"""Distances and bearings on the WGS84 sphere, and a local metric projection.

One Earth radius for the whole project: :data:`EARTH_RADIUS_M`.
"""

from __future__ import annotations

import numpy as np

from hipstride.activity import FloatArray

__all__ = ["EARTH_RADIUS_M", "bearing_deg", "haversine_m", "local_xy_m", "segment_lengths_m"]

#: Mean Earth radius (IUGG), metres. Used everywhere hipstride measures on the globe.
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1_deg: FloatArray | float, lon1_deg: FloatArray | float,
                lat2_deg: FloatArray | float, lon2_deg: FloatArray | float) -> FloatArray:
    """Great-circle distance in metres between points given in decimal degrees (broadcasts)."""
    lat1 = np.radians(lat1_deg)
    lat2 = np.radians(lat2_deg)
    dlat = lat2 - lat1
    dlon = np.radians(np.asarray(lon2_deg) - np.asarray(lon1_deg))
    a = np.sin(dlat / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2.0) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64)


def segment_lengths_m(lat_deg: FloatArray, lon_deg: FloatArray) -> FloatArray:
    """Length in metres of each step between consecutive points (``n - 1`` values; NaN → 0)."""
    if lat_deg.shape[0] < 2:
        return np.zeros(0)
    d = haversine_m(lat_deg[:-1], lon_deg[:-1], lat_deg[1:], lon_deg[1:])
    return np.nan_to_num(d, nan=0.0)


def bearing_deg(lat1_deg: FloatArray, lon1_deg: FloatArray,
                lat2_deg: FloatArray, lon2_deg: FloatArray) -> FloatArray:
    """Initial compass bearing in degrees (0 = north, 90 = east) from point 1 to point 2."""
    lat1 = np.radians(lat1_deg)
    lat2 = np.radians(lat2_deg)
    dlon = np.radians(lon2_deg - lon1_deg)
    y = np.sin(dlon) * np.cos(lat2)
    x = np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(dlon)
    return np.asarray(np.degrees(np.arctan2(y, x)) % 360.0, dtype=np.float64)


def local_xy_m(lat_deg: FloatArray, lon_deg: FloatArray,
               lat0_deg: float | None = None, lon0_deg: float | None = None) -> tuple[FloatArray, FloatArray]:
    """Project to a local east/north plane in metres (equirectangular about a reference point).

    Accurate to well under 0.1 % within a few tens of kilometres of the reference, which by default
    is the mean position. ``x`` points east, ``y`` north.
    """
    if lat0_deg is None:
        lat0_deg = float(np.nanmean(lat_deg))
    if lon0_deg is None:
        lon0_deg = float(np.nanmean(lon_deg))
    k = np.pi / 180.0 * EARTH_RADIUS_M
    x = (lon_deg - lon0_deg) * k * np.cos(np.radians(lat0_deg))
    y = (lat_deg - lat0_deg) * k
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
