"""Strava and Garmin Connect bulk-export archives, built here from the shared recordings."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipstride.errors import ReadError
from hipstride.library import _archives, open_library
from hipstride.library._archives import MAX_DEPTH, discover, read_capped, strava_sport
from hipstride.library.importer import ImportSummary, _import_task, import_paths
from tests.conftest import data_path
from tests.hostile import gpx_file

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
        zf.writestr("runner_1234.fit",
                    data_path("fit/fitparse__activity-small-fenix2-run.fit").read_bytes())
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


# --- hostile archives and names (issue 11): each item fails alone, each limit is reported ------

def good_gpx(day: int) -> bytes:
    """A small, valid 10-minute run on 2020-06-``day`` (distinct content and time per day)."""
    return gpx_file([(60.17 + i * 3 / 111_195, 24.94 + day / 100, f"2020-06-{day:02d}T06:"
                      f"{i // 60:02d}:{i % 60:02d}Z") for i in range(600)])


def patch_member(data: bytes, old_name: bytes, *, name: bytes | None = None,
                 flags: int = 0) -> bytes:
    """Zip bytes with one member's name replaced and general-purpose ``flags`` set, in its local
    header and its central directory entry (what a hostile tool writes)."""
    out = bytearray(data)
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := out.find(signature, start)) >= 0:
            start = at + 4
            name_at = at + (30 if flag_at == 6 else 46)
            length = int.from_bytes(out[at + flag_at + 20: at + flag_at + 22], "little")
            if bytes(out[name_at:name_at + length]) != old_name:
                continue
            flag = int.from_bytes(out[at + flag_at: at + flag_at + 2], "little") | flags
            out[at + flag_at: at + flag_at + 2] = flag.to_bytes(2, "little")
            if name is not None:
                assert len(name) == length
                out[name_at:name_at + length] = name
    return bytes(out)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def run_import(tmp_path: Path, paths: list[Path]) -> tuple[ImportSummary, list[str]]:
    with open_library(tmp_path / "home") as store:
        summary = import_paths(store, paths, jobs=1)
        return summary, sorted(r.source_file for r in store.list_runs())


def test_a_file_name_that_is_not_utf8_is_stored_and_shown_safely(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    odd = Path(os.fsdecode(os.fsencode(folder) + b"/run\xff\xfe.gpx"))
    odd.write_bytes(good_gpx(1))
    (folder / "good.gpx").write_bytes(good_gpx(2))
    summary, sources = run_import(tmp_path, [folder])
    assert summary.imported == 2, summary.failed
    assert f"{folder}/run\\xff\\xfe.gpx" in sources
    assert all(source.encode("utf-8") for source in sources)


def test_an_unterminated_quote_in_activities_csv_fails_the_index_alone(tmp_path: Path) -> None:
    csv_text = ("Activity ID,Activity Name,Activity Type,Filename\n"
                "1,Morning,Run,activities/1.gpx\n"
                '2,"never closed,Run,activities/2.gpx\n' + "x" * 140_000 + "\n")
    archive = tmp_path / "strava.zip"
    archive.write_bytes(zip_of({"activities.csv": csv_text.encode(),
                                "activities/1.gpx": good_gpx(1), "activities/2.gpx": good_gpx(2)}))
    summary, _ = run_import(tmp_path, [archive])
    assert summary.imported == 2
    assert [(f, "unreadable CSV" in e and "1 rows before it" in e) for f, e in summary.failed] == [
        (f"{archive}!activities.csv", True)]
    with open_library(tmp_path / "home") as store:
        assert sorted(str(r.name) for r in store.list_runs()) == ["Morning", "None"]


def test_an_encrypted_index_or_member_fails_alone(tmp_path: Path) -> None:
    plain = zip_of({"activities.csv": b"Filename\nactivities/1.gpx\n",
                    "activities/1.gpx": good_gpx(1), "activities/2.gpx": good_gpx(2)})
    locked = patch_member(patch_member(plain, b"activities.csv", flags=0x1),
                          b"activities/2.gpx", flags=0x1)
    archive = tmp_path / "locked.zip"
    archive.write_bytes(locked)
    summary, _ = run_import(tmp_path, [archive])
    assert summary.imported == 1
    failed = dict(summary.failed)
    assert "encrypted" in failed[f"{archive}!activities.csv"]
    assert "encrypted" in failed[f"{archive}!activities/2.gpx"]


def test_a_utf8_flag_on_invalid_name_bytes_costs_nothing(tmp_path: Path) -> None:
    archive = tmp_path / "badname.zip"
    archive.write_bytes(patch_member(zip_of({"runAB.gpx": good_gpx(1), "fine.gpx": good_gpx(2)}),
                                     b"runAB.gpx", name=b"run\xff\xfe.gpx", flags=0x800))
    with pytest.raises(UnicodeDecodeError):
        zipfile.ZipFile(archive)  # what aborted the whole import before
    good = tmp_path / "good.gpx"
    good.write_bytes(good_gpx(3))
    summary, sources = run_import(tmp_path, [archive, good])
    assert summary.failed == []
    assert sources == [f"{archive}!fine.gpx", f"{archive}!run\\xff\\xfe.gpx", str(good)]


def test_zips_nested_past_the_limit_are_reported(tmp_path: Path) -> None:
    content = zip_of({"run5.gpx": good_gpx(5)})
    for level in range(4, 0, -1):
        content = zip_of({f"run{level}.gpx": good_gpx(level), f"level{level + 1}.zip": content})
    archive = tmp_path / "deep.zip"
    archive.write_bytes(content)
    summary, sources = run_import(tmp_path, [archive])
    assert len(sources) == MAX_DEPTH + 1  # the top zip and three nested levels
    assert len(summary.failed) == 1
    label, problem = summary.failed[0]
    assert label.endswith("level5.zip")
    assert f"nested more than {MAX_DEPTH} deep" in problem


def test_a_zip_bomb_member_is_refused_by_its_ratio(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(zip_of({"bomb.gpx": b" " * (4 << 20), "bomb.zip": b"\0" * (4 << 20),
                                "ok.gpx": good_gpx(1)}))
    assert archive.stat().st_size < 100_000
    summary, sources = run_import(tmp_path, [archive])
    assert sources == [f"{archive}!ok.gpx"]
    assert sorted(f for f, _ in summary.failed) == [f"{archive}!bomb.gpx", f"{archive}!bomb.zip"]
    assert all("compression ratio" in e for _, e in summary.failed)


def test_member_count_and_total_budget_are_reported(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "many.zip"
    archive.write_bytes(zip_of({f"run{i}.gpx": good_gpx(i + 1) for i in range(4)}))
    monkeypatch.setattr(_archives, "MAX_MEMBERS", 3)
    found = discover([archive], tmp_path)
    assert len(found.items) == 3
    assert found.failed == [(str(archive), "archive limit: 4 members, over 3: only the first 3 "
                                           "are read")]
    monkeypatch.setattr(_archives, "MAX_MEMBERS", 100)
    monkeypatch.setattr(_archives, "MAX_TOTAL_BYTES", len(good_gpx(1)) * 2)
    found = discover([archive], tmp_path)
    assert len(found.items) == 2
    assert [f for f, e in found.failed if "inflated from archives" in e] == [
        f"{archive}!run2.gpx", f"{archive}!run3.gpx"]


def test_members_are_read_with_a_byte_cap(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    archive.write_bytes(zip_of({"big.gpx": bytes(range(256)) * 8192}))
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("big.gpx")
        with pytest.raises(ReadError, match="inflates beyond 1 MiB"):
            read_capped(zf, info, 1 << 20, "big.zip!big.gpx")
        assert len(read_capped(zf, info, 4 << 20, "big.zip!big.gpx")) == 2 << 20


_SEED_ZIP = zip_of({"activities.csv": b"Filename,Activity Name\nactivities/1.gpx,One\n",
                    "activities/1.gpx": good_gpx(1), "inner.zip": zip_of({"2.gpx": good_gpx(2)})})


@settings(max_examples=30, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, len(_SEED_ZIP) - 1), st.integers(0, 255)), max_size=6),
       st.just(len(_SEED_ZIP)) | st.integers(len(_SEED_ZIP) // 2, len(_SEED_ZIP)))
def test_a_mutated_archive_gives_items_or_reasons_never_an_exception(
        tmp_path: Path, flips: list[tuple[int, int]], keep: int) -> None:
    data = bytearray(_SEED_ZIP)
    for at, value in flips:
        data[at] = value
    archive = tmp_path / "fuzz.zip"
    archive.write_bytes(bytes(data[:keep]))
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    found = discover([archive], work)  # raises nothing
    for label, problem in found.failed:
        assert label.startswith(str(archive))
        assert problem
    for item in found.items:
        result = _import_task(item)  # a run, a duplicate or a reason: never an exception
        assert result.label == item.label


def test_an_archive_that_cannot_be_repaired_fails_alone_with_its_reason(tmp_path: Path) -> None:
    from hipstride.library._zipnames import repaired_copy

    with pytest.raises(ValueError, match="end-of-central-directory"):
        repaired_copy(_write(tmp_path / "junk.zip", b"PK\x03\x04" + bytes(64)), tmp_path / "c.zip")
    archive = _write(tmp_path / "bad.zip", patch_member(zip_of({"runAB.gpx": good_gpx(1)}),
                                                        b"runAB.gpx", name=b"run\xff\xfe.gpx",
                                                        flags=0x800))
    data = bytearray(archive.read_bytes())
    data[data.rfind(b"PK\x05\x06") + 16: data.rfind(b"PK\x05\x06") + 20] = b"\xff" * 4  # ZIP64 mark
    archive.write_bytes(bytes(data))
    found = discover([archive], tmp_path)
    assert found.items == []
    assert [f for f, _ in found.failed] == [str(archive)]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_an_activities_csv_bomb_is_refused_and_the_runs_still_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_archives, "MAX_CSV_BYTES", 1 << 20)  # stands for 64 MiB against 2 GiB
    archive = tmp_path / "csvbomb.zip"
    archive.write_bytes(zip_of({"activities.csv": b"Filename\n" + b"a,b\n" * (1 << 20),
                                "activities/1.gpx": good_gpx(1)}))
    found = discover([archive], tmp_path)
    assert [item.label for item in found.items] == [f"{archive}!activities/1.gpx"]
    assert [f for f, _ in found.failed] == [f"{archive}!activities.csv"]
    assert "archive limit" in found.failed[0][1]


def test_a_plain_file_over_the_cap_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    huge = tmp_path / "huge.gpx"
    with huge.open("wb") as fh:  # sparse: no disk is used
        fh.truncate(_archives.MAX_MEMBER_BYTES + 10)
    item = _archives.ImportItem(label=str(huge), path=str(huge))
    with pytest.raises(ReadError, match=r"huge\.gpx: larger than \d+ MiB, more than a recording"):
        _archives.read_item_bytes(item)
    small = tmp_path / "small.gpx"
    small.write_bytes(b"<gpx/>")
    assert _archives.read_item_bytes(_archives.ImportItem(label="s", path=str(small))) == b"<gpx/>"
