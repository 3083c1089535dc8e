"""Importing the whole shared corpus into the run library, twice, and reading it back."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from hipstride.activity import Activity
from hipstride.errors import ReadError
from hipstride.io import read_activity
from hipstride.library import open_library
from hipstride.library.importer import ImportSummary, import_paths
from hipstride.library.sqlite import SQLiteStore
from tests.conftest import data_files, data_path
from tests.test_library_support import sha256_of

FOLDERS = ("fit", "gpx", "tcx", "corrupt")
TWO_RUNS = "gpx/runpandas__session_720bf570_two_runs_15h_gap.gpx"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportSummary]:
    home = tmp_path_factory.mktemp("home")
    with open_library(home) as store:
        summary = import_paths(store, [data_path(f) for f in FOLDERS], jobs=2)
    return home, summary


@pytest.fixture
def store(imported: tuple[Path, ImportSummary]) -> Iterator[SQLiteStore]:
    with open_library(imported[0]) as s:
        yield s


def _all_files() -> list[Path]:
    return [p for f in FOLDERS for p in data_files(f)]


def test_every_file_is_stored_or_named_with_its_reason(imported: tuple[Path, ImportSummary],
                                                       store: SQLiteStore) -> None:
    _, summary = imported
    failed = dict(summary.failed)
    fragments = dict(summary.fragments)
    stored = {row[0]: row[1] for row in store.execute("SELECT file_path, content_sha256 FROM sources")}
    split = str(data_path(TWO_RUNS))
    for path in _all_files():
        if str(path) in failed:
            assert failed[str(path)], path
            with pytest.raises(ReadError):  # named as broken only when it really cannot be read
                read_activity(path)
        elif str(path) in fragments and str(path) != split:
            assert "too short to be a run" in fragments[str(path)], path
            assert str(path) not in stored, path
        elif str(path) != split:
            assert stored.get(str(path)) == sha256_of(path), f"{path.name} is missing"
    assert set(failed) <= {str(p) for p in _all_files()}
    # the file with two runs gives two; every other file is one run, a duplicate, a failure
    # or a fragment
    whole = len({label for label, _ in summary.fragments} - {split})
    assert summary.imported + summary.duplicates + len(summary.failed) + whole \
        == len(_all_files()) + 1
    assert str(data_path("corrupt/elevate__empty.fit")) in failed
    assert not summary.ignored


def test_every_readable_running_file_is_a_run(store: SQLiteStore) -> None:
    runs = {r.source_file: r for r in store.list_runs()}
    sources = {row[0]: row[1] for row in store.execute("SELECT file_path, run_id FROM sources")}
    for name in ("fit/elevate__portland.fit", "fit/runpandas__run.fit", "tcx/runpandas__11km.tcx",
                 "gpx/elevate__20170319_run_906581465.gpx", "fit/elevate__treadmill.fit"):
        assert str(data_path(name)) in sources, name
    assert runs[str(data_path("fit/elevate__portland.fit"))].sport == "running"
    walk = runs[str(data_path("gpx/everysinglestreet__test.gpx"))]
    assert (walk.sport, walk.cross_training, walk.hip_load_index) == ("walking", True, None)
    assert not runs[str(data_path("fit/elevate__portland.fit"))].cross_training


def test_fragments_are_reported_with_their_reason_and_not_stored(
        imported: tuple[Path, ImportSummary], store: SQLiteStore) -> None:
    fragments = dict(imported[1].fragments)
    sources = {row[0] for row in store.execute("SELECT file_path FROM sources")}
    for name, figures in (("fit/fitparse__garmin-fenix-5-bike.fit", "460 m, 61 s"),
                          ("fit/fitparse__garmin-fenix-5-walk.fit", "68 m, 46 s"),
                          ("gpx/runpandas__garmin_connect.gpx", "5 m, 2 s"),
                          ("fit/gpsbabel__garmin-vivosmart-hr.fit", "45 m, 32 s")):
        assert figures in fragments[str(data_path(name))], name
        assert str(data_path(name)) not in sources, name
    assert "single sample" in fragments[str(data_path("gpx/gpxpy__gpx1.0_with_all_fields.gpx"))]
    # an hour-long heart-rate-only run (no distance at all) is judged on its time: a run
    assert str(data_path("fit/fitparse__antfs-dump.63.fit")) in sources


def test_a_file_holding_two_runs_far_apart_becomes_two_runs(store: SQLiteStore) -> None:
    both = sorted((r for r in store.list_runs() if r.source_file == str(data_path(TWO_RUNS))),
                  key=lambda r: r.start_time_utc or 0)
    assert len(both) == 2
    first, second = both
    assert first.start_time_utc is not None
    assert second.start_time_utc is not None
    assert (second.start_time_utc - first.start_time_utc).total_seconds() > 15 * 3600
    for run in both:  # each analysed alone: no 24-hour run
        assert (run.duration_s or 1e9) < 4 * 3600
        assert (run.distance_m or 0.0) > 5000
        assert run.hip_load_index is not None
        assert "of 4" in (run.name or "")


def test_the_library_is_consistent(store: SQLiteStore) -> None:
    assert store.integrity_problems() == []
    shipped = sorted(p.name.removesuffix(".sql")
                     for p in (resources.files("hipstride.library") / "migrations").iterdir()
                     if p.name.endswith(".sql"))
    assert store.applied_migrations() == shipped
    assert shipped[:3] == ["0001_runs", "0002_sources", "0003_form_minutes"]
    assert store.execute("PRAGMA journal_mode")[0][0] == "wal"


def test_same_activity_as_fit_and_tcx_is_kept_once(store: SQLiteStore) -> None:
    fit, tcx = data_path("fit/elevate__sloatsburg.fit"), data_path("tcx/elevate__sloatsburg.tcx")
    rows = dict(store.execute("SELECT file_path, run_id FROM sources WHERE file_path IN (?, ?)",
                              (str(fit), str(tcx))))
    assert rows[str(fit)] == rows[str(tcx)]
    run_id = rows[str(fit)]
    sources = store.get_sources(run_id)
    assert [s.file_path for s in sources if s.is_primary] == [str(fit)]  # the richer recording
    assert store.get_run(run_id).sources == 2  # type: ignore[union-attr]


def test_second_import_adds_nothing(imported: tuple[Path, ImportSummary],
                                    store: SQLiteStore) -> None:
    _home, first = imported
    before = store.execute("SELECT COUNT(*) FROM runs")[0][0]
    again = import_paths(store, [data_path(f) for f in FOLDERS], jobs=2)
    assert again.imported == 0
    assert again.duplicates == first.imported + first.duplicates
    assert sorted(again.failed) == sorted(first.failed)
    assert sorted(again.fragments) == sorted(first.fragments)  # reported again, stored never
    assert store.execute("SELECT COUNT(*) FROM runs")[0][0] == before


def _cli(home: Path, *args: str) -> str:
    from hipstride.cli.library import COMMANDS

    command = {c.name: c for c in COMMANDS}[args[0]]
    result = CliRunner().invoke(command, [*args[1:], "--home", str(home)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_runs_and_show_json(imported: tuple[Path, ImportSummary], store: SQLiteStore) -> None:
    home, _ = imported
    listing = json.loads(_cli(home, "runs", "--json"))
    assert len(listing) == store.execute("SELECT COUNT(*) FROM runs")[0][0]
    assert {"id", "start_time_utc", "sport", "distance_m", "duration_s", "hip_load_index",
            "source_file"} <= set(listing[0])
    portland = next(r for r in listing if r["source_file"].endswith("elevate__portland.fit"))
    doc = json.loads(_cli(home, "show", str(portland["id"]), "--json"))
    from hipstride.analysis.run import analyze_activity

    direct = analyze_activity(read_activity(data_path("fit/elevate__portland.fit"))).to_dict()
    assert set(doc) - {"library"} == set(direct)
    assert doc["hip_load"]["index"] == pytest.approx(direct["hip_load"]["index"])
    assert doc["library"]["sources"][0]["file"].endswith("elevate__portland.fit")


def test_exports(imported: tuple[Path, ImportSummary], tmp_path: Path, store: SQLiteStore) -> None:
    home, _ = imported
    run_id = store.execute("SELECT run_id FROM sources WHERE file_path LIKE '%runpandas__run.fit'")[0][0]
    _cli(home, "export", "runs", "--csv", str(tmp_path / "runs.csv"))
    lines = (tmp_path / "runs.csv").read_text().splitlines()
    assert lines[0].startswith("id,start_time_utc,sport")
    assert len(lines) == 1 + store.execute("SELECT COUNT(*) FROM runs")[0][0]
    _cli(home, "export", "run", str(run_id), "--gpx", str(tmp_path / "run.gpx"))
    back = read_activity(tmp_path / "run.gpx")
    original = read_activity(data_path("fit/runpandas__run.fit"))
    positioned = original.lat_deg == original.lat_deg
    assert len(back) == int(positioned.sum())
    assert original.start_time_utc is not None
    assert back.start_time_utc is not None
    first = original.time_s[positioned][0]
    assert (back.start_time_utc - original.start_time_utc).total_seconds() == pytest.approx(first, abs=0.01)
    _cli(home, "export", "run", str(run_id), "--geojson", str(tmp_path / "run.geojson"))
    feature = json.loads((tmp_path / "run.geojson").read_text())
    assert feature["geometry"]["type"] == "LineString"
    assert len(feature["geometry"]["coordinates"]) == len(back)


def test_parquet_export(imported: tuple[Path, ImportSummary], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    _cli(imported[0], "export", "runs", "--parquet", str(tmp_path / "runs.parquet"))
    table = pq.read_table(tmp_path / "runs.parquet")
    assert "hip_load_index" in table.column_names
    assert table.num_rows > 40


def test_a_file_over_the_time_budget_fails_alone(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from hipstride.library import importer

    def slow_on_purpose(data: bytes, *, name: str) -> Activity:
        if "slow" in name:
            time.sleep(60)  # stands for a pathological file; the budget's timer interrupts it
        return read_activity(data, name=name)

    monkeypatch.setattr(importer, "read_activity", slow_on_purpose)
    folder = tmp_path / "runs"
    folder.mkdir()
    source = data_path("gpx/runpandas__run.gpx").read_bytes()
    (folder / "slow.gpx").write_bytes(source)
    (folder / "good.gpx").write_bytes(source.replace(b"<trk>", b"<trk><name>other</name>", 1))
    with open_library(tmp_path / "home") as store:
        summary = import_paths(store, [folder], jobs=1, file_budget_s=1.0)
        assert summary.imported == 1
        assert summary.failed == [(str(folder / "slow.gpx"), "took over 1 s to read and analyse "
                                                             "(the time budget per file): not imported")]
