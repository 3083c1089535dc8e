"""Helpers for the run-library tests: synthetic FIT runs and form histories (no tests here)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from hipstride.analysis.baselines import FormMinutes
from hipstride.track.form import FORM_METRICS

__all__ = ["form_minutes_table", "sha256_of", "write_fit_run"]

_SEMICIRCLES_PER_DEG = 2**31 / 180.0


def sha256_of(path: Path) -> str:
    """sha256 of a file's content after gunzip (what the library stores)."""
    from hipstride.io._source import load_bytes

    return hashlib.sha256(load_bytes(path)[0]).hexdigest()


def write_fit_run(path: Path, start: datetime, *, minutes: float = 30.0, speed_mps: float = 3.0,
                  cadence_spm: float | Callable[[float], float] = 170.0,
                  balance_left_pct: float | None = None, sample_s: float = 2.0,
                  lat0_deg: float = 52.0, lon0_deg: float = 5.0, seed: int = 0) -> Path:
    """Write a straight, flat running FIT file (running dynamics included) with ``garmin-fit-sdk``.

    ``cadence_spm`` is a constant or a function of the elapsed time (s); each sample gets a little
    noise (SD 1.5 steps/min).
    """
    from garmin_fit_sdk import Encoder

    rng = np.random.default_rng(seed)
    enc = Encoder()
    enc.write_mesg({"mesg_num": 0, "type": "activity", "manufacturer": "development", "product": 0,
                    "serial_number": 1, "time_created": start})
    n = int(minutes * 60 / sample_s)
    deg_per_m = 1.0 / 111_320.0
    for i in range(n):
        t = i * sample_s
        spm = cadence_spm(t) if callable(cadence_spm) else cadence_spm
        spm = float(spm + rng.normal(0.0, 1.5))
        strides = spm / 2.0
        lat = lat0_deg + speed_mps * t * deg_per_m
        record = {
            "mesg_num": 20, "timestamp": start + timedelta(seconds=t),
            "position_lat": round(lat * _SEMICIRCLES_PER_DEG),
            "position_long": round(lon0_deg * _SEMICIRCLES_PER_DEG),
            "distance": speed_mps * t, "speed": speed_mps, "enhanced_speed": speed_mps,
            "altitude": 10.0, "enhanced_altitude": 10.0, "heart_rate": 140,
            "cadence": math.floor(strides), "fractional_cadence": strides - math.floor(strides),
            "stance_time": 250.0 + float(rng.normal(0.0, 2.0)),
            "vertical_oscillation": 85.0, "step_length": speed_mps * 60_000.0 / spm,
        }
        if balance_left_pct is not None:
            record["stance_time_balance"] = balance_left_pct + float(rng.normal(0.0, 0.2))
        enc.write_mesg(record)
    end = start + timedelta(seconds=n * sample_s)
    enc.write_mesg({"mesg_num": 18, "timestamp": end, "start_time": start, "sport": "running",
                    "sub_sport": "street", "total_elapsed_time": float(n * sample_s),
                    "total_timer_time": float(n * sample_s), "total_distance": speed_mps * n * sample_s})
    enc.write_mesg({"mesg_num": 34, "timestamp": end, "num_sessions": 1, "type": "manual",
                    "event": "activity", "event_type": "stop", "total_timer_time": float(n * sample_s)})
    path.write_bytes(bytes(enc.close()))
    return path


def form_minutes_table(runs: list[tuple[int, datetime, list[dict[str, float]]]],
                       devices: dict[int, str | None] | None = None) -> FormMinutes:
    """A :class:`FormMinutes` from ``(run_id, start, [minute dicts with speed_mps and metrics])``."""
    ids, starts, speeds = [], [], []
    values: dict[str, list[float]] = {m: [] for m in FORM_METRICS}
    for run_id, start, minutes in sorted(runs, key=lambda r: r[1]):
        for row in minutes:
            ids.append(run_id)
            starts.append(start.astimezone(UTC).timestamp())
            speeds.append(row["speed_mps"])
            for m in FORM_METRICS:
                values[m].append(row.get(m, math.nan))
    return FormMinutes(run_id=np.array(ids, dtype=np.int64), start_s=np.array(starts),
                       speed_mps=np.array(speeds),
                       values={m: np.array(v, dtype=np.float64) for m, v in values.items()},
                       devices=devices or {})
