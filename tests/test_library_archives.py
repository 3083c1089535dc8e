"""Strava and Garmin Connect bulk-export archives, built here from the shared recordings."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

from hipstride.library import open_library
from hipstride.library._archives import discover, strava_sport
from hipstride.library.importer import import_paths
from tests.conftest import data_path

STRAVA_CSV = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Filename,Elapsed Time,Distance\n"
    "101,\"Oct 8, 2017, 2:54:11 PM\",Sunday shakeout,Run,,2818,4.39,activities/101.gpx.gz,2818,4395\n"
    "102,\"Feb 6, 2013, 12:11:14 PM\",Canal loop,Run,,2624,4.83,activities/102.fit.gz,2624,4835\n"
    "103,\"Nov 25, 2018, 7:20:49 AM\",Commute,Ride,,823,2.15,activities/103.tcx.gz,823,2151\n"
    "104,\"Jan 1, 2020, 10:00:00 AM\",Gym,Workout,,3600,0,,3600,0\n"
)


def _gz(path: Path) -> bytes:
    return gzip.compress(path.read_bytes(), mtime=0)


def build_strava_export(target: Path) -> Path:
    """A Strava-style bulk export: activities.csv plus gzipped files in activities/."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", STRAVA_CSV)
        zf.writestr("activities/101.gpx.gz", _gz(data_path("gpx/elevate__20171008_run_2067489619.gpx")))
        zf.writestr("activities/102.fit.gz", _gz(data_path("fit/fitparse__2013-02-06-12-11-14.fit")))
        zf.writestr("activities/103.tcx.gz", _gz(data_path("tcx/runpandas__run_garmin.tcx")))
        zf.writestr("activities/105.gpx", b"<gpx><trk></trk></gpx>")  # broken, not in the CSV
        zf.writestr("profile.csv", "Email Address\nrunner@example.org\n")
    return target


def build_garmin_export(target: Path) -> Path:
    """A Garmin Connect-style export: FIT files inside a zip nested in the export zip."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("runner_1234.fit", data_path("fit/fitparse__garmin-fenix-5-run.fit").read_bytes())
        zf.writestr("runner_1235.fit", data_path("fit/gpsbabel__garmin-forerunner-10.fit").read_bytes())
        zf.writestr("runner_1236.fit", b"")  # an empty upload
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("DI_CONNECT/DI-Connect-Fitness/runner_summarizedActivities.json", "[]")
        zf.writestr("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue())
    return target


def test_strava_export_takes_names_and_types_from_the_csv(tmp_path: Path) -> None:
    archive = build_strava_export(tmp_path / "export_12345.zip")
    with open_library(tmp_path / "home") as store:
        summary = import_paths(store, [archive], jobs=1)
        assert summary.imported == 3
        assert [f for f, _ in summary.failed] == [f"{archive}!activities/105.gpx"]
        runs = {r.source_file.rsplit("!", 1)[1]: r for r in store.list_runs()}
        assert runs["activities/101.gpx.gz"].name == "Sunday shakeout"
        assert runs["activities/101.gpx.gz"].sport == "running"
        assert runs["activities/102.fit.gz"].name == "Canal loop"
        # the file says running; the CSV's type only fills in what the file does not say
        assert runs["activities/103.tcx.gz"].sport == "running"
        assert runs["activities/103.tcx.gz"].name == "Commute"
        assert store.integrity_problems() == []
        again = import_paths(store, [archive], jobs=1)
    assert (again.imported, again.duplicates) == (0, 3)


def test_strava_type_fills_in_an_unknown_sport(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as zf:
        zf.writestr("export/activities.csv", "Activity ID,Activity Name,Activity Type,Filename\n"
                    "7,Evening ride,Ride,activities/7.gpx\n")
        zf.writestr("export/activities/7.gpx", data_path("gpx/gpxpy__cerknicko-jezero.gpx").read_bytes())
    with open_library(tmp_path / "home") as store:
        assert import_paths(store, [tmp_path / "export.zip"], jobs=1).imported == 1
        (run,) = store.list_runs()
    assert (run.sport, run.name) == ("cycling", "Evening ride")


def test_garmin_export_with_nested_zips(tmp_path: Path) -> None:
    archive = build_garmin_export(tmp_path / "garmin.zip")
    found = discover([archive], tmp_path)
    assert [i.label.rsplit("!", 1)[1] for i in found.items] == [
        "runner_1234.fit", "runner_1235.fit", "runner_1236.fit"]
    with open_library(tmp_path / "home") as store:
        summary = import_paths(store, [archive], jobs=2)
        assert summary.imported == 2
        assert len(summary.failed) == 1
        assert summary.failed[0][0].endswith("UploadedFiles_0-_Part1.zip!runner_1236.fit")
        assert "empty" in summary.failed[0][1]
        assert {r.sport for r in store.list_runs()} == {"running"}


def test_folders_are_searched_and_other_files_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "watch"
    (folder / "2019").mkdir(parents=True)
    (folder / "2019" / "run.fit.gz").write_bytes(_gz(data_path("fit/fitparse__garmin-fenix-5-run.fit")))
    (folder / "notes.txt").write_text("not a recording")
    build_strava_export(folder / "strava.zip")
    found = discover([folder, tmp_path / "missing.fit"], tmp_path)
    assert len(found.items) == 5
    assert found.ignored == [str(folder / "notes.txt")]
    assert found.failed == [(str(tmp_path / "missing.fit"), "no such file or folder")]


def test_strava_sport_vocabulary() -> None:
    assert strava_sport("Run") == ("running", None)
    assert strava_sport("Trail Run") == ("running", "trail")
    assert strava_sport("Nordic Ski") == ("nordic_ski", None)
