"""What a recording can plausibly be: the limits stated once, and the array checks that apply them.

A damaged or hostile file can decode to numbers no run has: a FIT file missing two bytes read as a
6.6-year, 41 376 km "run"; one point dated 2100 stretched a GPX over 76 years; one record an hour
ahead made the old monotonic filter drop every later record. Each such value costs analysis time
in proportion to its size (empty weeks, kilometre splits), so the readers bound them here, in one
place, and say what they dropped (a :class:`~hipstride.io._policy.Issue`, which the caller's
``OnError`` turns into a warning or an error).

The limits and why:

* dates from the GPS epoch (1980-01-06: no satellite fix is older) to tomorrow (a clock a few
  hours off in another time zone is still a real run; a run in the future is not);
* one recording lasts at most :data:`MAX_DURATION_S`, 7 days (the longest foot races, e.g. the
  Tor des Géants, finish in about 150 h), and a gap inside it lasts at most :data:`MAX_GAP_S`,
  2 days (the test data hold two runs 15 h apart in one GPX, kept whole): beyond a longer gap lies
  another recording or garbage, so the part holding the most samples is kept;
* :data:`MAX_SPEED_MPS`, 100 m/s (360 km/h, above any bicycle, below an aircraft), and
  :data:`MAX_DISTANCE_M`, 2 000 km in one recording: faster or farther values are sensor or
  decoding damage, and so are elevations outside -500 to 9 000 m (the Dead Sea shore to Everest;
  ±1e300 once gave an elevation gain of 7.8 × 10²⁹⁹ m);
* :data:`MAX_JUMP_M`: a lone position more than 1 km from both neighbours, while those two are
  close together, is a GPS jump (the classic one is a point at (0, 0)); it is dropped by distance
  alone, so files without usable times are covered too.

Time order: records that go back in time are resolved by keeping the longest non-decreasing run of
timestamps (one forward glitch then costs one record, not the rest of the file); when that would
keep less than half the records, the file is in some other order (reversed, shuffled) and is sorted
instead. All checks are O(n log n) at worst, NumPy over arrays except the one bisect loop.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray

__all__ = ["EARLIEST_UTC_S", "MAX_DISTANCE_M", "MAX_DURATION_S", "MAX_ELEVATION_M", "MAX_FILE_BYTES", "MAX_GAP_S", "MAX_JUMP_M",
           "MAX_RECORDS", "MAX_SAME_TIME_RECORDS", "MAX_SPEED_MPS", "MIN_ELEVATION_M", "day_of", "drop_implausible",
           "drop_implausible_values",
           "latest_utc_s",
           "longest_span", "plausible_order", "position_jumps"]

#: 1980-01-06T00:00:00Z, the GPS epoch, in Unix seconds: no recorded fix is older.
EARLIEST_UTC_S = 315_964_800.0
#: Longest plausible recording (s): 7 days.
MAX_DURATION_S = 7 * 86_400.0
#: Longest plausible gap inside one recording (s): 2 days.
MAX_GAP_S = 2 * 86_400.0
#: Fastest plausible speed (m/s) and farthest plausible distance (m) of one recording.
MAX_SPEED_MPS = 100.0
MAX_DISTANCE_M = 2_000_000.0
#: Lowest and highest plausible elevation (m): the Dead Sea shore is at -430 m, Everest 8849 m.
MIN_ELEVATION_M = -500.0
MAX_ELEVATION_M = 9_000.0
#: A lone position this far (m) from both neighbours, whose neighbours are close, is a GPS jump.
MAX_JUMP_M = 1_000.0
#: Largest recording file read (bytes, after gunzip): a week at 1 Hz is ~30 MB as FIT, ~150 MB as
#: GPX; beyond it a file is refused before it is parsed (a reader holds several copies in memory).
MAX_FILE_BYTES = 256 << 20
#: Most samples a recording can hold: two a second for the longest plausible recording.
MAX_RECORDS = int(2 * MAX_DURATION_S)
#: Most records in a row that may share one timestamp (Strava writes 2, some watches 3 or 4).
MAX_SAME_TIME_RECORDS = 100

_EARTH_RADIUS_M = 6_371_008.8
_TOMORROW_S = 86_400.0


def latest_utc_s() -> float:
    """The latest plausible timestamp now, in Unix seconds: one day from now."""
    return time.time() + _TOMORROW_S


def day_of(unix_s: float) -> str:
    """``YYYY-MM-DD`` of a Unix time, or the number itself where no calendar date fits."""
    try:
        return f"{datetime.fromtimestamp(unix_s, UTC):%Y-%m-%d}"
    except (OverflowError, OSError, ValueError):
        return f"{unix_s:g} s"


def plausible_order(t: FloatArray) -> tuple[NDArray[np.int64], str | None]:
    """Indices (into finite ``t``) that put the samples in time order, and what was done.

    In order already: every index, ``None``. Otherwise the longest non-decreasing run of
    timestamps (earlier samples win ties), or, when that keeps under half of them, all of them
    sorted (stable). The text says which, with the counts.
    """
    n = t.shape[0]
    if n < 2 or bool(np.all(t[1:] >= t[:-1])):
        return np.arange(n, dtype=np.int64), None
    keep = _longest_non_decreasing(t)
    if 2 * keep.size >= n:
        return keep, (f"dropped {n - keep.size} of {n} records whose timestamp is out of order "
                      "(kept the longest run in time order)")
    order = np.argsort(t, kind="stable").astype(np.int64)
    backwards = int(np.count_nonzero(t[1:] < t[:-1]))
    return order, f"{backwards} of {n} records were out of time order: sorted by time"


def _longest_non_decreasing(t: FloatArray) -> NDArray[np.int64]:
    """Indices of a longest non-decreasing subsequence of ``t`` (patience sorting, O(n log n)).

    Run backwards over ``-t`` so that, among equally long answers, the earlier samples are kept.
    """
    values = (-t[::-1]).tolist()
    tails: list[float] = []
    tail_index: list[int] = []
    previous = [-1] * len(values)
    for i, value in enumerate(values):
        k = bisect_right(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[k] = value
            tail_index[k] = i
        previous[i] = tail_index[k - 1] if k else -1
    chain = []
    i = tail_index[-1]
    while i >= 0:
        chain.append(i)
        i = previous[i]
    # chain runs from the last element of the reversed sequence back: i.e. forwards in time
    n = len(values)
    return np.array([n - 1 - j for j in chain], dtype=np.int64)


def longest_span(t: FloatArray) -> tuple[slice, str | None]:
    """The part of sorted times ``t`` (s) that can be one recording, and what was cut.

    Splits at gaps over :data:`MAX_GAP_S`, keeps the part with the most samples (the earliest of
    equals), then cuts it to its first :data:`MAX_DURATION_S`.
    """
    n = t.shape[0]
    if n < 2 or (float(t[-1] - t[0]) <= MAX_DURATION_S and float(np.max(np.diff(t))) <= MAX_GAP_S):
        return slice(0, n), None
    cuts = np.flatnonzero(np.diff(t) > MAX_GAP_S) + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [n]))
    best = int(np.argmax(ends - starts))
    start, end = int(starts[best]), int(ends[best])
    end = start + int(np.searchsorted(t[start:end], t[start] + MAX_DURATION_S, side="right"))
    dropped = n - (end - start)
    why = (f"gaps over {MAX_GAP_S / 3600:g} h split it into {len(starts)} parts"
           if len(starts) > 1 else "")
    longer = float(t[end - 1] - t[start]) >= MAX_DURATION_S - 1 and end < int(ends[best])
    if longer:
        why += ("; " if why else "") + f"it lasts over {MAX_DURATION_S / 86400:g} days"
    return slice(start, end), (f"dropped {dropped} of {n} records outside one plausible "
                               f"recording ({why}): kept records {start}..{end - 1}")


def position_jumps(lat: FloatArray, lon: FloatArray) -> NDArray[np.bool_]:
    """Positions (degrees) that are lone GPS jumps: over :data:`MAX_JUMP_M` from both their
    neighbours (the nearest samples with a position) while those neighbours are within a tenth of
    that of each other. NaN positions are never jumps."""
    jumps = np.zeros(lat.shape[0], dtype=bool)
    have = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if have.size < 3:
        return jumps
    la, lo = np.radians(lat[have]), np.radians(lon[have])
    step = _haversine_m(la[:-1], lo[:-1], la[1:], lo[1:])
    skip = _haversine_m(la[:-2], lo[:-2], la[2:], lo[2:])
    lone = (step[:-1] > MAX_JUMP_M) & (step[1:] > MAX_JUMP_M) & (skip < MAX_JUMP_M / 10)
    jumps[have[1:-1][lone]] = True
    return jumps


def _haversine_m(la1: FloatArray, lo1: FloatArray, la2: FloatArray, lo2: FloatArray) -> FloatArray:
    h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    distance: FloatArray = 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return distance


def drop_implausible(values: FloatArray | None, low: float, high: float) -> int:
    """Set values outside ``[low, high]`` to NaN in place; return how many."""
    if values is None:
        return 0
    bad = np.isfinite(values) & ((values < low) | (values > high))
    count = int(np.count_nonzero(bad))
    if count:
        values[bad] = np.nan
    return count


def drop_implausible_values(distance: FloatArray | None, speed: FloatArray | None,
                            elevation: FloatArray | None) -> str | None:
    """Distances, speeds and elevations beyond the bounds become NaN (in place); the text says
    how many of each, or ``None`` when all were plausible."""
    counts = (
        (drop_implausible(distance, 0.0, MAX_DISTANCE_M), "distances",
         f"0..{MAX_DISTANCE_M / 1000:g} km"),
        (drop_implausible(speed, 0.0, MAX_SPEED_MPS), "speeds", f"0..{MAX_SPEED_MPS:g} m/s"),
        (drop_implausible(elevation, MIN_ELEVATION_M, MAX_ELEVATION_M), "elevations",
         f"{MIN_ELEVATION_M:g}..{MAX_ELEVATION_M:g} m"),
    )
    parts = [f"{count} {what} outside {bounds}" for count, what, bounds in counts if count]
    return f"dropped {', '.join(parts)} (treated as missing)" if parts else None
