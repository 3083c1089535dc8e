"""The FIT reader against the real recordings in ``../shared/data/fit`` and ``corrupt``.

Synthetic files (written with garmin-fit-sdk's own Encoder) only cover what no real file shows:
two developer apps with the same field name, duplicate and backward timestamps, a duathlon with two
runs, a file without records.
"""

from __future__ import annotations

import gzip
import io
import time
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from garmin_fit_sdk import CrcCalculator, Decoder, Encoder, Profile, Stream
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipstride.activity import Activity
from hipstride.errors import ReadError, ReadWarning
from hipstride.io import read_activity, read_fit
from hipstride.io.fit import parse_fit
from tests.activity_checks import assert_valid as check_activity
from tests.conftest import SHARED_DATA, data_files, data_path

MESG = Profile["mesg_num"]
FIT_NAMES = sorted(p.name for p in (SHARED_DATA / "fit").glob("*.fit"))
CORRUPT_NAMES = sorted(p.name for p in (SHARED_DATA / "corrupt").glob("*.fit"))
SPORT = {"fitparse__garmin-fenix-5-bike.fit": "cycling", "fitparse__garmin-fenix-5-walk.fit": "walking"}
TRIATHLON = "fitparse__sample_mulitple_header.fit"


@cache
def read(name: str) -> Activity:
    """Read ``fit/<name>`` once per session (the reader is pure)."""
    return read_activity(data_path(f"fit/{name}"))


def assert_valid(activity: Activity) -> None:
    check_activity(activity, "fit", strictly_increasing=True)
    assert activity.time_is_relative == (activity.start_time_utc is None)


def device_average(activity: Activity, channel: str, *, include_zeros: bool) -> float:
    """Average a channel the way the devices compute their session averages (see fit.py).

    Each record counts for the time since the previous one (capped at 10 s: longer gaps are pauses),
    which reproduces smart recording's 1 Hz averages; zeros count only where ``include_zeros``.
    """
    values = activity.channels[channel]
    weight = np.minimum(np.diff(activity.time_s, prepend=activity.time_s[0] - 1.0), 10.0)
    ok = np.isfinite(values) & (include_zeros | (values != 0))
    return float(np.sum(values[ok] * weight[ok]) / np.sum(weight[ok]))


# --- every real file ----------------------------------------------------------------------------

def test_the_fit_folders_are_there() -> None:
    assert len(data_files("fit", ".fit")) == len(FIT_NAMES) >= 20
    assert len(data_files("corrupt", ".fit")) == len(CORRUPT_NAMES) >= 10


#: Trail runs that were mostly hiked: 8.2 km and +1800 m in 2 h 40 min, median 88 steps/min.
POWER_HIKED = frozenset({"jimmykane__suunto-uphill.fit"})


@pytest.mark.parametrize("name", FIT_NAMES)
def test_every_fit_file_reads(name: str) -> None:
    activity = read(name)  # filterwarnings=error: a ReadWarning here would fail the test
    assert_valid(activity)
    assert activity.sport == SPORT.get(name, "running")
    assert activity.warnings == []
    assert activity.device
    if activity.sport in ("running", "walking") and activity.channel("cadence_spm") is not None:
        moving = activity.channels["cadence_spm"]
        median = np.median(moving[moving > 0])
        assert median < 220
        if name in POWER_HIKED:  # slow, but it is what the device itself averages
            assert median == pytest.approx(activity.session.avg_cadence_spm, rel=0.05)
        else:
            assert median > 100  # steps/min, not strides


@pytest.mark.parametrize("name", FIT_NAMES)
def test_record_distance_matches_the_session(name: str) -> None:
    activity = read(name)
    if activity.distance_m is None or activity.session.distance_m is None:
        assert name == "fitparse__antfs-dump.63.fit"  # FR70 with heart rate only
        return
    last = activity.distance_m[np.isfinite(activity.distance_m)][-1]
    assert last == pytest.approx(activity.session.distance_m, rel=0.01)


def test_metadata_of_known_files() -> None:
    portland = read("elevate__portland.fit")
    assert portland.device == "garmin fr935"
    assert portland.sub_sport == "generic"
    assert str(portland.start_time_utc) == "2018-02-18 17:29:41+00:00"
    assert portland.session.total_ascent_m == 543
    assert len(portland.laps) == 17
    assert portland.laps[0].start_time_s == 0.0
    assert read("elevate__treadmill.fit").sub_sport == "treadmill"
    assert not read("elevate__treadmill.fit").has_positions
    assert read("elevate__loup-blanc.fit").sub_sport == "trail"
    assert read("elevate__trosku.fit").device == "COROS APEX Pro"
    assert read("elevate__bloemendaal.fit").device == "Suunto 9 Baro"
    assert read("fitparse__developer-types-sample.fit").device == "stryd"
    run = read("runpandas__run.fit")  # inside the Heidelberg OSM extract
    assert np.nanmin(run.lat_deg) > 49.39
    assert np.nanmax(run.lat_deg) < 49.41
    assert np.nanmin(run.lon_deg) > 8.69
    assert np.nanmax(run.lon_deg) < 8.71
    assert np.nanmin(run.elevation_m) == pytest.approx(-23.6, abs=0.1)  # the barometric offset
    cycling = read("fitparse__garmin-fenix-5-bike.fit")
    assert "cadence_spm" not in cycling.channels
    assert cycling.session.avg_cadence_spm is None


def test_no_altitude_and_no_gps_files() -> None:
    fr10 = read("gpsbabel__garmin-forerunner-10.fit")
    assert fr10.has_positions
    assert not fr10.has_elevation
    vivosmart = read("gpsbabel__garmin-vivosmart-hr.fit")
    assert not vivosmart.has_positions
    assert vivosmart.channel("heart_rate_bpm") is not None


# --- running dynamics against the device's own session averages --------------------------------

DYNAMICS = ["elevate__portland.fit", "elevate__trosku.fit", "elevate__treadmill.fit",
            "fitparse__garmin-fenix-5-run.fit", TRIATHLON]


@pytest.mark.parametrize("name", DYNAMICS)
def test_running_dynamics_match_the_session(name: str) -> None:
    activity = read(name)
    session = activity.session
    balance = device_average(activity, "stance_time_balance_left_pct", include_zeros=False)
    assert balance == pytest.approx(session.avg_stance_time_balance_left_pct, abs=0.3)
    # Garmin's cadence average includes standing still (zeros); COROS's is within 0.5 % either way.
    cadence = device_average(activity, "cadence_spm", include_zeros=True)
    assert cadence == pytest.approx(session.avg_cadence_spm, rel=0.03)
    for channel, expected in (("stance_time_ms", session.avg_stance_time_ms),
                              ("vertical_oscillation_mm", session.avg_vertical_oscillation_mm),
                              ("vertical_ratio_pct", session.avg_vertical_ratio_pct),
                              ("step_length_mm", session.avg_step_length_mm)):
        average = device_average(activity, channel, include_zeros=False)
        assert average == pytest.approx(expected, rel=0.03), channel


def test_a_plain_mean_misses_smart_recording_averages() -> None:
    """Why ``device_average`` weights by time: the fenix 5 logs a record every 1-9 s."""
    activity = read("fitparse__garmin-fenix-5-run.fit")
    plain = float(np.nanmean(activity.channels["vertical_ratio_pct"]))
    assert activity.session.avg_vertical_ratio_pct is not None
    assert abs(plain / activity.session.avg_vertical_ratio_pct - 1) > 0.05
    assert activity.session.avg_cadence_spm == pytest.approx(2 * (83 + 0.671875))


# --- developer fields --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["fitparse__developer-types-sample.fit", "tormoder__mornindew-broken.fit",
                                  "elevate__sloatsburg.fit"])
def test_developer_fields_by_name(name: str) -> None:
    activity = read(name)
    lss = activity.channel("dev:Leg Spring Stiffness")
    form_power = activity.channel("dev:Form Power")
    assert lss is not None
    assert form_power is not None
    assert 5 < np.nanmedian(lss) < 20  # kN/m
    assert 30 < np.nanmedian(form_power) < 150  # W
    assert activity.channel_units["dev:Form Power"] == "Watts"
    assert activity.channel_units["dev:Leg Spring Stiffness"].lower() == "kn/m"
    # mornindew declares the Stryd app and its fields twice: still one channel per field
    assert not any(name.endswith(")") for name in activity.channels)


def test_stryd_power_sits_beside_native_fields() -> None:
    sloatsburg = read("elevate__sloatsburg.fit")
    assert {"dev:Power", "dev:Ground Time", "dev:Vertical Oscillation", "dev:Cadence"} <= set(sloatsburg.channels)
    assert sloatsburg.channel_units["dev:Vertical Oscillation"] == "Centimeters"
    assert 150 < np.nanmedian(sloatsburg.channels["dev:Power"]) < 400


def encode(messages: list[dict[str, Any]], fields: dict[int, Any] | None = None) -> bytes:
    encoder = Encoder(fields)
    for message in messages:
        encoder.write_mesg(message)
    return encoder.close()


def file_id(t0: int) -> dict[str, Any]:
    return {"mesg_num": MESG["FILE_ID"], "type": "activity", "manufacturer": "garmin",
            "product": 3113, "time_created": t0}


def test_two_apps_with_the_same_field_name_described_out_of_order() -> None:
    app_a = {"mesg_num": MESG["DEVELOPER_DATA_ID"], "developer_data_index": 0, "application_id": list(range(1, 17))}
    app_b = {"mesg_num": MESG["DEVELOPER_DATA_ID"], "developer_data_index": 1, "application_id": list(range(101, 117))}

    def field(index: int, number: int, name: str, units: str, base: int) -> dict[str, Any]:
        return {"mesg_num": MESG["FIELD_DESCRIPTION"], "developer_data_index": index,
                "field_definition_number": number, "fit_base_type_id": base, "field_name": name, "units": units}

    power_a, lss_a, power_b = field(0, 0, "Power", "Watts", 0x84), field(0, 3, "LSS", "kN/m", 0x88), field(1, 7, "Power", "W", 0x84)
    fields = {0: {"developer_data_id_mesg": app_a, "field_description_mesg": power_a},
              1: {"developer_data_id_mesg": app_a, "field_description_mesg": lss_a},
              2: {"developer_data_id_mesg": app_b, "field_description_mesg": power_b}}
    t0 = 1_000_000_000
    records = [{"mesg_num": MESG["RECORD"], "timestamp": t0 + i, "heart_rate": 120,
                "developer_fields": {0: 200 + i, 1: 9.5, 2: 0xFFFF if i == 2 else 300 + i}} for i in range(5)]
    # app B and its field are declared first, app A's fields in reverse number order
    data = encode([file_id(t0), app_b, app_a, power_b, lss_a, power_a, *records], fields)
    activity = parse_fit(data, "two-apps.fit")
    assert_valid(activity)
    # 0xFFFF is uint16's invalid value: missing, not 65535 W
    np.testing.assert_array_equal(activity.channels["dev:Power"], [300, 301, np.nan, 303, 304])
    np.testing.assert_array_equal(activity.channels["dev:Power (2)"], [200, 201, 202, 203, 204])
    assert activity.channel_units["dev:Power"] == "W"
    assert activity.channel_units["dev:Power (2)"] == "Watts"
    assert activity.channels["dev:LSS"].tolist() == pytest.approx([9.5] * 5)
    assert parse_fit(data, "again.fit").channel_units == activity.channel_units  # deterministic


# --- timestamps --------------------------------------------------------------------------------

def test_shared_timestamps_merge_and_backward_ones_drop() -> None:
    t0 = 1_000_000_000
    rec = MESG["RECORD"]
    data = encode([file_id(t0),
                   {"mesg_num": rec, "timestamp": t0, "heart_rate": 100, "distance": 0.0},
                   {"mesg_num": rec, "timestamp": t0 + 1, "heart_rate": 101},
                   {"mesg_num": rec, "timestamp": t0 + 1, "distance": 3.0},  # Strava style
                   {"mesg_num": rec, "timestamp": t0 + 3, "heart_rate": 103, "distance": 9.0},
                   {"mesg_num": rec, "timestamp": t0 + 2, "heart_rate": 102, "distance": 6.0},
                   {"mesg_num": rec, "timestamp": t0 + 4, "heart_rate": 104, "distance": 12.0}])
    with pytest.warns(ReadWarning, match="dup.fit: dropped 1 of 6 records whose timestamp is out of order"):
        activity = parse_fit(data, "dup.fit")
    assert activity.time_s.tolist() == [0, 1, 3, 4]
    assert activity.channels["heart_rate_bpm"].tolist() == [100, 101, 103, 104]
    assert activity.distance_m is not None
    assert activity.distance_m.tolist() == [0, 3, 9, 12]
    assert activity.warnings == ["dropped 1 of 6 records whose timestamp is out of order (kept the "
                                 "longest run in time order)"]


def test_fr70_files_read_through_fitdecode_with_relative_time() -> None:
    data = data_path("fit/fitparse__compressed-speed-distance.fit").read_bytes()
    _, sdk_errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert "Compressed timestamp" in str(sdk_errors[0])  # so this file can only come from fitdecode
    fr70 = read("fitparse__compressed-speed-distance.fit")
    assert fr70.time_is_relative
    assert fr70.start_time_utc is None
    assert fr70.device == "garmin fr70"
    assert len(fr70) == 755
    assert fr70.time_s[-1] == pytest.approx(3883, abs=5)
    assert fr70.distance_m is not None
    assert fr70.session.distance_m == pytest.approx(10248.67)
    assert 160 < np.nanmedian(fr70.channels["cadence_spm"]) < 200
    assert len(fr70.laps) == 11
    hr_only = read("fitparse__antfs-dump.63.fit")
    assert hr_only.time_is_relative
    assert len(hr_only) == 686
    assert not hr_only.has_positions


# --- chained files -----------------------------------------------------------------------------

def test_chained_triathlon_yields_its_running_leg() -> None:
    run = read(TRIATHLON)
    assert (run.sport, run.sub_sport) == ("running", "generic")
    assert run.session.distance_m == pytest.approx(9805.92)
    assert run.time_s[-1] == pytest.approx(run.session.elapsed_time_s, abs=5)
    assert str(run.start_time_utc) == "2018-05-27 09:23:41+00:00"  # 6640 s after the swim start
    assert run.distance_m is not None
    assert run.distance_m[0] < 10
    assert len(run.laps) == 1
    assert np.nanmedian(run.channels["cadence_spm"][run.channels["cadence_spm"] > 0]) > 150


def test_duathlon_keeps_the_longest_run_and_says_so() -> None:
    t0, rec, ses = 1_000_000_000, MESG["RECORD"], MESG["SESSION"]
    legs = [("running", 0, 600, 3.0), ("cycling", 600, 1200, 8.0), ("running", 1800, 900, 3.2)]
    messages: list[dict[str, Any]] = [file_id(t0)]
    distance = 0.0
    for sport, start, elapsed, speed in legs:
        for second in range(start, start + elapsed, 10):
            messages.append({"mesg_num": rec, "timestamp": t0 + second, "distance": distance,
                             "cadence": 85 if sport == "running" else 90})
            distance += 10 * speed
    for sport, start, elapsed, speed in legs:
        messages.append({"mesg_num": ses, "timestamp": t0 + start + elapsed, "start_time": t0 + start,
                         "total_elapsed_time": float(elapsed), "total_distance": elapsed * speed, "sport": sport})
    with pytest.warns(ReadWarning, match="2 running sessions; only the longest is used"):
        run = parse_fit(encode(messages), "duathlon.fit")
    assert run.sport == "running"
    assert run.time_s[-1] == 890
    assert run.distance_m is not None
    assert run.distance_m[0] == pytest.approx(80)  # covered since the bike leg's last record
    assert run.distance_m[-1] - run.distance_m[0] == pytest.approx(890 * 3.2)
    assert np.all(run.channels["cadence_spm"] == 170)


# --- broken files ------------------------------------------------------------------------------

#: name -> (outcome, text in the problem or warning). Why each outcome: see the fit.py docstring.
CORRUPT = {
    "elevate__empty.fit": ("error", "empty file (0 bytes)"),
    "fitparse__activity-filecrc.fit": ("error", "bad CRC: file checksum does not match (byte 769)"),
    "fitparse__activity-activity-filecrc.fit": ("warn", "part 2 of 2 (from byte 771): bad CRC"),
    "fitparse__activity-settings-corruptheader.fit": ("warn", "no '.FIT' signature at byte 779"),
    "fitparse__activity-settings-nodata.fit": ("warn", "truncated: ends inside a record at byte 786"),
    "fitparse__activity-unexpected-eof.fit": ("warn", "truncated: ends inside a record at byte 768"),
    "fitparse__nick.fit": ("warn", "truncated: ends inside a record at byte 403456, where the checksum"),
    "fitparse__strava-android-app-201.10-b1218918.fit": ("warn", "local message type 11, which was never defined"),
    "gpsbabel__lezyne_super_gps-garmin_fit-sample-bad-endian.fit": ("warn", "corrupt definition record at byte 22225"),
    "fitparse__coros-pace-2-cycling-misaligned-fields.fit": ("ok", ""),
}


def test_every_corrupt_file_is_classified() -> None:
    data_path("corrupt")  # skips (fails under CI) without the data, instead of comparing to nothing
    assert set(CORRUPT) == set(CORRUPT_NAMES)


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_corrupt_file(name: str) -> None:
    path = data_path(f"corrupt/{name}")
    outcome, text = CORRUPT[name]
    if outcome == "error":
        with pytest.raises(ReadError) as caught:
            read_activity(path)
        assert name in str(caught.value)
        assert text in caught.value.problem
        return
    if outcome == "ok":
        activity = read_activity(path)
    else:
        with pytest.warns(ReadWarning) as caught_warnings:
            activity = read_activity(path)
        messages = [str(w.message) for w in caught_warnings]
        assert any(name in m and text in m for m in messages), messages
        assert any(text in note for note in activity.warnings)
    assert_valid(activity)


def test_readable_parts_of_corrupt_files() -> None:
    with pytest.warns(ReadWarning):
        strava = read_activity(data_path("corrupt/fitparse__strava-android-app-201.10-b1218918.fit"))
    assert strava.sport == "running"
    assert strava.device == "strava 102"
    assert strava.start_time_utc is not None
    assert strava.start_time_utc.year == 2021
    assert strava.time_s[-1] < 400  # the 2085 timestamps are gone
    assert any("implausible timestamps (up to 2085" in note for note in strava.warnings)
    assert strava.distance_m is not None
    assert np.isfinite(strava.distance_m).sum() > 200
    with pytest.warns(ReadWarning):
        lezyne = read_activity(data_path("corrupt/gpsbabel__lezyne_super_gps-garmin_fit-sample-bad-endian.fit"))
    assert lezyne.sport == "cycling"
    assert lezyne.distance_m is not None
    assert lezyne.distance_m[-1] == pytest.approx(lezyne.session.distance_m)  # consistent with its session
    with pytest.warns(ReadWarning):
        nick = read_activity(data_path("corrupt/fitparse__nick.fit"))
    assert nick.sport == "cycling"
    assert "cadence_rpm" in nick.channels
    assert len(nick) > 14000
    coros = read_activity(data_path("corrupt/fitparse__coros-pace-2-cycling-misaligned-fields.fit"))
    assert coros.sport == "cycling"
    assert coros.device == "COROS PACE 2"
    assert len(coros) == 11272


def test_no_records_and_garbage() -> None:
    assert_raises_problem(encode([file_id(1_000_000_000)]), "no records")
    assert_raises_problem(b"hello, I am not a FIT file at all", "no '.FIT' signature at byte 8")
    assert_raises_problem(b"\x0e\x10", "too short for a FIT file (2 bytes)")
    assert_raises_problem(b"", "empty file")


def assert_raises_problem(data: bytes, text: str) -> None:
    with pytest.raises(ReadError) as caught:
        parse_fit(data, "x.fit")
    assert caught.value.source == "x.fit"
    assert text in caught.value.problem


# --- sources -----------------------------------------------------------------------------------

def test_bytes_file_objects_and_gzip(tmp_path: Path) -> None:
    path = data_path("fit/fitparse__garmin-fenix-5-run.fit")
    data = path.read_bytes()
    reference = read_fit(path)
    from_bytes = read_fit(data)
    assert from_bytes.source == "<bytes>"
    with path.open("rb") as stream:
        from_stream = read_activity(stream)
    assert from_stream.source == str(path)
    from_buffer = read_fit(io.BytesIO(data), name="run.fit")
    assert from_buffer.source == "run.fit"
    gz = tmp_path / "run.fit.gz"
    gz.write_bytes(gzip.compress(data))
    from_gz = read_activity(gz)
    for activity in (from_bytes, from_stream, from_buffer, from_gz):
        assert np.array_equal(activity.time_s, reference.time_s)
        assert np.array_equal(activity.channels["cadence_spm"], reference.channels["cadence_spm"])


def test_a_five_hour_file_parses_fast() -> None:
    data = data_path("fit/elevate__loup-blanc.fit").read_bytes()
    start = time.perf_counter()
    activity = parse_fit(data, "loup-blanc.fit")
    elapsed = time.perf_counter() - start
    assert activity.time_s[-1] > 5 * 3600
    assert elapsed < 5.0  # ~0.8 s on a laptop, mostly garmin-fit-sdk's pure-Python decoding


# --- fuzzing -----------------------------------------------------------------------------------

FUZZ_SEEDS = ["fit/fitparse__garmin-fenix-5-run.fit", "fit/gpsbabel__garmin-vivosmart-hr.fit",
              "fit/fitparse__antfs-dump.63.fit"]  # the last one goes through fitdecode


@cache
def seed(relative: str) -> bytes:
    return data_path(relative).read_bytes()


edits = st.lists(st.tuples(st.sampled_from(["set", "truncate", "delete", "insert"]),
                           st.integers(0, 1 << 20), st.integers(0, 255), st.integers(1, 64)),
                 min_size=1, max_size=4)


def mutate(data: bytes, ops: list[tuple[str, int, int, int]], fix_crc: bool) -> bytes:
    out = bytearray(data)
    for op, where, value, length in ops:
        i = where % max(len(out), 1)
        if op == "set" and out:
            out[i] = value
        elif op == "truncate":
            del out[i:]
        elif op == "delete":
            del out[i:i + length]
        else:
            out[i:i] = bytes([value]) * length
    if fix_crc and len(out) > 14:  # let the edit reach the decoder instead of failing the CRC
        crc = CrcCalculator.calculate_crc(bytes(out), 0, len(out) - 2)
        out[-2:] = crc.to_bytes(2, "little")
    return bytes(out)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FUZZ_SEEDS), edits, st.booleans())
def test_mutated_files_give_an_activity_or_a_read_error(relative: str,
                                                          ops: list[tuple[str, int, int, int]],
                                                          fix_crc: bool) -> None:
    data = mutate(seed(relative), ops, fix_crc)
    error: ReadError | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadWarning)  # any other warning still fails the test
        try:
            activity = parse_fit(data, "fuzz.fit")
        except ReadError as exc:  # the only exception allowed out
            error = exc
    if error is None:
        assert_valid(activity)
    else:
        assert error.source == "fuzz.fit"
        assert error.problem
        assert "internal error" not in error.problem, error.problem  # a bug in the reader
