"""The stores (SQLite, and PostgreSQL where the ``store`` fixture runs a test on both), their
migrations, the sample codec, and the library commands."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hipstride.activity import Activity, Lap, Session
from hipstride.cli.library import COMMANDS
from hipstride.errors import StorageError
from hipstride.io import read_activity
from hipstride.library import open_library, rebuild_analysis, refresh_run, show_run
from hipstride.library.codec import pack_activity, unpack_activity
from hipstride.library.importer import store_record
from hipstride.library.postgres import PostgresStore
from hipstride.library.records import build_record
from hipstride.library.sqlite import SQLiteStore, migrations
from hipstride.library.store import RunMeta, RunStore
from hipstride.model.hipload import MODEL_VERSION
from tests.conftest import data_path
from tests.test_library_support import write_fit_run

START = datetime(2024, 5, 6, 6, 30, tzinfo=UTC)


def _activity(n: int = 600, *, channels: bool = True, start: datetime = START) -> Activity:
    t = np.arange(n, dtype=np.float64)
    lat = 48.1 + t * 3.0 / 111_320.0
    lat[5:9] = np.nan
    ch = {"heart_rate_bpm": np.full(n, 141.0), "cadence_spm": 170.0 + np.sin(t)} if channels else {}
    return Activity(source="synthetic.fit", start_time_utc=start, time_s=t, lat_deg=lat,
                    lon_deg=np.full(n, 11.5), elevation_m=500.0 + np.sin(t / 50.0) * 10.0,
                    distance_m=t * 3.0, speed_mps=np.full(n, 3.0), channels=ch,
                    channel_units={"heart_rate_bpm": "bpm"} if channels else {}, sport="running",
                    sub_sport="trail", device="test watch", file_format="fit",
                    session=Session(distance_m=1797.0, avg_cadence_spm=170.0),
                    laps=[Lap(0.0, 300.0, 900.0)], name="Morning", warnings=["note"])


def test_codec_round_trip_keeps_values_within_their_resolution() -> None:
    a = _activity()
    blob = pack_activity(a)
    b = unpack_activity(blob)
    assert len(blob) < a.time_s.nbytes  # 8 arrays in less room than one float64 array
    np.testing.assert_allclose(b.time_s, a.time_s, atol=1e-3)
    np.testing.assert_allclose(b.lat_deg, a.lat_deg, atol=1e-7, equal_nan=True)
    assert np.isnan(b.lat_deg[5:9]).all()
    np.testing.assert_allclose(b.elevation_m, a.elevation_m, atol=1e-3)
    np.testing.assert_allclose(b.channels["cadence_spm"], a.channels["cadence_spm"], rtol=1e-6)
    assert (b.sport, b.sub_sport, b.device, b.name, b.start_time_utc) == (
        a.sport, a.sub_sport, a.device, a.name, a.start_time_utc)
    assert b.session == a.session
    assert b.laps == a.laps
    assert b.warnings == a.warnings
    assert b.channel_units == a.channel_units


def test_codec_on_a_real_recording() -> None:
    a = read_activity(data_path("fit/elevate__portland.fit"))
    b = unpack_activity(pack_activity(a))
    assert set(b.channels) == set(a.channels)
    for name, values in a.channels.items():
        np.testing.assert_allclose(b.channels[name], values, rtol=1e-6, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(b.lon_deg, a.lon_deg, atol=1e-7, equal_nan=True)


def test_migrations_are_ordered_recorded_and_applied_once(tmp_path: Path) -> None:
    names = [name for name, _ in migrations()]
    assert names == sorted(names)
    assert names[0] == "0001_runs"
    with SQLiteStore(tmp_path / "library.sqlite") as store:
        assert store.applied_migrations() == names
    with SQLiteStore(tmp_path / "library.sqlite") as store:  # reopening applies nothing again
        assert store.applied_migrations() == names
        assert store.execute("PRAGMA foreign_keys")[0][0] == 1
        columns = {r[1] for r in store.execute("PRAGMA table_info(runs)")}
    assert {"distance_m", "duration_s", "start_time_utc", "hip_load_index"} <= columns


def test_a_failed_transaction_stores_nothing(store: SQLiteStore | PostgresStore) -> None:
    record = build_record(_activity(), label="a.fit", content_sha256="a" * 64, baseline=None)

    def killed_midway() -> None:
        with store.transaction():
            store.add_run(record)
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        killed_midway()
    assert store.execute("SELECT COUNT(*) FROM runs")[0][0] == 0
    assert store.execute("SELECT COUNT(*) FROM form_minutes")[0][0] == 0
    assert store_record(store, record) == "imported"
    assert store_record(store, record) == "duplicate"
    # removing a run removes its samples, analysis, sources and form minutes with it
    with store.transaction():
        store.execute("DELETE FROM runs")
    assert store.integrity_problems() == []
    assert store.execute("SELECT COUNT(*) FROM sources")[0][0] == 0
    assert store.execute("SELECT COUNT(*) FROM run_samples")[0][0] == 0
    assert store.execute("SELECT COUNT(*) FROM form_minutes")[0][0] == 0


def test_the_richer_recording_becomes_primary(store: SQLiteStore | PostgresStore) -> None:
    poor = build_record(_activity(channels=False), label="phone.gpx", content_sha256="b" * 64,
                        baseline=None)
    rich = build_record(_activity(598), label="watch.fit", content_sha256="c" * 64, baseline=None)
    later = replace(rich, start_time_utc=datetime(2024, 5, 6, 9, 0, tzinfo=UTC),
                    source=replace(rich.source, content_sha256="d" * 64))
    assert store_record(store, poor) == "imported"
    assert store_record(store, rich) == "other_source"
    assert store_record(store, later) == "imported"  # a different run the same day
    (run, _) = store.list_runs()
    assert run.source_file == "watch.fit"
    assert run.sources == 2
    assert [s.file_path for s in store.get_sources(run.id)] == ["watch.fit", "phone.gpx"]
    assert store.integrity_problems() == []


def _invoke(*args: str) -> tuple[int, str, str]:
    command = {c.name: c for c in COMMANDS}[args[0]]
    result = CliRunner().invoke(command, list(args[1:]))
    return result.exit_code, result.stdout, result.stderr


def test_cli_import_failures_show_and_html(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_fit_run(tmp_path / "in" / "ok.fit", START, minutes=10)
    (tmp_path / "in" / "broken.gpx").write_text("<gpx></gpx>")
    home = str(tmp_path / "home")
    code, out, _ = _invoke("import", str(tmp_path / "in"), "--home", home, "--json", "--jobs", "1")
    summary = json.loads(out)
    assert code == 1  # one file failed
    assert summary["imported"] == 1
    assert summary["duplicates"] == 0
    assert [f["file"] for f in summary["failed"]] == [str(tmp_path / "in" / "broken.gpx")]
    code, out, _ = _invoke("runs", "--home", home, "--json")
    (run,) = json.loads(out)
    assert run["sport"] == "running"
    assert run["distance_m"] == pytest.approx(1797, abs=5)
    code, out, err = _invoke("show", "999", "--home", home)
    assert code != 0
    code, _, err = _invoke("show", str(run["id"]), "--home", home, "--html", str(tmp_path / "r.html"))
    assert code == 0, err
    assert (tmp_path / "r.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    code, out, err = _invoke("trends", "--home", home, "--json", "--html", str(tmp_path / "t.html"))
    assert code == 0, err
    assert json.loads(out)["weeks"][0]["week_start"] == "2024-05-06"
    assert "<svg" in (tmp_path / "t.html").read_text(encoding="utf-8")
    code, _, err = _invoke("export", "run", str(run["id"]), "--home", home)
    assert code == 2
    assert "exactly one" in err


def test_library_opens_read_only_connections_alongside(tmp_path: Path) -> None:
    with open_library(tmp_path) as store:
        store_record(store, build_record(_activity(), label="a.fit", content_sha256="e" * 64,
                                         baseline=None))
        with sqlite3.connect(f"file:{tmp_path / 'library.sqlite'}?mode=ro", uri=True) as reader:
            assert reader.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def _meta(value: RunMeta) -> dict[str, object]:
    return {f.name: getattr(value, f.name) for f in fields(RunMeta)}


def test_the_listing_row_carries_the_stored_metadata(store: RunStore) -> None:
    record = build_record(_activity(), label="a.fit", content_sha256="f" * 64, baseline=None)
    store_record(store, record)
    (summary,) = store.list_runs()
    assert isinstance(summary, RunMeta)
    assert isinstance(record, RunMeta)
    assert _meta(summary) == _meta(record)
    assert summary.end_time_utc == START + timedelta(seconds=599)
    assert (summary.sport, summary.sub_sport, summary.name) == ("running", "trail", "Morning")


def test_an_analysis_from_another_model_version_is_redone_when_shown(tmp_path: Path) -> None:
    """A run stored by an older hip-load model shows the current model's figures, not the old."""
    activity = _activity(channels=False)
    with open_library(tmp_path) as store:
        store_record(store, build_record(activity, label="a.fit", content_sha256="c" * 64,
                                         baseline=None))
        (run,) = store.list_runs()
        current = show_run(store, run.id)["hip_load"]
    stale = json.loads(json.dumps(current))
    stale.update(model_version=MODEL_VERSION - 1, index=9.99)
    with sqlite3.connect(tmp_path / "library.sqlite") as db:
        (doc,) = db.execute("SELECT analysis_json FROM run_analyses WHERE run_id = ?",
                            (run.id,)).fetchone()
        db.execute("UPDATE run_analyses SET analysis_json = ? WHERE run_id = ?",
                   (json.dumps({**json.loads(doc), "hip_load": stale}), run.id))
        db.execute("UPDATE runs SET hip_load_index = 9.99 WHERE id = ?", (run.id,))
    with open_library(tmp_path) as store:
        assert refresh_run(store, run.id)
        shown = show_run(store, run.id)["hip_load"]
        (listed,) = store.list_runs()
        assert not refresh_run(store, run.id)  # now current: nothing to redo
    assert shown["model_version"] == MODEL_VERSION
    assert shown["index"] == current["index"] != 9.99
    assert listed.hip_load_index == pytest.approx(current["index"], abs=1e-4)


def test_a_damaged_sample_blob_is_a_storage_error_naming_the_run(tmp_path: Path) -> None:
    blob = pack_activity(_activity())
    for damaged in (b"junk", blob[:40], blob[:-30]):
        with pytest.raises(StorageError, match=r"^a stored run: its stored samples cannot be read"):
            unpack_activity(damaged)
    with pytest.raises(StorageError, match=r"not a hipstride sample blob"):
        unpack_activity(b"junk")
    with open_library(tmp_path) as store:
        store_record(store, build_record(_activity(), label="a.fit", content_sha256="a" * 64,
                                         baseline=None))
        (run,) = store.list_runs()
    with sqlite3.connect(tmp_path / "library.sqlite") as db:
        db.execute("UPDATE run_samples SET data = ? WHERE run_id = ?", (b"HSS1\x00", run.id))
    with open_library(tmp_path) as store, pytest.raises(StorageError, match=rf"^run {run.id}: "):
        rebuild_analysis(store, run.id)


def test_a_file_that_is_not_a_library_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite"
    path.write_bytes(b"this is not an SQLite database, but it is long enough to look like one" * 20)
    with pytest.raises(StorageError, match="cannot open the run library"):
        SQLiteStore(path)


def test_a_library_locked_by_another_writer_is_a_storage_error(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hipstride.library.sqlite.BUSY_TIMEOUT_S", 0.05)
    with open_library(tmp_path) as store:
        other = sqlite3.connect(tmp_path / "library.sqlite", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        try:
            with pytest.raises(StorageError, match="cannot write to the run library"), store.transaction():
                pass
        finally:
            other.execute("ROLLBACK")
            other.close()
        with store.transaction():  # free again
            pass
