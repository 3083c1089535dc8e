"""A corrupt FIT file's error says in plain words what is wrong, where, and what was expected, never
a decoder's internal text (review D19). Each file is built here, byte by byte."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import pytest

from hipstride.errors import ReadError, ReadWarning
from hipstride.io import read_activity
from tests.hostile import fit_crc

#: Words from the decoders' own messages that must never reach a runner.
DECODER_TEXT = ("garmin-fit-sdk", "fitdecode", "KeyError", "Invalid field definition", "concatenate",
                "FIT parsing error", "Runtime Error")


def _fit(body: bytes) -> bytes:
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    data = header + body
    return data + struct.pack("<H", fit_crc(data))


def _definition(local: int, global_num: int, fields: list[tuple[int, int, int]],
                dev_fields: list[tuple[int, int, int]] | None = None) -> bytes:
    header = 0x40 | local | (0x20 if dev_fields is not None else 0)
    out = struct.pack("<BBBHB", header, 0, 0, global_num, len(fields)) + bytes(
        b for f in fields for b in f)
    if dev_fields is not None:
        out += bytes((len(dev_fields),)) + bytes(b for f in dev_fields for b in f)
    return out


FILE_ID = _definition(0, 0, [(0, 1, 0x00)]) + bytes((0x00, 4))
RECORD = _definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)])


def _records(local: int, count: int, first: int = 1_000_000_000) -> bytes:
    return b"".join(struct.pack("<BIB", local, first + i, 140) for i in range(count))


def _read(tmp_path: Path, body: bytes) -> tuple[str, int | None, list[str]]:
    path = tmp_path / "broken.fit"
    path.write_bytes(_fit(body))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            read_activity(path)
        except ReadError as exc:
            return str(exc), exc.offset, []
    return "", None, [str(w.message) for w in caught if issubclass(w.category, ReadWarning)]


def _plain(text: str) -> None:
    assert not [word for word in DECODER_TEXT if word in text], text


def test_a_bad_developer_field_description_is_named_with_its_byte(tmp_path: Path) -> None:
    body = (FILE_ID
            + _definition(1, 207, [(3, 1, 0x02)]) + bytes((0x01, 0))            # developer_data_id 0
            + _definition(2, 206, [(0, 1, 0x02), (1, 1, 0x02), (2, 1, 0x02)])
            + bytes((0x02, 0, 0, 23))                                           # base type 23
            + _definition(3, 20, [(253, 4, 0x86)], dev_fields=[(0, 1, 0)])
            + b"".join(struct.pack("<BIB", 0x03, 1_000_000_000 + i, 7) for i in range(60)))
    message, offset, _ = _read(tmp_path, body)
    assert message.startswith(str(tmp_path / "broken.fit"))
    assert "developer field description at byte 51: base type 23" in message
    assert "expected 0 to 16" in message
    assert offset == 51
    _plain(message)


def test_a_definition_with_an_unknown_base_type_keeps_the_records_before_it(tmp_path: Path) -> None:
    # base type 31 stops the first decoder, a 3-byte uint16 field the second
    broken_at = 14 + len(FILE_ID) + len(RECORD) + 60 * 6
    body = (FILE_ID + RECORD + _records(0x01, 60)
            + _definition(2, 20, [(253, 4, 0x86), (3, 1, 0x1F), (7, 3, 0x84)])
            + b"".join(struct.pack("<BIB3s", 0x02, 1_000_000_060 + i, 140, bytes(3))
                       for i in range(60)))
    message, _, notes = _read(tmp_path, body)
    assert message == "", message
    assert len(notes) == 1
    assert (f"corrupt definition record at byte {broken_at}: field 3 of message 20 has base type "
            "31, which FIT does not define") in notes[0]
    assert "kept the 60 records read before it" in notes[0]
    _plain(notes[0])


@pytest.mark.parametrize("size", [3, 6])
def test_a_record_of_an_undefined_type_after_compressed_timestamps(tmp_path: Path, size: int) -> None:
    # Compressed-timestamp records (header bit 7, local type in bits 5-6) send the part to the
    # second decoder; a record of local type 5, never defined, then stops both.
    compressed = _definition(1, 20, [(3, 1, 0x02)])
    body = (FILE_ID + RECORD + _records(0x01, 10) + compressed
            + b"".join(bytes((0x80 | (1 << 5) | (i % 32), 140)) for i in range(20)))
    broken_at = 14 + len(body)
    body += bytes((0x05,)) + bytes(size)
    message, _, notes = _read(tmp_path, body)
    text = message or " ".join(notes)
    assert (f"corrupt data at byte {broken_at}: a record of local message type 5, but no "
            "definition of that type came before it") in text
    _plain(text)
