"""Noise smoothing for positions and elevation, altimeter spikes, and climb/descent with hysteresis.

Climb and descent are counted once, by :func:`climb_descent_per_sample_m`: the totals
(:func:`climb_descent_m`) are its sums, so a per-km table built from it adds up to the headline.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray

__all__ = ["climb_descent_m", "climb_descent_per_sample_m", "despike", "gaussian_smooth",
           "interpolate_nans", "turning_point_indices", "turning_points"]


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


def despike(values: FloatArray, half_window: int, threshold: float) -> FloatArray:
    """Set to NaN the samples further than ``threshold`` from the median of their neighbourhood.

    The neighbourhood is ``half_window`` samples either side (a Hampel filter without the scale
    estimate). A spike narrower than ``half_window`` samples is removed whatever its height, while a
    ramp or a step, however steep, keeps its values: the median of a window across a ramp or a step
    is the centre's own value or its side's.
    """
    out = np.array(values, dtype=np.float64, copy=True)
    n = out.shape[0]
    if n < 3 or half_window < 1:
        return out
    finite = ~np.isnan(out)          # ±inf are values here, judged like the others
    if not finite.any():
        return out
    # the median of a window lies between its smallest and largest values, so a sample within
    # ``threshold`` of both cannot be dropped: only the others need their window's median (on
    # a whole course within the band, none does)
    if float(out[finite].max() - out[finite].min()) <= threshold:
        return out
    padded = np.concatenate((np.full(half_window, np.nan), out, np.full(half_window, np.nan)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half_window + 1)
    with np.errstate(invalid="ignore"):
        near = (out - np.fmin.reduce(windows, axis=1) <= threshold) & \
            (np.fmax.reduce(windows, axis=1) - out <= threshold)
    rows = np.flatnonzero(finite & ~near)
    if rows.shape[0] == 0:
        return out
    # the median of each such window's values that are not NaN, all at once: NaN sorts last as
    # +inf, and the middle one (or the mean of the middle two) of the ``count`` kept is taken;
    # the values of ``np.nanmedian`` per window, without its per-call cost
    chosen = windows[rows]
    gap = np.isnan(chosen)
    ordered = np.sort(np.where(gap, np.inf, chosen), axis=1)
    count = chosen.shape[1] - gap.sum(axis=1)
    at = np.arange(rows.shape[0])
    median = (ordered[at, np.maximum(count - 1, 0) // 2] + ordered[at, count // 2]) / 2.0
    with np.errstate(invalid="ignore"):
        out[rows[np.abs(out[rows] - median) > threshold]] = np.nan
    return out


def turning_point_indices(values: FloatArray, threshold: float) -> NDArray[np.int64]:
    """Indices of the first sample, the confirmed peaks and troughs, and the last sample.

    A reversal is only confirmed once the series has moved back by more than ``threshold`` from
    the last extreme, so wiggles smaller than the band (noise, barometric drift) are ignored but
    every larger swing counts in full. NaN samples are skipped. Units are those of ``values``.
    """
    idx = np.flatnonzero(np.isfinite(values))
    if idx.size == 0:
        return np.zeros(0, dtype=np.int64)
    # samples that cannot change what the loop below finds are left out: one equal to the one
    # before it (on a plateau nothing moves by more than a band of 0 or more), and one strictly
    # between its two neighbours (inside a rising or falling stretch, whose last sample moves
    # the extreme as far and confirms any reversal it would have)
    inner = values[idx]
    if threshold >= 0 and inner.shape[0] > 1:
        moved = np.concatenate(([True], inner[1:] != inner[:-1]))
        idx, inner = idx[moved], inner[moved]
    if inner.shape[0] > 2:
        before, mid, after = inner[:-2], inner[1:-1], inner[2:]
        through = ((before < mid) & (mid < after)) | ((before > mid) & (mid > after))
        idx = idx[np.concatenate(([True], ~through, [True]))]
    vals = values[idx].tolist()  # a scalar loop over the samples left
    points = [0]
    ext = 0
    direction = 0  # +1 rising, -1 falling, 0 undecided
    for i in range(1, len(vals)):
        v = vals[i]
        if direction >= 0 and v > vals[ext]:
            ext = i
            direction = 1 if v - vals[points[-1]] > threshold else direction
        elif direction <= 0 and v < vals[ext]:
            ext = i
            direction = -1 if vals[points[-1]] - v > threshold else direction
        elif direction == 1 and vals[ext] - v > threshold:
            points.append(ext)
            ext, direction = i, -1
        elif direction == -1 and v - vals[ext] > threshold:
            points.append(ext)
            ext, direction = i, 1
    if abs(vals[ext] - vals[points[-1]]) > threshold:
        points.append(ext)
    return np.asarray(idx[points], dtype=np.int64)


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
    points = turning_point_indices(smooth, threshold_m)
    for a, b in zip(points[:-1].tolist(), points[1:].tolist(), strict=True):
        seg = smooth[a:b + 1]
        if seg[-1] > seg[0]:
            climb[a + 1:b + 1] = np.diff(np.maximum.accumulate(np.minimum(seg, seg[-1])))
        elif seg[-1] < seg[0]:
            descent[a + 1:b + 1] = -np.diff(np.minimum.accumulate(np.maximum(seg, seg[-1])))
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
