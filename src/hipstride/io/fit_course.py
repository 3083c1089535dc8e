"""A route as a FIT course file, the form in which watches take a route to follow.

A FIT course holds a ``file_id`` (type ``course``), one ``course`` message (sport, name), one
``lap`` spanning the whole route, timer ``event`` start and stop, a ``record`` per point
(position in semicircles, distance along the route, altitude when known) and ``course_point``
messages, here one at each whole kilometre so that the watch can announce them. A course carries
times too (the watch's "virtual partner" follows them): they are made up from one even pace,
:data:`COURSE_PACE_S_PER_KM` unless another is given, from a fixed start time, so the same route
always gives the same bytes. Written with Garmin's FIT SDK encoder, the one that writes the
workouts (:mod:`hipstride.care.workout`); message and field names are those of the FIT profile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from hipstride.activity import FloatArray
from hipstride.errors import InputError

__all__ = ["COURSE_PACE_S_PER_KM", "CourseTrack", "encode_fit_course"]

#: The even pace a course's times are made from (6:00 min/km, an easy run).
COURSE_PACE_S_PER_KM = 360.0
#: Where a course's made-up times start (any fixed instant would do).
_START_UTC = datetime(2025, 1, 1, 6, 0, tzinfo=UTC)
_SEMICIRCLES_PER_DEG = 2.0**31 / 180.0
_MESG = {"file_id": 0, "lap": 19, "record": 20, "event": 21, "course": 31, "course_point": 32}
_MAX_NAME_BYTES = 15  # the course name field of common watches


@dataclass(frozen=True)
class CourseTrack:
    """One route: points in degrees, distance along it (m), elevation (m, NaN when unknown)."""

    name: str
    lat_deg: FloatArray
    lon_deg: FloatArray
    distance_m: FloatArray
    elevation_m: FloatArray | None = None


def _semicircles(deg: float) -> int:
    return round(deg * _SEMICIRCLES_PER_DEG)


def _short(text: str) -> str:
    data = text.encode("utf-8")[:_MAX_NAME_BYTES]
    return data.decode("utf-8", errors="ignore")


def encode_fit_course(track: CourseTrack, *, pace_s_per_km: float = COURSE_PACE_S_PER_KM,
                      marker_every_m: float = 1000.0) -> bytes:
    """The bytes of a FIT course file for ``track`` (see the module docstring)."""
    from garmin_fit_sdk import Encoder

    n = int(track.lat_deg.shape[0])
    dist = np.asarray(track.distance_m, dtype=np.float64)
    if n < 2 or dist.shape[0] != n or track.lon_deg.shape[0] != n:
        raise InputError(f"course {track.name!r}: needs at least two points with one distance each")
    if not (np.all(np.isfinite(dist)) and np.all(np.diff(dist) >= 0)):
        raise InputError(f"course {track.name!r}: distances must be finite and never decrease")
    if not 120.0 <= pace_s_per_km <= 1200.0:
        raise InputError(f"a course pace must be 2:00 to 20:00 min/km, not {pace_s_per_km:g} s/km")
    elapsed_s = (dist - dist[0]) * pace_s_per_km / 1000.0
    times = [_START_UTC + timedelta(seconds=float(s)) for s in np.round(elapsed_s)]
    lat = [_semicircles(float(v)) for v in track.lat_deg]
    lon = [_semicircles(float(v)) for v in track.lon_deg]
    ele = track.elevation_m
    length_m = float(dist[-1] - dist[0])

    encoder = Encoder()
    encoder.write_mesg({"mesg_num": _MESG["file_id"], "type": "course", "manufacturer": 255,
                        "product": 0, "serial_number": 1, "time_created": _START_UTC})
    encoder.write_mesg({"mesg_num": _MESG["course"], "sport": "running",
                        "name": _short(track.name)})
    encoder.write_mesg({"mesg_num": _MESG["lap"], "timestamp": times[-1], "start_time": times[0],
                        "start_position_lat": lat[0], "start_position_long": lon[0],
                        "end_position_lat": lat[-1], "end_position_long": lon[-1],
                        "total_elapsed_time": float(elapsed_s[-1]),
                        "total_timer_time": float(elapsed_s[-1]), "total_distance": length_m})
    encoder.write_mesg({"mesg_num": _MESG["event"], "timestamp": times[0], "event": "timer",
                        "event_type": "start", "event_group": 0})
    for i in range(n):
        record: dict[str, Any] = {"mesg_num": _MESG["record"], "timestamp": times[i],
                                  "position_lat": lat[i], "position_long": lon[i],
                                  "distance": float(dist[i] - dist[0])}
        if ele is not None and math.isfinite(float(ele[i])):
            record["altitude"] = float(ele[i])
        encoder.write_mesg(record)
    for k in range(1, int(length_m // marker_every_m) + 1):
        i = min(int(np.searchsorted(dist - dist[0], k * marker_every_m)), n - 1)
        encoder.write_mesg({"mesg_num": _MESG["course_point"], "timestamp": times[i],
                            "position_lat": lat[i], "position_long": lon[i],
                            "distance": float(dist[i] - dist[0]), "type": "generic",
                            "name": f"{k * marker_every_m / 1000:g} km"})
    encoder.write_mesg({"mesg_num": _MESG["event"], "timestamp": times[-1], "event": "timer",
                        "event_type": "stop_all", "event_group": 0})
    return bytes(encoder.close())
