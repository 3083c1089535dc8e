"""The one JSON writer: always valid JSON, whatever the numbers and strings inside.

Python's ``json`` module writes ``NaN`` and ``Infinity`` by default, which no JSON parser accepts
(RFC 8259 has no such numbers); the review found both in ``--json`` output. Here a non-finite
float becomes ``null`` (a value that is not known) and the document is then written with
``allow_nan=False``, so a non-finite value that slipped past is an error rather than bad output.
A string holding a lone surrogate (what ``surrogateescape`` makes of bytes that are not UTF-8)
cannot be encoded as UTF-8 at all; it is written with U+FFFD in the surrogate's place.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["clean", "dumps", "utf8_text"]


def utf8_text(value: str) -> str:
    """``value`` as text UTF-8 can encode: a lone surrogate becomes U+FFFD."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # pairs of surrogates join again; a lone one becomes U+FFFD
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def clean(doc: Any) -> Any:
    """``doc`` with every non-finite float as ``None`` and every string encodable as UTF-8."""
    if isinstance(doc, float):
        return doc if math.isfinite(doc) else None
    if isinstance(doc, str):
        return utf8_text(doc)
    if isinstance(doc, dict):
        return {utf8_text(k) if isinstance(k, str) else k: clean(v) for k, v in doc.items()}
    if isinstance(doc, list | tuple):
        return [clean(v) for v in doc]
    return doc


def dumps(doc: Any, **options: Any) -> str:
    """``json.dumps`` of :func:`clean` ``(doc)`` with ``allow_nan=False`` (options passed on)."""
    return json.dumps(clean(doc), allow_nan=False, **options)
