"""Framing a FIT file: the parts of a chained file, their headers and checksums, decoding each part.

A FIT file may be several FIT files back to back (a *chained* file). :func:`decode_parts` splits it
at its headers and decodes every part with garmin-fit-sdk; :func:`_classify` turns an SDK error into
what to do about it (refuse the part, hand it to fitdecode, keep what decoded before it) and where
the damage is. The checksum is computed here from a table (the SDK's own check is pure Python,
nibble by nibble: 15 times slower).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from garmin_fit_sdk import Decoder, Profile, Stream

from hipstride.errors import ReadError
from hipstride.io import _bounds as bounds
from hipstride.io._policy import Issue
from hipstride.io.fit._dev import DevField, app_identity, describe
from hipstride.io.fit._fitdecode import Message, Messages, decode_with_fitdecode
from hipstride.io.fit._walk import explain

__all__ = ["Message", "Messages", "Part", "decode_parts"]

_MESG_DEVELOPER_DATA_ID: int = Profile["mesg_num"]["DEVELOPER_DATA_ID"]
_MESG_FIELD_DESCRIPTION: int = Profile["mesg_num"]["FIELD_DESCRIPTION"]
_MESG_RECORD: int = Profile["mesg_num"]["RECORD"]


class _EnoughError(Exception):
    """Raised from the decoder's listener to stop a part that exceeds a recording's bounds."""
_SDK_POSITION = re.compile(r"at byte: (\d+)\s*")


@dataclass
class Part:
    """One FIT file of a (possibly chained) file, as decoded."""

    number: int
    offset: int
    messages: Messages
    dev_fields: dict[int, DevField]
    #: Why decoding stopped early (records read before it are kept), or ``None``.
    problem: str | None = None
    #: True when the part is refused as a whole (bad checksum).
    rejected: bool = False
    #: Byte offset (in the whole file) of the damage ``problem`` describes, when known.
    problem_offset: int | None = None

    @property
    def records(self) -> list[Message]:
        return self.messages.get("record_mesgs", [])


def decode_parts(data: bytes, label: str) -> tuple[list[Part], list[Issue]]:
    """Split a chained file at its headers and decode every part.

    Returns the parts and the problem with trailing bytes, if any. Raises :class:`ReadError` when
    the first header is broken.
    """
    parts: list[Part] = []
    notes: list[Issue] = []
    offset = 0
    while offset < len(data):
        found = _header_problem(data, offset)
        if found is not None:
            problem, where = found
            if not parts:
                raise ReadError(label, problem, offset=where)
            notes.append(Issue(f"ignored the last {len(data) - offset} bytes: {problem}",
                               problem=problem, offset=where))
            break
        end = offset + data[offset] + int.from_bytes(data[offset + 4:offset + 8], "little") + 2
        parts.append(_decode_part(data, offset, end, len(parts) + 1))
        offset = end
    return parts, notes


def _header_problem(data: bytes, offset: int) -> tuple[str, int] | None:
    """What is wrong with the header at ``offset`` and the byte it is at, or ``None``."""
    remaining = len(data) - offset
    if remaining < 12:
        if offset == 0:
            return f"too short for a FIT file ({remaining} bytes)", 0
        return f"{remaining} stray bytes at byte {offset}, too short for a FIT header", offset
    if data[offset + 8:offset + 12] != b".FIT":
        return f"corrupt FIT header: no '.FIT' signature at byte {offset + 8}", offset + 8
    size = data[offset]
    if size not in (12, 14) or remaining < size:
        return (f"corrupt FIT header at byte {offset}: header size {size} (expected 12 or 14)",
                offset)
    return None


def _decode_part(data: bytes, offset: int, end: int, number: int) -> Part:
    """Decode ``data[offset:end]`` with garmin-fit-sdk, falling back to fitdecode when it must."""
    chunk = data[offset:end]
    # Which application owned each developer data index when each field was described.
    owner: dict[int, str | None] = {}
    app_of_key: dict[int, str | None] = {}

    count = [0, 0, None]  # records so far, records in a row on one timestamp, that timestamp

    def listen(mesg_num: int, message: dict[str, Any]) -> None:
        if mesg_num == _MESG_RECORD:
            _bound_records(count, message.get("timestamp"))
            return
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
        return Part(number, offset, messages, _sdk_dev_fields(messages, app_of_key))

    if isinstance(errors[0], _EnoughError):
        return Part(number, offset, messages, _sdk_dev_fields(messages, app_of_key),
                    problem=str(errors[0]))
    kind, problem, position = _classify(errors[0], data, offset, end)
    if kind == "crc":
        return Part(number, offset, {}, {}, problem=problem, rejected=True, problem_offset=position)
    if kind == "fallback":
        fd_messages, fd_fields, fd_error = decode_with_fitdecode(chunk)
        if fd_error is None:
            return Part(number, offset, fd_messages, fd_fields)
        fd_offset = getattr(fd_error, "offset", None)  # fitdecode's FitParseError has one
        fd_where = offset + fd_offset if isinstance(fd_offset, int) else position
        problem, position, fd_where = _plain_problem(chunk, offset, end - len(data), position,
                                                     fd_where)
        if len(fd_messages.get("record_mesgs", [])) > len(messages.get("record_mesgs", [])):
            return Part(number, offset, fd_messages, fd_fields, problem=problem,
                        problem_offset=fd_where)  # it got further
    return Part(number, offset, messages, _sdk_dev_fields(messages, app_of_key), problem=problem,
                problem_offset=position)


def _plain_problem(chunk: bytes, offset: int, missing: int, sdk_where: int | None,
                   fd_where: int | None) -> tuple[str, int | None, int | None]:
    """What is wrong with a part both decoders failed on, in plain words, and where (for each
    decoder's partial result): the first broken rule of the FIT layout (:mod:`._walk`), else the
    byte where the values stopped decoding. The decoders' own texts stay out of it."""
    also = f"; the file is also {missing} bytes shorter than its header says" if missing > 0 else ""
    found = explain(chunk, offset)
    if found is not None:
        return found[0] + also, found[1], found[1]
    where = sdk_where if sdk_where is not None else fd_where
    at = f"at byte {where}" if where is not None else "in one of its records"
    return (f"undecodable data {at}: the records are laid out as FIT requires, but a value in "
            f"them cannot be decoded{also}"), sdk_where, fd_where


def _bound_records(count: list[Any], stamp: object) -> None:
    """Count one record; stop decoding past :data:`~hipstride.io._bounds.MAX_RECORDS` records, or
    :data:`~hipstride.io._bounds.MAX_SAME_TIME_RECORDS` in a row sharing one timestamp (decoding
    them would cost time and memory for samples that merge into one)."""
    count[0] += 1
    count[1] = count[1] + 1 if stamp == count[2] else 1
    count[2] = stamp
    if count[0] > bounds.MAX_RECORDS:
        raise _EnoughError(f"over {bounds.MAX_RECORDS} records, more than a recording can hold: "
                      "stopped reading there")
    if count[1] > bounds.MAX_SAME_TIME_RECORDS:
        raise _EnoughError(f"over {bounds.MAX_SAME_TIME_RECORDS} records in a row share one timestamp "
                      f"(record {count[0] - 1}): stopped reading there")


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


def _classify(error: Exception, data: bytes, offset: int, end: int) -> tuple[str, str, int | None]:
    """Turn a garmin-fit-sdk error into ``(kind, problem, byte offset of the damage)``.

    ``kind`` is ``"crc"`` (refuse the part), ``"fallback"`` (try fitdecode: compressed timestamps,
    which the SDK does not support, or an error of no known kind) or ``"partial"`` (a defect of the
    file itself, which fitdecode would not fix: keep what decoded before it). The offset counts
    from the start of the whole file; ``None`` when the SDK does not say.
    """
    text = str(error)
    match = _SDK_POSITION.search(text)
    position = offset + int(match.group(1)) if match else None
    actual_end = min(end, len(data))
    short = actual_end < end
    if "CRC Error" in text:
        return "crc", f"bad CRC: file checksum does not match (byte {end - 2})", end - 2
    if isinstance(error, IndexError) or "bytes remaining" in text or (short and "not a fit" in text):
        if not short:  # the last record runs into the bytes of the checksum
            problem = f"truncated: ends inside a record at byte {actual_end}, where the checksum should be"
        elif actual_end >= end - 2:
            problem = f"truncated: the file checksum is missing (file ends at byte {actual_end})"
        else:
            problem = f"truncated: ends inside a record at byte {actual_end}"
        return "partial", problem, actual_end
    also = f"; the file is also {end - actual_end} bytes shorter than its header says" if short else ""
    if "Invalid local message number" in text and position is not None and position >= 1:
        local = data[position - 1] & 0x0F
        return "partial", (f"corrupt data at byte {position - 1}: a record of local message "
                           f"type {local}, which was never defined{also}"), position - 1
    where = f" at byte {position}" if position is not None else ""
    if "Compressed timestamp" in text:
        return ("fallback", f"compressed-timestamp record{where}, which garmin-fit-sdk cannot "
                f"read{also}", position)
    return "fallback", f"undecodable data{where}{also}", position  # plain words follow if fitdecode fails


def _sdk_dev_fields(messages: Messages, app_of_key: dict[int, str | None]) -> dict[int, DevField]:
    fields: dict[int, DevField] = {}
    for message in messages.get("field_description_mesgs", []):
        key = message.get("key")
        if isinstance(key, int) and key in app_of_key:
            described = describe(message, app_of_key[key])
            if described is not None:
                fields[key] = described
    return fields
