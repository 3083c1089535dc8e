"""Correcting the record: ``journal edit`` / ``delete``, ``runs delete`` / ``relabel``, and that
the decision and weekly load follow the corrections."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hipstride.cli import main
from hipstride.journal.today import decide_today
from hipstride.library.api import SPORTS, trends_document
from hipstride.library.postgres import PostgresStore
from hipstride.library.sqlite import SQLiteStore
from tests.test_journal_support import add_run, cli, library

#: every test here runs on SQLite and on PostgreSQL
pytestmark = pytest.mark.usefixtures("library_backend")

DAY = "2024-03-01"
ENTRY = {"date": DAY, "pain_during": 3, "pain_morning": 1, "where": ["hip", "groin"],
         "side": "left", "flags": ["night-pain"]}


def hipstride(*args: str, home: Path) -> Result:
    return CliRunner().invoke(main, [*args, "--home", str(home)])


def _entry(home: Path) -> dict[str, object]:
    result = cli("journal", "list", "--json", home=home)
    assert result.exit_code == 0, result.output
    (listed,) = json.loads(result.stdout)
    assert isinstance(listed, dict)
    return listed


def test_edit_replaces_the_fields_it_names_and_keeps_the_rest(tmp_path: Path) -> None:
    assert cli("journal", "add", "--entry", json.dumps(ENTRY), home=tmp_path).exit_code == 0
    result = cli("journal", "edit", DAY, "--pain-during", "4", "--where", "outer-hip",
                 home=tmp_path)
    assert result.exit_code == 0, result.output
    assert f"Edited the journal entry for {DAY}" in result.stdout
    listed = _entry(tmp_path)
    assert listed["pain_during"] == 4
    assert listed["where"] == ["outer-hip"]  # replaced, not added to (unlike `add`)
    assert listed["pain_morning"] == 1
    assert listed["flags"] == ["night-pain"]


def test_edit_clears_a_field_given_empty(tmp_path: Path) -> None:
    assert cli("journal", "add", "--entry", json.dumps(ENTRY), home=tmp_path).exit_code == 0
    result = cli("journal", "edit", DAY, "--pain-during", "", "--flag", "", home=tmp_path)
    assert result.exit_code == 0, result.output
    listed = _entry(tmp_path)
    assert listed["pain_during"] is None
    assert listed["flags"] == []
    assert listed["where"] == ["hip", "groin"]


def test_edit_without_changes_says_so(tmp_path: Path) -> None:
    assert cli("journal", "add", "--entry", json.dumps(ENTRY), home=tmp_path).exit_code == 0
    for args in ((), ("--pain-during", "3")):
        result = cli("journal", "edit", DAY, *args, home=tmp_path)
        assert result.exit_code == 0, result.output
        assert "Nothing changed" in result.stdout
    assert _entry(tmp_path)["pain_during"] == 3


def test_edit_and_delete_of_a_missing_day_are_clear_errors(tmp_path: Path) -> None:
    assert cli("journal", "add", "--entry", json.dumps(ENTRY), home=tmp_path).exit_code == 0
    for command in (("edit", "2024-03-02", "--pain-during", "2"), ("delete", "2024-03-02")):
        result = cli("journal", *command, home=tmp_path)
        assert result.exit_code != 0
        assert "no journal entry for 2024-03-02" in result.output
        assert "Traceback" not in result.output
    bad = cli("journal", "delete", "yesterday", home=tmp_path)
    assert bad.exit_code != 0
    assert "DATE: expected a date as YYYY-MM-DD" in bad.output
    assert _entry(tmp_path)["pain_during"] == 3  # nothing was touched


def test_delete_removes_the_day_and_the_decision_follows(tmp_path: Path) -> None:
    today = date.today()
    high = {"date": today.isoformat(), "pain_morning": 8}
    assert cli("journal", "add", "--entry", json.dumps(high), home=tmp_path).exit_code == 0
    with library(tmp_path) as store:
        assert decide_today(store, today=today).decision == "rest"
    result = cli("journal", "delete", today.isoformat(), home=tmp_path)
    assert result.exit_code == 0, result.output
    assert f"Deleted the journal entry for {today.isoformat()}" in result.stdout
    with library(tmp_path) as store:
        assert decide_today(store, today=today).decision == "run"
    assert json.loads(cli("journal", "list", "--json", home=tmp_path).stdout) == []


def test_replace_with_nothing_but_the_date_changes_nothing(tmp_path: Path) -> None:
    assert cli("journal", "add", "--entry", json.dumps(ENTRY), home=tmp_path).exit_code == 0
    result = cli("journal", "add", "--replace", "--entry", json.dumps({"date": DAY}),
                 home=tmp_path)
    assert result.exit_code == 0, result.output
    assert "Nothing changed" in result.stdout
    assert _entry(tmp_path)["pain_during"] == 3


def test_runs_delete_removes_the_run_and_keeps_the_journal_entry(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        run_id = add_run(store, date(2024, 3, 1), 8.0)
        other = add_run(store, date(2024, 3, 3), 5.0)
    entry = {**ENTRY, "run_id": run_id}
    assert cli("journal", "add", "--entry", json.dumps(entry), home=tmp_path).exit_code == 0
    result = hipstride("runs", "delete", str(run_id), home=tmp_path)
    assert result.exit_code == 0, result.output
    assert f"Deleted run {run_id}" in result.stdout
    with library(tmp_path) as store:
        assert [r.id for r in store.list_runs()] == [other]
        assert store.get_samples(run_id) is None
        assert store.get_analysis(run_id) is None
        assert store.get_sources(run_id) == []
        assert isinstance(store, SQLiteStore | PostgresStore)
        assert store.integrity_problems() == []
    listed = _entry(tmp_path)
    assert listed["run_id"] is None
    assert listed["pain_during"] == 3


def test_runs_delete_and_relabel_of_a_missing_id_fail_clearly(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        add_run(store, date(2024, 3, 1), 8.0)
    for args in (("delete", "99"), ("relabel", "99", "--sport", "walking")):
        result = hipstride("runs", *args, home=tmp_path)
        assert result.exit_code != 0
        assert "no run with id 99 in the library" in result.output
        assert "Traceback" not in result.output
    wrong = hipstride("runs", "relabel", "1", "--sport", "skating", home=tmp_path)
    assert wrong.exit_code != 0
    assert "unknown sport 'skating'" in wrong.output
    with library(tmp_path) as store:
        assert [r.sport for r in store.list_runs()] == ["running"]


def test_the_runs_listing_still_works_as_before(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        add_run(store, date(2024, 3, 1), 8.0)
        add_run(store, date(2024, 3, 2), 3.0, sport="walking")
    result = hipstride("runs", "--json", "--sport", "walking", home=tmp_path)
    assert result.exit_code == 0, result.output
    assert [r["sport"] for r in json.loads(result.stdout)] == ["walking"]
    assert "walking" in hipstride("runs", home=tmp_path).stdout


def test_relabel_is_honoured_by_weekly_load_the_decision_and_the_listing(tmp_path: Path) -> None:
    today = date(2024, 3, 20)  # a Wednesday
    monday = today - timedelta(days=today.weekday())
    with library(tmp_path) as store:
        for w in (3, 2, 1):
            add_run(store, monday - timedelta(weeks=w), 10.0)
        ride = add_run(store, monday, 25.0)  # a ride the watch recorded as a run
        assert decide_today(store, today=today).decision == "modify"
    result = hipstride("runs", "relabel", str(ride), "--sport", "Cycling", home=tmp_path)
    assert result.exit_code == 0, result.output
    assert f"Run {ride} is now cycling (it was running)" in result.stdout
    with library(tmp_path) as store:
        assert store.get_run(ride) is not None
        assert store.get_run(ride).sport == "cycling"  # type: ignore[union-attr]
        assert [r.id for r in store.list_runs(sport="cycling")] == [ride]
        assert decide_today(store, today=today).decision == "run"
        weeks = trends_document(store)["weeks"]
        assert [w["distance_m"] for w in weeks] == [10000.0] * 3  # the ride's week holds no running


def test_the_relabel_help_names_every_sport() -> None:
    runner = CliRunner()
    text = " ".join(runner.invoke(main, ["runs", "relabel", "--help"]).output.split())
    for sport in SPORTS:
        assert sport in text
