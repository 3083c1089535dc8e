"""Turn a path, a file object or bytes into (bytes, name), undoing gzip; sniff the format."""

from __future__ import annotations

import gzip
import os
import re
import zlib
from pathlib import Path
from typing import BinaryIO

from hipstride.errors import ReadError
from hipstride.io._bounds import MAX_FILE_BYTES

__all__ = ["Source", "display_name", "load_bytes", "sniff_format"]

Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO

#: Refuse a recording, plain or inflated from gzip, beyond this size (a 24 h ultra as TCX is
#: ~100 MB; see :mod:`hipstride.io._bounds`): a file of zeros or a gzip bomb fails before parsing.
MAX_INFLATED_BYTES = MAX_FILE_BYTES


def display_name(text: str) -> str:
    """``text`` as valid Unicode, for messages, reports and the library: bytes of a file name that
    were not UTF-8 (held as surrogates by :func:`os.fsdecode`) become ``\\xNN`` escapes."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _name_of(source: Source, name: str | None) -> str:
    if name is not None:
        return display_name(name)
    if isinstance(source, str | os.PathLike):
        return display_name(os.fspath(source))
    if isinstance(source, bytes | bytearray | memoryview):
        return "<bytes>"
    return str(getattr(source, "name", "<stream>"))


def load_bytes(source: Source, *, name: str | None = None) -> tuple[bytes, str]:
    """Read ``source`` fully and return ``(data, display_name)``, gunzipping ``.gz`` content.

    Raises
    ------
    ReadError
        When the file cannot be opened, is empty, or is a broken gzip stream.
    """
    label = _name_of(source, name)
    try:
        if isinstance(source, str | os.PathLike):
            with Path(source).open("rb") as stream:
                data = stream.read(MAX_FILE_BYTES + 1)
        elif isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
        else:
            data = source.read(MAX_FILE_BYTES + 1)
            if not isinstance(data, bytes):
                raise ReadError(label, "the stream must be opened in binary mode")
    except FileNotFoundError:
        raise ReadError(label, "no such file") from None
    except IsADirectoryError:
        raise ReadError(label, "is a folder, not a file") from None
    except PermissionError:
        raise ReadError(label, "permission denied") from None
    except OSError as exc:
        raise ReadError(label, f"cannot be read ({exc.strerror or exc})") from None
    if not data:
        raise ReadError(label, "empty file (0 bytes)")
    if len(data) > MAX_FILE_BYTES:
        raise ReadError(label, f"larger than {MAX_FILE_BYTES >> 20} MiB, more than a recording "
                               "holds: not read")
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, label)
        if not data:
            raise ReadError(label, "empty file inside the gzip archive")
    return data, label


def _gunzip(data: bytes, label: str) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_INFLATED_BYTES)
    except zlib.error as exc:
        raise ReadError(label, f"broken gzip data ({exc})") from None
    if inflater.unconsumed_tail:
        raise ReadError(label, f"gzip content inflates beyond {MAX_INFLATED_BYTES >> 20} MiB")
    if not inflater.eof:
        raise ReadError(label, "truncated gzip file (the compressed stream ends early)")
    if inflater.unused_data:  # a multi-member gzip file: let the gzip module finish it
        try:
            out = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ReadError(label, f"broken gzip data ({exc})") from None
    return out


#: How far to look for the root element past comments, processing instructions and a DOCTYPE.
_ROOT_SEARCH_BYTES = 1 << 20
_ROOT_RE = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>|\xef\xbb\xbf)", re.S)
_NAME_RE = re.compile(rb"\s*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def _root_name(data: bytes) -> str | None:
    """The local name (lower case) of the root element, found past any length of prolog (a long
    comment before ``<gpx>`` is valid XML); ``None`` when not within the first MiB."""
    head = data[:_ROOT_SEARCH_BYTES]
    pos = 0
    while (prolog := _ROOT_RE.match(head, pos)) is not None and prolog.end() > pos:
        pos = prolog.end()
    name = _NAME_RE.match(head, pos)
    return name.group(1).decode("ascii").lower() if name else None


def sniff_format(data: bytes, label: str) -> str:
    """Return ``"fit"``, ``"gpx"`` or ``"tcx"`` from the content (not the file name)."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<"):
        root = _root_name(data)
        if root in ("gpx", "trainingcenterdatabase"):
            return "gpx" if root == "gpx" else "tcx"
        if b"<gpx" in head:
            return "gpx"
        if b"<trainingcenterdatabase" in head:
            return "tcx"
        # a TCX body whose root line was lost (seen in the wild): its <Activities> still says so
        if b"<activities" in head and (b"<activity " in head or b"<trackpoint" in head):
            return "tcx"
        # namespaced roots such as <ns0:gpx ...>
        if b":gpx" in head:
            return "gpx"
        if b":trainingcenterdatabase" in head:
            return "tcx"
        raise ReadError(label, "XML but neither GPX nor TCX (no <gpx> or <TrainingCenterDatabase> root)")
    lower = label.lower().removesuffix(".gz")
    for ext in ("fit", "gpx", "tcx"):
        if lower.endswith("." + ext):
            if ext == "fit":
                raise ReadError(label, "corrupt FIT header: no '.FIT' signature at byte 8", offset=8)
            raise ReadError(label, f"not an XML {ext.upper()} file")
    raise ReadError(label, "unknown format: not FIT, GPX or TCX")
