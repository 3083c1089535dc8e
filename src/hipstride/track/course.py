"""A course: a path resampled every few metres of moving distance, with grade and curvature.

Analysis of a recorded run and the planning of a new route both reduce a path to a
:class:`Course`, so that the hip-load model sees the same quantities in both cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.track import _kernels
from hipstride.track.geodesy import EARTH_RADIUS_M, local_xy_m
from hipstride.track.smoothing import despike, gaussian_smooth, interpolate_nans

__all__ = ["DEFAULT_STEP_M", "GRADE_MAX_PCT", "Course", "course_from_path", "despike_elevation_m",
           "grade_pct_from_elevation"]

#: Spacing of course samples along the path, metres.
DEFAULT_STEP_M = 5.0
#: Gaussian σ used to smooth GPS positions along the path, metres.
POSITION_SIGMA_M = 8.0
#: Gaussian σ used to smooth elevation along the path, metres.
ELEVATION_SIGMA_M = 15.0
#: Grade is measured across this baseline, metres (±half on each side).
GRADE_BASELINE_M = 30.0
#: Grades steeper than this are not runnable ground but altimeter or GPS error: they are
#: discarded (NaN: no grade, no load), never counted at a cap (%).
GRADE_MAX_PCT = 45.0
#: An elevation sample further than this from the median of the course within
#: :data:`SPIKE_HALF_WINDOW_M` either side is an altimeter spike and is dropped (m).
SPIKE_ELEVATION_M = 6.0
#: Half-width of the neighbourhood an elevation spike is judged against (m of course).
SPIKE_HALF_WINDOW_M = 25.0


@dataclass(frozen=True)
class Course:
    """A path sampled every ``step_m`` metres.

    All arrays have one value per course sample. Missing quantities are NaN: positions on a
    treadmill, elevation without an altimeter, time and speed for a planned route.
    ``heading_deg`` is a compass bearing, unwrapped (it keeps growing through 360° on a clockwise
    loop) so that differences are turn angles: positive = right (clockwise), negative = left.
    """

    step_m: float
    distance_m: FloatArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    x_m: FloatArray
    y_m: FloatArray
    elevation_m: FloatArray
    grade_pct: FloatArray
    time_s: FloatArray
    speed_mps: FloatArray
    heading_deg: FloatArray
    lateral_accel_mps2: FloatArray
    #: Step rate while running, steps/min (NaN where unknown or not running).
    cadence_spm: FloatArray

    def __len__(self) -> int:
        return int(self.distance_m.shape[0])

    @property
    def length_m(self) -> float:
        """Path length in metres."""
        return float(self.distance_m[-1]) if len(self) else 0.0

    @property
    def has_positions(self) -> bool:
        return bool(np.isfinite(self.x_m).any())

    @property
    def has_grade(self) -> bool:
        return bool(np.isfinite(self.grade_pct).any())


def grade_pct_from_elevation(elevation_m: FloatArray, step_m: float) -> FloatArray:
    """Grade in percent from an elevation series sampled every ``step_m`` metres.

    Smoothed, then taken across :data:`GRADE_BASELINE_M`; only differences of elevation are
    used, so an offset in barometric altitude does not matter. NaN where elevation is unknown and
    where the grade is steeper than :data:`GRADE_MAX_PCT` (discarded as error).
    """
    n = elevation_m.shape[0]
    if n < 2 or not np.isfinite(elevation_m).any():
        return np.full(n, np.nan)
    elev = gaussian_smooth(interpolate_nans(elevation_m), ELEVATION_SIGMA_M / step_m)
    k = max(1, round(GRADE_BASELINE_M / step_m / 2))
    if n <= 2 * k:
        grade = np.gradient(elev, step_m) * 100.0
    else:
        grade = np.empty(n)
        grade[k:-k] = (elev[2 * k:] - elev[:-2 * k]) / (2 * k * step_m) * 100.0
        grade[:k] = grade[k]
        grade[-k:] = grade[-k - 1]
    grade[~np.isfinite(elevation_m)] = np.nan
    grade[np.abs(grade) > GRADE_MAX_PCT] = np.nan
    return grade


def despike_elevation_m(elevation_m: FloatArray, step_m: float) -> FloatArray:
    """Elevation on the course with altimeter spikes (:data:`SPIKE_ELEVATION_M`) set to NaN.

    A barometer settling at the start, or a GPS altitude that jumps for a few fixes, leaves
    a spike a few samples wide: the median of the 50 m around it ignores it, so it is dropped
    whatever its height. A steady climb, however steep, and a step (stairs) keep their values.
    """
    cleaned = despike(elevation_m, max(1, round(SPIKE_HALF_WINDOW_M / step_m)), SPIKE_ELEVATION_M)
    dropped = np.isfinite(elevation_m) & ~np.isfinite(cleaned)
    if dropped.any() and np.isfinite(cleaned).sum() >= 2:  # bridge the spike from its neighbours
        cleaned[dropped] = interpolate_nans(cleaned)[dropped]
    return cleaned


def course_from_path(path_distance_m: FloatArray, lat_deg: FloatArray, lon_deg: FloatArray,
                     elevation_m: FloatArray, *, time_s: FloatArray | None = None,
                     speed_mps: FloatArray | None = None, cadence_spm: FloatArray | None = None,
                     reference_speed_mps: float,
                     step_m: float = DEFAULT_STEP_M, smooth_positions: bool = True) -> Course:
    """Resample a path onto a regular distance grid and derive grade, heading and curvature.

    Parameters
    ----------
    path_distance_m
        Non-decreasing distance along the path of each input point, metres.
    lat_deg, lon_deg, elevation_m
        Per input point; NaN where unknown.
    time_s, speed_mps
        Per input point, or ``None`` for a planned route (then ``reference_speed_mps`` is used
        for lateral acceleration: the profile's ``reference_speed_mps``, passed in by the caller).
    cadence_spm
        Step rate per input point (NaN where not running), or ``None``.
    smooth_positions
        Smooth GPS noise (recorded tracks); off for map geometry, which has none.
    """
    total = float(path_distance_m[-1]) if path_distance_m.size else 0.0
    n_grid = int(np.floor(total / step_m)) + 1 if total > 0 else 1
    grid = np.arange(n_grid, dtype=np.float64) * step_m
    if total > 0 and grid[-1] < total - 1e-6:
        grid = np.append(grid, total)
    s, first = _distinct(path_distance_m)
    first = np.ascontiguousarray(first, dtype=np.int64)
    scratch = np.empty(2 * s.shape[0])

    def on_grid(values: FloatArray | None) -> FloatArray:
        """``np.interp`` of the finite values at their distances onto the grid, NaN more than a
        step beyond the span that has data (e.g. GPS lost at the end): values are not invented
        there; NaN everywhere with fewer than two finite values (compiled: ``resample``)."""
        out = np.empty(grid.shape[0])
        if values is None or s.size < 2:
            out.fill(np.nan)
            return out
        _kernels.resample(s, np.ascontiguousarray(values, dtype=np.float64), first, grid,
                          float(step_m), out, scratch)
        return out

    has_pos = np.count_nonzero(np.isfinite(lat_deg)) >= 2
    if has_pos:
        lat0 = float(lat_deg[~np.isnan(lat_deg)].mean())
        lon0 = float(lon_deg[~np.isnan(lon_deg)].mean())
        x, y = local_xy_m(lat_deg, lon_deg, lat0, lon0)
        gx, gy = on_grid(x), on_grid(y)
        if smooth_positions:
            sigma = POSITION_SIGMA_M / step_m
            gx, gy = gaussian_smooth(gx, sigma), gaussian_smooth(gy, sigma)
        k = np.pi / 180.0 * EARTH_RADIUS_M
        glat = lat0 + gy / k
        glon = lon0 + gx / (k * np.cos(np.radians(lat0)))
    else:
        gx = gy = glat = glon = np.full(grid.shape[0], np.nan)

    elev = despike_elevation_m(on_grid(elevation_m), step_m)
    grade = grade_pct_from_elevation(elev, step_m)
    gtime = on_grid(time_s)
    gspeed = on_grid(speed_mps)
    if not np.isfinite(gspeed).any():
        gspeed = np.full(grid.shape[0], reference_speed_mps if time_s is None else np.nan)
    heading, lateral = _heading_and_lateral(gx, gy, gspeed, step_m)
    return Course(step_m, grid, glat, glon, gx, gy, elev, grade, gtime, gspeed, heading, lateral,
                  on_grid(cadence_spm))


def _distinct(values: FloatArray) -> tuple[FloatArray, NDArray[np.intp]]:
    """``np.unique(values, return_index=True)``: the distinct values and where each first
    occurs; on a path's distances, already in order, by comparing neighbours (no sort)."""
    if values.shape[0] > 1 and bool((values[1:] >= values[:-1]).all()):   # sorted, no NaN
        new = np.empty(values.shape[0], dtype=bool)
        new[0] = True
        np.not_equal(values[1:], values[:-1], out=new[1:])
        first = np.flatnonzero(new)
        return values[first], first
    s, first = np.unique(values, return_index=True)
    return s, first


def _heading_and_lateral(x: FloatArray, y: FloatArray, speed: FloatArray,
                         step_m: float) -> tuple[FloatArray, FloatArray]:
    """Unwrapped compass heading (deg) and lateral acceleration v²·κ (m/s²) along the grid.

    Positions are filled across gaps (linearly, ends held); the heading is the direction of the
    central difference, carried over where the path does not move (< 1 µm), and unwrapped; the
    curvature κ is the heading's rate of change per metre, smoothed over σ = 1 sample. Heading is
    NaN where the position is unknown, lateral acceleration 0 where speed or curvature is
    (compiled: :mod:`hipstride.track._kernels`).
    """
    n = x.shape[0]
    heading, lateral = np.empty(n), np.empty(n)
    _kernels.heading_lateral(np.ascontiguousarray(x, dtype=np.float64),
                             np.ascontiguousarray(y, dtype=np.float64),
                             np.ascontiguousarray(speed, dtype=np.float64), float(step_m),
                             heading, lateral)
    return heading, lateral
