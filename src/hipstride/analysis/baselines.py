"""Personal, speed-matched baselines of running form, from the runner's own recent history.

Raw material
    Every running minute of every stored run (:func:`form_minutes`): the minute's median speed (m/s)
    and median step rate (steps/min), step length (m), stance time (ms), vertical oscillation (mm)
    and stance-time balance (% left). Minutes are the unit because one-second values are noisy and
    a minute is short enough to follow pace changes.
Baseline
    For a moment *t*, the minutes of running in the :data:`WINDOW_DAYS` days before *t*, grouped in
    speed bands :data:`BAND_WIDTH_MPS` wide. A band counts only with at least
    :data:`MIN_BAND_MINUTES` minutes from :data:`MIN_BAND_RUNS` runs. Its centre is the median, its
    spread the MAD-based standard deviation (1.4826 × MAD), never below the metric's resolution.
Cadence baseline
    :class:`CadenceBaseline` maps speed (m/s) to the runner's own step rate at that speed (NaN where
    no band qualifies) and is what :func:`hipstride.analysis.analyze_activity` takes as
    ``cadence_baseline``: a step rate below one's own at that pace raises hip load (Heiderscheit 2011;
    Lenhart 2014). Comparing with oneself, at the same speed, avoids a fixed target such as 180.

Change detection (:mod:`hipstride.analysis.formchanges`) uses these baselines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import Activity, FloatArray
from hipstride.track.form import FORM_CHANNELS, FORM_METRICS

__all__ = [
    "BAND_WIDTH_MPS",
    "DEVICE_NOTES",
    "MIN_BAND_MINUTES",
    "MIN_BAND_RUNS",
    "WINDOW_DAYS",
    "BandStats",
    "BaselineHistory",
    "CadenceBaseline",
    "FormMinutes",
    "MetricBaseline",
    "compute_baselines",
    "form_minutes",
]

#: Days of history a baseline looks back over.
WINDOW_DAYS = 90.0
#: Width of a speed band (m/s): 0.25 m/s is about 20 s/km at 5:00 min/km.
BAND_WIDTH_MPS = 0.25
#: A band needs this many minutes of running …
MIN_BAND_MINUTES = 10
#: … from at least this many runs.
MIN_BAND_RUNS = 3
#: Slowest speed that counts as running for baselines (m/s; 10:25 min/km): walking breaks are out.
MIN_RUNNING_SPEED_MPS = 1.6
#: A minute counts when the runner ran for at least this long in it (s).
MIN_RUNNING_S_PER_MINUTE = 40.0
#: Smallest standard deviation used per metric (about the metric's resolution), in its unit.
SD_FLOOR: dict[str, float] = {
    "cadence_spm": 1.0, "step_length_m": 0.01, "stance_time_ms": 3.0,
    "vertical_oscillation_mm": 2.0, "stance_time_balance_left_pct": 0.3,
}
#: Plausible per-minute values (anything outside is a sensor glitch and left out).
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "cadence_spm": (110.0, 240.0), "step_length_m": (0.3, 3.0), "stance_time_ms": (100.0, 500.0),
    "vertical_oscillation_mm": (20.0, 200.0), "stance_time_balance_left_pct": (35.0, 65.0),
}
#: What the measuring device can and cannot tell, per metric (shown beside a baseline or a change).
DEVICE_NOTES: dict[str, str] = {
    "cadence_spm": (
        "Step rate from a watch's wrist sensor, a chest strap or a foot pod agrees within a few "
        "steps per minute at steady paces; changing device can still shift it slightly."),
    "step_length_m": (
        "Step length is computed from speed and step rate, so it inherits the speed error: GPS speed "
        "over a minute can be off by several per cent under trees, between tall buildings and on "
        "tight bends, and a foot pod needs calibrating."),
    "stance_time_ms": (
        "Stance (ground contact) time needs a chest strap (HRM-Pro, HRM-Run, HRM-Tri) or a Running "
        "Dynamics Pod; estimates from the wrist are less precise. A change of sensor can look like a "
        "change of form."),
    "vertical_oscillation_mm": (
        "Vertical oscillation needs a chest strap or a Running Dynamics Pod; it depends on where the "
        "sensor sits, so compare only runs recorded with the same sensor."),
    "stance_time_balance_left_pct": (
        "Stance-time balance needs a chest strap (HRM-Pro, HRM-Run, HRM-Tri) or a Running Dynamics "
        "Pod; a strap worn off-centre shifts it, so a lasting one-sided change is worth checking "
        "against how it feels rather than read alone."),
}
#: GPS pace error matters for every speed-matched comparison.
SPEED_NOTE = ("Speed bands are 0.25 m/s wide; GPS speed errors of a few per cent move some minutes "
              "into a neighbouring band, so baselines are built from many minutes and compared "
              "with medians.")
_DAY_S = 86400.0


@dataclass(frozen=True)
class FormMinutes:
    """All stored form minutes as columns (one entry per minute of running).

    ``start_s`` is the run's start time as seconds since the Unix epoch (UTC), ``values`` maps
    each of :data:`FORM_METRICS` to its column (NaN where the recording lacks it).
    """

    run_id: NDArray[np.int64]
    start_s: NDArray[np.float64]
    speed_mps: NDArray[np.float64]
    values: dict[str, NDArray[np.float64]]
    devices: dict[int, str | None]

    def __len__(self) -> int:
        return int(self.run_id.shape[0])


def form_minutes(activity: Activity, speed_mps: FloatArray,
                 moving: np.ndarray) -> list[tuple[float | None, ...]]:
    """Per-minute form of one recording: rows ``(minute, speed_mps, *FORM_METRICS)``.

    Parameters
    ----------
    speed_mps, moving
        Per-sample speed (m/s) and per-interval moving mask (``n - 1`` values), as in
        :class:`hipstride.track.motion.Motion`. Samples count as running when the interval that
        reaches them was moving and the speed is at least :data:`MIN_RUNNING_SPEED_MPS`.
    """
    t = activity.time_s
    n = len(activity)
    if n < 2 or not np.isfinite(t).all():
        return []
    mask = np.zeros(n, dtype=bool)
    mask[1:] = moving
    mask &= np.nan_to_num(speed_mps, nan=0.0) >= MIN_RUNNING_SPEED_MPS
    if not mask.any():
        return []
    dt = np.clip(np.diff(t, append=t[-1]), 0.0, 10.0)
    minute = np.floor((t - t[0]) / 60.0).astype(np.int64)
    channels = {}
    for metric in FORM_METRICS:
        values = activity.channel(FORM_CHANNELS[metric][0])
        if values is not None:
            lo, hi = PLAUSIBLE[metric]
            scaled = values * FORM_CHANNELS[metric][1]
            channels[metric] = np.where((scaled >= lo) & (scaled <= hi), scaled, np.nan)
    idx = np.flatnonzero(mask)
    minutes, group = np.unique(minute[idx], return_inverse=True)
    count = minutes.shape[0]
    seconds = np.bincount(group, weights=dt[idx], minlength=count)
    samples = np.bincount(group, minlength=count)
    speed = _group_medians(group, speed_mps[idx], count)[0]
    columns = {m: _group_medians(group, arr[idx], count) for m, arr in channels.items()}
    rows: list[tuple[float | None, ...]] = []
    for k in np.flatnonzero(seconds >= MIN_RUNNING_S_PER_MINUTE).tolist():
        row: list[float | None] = [float(minutes[k]), round(float(speed[k]), 3)]
        for metric in FORM_METRICS:
            value = None
            if metric in columns:
                med, valid = columns[metric]
                if valid[k] >= max(3, samples[k] // 2):
                    value = round(float(med[k]), 3)
            row.append(value)
        rows.append(tuple(row))
    return rows


def _group_medians(group: NDArray[np.intp], values: FloatArray,
                   count: int) -> tuple[FloatArray, NDArray[np.intp]]:
    """Median of the finite ``values`` in each group ``0 … count-1``, and how many there were."""
    ok = np.isfinite(values)
    g, v = group[ok], values[ok]
    order = np.lexsort((v, g))
    v = v[order]
    valid = np.bincount(g, minlength=count)
    starts = np.concatenate(([0], np.cumsum(valid)[:-1]))
    med = np.full(count, np.nan)
    has = valid > 0
    lo = (starts + (valid - 1) // 2)[has]
    hi = (starts + valid // 2)[has]
    med[has] = (v[lo] + v[hi]) / 2.0
    return med, valid


@dataclass(frozen=True)
class BandStats:
    """One speed band of a baseline: band ``k`` covers ``[k, k+1) × BAND_WIDTH_MPS`` m/s."""

    band: int
    median: float
    sd: float
    minutes: int
    runs: int

    @property
    def speed_range_mps(self) -> tuple[float, float]:
        return (self.band * BAND_WIDTH_MPS, (self.band + 1) * BAND_WIDTH_MPS)


@dataclass(frozen=True)
class MetricBaseline:
    """Baseline of one metric: its qualifying speed bands, and the devices that measured it (the
    one with the most minutes first)."""

    metric: str
    bands: dict[int, BandStats]
    devices: tuple[str, ...]

    def lookup(self, speed_mps: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Median and SD of the band each speed falls in (NaN where no band qualifies)."""
        band = np.floor(np.nan_to_num(speed_mps, nan=-1.0) / BAND_WIDTH_MPS).astype(np.int64)
        med = np.full(band.shape, np.nan)
        sd = np.full(band.shape, np.nan)
        for k, stats in self.bands.items():
            hit = band == k
            med[hit] = stats.median
            sd[hit] = stats.sd
        return med, sd

    def to_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "devices": list(self.devices),
            "device_note": DEVICE_NOTES[self.metric],
            "bands": [{"speed_from_mps": s.speed_range_mps[0], "speed_to_mps": s.speed_range_mps[1],
                       "median": round(s.median, 3), "sd": round(s.sd, 3), "minutes": s.minutes,
                       "runs": s.runs} for s in sorted(self.bands.values(), key=lambda b: b.band)],
        }


def compute_baselines(minutes: FormMinutes, at: datetime | float, *,
                      window_days: float = WINDOW_DAYS,
                      exclude_run: int | None = None,
                      metrics: tuple[str, ...] = FORM_METRICS) -> dict[str, MetricBaseline]:
    """Baselines of every metric from the runs that started in the ``window_days`` before ``at``.

    ``at`` is a datetime or seconds since the Unix epoch; runs starting at or after it are left out,
    and so is ``exclude_run``. Only ``metrics`` are computed; those without any qualifying band
    are absent. ``minutes`` must be in start-time order (as the store returns them).
    """
    at_s = at.timestamp() if isinstance(at, datetime) else float(at)
    lo = np.searchsorted(minutes.start_s, at_s - window_days * _DAY_S, side="left")
    hi = np.searchsorted(minutes.start_s, at_s, side="left")
    sl = slice(int(lo), int(hi))
    run_id = minutes.run_id[sl]
    keep = run_id != exclude_run if exclude_run is not None else np.ones(run_id.shape, dtype=bool)
    run_id = run_id[keep]
    band = np.floor(minutes.speed_mps[sl][keep] / BAND_WIDTH_MPS).astype(np.int64)
    out: dict[str, MetricBaseline] = {}
    for metric in metrics:
        values = minutes.values[metric][sl][keep]
        ok = np.isfinite(values)
        if ok.sum() < MIN_BAND_MINUTES:
            continue
        bands: dict[int, BandStats] = {}
        for k in np.unique(band[ok]).tolist():
            sel = ok & (band == k)
            v = values[sel]
            n_runs = int(np.unique(run_id[sel]).size)
            if v.size < MIN_BAND_MINUTES or n_runs < MIN_BAND_RUNS:
                continue
            med = float(np.median(v))
            sd = max(1.4826 * float(np.median(np.abs(v - med))), SD_FLOOR[metric])
            bands[int(k)] = BandStats(int(k), med, sd, int(v.size), n_runs)
        if bands:
            counts: dict[str, int] = {}
            ids, n = np.unique(run_id[ok], return_counts=True)
            for r, c in zip(ids.tolist(), n.tolist(), strict=True):
                if device := minutes.devices.get(int(r)):
                    counts[device] = counts.get(device, 0) + int(c)
            devices = sorted(counts, key=lambda d: (-counts[d], d))
            out[metric] = MetricBaseline(metric, bands, tuple(devices))
    return out


@dataclass(frozen=True)
class CadenceBaseline:
    """The runner's own step rate (steps/min) by speed, usable as ``cadence_baseline``.

    ``bands`` maps band index (speed // :data:`BAND_WIDTH_MPS`) to the median step rate, rounded
    to 0.5 steps/min (the devices' resolution), so that :attr:`signature` changes only when the
    baseline does.
    """

    bands: tuple[tuple[int, float], ...]

    @classmethod
    def from_baseline(cls, baseline: MetricBaseline | None) -> CadenceBaseline | None:
        if baseline is None or not baseline.bands:
            return None
        return cls(tuple((k, round(s.median * 2.0) / 2.0) for k, s in sorted(baseline.bands.items())))

    @property
    def signature(self) -> str:
        """A short text that identifies this baseline (stored with each analysis)."""
        return "cadence-v1:" + ",".join(f"{k}={v:g}" for k, v in self.bands)

    def __call__(self, speed_mps: FloatArray) -> FloatArray:
        """Step rate (steps/min) expected at each speed (m/s); NaN where no band qualifies."""
        band = np.floor(np.nan_to_num(np.asarray(speed_mps, dtype=np.float64), nan=-1.0)
                        / BAND_WIDTH_MPS).astype(np.int64)
        out = np.full(band.shape, np.nan)
        for k, spm in self.bands:
            out[band == k] = spm
        return out


@dataclass(frozen=True)
class BaselineHistory:
    """The form minutes a worker process needs to build date-specific cadence baselines."""

    minutes: FormMinutes

    def cadence_baseline_at(self, start: datetime | None, *,
                            exclude_run: int | None = None) -> CadenceBaseline | None:
        """Cadence baseline from the :data:`WINDOW_DAYS` before ``start`` (``None`` without a
        start time or without a qualifying band)."""
        if start is None or len(self.minutes) == 0:
            return None
        bases = compute_baselines(self.minutes, start, exclude_run=exclude_run,
                                  metrics=("cadence_spm",))
        return CadenceBaseline.from_baseline(bases.get("cadence_spm"))
