"""The run-store protocol, method by method, on both stores (the ``store`` fixture runs each test
on SQLite and on PostgreSQL): the same calls give the same answers."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from hipstride.library.store import AnalysisRecord, JournalRecord, RunStore
from tests.test_journal_support import add_run

DAY = date(2024, 5, 6)


def test_a_stored_run_reads_back_whole(store: RunStore) -> None:
    run_id = add_run(store, DAY, 10.0, cadence_spm=172.0, name="tempo")
    (run,) = store.list_runs()
    assert run == store.get_run(run_id)
    assert (run.id, run.name, run.sport, run.distance_m, run.samples, run.sources) == (
        run_id, "tempo", "running", 10_000.0, 10, 1)
    assert run.start_time_utc == datetime(2024, 5, 6, 7, 0, tzinfo=UTC)
    analysis = store.get_analysis(run_id)
    assert analysis is not None
    assert analysis[0]["hip_load"]["index"] == 1.05
    assert store.get_samples(run_id) == b"\0"
    (source,) = store.get_sources(run_id)
    assert source.is_primary
    assert store.known_hashes() == {source.content_sha256}
    assert store.run_for_hash(source.content_sha256) == run_id
    assert store.run_for_hash("0" * 64) is None
    assert list(store.iter_run_ids()) == [run_id]
    minutes = store.form_minutes()
    assert len(minutes.run_id) == int(10_000 / 3.0 // 60)
    assert set(minutes.run_id.tolist()) == {run_id}
    np.testing.assert_array_equal(minutes.values["cadence_spm"], 172.0)
    assert minutes.devices == {run_id: "test watch"}


def test_ids_that_are_no_run_find_nothing(store: RunStore) -> None:
    add_run(store, DAY, 5.0)
    assert store.get_run(10**23) is None  # past 64 bits: no run, not a crash
    for missing in (0, -1, 999_999):
        assert store.get_run(missing) is None
        assert store.get_analysis(missing) is None
        assert store.get_samples(missing) is None
        assert store.get_sources(missing) == []
        with store.transaction():
            assert not store.delete_run(missing)
            assert not store.set_sport_label(missing, "cycling")


def test_listing_order_and_sport_labels(store: RunStore) -> None:
    late = add_run(store, DAY + timedelta(days=2), 8.0)
    early = add_run(store, DAY, 6.0)
    ride = add_run(store, DAY + timedelta(days=1), 30.0, sport="cycling")
    assert [r.id for r in store.list_runs()] == [early, ride, late]
    assert [r.id for r in store.list_runs(sport="running")] == [early, late]
    with store.transaction():
        assert store.set_sport_label(late, "walking")
    assert [r.id for r in store.list_runs(sport="running")] == [early]
    walk = store.get_run(late)
    assert walk is not None
    assert walk.sport == "walking"
    assert walk.cross_training
    assert late not in set(store.form_minutes().devices)
    with store.transaction():
        assert store.set_sport_label(late, None)
    again = store.get_run(late)
    assert again is not None
    assert again.sport == "running"


def test_analysis_updates_and_baseline_marks(store: RunStore) -> None:
    run_id = add_run(store, DAY, 5.0)
    before = store.analysis_states()[run_id]
    assert before.baseline_signature == ""
    assert before.baseline_as_of_utc == ""
    doc = {"activity": {}, "form": {}, "hip_load": {"index": 1.2}}
    new = AnalysisRecord(json.dumps(doc), 2, "sig", {"distance_m": 5100.0, "hip_load_index": 1.2})
    with store.transaction():
        store.update_analysis(run_id, new)
        store.mark_baseline_current([run_id], "2024-06-01T00:00:00.000000Z")
    assert store.get_analysis(run_id) == (doc, "sig")
    after = store.analysis_states()[run_id]
    assert (after.baseline_signature, after.baseline_as_of_utc) == ("sig", "2024-06-01T00:00:00.000000Z")
    assert after.imported_at_utc == before.imported_at_utc
    run = store.get_run(run_id)
    assert run is not None
    assert (run.distance_m, run.hip_load_index, run.duration_s) == (5100.0, 1.2, None)


def test_overlapping_runs_and_other_sources(store: RunStore) -> None:
    run_id = add_run(store, DAY, 5.0)
    start = datetime(2024, 5, 6, 7, 0, tzinfo=UTC)
    (found,) = store.overlapping_runs(start + timedelta(seconds=30), start, 60.0)
    assert found[0] == run_id
    assert found[1] == start
    assert found[3] == (0, 0, 1, 10)  # "cadence_spm" is no channel here: no cadence given
    assert store.overlapping_runs(start + timedelta(hours=1), start, 60.0) == []
    (primary,) = store.get_sources(run_id)
    with store.transaction():
        store.add_source(run_id, replace(primary, file_path="phone.gpx", content_sha256="9" * 64,
                                         is_primary=False))
    assert [s.file_path for s in store.get_sources(run_id)] == [primary.file_path, "phone.gpx"]
    assert store.run_for_hash("9" * 64) == run_id
    listed = store.get_run(run_id)
    assert listed is not None
    assert listed.sources == 2


def test_deleting_a_run_keeps_its_journal_entry(store: RunStore) -> None:
    run_id = add_run(store, DAY, 5.0)
    keep = add_run(store, DAY + timedelta(days=1), 5.0)
    with store.transaction():
        store.put_journal_entry(JournalRecord(DAY, pain_during=3.0, sites=("hip",), run_id=run_id))
        assert store.delete_run(run_id)
        assert not store.delete_run(run_id)
    assert [r.id for r in store.list_runs()] == [keep]
    assert store.get_samples(run_id) is None
    assert store.get_analysis(run_id) is None
    assert set(store.form_minutes().devices) <= {keep}
    (entry,) = store.journal_entries()
    assert (entry.pain_during, entry.sites, entry.run_id) == (3.0, ("hip",), None)


def test_journal_entries_replace_by_date_and_list_in_ranges(store: RunStore) -> None:
    days = [DAY + timedelta(days=k) for k in range(4)]
    with store.transaction():
        for k, day in enumerate(days):
            assert not store.put_journal_entry(JournalRecord(day, pain_after=float(k),
                                                             flags=("night-pain",) if k else ()))
        assert store.put_journal_entry(JournalRecord(days[1], pain_morning=2.5, side="left",
                                                     better="rest", worse="hills",
                                                     morning_stiffness_min=15.0,
                                                     created_at_utc="2024-05-07T08:00:00.000000Z"))
    entries = store.journal_entries()
    assert [e.entry_date for e in entries] == days
    assert entries[1] == JournalRecord(days[1], None, None, 2.5, 15.0, (), "left", "rest", "hills",
                                       (), None, "2024-05-07T08:00:00.000000Z")
    assert entries[2].flags == ("night-pain",)
    assert [e.entry_date for e in store.journal_entries(since=days[1], until=days[2])] == days[1:3]
    assert [e.entry_date for e in store.journal_entries(until=days[0])] == days[:1]
    with store.transaction():
        assert store.delete_journal_entry(days[0])
        assert not store.delete_journal_entry(days[0])
    assert [e.entry_date for e in store.journal_entries()] == days[1:]


def test_a_failed_write_leaves_the_store_as_it_was(store: RunStore) -> None:
    add_run(store, DAY, 5.0)

    def stopped_midway() -> None:
        with store.transaction():
            store.put_journal_entry(JournalRecord(DAY, pain_during=1.0))
            assert store.delete_run(next(iter(store.iter_run_ids())))
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        stopped_midway()
    assert len(store.list_runs()) == 1
    assert store.journal_entries() == []


def test_runs_without_a_start_time_are_listed_last(store: RunStore) -> None:
    dated = add_run(store, DAY, 5.0)
    stored = store.stored_run(dated)
    assert stored is not None
    record = replace(stored.record, start_time_utc=None, end_time_utc=None, time_is_relative=True,
                     source=replace(stored.record.source, content_sha256="5" * 64))
    with store.transaction():
        undated = [store.add_run(record), store.add_run(replace(
            record, source=replace(record.source, content_sha256="6" * 64)))]
    earlier = add_run(store, DAY - timedelta(days=3), 4.0)
    assert [r.id for r in store.list_runs()] == [earlier, dated, *undated]
    assert [r.start_time_utc for r in store.list_runs()][2:] == [None, None]
