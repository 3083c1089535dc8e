"""The GPX reader against the real recordings in ``../shared/data/gpx`` and ``corrupt``.

Small synthetic documents only cover what no real file shows (time-zone offsets, partly timed
tracks, routes, impossible positions, truncation).
"""

from __future__ import annotations

import gzip
import io
import itertools
import re
import warnings
from datetime import UTC, datetime
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hipstride.activity import Activity
from hipstride.errors import ReadError, ReadWarning
from hipstride.io import gpx as gpx_module
from hipstride.io import read_activity, read_gpx
from hipstride.io.gpx import parse_gpx
from hipstride.track.geodesy import segment_lengths_m
from tests.activity_checks import assert_valid as check_activity
from tests.conftest import SHARED_DATA, data_path

#: MANIFEST.md: track points and gpxpy's 2-D length (m, summed per segment) of each real GPX.
MANIFEST = {
    "GoldenCheetah__Move_2014_01_16_19_48_44.gpx": (669, 8551),
    "elevate__20170319_run_906581465.gpx": (1038, 4594),
    "elevate__20171008_run_2067489619.gpx": (502, 4400),
    "everysinglestreet__test.gpx": (427, 625),
    "gpxpy__Mojstrovka.gpx": (184, 2701),
    "gpxpy__cerknicko-jezero.gpx": (296, 4580),
    "gpxpy__gpx1.0_with_all_fields.gpx": (1, 0),
    "gpxpy__korita-zbevnica.gpx": (871, 14914),
    "gpxpy__track-with-empty-segment.gpx": (9, 86),
    "runpandas__garmin_connect.gpx": (3, 5),
    "runpandas__nike_run.gpx": (727, 8257),
    "runpandas__run.gpx": (1424, 4812),
    "runpandas__session_16aebccf.gpx": (644, 7135),
    "runpandas__session_4383adb2.gpx": (1365, 15724),
    "runpandas__session_720bf570_two_runs_15h_gap.gpx": (1030, 21762),
    "runpandas__session_eea8fa30.gpx": (1222, 8977),
    "runpandas__strava_export.gpx": (1697, 12609),
}
WAYPOINTS_ONLY = "gpxpy__unicode_with_bom.gpx"
GPX_NAMES = sorted(p.name for p in (SHARED_DATA / "gpx").glob("*.gpx"))


@cache
def read(name: str) -> Activity:
    """Read ``gpx/<name>`` once per session (the reader is pure)."""
    return read_activity(data_path(f"gpx/{name}"))


def assert_valid(activity: Activity) -> None:
    check_activity(activity, "gpx")


def points_per_segment(name: str) -> list[int]:
    """Track points in each ``<trkseg>`` of a real file, counted independently with lxml."""
    root = etree.parse(str(data_path(f"gpx/{name}"))).getroot()
    return [len(seg.findall("{*}trkpt")) for seg in root.iter("{*}trkseg")]


def gpx_doc(points: str, *, head: str = "", tag: str = "trk") -> bytes:
    seg = f"<trkseg>{points}</trkseg>" if tag == "trk" else points
    return (f'<?xml version="1.0"?><gpx version="1.1" creator="test" '
            f'xmlns="http://www.topografix.com/GPX/1/1">{head}<{tag}>{seg}</{tag}></gpx>').encode()


# ---------------------------------------------------------------- real files


@pytest.mark.parametrize("name", [n for n in GPX_NAMES if n != WAYPOINTS_ONLY])
def test_every_real_gpx_reads_with_manifest_points_and_distance(name: str) -> None:
    activity = read(name)
    assert_valid(activity)
    points, length_m = MANIFEST[name]
    assert len(activity) == points
    # gpxpy measures each segment on its own: split ours at the same boundaries.
    bounds = np.cumsum([0, *points_per_segment(name)])
    assert bounds[-1] == points
    ours = sum(float(segment_lengths_m(activity.lat_deg[a:b], activity.lon_deg[a:b]).sum())
               for a, b in itertools.pairwise(bounds))
    assert ours == pytest.approx(length_m, rel=0.01, abs=1.0)


def test_waypoint_only_gpx_with_bom_is_a_read_error() -> None:
    with pytest.raises(ReadError, match=r"no track: the GPX has no <trk> or <rte> with points \(only 1 waypoint\)"):
        read_activity(data_path(f"gpx/{WAYPOINTS_ONLY}"))


NO_TRACK = "no track: the GPX has no <trk> or <rte> with points"


@pytest.mark.parametrize(("name", "problem"), [
    ("graphhopper__no_trk.gpx", NO_TRACK),
    ("graphhopper__no_trkseg.gpx", NO_TRACK + " (1 <trk> without <trkseg>)"),
    ("graphhopper__no_trkpt.gpx", NO_TRACK + " (1 <trkseg> without <trkpt>)"),
])
def test_gpx_without_points_is_a_one_line_read_error(name: str, problem: str) -> None:
    path = data_path(f"corrupt/{name}")
    with pytest.raises(ReadError) as info:
        read_activity(path)
    assert info.value.source == str(path)
    assert info.value.problem == problem
    assert str(info.value) == f"{path}: {problem}"


@pytest.mark.parametrize("name", [n for n in GPX_NAMES if n != WAYPOINTS_ONLY])
def test_fast_path_gives_exactly_what_the_streaming_reader_gives(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = data_path(f"gpx/{name}").read_bytes()
    fast = parse_gpx(data, name)
    monkeypatch.setattr(gpx_module, "_read_fast", lambda data: None)
    slow = parse_gpx(data, name)
    for field in ("time_s", "lat_deg", "lon_deg", "elevation_m"):
        assert np.array_equal(getattr(fast, field), getattr(slow, field), equal_nan=True), field
    assert fast.channels.keys() == slow.channels.keys()
    for key, values in fast.channels.items():
        assert np.array_equal(values, slow.channels[key], equal_nan=True), key
    assert (fast.start_time_utc, fast.sport, fast.name, fast.device, fast.warnings) == (
        slow.start_time_utc, slow.sport, slow.name, slow.device, slow.warnings)


def test_standard_files_take_the_fast_path() -> None:
    for name in ("runpandas__strava_export.gpx", "elevate__20171008_run_2067489619.gpx",
                 "runpandas__nike_run.gpx", "gpxpy__cerknicko-jezero.gpx"):
        assert gpx_module._read_fast(data_path(f"gpx/{name}").read_bytes()) is not None, name


def test_gpx_1_0_with_all_fields() -> None:
    activity = read("gpxpy__gpx1.0_with_all_fields.gpx")
    assert len(activity) == 1  # the track wins over the two routes
    assert (activity.lat_deg[0], activity.lon_deg[0], activity.elevation_m[0]) == (10.1, -20.2, 11.1)
    assert activity.start_time_utc == datetime(2013, 1, 1, 12, 0, 4, tzinfo=UTC)  # no zone = UTC
    assert activity.name == "example name t"
    assert activity.device == "..."
    assert activity.sport == "unknown"


def test_empty_segment_is_skipped() -> None:
    activity = read("gpxpy__track-with-empty-segment.gpx")
    assert len(activity) == 9
    assert activity.start_time_utc == datetime(2013, 7, 6, 17, 26, 26, tzinfo=UTC)
    assert activity.time_s[-1] == 76.0


def test_two_runs_15_hours_apart_keep_every_point() -> None:
    activity = read("runpandas__session_720bf570_two_runs_15h_gap.gpx")
    assert len(activity) == 1030
    assert np.diff(activity.time_s).max() > 15 * 3600
    assert activity.time_s[-1] == pytest.approx(86248.781, abs=1e-3)
    assert activity.start_time_utc == datetime(2021, 1, 17, 10, 23, 22, 369000, tzinfo=UTC)


def test_elevation_only_where_recorded_and_zero_is_kept() -> None:
    activity = read("runpandas__nike_run.gpx")
    assert int(np.count_nonzero(~np.isnan(activity.elevation_m))) == 290
    assert activity.channel("heart_rate_bpm") is not None
    doc = gpx_doc('<trkpt lat="1" lon="2"><ele>0</ele></trkpt><trkpt lat="1" lon="2.001"></trkpt>')
    assert parse_gpx(doc, "t").elevation_m.tolist()[0] == 0.0


def test_placeholder_1901_timestamps_mean_no_times() -> None:
    activity = read("gpxpy__Mojstrovka.gpx")
    assert activity.start_time_utc is None
    assert np.isnan(activity.time_s).all()
    assert any("184 timestamps before 1980" in w for w in activity.warnings)


def test_untimed_points_get_times_by_position_and_a_note() -> None:
    activity = read("gpxpy__korita-zbevnica.gpx")  # its first track (358 points) has no times
    assert any("358 of 871 points have no usable time" in w for w in activity.warnings)
    assert np.all(np.diff(activity.time_s) > 0)
    doc = gpx_doc("".join(f'<trkpt lat="45.0" lon="{5 + i / 1e4}">{t}</trkpt>' for i, t in
                          enumerate(["<time>2020-01-01T10:00:00Z</time>", "", "",
                                     "<time>2020-01-01T10:00:30Z</time>"])))
    short = parse_gpx(doc, "t")
    assert short.time_s.tolist() == [0.0, 10.0, 20.0, 30.0]
    assert any("2 of 4 points have no usable time" in w for w in short.warnings)


def test_sport_name_and_device() -> None:
    garmin = read("elevate__20171008_run_2067489619.gpx")
    assert (garmin.sport, garmin.name, garmin.device) == ("running", "Corenc Running", "Garmin Connect")
    assert read("runpandas__strava_export.gpx").sport == "running"  # Strava <type>9</type>
    assert read("everysinglestreet__test.gpx").sport == "walking"  # Strava <type>10</type>
    assert read("runpandas__run.gpx").sport == "unknown"  # no <type>
    assert read("runpandas__run.gpx").name == "Running"  # trk/name before metadata/name
    ride = (b'<gpx><trk><type>1</type><trkseg><trkpt lat="1" lon="2"><extensions><power>210'
            b'</power><cad>90</cad></extensions></trkpt></trkseg></trk></gpx>')
    activity = parse_gpx(ride, "t")
    assert activity.sport == "cycling"
    assert activity.channels["cadence_rpm"].tolist() == [90.0]  # pedal rpm, not doubled
    assert activity.channels["power_w"].tolist() == [210.0]


def test_garmin_and_strava_cad_are_strides_per_minute() -> None:
    for name in ("elevate__20171008_run_2067489619.gpx", "runpandas__strava_export.gpx"):
        raw = re.findall(rb"<\w+:cad>(\d+)<", data_path(f"gpx/{name}").read_bytes())
        activity = read(name)
        assert activity.channel_units["cadence_spm"] == "steps/min"
        assert np.array_equal(activity.channels["cadence_spm"], 2.0 * np.array(raw, dtype=float))
    strava = read("runpandas__strava_export.gpx").channels["cadence_spm"]
    assert 160 <= np.median(strava[strava > 0]) <= 185  # a runner's steps/min


def test_extensions_power_temperature_and_gpx10_speed() -> None:
    doc = (b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:tp='
           b'"http://www.garmin.com/xmlschemas/TrackPointExtension/v2"><trk><trkseg>'
           b'<trkpt lat="1" lon="2"><time>2020-01-01T00:00:00Z</time><extensions><power>250</power>'
           b'<tp:TrackPointExtension><tp:atemp>21.5</tp:atemp><tp:hr>140</tp:hr><tp:cad>88</tp:cad>'
           b'<tp:speed>3.1</tp:speed></tp:TrackPointExtension></extensions></trkpt>'
           b'</trkseg></trk></gpx>')
    activity = parse_gpx(doc, "t")
    assert activity.channels["power_w"].tolist() == [250.0]
    assert activity.channels["temperature_c"].tolist() == [21.5]
    assert activity.channels["heart_rate_bpm"].tolist() == [140.0]
    assert activity.channels["cadence_spm"].tolist() == [176.0]
    assert activity.speed_mps is not None
    assert activity.speed_mps.tolist() == [3.1]
    assert gpx_module._read_fast(doc) is not None  # the standard layout


# ---------------------------------------------------------------- synthetic edge cases


def test_time_zone_offsets_become_utc() -> None:
    doc = gpx_doc('<trkpt lat="48.1" lon="11.5"><time>2021-06-01T08:00:00+02:00</time></trkpt>'
                  '<trkpt lat="48.1" lon="11.501"><time>2021-06-01T08:00:05.5+02:00</time></trkpt>'
                  '<trkpt lat="48.1" lon="11.502"><time>2021-06-01T06:00:09Z</time></trkpt>')
    activity = parse_gpx(doc, "tz.gpx")
    assert activity.start_time_utc == datetime(2021, 6, 1, 6, 0, 0, tzinfo=UTC)
    assert activity.time_s.tolist() == [0.0, 5.5, 9.0]


def test_route_without_times_is_a_planned_route() -> None:
    doc = gpx_doc('<name>Plan</name><rtept lat="49.4" lon="8.7"><ele>120</ele></rtept>'
                  '<rtept lat="49.41" lon="8.71"/>', tag="rte")
    activity = parse_gpx(doc, "plan.gpx")
    assert len(activity) == 2
    assert activity.start_time_utc is None
    assert np.isnan(activity.time_s).all()
    assert activity.name == "Plan"
    assert any("read the route" in w for w in activity.warnings)


def test_impossible_positions_are_dropped_with_a_warning() -> None:
    doc = gpx_doc('<trkpt lat="95" lon="2"/><trkpt lat="1" lon="2"/><trkpt lat="x" lon="2"/>'
                  '<trkpt lat="1" lon="181"/><trkpt lat="1.001" lon="2"/><trkpt lon="2"/>')
    with pytest.warns(ReadWarning, match="dropped 4 of 6 points with an invalid position"):
        activity = parse_gpx(doc, "bad.gpx")
    assert activity.lat_deg.tolist() == [1.0, 1.001]
    with pytest.raises(ReadError, match="no usable points: all 2 points have an invalid position"):
        parse_gpx(gpx_doc('<trkpt lat="-91" lon="0"/><trkpt lat="0" lon="nan"/>'), "bad.gpx")


def test_unreadable_values_are_missing_with_a_note() -> None:
    doc = gpx_doc('<trkpt lat="1" lon="2"><ele>high</ele><time>yesterday</time></trkpt>'
                  '<trkpt lat="1" lon="2.001"><ele>5</ele><time>2020-01-01T00:00:00Z</time></trkpt>')
    activity = parse_gpx(doc, "t")
    assert np.isnan(activity.elevation_m[0])
    assert activity.elevation_m[1] == 5.0
    assert any("1 unreadable <ele> values" in w for w in activity.warnings)
    assert any("1 unreadable <time> values" in w for w in activity.warnings)


def test_points_out_of_time_order_are_sorted() -> None:
    doc = gpx_doc('<trkpt lat="1" lon="2.002"><time>2020-01-01T00:00:02Z</time></trkpt>'
                  '<trkpt lat="1" lon="2.000"><time>2020-01-01T00:00:00Z</time></trkpt>'
                  '<trkpt lat="1" lon="2.001"><time>2020-01-01T00:00:01Z</time></trkpt>')
    activity = parse_gpx(doc, "t")
    assert activity.start_time_utc == datetime(2020, 1, 1, tzinfo=UTC)
    assert activity.lon_deg.tolist() == [2.0, 2.001, 2.002]
    assert any("out of time order" in w for w in activity.warnings)


def test_malformed_xml_names_line_and_column() -> None:
    with pytest.raises(ReadError, match=r"malformed XML at line 2, column \d+"):
        parse_gpx(b'<gpx>\n<trk><trkseg><trkpt lat="1" lon="2"></trkseg></trk></gpx>', "m.gpx")
    with pytest.raises(ReadError, match=r"malformed XML at line 1, column 1"):
        parse_gpx(b"\x00\x01 not xml", "m.gpx")


def test_truncated_file_keeps_the_points_before_the_break() -> None:
    data = data_path("gpx/runpandas__run.gpx").read_bytes()
    cut = data[: len(data) // 2]
    with pytest.warns(ReadWarning, match=r"malformed XML at line \d+, column \d+"):
        activity = parse_gpx(cut, "cut.gpx")
    assert 0 < len(activity) < 1424
    assert activity.warnings[0].startswith("malformed XML")
    assert np.array_equal(activity.lat_deg, read("runpandas__run.gpx").lat_deg[: len(activity)])


def test_prefixed_namespace_reads_the_same() -> None:
    data = data_path("gpx/runpandas__garmin_connect.gpx").read_bytes()
    prefixed = re.sub(rb"<(/?)(gpx|metadata|link|text|time|trk|name|type|trkseg|trkpt|ele|"
                      rb"extensions)([\s>])", rb"<\1g:\2\3", data)
    prefixed = prefixed.replace(b'xmlns="http://www.topografix.com/GPX/1/1"',
                                b'xmlns:g="http://www.topografix.com/GPX/1/1"')
    plain, other = parse_gpx(data, "a"), parse_gpx(prefixed, "b")
    assert gpx_module._read_fast(prefixed) is not None
    assert np.array_equal(plain.lat_deg, other.lat_deg)
    assert plain.channels["cadence_spm"].tolist() == other.channels["cadence_spm"].tolist()
    assert (plain.start_time_utc, plain.name, plain.sport) == (other.start_time_utc, other.name,
                                                              other.sport)


def test_comment_inside_points_falls_back_to_the_stream_reader() -> None:
    data = data_path("gpx/runpandas__garmin_connect.gpx").read_bytes()
    commented = data.replace(b"<ele>", b"<!-- trkpt --><ele>", 1)
    assert gpx_module._read_fast(commented) is None
    activity = parse_gpx(commented, "c")
    assert np.array_equal(activity.elevation_m, parse_gpx(data, "p").elevation_m)


# ---------------------------------------------------------------- sources


def test_bytes_file_object_and_gzip_through_read_activity(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = data_path("gpx/runpandas__run.gpx")
    data = path.read_bytes()
    gz = tmp_path / "run.gpx.gz"
    gz.write_bytes(gzip.compress(data))
    expected = read("runpandas__run.gpx")
    for source in (data, io.BytesIO(data), gz, str(gz)):
        activity = read_activity(source)
        assert len(activity) == len(expected)
        assert activity.start_time_utc == expected.start_time_utc
        assert np.array_equal(activity.lat_deg, expected.lat_deg)
    assert read_activity(data).source == "<bytes>"
    assert read_gpx(gz).source == str(gz)


# ---------------------------------------------------------------- fuzz

SMALL = "runpandas__garmin_connect.gpx"


def _read_or_error(data: bytes) -> None:
    """Anything but a ReadError or a valid Activity fails the test."""
    error: ReadError | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadWarning)
        try:
            activity = parse_gpx(data, "fuzz.gpx")
        except ReadError as exc:
            error = exc
    if error is None:
        assert_valid(activity)
    else:
        assert error.source == "fuzz.gpx"
        assert "\n" not in error.problem


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=2000),
       edits=st.lists(st.tuples(st.integers(0, 1787), st.integers(0, 255)), max_size=8))
def test_fuzz_truncated_or_mutated_gpx(cut: int, edits: list[tuple[int, int]]) -> None:
    data = bytearray(data_path(f"gpx/{SMALL}").read_bytes())
    for position, value in edits:
        data[position % len(data)] = value
    _read_or_error(bytes(data[:cut]) if cut < len(data) else bytes(data))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet="0123456789.-+eE:TZ naxf", max_size=30),
       field=st.sampled_from(["lat", "lon", "ele", "time", "hr", "cad"]))
def test_fuzz_odd_values_in_a_real_gpx(text: str, field: str) -> None:
    data = data_path(f"gpx/{SMALL}").read_bytes()
    if field in ("lat", "lon"):
        mutated = re.sub(rb'%s="[^"]*"' % field.encode(), f'{field}="{text}"'.encode(), data, count=2)
    else:
        mutated = re.sub(rb"(<(?:ns3:)?%s>)[^<]*" % field.encode(), rb"\g<1>" + text.encode(),
                         data, count=2)
    _read_or_error(mutated)
