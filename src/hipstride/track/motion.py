"""Movement: GPS jumps, cumulative distance, stops and moving time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.track.geodesy import haversine_m, segment_lengths_m

__all__ = ["Motion", "detect_motion", "gps_spikes"]

BoolArray = NDArray[np.bool_]

#: Below this speed an interval counts as stopped (m/s; 1.8 km/h, slower than a slow walk).
STOP_SPEED_MPS = 0.5
#: Shortest time a step is taken to last when judging its speed (s): guards against timestamp jitter.
MIN_STEP_S = 1.0
#: How far a point must stick out of the path (extra metres over skipping it) to be a GPS spike.
SPIKE_DETOUR_M = 30.0
#: A recording gap longer than this (s) counts as stopped unless the speed across it is plausible.
MAX_GAP_S = 60.0


def gps_spikes(lat_deg: FloatArray, lon_deg: FloatArray, time_s: FloatArray, *,
               max_speed_mps: float) -> BoolArray:
    """Mask of single-point GPS spikes: points reached *and* left faster than ``max_speed_mps``
    that also stick out from the path by more than :data:`SPIKE_DETOUR_M`.

    Both neighbouring steps must be implausible, so a genuine fast stretch is never removed;
    speeds are taken over at least :data:`MIN_STEP_S`, so jittery timestamps (exports that put
    two fixes 0.2 s apart) do not make spikes of ordinary points. Runs up to three passes so that
    two-point spikes are caught too.
    """
    n = lat_deg.shape[0]
    spikes = np.zeros(n, dtype=bool)
    if n < 3 or not np.any(np.isfinite(time_s)):
        return spikes
    for _ in range(3):
        keep = np.flatnonzero(~spikes & np.isfinite(lat_deg))
        if keep.size < 3:
            break
        step = segment_lengths_m(lat_deg[keep], lon_deg[keep])
        dt = np.maximum(np.diff(time_s[keep]), MIN_STEP_S)
        with np.errstate(invalid="ignore"):
            v = step / dt
        skip = haversine_m(lat_deg[keep][:-2], lon_deg[keep][:-2], lat_deg[keep][2:], lon_deg[keep][2:])
        detour = step[:-1] + step[1:] - np.nan_to_num(skip)
        bad = (v[:-1] > max_speed_mps) & (v[1:] > max_speed_mps) & (detour > SPIKE_DETOUR_M)
        if not bad.any():
            break
        spikes[keep[1:-1][bad]] = True
    return spikes


@dataclass(frozen=True)
class Motion:
    """Per-sample movement derived from an activity.

    Attributes
    ----------
    distance_m
        Cumulative distance per sample, metres (device distance where the file has it).
    moving
        Per interval (``n - 1`` values): True when the runner was moving.
    elapsed_time_s, moving_time_s
        Seconds from first to last sample, and seconds spent moving (``None`` without times).
    speed_mps
        Per-sample speed, m/s (device speed where present, else from distance over time).
    jumps
        Number of GPS jumps removed or bridged.
    """

    distance_m: FloatArray
    moving: BoolArray
    elapsed_time_s: float | None
    moving_time_s: float | None
    speed_mps: FloatArray
    jumps: int


def detect_motion(time_s: FloatArray, lat_deg: FloatArray, lon_deg: FloatArray,
                  device_distance_m: FloatArray | None, device_speed_mps: FloatArray | None,
                  *, segment_starts: NDArray[np.int64] | None = None,
                  timer_pauses_s: list[tuple[float, float]] | None = None,
                  max_speed_mps: float = 12.0) -> Motion:
    """Distance, stops and moving time of a recording.

    Distance comes from the device's own distance channel when it is usable (that is what the
    watch reports) and from the positions otherwise. GPS spikes are removed; a single implausible
    step (a teleport without a time gap) is bridged and not counted.
    """
    n = time_s.shape[0]
    has_time = bool(np.count_nonzero(np.isfinite(time_s)) >= 2)
    spikes = gps_spikes(lat_deg, lon_deg, time_s, max_speed_mps=max_speed_mps)
    jumps = int(spikes.sum())
    lat = np.where(spikes, np.nan, lat_deg)
    lon = np.where(spikes, np.nan, lon_deg)

    dist = _device_distance(device_distance_m)
    if dist is None:
        step = _position_steps(lat, lon)
        if segment_starts is not None and segment_starts.size:
            step[segment_starts - 1] = 0.0
        if has_time:
            dt = np.diff(time_s)
            with np.errstate(divide="ignore", invalid="ignore"):
                v = step / np.maximum(dt, MIN_STEP_S)
            teleport = (v > max_speed_mps) & (step > 50.0)
            jumps += int(teleport.sum())
            step = np.where(teleport, 0.0, step)
        dist = np.concatenate(([0.0], np.cumsum(step))) if n else np.zeros(0)

    if not has_time:
        moving = np.diff(dist) > 0 if n > 1 else np.zeros(0, dtype=bool)
        speed = np.full(n, np.nan)
        return Motion(dist, moving, None, None, speed, jumps)

    dt = np.diff(time_s)
    ddist = np.diff(dist)
    with np.errstate(divide="ignore", invalid="ignore"):
        v_step = np.where(dt > 0, ddist / dt, 0.0)
    # Judge movement on the device's own speed where it has one (devices update distance in
    # bursts: a foot pod may hold it for a second while the runner runs on); otherwise on the
    # speed across the neighbouring samples, so one held distance is not taken for a stop.
    if device_speed_mps is not None and np.count_nonzero(np.isfinite(device_speed_mps)) > n // 2:
        going = np.nan_to_num(device_speed_mps[1:], nan=0.0) >= STOP_SPEED_MPS
    else:
        lo = np.maximum(np.arange(n - 1) - 1, 0)
        hi = np.minimum(np.arange(n - 1) + 2, n - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            span = time_s[hi] - time_s[lo]
            v_near = np.where(span > 0, (dist[hi] - dist[lo]) / span, 0.0)
        going = np.maximum(v_near, v_step) >= STOP_SPEED_MPS
    moving = going & (dt > 0) & (v_step <= max_speed_mps * 1.5)
    # a long gap counts as moving only if the pace across it is a running or walking pace
    moving &= (dt <= MAX_GAP_S) | (v_step >= 1.0)
    if segment_starts is not None and segment_starts.size:
        moving[segment_starts - 1] = False
    for stop_s, start_s in timer_pauses_s or ():
        moving &= ~((time_s[1:] > stop_s) & (time_s[1:] <= start_s))
    moving_time = float(dt[moving].sum())
    elapsed = float(np.nanmax(time_s) - np.nanmin(time_s))

    if device_speed_mps is not None and np.count_nonzero(np.isfinite(device_speed_mps)) > n // 2:
        speed = np.asarray(device_speed_mps, dtype=np.float64)
    else:
        speed = np.concatenate(([v_step[0] if v_step.size else 0.0], v_step))
    return Motion(dist, moving, elapsed, moving_time, speed, jumps)


def _device_distance(distance_m: FloatArray | None) -> FloatArray | None:
    if distance_m is None:
        return None
    valid = np.isfinite(distance_m)
    if np.count_nonzero(valid) < 2 or np.nanmax(distance_m) <= 0:
        return None
    filled = np.interp(np.arange(distance_m.shape[0]), np.flatnonzero(valid), distance_m[valid])
    filled = filled - filled[0]
    return np.maximum.accumulate(filled)


def _position_steps(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Step lengths between consecutive *valid* positions, attributed to the step that reaches them."""
    n = lat.shape[0]
    step = np.zeros(max(n - 1, 0))
    valid = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if valid.size >= 2:
        d = segment_lengths_m(lat[valid], lon[valid])
        step[valid[1:] - 1] = d
    return step
