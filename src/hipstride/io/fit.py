"""FIT reader: Garmin's ``garmin-fit-sdk`` first, ``fitdecode`` for what the SDK cannot decode.

:func:`parse_fit` turns the bytes of a FIT file (already gunzipped) into an
:class:`~hipstride.activity.Activity`, converting units once:

* positions: semicircles → degrees (``× 180 / 2**31``), NaN where missing or off the globe;
* time: FIT epoch (1989-12-31 UTC) seconds → ``start_time_utc`` (UTC-aware, the first record)
  and ``time_s`` (seconds from it). Old devices (FR70) write device-relative timestamps
  (< ``0x10000000``): then ``time_is_relative=True`` and ``start_time_utc=None``;
* ``enhanced_altitude``/``enhanced_speed`` win over ``altitude``/``speed`` sample by sample;
* cadence: FIT stores strides/min for on-foot sports, so ``cadence_spm = 2 × (cadence +
  fractional_cadence)`` for running, walking and hiking; other sports keep revolutions as
  ``cadence_rpm``. Running dynamics keep their FIT units (ms, %, mm); ``stance_time_balance`` is the
  left-foot share (``stance_time_balance_left_pct``). Developer fields become ``"dev:<name>"``
  channels (see :mod:`hipstride.io._fit_dev`).

Missing values are NaN. Zero is a real value: only FIT's invalid sentinels (dropped by the
decoders) mean "missing".

Timestamps. Records that share a timestamp are merged into one sample (later values win, gaps are
filled): Strava writes position and distance as two records of the same second, a Forerunner 110
sometimes two fixes within one second. Records without a timestamp, with one after "now" or more
than a day outside the session, or going back in time are dropped with a warning, so ``time_s``
strictly increases.

Chained files and sessions. Every FIT part of a chained file is read. When the file holds several
sessions (a triathlon), the records inside the chosen session's window ``start_time ..
start_time + total_elapsed_time`` (a few seconds of slack, never into the next session) are kept:
the longest running session, else the longest session. Record distance runs on across the legs
of a multisport file, so it is counted from the last distance before the window.

Session averages. ``session`` repeats what the device computed. To compare records with it, note
how devices average (checked on the Garmin fenix 5 / FR935 / FR945 / FR920XT and COROS APEX Pro
files in the test data): Garmin's average cadence *includes* the zero-cadence records (standing
still); running dynamics are only recorded while running, and COROS's few zero records match best
left out. With smart recording (a record every 1–9 s, fenix 5) the device averages its internal
1 Hz values, so a plain mean of the records is off by up to 11 %; weighting each record by the time
since the previous one, capped at 10 s (longer gaps are pauses), brings every average within 3 %
and the stance-time balance within 0.3 points (``tests/test_read_fit.py::device_average``).

Broken files. Decoding is strict (CRC checked). What is kept from a damaged part depends on what is
known about the damage:

* bad checksum on a part that decodes to its declared end (``corrupt/…activity-filecrc.fit``):
  some byte somewhere is wrong and nothing says which, so the part is refused: ``ReadError`` when it
  is the only part, a warning when another part of a chained file is intact
  (``…activity-activity-filecrc.fit``);
* a corrupt header after an intact part (``…corruptheader.fit``), or a part cut short
  (``…nodata.fit``): the intact parts are read, the rest is ignored with a warning;
* decoding that stops early: the file is truncated (``…unexpected-eof.fit``; ``nick.fit``, whose
  last record runs into its checksum), a record uses an undefined local message (Strava Android,
  after 473 records), or bytes cannot be decoded (Lezyne, after its whole activity: its 804 records
  end at the distance its own session reports, though its checksum fails). The damage has a place
  and what precedes it decoded consistently, so those records are kept with a warning; they still
  pass the timestamp checks above (Strava's last ones run off to 2085 and are dropped). When nothing
  was readable before it, ``ReadError`` names the problem.

The SDK cannot read compressed-timestamp records (FR70): that SDK error, or an SDK error of no
known kind, sends the part to ``fitdecode`` in strict mode; if that fails too, whichever decoder got
further gives the partial result. No exception other than :class:`~hipstride.errors.ReadError`
escapes.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
from garmin_fit_sdk import Decoder, Profile, Stream

from hipstride.activity import STANDARD_CHANNELS, Activity, FloatArray, Lap, Session
from hipstride.errors import ReadError, ReadWarning
from hipstride.io._fit_dev import DevField, DevNamer, app_identity, describe, dev_value

__all__ = ["parse_fit"]

Message = dict[str, Any]
Messages = dict[str, list[Message]]

#: Unix time of the FIT epoch, 1989-12-31T00:00:00Z (s).
FIT_EPOCH_S = 631065600
#: FIT timestamps below this are seconds since the device powered on, not since the epoch.
RELATIVE_TIME_LIMIT = 0x10000000
SEMICIRCLES_TO_DEG = 180.0 / 2**31
#: Sports whose FIT cadence counts strides (one foot): doubled into steps/min.
FOOT_SPORTS = frozenset({"running", "walking", "hiking"})
#: Records more than this far outside the session, or after now, are insane (s).
SANITY_MARGIN_S = 86400.0
#: Devices log records up to a few seconds after a session's end (2.4 s seen on an FR645M) (s).
WINDOW_SLACK_S = 5.0

_MESG_DEVELOPER_DATA_ID: int = Profile["mesg_num"]["DEVELOPER_DATA_ID"]
_MESG_FIELD_DESCRIPTION: int = Profile["mesg_num"]["FIELD_DESCRIPTION"]
_SDK_POSITION = re.compile(r"at byte: (\d+)\s*")

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


@dataclass
class _Part:
    """One FIT file of a (possibly chained) file, as decoded."""

    number: int
    offset: int
    messages: Messages
    dev_fields: dict[int, DevField]
    #: Why decoding stopped early (records read before it are kept), or ``None``.
    problem: str | None = None
    #: True when the part is refused as a whole (bad checksum).
    rejected: bool = False

    @property
    def records(self) -> list[Message]:
        return self.messages.get("record_mesgs", [])


def parse_fit(data: bytes, label: str) -> Activity:
    """Parse a FIT file (see the module docstring for units and choices).

    Parameters
    ----------
    data
        The whole file, already gunzipped.
    label
        The name to use in errors and warnings (usually the file name).

    Returns
    -------
    Activity
        ``time_s`` in s from ``start_time_utc``, positions in degrees, elevation in m, distance in m,
        speed in m/s, channels in the units of ``STANDARD_CHANNELS`` (``dev:`` channels in the units
        their description gives), ``file_format="fit"``.

    Raises
    ------
    ReadError
        When nothing usable can be read; ``problem`` says why (``"bad CRC: …"``, ``"truncated: …"``,
        ``"no records"``, …).

    Warns
    -----
    ReadWarning
        When only part of the file was used; the same notes are in ``Activity.warnings``.
    """
    if not data:
        raise ReadError(label, "empty file (0 bytes)")
    try:
        parts, notes = _decode_parts(bytes(data), label)
        activity = _build(parts, notes, label)
    except ReadError:
        raise
    except Exception as exc:  # a bug or a decoder surprise: still only ReadError leaves here
        problem = f"cannot be decoded (internal error: {type(exc).__name__}: {exc})"
        raise ReadError(label, problem) from exc
    for note in activity.warnings:
        warnings.warn(f"{label}: {note}", ReadWarning, stacklevel=2)
    return activity


# --------------------------------------------------------------------------------------- decoding


def _decode_parts(data: bytes, label: str) -> tuple[list[_Part], list[str]]:
    """Split a chained file at its headers and decode every part."""
    parts: list[_Part] = []
    notes: list[str] = []
    offset = 0
    while offset < len(data):
        problem = _header_problem(data, offset)
        if problem is not None:
            if not parts:
                raise ReadError(label, problem)
            notes.append(f"ignored the last {len(data) - offset} bytes: {problem}")
            break
        end = offset + data[offset] + int.from_bytes(data[offset + 4:offset + 8], "little") + 2
        parts.append(_decode_part(data, offset, end, len(parts) + 1))
        offset = end
    return parts, notes


def _header_problem(data: bytes, offset: int) -> str | None:
    remaining = len(data) - offset
    if remaining < 12:
        if offset == 0:
            return f"too short for a FIT file ({remaining} bytes)"
        return f"{remaining} stray bytes at byte {offset}, too short for a FIT header"
    if data[offset + 8:offset + 12] != b".FIT":
        return f"corrupt FIT header: no '.FIT' signature at byte {offset + 8}"
    size = data[offset]
    if size not in (12, 14) or remaining < size:
        return f"corrupt FIT header at byte {offset}: header size {size} (expected 12 or 14)"
    return None


def _decode_part(data: bytes, offset: int, end: int, number: int) -> _Part:
    """Decode ``data[offset:end]`` with garmin-fit-sdk, falling back to fitdecode when it must."""
    chunk = data[offset:end]
    # Which application owned each developer data index when each field was described.
    owner: dict[int, str | None] = {}
    app_of_key: dict[int, str | None] = {}

    def listen(mesg_num: int, message: dict[str, Any]) -> None:
        index = message.get("developer_data_index")
        if not isinstance(index, int):
            return
        if mesg_num == _MESG_DEVELOPER_DATA_ID:
            owner[index] = app_identity(message)
        elif mesg_num == _MESG_FIELD_DESCRIPTION and isinstance(message.get("key"), int):
            app_of_key[message["key"]] = owner.get(index)

    errors: list[Exception]
    try:  # the SDK's own CRC check is pure Python nibble by nibble: 15x slower than _crc16
        raw, errors = Decoder(Stream.from_byte_array(bytearray(chunk))).read(
            convert_datetimes_to_dates=False, enable_crc_check=False, mesg_listener=listen)
        messages = cast(Messages, raw)
    except Exception as exc:  # read() reports errors itself; this only guards its set-up
        messages, errors = {}, [exc]
    if not errors and _crc16(chunk[:-2]) != int.from_bytes(chunk[-2:], "little"):
        errors = [RuntimeError("CRC Error")]
    if not errors:
        return _Part(number, offset, messages, _sdk_dev_fields(messages, app_of_key))

    kind, problem = _classify(errors[0], data, offset, end)
    if kind == "crc":
        return _Part(number, offset, {}, {}, problem=problem, rejected=True)
    if kind == "fallback":
        fd_messages, fd_fields, fd_error = _decode_with_fitdecode(chunk)
        if fd_error is None:
            return _Part(number, offset, fd_messages, fd_fields)
        problem = f"{problem}; fitdecode fails too ({_short(fd_error)})"
        if len(fd_messages.get("record_mesgs", [])) > len(messages.get("record_mesgs", [])):
            return _Part(number, offset, fd_messages, fd_fields, problem=problem)  # it got further
    return _Part(number, offset, messages, _sdk_dev_fields(messages, app_of_key), problem=problem)


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def _crc16(data: bytes) -> int:
    """The FIT checksum (CRC-16/ARC) of ``data``, byte by byte from a table."""
    crc, table = 0, _CRC_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def _classify(error: Exception, data: bytes, offset: int, end: int) -> tuple[str, str]:
    """Turn a garmin-fit-sdk error into ``(kind, problem)``.

    ``kind`` is ``"crc"`` (refuse the part), ``"fallback"`` (try fitdecode: compressed timestamps,
    which the SDK does not support, or an error of no known kind) or ``"partial"`` (a defect of the
    file itself, which fitdecode would not fix: keep what decoded before it).
    """
    text = str(error)
    match = _SDK_POSITION.search(text)
    position = offset + int(match.group(1)) if match else None
    detail = _SDK_POSITION.sub("", text).replace("FIT Runtime Error", "").strip(" :")
    actual_end = min(end, len(data))
    short = actual_end < end
    if "CRC Error" in text:
        return "crc", f"bad CRC: file checksum does not match (byte {end - 2})"
    if isinstance(error, IndexError) or "bytes remaining" in text or (short and "not a fit" in text):
        if not short:  # the last record runs into the bytes of the checksum
            problem = f"truncated: ends inside a record at byte {actual_end}, where the checksum should be"
        elif actual_end >= end - 2:
            problem = f"truncated: the file checksum is missing (file ends at byte {actual_end})"
        else:
            problem = f"truncated: ends inside a record at byte {actual_end}"
        return "partial", problem
    also = f"; the file is also {end - actual_end} bytes shorter than its header says" if short else ""
    if "Invalid local message number" in text and position is not None and position >= 1:
        local = data[position - 1] & 0x0F
        return "partial", (f"corrupt data at byte {position - 1}: a record of local message "
                           f"type {local}, which was never defined{also}")
    where = f" at byte {position}" if position is not None else ""
    if "Compressed timestamp" in text:
        return "fallback", f"compressed-timestamp record{where}, which garmin-fit-sdk cannot read{also}"
    return "fallback", f"undecodable data{where} (garmin-fit-sdk: {detail or type(error).__name__}){also}"


def _short(exc: Exception, limit: int = 90) -> str:
    """The gist of an exception's message (fitdecode appends long parenthesised context)."""
    text = " ".join(str(exc).split()).split(" (")[0] or type(exc).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _sdk_dev_fields(messages: Messages, app_of_key: dict[int, str | None]) -> dict[int, DevField]:
    fields: dict[int, DevField] = {}
    for message in messages.get("field_description_mesgs", []):
        key = message.get("key")
        if isinstance(key, int) and key in app_of_key:
            described = describe(message, app_of_key[key])
            if described is not None:
                fields[key] = described
    return fields


def _decode_with_fitdecode(chunk: bytes) -> tuple[Messages, dict[int, DevField], Exception | None]:
    """Decode one FIT part with fitdecode (strict) into the SDK's layout, raw timestamps and all.

    Returns the messages decoded, their developer fields and the error that stopped decoding
    (``None`` when the whole part decoded and its CRC matched). fitdecode's warnings count as errors.
    """
    import fitdecode

    messages: Messages = {}
    fields: dict[int, DevField] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _fitdecode_messages(fitdecode, chunk, messages, fields)
    except Exception as exc:
        return messages, fields, exc
    return messages, fields, None


def _fitdecode_messages(fitdecode: Any, chunk: bytes, messages: Messages,
                        fields: dict[int, DevField]) -> None:
    owner: dict[int, str | None] = {}
    key_of: dict[tuple[int, int], int] = {}
    descriptions = messages.setdefault("field_description_mesgs", [])
    with fitdecode.FitReader(chunk, processor=fitdecode.DataProcessorBase(),
                             check_crc=fitdecode.CrcCheck.RAISE,
                             error_handling=fitdecode.ErrorHandling.RAISE) as reader:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            if frame.name in ("developer_data_id", "field_description"):
                raw = {f.name: f.raw_value for f in frame.fields}
                index = raw.get("developer_data_index")
                if not isinstance(index, int):
                    continue
                if frame.name == "developer_data_id":
                    owner[index] = app_identity(raw)
                    continue
                key = len(descriptions)
                descriptions.append({**raw, "key": key})
                described = describe(raw, owner.get(index))
                if described is not None:
                    fields[key] = described
                    key_of[(index, described.key[1])] = key
                continue
            message: Message = {}
            developer: dict[int, Any] = {}
            for field_data in frame.fields:
                definition = field_data.field_def
                if definition is not None and definition.is_dev:
                    dev_key = key_of.get((definition.dev_data_index, definition.def_num))
                    if dev_key is not None:
                        developer[dev_key] = field_data.value
                elif message.get(field_data.name) is None:
                    message[field_data.name] = field_data.value
            if developer:
                message["developer_fields"] = developer
            messages.setdefault(f"{frame.name}_mesgs", []).append(message)


# --------------------------------------------------------------------------------------- assembly


def _build(parts: list[_Part], notes: list[str], label: str) -> Activity:
    usable = [part for part in parts if not part.rejected]
    if not any(part.records for part in usable):
        problems = [part.problem for part in parts if part.problem]
        raise ReadError(label, problems[0] if problems else "no records")
    for part in parts:
        if part.problem is not None:
            where = f"part {part.number} of {len(parts)} (from byte {part.offset}): " if len(parts) > 1 else ""
            kept = len(part.records)
            outcome = f"kept the {kept} records read before it" if kept else "that part is ignored"
            notes.append(f"{where}{part.problem}; {outcome}")

    sessions = [s for part in usable for s in part.messages.get("session_mesgs", [])]
    session = _choose_session(sessions)
    runs = sum(_enum(s.get("sport")) == "running" for s in sessions)
    if runs > 1:
        notes.append(f"the file holds {runs} running sessions; only the longest is used")
    # With one session (or none), sport/lap messages may fill in; a multisport leg speaks for itself.
    summaries = usable if len(sessions) <= 1 else []
    sport = _enum(_first(session, summaries, "sport")) or "unknown"
    columns, dev_columns, dev_units = _collect(usable)
    window = _window(session, sessions) if len(sessions) > 1 else None
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
    return Activity(
        source=label,
        start_time_utc=None if relative else _utc(t0),
        time_s=times - t0,
        lat_deg=lat,
        lon_deg=lon,
        elevation_m=_prefer(pick(columns["enhanced_altitude"]), pick(columns["altitude"])),
        distance_m=distance if np.isfinite(distance).any() else None,
        speed_mps=speed if np.isfinite(speed).any() else None,
        channels=channels,
        channel_units=units,
        sport=sport,
        sub_sport=_enum(_first(session, summaries, "sub_sport")),
        device=_device(usable),
        file_format="fit",
        session=_session(session, sport),
        laps=_laps(usable, window, t0),
        timer_pauses_s=_timer_pauses(usable, t0, float(times[-1])),
        time_is_relative=relative,
        warnings=notes,
    )


def _select(columns: dict[str, FloatArray], window: tuple[float, float] | None,
            session: Message | None, notes: list[str], label: str,
            sport: str) -> tuple[np.ndarray, np.ndarray]:
    """Choose the records to keep; return their indices and, for each, its sample's index."""
    t = columns["timestamp"]
    keep = np.isfinite(t)
    if not keep.any():
        raise ReadError(label, "no records with a timestamp")
    if not keep.all():
        notes.append(f"dropped {int(np.count_nonzero(~keep))} records without a timestamp")
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


def _collect(parts: list[_Part]) -> tuple[dict[str, FloatArray], dict[str, FloatArray], dict[str, str]]:
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
        array = np.array([_number(v) for v in values], dtype=np.float64)
    array[np.isinf(array)] = np.nan
    return array


def _number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return np.nan
    return np.nan


def _optional(value: Any) -> float | None:
    number = _number(value)
    return number if np.isfinite(number) else None


def _prefer(first: FloatArray, second: FloatArray) -> FloatArray:
    return np.where(np.isnan(first), second, first)


def _enum(value: Any) -> str | None:
    return (value.strip().lower() or None) if isinstance(value, str) else None


def _first(session: Message | None, parts: list[_Part], key: str) -> Any:
    """``key`` of the session, else of the first sport or lap message that has it."""
    if session is not None and session.get(key) is not None:
        return session[key]
    for kind in ("sport_mesgs", "lap_mesgs"):
        for part in parts:
            for message in part.messages.get(kind, []):
                if message.get(key) is not None:
                    return message[key]
    return None


def _utc(fit_seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(fit_seconds + FIT_EPOCH_S, UTC)
    except (OverflowError, OSError, ValueError):
        return None


# ------------------------------------------------------------------------- sessions and the clock


def _choose_session(sessions: list[Message]) -> Message | None:
    """The longest running session, else the longest session."""
    running = [s for s in sessions if _enum(s.get("sport")) == "running"]
    pool = running or sessions
    if not pool:
        return None
    return max(pool, key=lambda s: _optional(s.get("total_elapsed_time")) or 0.0)


def _session_span(session: Message) -> tuple[float | None, float | None]:
    """Start and end of a session in FIT seconds (either may be unknown)."""
    start = _optional(session.get("start_time"))
    elapsed = _optional(session.get("total_elapsed_time"))
    stamp = _optional(session.get("timestamp"))
    if start is None and stamp is not None and elapsed is not None:
        start = stamp - elapsed
    end = start + elapsed if start is not None and elapsed is not None else stamp
    return start, end


def _window(session: Message | None, sessions: list[Message]) -> tuple[float, float] | None:
    """The records' time window of ``session`` among several: its span, never into the next."""
    if session is None:
        return None
    start, end = _session_span(session)
    if start is None:
        return None
    upper = end + WINDOW_SLACK_S if end is not None else np.inf
    for other in sessions:
        other_start = _session_span(other)[0]
        if other is not session and other_start is not None and start < other_start < upper:
            upper = other_start
    return start, float(upper)


def _drop_insane(t: FloatArray, keep: np.ndarray, session: Message | None, notes: list[str]) -> None:
    """Drop timestamps after now, or (for one session) more than a day outside it."""
    now_fit = time.time() - FIT_EPOCH_S
    insane = keep & (t > now_fit + SANITY_MARGIN_S)
    if session is not None:
        start, end = _session_span(session)
        if start is not None:
            insane |= keep & (t < start - SANITY_MARGIN_S)
        if end is not None:
            insane |= keep & (t > end + SANITY_MARGIN_S)
    if insane.any():
        latest = float(t[insane].max())
        day = _utc(latest) if latest >= RELATIVE_TIME_LIMIT else None
        when = f" (up to {day:%Y-%m-%d})" if day is not None else ""
        notes.append(f"dropped {int(np.count_nonzero(insane))} records with implausible timestamps{when}")
        keep &= ~insane


def _monotonic(t: FloatArray, keep: np.ndarray, notes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Drop records going back in time; group equal timestamps.

    Returns the indices of the kept records and, for each, the index of its sample (records that
    share a timestamp share a sample).
    """
    index = np.flatnonzero(keep)
    stamps = t[index]
    before = np.concatenate(([-np.inf], np.maximum.accumulate(stamps)[:-1]))
    backwards = stamps < before
    if backwards.any():
        notes.append(f"dropped {int(np.count_nonzero(backwards))} records whose timestamp goes back in time")
        index, stamps = index[~backwards], stamps[~backwards]
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


def _session(session: Message | None, sport: str) -> Session:
    if session is None:
        return Session()

    def get(key: str) -> float | None:
        return _optional(session.get(key))

    cadence = None
    strides = get("avg_running_cadence")
    strides = get("avg_cadence") if strides is None else strides
    if strides is not None and sport in FOOT_SPORTS:
        cadence = 2.0 * (strides + (get("avg_fractional_cadence") or 0.0))
    return Session(
        distance_m=get("total_distance"),
        elapsed_time_s=get("total_elapsed_time"),
        timer_time_s=get("total_timer_time"),
        total_ascent_m=get("total_ascent"),
        total_descent_m=get("total_descent"),
        avg_cadence_spm=cadence,
        avg_stance_time_ms=get("avg_stance_time"),
        avg_stance_time_balance_left_pct=get("avg_stance_time_balance"),
        avg_vertical_oscillation_mm=get("avg_vertical_oscillation"),
        avg_vertical_ratio_pct=get("avg_vertical_ratio"),
        avg_step_length_mm=get("avg_step_length"),
    )


_TIMER_STOPS = frozenset({"stop", "stop_all", "stop_disable", "stop_disable_all"})


def _timer_pauses(parts: list[_Part], t0: float, t_end: float) -> list[tuple[float, float]]:
    """Spans (seconds from ``t0``) between a timer ``stop`` event and the next ``start``."""
    events = sorted((float(e["timestamp"]), str(e.get("event_type")))
                    for part in parts for e in part.messages.get("event_mesgs", [])
                    if e.get("event") == "timer" and isinstance(e.get("timestamp"), int | float))
    pauses: list[tuple[float, float]] = []
    stopped_at: float | None = None
    for stamp, kind in events:
        if kind in _TIMER_STOPS and stopped_at is None:
            stopped_at = stamp
        elif kind == "start" and stopped_at is not None:
            if stamp > stopped_at:
                pauses.append((stopped_at - t0, stamp - t0))
            stopped_at = None
    return [(a, b) for a, b in pauses if b > 0 and a < t_end - t0]


def _laps(parts: list[_Part], window: tuple[float, float] | None, t0: float) -> list[Lap]:
    laps = []
    for part in parts:
        for lap in part.messages.get("lap_mesgs", []):
            start = _session_span(lap)[0]
            if start is None or (window is not None and not window[0] <= start < window[1]):
                continue
            laps.append(Lap(start_time_s=start - t0,
                            elapsed_time_s=_optional(lap.get("total_elapsed_time")),
                            distance_m=_optional(lap.get("total_distance"))))
    return sorted(laps, key=lambda lap: lap.start_time_s)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _device(parts: list[_Part]) -> str | None:
    """``"manufacturer product"`` from file_id (product names from device_info if needed)."""
    file_ids = [m for part in parts for m in part.messages.get("file_id_mesgs", [])]
    infos = [m for part in parts for m in part.messages.get("device_info_mesgs", [])]
    file_id = file_ids[0] if file_ids else {}
    maker = _text(file_id.get("manufacturer"))
    model = next((v.strip() for key in ("garmin_product", "favero_product", "product_name")
                  if isinstance(v := file_id.get(key), str) and v.strip()), None)
    if model is None:
        model = next((v.strip() for info in infos
                      if isinstance(v := info.get("product_name"), str) and v.strip()
                      and _text(info.get("manufacturer")) in (None, maker)), None)
    if model is None:
        model = _text(file_id.get("product"))
    if maker and model:
        return model if model.lower().startswith(maker.lower()) else f"{maker} {model}"
    return maker or model
