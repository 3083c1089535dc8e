"""The TCX reader against the real recordings in ``../shared/data/tcx`` and ``corrupt``.

Treadmill, multi-activity, sport and truncation cases are made from real files in ``tmp_path``
or in memory; nothing is written into the shared data.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipstride.activity import Activity
from hipstride.errors import ReadError, ReadWarning
from hipstride.io import read_activity, read_tcx
from hipstride.io.tcx import parse_tcx
from hipstride.track.geodesy import segment_lengths_m
from tests.activity_checks import assert_valid as check_activity
from tests.conftest import SHARED_DATA, data_path

#: MANIFEST.md: trackpoints with a position (tcxreader skips the others) and the device distance.
MANIFEST = {
    "elevate__20181021_run_3106033902.tcx": (421, 2854),
    "elevate__sloatsburg.tcx": (4968, 14005),
    "gpsbabel__gtrnctr-lap_s.tcx": (928, 10747),
    "runpandas__11km.tcx": (1583, 11047),
    "runpandas__2020-12-20T05_50_47-300_Running.tcx": (2227, 16097),
    "runpandas__basic.tcx": (383, 4689),
    "runpandas__run.tcx": (1424, 4825),
    "runpandas__run_garmin.tcx": (147, 2154),
    "runpandas__stopped_example.tcx": (1628, 12008),
}
TCX_NAMES = sorted(p.name for p in (SHARED_DATA / "tcx").glob("*.tcx"))
SMALL = "runpandas__run_garmin.tcx"


@cache
def read(name: str) -> Activity:
    """Read ``tcx/<name>`` once per session (the reader is pure)."""
    return read_activity(data_path(f"tcx/{name}"))


def assert_valid(activity: Activity) -> None:
    check_activity(activity, "tcx")


def strip_positions(data: bytes) -> bytes:
    return re.sub(rb"\s*<Position>.*?</Position>", b"", data, flags=re.S)


# ---------------------------------------------------------------- real files


@pytest.mark.parametrize("name", TCX_NAMES)
def test_every_real_tcx_reads_every_trackpoint(name: str) -> None:
    data = data_path(f"tcx/{name}").read_bytes()
    activity = read(name)
    assert_valid(activity)
    positioned, device_m = MANIFEST[name]
    assert len(activity) == data.count(b"<Trackpoint>")  # all kept, with or without a position
    assert int(np.count_nonzero(~np.isnan(activity.lat_deg))) == positioned
    assert activity.sport == "running"
    # The device's distance: last DistanceMeters and the lap sums, as in the manifest.
    assert activity.distance_m is not None
    assert np.nanmax(activity.distance_m) == pytest.approx(device_m, rel=0.01)
    assert activity.session.distance_m == pytest.approx(device_m, rel=0.01)
    # From positions: within 1 % on most files, but GPS and the watch's own distance disagree by
    # up to 4.9 % (stopped_example: 12600 m vs 12008 m, the discrepancy the manifest notes).
    ok = ~np.isnan(activity.lat_deg)
    from_gps = float(segment_lengths_m(activity.lat_deg[ok], activity.lon_deg[ok]).sum())
    assert from_gps == pytest.approx(device_m, rel=0.05)


def test_positions_agree_with_the_device_distance_where_gps_is_clean() -> None:
    for name in ("runpandas__basic.tcx", "runpandas__run.tcx", "elevate__20181021_run_3106033902.tcx",
                 "runpandas__run_garmin.tcx", "gpsbabel__gtrnctr-lap_s.tcx"):
        activity = read(name)
        ok = ~np.isnan(activity.lat_deg)
        from_gps = float(segment_lengths_m(activity.lat_deg[ok], activity.lon_deg[ok]).sum())
        assert from_gps == pytest.approx(MANIFEST[name][1], rel=0.01), name


def test_laps_and_session_sums() -> None:
    activity = read("gpsbabel__gtrnctr-lap_s.tcx")
    assert len(activity.laps) == 14
    assert activity.laps[0].start_time_s == 0.0
    assert activity.laps[0].elapsed_time_s == pytest.approx(358.94)
    assert activity.laps[0].distance_m == pytest.approx(650.11)
    assert activity.session.timer_time_s == pytest.approx(3922.99)
    assert activity.session.distance_m == pytest.approx(sum(lap.distance_m or 0 for lap in activity.laps))
    assert activity.device == "Garmin Forerunner 110"


def test_heart_rate_255_is_no_sensor() -> None:
    activity = read("gpsbabel__gtrnctr-lap_s.tcx")  # every Value is 255: no strap
    assert "heart_rate_bpm" not in activity.channels
    assert any("values of 255" in w for w in activity.warnings)


def test_run_cadence_is_strides_per_minute() -> None:
    data = data_path(f"tcx/{SMALL}").read_bytes()
    raw = np.array(re.findall(rb"<ns3:RunCadence>(\d+)<", data), dtype=float)
    activity = read(SMALL)
    assert np.array_equal(activity.channels["cadence_spm"], 2.0 * raw)
    cadence = activity.channels["cadence_spm"]
    assert 160 <= np.median(cadence[cadence > 0]) <= 185
    assert activity.speed_mps is not None
    assert activity.channel("heart_rate_bpm") is not None


def test_same_run_as_gpx_and_tcx() -> None:
    tcx = read("runpandas__run.tcx")
    gpx = read_activity(data_path("gpx/runpandas__run.gpx"))
    assert tcx.start_time_utc == gpx.start_time_utc == datetime(2017, 5, 27, 8, 13, 1, tzinfo=UTC)
    assert len(tcx) == len(gpx) == 1424
    assert np.allclose(tcx.lat_deg, gpx.lat_deg, atol=1e-5)
    assert tcx.device == "TomTom GPS Sport Watch"


def test_trackpoints_without_position_keep_time_and_distance() -> None:
    activity = read("runpandas__stopped_example.tcx")
    missing = np.isnan(activity.lat_deg)
    assert int(missing.sum()) == 1697 - 1628
    assert activity.distance_m is not None
    assert np.isfinite(activity.distance_m[missing]).all()


# ---------------------------------------------------------------- derived from real files


def test_treadmill_run_without_positions_keeps_every_trackpoint(tmp_path: Path) -> None:
    source = data_path(f"tcx/{SMALL}").read_bytes()
    treadmill = tmp_path / "treadmill.tcx"
    treadmill.write_bytes(strip_positions(source))
    assert b"<Position>" not in treadmill.read_bytes()
    activity = read_activity(treadmill)
    assert len(activity) == 147
    assert np.isnan(activity.lat_deg).all()
    assert not activity.has_positions
    assert activity.distance_m is not None
    assert activity.distance_m[-1] == pytest.approx(2153.67, abs=0.01)
    assert activity.has_elevation
    assert activity.channel("cadence_spm") is not None
    assert activity.time_s[-1] == read(SMALL).time_s[-1]


def test_malformed_tcx_is_read_in_full_with_a_warning() -> None:
    # The root element is missing, so xsi: is unbound at line 4653: a namespace error only.
    path = data_path("corrupt/runpandas__malformed.tcx")
    with pytest.warns(ReadWarning, match=r"XML namespace error at line 4653, column 35"):
        activity = read_tcx(path)
    assert len(activity) == 384  # basic.tcx's 383 + one time-only trackpoint
    assert activity.device == "Forerunner 410 Software Version 2.20"
    assert activity.warnings[0].startswith("XML namespace error at line 4653")
    basic = read("runpandas__basic.tcx")
    assert np.array_equal(activity.lat_deg[:383], basic.lat_deg)


def test_truncated_tcx() -> None:
    data = data_path(f"tcx/{SMALL}").read_bytes()
    with pytest.warns(ReadWarning, match=r"malformed XML at line \d+, column \d+: .*kept the \d+"):
        activity = parse_tcx(data[: len(data) // 2], "cut.tcx")
    assert 0 < len(activity) < 147
    with pytest.raises(ReadError, match=r"^cut\.tcx: malformed XML at line \d+, column \d+"):
        parse_tcx(data[:1500], "cut.tcx")


def test_sport_mapping_and_several_activities() -> None:
    data = data_path(f"tcx/{SMALL}").read_bytes()
    assert parse_tcx(data.replace(b'Sport="Running"', b'Sport="Biking"'), "b").sport == "cycling"
    assert parse_tcx(data.replace(b'Sport="Running"', b'Sport="Other"'), "o").sport == "unknown"
    start, end = data.index(b"<Activity "), data.index(b"</Activity>") + len(b"</Activity>")
    two = data[:end] + data[start:end] + data[end:]
    activity = parse_tcx(two, "two")
    assert len(activity) == 147
    assert "the file holds 2 activities: read the first" in activity.warnings


def test_no_trackpoints_is_a_read_error() -> None:
    data = data_path(f"tcx/{SMALL}").read_bytes()
    empty = re.sub(rb"<Track>.*?</Track>", b"", data, flags=re.S)
    with pytest.raises(ReadError, match=r"no track: the TCX has no <Trackpoint> \(3 <Lap> without"):
        parse_tcx(empty, "e.tcx")


def test_invalid_positions_are_dropped() -> None:
    data = data_path(f"tcx/{SMALL}").read_bytes()
    bad = data.replace(b"<LatitudeDegrees>46.", b"<LatitudeDegrees>146.", 2)
    with pytest.warns(ReadWarning, match="dropped 2 of 147 points"):
        activity = parse_tcx(bad, "bad.tcx")
    assert len(activity) == 145


# ---------------------------------------------------------------- fuzz


@cache
def small_tcx() -> bytes:
    """The first 6 trackpoints of a real Garmin TCX, with its laps and creator."""
    data = data_path(f"tcx/{SMALL}").read_bytes()
    points = [m.start() for m in re.finditer(rb"<Trackpoint>", data)]
    end = data.index(b"</Track>")
    return data[: points[6]] + data[end: data.index(b"</Lap>") + 6] + data[data.index(b"<Creator"):]


def _read_or_error(data: bytes) -> None:
    """Anything but a ReadError or a valid Activity fails the test."""
    error: ReadError | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadWarning)
        try:
            activity = parse_tcx(data, "fuzz.tcx")
        except ReadError as exc:
            error = exc
    if error is None:
        assert_valid(activity)
    else:
        assert error.source == "fuzz.tcx"
        assert "\n" not in error.problem


def test_small_tcx_is_valid() -> None:
    activity = parse_tcx(small_tcx(), "small.tcx")
    assert len(activity) == 6
    assert activity.device == "Garmin Forerunner 620"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=6000), data=st.data())
def test_fuzz_truncated_or_mutated_tcx(cut: int, data: st.DataObject) -> None:
    doc = bytearray(small_tcx())
    edits = data.draw(st.lists(st.tuples(st.integers(0, len(doc) - 1), st.integers(0, 255)),
                               max_size=8))
    for position, value in edits:
        doc[position] = value
    _read_or_error(bytes(doc[:cut]) if cut < len(doc) else bytes(doc))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet="0123456789.-+eE:TZ naxf<&", max_size=30),
       field=st.sampled_from(["Time", "LatitudeDegrees", "AltitudeMeters", "DistanceMeters",
                              "Value", "ns3:RunCadence", "TotalTimeSeconds"]))
def test_fuzz_odd_values_in_a_real_tcx(text: str, field: str) -> None:
    mutated = re.sub(rb"(<%s>)[^<]*" % field.encode(), rb"\g<1>" + text.encode(), small_tcx(),
                     count=3)
    _read_or_error(mutated)
