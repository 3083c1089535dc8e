"""One form metric as the engine reports it: a value per step, the median, a noise floor, a confidence.

Noise floor: what landmark jitter alone would move the metric by, propagated from the clip's own
jitter estimate (:func:`hipstride.video.contacts.noise_px`) through the geometry of the metric, e.g.
an angle between two points ``L`` pixels apart moves by about ``√2·σ/L`` radians. A median smaller
than its noise floor says nothing.

Confidence (0..1) is a plain product, so that each part can be read back: the mean visibility the
model gave the points used, a sample factor (``min(1, steps / 6)``: six steps or more count fully)
and a precision factor ``1 - noise_floor / (noise_floor + scale)``, where ``scale`` is the size of a
change that matters for that metric (e.g. 5° of trunk lean).

Strides: a stride is two consecutive contacts of opposite feet (:func:`strides`, taken in turn
without overlap, so each contact belongs to one stride at most; two landings of the same foot in
a row, where one of the other foot was missed, start no stride). A metric measured at each contact
also gets ``per_stride``, the mean of its stride's two values (None when either is missing), so a
left-right pair reads as one number; metrics measured between contacts (cadence, bounce, sway)
keep only their per-interval values.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import numpy as np

__all__ = ["Metric", "make_metric", "nan_quiet", "stride_values", "strides"]

P = ParamSpec("P")
R = TypeVar("R")


def nan_quiet(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` without NumPy's warnings about all-NaN slices: a frame or a stride where a
    point was not seen is expected in landmark data and gives NaN, which the callers handle."""

    @functools.wraps(func)
    def inner(*args: P.args, **kwargs: P.kwargs) -> R:
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return func(*args, **kwargs)

    return inner


@dataclass(frozen=True)
class Metric:
    """``per_step`` holds one value per foot contact (None where it could not be measured)."""

    name: str
    unit: str
    per_step: tuple[float | None, ...]
    median: float | None
    noise_floor: float
    confidence: float
    note: str = ""
    #: One value per stride (see the module docstring); None for metrics between contacts.
    per_stride: tuple[float | None, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "median": _r(self.median), "noise_floor": _r(self.noise_floor),
                "confidence": round(self.confidence, 2),
                "per_step": [_r(v) for v in self.per_step],
                "per_stride": None if self.per_stride is None else [_r(v) for v in self.per_stride],
                "note": self.note}


def strides(feet: Sequence[object]) -> list[tuple[int, int]]:
    """Index pairs of consecutive contacts of opposite feet, in turn and without overlap."""
    out: list[tuple[int, int]] = []
    i = 0
    while i + 1 < len(feet):
        if feet[i] != feet[i + 1]:
            out.append((i, i + 1))
            i += 2
        else:
            i += 1
    return out


def stride_values(per_step: Sequence[float | None],
                  pairs: Sequence[tuple[int, int]]) -> tuple[float | None, ...]:
    """The mean of each stride's two per-contact values (None when either is missing)."""
    out: list[float | None] = []
    for a, b in pairs:
        va, vb = per_step[a], per_step[b]
        out.append(None if va is None or vb is None else (va + vb) / 2)
    return tuple(out)


def _r(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 3)


def make_metric(name: str, unit: str, values: Sequence[float | None], noise_floor: float,
                visibility: float, scale: float, note: str = "") -> Metric:
    """Collect per-step values into a :class:`Metric` (see the module docstring)."""
    clean = [v for v in values if v is not None and math.isfinite(v)]
    median = float(np.median(clean)) if clean else None
    noise = noise_floor if math.isfinite(noise_floor) else float("nan")
    precision = 1.0 - noise / (noise + scale) if math.isfinite(noise) else 0.0
    vis = visibility if math.isfinite(visibility) else 0.0
    confidence = 0.0 if not clean else max(0.0, min(1.0, vis * min(1.0, len(clean) / 6) * precision))
    per_step = tuple(None if v is None or not math.isfinite(v) else float(v) for v in values)
    return Metric(name, unit, per_step, median, noise, confidence, note)
