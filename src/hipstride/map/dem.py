"""Elevation from a digital elevation model: SRTM ``.hgt`` tiles (plain or zipped) or a GeoTIFF.

* **SRTM** (``N42E001.hgt``, or a ``.zip`` holding one): a square grid of big-endian 16-bit
  heights in metres, 1201 × 1201 (3 arc-seconds) or 3601 × 3601 (1 arc-second), rows from north
  to south, whose corner samples lie on the whole degrees the name gives (south-west corner).
  Voids (−32768, on steep peaks and in gorges where the radar saw nothing) are filled by linear
  interpolation between the valid cells around each void (in the Delaunay triangles of the
  voids' rims; the nearest rim cell where a void reaches the tile's edge), within a window
  around the points asked for, so a climb over a summit is not lost. (Linear filling
  underestimates a summit that lies inside a void: on the Mont Valier run, the DEM's climb is
  7 % under the watch's.) Read with NumPy alone.
* **GeoTIFF** and any other single-band raster ``rasterio`` reads, in any CRS; no-data cells
  are missing (NaN). ``rasterio`` is an optional dependency: only a DEM needs it.

A DEM serves the map import (a grade for every way) and, with :func:`activity_on_dem`, a
recording whose own altitude is poor (``hipstride analyze --dem``). Several tiles may be given
(Andorra spans two SRTM tiles): each point takes the first tile that
has a value for it. A file that is none of these, or that covers none of the points, is refused
with a message naming it.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hipstride.activity import Activity, FloatArray
from hipstride.errors import InputError

__all__ = ["SRTM_VOID", "DemPaths", "activity_on_dem", "dem_paths", "sample_dem"]

#: The SRTM value of a cell without data.
SRTM_VOID = -32768
#: Side lengths of SRTM tiles (3 and 1 arc-seconds).
_SRTM_SIDES = (1201, 3601)
_SRTM_NAME = re.compile(r"([NS])(\d{2})([EW])(\d{3})\.hgt$", re.IGNORECASE)
#: One DEM file or several tiles.
DemPaths = str | Path | Sequence[str | Path]


#: Voids are filled in a window this many cells around the points asked for (not the whole
#: tile: a 3601² tile of the Alps has tens of thousands of void cells).
_FILL_MARGIN_CELLS = 40


@dataclass(frozen=True)
class _Grid:
    """An SRTM tile: heights (metres) with voids, whose sample ``[r, c]`` lies at
    ``(north − r·step, west + c·step)`` degrees."""

    heights: FloatArray
    void: np.ndarray[Any, Any]
    north_deg: float
    west_deg: float
    step_deg: float

    def sample(self, lat: FloatArray, lon: FloatArray) -> FloatArray:
        row = (self.north_deg - lat) / self.step_deg
        col = (lon - self.west_deg) / self.step_deg
        h, w = self.heights.shape
        ok = np.isfinite(row) & np.isfinite(col) & (row > -1) & (row < h) & (col > -1) & (col < w)
        if not ok.any():
            return np.full(lat.shape[0], np.nan)
        r0 = max(int(np.floor(row[ok].min())) - _FILL_MARGIN_CELLS, 0)
        r1 = min(int(np.ceil(row[ok].max())) + _FILL_MARGIN_CELLS + 1, h)
        c0 = max(int(np.floor(col[ok].min())) - _FILL_MARGIN_CELLS, 0)
        c1 = min(int(np.ceil(col[ok].max())) + _FILL_MARGIN_CELLS + 1, w)
        window = self.heights[r0:r1, c0:c1]
        void = self.void[r0:r1, c0:c1]
        if void.any():
            window = _fill_voids(window, void)
        out = np.full(lat.shape[0], np.nan)
        out[ok] = _bilinear(window, row[ok] - r0, col[ok] - c0)
        return out


def dem_paths(dem: DemPaths) -> list[Path]:
    """The DEM files of a path or a list of paths."""
    if isinstance(dem, (str, Path)):
        return [Path(dem)]
    return [Path(p) for p in dem]


def _srtm_bytes(path: Path) -> tuple[str, bytes]:
    """The tile name and the heights of an ``.hgt`` file or of the one ``.hgt`` in a zip."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if m.lower().endswith(".hgt")]
                if len(members) != 1:
                    raise InputError(f"{path}: a zipped SRTM tile must hold exactly one .hgt file "
                                     f"(found {len(members)})")
                info = archive.getinfo(members[0])
                if info.file_size > 2 * _SRTM_SIDES[-1] ** 2:
                    raise InputError(f"{path}: {members[0]} is too large for an SRTM tile")
                return Path(members[0]).name, archive.read(members[0])
        return path.name, path.read_bytes()
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: cannot be read as an SRTM tile ({exc})") from None


def _read_srtm(path: Path) -> _Grid:
    name, data = _srtm_bytes(path)
    match = _SRTM_NAME.search(name)
    if match is None:
        raise InputError(f"{path}: an SRTM tile is named after its south-west corner, like "
                         f"N42E001.hgt; '{name}' is not")
    side = next((s for s in _SRTM_SIDES if len(data) == 2 * s * s), None)
    if side is None:
        raise InputError(f"{path}: holds {len(data)} bytes, not an SRTM tile (1201 × 1201 or "
                         "3601 × 3601 big-endian 16-bit heights)")
    raw = np.frombuffer(data, dtype=">i2").reshape(side, side)
    void = raw == SRTM_VOID
    if void.all():
        raise InputError(f"{path}: every cell is a void: no elevation in this tile")
    south = int(match.group(2)) * (1 if match.group(1).upper() == "N" else -1)
    west = int(match.group(4)) * (1 if match.group(3).upper() == "E" else -1)
    return _Grid(raw.astype(np.float64), void, south + 1.0, float(west), 1.0 / (side - 1))


def _dilate(mask: np.ndarray[Any, Any], cells: int) -> np.ndarray[Any, Any]:
    """``mask`` grown by ``cells`` in every direction (8-neighbourhood)."""
    h, w = mask.shape
    padded = np.pad(mask, cells)
    out = np.zeros_like(mask)
    for dr in range(2 * cells + 1):
        for dc in range(2 * cells + 1):
            out |= padded[dr:dr + h, dc:dc + w]
    return out


def _fill_voids(heights: FloatArray, void: np.ndarray[Any, Any]) -> FloatArray:
    """Void cells filled linearly from the valid cells on their rim (the Delaunay triangle of
    rim cells holding each void cell, barycentric weights; the nearest rim cell outside them)."""
    from scipy.spatial import Delaunay, QhullError, cKDTree

    rim = _dilate(void, 2) & ~void
    rim_rc = np.argwhere(rim).astype(np.float64)
    void_rc = np.argwhere(void).astype(np.float64)
    values = heights[rim]
    filled = heights.copy()
    if rim_rc.shape[0] == 0:
        filled[void] = np.nan
        return filled
    linear = np.full(void_rc.shape[0], np.nan)
    try:
        tri = Delaunay(rim_rc)
        simplex = tri.find_simplex(void_rc)
        hit = simplex >= 0
        transform = tri.transform[simplex[hit]]
        b = np.einsum("ijk,ik->ij", transform[:, :2], void_rc[hit] - transform[:, 2])
        weights = np.column_stack((b, 1.0 - b.sum(axis=1)))
        linear[hit] = (values[tri.simplices[simplex[hit]]] * weights).sum(axis=1)
    except (QhullError, ValueError):   # rim cells all in a line: nearest only
        pass
    missing = ~np.isfinite(linear)
    if missing.any():
        _, nearest = cKDTree(rim_rc).query(void_rc[missing])
        linear[missing] = values[nearest]
    filled[void] = linear
    return filled


def _read_raster(path: Path, lat: FloatArray, lon: FloatArray) -> FloatArray:
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
    if not crs.is_geographic:
        xs, ys = warp_transform("EPSG:4326", crs, lon.tolist(), lat.tolist())
        x, y = np.asarray(xs), np.asarray(ys)
    else:
        x, y = lon, lat
    # the inverse affine transform, written out (affine's `*` on vectors is deprecated)
    col = inverse.a * x + inverse.b * y + inverse.c
    row = inverse.d * x + inverse.e * y + inverse.f
    # pixel centres sit at +0.5: shift so that integer coordinates are centres
    return _bilinear(grid, np.asarray(row) - 0.5, np.asarray(col) - 0.5)


def _is_srtm(path: Path) -> bool:
    """An ``.hgt`` file or a zip (a zip is read as a zipped SRTM tile)."""
    return path.name.lower().endswith((".hgt", ".zip"))


def sample_dem(dem: DemPaths, lat_deg: FloatArray, lon_deg: FloatArray) -> FloatArray:
    """Elevation in metres at each point, bilinearly interpolated from one DEM or several tiles.

    Parameters
    ----------
    dem
        An SRTM ``.hgt`` tile (plain or zipped), a GeoTIFF (any single-band raster of heights in
        metres ``rasterio`` reads), or a list of them.
    lat_deg, lon_deg
        WGS84 points, decimal degrees.

    Returns
    -------
    numpy.ndarray
        Elevation per point, metres; NaN outside every tile and on no-data cells of a raster.

    Raises
    ------
    hipstride.errors.InputError
        When a file is not a DEM, cannot be read, or ``rasterio`` is missing for a raster; or
        when the files cover none of the points.
    """
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    out = np.full(lat.shape[0], np.nan)
    paths = dem_paths(dem)
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such elevation model file")
        todo = ~np.isfinite(out)
        if not todo.any():
            break
        if _is_srtm(path):
            values = _read_srtm(path).sample(lat[todo], lon[todo])
        else:
            values = _read_raster(path, lat[todo], lon[todo])
        out[todo] = values
    finite = np.isfinite(lat) & np.isfinite(lon)
    if finite.any() and not np.isfinite(out[finite]).any():
        names = ", ".join(str(p) for p in paths)
        raise InputError(f"{names}: the elevation model covers none of the points "
                         f"(they lie around {np.nanmedian(lat):.3f}, {np.nanmedian(lon):.3f})")
    return out


def _bilinear(grid: FloatArray, row: FloatArray, col: FloatArray) -> FloatArray:
    """Bilinear interpolation of ``grid`` at fractional (row, col); NaN outside."""
    h, w = grid.shape
    out = np.full(row.shape[0], np.nan)
    inside = (row >= -0.5) & (row <= h - 0.5) & (col >= -0.5) & (col <= w - 0.5)
    row, col = np.where(inside, row, 0.0), np.where(inside, col, 0.0)
    r0 = np.floor(row).astype(np.int64)
    c0 = np.floor(col).astype(np.int64)
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


def activity_on_dem(activity: Activity, dem: DemPaths) -> Activity:
    """The activity with its elevation taken from a DEM at its positions, for recordings whose
    GPS or barometric altitude is poor. A sample without a position takes the elevation
    interpolated in time between its neighbours that have one (NaN outside them).

    Raises
    ------
    hipstride.errors.InputError
        As :func:`sample_dem`.
    """
    elevation = sample_dem(dem, activity.lat_deg, activity.lon_deg)
    known = np.flatnonzero(np.isfinite(elevation) & np.isfinite(activity.time_s))
    if known.size >= 2:
        t = activity.time_s
        inside = (t >= t[known[0]]) & (t <= t[known[-1]]) & ~np.isfinite(elevation)
        elevation[inside] = np.interp(t[inside], t[known], elevation[known])
    names = ", ".join(p.name for p in dem_paths(dem))
    return dataclasses.replace(activity, elevation_m=elevation,
                               warnings=[*activity.warnings, f"elevation from the DEM {names}"])
