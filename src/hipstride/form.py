"""Running form from running dynamics: averages over running samples, and drift over the run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import Activity, FloatArray

__all__ = ["FORM_CHANNELS", "Form", "running_mask", "summarise_form"]

#: Output name → (channel name, scale from the channel's unit to the output unit).
FORM_CHANNELS: dict[str, tuple[str, float]] = {
    "cadence_spm": ("cadence_spm", 1.0),
    "step_length_m": ("step_length_mm", 0.001),
    "stance_time_ms": ("stance_time_ms", 1.0),
    "stance_time_balance_left_pct": ("stance_time_balance_left_pct", 1.0),
    "vertical_oscillation_mm": ("vertical_oscillation_mm", 1.0),
    "vertical_ratio_pct": ("vertical_ratio_pct", 1.0),
}
#: Slowest speed that still counts as running for form averages (m/s; 10:25 min/km).
RUNNING_SPEED_MPS = 1.6


@dataclass(frozen=True)
class Form:
    """Averages of each form metric over running samples (``None`` where the file lacks it) and
    the drift: last third of the run minus first third, in the metric's unit."""

    averages: dict[str, float | None]
    drift: dict[str, float | None]
    samples: int


def running_mask(activity: Activity, speed_mps: FloatArray,
                 moving: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Samples recorded while running: moving, and (where speed is known) at a running speed."""
    n = len(activity)
    mask = np.zeros(n, dtype=bool)
    if n == 0:
        return mask
    mask[1:] = moving
    mask[0] = bool(moving[0]) if moving.size else False
    if np.isfinite(speed_mps).any():
        mask &= np.nan_to_num(speed_mps, nan=0.0) >= RUNNING_SPEED_MPS
    return mask


def summarise_form(activity: Activity, mask: NDArray[np.bool_]) -> Form:
    """Average each running-dynamics channel over ``mask`` (zeros and gaps excluded)."""
    averages: dict[str, float | None] = {}
    drift: dict[str, float | None] = {}
    for out_name, (channel, scale) in FORM_CHANNELS.items():
        values = activity.channel(channel)
        if values is None:
            averages[out_name] = drift[out_name] = None
            continue
        ok = mask & np.isfinite(values) & (values > 0)
        chosen = values[ok] * scale
        if chosen.size == 0:
            averages[out_name] = drift[out_name] = None
            continue
        averages[out_name] = float(chosen.mean())
        third = chosen.size // 3
        drift[out_name] = float(chosen[-third:].mean() - chosen[:third].mean()) if third >= 5 else None
    return Form(averages, drift, int(mask.sum()))
