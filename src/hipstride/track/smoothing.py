"""Noise smoothing for positions and elevation, altimeter spikes, and climb/descent with hysteresis.

Climb and descent are counted once, by :func:`climb_descent_per_sample_m`: the totals
(:func:`climb_descent_m`) are its sums, so a per-km table built from it adds up to the headline.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.track import _kernels

__all__ = ["climb_descent_m", "climb_descent_per_sample_m", "despike", "gaussian_smooth",
           "interpolate_nans", "turning_point_indices", "turning_points"]


def gaussian_smooth(values: FloatArray, sigma_samples: float) -> FloatArray:
    """Gaussian-smooth a 1-D series, ignoring NaN (normalised convolution).

    Each finite sample becomes the weighted mean of the finite samples within ``⌈3σ⌉`` of it
    (weights ``exp(−k²/2σ²)``), so the edges are not pulled towards zero; samples that are not
    finite stay NaN. ``sigma_samples`` ≤ 0, or fewer than 3 samples, returns a copy.
    """
    src = np.ascontiguousarray(values, dtype=np.float64)
    out = np.empty_like(src)
    _kernels.smooth(src, float(sigma_samples), out)
    return out


def interpolate_nans(values: FloatArray, along: FloatArray | None = None) -> FloatArray:
    """Fill NaN by linear interpolation along ``along`` (default: sample index); ends are held.

    An all-NaN series is returned unchanged.
    """
    out = np.array(values, dtype=np.float64, copy=True)
    valid = np.isfinite(out)
    if valid.all() or not valid.any():
        return out
    x = np.arange(out.shape[0], dtype=np.float64) if along is None else along
    out[~valid] = np.interp(x[~valid], x[valid], out[valid])
    return out


def despike(values: FloatArray, half_window: int, threshold: float) -> FloatArray:
    """Set to NaN the samples further than ``threshold`` from the median of their neighbourhood.

    The neighbourhood is ``half_window`` samples either side (a Hampel filter without the scale
    estimate); NaN samples are left out of it, and ±inf are values like the others. A spike
    narrower than ``half_window`` samples is removed whatever its height, while a ramp or a step,
    however steep, keeps its values: the median of a window across a ramp or a step is the
    centre's own value or its side's. A sample within ``threshold`` of both the smallest and the
    largest value of its window is kept without a median (the median lies between them).
    """
    src = np.ascontiguousarray(values, dtype=np.float64)
    out = np.empty_like(src)
    _kernels.despike(src, int(half_window), float(threshold), out)
    return out


def turning_point_indices(values: FloatArray, threshold: float) -> NDArray[np.int64]:
    """Indices of the first sample, the confirmed peaks and troughs, and the last sample.

    A reversal is only confirmed once the series has moved back by more than ``threshold`` from
    the last extreme, so wiggles smaller than the band (noise, barometric drift) are ignored but
    every larger swing counts in full. Samples that are not finite are skipped, and so are those
    that cannot change the result (one equal to the one before it, one strictly between its two
    neighbours). Units are those of ``values``.
    """
    src = np.ascontiguousarray(values, dtype=np.float64)
    scratch = np.empty(src.shape[0], dtype=np.int64)
    points = np.empty(src.shape[0] + 1, dtype=np.int64)    # a negative band may repeat the last
    count = _kernels.turning_points(src, float(threshold), scratch, points)
    return points[:count].copy()


def turning_points(values: FloatArray, threshold: float) -> FloatArray:
    """Values at :func:`turning_point_indices`: first value, confirmed extremes (see there)."""
    return np.asarray(values[turning_point_indices(values, threshold)], dtype=np.float64)


def climb_descent_per_sample_m(elevation_m: FloatArray, *, threshold_m: float,
                               sigma_samples: float = 2.0) -> tuple[FloatArray, FloatArray]:
    """Climb and descent (m, both ≥ 0) credited to each sample, from the hysteresis turning points.

    The series is smoothed and reduced to its turning points with a band of ``threshold_m``;
    each rise between two turning points is spread over the samples where the running maximum
    grows, each fall where the running minimum drops. The sums are :func:`climb_descent_m`.
    """
    n = elevation_m.shape[0]
    climb, descent = np.zeros(n), np.zeros(n)
    if int(np.count_nonzero(np.isfinite(elevation_m))) < 2:
        return climb, descent
    smooth = interpolate_nans(gaussian_smooth(elevation_m, sigma_samples))
    _kernels.climb_descent(smooth, float(threshold_m), climb, descent,
                           np.empty(2 * n + 1, dtype=np.int64))
    return climb, descent


def climb_descent_m(elevation_m: FloatArray, *, threshold_m: float,
                    sigma_samples: float = 2.0) -> tuple[float, float]:
    """Total climb and descent in metres from an elevation series.

    The series is smoothed, then reduced to its turning points with a hysteresis band of
    ``threshold_m`` (every swing larger than the band counts in full); only differences are used,
    so a constant barometric offset does not matter. The band has no default: runs and routes
    use :data:`hipstride.model.score.CLIMB_HYSTERESIS_M` through :mod:`hipstride.model.score`.
    """
    climb, descent = climb_descent_per_sample_m(elevation_m, threshold_m=threshold_m,
                                                sigma_samples=sigma_samples)
    return float(climb.sum()), float(descent.sum()) + 0.0
