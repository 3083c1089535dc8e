"""What may leave the runner's machine in a report or an export: a recording's name, never the path
to it, and free text without control characters.

A run report, the clinician page and the exports are made to be shared (with a physiotherapist, a
coach, a spreadsheet). The absolute path of a recording tells them the runner's user name and how
their disk is laid out, and says nothing about the run, so what is shown is the file's name
(:func:`shown_source`); the full path stays in the library and in ``--json`` output, which stay on
the machine. Control characters (NUL, escape, the C1 range) in journal text or in names from a
recording are not text: a NUL truncates the string in some PDF and C tools, an escape sequence
recolours a terminal. :func:`printable` removes them, keeping tab and newline.
"""

from __future__ import annotations

import re

__all__ = ["printable", "shown_source"]

#: C0 controls except tab and newline, DEL, and the C1 controls (U+0080 to U+009F).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without control characters (tab and newline are kept)."""
    return _CONTROL.sub("", text)


def shown_source(source: str) -> str:
    """The name of a recording without the folders above it; an archive member keeps the
    archive's name and its place inside (``/home/ann/export.zip!activities/1.fit`` ->
    ``export.zip!activities/1.fit``). Both ``/`` and ``\\`` count as separators."""
    cut = source.lower().find(".zip!") + 4  # 3 when there is no archive
    outer, inner = (source[:cut], source[cut:]) if cut > 3 else (source, "")
    return printable(re.split(r"[\\/]", outer.rstrip("\\/"))[-1] + inner)
