"""The one GPX 1.1 writer: recordings and planned routes as tracks, for watches and other tools.

Each track is one ``<trk>`` with one ``<trkseg>``; points whose position is not known (NaN) are
left out. A point carries ``<ele>`` and ``<time>`` where known, and heart rate and cadence in
Garmin's TrackPointExtension v1 (``gpxtpx:hr``, ``gpxtpx:cad``), the extension every GPX reader
of running tools understands (hipstride's own reader among them). ``cad`` is written in strides
per minute, half the step rate, as Garmin devices write it.

The document is built as text with escaped names rather than through an XML library: it is
small and flat, and this keeps lxml out of the start-up of the commands that export. Times are
ISO 8601 UTC with a ``Z``, to the millisecond where they are not whole seconds. Files are written
with :func:`hipstride._files.write_atomic`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from hipstride._files import write_atomic
from hipstride.activity import Activity, FloatArray

__all__ = ["GpxMetadata", "GpxTrack", "activity_track", "gpx_document", "write_gpx"]

GPX_NS = "http://www.topografix.com/GPX/1/1"
TPX_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
SCHEMA_LOCATION = f"{GPX_NS} http://www.topografix.com/GPX/1/1/gpx.xsd"


@dataclass(frozen=True)
class GpxTrack:
    """One track: positions (decimal degrees) and, per point where known, elevation (m), time
    (``start_time_utc`` plus ``time_s``), heart rate (bpm) and step rate (steps/min)."""

    lat_deg: FloatArray
    lon_deg: FloatArray
    name: str | None = None
    kind: str | None = None  # GPX <type>, e.g. the sport
    elevation_m: FloatArray | None = None
    start_time_utc: datetime | None = None
    time_s: FloatArray | None = None
    heart_rate_bpm: FloatArray | None = None
    cadence_spm: FloatArray | None = None


@dataclass(frozen=True)
class GpxMetadata:
    """The document's ``<metadata>``: name, description, copyright holder and licence, time."""

    name: str | None = None
    desc: str | None = None
    copyright_author: str | None = None
    license_url: str | None = None
    time_utc: datetime | None = None


def activity_track(activity: Activity, *, name: str | None = None) -> GpxTrack:
    """The track of a recording: its positions, elevation, times, heart rate and cadence."""
    return GpxTrack(lat_deg=activity.lat_deg, lon_deg=activity.lon_deg,
                    name=name or activity.name or "run", kind=activity.sport,
                    elevation_m=activity.elevation_m, start_time_utc=activity.start_time_utc,
                    time_s=activity.time_s, heart_rate_bpm=activity.channel("heart_rate_bpm"),
                    cadence_spm=activity.channel("cadence_spm"))


def _iso(when: datetime) -> str:
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{when.microsecond // 1000:03d}Z" if when.microsecond else "Z")


def _finite(values: FloatArray | None, i: int) -> float | None:
    if values is None:
        return None
    v = float(values[i])
    return v if math.isfinite(v) else None


def _point(track: GpxTrack, i: int) -> str:
    parts = [f"<trkpt lat={quoteattr(f'{track.lat_deg[i]:.7f}')} "
             f"lon={quoteattr(f'{track.lon_deg[i]:.7f}')}>"]
    if (ele := _finite(track.elevation_m, i)) is not None:
        parts.append(f"<ele>{ele:.2f}</ele>")
    if track.start_time_utc is not None and (t := _finite(track.time_s, i)) is not None:
        parts.append(f"<time>{_iso(track.start_time_utc + timedelta(seconds=t))}</time>")
    ext = ""
    if (hr := _finite(track.heart_rate_bpm, i)) is not None:
        ext += f"<gpxtpx:hr>{round(hr)}</gpxtpx:hr>"
    if (cad := _finite(track.cadence_spm, i)) is not None:
        ext += f"<gpxtpx:cad>{round(cad / 2.0)}</gpxtpx:cad>"
    if ext:
        parts.append(f"<extensions><gpxtpx:TrackPointExtension>{ext}"
                     "</gpxtpx:TrackPointExtension></extensions>")
    if len(parts) == 1:
        return parts[0][:-1] + "/>"
    return "".join(parts) + "</trkpt>"


def _metadata(meta: GpxMetadata) -> list[str]:
    lines = ["  <metadata>"]
    if meta.name:
        lines.append(f"    <name>{escape(meta.name)}</name>")
    if meta.desc:
        lines.append(f"    <desc>{escape(meta.desc)}</desc>")
    if meta.copyright_author:
        lines.append(f"    <copyright author={quoteattr(meta.copyright_author)}>")
        if meta.license_url:
            lines.append(f"      <license>{escape(meta.license_url)}</license>")
        lines.append("    </copyright>")
    if meta.time_utc is not None:
        lines.append(f"    <time>{_iso(meta.time_utc)}</time>")
    lines.append("  </metadata>")
    return lines


def gpx_document(tracks: Sequence[GpxTrack], *, creator: str,
                 metadata: GpxMetadata | None = None) -> tuple[str, int]:
    """The GPX 1.1 document of ``tracks`` and the number of points written."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f"<gpx version=\"1.1\" creator={quoteattr(creator)} xmlns=\"{GPX_NS}\" "
             f'xmlns:gpxtpx="{TPX_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
             f'xsi:schemaLocation="{SCHEMA_LOCATION}">']
    if metadata is not None:
        lines += _metadata(metadata)
    written = 0
    for track in tracks:
        lines.append("  <trk>")
        if track.name:
            lines.append(f"    <name>{escape(track.name)}</name>")
        if track.kind:
            lines.append(f"    <type>{escape(track.kind)}</type>")
        lines.append("    <trkseg>")
        keep = np.flatnonzero(np.isfinite(track.lat_deg) & np.isfinite(track.lon_deg)).tolist()
        lines += [f"      {_point(track, i)}" for i in keep]
        written += len(keep)
        lines += ["    </trkseg>", "  </trk>"]
    lines.append("</gpx>")
    return "\n".join(lines) + "\n", written


def write_gpx(out: str | os.PathLike[str], tracks: Sequence[GpxTrack], *, creator: str,
              metadata: GpxMetadata | None = None) -> int:
    """Write :func:`gpx_document` to ``out`` atomically; return the number of points written."""
    text, written = gpx_document(tracks, creator=creator, metadata=metadata)
    write_atomic(Path(out), text)
    return written
