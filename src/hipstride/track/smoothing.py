"""Noise smoothing for positions and elevation, and climb/descent totals with hysteresis."""

from __future__ import annotations

import numpy as np

from hipstride.activity import FloatArray

__all__ = ["climb_descent_m", "gaussian_smooth", "interpolate_nans", "turning_points"]


def gaussian_smooth(values: FloatArray, sigma_samples: float) -> FloatArray:
    """Gaussian-smooth a 1-D series, ignoring NaN (normalised convolution).

    Samples that are NaN stay NaN; edges are normalised so the series is not pulled towards zero.
    ``sigma_samples`` ≤ 0 returns a copy.
    """
    out = np.array(values, dtype=np.float64, copy=True)
    if sigma_samples <= 0 or out.shape[0] < 3:
        return out
    half = max(1, int(np.ceil(3.0 * sigma_samples)))
    k = np.arange(-half, half + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (k / sigma_samples) ** 2)
    valid = np.isfinite(out)
    filled = np.where(valid, out, 0.0)
    num = np.convolve(filled, kernel, mode="same")
    den = np.convolve(valid.astype(np.float64), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        smoothed = num / den
    if filled.shape[0] < kernel.shape[0]:  # np.convolve 'same' returns max(M, N) samples
        start = (kernel.shape[0] - filled.shape[0]) // 2
        smoothed = smoothed[start:start + filled.shape[0]]
    return np.where(valid, smoothed, np.nan)


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


def turning_points(values: FloatArray, threshold: float) -> FloatArray:
    """Peaks and troughs of a series that stand out by more than ``threshold`` (hysteresis).

    A reversal is only confirmed once the series has moved back by more than ``threshold`` from
    the last extreme, so wiggles smaller than the band (noise, barometric drift) are ignored but
    every larger swing counts in full. Returns the first value, the confirmed extremes and the last
    value. NaN samples are skipped. Units are those of ``values`` (metres for elevation).
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros(0)
    vals = finite.tolist()  # a scalar loop: ~30 ms for 100,000 samples, no per-sample objects kept
    points = [vals[0]]
    extreme = vals[0]
    direction = 0  # +1 rising, -1 falling, 0 undecided
    for v in vals[1:]:
        if direction >= 0 and v > extreme:
            extreme = v
            direction = 1 if v - points[-1] > threshold else direction
        elif direction <= 0 and v < extreme:
            extreme = v
            direction = -1 if points[-1] - v > threshold else direction
        elif direction == 1 and extreme - v > threshold:
            points.append(extreme)
            extreme, direction = v, -1
        elif direction == -1 and v - extreme > threshold:
            points.append(extreme)
            extreme, direction = v, 1
    if abs(extreme - points[-1]) > threshold:
        points.append(extreme)
    return np.asarray(points, dtype=np.float64)


def climb_descent_m(elevation_m: FloatArray, *, threshold_m: float = 2.0,
                    sigma_samples: float = 2.0) -> tuple[float, float]:
    """Total climb and descent in metres from an elevation series.

    The series is smoothed, then reduced to its turning points with a hysteresis band of
    ``threshold_m`` (every swing larger than the band counts in full); only differences are used, so a constant barometric offset does not matter.
    """
    if int(np.count_nonzero(np.isfinite(elevation_m))) < 2:
        return 0.0, 0.0
    smooth = gaussian_smooth(elevation_m, sigma_samples)
    diffs = np.diff(turning_points(smooth, threshold_m))
    return float(diffs[diffs > 0].sum()), float(-diffs[diffs < 0].sum()) + 0.0
