"""Plausibility bounds in the three readers (issue 11): each test builds its hostile file.

Every case here broke before the bounds (see ``hipstride.io._bounds``): a damaged FIT read as a
years-long run, one glitch or a reversed file emptied a FIT, far-future dates made a GPX/TCX
decades long, a (0, 0) point in a file without times made a run thousands of km long, and 10⁶
records on one timestamp took minutes to decode. The WARN policy keeps the plausible part and
warns; RAISE refuses the file.
"""

from __future__ import annotations

import gzip
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipstride.activity import Activity
from hipstride.errors import ReadError, ReadWarning
from hipstride.io import OnError, read_activity
from hipstride.io import _bounds as bounds
from tests.conftest import data_path
from tests.hostile import T0_FIT, fit_file, gpx_file, tcx_file


def read_warned(data: bytes, name: str, match: str) -> Activity:
    """Read under the default policy; one of its ReadWarnings names the file and ``match``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        activity = read_activity(data, name=name)
    texts = [str(w.message) for w in caught if issubclass(w.category, ReadWarning)]
    assert any(text.startswith(f"{name}: ") and match in text for text in texts), texts
    return activity


def stamp(i: int, year: int = 2020) -> str:
    return f"{year}-06-01T06:{i // 60:02d}:{i % 60:02d}Z"


def line_points(n: int) -> list[tuple[float, float]]:
    return [(60.17 + i * 3 / 111_195, 24.94) for i in range(n)]


def test_fit_with_two_bytes_deleted_is_not_a_years_long_run() -> None:
    good = data_path("fit/elevate__trosku.fit").read_bytes()
    damaged = good[:69_076] + good[69_078:]
    activity = read_warned(damaged, "trosku-2.fit", "outside one plausible recording")
    assert activity.time_s[-1] < bounds.MAX_DURATION_S
    assert activity.time_s[-1] == pytest.approx(1723, abs=60)  # the part read before the damage
    assert activity.distance_m is not None
    assert np.nanmax(activity.distance_m) < 11_000  # the whole run is 10.7 km
    with pytest.raises(ReadError, match=r"trosku-2\.fit"):
        read_activity(damaged, name="trosku-2.fit", on_error=OnError.RAISE)


def test_one_fit_record_an_hour_ahead_costs_one_record() -> None:
    stamps = [T0_FIT + i + (3600 if i == 2 else 0) for i in range(600)]
    activity = read_warned(fit_file(stamps), "spike.fit", "dropped 1 of 600 records")
    assert len(activity) == 599
    assert activity.time_s[-1] == 599
    with pytest.raises(ReadError, match="out of order") as raised:
        read_activity(fit_file(stamps), name="spike.fit", on_error=OnError.RAISE)
    assert raised.value.record == 3


def test_fit_in_reverse_order_is_sorted() -> None:
    activity = read_warned(fit_file([T0_FIT + 600 - i for i in range(600)]), "reversed.fit",
                           "sorted by time")
    assert len(activity) == 600
    assert np.all(np.diff(activity.time_s) == 1)


def test_a_million_records_on_one_timestamp_stop_early() -> None:
    # 5 000 records stand for 10⁶: decoding stops at the bound, whatever follows
    activity = read_warned(fit_file([T0_FIT] * 5_000), "same.fit", "share one timestamp")
    assert len(activity) == 1
    assert "record 100" in activity.warnings[0]


@pytest.mark.parametrize("make", [gpx_file, tcx_file], ids=["gpx", "tcx"])
def test_xml_dated_9999_keeps_its_track_without_times(make) -> None:  # type: ignore[no-untyped-def]
    data = make([(lat, lon, stamp(i, 9999)) for i, (lat, lon) in enumerate(line_points(600))])
    activity = read_warned(data, "future.x", "600 of 600 timestamps are after tomorrow")
    assert activity.start_time_utc is None
    assert len(activity) == 600
    with pytest.raises(ReadError, match="after tomorrow"):
        read_activity(data, name="future.x", on_error=OnError.RAISE)


@pytest.mark.parametrize("make", [gpx_file, tcx_file], ids=["gpx", "tcx"])
def test_one_point_dated_2100_is_not_a_76_year_run(make) -> None:  # type: ignore[no-untyped-def]
    points = [(lat, lon, stamp(i, 2100 if i == 300 else 2020))
              for i, (lat, lon) in enumerate(line_points(600))]
    activity = read_warned(make(points), "spike.x", "1 of 600 timestamps are after tomorrow")
    assert activity.time_s[-1] == 599
    assert activity.time_s[300] == 300  # filled between its neighbours


def test_gpx_without_times_drops_a_point_at_null_island() -> None:
    points: list[tuple[float, float, str | None]] = [
        (0.0, 0.0, None) if i == 300 else (lat, lon, "1970-01-01T00:00:00Z")
        for i, (lat, lon) in enumerate(line_points(600))]
    activity = read_warned(gpx_file(points), "null.gpx", "position of 1 points that jump")
    assert np.isnan(activity.lat_deg[300])
    assert np.count_nonzero(np.isfinite(activity.lat_deg)) == 599


def test_gpx_days_apart_keeps_the_larger_part() -> None:
    points = [(lat, lon, stamp(i) if i < 500 else stamp(i - 500, 2021))
              for i, (lat, lon) in enumerate(line_points(600))]
    activity = read_warned(gpx_file(points), "apart.gpx", "dropped 100 of 600 points")
    assert len(activity) == 500
    assert activity.time_s[-1] == 499


def test_distances_and_elevations_beyond_bounds_become_missing() -> None:
    rows = "".join(f"<Trackpoint><Time>{stamp(i)}</Time><AltitudeMeters>{e}</AltitudeMeters>"
                   f"<DistanceMeters>{d}</DistanceMeters></Trackpoint>"
                   for i, (d, e) in enumerate([(0, 10), (3, 1e300), (1e12, -1e300), (9, 12)]))
    data = tcx_file([]).replace(b"<Track></Track>", f"<Track>{rows}</Track>".encode())
    activity = read_warned(data, "far.tcx", "dropped 1 distances outside 0..2000 km, 2 elevations")
    assert activity.distance_m is not None
    assert np.isnan(activity.distance_m[2])
    np.testing.assert_array_equal(activity.elevation_m, [10, np.nan, np.nan, 12])
    gpx = gpx_file([(lat, lon, stamp(i)) for i, (lat, lon) in enumerate(line_points(3))])
    spiky = gpx.replace(b"<ele>10</ele>", b"<ele>1e300</ele>", 1)
    assert np.isnan(read_warned(spiky, "ele.gpx", "1 elevations outside").elevation_m[0])


@settings(max_examples=40, deadline=2000)
@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=300))
def test_order_keeps_a_sorted_subsequence_or_sorts(stamps: list[int]) -> None:
    t = np.array(stamps, dtype=np.float64)
    index, _ = bounds.plausible_order(t)
    assert np.all(np.diff(t[index]) >= 0)
    assert 2 * index.size >= t.size  # at least half kept, always
    span, _ = bounds.longest_span(t[index])
    kept = t[index][span]
    assert kept[-1] - kept[0] <= bounds.MAX_DURATION_S
    assert np.all(np.diff(kept) <= bounds.MAX_GAP_S)


@settings(max_examples=25, deadline=3000)
@given(st.lists(st.integers(T0_FIT - 10**8, T0_FIT + 10**8), min_size=1, max_size=200))
def test_fit_timestamps_of_any_order_give_a_bounded_run(stamps: list[int]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadWarning)
        activity = read_activity(fit_file(stamps), name="fuzz.fit")
    assert np.all(np.diff(activity.time_s) > 0)
    assert activity.time_s[-1] <= bounds.MAX_DURATION_S


def test_a_file_or_gzip_past_the_size_bound_is_refused_before_parsing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hipstride.io import _source

    monkeypatch.setattr(_source, "MAX_FILE_BYTES", 1 << 20)
    monkeypatch.setattr(_source, "MAX_INFLATED_BYTES", 1 << 20)
    zeros = tmp_path / "zeros.fit"
    zeros.write_bytes(bytes(2 << 20))
    with pytest.raises(ReadError, match="larger than 1 MiB"):
        read_activity(zeros)
    bomb = tmp_path / "bomb.gpx.gz"
    bomb.write_bytes(gzip.compress(b" " * (4 << 20)))
    with pytest.raises(ReadError, match="inflates beyond 1 MiB"):
        read_activity(bomb)


def test_a_gpx_with_a_long_comment_before_its_root_is_read() -> None:
    gpx = gpx_file([(lat, lon, stamp(i)) for i, (lat, lon) in enumerate(line_points(5))])
    declaration, _, rest = gpx.partition(b"\n")
    padded = declaration + b"\n<!-- " + b"a long licence text " * 600 + b"-->\n" + rest
    assert len(padded) - len(gpx) > 10_000
    assert len(read_activity(padded, name="long-header.gpx")) == 5


def test_a_path_that_is_not_utf8_is_named_safely(tmp_path: Path) -> None:
    odd = Path(os.fsdecode(os.fsencode(tmp_path) + b"/run\xff.gpx"))
    odd.write_bytes(gpx_file([(lat, lon, stamp(i)) for i, (lat, lon) in enumerate(line_points(5))]))
    activity = read_activity(odd)
    assert activity.source == f"{tmp_path}/run\\xff.gpx"
    assert activity.source.encode("utf-8")


def test_a_gpx_error_names_the_first_point_it_dropped_in_the_file() -> None:
    """Three points days before the rest are cut: the error points at the file's point 0 (not
    past the end), and a jump is named by its place in the file even after sorting."""
    early = [(48.10 + i * 1e-5, 11.50, f"2024-05-0{1 + i}T06:00:00Z") for i in range(3)]
    rest = [(48.20 + i * 1e-5, 11.50, f"2024-05-20T06:00:{i:02d}Z") for i in range(7)]
    with pytest.raises(ReadError) as raised:
        read_activity(gpx_file(early + rest), name="early.gpx", on_error=OnError.RAISE)
    assert raised.value.record == 0
    late_first = rest[4:] + rest[:4]  # out of order in the file: sorted before the checks
    lat, lon, stamp = late_first[1]
    late_first[1] = (lat + 0.5, lon, stamp)  # 55 km away and back
    with pytest.raises(ReadError, match="jump") as jumped:
        read_activity(gpx_file(late_first), name="jump.gpx", on_error=OnError.RAISE)
    assert jumped.value.record == 1
