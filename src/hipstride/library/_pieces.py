"""What of a recording the library stores as runs: split at long gaps, fragments left out.

Two runs in one file
    A device left recording, or a file merged from two sessions, can hold two runs hours apart in
    one track (``runpandas__session_720bf570_two_runs_15h_gap.gpx``: 2 × about 9 km, 15 h apart,
    read as one 24-hour run). A gap of :data:`SPLIT_GAP_S` (1 h) or more without a sample ends one
    run and starts the next. Why an hour: a pause inside a run (a red light, a café stop, a
    companion's puncture) lasts minutes, and a watch on auto-pause stops for as long as the runner
    stands still, yet even a long stop is far under an hour; two sessions of one day (a morning
    and an evening run) are hours apart. Each piece is stored, analysed and listed alone, with the
    file as its source, under a content hash derived from the file's and the piece's number
    (:func:`piece_hash`): importing the file again finds every piece stored (and reports its
    fragments again, since the file's own hash is never stored).

Fragments
    A recording under :data:`MIN_RUN_DISTANCE_M` (200 m) or :data:`MIN_RUN_DURATION_S` (2 min)
    is a watch started by mistake, a test file or a stub a merge left behind (the corpus has
    13 s / 10 m and 2 s / 5 m ones), not a run: it would add a "run day" and a baseline point
    of no meaning. It is reported as ignored, with its figures, and nothing is stored, so a new
    import reports it again. A distance counts only when the file gives one (positions, a
    distance or a speed series; a heart-rate-only file is judged on its time), and a time only
    when it is more than zero (a file whose clock never moved is judged on its distance).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

import numpy as np

from hipstride.activity import Activity, Lap, Session
from hipstride.library.store import RunRecord

__all__ = ["MIN_RUN_DISTANCE_M", "MIN_RUN_DURATION_S", "SPLIT_GAP_S", "fragment_reason",
           "piece_hash", "split_at_gaps"]

#: A gap of this many seconds or more without a sample separates two runs.
SPLIT_GAP_S = 3600.0
#: A recording shorter than this (m) is a fragment, not a run …
MIN_RUN_DISTANCE_M = 200.0
#: … and so is one that lasts less than this (s).
MIN_RUN_DURATION_S = 120.0


def piece_hash(sha256: str, piece: int, pieces: int) -> str:
    """The content hash stored for piece ``piece`` (0-based) of a file cut into ``pieces``: the
    file's own when it is one run, else a hash derived from it and the piece's number."""
    if pieces == 1:
        return sha256
    return hashlib.sha256(f"{sha256}#{piece + 1}/{pieces}".encode()).hexdigest()


def _slice(activity: Activity, lo: int, hi: int, number: int, count: int) -> Activity:
    t0 = float(activity.time_s[lo])
    dist = None
    if activity.distance_m is not None:
        part = activity.distance_m[lo:hi]
        first = part[np.isfinite(part)]
        dist = part - (first[0] if len(first) else 0.0)
    segs = None
    if activity.segment_starts is not None:
        inside = activity.segment_starts[(activity.segment_starts > lo) & (activity.segment_starts < hi)]
        segs = (inside - lo).astype(np.int64)
    t_end = float(activity.time_s[hi - 1])
    pauses = [(a - t0, b - t0) for a, b in activity.timer_pauses_s if b > t0 and a < t_end]
    laps = [Lap(lap.start_time_s - t0, lap.elapsed_time_s, lap.distance_m) for lap in activity.laps
            if t0 <= lap.start_time_s <= t_end]
    name = f"{activity.name or 'run'} (part {number} of {count})"
    return replace(
        activity, start_time_utc=(activity.start_time_utc + timedelta(seconds=t0)
                                  if activity.start_time_utc is not None else None),
        time_s=activity.time_s[lo:hi] - t0, lat_deg=activity.lat_deg[lo:hi],
        lon_deg=activity.lon_deg[lo:hi], elevation_m=activity.elevation_m[lo:hi],
        distance_m=dist,
        speed_mps=activity.speed_mps[lo:hi] if activity.speed_mps is not None else None,
        channels={k: v[lo:hi] for k, v in activity.channels.items()},
        channel_units=dict(activity.channel_units), session=Session(), laps=laps, name=name,
        segment_starts=segs, timer_pauses_s=pauses, warnings=list(activity.warnings))


def split_at_gaps(activity: Activity, gap_s: float = SPLIT_GAP_S) -> list[Activity]:
    """The runs in one recording: the recording itself, or its pieces between gaps of ``gap_s``
    or more without a sample (the device's own session totals are dropped from the pieces)."""
    t = activity.time_s
    if len(t) < 2:
        return [activity]
    steps = np.diff(t)
    cuts = np.flatnonzero(np.isfinite(steps) & (steps >= gap_s)) + 1
    if len(cuts) == 0:
        return [activity]
    bounds = [0, *cuts.tolist(), len(t)]
    count = len(bounds) - 1
    return [_slice(activity, lo, hi, k + 1, count)
            for k, (lo, hi) in enumerate(pairwise(bounds))]


def fragment_reason(record: RunRecord) -> str | None:
    """Why a recording is too short to be a run (``None``: it is one), from its analysis."""
    if record.samples < 2:
        return "a single sample, too short to be a run: not stored"
    head = record.analysis.headline
    distance, duration = head.get("distance_m"), head.get("duration_s")
    has_distance = any(c in record.channels for c in ("lat_deg", "distance_m", "speed_mps"))
    short_m = has_distance and (distance or 0.0) < MIN_RUN_DISTANCE_M
    short_s = duration is not None and 0.0 < duration < MIN_RUN_DURATION_S
    if not (short_m or short_s):
        return None
    figures = ", ".join(part for part in (
        f"{distance or 0.0:.0f} m" if has_distance else "",
        f"{duration:.0f} s" if duration is not None else "") if part)
    return (f"too short to be a run ({figures}; a run is at least {MIN_RUN_DISTANCE_M:.0f} m "
            f"and {MIN_RUN_DURATION_S / 60:.0f} min): not stored")
