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
  A ride's pedal cadence is ``cadence_rpm``.

:func:`validate_activity` checks all of this on a finished activity (the readers' tests run it on
every real file) and names every problem at once. :meth:`Activity.to_dataframe` gives the samples
as a pandas DataFrame for a notebook; pandas is imported only then, so it stays optional.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipstride.errors import DataError

__all__ = ["CROSS_TRAINING_SPORTS", "STANDARD_CHANNELS", "Activity", "FloatArray", "Lap", "Session",
           "is_cross_training", "validate_activity"]

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
#: Sports that are activity but not running (rides, walks, hikes, swims): the library keeps them
#: as cross-training sessions, with no running hip-load index (the model is for running).
CROSS_TRAINING_SPORTS = ("cycling", "walking", "hiking", "swimming")


def is_cross_training(sport: str | None) -> bool:
    """Whether a session of ``sport`` is cross-training (one of :data:`CROSS_TRAINING_SPORTS`)."""
    return sport in CROSS_TRAINING_SPORTS


#: Channels that are not running data but are kept with their unit (a ride's pedal cadence).
OTHER_CHANNELS: dict[str, str] = {"cadence_rpm": "rpm"}


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

    def to_dataframe(self) -> Any:
        """The samples as a ``pandas.DataFrame``, one row per sample, columns named with their unit.

        Columns: ``time_s``, ``time_utc`` (timezone-aware; only when the start time is known and
        wall-clock), ``lat_deg``, ``lon_deg``, ``elevation_m``, ``distance_m`` and ``speed_mps``
        (when recorded), then every channel under its name. Arrays are copied.

        Raises
        ------
        ImportError
            When pandas is not installed (hipstride itself does not need it).
        """
        try:  # imported by name: pandas is optional and ships no type stubs
            pd = importlib.import_module("pandas")
        except ImportError:
            raise ImportError("Activity.to_dataframe needs the optional package pandas "
                              "(pip install pandas)") from None

        columns: dict[str, object] = {"time_s": self.time_s.copy()}
        if self.start_time_utc is not None and not self.time_is_relative:
            columns["time_utc"] = (pd.Timestamp(self.start_time_utc)
                                   + pd.to_timedelta(self.time_s, unit="s"))
        columns.update(lat_deg=self.lat_deg.copy(), lon_deg=self.lon_deg.copy(),
                       elevation_m=self.elevation_m.copy())
        for label, arr in (("distance_m", self.distance_m), ("speed_mps", self.speed_mps)):
            if arr is not None:
                columns[label] = arr.copy()
        for name, arr in self.channels.items():
            columns[name] = arr.copy()
        return pd.DataFrame(columns)


def _array_problems(activity: Activity) -> list[str]:
    n = len(activity)
    problems = [] if n >= 1 else ["has no samples"]
    arrays: list[tuple[str, FloatArray | None]] = [
        ("time_s", activity.time_s), ("lat_deg", activity.lat_deg),
        ("lon_deg", activity.lon_deg), ("elevation_m", activity.elevation_m),
        ("distance_m", activity.distance_m), ("speed_mps", activity.speed_mps),
        *activity.channels.items()]
    for label, arr in arrays:
        if arr is None:
            continue
        if arr.shape != (n,):
            problems.append(f"{label} has shape {arr.shape}, expected ({n},)")
        if arr.dtype != np.float64:
            problems.append(f"{label} is {arr.dtype}, expected float64")
    return problems


def _time_problems(activity: Activity, strictly_increasing: bool) -> list[str]:
    t = activity.time_s
    if t.size == 0:
        return []
    if np.isnan(t).all():  # an untimed file (a route): no clock at all
        if activity.start_time_utc is not None:
            return ["time_s is all NaN but start_time_utc is set"]
        return []
    problems = []
    if activity.start_time_utc is not None and activity.start_time_utc.utcoffset() is None:
        problems.append("start_time_utc has no time zone")
    if np.isnan(t).any():
        problems.append(f"time_s has {int(np.isnan(t).sum())} NaN sample(s) among timed ones")
    elif t[0] != 0.0:
        problems.append(f"time_s starts at {t[0]:g} s, expected 0")
    steps = np.diff(t)
    bad = np.flatnonzero(steps <= 0 if strictly_increasing else steps < 0)
    if bad.size:
        kind = "strictly increasing" if strictly_increasing else "non-decreasing"
        problems.append(f"time_s is not {kind} at {bad.size} sample(s), first at index "
                        f"{int(bad[0]) + 1}")
    return problems


def _position_problems(activity: Activity) -> list[str]:
    lat, lon = activity.lat_deg, activity.lon_deg
    if lat.shape != lon.shape:
        return []  # reported with the shapes
    problems = []
    if not np.array_equal(np.isnan(lat), np.isnan(lon)):
        problems.append("lat_deg and lon_deg are not NaN at the same samples")
    if np.any(np.abs(lat[np.isfinite(lat)]) > 90):
        problems.append("lat_deg has values beyond ±90°")
    if np.any(np.abs(lon[np.isfinite(lon)]) > 180):
        problems.append("lon_deg has values beyond ±180°")
    if np.isinf(lat).any() or np.isinf(lon).any():
        problems.append("lat_deg or lon_deg has infinite values")
    return problems


def _channel_problems(activity: Activity) -> list[str]:
    problems = []
    missing = sorted(set(activity.channels) - set(activity.channel_units))
    extra = sorted(set(activity.channel_units) - set(activity.channels))
    if missing:
        problems.append(f"channel(s) without a unit: {', '.join(missing)}")
    if extra:
        problems.append(f"unit(s) for channel(s) that are not there: {', '.join(extra)}")
    known = {**STANDARD_CHANNELS, **OTHER_CHANNELS}
    for name, unit in activity.channel_units.items():
        if name.startswith("dev:"):
            continue
        if name not in known:
            problems.append(f"channel '{name}' is neither standard nor a 'dev:' field")
        elif known[name] != unit:
            problems.append(f"channel '{name}' is in '{unit}', expected '{known[name]}'")
    return problems


def validate_activity(activity: Activity, *, strictly_increasing: bool = False) -> None:
    """Check an activity against the contract in the module docstring.

    Arrays aligned and float64; ``time_s`` from 0 and non-decreasing (``strictly_increasing``:
    with no repeated time, for formats that guarantee it), or all NaN for an untimed file, which
    then has no start time; a start time with a time zone; positions on the globe, NaN in
    pairs; every channel with its unit, standard channels in their standard unit.

    Raises
    ------
    hipstride.errors.DataError
        Naming the source and every problem found (all are collected before raising).
    """
    problems = [*_array_problems(activity), *_time_problems(activity, strictly_increasing),
                *_position_problems(activity), *_channel_problems(activity)]
    if problems:
        raise DataError(f"{activity.source}: not a valid activity: " + "; ".join(problems))
