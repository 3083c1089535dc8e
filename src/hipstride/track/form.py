"""Running form from running dynamics: averages over running samples, and drift over the run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import Activity, FloatArray

__all__ = ["FORM_CHANNELS", "FORM_LABELS", "FORM_METRICS", "Form", "FormMetric", "running_mask",
           "sample_durations_s", "summarise_form"]

#: Output name → (channel name, scale from the channel's unit to the output unit).
FORM_CHANNELS: dict[str, tuple[str, float]] = {
    "cadence_spm": ("cadence_spm", 1.0),
    "step_length_m": ("step_length_mm", 0.001),
    "stance_time_ms": ("stance_time_ms", 1.0),
    "stance_time_balance_left_pct": ("stance_time_balance_left_pct", 1.0),
    "vertical_oscillation_mm": ("vertical_oscillation_mm", 1.0),
    "vertical_ratio_pct": ("vertical_ratio_pct", 1.0),
}
#: The form metrics kept per minute of running in the run library (baselines, form changes).
FORM_METRICS: tuple[str, ...] = ("cadence_spm", "step_length_m", "stance_time_ms",
                                 "vertical_oscillation_mm", "stance_time_balance_left_pct")


@dataclass(frozen=True)
class FormMetric:
    """How a form metric is named and shown: ``label`` (sentence case), ``unit``, and the
    ``digits`` after the decimal point that are meaningful for it (devices report step rate to
    the step, step length to the centimetre, balance to a tenth of a percent)."""

    label: str
    unit: str
    digits: int

    def format(self, value: float, *, signed: bool = False) -> str:
        """``value`` with its unit, e.g. ``"172 steps/min"``; ``signed`` writes ``+``/``-``."""
        return f"{value:{'+' if signed else ''}.{self.digits}f} {self.unit}"


#: The one table of form metrics for every page and message, keyed like :data:`FORM_CHANNELS`.
FORM_LABELS: dict[str, FormMetric] = {
    "cadence_spm": FormMetric("Step rate", "steps/min", 0),
    "step_length_m": FormMetric("Step length", "m", 2),
    "stance_time_ms": FormMetric("Stance time", "ms", 0),
    "stance_time_balance_left_pct": FormMetric("Stance-time balance (left)", "%", 1),
    "vertical_oscillation_mm": FormMetric("Vertical oscillation", "mm", 0),
    "vertical_ratio_pct": FormMetric("Vertical ratio", "%", 1),
}
#: Longest time one sample may stand for in averages (s).
MAX_SAMPLE_WEIGHT_S = 10.0


@dataclass(frozen=True)
class Form:
    """Averages of each form metric over running samples (``None`` where the file lacks it) and
    the drift: last third of the run minus first third, in the metric's unit."""

    averages: dict[str, float | None]
    drift: dict[str, float | None]
    samples: int


def running_mask(activity: Activity, moving: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Samples recorded while moving (the interval that reaches a sample decides).

    Standing still is left out: a watch that keeps its timer running while you wait at a
    crossing averages zeros into its cadence; hipstride reports form while running.
    """
    n = len(activity)
    mask = np.zeros(n, dtype=bool)
    if n == 0:
        return mask
    mask[1:] = moving
    mask[0] = bool(moving[0]) if moving.size else False
    return mask


def sample_durations_s(time_s: FloatArray) -> FloatArray:
    """Seconds each sample stands for: the time since the previous one, capped at
    :data:`MAX_SAMPLE_WEIGHT_S` (watches that record every few seconds average this way)."""
    if time_s.shape[0] < 2 or not np.isfinite(time_s).any():
        return np.ones(time_s.shape[0])
    dt = np.diff(time_s, prepend=time_s[0])
    dt[0] = np.nanmedian(dt[1:]) if dt.shape[0] > 1 else 1.0
    return np.clip(np.nan_to_num(dt, nan=1.0), 0.0, MAX_SAMPLE_WEIGHT_S)


def summarise_form(activity: Activity, mask: NDArray[np.bool_]) -> Form:
    """Average each running-dynamics channel over ``mask``, weighting each sample by the time it
    stands for (zeros and gaps excluded)."""
    averages: dict[str, float | None] = {}
    drift: dict[str, float | None] = {}
    weights = sample_durations_s(activity.time_s)
    for out_name, (channel, scale) in FORM_CHANNELS.items():
        values = activity.channel(channel)
        if values is None:
            averages[out_name] = drift[out_name] = None
            continue
        ok = mask & np.isfinite(values) & (values > 0) & (weights > 0)
        chosen = values[ok] * scale
        w = weights[ok]
        if chosen.size == 0:
            averages[out_name] = drift[out_name] = None
            continue
        averages[out_name] = float(np.average(chosen, weights=w))
        third = chosen.size // 3
        drift[out_name] = (float(np.average(chosen[-third:], weights=w[-third:])
                                 - np.average(chosen[:third], weights=w[:third]))
                           if third >= 5 else None)
    return Form(averages, drift, int(mask.sum()))
