"""``hipstride db migrate`` and ``hipstride db copy``: a runner's SQLite library of real recordings
moved into PostgreSQL reads back the same (listing, analyses, samples, sources, form minutes,
journal, form checks), and copying again adds nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from click.testing import CliRunner, Result

from hipstride.cli import main
from hipstride.library._pg_connect import migrations as pg_migrations
from hipstride.library.api import open_store
from hipstride.library.form_checks import add_form_check
from hipstride.library.importer import import_paths
from hipstride.library.store import JournalRecord, RunStore
from tests.conftest import data_path

FILES = ("fit/elevate__bloemendaal.fit", "fit/elevate__portland.fit", "gpx/runpandas__run.gpx",
         "tcx/runpandas__basic.tcx", "gpx/gpxpy__cerknicko-jezero.gpx")


def _db(*args: str) -> Result:
    return CliRunner().invoke(main, ["db", *args])


def _runner_library(path: Path) -> list[int]:
    """A runner's library: real recordings, a relabelled run, a second file of one run, journal
    entries (one tied to a run) and a form check."""
    with open_store(f"sqlite:{path}") as store:
        summary = import_paths(store, [data_path(f) for f in FILES], jobs=1)
        assert summary.imported == len(FILES), summary
        ids = list(store.iter_run_ids())
        (primary,) = store.get_sources(ids[0])
        with store.transaction():
            store.set_sport_label(ids[1], "walking")
            store.add_source(ids[0], replace(primary, file_path="phone.gpx", content_sha256="7" * 64,
                                             is_primary=False))
            store.put_journal_entry(JournalRecord(date(2024, 3, 1), pain_during=3.0, sites=("hip",),
                                                  flags=("night-pain",), run_id=ids[2]))
            store.put_journal_entry(JournalRecord(date(2024, 3, 2), pain_morning=1.0))
        add_form_check(store, {"view": "side", "source": "clip.mp4", "quality": {"passed": True},
                               "metrics": {"cadence_spm": {"median": 171.0}}}, run_id=ids[0])
        return ids


def _contents(store: RunStore) -> dict[str, Any]:
    """Everything a library holds, with run ids replaced by their position in id order."""
    ids = list(store.iter_run_ids())
    pos = {run_id: k for k, run_id in enumerate(ids)}
    minutes = store.form_minutes()
    return {
        "runs": [{**r.to_dict(), "id": pos[r.id]} for r in store.list_runs()],
        "analyses": [store.get_analysis(i) for i in ids],
        "samples": [store.get_samples(i) for i in ids],
        "sources": [store.get_sources(i) for i in ids],
        "states": [store.analysis_states()[i] for i in ids],
        "stored": [replace(s, record=replace(s.record, form_minutes=[]))
                   for s in (store.stored_run(i) for i in ids) if s is not None],
        "minute_runs": [pos[int(i)] for i in minutes.run_id],
        "minute_values": {k: [None if np.isnan(x) else float(x) for x in v]
                          for k, v in minutes.values.items()},
        "journal": [replace(e, run_id=None if e.run_id is None else pos[e.run_id])
                    for e in store.journal_entries()],
        "checks": [replace(c, id=None, run_id=None if c.run_id is None else pos[c.run_id])
                   for c in store.form_check_rows()],
    }


def test_copy_moves_a_runners_library_whole_and_once(tmp_path: Path, postgres_dsn: str) -> None:
    source = tmp_path / "mine.sqlite"
    _runner_library(source)
    first = _db("copy", "--from", f"sqlite:{source}", "--to", postgres_dsn, "--json")
    assert first.exit_code == 0, first.output
    (report,) = json.loads(first.stdout)["athletes"]
    assert report == {"athlete": "default", "runs_added": len(FILES), "runs_present": 0,
                      "journal_added": 2, "journal_present": 0, "form_checks_added": 1,
                      "form_checks_present": 0}
    with open_store(f"sqlite:{source}") as mine, open_store(postgres_dsn) as club:
        copied = _contents(club)
        assert copied == _contents(mine)
        assert [r["sport"] for r in copied["runs"]].count("walking") == 1
        assert len(copied["minute_runs"]) > 0
        np.testing.assert_array_equal(mine.form_minutes().start_s, club.form_minutes().start_s)
    again = _db("copy", "--from", f"sqlite:{source}", "--to", postgres_dsn)
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("default: 0 runs, 0 journal entries and 0 form checks copied; "
                                   f"already there: {len(FILES)} runs, 2 entries, 1 checks")
    with open_store(postgres_dsn) as club:
        assert _contents(club) == copied
    # under another name, as a club keeps its runners apart: the same again, for "anna"
    renamed = _db("copy", "--from", f"sqlite:{source}", "--to", postgres_dsn, "--as", "anna")
    assert renamed.exit_code == 0, renamed.output
    with open_store(postgres_dsn, athlete="anna") as anna, open_store(postgres_dsn) as default:
        assert _contents(anna) == copied
        assert _contents(default) == copied
        assert [a.name for a in anna.athletes()] == ["anna", "default"]


def test_copy_refuses_what_it_cannot_do_in_one_line(tmp_path: Path, postgres_dsn: str) -> None:
    source = tmp_path / "mine.sqlite"
    with open_store(f"sqlite:{source}") as store, store.transaction():
        store.put_journal_entry(JournalRecord(date(2024, 3, 2), pain_morning=1.0))
    for args, message in (
            (["--to", "postgresql://coach:s3cret@127.0.0.1:1/club"],
             "postgresql://coach@127.0.0.1:1/club: cannot reach the database ("),
            (["--to", "mysql://db/club"], "mysql:// is not a kind hipstride stores in"),
            (["--to", postgres_dsn, "--athlete", "nobody"], "no athlete 'nobody' to copy")):
        result = _db("copy", "--from", f"sqlite:{source}", *args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "s3cret" not in result.stderr


def test_migrate_applies_each_migration_once(postgres_dsn: str, tmp_path: Path) -> None:
    names = [name for name, _ in pg_migrations()]
    first = _db("migrate", "--db", postgres_dsn, "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["applied_now"] == names
    again = _db("migrate", "--db", postgres_dsn)
    assert again.exit_code == 0, again.output
    assert f"{len(names)} migrations (last {names[-1]}); applied now: none" in again.stdout
    local = _db("migrate", "--home", str(tmp_path), "--json")
    assert local.exit_code == 0, local.output
    assert json.loads(local.stdout)["applied"][-1] == "0012_reanalysis_log"


def test_copy_into_another_sqlite_file_goes_through_the_protocol(tmp_path: Path) -> None:
    source, target = tmp_path / "mine.sqlite", tmp_path / "copy.sqlite"
    _runner_library(source)
    for _ in range(2):  # the second time adds nothing
        result = _db("copy", "--from", f"sqlite:{source}", "--to", f"sqlite:{target}")
        assert result.exit_code == 0, result.output
    assert "default: 0 runs, 0 journal entries and 0 form checks copied" in result.stdout
    kept = ("runs", "analyses", "samples", "minute_runs", "minute_values", "journal", "checks")
    with open_store(f"sqlite:{source}") as mine, open_store(f"sqlite:{target}") as copy:
        theirs, ours = _contents(copy), _contents(mine)
        assert {k: theirs[k] for k in kept} == {k: ours[k] for k in kept}
        # every file of every run, with its content hash (the import times are the copy's own)
        assert [[(s.file_path, s.content_sha256, s.is_primary) for s in run] for run in theirs["sources"]] == \
            [[(s.file_path, s.content_sha256, s.is_primary) for s in run] for run in ours["sources"]]
