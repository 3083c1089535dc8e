"""Movement: GPS jumps, alternating fixes, cumulative distance, stops and moving time.

Alternating fixes are what a phone records while its owner stands still: the position flips
between two places (often a cached fix and a fresh one) 10-20 m apart every second. Each flip is
a reversal of direction, and two reversals in a row cannot be running: a runner who turns back
(a shuttle's hairpin) reverses once and then runs on. Such stretches are counted as stopped and
add no distance, so they make neither kilometres nor turns (:func:`alternating_fixes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.track.geodesy import haversine_m, local_xy_m, segment_lengths_m

__all__ = ["Motion", "alternating_fixes", "detect_motion", "gps_spikes", "standstill_jitter"]

BoolArray = NDArray[np.bool_]

#: Below this speed an interval counts as stopped (m/s; 1.8 km/h, slower than a slow walk).
STOP_SPEED_MPS = 0.5
#: Shortest time a step is taken to last when judging its speed (s): guards against timestamp jitter.
MIN_STEP_S = 1.0
#: How far a point must stick out of the path (extra metres over skipping it) to be a GPS spike.
SPIKE_DETOUR_M = 30.0
#: A recording gap longer than this (s) counts as stopped unless the speed across it is plausible.
MAX_GAP_S = 60.0
#: Cosine of the angle between two consecutive steps below which the second reverses the first
#: (-0.5: a change of direction of more than 120°).
REVERSAL_COS = -0.5
#: Gaps of at most this many intervals between two flipping stretches are flipping too.
FLIP_GAP_SAMPLES = 5
#: A stretch of at least this long (s) whose fixes all stay inside a box of
#: :data:`STANDSTILL_BOX_M` diagonal is a standstill, however far the fixes wander inside it.
STANDSTILL_S = 90.0
#: Diagonal of the box a standstill's fixes stay in (m): scatter of σ 5 m stays inside it for
#: 90 s, and a runner at even 1 m/s leaves it (a 45 m shuttle leg is longer than it).
STANDSTILL_BOX_M = 40.0


def standstill_jitter(time_s: FloatArray, lat_deg: FloatArray, lon_deg: FloatArray) -> BoolArray:
    """Per interval (``n - 1`` values): True inside a stretch of at least :data:`STANDSTILL_S`
    whose fixes all stay within a box of :data:`STANDSTILL_BOX_M` diagonal.

    Random GPS scatter at rest (a phone on a bench) wanders several metres a second, which reads
    as running; over a minute it never leaves a small box, which running cannot do. The window
    is a fixed number of samples (the median sampling interval into :data:`STANDSTILL_S`).
    """
    n = lat_deg.shape[0]
    flags = np.zeros(max(n - 1, 0), dtype=bool)
    ok = np.isfinite(lat_deg) & np.isfinite(lon_deg) & np.isfinite(time_s)
    if ok.sum() < 3:
        return flags
    idx = np.flatnonzero(ok)
    dt = float(np.median(np.diff(time_s[idx])))
    k = max(2, int(np.ceil(STANDSTILL_S / max(dt, MIN_STEP_S))))
    if idx.size <= k:
        return flags
    x, y = local_xy_m(lat_deg[idx], lon_deg[idx])
    wx = np.lib.stride_tricks.sliding_window_view(x, k + 1)
    wy = np.lib.stride_tricks.sliding_window_view(y, k + 1)
    diagonal = np.hypot(wx.max(axis=1) - wx.min(axis=1), wy.max(axis=1) - wy.min(axis=1))
    span = time_s[idx[k:]] - time_s[idx[:-k]]
    still = np.flatnonzero((diagonal < STANDSTILL_BOX_M) & (span >= STANDSTILL_S))
    if still.size == 0:
        return flags
    marks = np.zeros(n + 1, dtype=np.int64)
    np.add.at(marks, idx[still], 1)
    np.add.at(marks, idx[still + k], -1)
    flags[:] = np.cumsum(marks)[:n - 1] > 0
    return flags


def alternating_fixes(lat_deg: FloatArray, lon_deg: FloatArray) -> BoolArray:
    """Per interval (``n - 1`` values): True inside a run of GPS fixes that flip back and forth.

    A step *reverses* the one before when their directions differ by more than 120°
    (:data:`REVERSAL_COS`); the three steps around two consecutive reversals are flagged, and
    short gaps between flagged stretches (:data:`FLIP_GAP_SAMPLES`) are closed. Only
    valid positions are compared, and a fix repeating the one before is no step; a flagged step across missing positions (spikes removed before)
    flags every interval it spans.
    """
    n = lat_deg.shape[0]
    flags = np.zeros(max(n - 1, 0), dtype=bool)
    valid = np.flatnonzero(np.isfinite(lat_deg) & np.isfinite(lon_deg))
    if valid.size < 4:
        return flags
    x, y = local_xy_m(lat_deg[valid], lon_deg[valid])
    # a repeated fix is no step: compare each position with the last different one
    new = np.concatenate(([True], (np.diff(x) != 0) | (np.diff(y) != 0)))
    valid, x, y = valid[new], x[new], y[new]
    if valid.size < 4:
        return flags
    dx, dy = np.diff(x), np.diff(y)
    length = np.hypot(dx, dy)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (dx[:-1] * dx[1:] + dy[:-1] * dy[1:]) / (length[:-1] * length[1:])
    reverse = cos < REVERSAL_COS
    twice = np.flatnonzero(reverse[:-1] & reverse[1:])  # steps twice..twice+2 flip back and forth
    bad_steps = np.zeros(valid.size - 1, dtype=bool)
    for offset in range(3):
        bad_steps[twice + offset] = True
    # a step between valid points i and j covers the intervals i..j-1 (j > i + 1 where spikes
    # were removed in between): flag them all
    marks = np.zeros(n, dtype=np.int64)
    np.add.at(marks, valid[:-1][bad_steps], 1)
    np.add.at(marks, valid[1:][bad_steps], -1)
    flags[:] = np.cumsum(marks)[:-1] > 0
    return _close_gaps(flags, FLIP_GAP_SAMPLES)


def _close_gaps(flags: BoolArray, max_gap: int) -> BoolArray:
    """Set runs of at most ``max_gap`` False values lying between two True values."""
    out = flags.copy()
    on = np.flatnonzero(flags)
    if on.size < 2:
        return out
    gaps = np.diff(on) - 1
    for start, gap in zip(on[:-1][(gaps > 0) & (gaps <= max_gap)],
                          gaps[(gaps > 0) & (gaps <= max_gap)], strict=True):
        out[start + 1:start + 1 + gap] = True
    return out


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
    alternating_s
        Seconds of GPS jitter at a standstill (:func:`alternating_fixes`,
        :func:`standstill_jitter`) counted as stopped.
    """

    distance_m: FloatArray
    moving: BoolArray
    elapsed_time_s: float | None
    moving_time_s: float | None
    speed_mps: FloatArray
    jumps: int
    alternating_s: float = 0.0


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

    # on the raw fixes: spikes are often the flips
    flipping = alternating_fixes(lat_deg, lon_deg) | standstill_jitter(time_s, lat_deg, lon_deg)
    dist = _device_distance(device_distance_m)
    if dist is None:
        step = np.where(flipping, 0.0, _position_steps(lat, lon))
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
    moving = going & (dt > 0) & (v_step <= max_speed_mps * 1.5) & ~flipping
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
    alternating = float(np.clip(dt[flipping], 0.0, MAX_GAP_S).sum())
    return Motion(dist, moving, elapsed, moving_time, speed, jumps, alternating)


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
