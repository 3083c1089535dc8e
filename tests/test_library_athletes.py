"""Athletes: every run, source, journal entry, form check and re-analysis log row belongs to one
athlete, and no method of a store opened for one athlete returns or changes another's rows.

The checks take an opened store (``athlete_store``: a factory of stores on one database, one per
athlete name) so that the same test runs on every store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hipstride.cli import main
from hipstride.errors import InputError, StorageError
from hipstride.library import open_library
from hipstride.library.api import open_store
from hipstride.library.form_checks import add_form_check, form_checks
from hipstride.library.importer import import_paths
from hipstride.library.store import DEFAULT_ATHLETE, AnalysisRecord, JournalRecord, RunStore
from tests.conftest import data_path

StoreFor = Callable[[str], RunStore]

FILES = ("fit/elevate__bloemendaal.fit", "gpx/runpandas__run.gpx", "tcx/runpandas__basic.tcx")


@pytest.fixture(params=["sqlite", "postgresql"])
def athlete_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFor]:
    """Stores on one library, one per athlete name (closed at the end): an SQLite file, and a
    PostgreSQL database (a fresh schema)."""
    opened: list[RunStore] = []
    where = (f"sqlite:{tmp_path / 'club.sqlite'}" if request.param == "sqlite"
             else request.getfixturevalue("postgres_dsn"))

    def store_for(name: str) -> RunStore:
        store = open_store(where, home=tmp_path, athlete=name)
        opened.append(store)
        return store

    yield store_for
    for store in opened:
        store.close()


def _fill(store: RunStore, day: date, files: tuple[str, ...]) -> list[int]:
    """Import real recordings, a journal entry and a form check; return the run ids."""
    summary = import_paths(store, [data_path(f) for f in files], jobs=1)
    assert summary.imported == len(files), summary
    ids = list(store.iter_run_ids())
    with store.transaction():
        store.put_journal_entry(JournalRecord(day, pain_during=2.0, sites=("hip",), run_id=ids[0]))
        store.set_sport_label(ids[-1], "running")
        store.record_reanalysis("job-1", ids)
    add_form_check(store, {"view": "side", "source": f"{store.athlete}.mp4",
                           "quality": {"passed": True}, "metrics": {}}, run_id=ids[0])
    return ids


def _everything(store: RunStore, ids: list[int]) -> dict[str, Any]:
    """What every read of the protocol gives for this athlete and these run ids."""
    minutes = store.form_minutes()
    return {
        "runs": [r.to_dict() for r in store.list_runs()],
        "ids": list(store.iter_run_ids()),
        "hashes": sorted(store.known_hashes()),
        "analyses": [store.get_analysis(i) is not None for i in ids],
        "samples": [store.get_samples(i) is not None for i in ids],
        "sources": [len(store.get_sources(i)) for i in ids],
        "runs_by_id": [store.get_run(i) is not None for i in ids],
        "states": sorted(store.analysis_states()),
        "minutes": sorted(set(minutes.run_id.tolist())),
        "journal": [(e.entry_date, e.run_id) for e in store.journal_entries()],
        "checks": [(c.run_id, c.source) for c in form_checks(store)],
        "check_rows": len(store.form_check_rows(run_id=ids[0])),
        "log": sorted(store.reanalysed_ids("job-1")),
        "overlap": [o[0] for o in store.overlapping_runs(
            datetime(2000, 1, 1, tzinfo=UTC), datetime(2000, 1, 1, tzinfo=UTC), 1e10)],
    }


def test_no_read_of_one_athlete_returns_another_athletes_rows(athlete_store: StoreFor) -> None:
    ann, bob = athlete_store("ann"), athlete_store("bob")
    ann_ids = _fill(ann, date(2024, 5, 6), FILES[:2])
    bob_ids = _fill(bob, date(2024, 5, 6), FILES[1:])  # one file both imported, one date both logged
    assert not set(ann_ids) & set(bob_ids)
    mine, theirs = _everything(ann, ann_ids), _everything(ann, bob_ids)
    assert mine["ids"] == ann_ids
    assert sorted(mine["states"]) == ann_ids
    assert mine["log"] == ann_ids
    assert mine["minutes"]
    assert set(mine["minutes"]) <= set(ann_ids)
    assert {r["id"] for r in mine["runs"]} == set(ann_ids)
    assert set(mine["overlap"]) <= set(ann_ids)
    assert mine["journal"] == [(date(2024, 5, 6), ann_ids[0])]
    assert ann.reanalysed_ids("job-1", among=[ann_ids[0], bob_ids[0]]) == {ann_ids[0]}
    assert ann.reanalysed_ids("job-2", among=ann_ids) == set()
    assert mine["checks"] == [(ann_ids[0], "ann.mp4")]
    # bob's run ids read through ann's store are no runs at all
    assert theirs["analyses"] == theirs["samples"] == theirs["runs_by_id"] == [False, False]
    assert theirs["sources"] == [0, 0]
    assert theirs["check_rows"] == 0
    # and the other way round
    assert {r["id"] for r in _everything(bob, bob_ids)["runs"]} == set(bob_ids)
    assert [c for c, _ in _everything(bob, bob_ids)["checks"]] == [bob_ids[0]]
    assert sorted(a.name for a in ann.athletes()) == ["ann", "bob"]


def test_no_write_of_one_athlete_changes_another_athletes_rows(athlete_store: StoreFor) -> None:
    ann, bob = athlete_store("ann"), athlete_store("bob")
    ann_ids = _fill(ann, date(2024, 5, 6), FILES[:1])
    bob_ids = _fill(bob, date(2024, 5, 6), FILES[:1])
    before = _everything(bob, bob_ids)
    analysis = ann.get_analysis(ann_ids[0])
    assert analysis is not None
    with ann.transaction():
        assert not ann.delete_run(bob_ids[0])
        assert not ann.set_sport_label(bob_ids[0], "cycling")
        ann.mark_baseline_current(bob_ids, "2030-01-01T00:00:00.000000Z")
        ann.record_reanalysis("job-1", bob_ids)
        # ann's own journal day is replaced and deleted; bob's entry of that date stays
        ann.put_journal_entry(JournalRecord(date(2024, 5, 6), pain_during=9.0, run_id=bob_ids[0]))
        assert [e.run_id for e in ann.journal_entries()] == [None]  # not bob's run
        assert ann.delete_journal_entry(date(2024, 5, 6))
    stored = bob.get_analysis(bob_ids[0])
    assert stored is not None
    with pytest.raises(StorageError, match="no run"), ann.transaction():
        ann.update_analysis(bob_ids[0], replace(_record_of(stored), analysis_json="{}"))
    assert _everything(bob, bob_ids) == before
    assert bob.reanalysed_ids("job-1") == set(bob_ids)
    with ann.transaction():
        assert ann.delete_run(ann_ids[0])
    assert _everything(bob, bob_ids) == before


def _record_of(stored: tuple[dict[str, Any], str]) -> AnalysisRecord:
    return AnalysisRecord(analysis_json=json.dumps(stored[0]), schema_version=1,
                          baseline_signature=stored[1], headline={})


def test_a_new_athlete_reads_an_empty_library_and_is_made_by_the_first_write(
        athlete_store: StoreFor) -> None:
    carl = athlete_store("carl")
    assert carl.list_runs() == []
    assert carl.journal_entries() == []
    assert carl.athletes() == []
    with carl.transaction():
        carl.put_journal_entry(JournalRecord(date(2024, 1, 2), pain_morning=1.0))
    assert [a.name for a in carl.athletes()] == ["carl"]
    # a transaction that fails makes no athlete either
    dora = athlete_store("dora")

    def killed_midway() -> None:
        with dora.transaction():
            dora.put_journal_entry(JournalRecord(date(2024, 1, 2)))
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        killed_midway()
    assert [a.name for a in dora.athletes()] == ["carl"]


def test_a_library_from_before_athletes_keeps_its_data_as_the_default_athlete(tmp_path: Path) -> None:
    with open_library(tmp_path) as store:
        import_paths(store, [data_path(FILES[0])], jobs=1)
        with store.transaction():
            store.put_journal_entry(JournalRecord(date(2024, 5, 6), pain_after=3.0))
        assert store.athlete == DEFAULT_ATHLETE
        assert [a.name for a in store.athletes()] == [DEFAULT_ATHLETE]
        # the same file for another athlete is that athlete's run, not a duplicate
        other = store.with_athlete("eve")
        try:
            assert import_paths(other, [data_path(FILES[0])], jobs=1).imported == 1
        finally:
            other.close()
        assert len(store.list_runs()) == 1


def test_open_store_reads_its_address_and_athlete(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(home=tmp_path) as default:
        assert default.athlete == DEFAULT_ATHLETE
        assert default.url == f"sqlite:{(tmp_path / 'library.sqlite').resolve()}"
    monkeypatch.setenv("HIPSTRIDE_ATHLETE", "fay")
    monkeypatch.setenv("HIPSTRIDE_DB", f"sqlite:///{tmp_path / 'x.sqlite'}")
    with open_store(home=tmp_path) as store:
        assert store.athlete == "fay"
        assert store.url.endswith("x.sqlite")
    for bad in ("mysql://host/db", "sqlite:"):
        with pytest.raises(InputError, match="database"):
            open_store(bad, home=tmp_path)
    with pytest.raises(InputError, match="athlete"):
        open_store(home=tmp_path, athlete=" ")


def test_the_cli_keeps_each_athletes_runs_and_journal_apart(tmp_path: Path) -> None:
    runner = CliRunner()
    home = ["--home", str(tmp_path)]
    for who, f in (("ann", FILES[0]), ("bob", FILES[1])):
        done = runner.invoke(main, ["import", str(data_path(f)), *home, "--athlete", who])
        assert done.exit_code == 0, done.output
        done = runner.invoke(main, ["journal", "add", *home, "--athlete", who, "--entry",
                                    json.dumps({"date": "2024-05-06", "pain_during": 1})])
        assert done.exit_code == 0, done.output
    replies = {who: runner.invoke(main, ["runs", "--json", *home, "--athlete", who])
               for who in ("ann", "bob", DEFAULT_ATHLETE)}
    listed = {who: json.loads(reply.stdout) for who, reply in replies.items()}
    # a name the library does not have (a typo, say) is pointed out, not silently empty
    assert "no athlete named 'default' (its athletes: ann, bob)" in replies[DEFAULT_ATHLETE].stderr
    assert replies["ann"].stderr == ""
    assert [Path(r["source_file"]).name for r in listed["ann"]] == [Path(FILES[0]).name]
    assert [Path(r["source_file"]).name for r in listed["bob"]] == [Path(FILES[1]).name]
    assert listed[DEFAULT_ATHLETE] == []
