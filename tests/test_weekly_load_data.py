"""What weekly load counts: untyped recordings as running unless relabelled, two recordings of
one run once; on run lists built here and on real files (the data MANIFEST names them)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from hipstride.analysis.trends import counts_as_running, one_per_run, weekly_load
from hipstride.journal.plan import typical_run_m
from hipstride.journal.today import gather_inputs
from hipstride.library.api import relabel_run, trends_document
from hipstride.library.importer import import_paths
from hipstride.library.store import RunSummary
from tests.conftest import data_path
from tests.test_journal_support import add_run, library

MONDAY = datetime(2024, 1, 1, 7, 0, tzinfo=UTC)


def _run(i: int, start: datetime, km: float, minutes: float, sport: str = "running") -> RunSummary:
    return RunSummary(
        id=i, start_time_utc=start, end_time_utc=start + timedelta(minutes=minutes),
        time_is_relative=False, sport=sport, sub_sport=None, name=None, device=None,
        file_format="gpx", source_file=f"run{i}.gpx", distance_m=km * 1000.0,
        duration_s=minutes * 60.0, moving_time_s=minutes * 60.0, elevation_gain_m=None,
        elevation_loss_m=None, hip_load_index=1.0, hip_load_total=km, samples=100, channels=(),
        sources=1)


def test_untyped_recordings_count_as_running_and_other_sports_do_not() -> None:
    assert counts_as_running("running")
    assert counts_as_running("unknown")
    assert counts_as_running("generic")
    assert not counts_as_running("cycling")
    assert not counts_as_running("walking")
    runs = [_run(1, MONDAY, 10, 60), _run(2, MONDAY + timedelta(days=2), 8, 50, "unknown"),
            _run(3, MONDAY + timedelta(days=3), 30, 60, "cycling")]
    (week,) = weekly_load(runs)
    assert week.distance_m == 18_000
    assert week.runs == 2


def test_overlapping_recordings_of_one_run_count_once_as_the_longer() -> None:
    watch = _run(1, MONDAY, 11.0, 76)  # 07:00-08:16
    phone = _run(2, MONDAY + timedelta(minutes=36), 7.1, 51, "unknown")  # 07:36-08:27
    later = _run(3, MONDAY + timedelta(days=2), 6.0, 35)
    assert one_per_run([phone, later, watch]) == [watch, later]
    (week,) = weekly_load([watch, phone, later])
    assert week.distance_m == pytest.approx(17_000)
    assert week.runs == 2
    # the longer recording wins whichever was first
    short_first = _run(4, MONDAY - timedelta(minutes=5), 3.0, 30)
    assert one_per_run([short_first, watch]) == [watch]


def test_back_to_back_runs_with_a_little_clock_skew_stay_two_runs() -> None:
    first = _run(1, MONDAY, 5.0, 30)
    second = _run(2, MONDAY + timedelta(minutes=28), 5.0, 30)  # 2 min of 30 overlap
    assert one_per_run([first, second]) == [first, second]
    (week,) = weekly_load([first, second])
    assert week.distance_m == 10_000


def test_three_recordings_of_one_run_count_once() -> None:
    runs = [_run(1, MONDAY, 10.0, 60), _run(2, MONDAY + timedelta(minutes=2), 10.4, 58),
            _run(3, MONDAY + timedelta(minutes=4), 9.0, 50, "unknown")]
    assert [r.id for r in one_per_run(runs)] == [2]


def test_the_decision_counts_untyped_files_unless_relabelled(tmp_path: Path) -> None:
    today = date(2024, 3, 20)
    monday = today - timedelta(days=today.weekday())
    with library(tmp_path) as store:
        for w in (3, 2, 1):
            add_run(store, monday - timedelta(weeks=w), 10.0)
        phone = add_run(store, monday, 9.0, sport="unknown")
        add_run(store, monday + timedelta(days=1), 9.0)
        inputs = gather_inputs(store, today)
        assert inputs.weeks[-1].distance_m == 18_000  # the untyped run counts
        relabel_run(store, phone, "walking")
        inputs = gather_inputs(store, today)
        assert [w.distance_m for w in inputs.weeks][-3:] == [10_000, 10_000, 10_000]
        assert all(r.distance_m != 9_000 or r.date != monday for r in inputs.recent_runs)


def test_a_modified_run_is_sized_from_the_median_not_one_long_outlier(tmp_path: Path) -> None:
    today = date(2024, 3, 20)
    with library(tmp_path) as store:
        for d, km in ((-20, 8.0), (-16, 8.0), (-12, 37.0), (-8, 8.0), (-4, 9.0), (-2, 8.0)):
            add_run(store, today + timedelta(days=d), km)
        inputs = gather_inputs(store, today)
    assert typical_run_m(inputs.recent_runs, today) == 8_000


def test_a_watch_and_a_phone_recording_of_one_duplicate_run_count_once(tmp_path: Path) -> None:
    today = date(2024, 3, 20)
    with library(tmp_path) as store:
        add_run(store, today - timedelta(days=1), 11.0, start_time=time(7, 0))
        add_run(store, today - timedelta(days=1), 7.0, sport="unknown", start_time=time(7, 36))
        inputs = gather_inputs(store, today)
    assert [r.distance_m for r in inputs.recent_runs] == [11_000]
    assert inputs.weeks[-1].distance_m == 11_000


# -- real files ---------------------------------------------------------------------------------


def test_real_untyped_gpx_counts_as_running_until_relabelled(tmp_path: Path) -> None:
    nike = data_path("gpx/runpandas__nike_run.gpx")  # type=- in the MANIFEST
    with library(tmp_path) as store:
        summary = import_paths(store, [nike], jobs=1)
        assert not summary.failed
        (run,) = store.list_runs()
        assert run.sport == "unknown"
        (week,) = [w for w in trends_document(store)["weeks"] if w["runs"]]
        assert week["distance_m"] == pytest.approx(run.distance_m, abs=0.1)
        assert any("named no sport" in note for note in trends_document(store)["notes"])
        relabel_run(store, run.id, "walking")
        assert trends_document(store)["weeks"] == []
        assert store.list_runs(sport="walking")[0].id == run.id


def test_real_overlapping_recordings_of_one_morning_count_once(tmp_path: Path) -> None:
    # the MANIFEST: the untyped GPX session overlaps the 11 km TCX of the same morning; the GPX
    # starts 36 min later, so the import keeps two runs
    files = [data_path("tcx/runpandas__11km.tcx"), data_path("gpx/runpandas__session_16aebccf.gpx")]
    with library(tmp_path) as store:
        summary = import_paths(store, files, jobs=1)
        assert not summary.failed
        stored = store.list_runs()
        assert len(stored) == 2
        assert {r.sport for r in stored} == {"running", "unknown"}
        longer = max(stored, key=lambda r: r.distance_m or 0.0)
        weeks = [w for w in trends_document(store)["weeks"] if w["runs"]]
    assert [w["runs"] for w in weeks] == [1]
    assert weeks[0]["distance_m"] == pytest.approx(longer.distance_m, abs=0.1)
    assert weeks[0]["distance_m"] < sum(r.distance_m or 0.0 for r in stored) - 5000
