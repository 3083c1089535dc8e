"""Elevation from a digital elevation model (a GeoTIFF), read with ``rasterio``.

``rasterio`` is an optional dependency: only ``hipstride map import --dem`` needs it.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from hipstride.activity import FloatArray
from hipstride.errors import InputError

__all__ = ["sample_dem"]


def sample_dem(path: str | Path, lat_deg: FloatArray, lon_deg: FloatArray) -> FloatArray:
    """Elevation in metres at each point, bilinearly interpolated from a DEM GeoTIFF.

    Parameters
    ----------
    path
        A single-band raster of elevations in metres, in any CRS ``rasterio`` understands.
    lat_deg, lon_deg
        WGS84 points, decimal degrees.

    Returns
    -------
    numpy.ndarray
        Elevation per point, metres; NaN outside the raster or on no-data cells.

    Raises
    ------
    hipstride.errors.InputError
        When ``rasterio`` is missing or the file cannot be read as a raster.
    """
    try:
        import rasterio
        from rasterio.warp import transform as warp_transform
    except ImportError:  # pragma: no cover - depends on the installation
        raise InputError("reading an elevation model (DEM) needs the optional package rasterio "
                         "(pip install rasterio)") from None
    try:
        with warnings.catch_warnings():  # "not georeferenced" is said below, in one line
            warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
            src = rasterio.open(path)
        with src:
            if src.crs is None or src.transform.is_identity or src.count != 1:
                # a photo opens as a raster too: without a place on Earth its pixels would be
                # taken for heights at whatever cells the coordinates fall on
                raise InputError(f"{path}: not an elevation model (a DEM has one band and is "
                                 "georeferenced: a coordinate reference system and a transform)")
            band: Any = src.read(1, masked=True)
            inverse = ~src.transform
            crs = src.crs
    except (OSError, rasterio.errors.RasterioError) as exc:
        raise InputError(f"{path}: cannot be read as an elevation raster ({exc})") from None
    grid = np.asarray(np.ma.filled(band.astype(np.float64), np.nan))
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    if crs is not None and not crs.is_geographic:
        xs, ys = warp_transform("EPSG:4326", crs, lon.tolist(), lat.tolist())
        x, y = np.asarray(xs), np.asarray(ys)
    else:
        x, y = lon, lat
    # the inverse affine transform, written out (affine's `*` on vectors is deprecated)
    col = inverse.a * x + inverse.b * y + inverse.c
    row = inverse.d * x + inverse.e * y + inverse.f
    # pixel centres sit at +0.5: shift so that integer coordinates are centres
    return _bilinear(grid, np.asarray(row) - 0.5, np.asarray(col) - 0.5)


def _bilinear(grid: FloatArray, row: FloatArray, col: FloatArray) -> FloatArray:
    """Bilinear interpolation of ``grid`` at fractional (row, col); NaN outside."""
    h, w = grid.shape
    out = np.full(row.shape[0], np.nan)
    r0 = np.floor(row).astype(np.int64)
    c0 = np.floor(col).astype(np.int64)
    inside = (row >= -0.5) & (row <= h - 0.5) & (col >= -0.5) & (col <= w - 0.5)
    r0 = np.clip(r0, 0, max(h - 2, 0))
    c0 = np.clip(c0, 0, max(w - 2, 0))
    r1 = np.minimum(r0 + 1, h - 1)
    c1 = np.minimum(c0 + 1, w - 1)
    fr = np.clip(row - r0, 0.0, 1.0)
    fc = np.clip(col - c0, 0.0, 1.0)
    top = grid[r0, c0] * (1 - fc) + grid[r0, c1] * fc
    bottom = grid[r1, c0] * (1 - fc) + grid[r1, c1] * fc
    value = top * (1 - fr) + bottom * fr
    out[inside] = value[inside]
    return out
