"""One form metric as the engine reports it: a value per step, the median, a noise floor, a confidence.

Noise floor: what landmark jitter alone would move the metric by, propagated from the clip's own
jitter estimate (:func:`hipstride.video.contacts.noise_px`) through the geometry of the metric, e.g.
an angle between two points ``L`` pixels apart moves by about ``√2·σ/L`` radians. A median smaller
than its noise floor says nothing.

Confidence (0..1) is a plain product, so that each part can be read back: the mean visibility the
model gave the points used, a sample factor (``min(1, steps / 6)``: six steps or more count fully)
and a precision factor ``1 - noise_floor / (noise_floor + scale)``, where ``scale`` is the size of a
change that matters for that metric (e.g. 5° of trunk lean).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import numpy as np

__all__ = ["Metric", "make_metric", "nan_quiet"]

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

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "median": _r(self.median), "noise_floor": _r(self.noise_floor),
                "confidence": round(self.confidence, 2),
                "per_step": [_r(v) for v in self.per_step], "note": self.note}


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
