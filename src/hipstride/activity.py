"""The activity model: one recording as NumPy arrays.

Everything a reader produces is an :class:`Activity`. Units are converted once, at the reader:

* ``time_s``: seconds since ``start_time_utc`` (float64), strictly non-decreasing;
* ``lat_deg``/``lon_deg``: WGS84 decimal degrees (float64; NaN where a sample has no position);
* ``elevation_m``: metres (float64; NaN where absent). Barometric altitude may carry an offset, so the
  track maths only ever uses its differences;
* ``distance_m``: cumulative distance recorded by the device in metres, or ``None`` when the file has none;
* ``speed_mps``: speed recorded by the device in m/s, or ``None``;
* ``channels``: other sensor channels by name, each an array aligned with ``time_s``. Standard names
  carry their unit: ``heart_rate_bpm``, ``cadence_spm`` (steps per minute), ``step_length_mm``,
  ``stance_time_ms``, ``stance_time_balance_left_pct``, ``vertical_oscillation_mm``,
  ``vertical_ratio_pct``, ``power_w``, ``temperature_c``. Developer fields keep their own name,
  prefixed ``dev:`` (e.g. ``"dev:Leg Spring Stiffness"``), with their unit in ``channel_units``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

__all__ = ["Activity", "FloatArray", "Lap", "Session"]

FloatArray = NDArray[np.float64]

#: Channels hipstride knows, with their unit.
STANDARD_CHANNELS: dict[str, str] = {
    "heart_rate_bpm": "bpm",
    "cadence_spm": "steps/min",
    "step_length_mm": "mm",
    "stance_time_ms": "ms",
    "stance_time_balance_left_pct": "% left",
    "vertical_oscillation_mm": "mm",
    "vertical_ratio_pct": "%",
    "power_w": "W",
    "temperature_c": "°C",
}


@dataclass(frozen=True)
class Session:
    """What the device itself reported for the activity (FIT session, TCX lap sums), for checks.

    Every field is ``None`` when the file does not say.
    """

    distance_m: float | None = None
    elapsed_time_s: float | None = None
    timer_time_s: float | None = None
    total_ascent_m: float | None = None
    total_descent_m: float | None = None
    avg_cadence_spm: float | None = None
    avg_stance_time_ms: float | None = None
    avg_stance_time_balance_left_pct: float | None = None
    avg_vertical_oscillation_mm: float | None = None
    avg_vertical_ratio_pct: float | None = None
    avg_step_length_mm: float | None = None


@dataclass(frozen=True)
class Lap:
    """A lap as the device recorded it."""

    start_time_s: float
    elapsed_time_s: float | None
    distance_m: float | None


@dataclass(eq=False)
class Activity:
    """One recorded activity as arrays (see the module docstring for units)."""

    source: str
    start_time_utc: datetime | None
    time_s: FloatArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    elevation_m: FloatArray
    distance_m: FloatArray | None = None
    speed_mps: FloatArray | None = None
    channels: dict[str, FloatArray] = field(default_factory=dict)
    channel_units: dict[str, str] = field(default_factory=dict)
    sport: str = "unknown"
    sub_sport: str | None = None
    device: str | None = None
    file_format: str = "unknown"
    session: Session = field(default_factory=Session)
    laps: list[Lap] = field(default_factory=list)
    name: str | None = None
    #: True when timestamps are relative to the device clock, not wall-clock UTC (old FR70 files).
    time_is_relative: bool = False
    #: Sample indices where a new recording segment starts (GPX ``<trkseg>``), first one excluded.
    #: The step into such a sample is a break in recording: it adds neither distance nor time moving.
    segment_starts: NDArray[np.int64] | None = None
    #: Spans ``(stop_s, start_s)`` in ``time_s`` seconds during which the device's timer was
    #: stopped (manual or auto pause): never moving time, whatever the recording shows.
    timer_pauses_s: list[tuple[float, float]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = self.time_s.shape[0]
        for label, arr in (("lat_deg", self.lat_deg), ("lon_deg", self.lon_deg),
                           ("elevation_m", self.elevation_m), ("distance_m", self.distance_m),
                           ("speed_mps", self.speed_mps), *self.channels.items()):
            if arr is not None and arr.shape != (n,):
                raise ValueError(f"{label} has shape {arr.shape}, expected ({n},)")

    def __len__(self) -> int:
        return int(self.time_s.shape[0])

    @property
    def has_positions(self) -> bool:
        """True when at least two samples carry a position."""
        return int(np.count_nonzero(~np.isnan(self.lat_deg))) >= 2

    @property
    def has_elevation(self) -> bool:
        """True when at least two samples carry an elevation."""
        return int(np.count_nonzero(~np.isnan(self.elevation_m))) >= 2

    @property
    def is_running(self) -> bool:
        """True for running (including treadmill and trail running)."""
        return self.sport == "running"

    def channel(self, name: str) -> FloatArray | None:
        """Return a channel by name, or ``None`` if the file has no such data (or only NaN)."""
        arr = self.channels.get(name)
        if arr is None or not np.any(np.isfinite(arr)):
            return None
        return arr
