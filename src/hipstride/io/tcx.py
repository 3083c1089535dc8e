"""TCX (Garmin Training Center XML v2) reader: the first activity's trackpoints into an Activity.

What is read
------------
* ``Activities/Activity[@Sport]/Lap/Track/Trackpoint``, every lap and track in order (a
  ``Courses/Course`` file's trackpoints likewise). Namespaces are ignored, so files whose root or
  ``xmlns`` is missing still read.
* Per trackpoint: ``Time``, ``Position`` (``LatitudeDegrees``/``LongitudeDegrees``),
  ``AltitudeMeters`` (m), ``DistanceMeters`` (m, cumulative → ``distance_m``),
  ``HeartRateBpm/Value`` (bpm), ``Cadence``, and from the ActivityExtension ``TPX``: ``Speed``
  (m/s), ``RunCadence`` and ``Watts`` (W).
* **Trackpoints without a position are kept** (treadmill runs, GPS dropouts): latitude and
  longitude are NaN there, and ``DistanceMeters`` still carries the distance.
* ``sport`` from ``Activity/@Sport``: Running → ``"running"``, Biking → ``"cycling"``, Other →
  ``"unknown"``. ``device`` from ``Activity/Creator/Name``.
* Laps: ``Lap/@StartTime``, ``TotalTimeSeconds`` and ``DistanceMeters`` → :attr:`Activity.laps`;
  their sums → ``session.distance_m`` and ``session.timer_time_s`` (what the device reported).

Cadence unit
------------
Garmin defines ``RunCadence`` as strides (one foot) per minute, like FIT's running cadence. The
data agree: medians 58-88 over the running TCX files here (``elevate__sloatsburg.tcx`` 87,
``runpandas__run_garmin.tcx`` 88), and ``runpandas__stopped_example.tcx`` has the same median (87)
as the Strava GPX of the same run. So ``cadence_spm = 2 × RunCadence``. The schema's
``<Cadence>`` is pedal rpm for Biking (kept as ``cadence_rpm``, as the FIT reader does); in a
running activity it is used only when ``RunCadence`` is absent, and read like it. A median above
130 is taken as steps/min already and not doubled (see :func:`hipstride.io._xml.assemble`).

A file with several activities yields the first (noted in ``warnings``). The streaming reader takes
about 3 s for 100 000 Garmin trackpoints (a 70 MB file; GPX has a fast path, TCX not yet).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from hipstride.activity import Activity, Session
from hipstride.errors import ReadError
from hipstride.io._policy import OnError
from hipstride.io._xml import (
    Columns,
    EventStream,
    assemble,
    check_xml,
    guarded,
    local_name,
    partial_read,
    release,
    to_epoch,
)

__all__ = ["parse_tcx"]

_FIELDS = ("ele", "dist", "hr", "cad", "speed", "power")
#: Local element name inside a Trackpoint → column.
_FIELD_OF = {"Time": "time", "LatitudeDegrees": "lat", "LongitudeDegrees": "lon",
             "AltitudeMeters": "ele", "DistanceMeters": "dist", "Value": "hr",
             "RunCadence": "cad", "Cadence": "bike_cad", "Speed": "speed", "Watts": "power"}
_KEY_OF_TAG: dict[str, str] = {}
_SPORTS = {"running": "running", "biking": "cycling"}


@dataclass
class _Read:
    cols: Columns = field(default_factory=lambda: Columns(_FIELDS, position_optional=True))
    sport: str = "unknown"
    device: str | None = None
    activities: int = 0
    laps: list[tuple[float, float | None, float | None]] = field(default_factory=list)
    error: Any = None


def _take_trackpoint(el: Any, cols: Columns) -> None:
    values: dict[str, str | None] = {}
    for child in el.iterdescendants():
        tag = child.tag
        if not isinstance(tag, str):
            continue
        key = _KEY_OF_TAG.get(tag)
        if key is None:
            key = _KEY_OF_TAG[tag] = _FIELD_OF.get(local_name(tag) or "", "")
        if key and key not in values:
            values[key] = child.text
    if "cad" not in values and "bike_cad" in values:
        values["cad"] = values["bike_cad"]
    cols.add(values.get("lat"), values.get("lon"), values.get("time"), values)


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _epoch(text: str | None) -> float:
    try:
        return to_epoch(text) if text else math.nan
    except (ValueError, OverflowError, OSError):
        return math.nan


def _lap(el: Any) -> tuple[float, float | None, float | None]:
    total = distance = None
    for child in el:
        name = local_name(child.tag)
        if name == "TotalTimeSeconds":
            total = _number(child.text)
        elif name == "DistanceMeters":
            distance = _number(child.text)
    return _epoch(el.get("StartTime")), total, distance


def _read(data: bytes, *, recover: bool) -> _Read:
    read = _Read()
    current = 0  # which activity we are in (0: none, as in a Course file)
    stream = EventStream(data, ("Activity", "Lap", "Trackpoint", "Creator"), recover=recover)
    for event, el in stream:
        name = local_name(el.tag)
        if event == "start":
            if name == "Activity":
                read.activities += 1
                current = read.activities
                if current == 1:
                    read.sport = _SPORTS.get((el.get("Sport") or "").strip().lower(), "unknown")
            continue
        if name == "Trackpoint":
            if current <= 1:
                _take_trackpoint(el, read.cols)
            release(el)
        elif name == "Lap":
            if current <= 1:
                read.laps.append(_lap(el))
            release(el)
        elif name == "Creator":
            parent = el.getparent()
            if current == 1 and parent is not None and local_name(parent.tag) == "Activity":
                device = el.findtext("{*}Name")
                read.device = device.strip() or None if device else None
        elif name == "Activity":
            current = 0
    read.error = stream.error
    return read


def parse_tcx(data: bytes, label: str, *, on_error: OnError = OnError.WARN) -> Activity:
    """Read a TCX document (already un-gzipped bytes) into an :class:`Activity`.

    Parameters
    ----------
    data
        The file content.
    label
        Display name for messages (the file name).
    on_error
        What to do with a partly readable file (see :class:`hipstride.io.OnError`).

    Raises
    ------
    ReadError
        For malformed XML with nothing readable before the error (with line and column), a TCX
        without trackpoints, or trackpoints that all have impossible positions (and, under
        ``OnError.RAISE``, for a partial read or dropped points). No other exception escapes.
    """
    return guarded("TCX", _parse, data, label, on_error)


def _parse(data: bytes, label: str, on_error: OnError) -> Activity:
    check = check_xml(data)
    read = _read(data, recover=check.fatal is None and bool(check.soft))
    cols = read.cols
    partial = partial_read(label, check, read.error, len(cols))
    if not len(cols):
        detail = (f" ({len(read.laps)} <Lap> without trackpoints)" if read.laps
                  else "" if read.activities else " (no <Activity>)")
        raise ReadError(label, f"no track: the TCX has no <Trackpoint>{detail}")
    notes = []
    if read.activities > 1:
        notes.append(f"the file holds {read.activities} activities: read the first")
    distances = [d for _, _, d in read.laps if d is not None]
    totals = [t for _, t, _ in read.laps if t is not None]
    session = Session(distance_m=sum(distances) if distances else None,
                      timer_time_s=sum(totals) if totals else None)
    return assemble(label, "tcx", cols, sport=read.sport, device=read.device, laps=read.laps,
                    session=session, notes=notes, partial=partial, on_error=on_error)
