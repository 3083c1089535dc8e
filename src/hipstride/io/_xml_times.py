"""The time axis of an XML recording (GPX, TCX): placeholders, gaps, order and plausible bounds.

Timestamps before the GPS epoch are placeholders (``1970-01-01`` from zeroed clocks,
``1901-12-13T20:45:52`` = int32 minimum) and timestamps after tomorrow cannot be real
(:mod:`hipstride.io._bounds`): both are treated as missing and filled by position between their
neighbours, so one point dated 2100 costs its time, not a 76-year run. Points out of time order are
sorted (a GPX may hold segments in any order); then only the part that can be one recording is
kept, and lone GPS jumps lose their position. Placeholders and sorting go to the notes; what
drops data is an :class:`~hipstride.io._policy.Issue`, subject to the caller's ``OnError``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.io import _bounds as bounds
from hipstride.io._policy import Issue

__all__ = ["repair_times"]

NAN = math.nan


def repair_times(epoch: FloatArray, lat: FloatArray, lon: FloatArray, notes: list[str],
                 loud: list[Issue]) -> tuple[FloatArray, datetime | None,
                                              NDArray[np.intp] | None, FloatArray, FloatArray]:
    """``(time_s, start_time_utc, order, lat, lon)`` of the points read, ``epoch`` in Unix s.

    ``order`` (indices into the points read) is ``None`` when every point is kept in file order;
    ``lat``/``lon`` come back in that order with jumps set to NaN.
    """
    future = epoch > bounds.latest_utc_s()
    if future.any():
        loud.append(Issue(f"{int(future.sum())} of {epoch.shape[0]} timestamps are after tomorrow "
                          f"(up to {bounds.day_of(float(epoch[future].max()))}): treated as missing",
                          record=int(np.argmax(future))))
        epoch[future] = NAN
    time_s, start = _fill_times(epoch, notes)
    order: NDArray[np.intp] | None = None
    if start is not None and (np.diff(time_s) < 0).any():
        order = np.argsort(time_s, kind="stable")
        notes.append(f"{int((np.diff(time_s) < 0).sum())} points were out of time order: "
                     "sorted by time")
        time_s = time_s[order]
        lat, lon = lat[order], lon[order]
    if start is not None:
        span, cut = bounds.longest_span(time_s)
        if cut is not None:
            first_dropped = 0 if span.start > 0 else span.stop  # as sorted; the file's index below
            loud.append(Issue(cut.replace("records", "points"),
                              record=_in_file(order, first_dropped)))
            order = (order if order is not None else np.arange(time_s.shape[0]))[span]
            time_s, lat, lon = time_s[span], lat[span], lon[span]
        start += timedelta(seconds=float(time_s[0]))
        time_s = time_s - time_s[0]
    jumps = bounds.position_jumps(lat, lon)
    if jumps.any():
        loud.append(Issue(f"dropped the position of {int(jumps.sum())} points that jump over "
                          f"{bounds.MAX_JUMP_M:g} m away and back",
                          record=_in_file(order, int(np.argmax(jumps)))))
        lat, lon = np.where(jumps, NAN, lat), np.where(jumps, NAN, lon)
    return time_s, start, order, lat, lon


def _in_file(order: NDArray[np.intp] | None, index: int) -> int:
    """The point's index in the file, for an index into the points as sorted and cut."""
    return int(order[index]) if order is not None else index


def _fill_times(t: FloatArray, notes: list[str]) -> tuple[FloatArray, datetime | None]:
    """Repair the epoch-seconds column; return ``(time_s, start_time_utc)``."""
    n = t.shape[0]
    placeholder = t < bounds.EARLIEST_UTC_S
    if placeholder.any():
        first = datetime.fromtimestamp(float(t[placeholder][0]), UTC).isoformat()
        notes.append(f"{int(placeholder.sum())} timestamps before 1980 (e.g. {first}) are "
                     "placeholders, not times: treated as missing")
        t = np.where(placeholder, NAN, t)
    known = np.flatnonzero(~np.isnan(t))
    if known.size == 0:
        if not placeholder.any():
            notes.append("no timestamps (a planned route?): time_s is NaN")
        return np.full(n, NAN), None
    if known.size < n:
        steps = np.diff(t[known]) / np.diff(known) if known.size > 1 else np.zeros(0)
        step = float(np.median(steps)) if steps.size else 0.0
        step = step if math.isfinite(step) and step > 0 else 0.0
        index = np.arange(n, dtype=np.float64)
        filled = np.interp(index, known, t[known])
        filled[: known[0]] -= (known[0] - index[: known[0]]) * step
        filled[known[-1] + 1:] += (index[known[-1] + 1:] - known[-1]) * step
        notes.append(f"{n - known.size} of {n} points have no usable time: interpolated by "
                     f"position between their neighbours (extrapolated at the median "
                     f"{step:g} s/point before the first and after the last timestamp)")
        t = filled
    start = float(t[0])
    return t - start, datetime.fromtimestamp(start, UTC)
