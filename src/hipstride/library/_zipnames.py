"""Zip archives whose member names claim UTF-8 but are not: a repaired copy, so each member reads.

:class:`zipfile.ZipFile` decodes every name while it opens an archive, and one name flagged UTF-8
(general-purpose bit 11) on bytes that are not UTF-8 makes the whole archive unreadable. Such names
come from tools that set the flag regardless of what they write. :func:`repaired_copy` copies the
archive and clears the flag on exactly those names, in the central directory and in each one's
local header (``zipfile`` checks that the two agree), so that ``zipfile`` reads them as its
historical cp437 names and every member can be read. The caller shows such a name with its odd
bytes escaped (``run\\xff.gpx``).

Only the classic layout is repaired (end-of-central-directory record, no ZIP64); anything else is
left to fail as a whole, with its reason.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path
from typing import BinaryIO

__all__ = ["repaired_copy"]

_EOCD = b"PK\x05\x06"
_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_UTF8_FLAG = 0x800
_EOCD_SEARCH = 65_557  # the record (22 bytes) plus the longest comment


def repaired_copy(path: Path, target: Path) -> dict[str, str]:
    """Copy ``path`` to ``target`` with the false UTF-8 flags cleared.

    Returns ``{name as zipfile now reads it: name to show}`` for the repaired members. Raises
    :class:`ValueError` when the archive's layout is not one this can repair.
    """
    shutil.copyfile(path, target)
    shown: dict[str, str] = {}
    with target.open("r+b") as f:
        size = f.seek(0, 2)
        f.seek(max(0, size - _EOCD_SEARCH))
        tail = f.read()
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            raise ValueError("no end-of-central-directory record")
        entries, cd_size, cd_offset = struct.unpack("<HII", tail[at + 10: at + 20])
        if entries == 0xFFFF or 0xFFFFFFFF in (cd_size, cd_offset):
            raise ValueError("a ZIP64 archive")
        f.seek(cd_offset)
        directory = bytearray(f.read(cd_size))
        pos = 0
        for _ in range(entries):
            if directory[pos: pos + 4] != _CENTRAL:
                raise ValueError("a damaged central directory")
            flags, = struct.unpack_from("<H", directory, pos + 8)
            name_len, extra_len, comment_len = struct.unpack_from("<HHH", directory, pos + 28)
            local, = struct.unpack_from("<I", directory, pos + 42)
            raw = bytes(directory[pos + 46: pos + 46 + name_len])
            if flags & _UTF8_FLAG and not _is_utf8(raw):
                struct.pack_into("<H", directory, pos + 8, flags & ~_UTF8_FLAG)
                _clear_local_flag(f, local)
                shown[raw.decode("cp437")] = raw.decode("utf-8", "backslashreplace")
            pos += 46 + name_len + extra_len + comment_len
        f.seek(cd_offset)
        f.write(directory)
    return shown


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _clear_local_flag(stream: BinaryIO, offset: int) -> None:
    stream.seek(offset)
    header = stream.read(8)
    if header[:4] != _LOCAL:
        raise ValueError("a member's local header is missing")
    flags, = struct.unpack_from("<H", header, 6)
    stream.seek(offset + 6)
    stream.write(struct.pack("<H", flags & ~_UTF8_FLAG))
