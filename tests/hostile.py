"""Builders of hostile recordings for the reliability tests: FIT bytes written by hand, GPX text.

The FIT writer here is deliberately minimal (one file_id and one record definition, little-endian,
CRC per the FIT protocol), so a test can write 10⁵ records in a fraction of a second where the SDK's
encoder takes seconds; the readers decode it with garmin-fit-sdk like any device file.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from hipstride.io.fit._frames import _crc16

#: FIT seconds of 2020-06-01T06:00:00Z (FIT epoch 1989-12-31T00:00:00Z).
T0_FIT = 959_925_600
_DEG_TO_SEMICIRCLES = 2**31 / 180.0


def fit_crc(data: bytes) -> int:
    """The FIT CRC-16 (CRC-16/ARC) of ``data``: the reader's own checksum."""
    return _crc16(data)


def fit_file(timestamps: Sequence[int], *, lat_deg: float = 60.17, lon_deg: float = 24.94,
             step_m: float = 3.0) -> bytes:
    """A running FIT file with one record per timestamp (FIT seconds): a straight line north at
    ``step_m`` per record, distance in step, heart rate 140."""
    # file_id: type (enum, 4 = activity)
    body = bytearray(struct.pack("<BBBHB", 0x40, 0, 0, 0, 1) + bytes((0, 1, 0x00)))
    body += bytes((0x00, 4))
    # sport: sport (field 0, enum, 1 = running)
    body += struct.pack("<BBBHB", 0x42, 0, 0, 12, 1) + bytes((0, 1, 0x00))
    body += bytes((0x02, 1))
    # record: timestamp, position_lat, position_long, distance (×100), heart_rate
    fields = ((253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (5, 4, 0x86), (3, 1, 0x02))
    body += struct.pack("<BBBHB", 0x41, 0, 0, 20, len(fields))
    for field in fields:
        body += bytes(field)
    record = struct.Struct("<BIiiIB")
    lon = round(lon_deg * _DEG_TO_SEMICIRCLES)
    for i, stamp in enumerate(timestamps):
        lat = round((lat_deg + i * step_m / 111_195.0) * _DEG_TO_SEMICIRCLES)
        body += record.pack(0x01, stamp, lat, lon, round(i * step_m * 100), 140)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    data = header + bytes(body)
    return data + struct.pack("<H", fit_crc(data))


def gpx_file(points: Sequence[tuple[float, float, str | None]]) -> bytes:
    """A GPX 1.1 track of ``(lat, lon, time or None)`` points."""
    rows = []
    for lat, lon, stamp in points:
        when = f"<time>{stamp}</time>" if stamp else ""
        rows.append(f'<trkpt lat="{lat:.6f}" lon="{lon:.6f}"><ele>10</ele>{when}</trkpt>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gpx version="1.1" creator="hostile" xmlns="http://www.topografix.com/GPX/1/1">'
            "<trk><type>running</type><trkseg>" + "".join(rows) + "</trkseg></trk></gpx>"
            ).encode()


def tcx_file(points: Sequence[tuple[float, float, str]]) -> bytes:
    """A TCX running activity of ``(lat, lon, time)`` trackpoints."""
    rows = "".join(
        f"<Trackpoint><Time>{stamp}</Time><Position><LatitudeDegrees>{lat:.6f}</LatitudeDegrees>"
        f"<LongitudeDegrees>{lon:.6f}</LongitudeDegrees></Position></Trackpoint>"
        for lat, lon, stamp in points)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
            'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
            '<Activity Sport="Running"><Id>x</Id><Lap StartTime="2020-06-01T06:00:00Z"><Track>'
            + rows + "</Track></Lap></Activity></Activities></TrainingCenterDatabase>").encode()
