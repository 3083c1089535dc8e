"""Readers for running recordings: FIT, GPX 1.0/1.1 and TCX, plain or gzipped.

Every reader accepts a path, a binary file object or bytes, and returns an
:class:`~hipstride.activity.Activity`. :func:`read_activity` sniffs the format from the content.

Broken files. Every reader keeps what it can read of a damaged file; ``on_error`` says what happens
to the damage (one policy for the three formats, see :class:`OnError`):

* ``OnError.WARN`` (default): keep the readable part and warn with
  :class:`~hipstride.errors.ReadWarning` (FIT: one per problem; GPX and TCX: one listing them);
* ``OnError.IGNORE``: keep the readable part silently;
* ``OnError.RAISE``: raise :class:`~hipstride.errors.ReadError` for the first such problem.

``Activity.warnings`` lists the problems in every mode. A file with nothing readable raises
``ReadError`` in every mode; its ``offset`` (byte, FIT), ``line`` (GPX, TCX) and ``record`` (the
first sample not read) say where the damage is, when known.
"""

from __future__ import annotations

from hipstride.activity import Activity
from hipstride.io._policy import OnError, on_error_of
from hipstride.io._source import Source, load_bytes, sniff_format

__all__ = ["SUFFIXES", "OnError", "load_bytes", "read_activity", "read_fit", "read_gpx", "read_tcx"]

#: File name endings hipstride reads.
SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")


def read_activity(source: Source, *, name: str | None = None,
                  on_error: OnError = OnError.WARN) -> Activity:
    """Read a FIT, GPX or TCX recording (plain or gzipped) from a path, file object or bytes.

    Parameters
    ----------
    source
        A path, a binary file object or the bytes of the file.
    name
        The name to use in errors and warnings (default: the path, or ``"<bytes>"``).
    on_error
        What to do with a partly readable file (see :class:`OnError`).

    Raises
    ------
    hipstride.errors.ReadError
        With the file name and the problem, for anything that cannot be read (and, under
        ``OnError.RAISE``, for anything only partly readable).
    """
    policy = on_error_of(on_error)
    data, label = load_bytes(source, name=name)
    fmt = sniff_format(data, label)
    if fmt == "fit":
        from hipstride.io.fit import parse_fit

        return parse_fit(data, label, on_error=policy)
    if fmt == "gpx":
        from hipstride.io.gpx import parse_gpx

        return parse_gpx(data, label, on_error=policy)
    from hipstride.io.tcx import parse_tcx

    return parse_tcx(data, label, on_error=policy)


def read_fit(source: Source, *, name: str | None = None,
             on_error: OnError = OnError.WARN) -> Activity:
    """Read a FIT file (see :func:`read_activity`)."""
    from hipstride.io.fit import parse_fit

    policy = on_error_of(on_error)
    return parse_fit(*load_bytes(source, name=name), on_error=policy)


def read_gpx(source: Source, *, name: str | None = None,
             on_error: OnError = OnError.WARN) -> Activity:
    """Read a GPX 1.0/1.1 file (see :func:`read_activity`)."""
    from hipstride.io.gpx import parse_gpx

    policy = on_error_of(on_error)
    return parse_gpx(*load_bytes(source, name=name), on_error=policy)


def read_tcx(source: Source, *, name: str | None = None,
             on_error: OnError = OnError.WARN) -> Activity:
    """Read a TCX file (see :func:`read_activity`)."""
    from hipstride.io.tcx import parse_tcx

    policy = on_error_of(on_error)
    return parse_tcx(*load_bytes(source, name=name), on_error=policy)
