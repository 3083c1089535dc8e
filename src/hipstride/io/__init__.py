"""Readers for running recordings: FIT, GPX 1.0/1.1 and TCX, plain or gzipped.

Every reader accepts a path, a binary file object or bytes, and returns an
:class:`~hipstride.activity.Activity`. :func:`read_activity` sniffs the format from the content.
"""

from __future__ import annotations

from hipstride.activity import Activity
from hipstride.io._source import Source, load_bytes, sniff_format

__all__ = ["SUFFIXES", "load_bytes", "read_activity", "read_fit", "read_gpx", "read_tcx", "sniff_format"]

#: File name endings hipstride reads.
SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")


def read_activity(source: Source, *, name: str | None = None) -> Activity:
    """Read a FIT, GPX or TCX recording (plain or gzipped) from a path, file object or bytes.

    Raises
    ------
    hipstride.errors.ReadError
        With the file name and the problem, for anything that cannot be read.
    """
    data, label = load_bytes(source, name=name)
    fmt = sniff_format(data, label)
    if fmt == "fit":
        from hipstride.io.fit import parse_fit

        return parse_fit(data, label)
    if fmt == "gpx":
        from hipstride.io.gpx import parse_gpx

        return parse_gpx(data, label)
    from hipstride.io.tcx import parse_tcx

    return parse_tcx(data, label)


def read_fit(source: Source, *, name: str | None = None) -> Activity:
    """Read a FIT file (see :func:`read_activity`)."""
    from hipstride.io.fit import parse_fit

    return parse_fit(*load_bytes(source, name=name))


def read_gpx(source: Source, *, name: str | None = None) -> Activity:
    """Read a GPX 1.0/1.1 file (see :func:`read_activity`)."""
    from hipstride.io.gpx import parse_gpx

    return parse_gpx(*load_bytes(source, name=name))


def read_tcx(source: Source, *, name: str | None = None) -> Activity:
    """Read a TCX file (see :func:`read_activity`)."""
    from hipstride.io.tcx import parse_tcx

    return parse_tcx(*load_bytes(source, name=name))
