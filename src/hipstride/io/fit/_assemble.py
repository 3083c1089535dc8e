"""Assembling an :class:`~hipstride.activity.Activity` from the decoded FIT parts.

Record fields become columns (units converted once, see :mod:`hipstride.io.fit`), the session to
read is chosen (the longest running one), a multisport file is cut to its window, timestamps are
checked (missing, implausible, going back) and merged, and laps, timer pauses and the device are
read from the summary messages. Every problem found on the way is an
:class:`~hipstride.io._policy.Issue`; which are warnings is the reader's policy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np

from hipstride.activity import STANDARD_CHANNELS, Activity, FloatArray
from hipstride.errors import ReadError
from hipstride.io import _bounds as bounds
from hipstride.io._policy import Issue
from hipstride.io.fit._dev import DevNamer, dev_value
from hipstride.io.fit._frames import Message, Part
from hipstride.io.fit._summary import (
    FOOT_SPORTS,
    choose_session,
    device_name,
    enum,
    first_value,
    number,
    read_laps,
    session_span,
    session_summary,
    session_window,
    timer_pauses,
)

__all__ = ["build"]

#: Unix time of the FIT epoch, 1989-12-31T00:00:00Z (s).
FIT_EPOCH_S = 631065600
#: FIT timestamps below this are seconds since the device powered on, not since the epoch.
RELATIVE_TIME_LIMIT = 0x10000000
SEMICIRCLES_TO_DEG = 180.0 / 2**31
#: Records more than this far outside the session are insane (s); after tomorrow, see _bounds.
SANITY_MARGIN_S = 86400.0

_RECORD_FIELDS = (
    "timestamp", "position_lat", "position_long", "enhanced_altitude", "altitude", "distance",
    "enhanced_speed", "speed", "cadence", "fractional_cadence", "heart_rate", "power",
    "temperature", "stance_time", "stance_time_balance", "vertical_oscillation", "vertical_ratio",
    "step_length",
)
#: FIT record field → hipstride channel (units in STANDARD_CHANNELS).
_CHANNEL_OF_FIELD = {
    "heart_rate": "heart_rate_bpm", "power": "power_w", "temperature": "temperature_c",
    "stance_time": "stance_time_ms", "stance_time_balance": "stance_time_balance_left_pct",
    "vertical_oscillation": "vertical_oscillation_mm", "vertical_ratio": "vertical_ratio_pct",
    "step_length": "step_length_mm",
}


def build(parts: list[Part], notes: list[Issue], label: str) -> tuple[Activity, list[Issue]]:
    """The activity of the decoded ``parts`` and the problems found (``notes`` first).

    Every problem is in ``Activity.warnings``; raises :class:`ReadError` when nothing is usable.
    """
    usable = [part for part in parts if not part.rejected]
    if not any(part.records for part in usable):
        broken = [part for part in parts if part.problem]
        if not broken:
            raise ReadError(label, "no records")
        raise ReadError(label, str(broken[0].problem), offset=broken[0].problem_offset, record=0)
    read_before = 0  # records of the earlier parts
    for part in parts:
        kept = len(part.records)
        if part.problem is not None:
            where = f"part {part.number} of {len(parts)} (from byte {part.offset}): " if len(parts) > 1 else ""
            outcome = f"kept the {kept} records read before it" if kept else "that part is ignored"
            notes.append(Issue(f"{where}{part.problem}; {outcome}", problem=f"{where}{part.problem}",
                               offset=part.problem_offset, record=read_before + kept))
        read_before += kept

    sessions = [s for part in usable for s in part.messages.get("session_mesgs", [])]
    session = choose_session(sessions)
    runs = sum(enum(s.get("sport")) == "running" for s in sessions)
    if runs > 1:
        notes.append(Issue(f"the file holds {runs} running sessions; only the longest is used"))
    # With one session (or none), sport/lap messages may fill in; a multisport leg speaks for itself.
    summaries = usable if len(sessions) <= 1 else []
    sport = enum(first_value(session, summaries, "sport")) or "unknown"
    columns, dev_columns, dev_units = _collect(usable)
    window = session_window(session, sessions) if len(sessions) > 1 else None
    index, group = _select(columns, window, session, notes, label, sport)

    def pick(values: FloatArray) -> FloatArray:
        return _last_per_group(values[index], group)

    times = pick(columns["timestamp"])
    t0 = float(times[0])
    relative = t0 < RELATIVE_TIME_LIMIT
    lat = pick(columns["position_lat"]) * SEMICIRCLES_TO_DEG
    lon = pick(columns["position_long"]) * SEMICIRCLES_TO_DEG
    off_globe = ~((np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0))
    lat[off_globe] = np.nan
    lon[off_globe] = np.nan
    _drop_jumps(lat, lon, notes)

    channels: dict[str, FloatArray] = {}
    units: dict[str, str] = {}
    cadence = pick(columns["cadence"]) + np.nan_to_num(pick(columns["fractional_cadence"]))
    if sport in FOOT_SPORTS:
        channels["cadence_spm"], units["cadence_spm"] = 2.0 * cadence, STANDARD_CHANNELS["cadence_spm"]
    else:
        channels["cadence_rpm"], units["cadence_rpm"] = cadence, "rpm"
    for fit_name, name in _CHANNEL_OF_FIELD.items():
        channels[name], units[name] = pick(columns[fit_name]), STANDARD_CHANNELS[name]
    for name, values in dev_columns.items():
        channels[name], units[name] = pick(values), dev_units[name]
    empty = [name for name, values in channels.items() if not np.isfinite(values).any()]
    for name in empty:
        del channels[name], units[name]

    distance = pick(columns["distance"])
    speed = _prefer(pick(columns["enhanced_speed"]), pick(columns["speed"]))
    elevation = _prefer(pick(columns["enhanced_altitude"]), pick(columns["altitude"]))
    dropped = bounds.drop_implausible_values(distance, speed, elevation)
    if dropped is not None:
        notes.append(Issue(dropped))
    activity = Activity(
        source=label,
        start_time_utc=None if relative else _utc(t0),
        time_s=times - t0,
        lat_deg=lat,
        lon_deg=lon,
        elevation_m=elevation,
        distance_m=distance if np.isfinite(distance).any() else None,
        speed_mps=speed if np.isfinite(speed).any() else None,
        channels=channels,
        channel_units=units,
        sport=sport,
        sub_sport=enum(first_value(session, summaries, "sub_sport")),
        device=device_name(usable),
        file_format="fit",
        session=session_summary(session, sport),
        laps=read_laps(usable, window, t0),
        timer_pauses_s=timer_pauses(usable, t0, float(times[-1])),
        time_is_relative=relative,
        warnings=[note.text for note in notes],
    )
    return activity, notes


def _select(columns: dict[str, FloatArray], window: tuple[float, float] | None,
            session: Message | None, notes: list[Issue], label: str,
            sport: str) -> tuple[np.ndarray, np.ndarray]:
    """Choose the records to keep; return their indices and, for each, its sample's index."""
    t = columns["timestamp"]
    keep = np.isfinite(t)
    if not keep.any():
        raise ReadError(label, "no records with a timestamp")
    if not keep.all():
        notes.append(Issue(f"dropped {int(np.count_nonzero(~keep))} records without a timestamp"))
    if window is not None:
        # Multisport distance runs on over the legs: count it from the end of the previous leg.
        before = np.flatnonzero((t < window[0]) & np.isfinite(columns["distance"]))
        if before.size:
            columns["distance"] -= columns["distance"][before[np.argmax(t[before])]]
        keep &= (t >= window[0]) & (t < window[1])
        if not keep.any():
            raise ReadError(label, f"no records inside the {sport} session")
    _drop_insane(t, keep, session if window is None else None, notes)
    if not keep.any():
        raise ReadError(label, "no records with a plausible timestamp")
    return _monotonic(t, keep, notes)


def _collect(parts: list[Part]) -> tuple[dict[str, FloatArray], dict[str, FloatArray], dict[str, str]]:
    """Gather record fields (and developer fields, as ``dev:`` channels) of all parts as arrays."""
    lists: dict[str, list[Any]] = {name: [] for name in _RECORD_FIELDS}
    sparse: dict[str, tuple[list[int], list[float]]] = {}
    dev_units: dict[str, str] = {}
    namer = DevNamer()
    total = 0
    for part in parts:
        records = part.records
        for name, values in lists.items():
            values.extend([record.get(name) for record in records])
        channel_of = {key: namer.name(field.key) for key, field in sorted(part.dev_fields.items())}
        for i, record in enumerate(records):
            developer = record.get("developer_fields")
            if not isinstance(developer, dict):
                continue
            for key, raw in developer.items():
                field = part.dev_fields.get(key)
                value = None if field is None else dev_value(field, raw)
                if field is None or value is None:
                    continue
                channel = channel_of[key]
                rows, values_ = sparse.setdefault(channel, ([], []))
                rows.append(total + i)
                values_.append(value)
                dev_units.setdefault(channel, field.units)
        total += len(records)
    columns = {name: _floats(values) for name, values in lists.items()}
    dev_columns: dict[str, FloatArray] = {}
    for channel, (rows, values_) in sparse.items():
        column = np.full(total, np.nan)
        column[rows] = values_
        dev_columns[channel] = column
    return columns, dev_columns, dev_units


def _floats(values: list[Any]) -> FloatArray:
    """Values as float64, NaN for ``None`` and for anything that is not a finite number."""
    try:
        array = np.array(values, dtype=np.float64)
        if array.shape != (len(values),):  # a field that is an array in some records
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        array = np.array([number(v) for v in values], dtype=np.float64)
    array[np.isinf(array)] = np.nan
    return array


def _drop_jumps(lat: FloatArray, lon: FloatArray, notes: list[Issue]) -> None:
    """Lone GPS jumps (see :mod:`hipstride.io._bounds`) lose their position."""
    jumps = bounds.position_jumps(lat, lon)
    if jumps.any():
        lat[jumps] = np.nan
        lon[jumps] = np.nan
        notes.append(Issue(f"dropped the position of {int(np.count_nonzero(jumps))} records that "
                           f"jump over {bounds.MAX_JUMP_M:g} m away and back",
                           record=int(np.argmax(jumps))))


def _prefer(first: FloatArray, second: FloatArray) -> FloatArray:
    return np.where(np.isnan(first), second, first)


def _utc(fit_seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(fit_seconds + FIT_EPOCH_S, UTC)
    except (OverflowError, OSError, ValueError):
        return None


# ------------------------------------------------------------------------- sessions and the clock


def _drop_insane(t: FloatArray, keep: np.ndarray, session: Message | None, notes: list[Issue]) -> None:
    """Drop timestamps after tomorrow, or (for one session) more than a day outside it."""
    insane = keep & (t > bounds.latest_utc_s() - FIT_EPOCH_S)
    if session is not None:
        start, end = session_span(session)
        if start is not None:
            insane |= keep & (t < start - SANITY_MARGIN_S)
        if end is not None:
            insane |= keep & (t > end + SANITY_MARGIN_S)
    if insane.any():
        latest = float(t[insane].max())
        day = _utc(latest) if latest >= RELATIVE_TIME_LIMIT else None
        when = f" (up to {day:%Y-%m-%d})" if day is not None else ""
        notes.append(Issue(f"dropped {int(np.count_nonzero(insane))} records with implausible "
                           f"timestamps{when}"))
        keep &= ~insane


def _monotonic(t: FloatArray, keep: np.ndarray, notes: list[Issue]) -> tuple[np.ndarray, np.ndarray]:
    """Put the records in time order within one plausible recording; group equal timestamps.

    Out-of-order records and records beyond one recording's span are resolved as
    :mod:`hipstride.io._bounds` says (a glitch costs that record, a reversed file is sorted).
    Returns the indices of the kept records and, for each, the index of its sample (records that
    share a timestamp share a sample).
    """
    index = np.flatnonzero(keep)
    order, text = bounds.plausible_order(t[index])
    if text is not None:
        notes.append(Issue(text, record=int(index[np.argmax(np.diff(t[index]) < 0) + 1])))
    index = index[order]
    span, text = bounds.longest_span(t[index])
    if text is not None:
        notes.append(Issue(text))
        index = index[span]
    stamps = t[index]
    group = np.cumsum(np.concatenate(([True], stamps[1:] != stamps[:-1]))) - 1
    return index, group


def _last_per_group(values: FloatArray, group: np.ndarray) -> FloatArray:
    """One value per group: the last finite one (NaN when none)."""
    n_groups = int(group[-1]) + 1
    if n_groups == len(group):
        return values.astype(np.float64, copy=True)
    out = np.full(n_groups, np.nan)
    finite = np.flatnonzero(np.isfinite(values))
    if finite.size:
        groups = group[finite]
        last = np.concatenate((groups[1:] != groups[:-1], [True]))
        out[groups[last]] = values[finite[last]]
    return out


# ------------------------------------------------------------------------------- summary messages
