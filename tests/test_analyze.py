"""``hipstride analyze`` on real recordings: totals agree with the watch, every file analyses,
every broken file gets a one-line error.

The command runs in-process (click's ``CliRunner``); two smoke tests run it as its own process,
where what matters is the real exit code, the terminal output and the absence of a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

from hipstride.analysis.run import RunAnalysis, analyze_activity
from hipstride.cli import main
from hipstride.io import read_activity
from tests.conftest import data_files, data_path

REQUIRED = {
    "activity": {"sport", "sub_sport", "start_time_utc", "distance_m", "duration_s", "moving_time_s",
                 "elevation_gain_m", "elevation_loss_m"},
    "turns": {"count", "sharp_count", "per_km"},
    "grade": {"max_grade_pct", "min_grade_pct"},
    "surface": {"source", "shares"},
    "form": {"cadence_spm", "step_length_m", "stance_time_ms", "stance_time_balance_left_pct",
             "vertical_oscillation_mm", "vertical_ratio_pct"},
    "hip_load": {"index", "total", "factors", "advice"},
}


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m hipstride ARGS`` as a child process."""
    return subprocess.run([sys.executable, "-m", "hipstride", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "COLUMNS": "100"})


def run_cli(*args: str) -> Result:
    """``hipstride ARGS`` in this process; an exception other than the command's own exit
    (a traceback, for a user) fails the test."""
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": "100"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"hipstride {' '.join(args)} raised {result.exception!r}") \
            from result.exception
    return result


def analysed(relative: str) -> RunAnalysis:
    return analyze_activity(read_activity(data_path(relative)))


# --- agreement with the watch's own session totals -------------------------------------------

WATCH_FILES = ["fit/elevate__portland.fit", "fit/elevate__trosku.fit", "fit/elevate__treadmill.fit",
               "fit/elevate__sloatsburg.fit", "fit/runpandas__run.fit", "fit/elevate__loup-blanc.fit",
               "fit/fitparse__activity-small-fenix2-run.fit", "fit/fitparse__2013-02-06-12-11-14.fit",
               "fit/tormoder__mornindew-broken.fit", "fit/fitparse__developer-types-sample.fit"]


@pytest.mark.parametrize("relative", WATCH_FILES)
def test_distance_and_times_agree_with_the_watch(relative: str) -> None:
    a = analysed(relative)
    session = a.activity.session
    assert session.distance_m is not None
    assert session.elapsed_time_s is not None
    assert session.timer_time_s is not None
    assert a.distance_m == pytest.approx(session.distance_m, rel=0.01)
    assert a.motion.elapsed_time_s == pytest.approx(session.elapsed_time_s, rel=0.01, abs=2)
    # The watch's timer only stops on a pause; hipstride's moving time also leaves out standing
    # still with the timer running. So: never more than the timer, and equal to the time the
    # watch's own records say it was moving (its speed channel at a walking pace or faster, its
    # timer running).
    assert a.motion.moving_time_s is not None
    assert a.motion.moving_time_s <= session.timer_time_s * 1.005 + 2
    t = a.activity.time_s
    dt = np.diff(t)
    speed = a.activity.speed_mps if a.activity.speed_mps is not None else a.motion.speed_mps
    running = (speed[1:] >= 0.5) & (dt <= 60)
    for stop_s, start_s in a.activity.timer_pauses_s:
        running &= ~((t[1:] > stop_s) & (t[1:] <= start_s))
    moving_by_watch = float(dt[running].sum())
    assert a.motion.moving_time_s == pytest.approx(moving_by_watch, rel=0.03)


@pytest.mark.parametrize(("relative", "tolerance"), [
    ("fit/elevate__loup-blanc.fit", 0.03), ("fit/elevate__trosku.fit", 0.05),
    ("fit/fitparse__2013-02-06-12-11-14.fit", 0.05), ("fit/elevate__portland.fit", 0.06),
    ("fit/elevate__sloatsburg.fit", 0.06),
    # the recorded altitudes of this FR645M run rise by only 219 m in all, sample to sample,
    # while the watch reports 234 m: it counts from finer data than it stores.
    ("fit/runpandas__run.fit", 0.10)])
def test_elevation_gain_agrees_with_the_watch(relative: str, tolerance: float) -> None:
    a = analysed(relative)
    assert a.activity.session.total_ascent_m
    assert a.elevation_gain_m == pytest.approx(a.activity.session.total_ascent_m, rel=tolerance)


FORM_SESSION = {
    "cadence_spm": "avg_cadence_spm",
    "stance_time_ms": "avg_stance_time_ms",
    "vertical_oscillation_mm": "avg_vertical_oscillation_mm",
    "vertical_ratio_pct": "avg_vertical_ratio_pct",
}


@pytest.mark.parametrize("relative", ["fit/elevate__portland.fit", "fit/elevate__trosku.fit",
                                      "fit/elevate__treadmill.fit", "fit/fitparse__garmin-fenix-5-run.fit",
                                      "fit/fitparse__sample_mulitple_header.fit"])
def test_running_dynamics_agree_with_the_watch(relative: str) -> None:
    a = analysed(relative)
    session = a.activity.session
    assert session.timer_time_s is not None
    assert session.avg_step_length_mm is not None
    assert session.avg_stance_time_balance_left_pct is not None
    for ours, theirs in FORM_SESSION.items():
        expected = getattr(session, theirs)
        if ours == "cadence_spm":
            # The watch averages 0 steps/min into its cadence while you stand with the timer on;
            # hipstride averages while moving. Undo that dilution using the watch's own records.
            t, cad = a.activity.time_s, a.activity.channel("cadence_spm")
            assert cad is not None
            dt = np.minimum(np.diff(t), 10.0)
            standing = float(dt[(cad[1:] == 0) & (np.diff(t) <= 60)].sum())
            expected = expected * session.timer_time_s / (session.timer_time_s - standing)
        assert a.form.averages[ours] == pytest.approx(expected, rel=0.03), ours
    step_length_m = a.form.averages["step_length_m"]
    balance_left_pct = a.form.averages["stance_time_balance_left_pct"]
    assert step_length_m is not None
    assert balance_left_pct is not None
    assert step_length_m * 1000 == pytest.approx(session.avg_step_length_mm, rel=0.03)
    assert abs(balance_left_pct - session.avg_stance_time_balance_left_pct) <= 0.3


# --- every real file analyses ----------------------------------------------------------------

def all_recordings() -> list[Path]:
    return [*data_files("fit"), *data_files("gpx"), *data_files("tcx")]


def test_every_recording_analyses_or_is_named() -> None:
    for path in all_recordings():
        result = run_cli("analyze", str(path), "--json")
        if path.name == "gpxpy__unicode_with_bom.gpx":  # waypoints only: nothing to analyse
            assert result.exit_code != 0
            assert path.name in result.stderr
            continue
        assert result.exit_code == 0, (path, result.stderr)
        doc = json.loads(result.stdout)
        for part, keys in REQUIRED.items():
            assert keys <= set(doc[part]), (path, part)
        assert set(doc["hip_load"]["factors"]) == {"downhill", "uphill", "turns", "surface", "cadence"}
        if doc["hip_load"]["index"] is not None:
            total = 1 + sum(doc["hip_load"]["factors"].values())
            assert doc["hip_load"]["index"] == pytest.approx(total, abs=1e-3)
        if doc["activity"]["sport"] in ("cycling", "walking"):
            assert any("ride" in n or "walk" in n for n in doc["notes"]), path


def test_several_files_give_a_list() -> None:
    result = run_cli("analyze", str(data_path("fit/fitparse__garmin-fenix-5-run.fit")),
                     str(data_path("gpx/runpandas__garmin_connect.gpx")), "--json")
    assert result.exit_code == 0, result.stderr
    docs = json.loads(result.stdout)
    assert [d["activity"]["sport"] for d in docs] == ["running", "running"]


def test_terminal_summary_reads_in_ten_seconds() -> None:
    # its own process: the real entry point, terminal rendering and exit code
    result = run_process("analyze", str(data_path("fit/runpandas__run.fit")))
    assert result.returncode == 0, result.stderr
    for word in ("Hip-load index", "Distance", "Turns", "Surface", "measured:", "evidence:"):
        assert word in result.stdout


# --- broken input ----------------------------------------------------------------------------

def test_every_broken_file_gets_one_line_and_a_non_zero_exit() -> None:
    for path in data_files("corrupt"):
        result = run_cli("analyze", str(path), "--json")
        if path.name == "fitparse__coros-pace-2-cycling-misaligned-fields.fit":
            # in corrupt/ because fitdecode and fitparse reject its field sizes; Garmin's SDK
            # reads all of it, so it analyses cleanly (a ride, and says so)
            assert result.exit_code == 0, result.stderr
            assert "ride" in " ".join(json.loads(result.stdout)["notes"])
            continue
        if result.exit_code == 0:  # readable part kept: there must be a warning naming the file
            assert "warning" in result.stderr, path
            assert path.name in result.stderr, path
            json.loads(result.stdout)
        else:
            errors = [line for line in result.stderr.splitlines() if "error" in line]
            assert len(errors) == 1, (path, result.stderr)
            assert path.name in errors[0], (path, result.stderr)


def test_missing_file_and_bad_profile_are_named(tmp_path: Path) -> None:
    # its own process: the exit code and the absence of a traceback, as a user sees them
    result = run_process("analyze", str(tmp_path / "nope.fit"))
    assert result.returncode != 0
    assert "nope.fit" in result.stderr
    assert "Traceback" not in result.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[downhill]\nper_pct = -1\n")
    result = run_process("analyze", str(data_path("fit/fitparse__garmin-fenix-5-run.fit")),
                         "--profile", str(bad))
    assert result.returncode != 0
    assert "bad.toml" in result.stderr
    assert "Traceback" not in result.stderr


# --- surface and the profile -----------------------------------------------------------------

def test_surface_from_sub_sport_and_option() -> None:
    treadmill = analysed("fit/elevate__treadmill.fit")
    assert treadmill.surface.source == "sub_sport"
    assert treadmill.to_dict()["surface"]["shares"]["soft"] == 1.0
    generic = analyze_activity(read_activity(data_path("fit/elevate__sloatsburg.fit")))
    assert generic.to_dict()["surface"]["shares"]["unknown"] == 1.0
    assert generic.hip_load.factors["surface"] == 0.0
    street = analyze_activity(read_activity(data_path("fit/elevate__sloatsburg.fit")), surface="asphalt")
    assert street.to_dict()["surface"] == {"source": "option", "shares": {"unknown": 0.0, "soft": 0.0, "hard": 1.0},
                                           "raw_shares": {"asphalt": 1.0}}
    assert street.hip_load.factors["surface"] > 0


def test_a_profile_file_changes_the_result(tmp_path: Path) -> None:
    heavy = tmp_path / "descents.toml"
    heavy.write_text("[downhill]\nper_pct = 0.2\n")
    plain = json.loads(run_cli("analyze", str(data_path("fit/runpandas__run.fit")), "--json").stdout)
    steep = json.loads(run_cli("analyze", str(data_path("fit/runpandas__run.fit")), "--json",
                               "--profile", str(heavy)).stdout)
    assert steep["hip_load"]["factors"]["downhill"] == pytest.approx(
        plain["hip_load"]["factors"]["downhill"] * 5, rel=1e-3)


def test_the_hilly_heidelberg_run_is_explained_by_its_descents() -> None:
    doc: dict[str, Any] = analysed("fit/runpandas__run.fit").to_dict()
    factors = doc["hip_load"]["factors"]
    assert doc["hip_load"]["index"] > 1.05
    assert factors["downhill"] > factors["uphill"] > 0
    assert doc["hip_load"]["advice"][0]["factor"] == "downhill"
    assert doc["grade"]["min_grade_pct"] < -10
    assert len(doc["hip_load"]["per_km"]) == 6


def test_every_surface_word_is_an_option_choice() -> None:
    from hipstride.track.surface import SURFACE_WORDS

    result = run_cli("analyze", "--help")
    assert result.exit_code == 0
    for word in SURFACE_WORDS:  # indoor_running included: the choices are the table itself
        assert word in result.stdout, word
    street = run_cli("analyze", str(data_path("fit/elevate__sloatsburg.fit")), "--json",
                     "--surface", "INDOOR_RUNNING")
    assert street.exit_code == 0, street.stderr
    assert json.loads(street.stdout)["surface"]["raw_shares"] == {"indoor": 1.0}
    wrong = run_cli("analyze", str(data_path("fit/elevate__sloatsburg.fit")), "--surface", "lava")
    assert wrong.exit_code == 2
    assert "lava" in wrong.stderr


# --- model v2 on real recordings: turns a runner can make -----------------------------------

PHONE_FILES = ["gpx/runpandas__session_eea8fa30.gpx", "gpx/runpandas__session_720bf570_two_runs_15h_gap.gpx",
               "gpx/gpxpy__cerknicko-jezero.gpx", "gpx/runpandas__strava_export.gpx",
               "fit/gpsbabel__garmin-forerunner-10.fit"]


@pytest.mark.parametrize("relative", PHONE_FILES)
def test_no_kept_turn_is_beyond_what_a_runner_can_do(relative: str) -> None:
    """These recordings held the corpus's impossible turns (up to 63 m/s², 2339°) under model v1."""
    a = analysed(relative)
    limits = a.profile.turns
    assert all(t.peak_lateral_accel_mps2 <= limits.max_lateral_accel_mps2 for t in a.turns)
    assert all(t.angle_deg <= limits.max_angle_deg for t in a.turns)
    assert all(t.median_speed_mps is None or t.median_speed_mps >= limits.min_speed_mps for t in a.turns)
    doc = a.to_dict()
    assert doc["turns"]["rejected_count"] == len(a.rejected_turns)
    if a.rejected_turns:
        assert any("left out" in note for note in doc["notes"])


def test_the_flat_island_run_is_not_loaded_by_its_standstill() -> None:
    """The phone flipped between two fixes for minutes at a standstill: v1 gave it turns of up to
    2339° and an index of 1.215 (4th of 45 recordings); flat and straight, it scores about 1."""
    a = analysed("gpx/runpandas__session_eea8fa30.gpx")
    assert a.hip_load.index is not None
    assert abs(a.hip_load.index - 1.0) < 0.03
    assert a.motion.alternating_s > 120
    assert any("jittered in place" in note for note in a.notes)
    assert max(t.angle_deg for t in a.turns) < 270


def test_hills_rank_above_flat_roads_and_the_island() -> None:
    index = {name: analysed(name).hip_load.index or 0.0 for name in (
        "gpx/gpxpy__korita-zbevnica.gpx", "fit/elevate__loup-blanc.fit", "fit/runpandas__run.fit",
        "tcx/runpandas__11km.tcx", "gpx/runpandas__session_eea8fa30.gpx", "fit/elevate__treadmill.fit")}
    hills = [index[n] for n in ("gpx/gpxpy__korita-zbevnica.gpx", "fit/elevate__loup-blanc.fit",
                                "fit/runpandas__run.fit")]
    flat = [index[n] for n in ("tcx/runpandas__11km.tcx", "gpx/runpandas__session_eea8fa30.gpx",
                               "fit/elevate__treadmill.fit")]
    assert min(hills) > max(flat) + 0.1


# --- model v2 on real recordings: grades and climb --------------------------------------------

def test_a_barometric_spike_at_the_start_supplies_no_downhill_load() -> None:
    """fenix 2: the altimeter reads 55 -> 142 -> 56 m in the first 4 s. Under v1 that gave 45 m
    at the -45 % clip, 44 % of the run's downhill load; now only the real descent of the first
    200 m (about 7 m at up to -6 %) counts."""
    a = analysed("fit/fitparse__activity-small-fenix2-run.fit")
    first = a.course.distance_m < 200.0
    assert float(np.nanmax(a.course.elevation_m[first])) < 60.0       # the 142 m spike is gone
    assert float(np.nanmin(a.course.grade_pct[first])) > -10.0
    w = a.hip_load.weights_m
    down = a.hip_load.per_sample["downhill"]
    assert float(np.dot(down[first], w[first])) < 0.2 * float(np.dot(down, w))
    assert a.grades.min_grade_pct is not None
    assert a.grades.min_grade_pct > -20.0


@pytest.mark.parametrize("relative", ["fit/elevate__loup-blanc.fit", "fit/elevate__sloatsburg.fit",
                                      "gpx/gpxpy__korita-zbevnica.gpx", "tcx/runpandas__basic.tcx"])
def test_per_km_climb_adds_up_to_the_headline_and_grades_are_measured(relative: str) -> None:
    a = analysed(relative)
    doc = a.to_dict()
    per_km = doc["hip_load"]["per_km"]
    assert sum(s["climb_m"] for s in per_km) == pytest.approx(doc["activity"]["elevation_gain_m"], abs=1.0)
    assert sum(s["descent_m"] for s in per_km) == pytest.approx(doc["activity"]["elevation_loss_m"], abs=1.0)
    grade = a.course.grade_pct
    assert a.grades.min_grade_pct == pytest.approx(float(np.nanmin(grade)))
    assert np.nanmax(np.abs(grade)) <= 45.0           # beyond is discarded, not held at a cap


def test_five_minutes_of_scatter_at_a_standstill_add_no_turn_and_no_load() -> None:
    """1 km north, 5 min standing with fixes scattered 5 m (σ) at 1 Hz, 1 km on: the scatter
    reads as 7 m/s of running, yet adds no distance, no turn and no hip load. The 90 m shuttle
    of a real file, which turns back every 45 m, is not taken for a standstill."""
    from datetime import UTC, datetime

    from hipstride.activity import Activity
    from hipstride.track.motion import standstill_jitter
    from tests.test_track import path_from_xy

    rng = np.random.default_rng(5)
    legs = np.arange(0.0, 1000.0, 3.0)
    x = np.concatenate((np.zeros_like(legs), rng.normal(0.0, 5.0, 300), np.zeros_like(legs)))
    y = np.concatenate((legs, 1000.0 + rng.normal(0.0, 5.0, 300), 1003.0 + legs))
    lat, lon = path_from_xy(x, y)
    activity = Activity(source="scatter.gpx", start_time_utc=datetime(2024, 6, 1, tzinfo=UTC),
                        time_s=np.arange(x.size, dtype=np.float64), lat_deg=lat, lon_deg=lon,
                        elevation_m=np.full(x.size, 50.0), sport="running")
    a = analyze_activity(activity)
    assert abs(a.distance_m - 2000.0) < 60.0
    assert a.turns == []
    assert a.rejected_turns == []
    assert a.hip_load.index == pytest.approx(1.0, abs=1e-9)
    assert any("standstill" in note for note in a.notes)
    shuttle = read_activity(data_path("tcx/runpandas__run_garmin.tcx"))
    assert not standstill_jitter(shuttle.time_s, shuttle.lat_deg, shuttle.lon_deg).any()
