"""Machinery shared by the XML readers (GPX and TCX): checking, streaming, columns, assembly.

The readers never build a DOM of the whole file. They stream with :func:`lxml.etree.iterparse`,
free each point element once read, and append numbers to :class:`array.array` columns (8 bytes a
value, no per-point Python objects kept). :func:`assemble` then turns the columns into an
:class:`~hipstride.activity.Activity`: it drops points with impossible positions, repairs the time
axis (placeholders, gaps, order) and names the channels.

Broken XML policy (both formats):

* :func:`check_xml` first runs libxml2 over the bytes without building anything (≈ 3 ms/MB).
* A *namespace* error (an unbound prefix such as ``xsi:type`` without ``xmlns:xsi``) leaves the XML
  structure intact, so the file is read in full with libxml2's ``recover`` mode and the problem is
  reported as a warning.
* Any other error (truncation, mismatched tags, garbage) stops the reader at that point; libxml2's
  recovery is *not* used there because it can silently re-nest what follows the error. When points
  were read before the error they are returned with a :class:`~hipstride.errors.ReadWarning`;
  otherwise a :class:`~hipstride.errors.ReadError` names the line and column (and has them as
  ``line`` and ``record``, the number of points read before the error).

What is a warning (a partial read, points dropped for impossible positions) follows the caller's
``on_error`` (:mod:`hipstride.io._policy`); everything else goes to ``Activity.warnings`` only.
"""

from __future__ import annotations

import io
import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from lxml import etree

from hipstride.activity import Activity, FloatArray, Lap, Session
from hipstride.errors import ReadError
from hipstride.io import _bounds as bounds
from hipstride.io._policy import Issue, OnError, on_error_of, report
from hipstride.io._xml_times import repair_times

__all__ = ["Columns", "EventStream", "assemble", "check_xml", "guarded", "local_name", "partial_read",
           "release", "to_epoch"]

NAN = math.nan


#: Above this many strides/min a "stride" cadence is really steps/min already (elite sprinters
#: reach ~220 steps/min = 110 strides/min).
MAX_PLAUSIBLE_STRIDES_PER_MIN = 130.0

#: Heart rate or cadence of 255 means "no sensor" (FIT's invalid uint8, kept by converters).
UINT8_INVALID = 255.0

_LOCAL: dict[str, str] = {}


def local_name(tag: object) -> str | None:
    """Return the local part of an lxml tag (``"{ns}trkpt"`` → ``"trkpt"``); ``None`` for
    comments, processing instructions and entities (whose ``tag`` is not a string)."""
    if not isinstance(tag, str):
        return None
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rpartition("}")[2]
    return name


def where(err: etree.XMLSyntaxError) -> str:
    """``"line L, column C: message"`` for an lxml syntax error."""
    line, column = err.position
    message = (err.msg or "").split(", line ")[0].strip() or "syntax error"
    return f"line {line}, column {column}: {message}"


class _NoTarget:
    """A parser target without callbacks: libxml2 checks the XML and builds nothing."""

    def close(self) -> None:
        return None


@dataclass
class XmlCheck:
    """Result of :func:`check_xml`."""

    #: The first fatal error (the XML cannot be read past it), or ``None``.
    fatal: etree.XMLSyntaxError | None = None
    #: Non-fatal problems (namespace errors), as ``"line L, column C: message"``.
    soft: list[str] = field(default_factory=list)
    #: The line of the first non-fatal problem.
    soft_line: int | None = None

    @property
    def clean(self) -> bool:
        return self.fatal is None and not self.soft


def _parser_options() -> dict[str, Any]:
    # Never fetch anything, never expand entities (no XXE, no billion laughs).
    return {"resolve_entities": False, "no_network": True, "load_dtd": False}


def check_xml(data: bytes) -> XmlCheck:
    """Run libxml2 over ``data`` without building a tree and report what is wrong, if anything."""
    parser = etree.XMLParser(target=_NoTarget(), **_parser_options())
    check = XmlCheck()
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        check.fatal = exc
    soft = [e for e in parser.error_log if e.domain_name == "NAMESPACE"]
    check.soft = [f"line {e.line}, column {e.column}: {e.message.strip()}" for e in soft]
    check.soft_line = soft[0].line if soft else None
    return check


class EventStream:
    """Iterate ``(event, element)`` from :func:`lxml.etree.iterparse`, stopping at the first error.

    After iteration :attr:`error` holds the :class:`lxml.etree.XMLSyntaxError` that stopped it
    (``None`` when the document was read to its end).
    """

    def __init__(self, data: bytes, tags: Iterable[str], *, recover: bool = False) -> None:
        self._context = etree.iterparse(
            io.BytesIO(data), events=("start", "end"), tag=[f"{{*}}{t}" for t in tags],
            recover=recover, remove_comments=True, remove_pis=True, **_parser_options())
        self.error: etree.XMLSyntaxError | None = None

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        try:
            yield from self._context
        except etree.XMLSyntaxError as exc:
            self.error = exc


def partial_read(label: str, check: XmlCheck, error: etree.XMLSyntaxError | None,
                 n_points: int) -> Issue | None:
    """Apply the broken-XML policy once a stream has ended (see the module docstring).

    Returns what to warn about (``None`` for a clean file), or raises :class:`ReadError` when the
    XML broke before any point was read.
    """
    error = error or check.fatal
    if error is not None:
        line = error.position[0] if error.position else None
        problem = f"malformed XML at {where(error)}"
        if n_points == 0:
            raise ReadError(label, problem, line=line, record=0)
        return Issue(f"{problem}: kept the {n_points} points before it", problem=problem,
                     line=line, record=n_points)
    if check.soft:
        more = f" (and {len(check.soft) - 1} more)" if len(check.soft) > 1 else ""
        return Issue(f"XML namespace error at {check.soft[0]}{more}: read in libxml2's recovery mode",
                     problem=f"XML namespace error at {check.soft[0]}{more}", line=check.soft_line)
    return None


def guarded(fmt: str, parse: Callable[[bytes, str, OnError], Activity], data: bytes, label: str,
            on_error: OnError) -> Activity:
    """``parse(data, label, on_error)`` letting out only :class:`ReadError` (naming ``fmt``) and
    warnings the caller's filter made errors: a bug or a libxml2 surprise becomes ``ReadError``."""
    policy = on_error_of(on_error)
    try:
        return parse(data, label, policy)
    except (ReadError, Warning):
        raise
    except Exception as exc:
        raise ReadError(label, f"cannot read this {fmt} ({type(exc).__name__}: {exc})") from exc


def release(element: Any) -> None:
    """Free an element that has been read, and its already-read earlier siblings."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def to_epoch(text: str) -> float:
    """Seconds since 1970-01-01T00:00:00Z for an ISO 8601 timestamp.

    Accepts ``Z``, offsets (``+02:00``, ``-0530``) and any number of fractional digits; a time
    without a zone is UTC (GPX and TCX both say so). Raises :class:`ValueError` when unparsable.
    """
    dt = datetime.fromisoformat(text.strip())
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


class Columns:
    """Per-point values as float columns (NaN where a point lacks a value).

    Parameters
    ----------
    fields
        Names of the optional numeric fields (e.g. ``"ele"``, ``"hr"``).
    position_optional
        True for TCX, where a trackpoint without ``<Position>`` is a valid sample (treadmill);
        False for GPX, where a point without ``lat``/``lon`` is broken.
    """

    def __init__(self, fields: Iterable[str], *, position_optional: bool) -> None:
        self.lat = array("d")
        self.lon = array("d")
        self.time = array("d")
        self.values: dict[str, array[float]] = {f: array("d") for f in fields}
        #: 1 where the position was given but unusable (non-numeric, half missing).
        self.bad_position = array("b")
        #: Count of unusable values per field (``"time"`` included).
        self.bad: Counter[str] = Counter()
        self.position_optional = position_optional

    def __len__(self) -> int:
        return len(self.lat)

    def add(self, lat: str | None, lon: str | None, time: str | None,
            values: Mapping[str, str | None]) -> None:
        """Append one point from its texts (``None`` where absent)."""
        bad = 0
        if lat is None and lon is None and self.position_optional:
            la = lo = NAN
        else:
            try:
                la = float(lat)  # type: ignore[arg-type]
                lo = float(lon)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                la = lo = NAN
                bad = 1
        self.lat.append(la)
        self.lon.append(lo)
        self.bad_position.append(bad)
        t = NAN
        if time is not None and time.strip():
            try:
                t = to_epoch(time)
            except (ValueError, OverflowError, OSError):
                self.bad["time"] += 1
        self.time.append(t)
        for name, column in self.values.items():
            text = values.get(name)
            v = NAN
            if text is not None and text.strip():
                try:
                    v = float(text)
                except ValueError:
                    self.bad[name] += 1
            column.append(v)


def _np(column: array[float]) -> FloatArray:
    return np.array(column, dtype=np.float64)


def _cadence(raw: FloatArray | None, sport: str, notes: list[str],
             channels: dict[str, FloatArray], units: dict[str, str]) -> None:
    """Convert a device cadence (strides/min for foot sports, rpm for cycling) to channels."""
    if raw is None or not np.isfinite(raw).any():
        return
    if sport == "cycling":
        channels["cadence_rpm"] = raw
        units["cadence_rpm"] = "rpm"
        return
    moving = raw[np.isfinite(raw) & (raw > 0)]
    if moving.size and float(np.median(moving)) > MAX_PLAUSIBLE_STRIDES_PER_MIN:
        notes.append(f"cadence median {float(np.median(moving)):.0f} is already steps/min "
                     "(too high for strides/min): not doubled")
        channels["cadence_spm"] = raw
    else:
        channels["cadence_spm"] = raw * 2.0
    units["cadence_spm"] = "steps/min"


def assemble(label: str, fmt: str, cols: Columns, *, sport: str = "unknown",
             sub_sport: str | None = None, device: str | None = None, name: str | None = None,
             laps: list[tuple[float, float | None, float | None]] | None = None,
             session: Session | None = None, notes: list[str] | None = None,
             partial: Issue | None = None, on_error: OnError = OnError.WARN) -> Activity:
    """Turn read columns into an :class:`Activity` (see the module docstring).

    Columns read: ``ele`` (m), ``dist`` (m), ``speed`` (m/s), ``hr`` (bpm), ``cad`` (strides/min,
    rpm for cycling), ``atemp`` (°C), ``power`` (W); any may be missing. ``laps`` holds
    ``(start epoch s, elapsed s, distance m)``. ``partial`` describes why only part of the file was
    read; it and dropped points are the problems ``on_error`` applies to (a warning by default).

    The caller guarantees ``len(cols) > 0``. Raises :class:`ReadError` when no point survives.
    """
    notes = list(notes or [])
    loud: list[Issue] = []
    if partial:
        loud.append(partial)
    n_read = len(cols)
    lat = _np(cols.lat)
    lon = _np(cols.lon)
    bad = np.array(cols.bad_position, dtype=bool)
    has_pos = ~np.isnan(lat) | ~np.isnan(lon)
    bad |= has_pos & ~((np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0))
    if bad.all():
        raise ReadError(label, f"no usable points: all {n_read} points have an invalid position "
                               "(non-numeric, or latitude beyond ±90° / longitude beyond ±180°)")
    keep = ~bad if bad.any() else None
    if keep is not None:
        loud.append(Issue(f"dropped {int(bad.sum())} of {n_read} points with an invalid position "
                          "(non-numeric, or latitude beyond ±90° / longitude beyond ±180°)",
                          record=int(np.argmax(bad))))

    def take(column: array[float]) -> FloatArray:
        x = _np(column)
        return x[keep] if keep is not None else x

    lat, lon = (lat[keep], lon[keep]) if keep is not None else (lat, lon)
    time_s, start, order, lat, lon = repair_times(take(cols.time), lat, lon, notes, loud)

    def column(key: str) -> FloatArray | None:
        if key not in cols.values:
            return None
        x = take(cols.values[key])
        x[~np.isfinite(x)] = NAN
        if key in ("hr", "cad"):
            x[x == UINT8_INVALID] = NAN
        if order is not None:
            x = x[order]
        return x if np.isfinite(x).any() else None

    for key in ("hr", "cad"):
        raw = cols.values.get(key)
        if raw is not None and (invalid := np.count_nonzero(np.asarray(raw) == UINT8_INVALID)):
            notes.append(f"{invalid} <{key}> values of 255 (the 'no sensor' marker, FIT's invalid "
                         "uint8) treated as missing")
    for key, count in sorted(cols.bad.items()):
        notes.append(f"{count} unreadable <{key}> values treated as missing")
    ele = column("ele")
    channels: dict[str, FloatArray] = {}
    units: dict[str, str] = {}
    for key, channel, unit in (("hr", "heart_rate_bpm", "bpm"), ("power", "power_w", "W"),
                               ("atemp", "temperature_c", "°C")):
        values = column(key)
        if values is not None:
            channels[channel] = values
            units[channel] = unit
    _cadence(column("cad"), sport, notes, channels, units)
    distance, speed = column("dist"), column("speed")
    dropped = bounds.drop_implausible_values(distance, speed, ele)
    if dropped is not None:
        loud.append(Issue(dropped))
    lap_list = [Lap(start_time_s=(s - start.timestamp()) if start and math.isfinite(s) else NAN,
                    elapsed_time_s=e, distance_m=d) for s, e, d in (laps or [])]
    if loud:
        report(label, loud, on_error, stacklevel=5, joined=True)
        notes = [issue.text for issue in loud] + notes
    return Activity(
        source=label, start_time_utc=start, time_s=time_s, lat_deg=lat, lon_deg=lon,
        elevation_m=ele if ele is not None else np.full(time_s.shape[0], NAN),
        distance_m=distance, speed_mps=speed, channels=channels,
        channel_units=units, sport=sport, sub_sport=sub_sport, device=device, file_format=fmt,
        session=session or Session(), laps=lap_list, name=name, warnings=notes)
