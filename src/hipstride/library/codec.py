"""Compact, compressed storage of an activity's sample arrays (one BLOB per run).

Layout of a blob::

    b"HSS1" | uint32 little-endian header length | header (UTF-8 JSON) | zlib(payload)

The header names every array with its encoding and byte range inside the inflated payload, and
carries the activity's metadata (source, sport, device, session, laps, channel units…) so that
:func:`unpack_activity` rebuilds an :class:`~hipstride.activity.Activity` on its own.

Encodings
---------
``delta``
    Values scaled to integers (``round(value / scale)``), delta-encoded, stored as int32 (int64
    when a step does not fit). Used for the smooth series: time (1 ms), latitude and longitude
    (1e-7 degree, about 1 cm), elevation, distance (1 mm) and speed (1 mm/s). Delta coding turns
    them into small numbers that zlib packs tightly.
``f32``
    float32 with the bytes shuffled (all first bytes, then all second bytes…), for the sensor
    channels: float32 keeps about 7 significant digits, more than any sensor resolves.

NaN (a sample without that value) is kept as a bit mask next to the values.

A blob that is damaged or not one (a database edited by hand, a disk error) raises
:class:`~hipstride.errors.StorageError` naming the run, never a bare ``ValueError`` or
``zlib.error``.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import asdict
from datetime import datetime
from typing import Any

import numpy as np

from hipstride.activity import Activity, FloatArray, Lap, Session
from hipstride.errors import StorageError

__all__ = ["ENCODING", "pack_activity", "unpack_activity"]

#: Name of the blob format, stored beside each blob in the database.
ENCODING = "hss1-zlib"
MAGIC = b"HSS1"
#: Scale of one integer step for the delta-encoded series, in the series' unit.
DELTA_SCALES: dict[str, float] = {
    "time_s": 1e-3,
    "lat_deg": 1e-7,
    "lon_deg": 1e-7,
    "elevation_m": 1e-3,
    "distance_m": 1e-3,
    "speed_mps": 1e-3,
}
ZLIB_LEVEL = 6


def _encode_delta(values: FloatArray, scale: float) -> tuple[bytes, str]:
    ints = np.rint(np.nan_to_num(values, nan=0.0) / scale).astype(np.int64)
    finite = np.isfinite(values)
    if not finite.all() and finite.any():  # hold the last value through gaps: small deltas
        idx = np.where(finite, np.arange(values.shape[0]), 0)
        np.maximum.accumulate(idx, out=idx)
        ints = ints[idx]
    deltas = np.diff(ints, prepend=np.int64(0))
    if deltas.size and (deltas.max() > np.iinfo(np.int32).max or deltas.min() < np.iinfo(np.int32).min):
        return deltas.astype("<i8").tobytes(), "<i8"
    return deltas.astype("<i4").tobytes(), "<i4"


def _decode_delta(raw: bytes, dtype: str, scale: float) -> FloatArray:
    deltas = np.frombuffer(raw, dtype=dtype).astype(np.int64)
    return np.cumsum(deltas).astype(np.float64) * scale


def _encode_f32(values: FloatArray) -> bytes:
    arr = np.ascontiguousarray(values, dtype="<f4")
    return arr.view(np.uint8).reshape(-1, 4).T.tobytes()


def _decode_f32(raw: bytes, n: int) -> FloatArray:
    shuffled = np.frombuffer(raw, dtype=np.uint8).reshape(4, n)
    return np.ascontiguousarray(shuffled.T).view("<f4").reshape(n).astype(np.float64)


def _series(activity: Activity) -> list[tuple[str, FloatArray]]:
    out: list[tuple[str, FloatArray]] = [
        ("time_s", activity.time_s), ("lat_deg", activity.lat_deg), ("lon_deg", activity.lon_deg),
        ("elevation_m", activity.elevation_m)]
    if activity.distance_m is not None:
        out.append(("distance_m", activity.distance_m))
    if activity.speed_mps is not None:
        out.append(("speed_mps", activity.speed_mps))
    return out


def pack_activity(activity: Activity) -> bytes:
    """Pack an activity's arrays and metadata into one compressed blob (see the module docstring)."""
    n = len(activity)
    chunks: list[bytes] = []
    arrays: list[dict[str, Any]] = []
    offset = 0

    def add(entry: dict[str, Any], raw: bytes, values: FloatArray) -> None:
        nonlocal offset
        nan = ~np.isfinite(values)
        if nan.any():
            mask = np.packbits(nan).tobytes()
            entry["nan_mask"] = [offset, len(mask)]
            chunks.append(mask)
            offset += len(mask)
        entry["range"] = [offset, len(raw)]
        chunks.append(raw)
        offset += len(raw)
        arrays.append(entry)

    for name, values in _series(activity):
        raw, dtype = _encode_delta(values, DELTA_SCALES[name])
        add({"name": name, "encoding": "delta", "dtype": dtype, "scale": DELTA_SCALES[name]}, raw, values)
    for name, values in activity.channels.items():
        add({"name": name, "channel": True, "encoding": "f32"}, _encode_f32(values), values)

    header = {
        "n": n,
        "arrays": arrays,
        "source": activity.source,
        "start_time_utc": activity.start_time_utc.isoformat() if activity.start_time_utc else None,
        "channel_units": activity.channel_units,
        "sport": activity.sport,
        "sub_sport": activity.sub_sport,
        "device": activity.device,
        "file_format": activity.file_format,
        "session": asdict(activity.session),
        "laps": [asdict(lap) for lap in activity.laps],
        "name": activity.name,
        "time_is_relative": activity.time_is_relative,
        "segment_starts": (None if activity.segment_starts is None
                           else [int(i) for i in activity.segment_starts]),
        "warnings": activity.warnings,
    }
    head = json.dumps(header, separators=(",", ":")).encode()
    return MAGIC + struct.pack("<I", len(head)) + head + zlib.compress(b"".join(chunks), ZLIB_LEVEL)


def _read_header(blob: bytes) -> dict[str, Any]:
    """The JSON header of a blob (metadata and array directory), without inflating the arrays."""
    if blob[:4] != MAGIC:
        raise ValueError("not a hipstride sample blob")
    (size,) = struct.unpack("<I", blob[4:8])
    header: dict[str, Any] = json.loads(blob[8:8 + size])
    return header


def unpack_activity(blob: bytes, *, run: str | None = None) -> Activity:
    """Rebuild the :class:`Activity` that :func:`pack_activity` packed (values rounded to the
    scales of the module docstring).

    Raises
    ------
    StorageError
        When ``blob`` is damaged or is not a sample blob; the message starts with ``run`` (e.g.
        ``"run 12"``, default ``"a stored run"``).
    """
    try:
        return _unpack(bytes(blob))
    except Exception as exc:  # any damage: struct, zlib, JSON, a missing key, a wrong length
        detail = str(exc) or type(exc).__name__
        raise StorageError(f"{run or 'a stored run'}: its stored samples cannot be read "
                           f"({detail})") from exc


def _unpack(blob: bytes) -> Activity:
    header = _read_header(blob)
    (size,) = struct.unpack("<I", blob[4:8])
    payload = zlib.decompress(blob[8 + size:])
    n = int(header["n"])
    series: dict[str, FloatArray] = {}
    channels: dict[str, FloatArray] = {}
    for entry in header["arrays"]:
        start, length = entry["range"]
        raw = payload[start:start + length]
        if entry["encoding"] == "delta":
            values = _decode_delta(raw, entry["dtype"], float(entry["scale"]))
        else:
            values = _decode_f32(raw, n)
        if "nan_mask" in entry:
            m_start, m_len = entry["nan_mask"]
            mask = np.unpackbits(np.frombuffer(payload[m_start:m_start + m_len], dtype=np.uint8))[:n]
            values[mask.astype(bool)] = np.nan
        (channels if entry.get("channel") else series)[entry["name"]] = values
    start = header["start_time_utc"]
    return Activity(
        source=header["source"],
        start_time_utc=datetime.fromisoformat(start) if start else None,
        time_s=series["time_s"], lat_deg=series["lat_deg"], lon_deg=series["lon_deg"],
        elevation_m=series["elevation_m"], distance_m=series.get("distance_m"),
        speed_mps=series.get("speed_mps"), channels=channels,
        channel_units=dict(header["channel_units"]), sport=header["sport"],
        sub_sport=header["sub_sport"], device=header["device"], file_format=header["file_format"],
        session=Session(**header["session"]), laps=[Lap(**lap) for lap in header["laps"]],
        name=header["name"], time_is_relative=bool(header["time_is_relative"]),
        segment_starts=(None if header.get("segment_starts") is None
                        else np.asarray(header["segment_starts"], dtype=np.int64)),
        warnings=list(header["warnings"]))
