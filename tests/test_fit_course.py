"""FIT course files (``hipstride.io.fit_course``), read back with Garmin's own decoder."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from garmin_fit_sdk import Decoder, Stream

from hipstride.errors import InputError
from hipstride.io.fit_course import COURSE_PACE_S_PER_KM, CourseTrack, encode_fit_course


def _decode(data: bytes) -> dict[str, Any]:
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return dict(messages)


def _track(n: int = 300, length_m: float = 2600.0, elevation: bool = True) -> CourseTrack:
    ele = np.full(n, 112.0)
    ele[5:6] = np.nan
    return CourseTrack("Loop 2.6 km and a long name", np.linspace(60.17, 60.18, n),
                       np.linspace(24.94, 24.96, n), np.linspace(0.0, length_m, n),
                       ele if elevation else None)


def test_a_course_round_trips_with_times_from_the_pace_and_km_markers() -> None:
    track = _track()
    m = _decode(encode_fit_course(track))
    assert m["file_id_mesgs"][0]["type"] == "course"
    assert m["course_mesgs"][0]["sport"] == "running"
    assert m["course_mesgs"][0]["name"] == "Loop 2.6 km and"  # 15 bytes, what watches show
    records = m["record_mesgs"]
    assert len(records) == 300
    assert records[-1]["distance"] == pytest.approx(2600.0, abs=0.01)
    assert records[-1]["position_lat"] * 180 / 2**31 == pytest.approx(60.18, abs=1e-6)
    assert "altitude" not in records[5]  # an unknown elevation is left out, not written as 0
    assert records[6]["altitude"] == pytest.approx(112.0, abs=0.2)
    took_s = (records[-1]["timestamp"] - records[0]["timestamp"]).total_seconds()
    assert took_s == pytest.approx(2.6 * COURSE_PACE_S_PER_KM, abs=1)
    assert m["lap_mesgs"][0]["total_distance"] == pytest.approx(2600.0, abs=0.01)
    assert [p["name"] for p in m["course_point_mesgs"]] == ["1 km", "2 km"]
    assert [e["event_type"] for e in m["event_mesgs"]] == ["start", "stop_all"]
    assert encode_fit_course(track) == encode_fit_course(track)  # the same route, the same bytes
    assert "altitude" not in _decode(encode_fit_course(_track(elevation=False)))["record_mesgs"][0]


@pytest.mark.parametrize(("track", "pace", "words"), [
    (_track(n=1), 360.0, "at least two points"),
    (CourseTrack("x", np.zeros(3), np.zeros(3), np.array([0.0, 5.0, 2.0])), 360.0, "never decrease"),
    (_track(), 30.0, "pace must be"),
])
def test_bad_courses_are_refused(track: CourseTrack, pace: float, words: str) -> None:
    with pytest.raises(InputError, match=words):
        encode_fit_course(track, pace_s_per_km=pace)
