"""What the library stores as runs: fragments left out, two runs in one file split, cross-training
kept without a running hip-load index (files built here; the real corpus is in test_library_import)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from click.testing import CliRunner, Result

from hipstride.activity import Activity
from hipstride.cli import main
from hipstride.journal.today import gather_inputs
from hipstride.library import open_library
from hipstride.library._pieces import SPLIT_GAP_S, split_at_gaps
from hipstride.library.api import relabel_run, show_run
from hipstride.library.importer import import_paths

START = datetime(2024, 3, 18, 7, 0, tzinfo=UTC)  # a Monday
M_PER_DEG = 111_195.0


def cli(*args: str, home: Path) -> Result:
    """``hipstride ARGS --home HOME``, with stdout and stderr apart."""
    return CliRunner().invoke(main, [*args, "--home", str(home)], env={"COLUMNS": "200"})


def _points(start: datetime, seconds: int, speed_mps: float, *, step_s: int = 2,
            lat0: float = 60.17) -> list[tuple[float, float, datetime]]:
    return [(lat0 + speed_mps * t / M_PER_DEG, 24.94, start + timedelta(seconds=t))
            for t in range(0, seconds + 1, step_s)]


def _gpx(path: Path, *pieces: list[tuple[float, float, datetime]], sport: str | None = "running",
         cadence_spm: float | None = None) -> Path:
    ext = (f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:cad>{cadence_spm / 2:.0f}"
           "</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>") if cadence_spm else ""
    rows = "".join(f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"><ele>10</ele>'
                   f"<time>{t.strftime('%Y-%m-%dT%H:%M:%SZ')}</time>{ext}</trkpt>"
                   for piece in pieces for lat, lon, t in piece)
    kind = f"<type>{sport}</type>" if sport else ""
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
                    'xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx='
                    '"http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
                    f"<trk>{kind}<trkseg>{rows}</trkseg></trk></gpx>", encoding="utf-8")
    return path


def _activity(times_s: list[float]) -> Activity:
    t = np.asarray(times_s, dtype=np.float64)
    return Activity(source="test", start_time_utc=START, time_s=t, lat_deg=60.0 + t * 1e-5,
                    lon_deg=np.full_like(t, 24.9), elevation_m=np.full_like(t, 10.0),
                    distance_m=t * 3.0, channels={"heart_rate_bpm": np.full_like(t, 140.0)},
                    segment_starts=np.array([2, 5], dtype=np.int64),
                    timer_pauses_s=[(1.0, 2.0), (7300.0, 7305.0)], name="double")


def test_a_gap_of_an_hour_splits_a_recording_and_a_shorter_pause_does_not() -> None:
    whole = _activity([0.0, 1.0, 2.0, 3.0, 3.0 + SPLIT_GAP_S - 1.0])
    assert split_at_gaps(whole) == [whole]
    first, second = split_at_gaps(_activity([0.0, 1.0, 2.0, 7200.0, 7301.0, 7310.0, 7320.0]))
    assert (len(first), len(second)) == (3, 4)
    assert second.start_time_utc == START + timedelta(seconds=7200)
    assert second.time_s.tolist() == [0.0, 101.0, 110.0, 120.0]
    assert second.distance_m is not None
    assert second.distance_m[0] == 0.0  # each piece measured from its own start
    assert second.segment_starts is not None
    assert second.segment_starts.tolist() == [2]  # sample 5 of the file
    assert second.timer_pauses_s == [(100.0, 105.0)]
    assert first.timer_pauses_s == [(1.0, 2.0)]
    assert second.channels["heart_rate_bpm"].shape == (4,)
    assert (first.name, second.name) == ("double (part 1 of 2)", "double (part 2 of 2)")


def test_a_file_with_two_runs_hours_apart_is_two_runs_and_imports_once(tmp_path: Path) -> None:
    path = _gpx(tmp_path / "two.gpx", _points(START, 1800, 3.0),
                _points(START + timedelta(hours=9), 1500, 3.2, lat0=60.3))
    with open_library(tmp_path / "home") as store:
        summary = import_paths(store, [path], jobs=1)
        assert (summary.imported, summary.fragments) == (2, [])
        runs = store.list_runs()
        assert [r.source_file for r in runs] == [str(path)] * 2
        assert [round((r.duration_s or 0) / 60) for r in runs] == [30, 25]
        assert all(r.hip_load_index is not None for r in runs)
        again = import_paths(store, [path], jobs=1)
        assert (again.imported, again.duplicates) == (0, 2)
        assert len(store.list_runs()) == 2


def test_fragments_are_reported_every_time_and_never_stored(tmp_path: Path) -> None:
    short = _gpx(tmp_path / "oops.gpx", _points(START, 13, 0.8, step_s=1))
    brief = _gpx(tmp_path / "brief.gpx", _points(START, 100, 3.0))  # 300 m in 100 s
    fine = _gpx(tmp_path / "run.gpx", _points(START + timedelta(hours=3), 600, 3.0))
    with open_library(tmp_path / "home") as store:
        for _ in range(2):
            summary = import_paths(store, [short, brief, fine], jobs=1)
            reasons = dict(summary.fragments)
            assert "too short to be a run (10 m, 13 s" in reasons[str(short)]
            assert "(300 m, 100 s" in reasons[str(brief)]
            assert str(fine) not in reasons
        assert [r.source_file for r in store.list_runs()] == [str(fine)]
        assert summary.to_dict()["fragments"][0]["reason"].startswith("too short")
    result = cli("import", str(short), home=tmp_path / "home")
    assert result.exit_code == 0, result.output
    assert "ignored: " in result.stderr
    assert "too short to be a run" in result.stderr


def test_a_ride_is_cross_training_without_a_running_index_everywhere(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ride = _gpx(tmp_path / "ride.gpx", _points(START, 3600, 7.0), sport="cycling")
    run = _gpx(tmp_path / "run.gpx", _points(START + timedelta(days=1), 1800, 3.0))
    with open_library(home) as store:
        assert import_paths(store, [ride, run], jobs=1).imported == 2
        by_file = {r.source_file: r for r in store.list_runs()}
        ride_id = by_file[str(ride)].id
        assert by_file[str(ride)].cross_training
        assert by_file[str(ride)].hip_load_index is None
        assert by_file[str(run)].hip_load_index is not None
        doc = show_run(store, ride_id)
    why = "hip-load index: not computed for cycling (the model is for running)"
    assert doc["hip_load"]["index"] is None
    assert doc["hip_load"]["not_computed"] == why
    assert doc["hip_load"]["advice"] == []
    assert any(why in note for note in doc["notes"])
    listed = json.loads(cli("runs", "--json", home=home).stdout)
    assert [(r["sport"], r["cross_training"]) for r in listed] == [("cycling", True),
                                                                   ("running", False)]
    table = " ".join(cli("runs", home=home).stdout.split())
    assert "cross-training" in table
    shown = cli("show", str(ride_id), home=home)
    assert "not computed for cycling (the model is for running)" in shown.stdout
    analysed = " ".join(CliRunner().invoke(main, ["analyze", str(ride)],
                                           env={"COLUMNS": "200"}).stdout.split())
    assert "Hip-load index not computed for cycling (the model is for running)" in analysed
    assert "What loaded the hip" not in analysed
    page = tmp_path / "ride.html"
    assert cli("show", str(ride_id), "--html", str(page), home=home).exit_code == 0
    assert "not computed for cycling (the model is for running)" in page.read_text(encoding="utf-8")


def test_a_relabelled_walk_loses_its_running_index(tmp_path: Path) -> None:
    path = _gpx(tmp_path / "phone.gpx", _points(START, 2400, 1.4), sport=None)
    with open_library(tmp_path / "home") as store:
        import_paths(store, [path], jobs=1)
        (before,) = store.list_runs()
        assert before.hip_load_index is not None  # untyped: analysed as a run
        relabel_run(store, before.id, "walking")
        (after,) = store.list_runs()
        assert (after.sport, after.cross_training, after.hip_load_index) == ("walking", True, None)
        doc = show_run(store, after.id)
        assert doc["hip_load"]["not_computed"].endswith("not computed for walking (the model is "
                                                         "for running)")
        relabel_run(store, after.id, "running")
        assert store.list_runs()[0].hip_load_index is not None


def test_a_ride_day_is_a_cross_training_day_not_a_running_day(tmp_path: Path) -> None:
    today = date(2024, 3, 22)
    files = [_gpx(tmp_path / "run.gpx", _points(START, 1800, 3.0)),
             _gpx(tmp_path / "ride.gpx", _points(START + timedelta(days=2), 3600, 7.0),
                  sport="cycling"),
             _gpx(tmp_path / "both-run.gpx", _points(START + timedelta(days=3), 1800, 3.0)),
             _gpx(tmp_path / "both-walk.gpx", _points(START + timedelta(days=3, hours=5), 1800,
                                                      1.3), sport="walking")]
    with open_library(tmp_path / "home") as store:
        assert import_paths(store, files, jobs=1).imported == 4
        inputs = gather_inputs(store, today)
    assert inputs.cross_training_days == [date(2024, 3, 20)]  # the 21st was also a running day
    assert sorted(r.date for r in inputs.recent_runs) == [date(2024, 3, 18), date(2024, 3, 21)]
    assert inputs.weeks[-1].distance_m < 11_000  # two runs of 5.4 km; the ride and walk are not
    result = cli("today", "--date", today.isoformat(), "--json", home=tmp_path / "home")
    assert json.loads(result.stdout)["cross_training_days"] == ["2024-03-20"]


def test_untyped_recordings_feed_the_cadence_baseline(tmp_path: Path) -> None:
    path = _gpx(tmp_path / "phone.gpx", _points(START, 1800, 3.0), sport=None, cadence_spm=170.0)
    with open_library(tmp_path / "home") as store:
        import_paths(store, [path], jobs=1)
        (run,) = store.list_runs()
        assert run.sport == "unknown"
        minutes = store.form_minutes()
        assert len(minutes) >= 25
        relabel_run(store, run.id, "walking")
        assert len(store.form_minutes()) == 0  # a walk is not running form
