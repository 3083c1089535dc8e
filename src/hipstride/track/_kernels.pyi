"""The course maths' compiled loops (``_kernels.c``).

:mod:`hipstride.track.smoothing`, :mod:`hipstride.track.course` and :mod:`hipstride.track.turns`
call them and document each method. Every function writes into the output buffers it is given
(float64 unless named otherwise) and raises ``ValueError`` when a buffer's length does not fit.
"""

import numpy as np
from numpy.typing import NDArray

def smooth(values: NDArray[np.float64], sigma: float, out: NDArray[np.float64]) -> None:
    """Normalised Gaussian smoothing (σ in samples) ignoring non-finite samples, which stay
    NaN; a copy for σ ≤ 0 or fewer than 3 samples."""

def despike(values: NDArray[np.float64], half_window: int, threshold: float,
            out: NDArray[np.float64]) -> int:
    """``values`` with the samples further than ``threshold`` from the median of the
    ``half_window`` samples either side set to NaN, into ``out`` (not ``values`` itself);
    returns how many were set."""

def heading_lateral(x: NDArray[np.float64], y: NDArray[np.float64],
                    speed: NDArray[np.float64], step_m: float, heading: NDArray[np.float64],
                    lateral: NDArray[np.float64]) -> None:
    """Unwrapped compass heading (deg) and lateral acceleration (m/s²) of a course."""

def turn_candidates(heading: NDArray[np.float64], speed: NDArray[np.float64],
                    lateral: NDArray[np.float64], distance: NDArray[np.float64], window: int,
                    min_angle_deg: float, start: NDArray[np.int64], end: NDArray[np.int64],
                    peak: NDArray[np.int64], angle: NDArray[np.float64],
                    median_speed: NDArray[np.float64], total: NDArray[np.float64],
                    arc: NDArray[np.float64], peak_lateral: NDArray[np.float64],
                    scratch: NDArray[np.float64]) -> int:
    """Turn candidates and their facts into the first entries of the outputs (one entry per
    sample of room each); returns how many."""

def turning_points(values: NDArray[np.float64], threshold: float, scratch: NDArray[np.int64],
                   points: NDArray[np.int64]) -> int:
    """Hysteresis turning points of the finite samples into ``points`` (one more entry than
    ``values``); returns how many."""

def climb_descent(smoothed: NDArray[np.float64], threshold: float,
                  climb: NDArray[np.float64], descent: NDArray[np.float64],
                  scratch: NDArray[np.int64]) -> None:
    """Climb and descent credited to each sample (``scratch`` holds two entries per sample and
    one more)."""

def resample(distances: NDArray[np.float64], values: NDArray[np.float64],
             first: NDArray[np.int64], grid: NDArray[np.float64], step_m: float,
             out: NDArray[np.float64], scratch: NDArray[np.float64]) -> None:
    """``np.interp`` of the finite ``values[first]`` at ``distances`` onto the ascending
    ``grid``, NaN more than ``step_m`` outside the span that has data and everywhere with fewer
    than two (``scratch``: two entries per distance)."""
