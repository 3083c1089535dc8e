"""The pain journal: ``hipstride journal add`` / ``list`` and its storage in the run library (on
SQLite and on PostgreSQL: ``library_backend``)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from hipstride.errors import InputError
from hipstride.journal.entry import FLAGS, JournalEntry
from hipstride.journal.store import add_entry, entry_from_mapping, list_entries
from hipstride.library._pg_connect import migrations as pg_migrations
from hipstride.library.postgres import PostgresStore
from hipstride.library.sqlite import SQLiteStore, migrations
from tests.test_journal_support import add_run, cli, library

#: every test here runs on SQLite and on PostgreSQL
pytestmark = pytest.mark.usefixtures("library_backend")

ENTRY = {"date": "2024-03-01", "pain_during": 3, "pain_after": 4, "pain_morning": 1,
         "where": ["hip"], "side": "left", "flags": []}


def _listed(home: Path) -> list[dict[str, object]]:
    result = cli("journal", "list", "--json", home=home)
    assert result.exit_code == 0, result.output
    listed: list[dict[str, object]] = json.loads(result.stdout)
    return listed


def test_migration_adds_the_journal_table(tmp_path: Path) -> None:
    assert "0004_journal" in [name for name, _ in migrations()]
    assert "0003_journal" in [name for name, _ in pg_migrations()]
    with library(tmp_path) as store:
        if isinstance(store, PostgresStore):
            assert "0003_journal" in store.applied_migrations()
            columns = {r[0] for r in store.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'journal_entries'")}
        else:
            assert isinstance(store, SQLiteStore)
            assert "0004_journal" in store.applied_migrations()
            columns = {r[1] for r in store.execute("PRAGMA table_info(journal_entries)")}
    assert columns == {"id", "entry_date", "pain_during", "pain_after", "pain_morning",
                       "morning_stiffness_min", "sites", "side", "better", "worse", "flags",
                       "run_id", "created_at_utc", "athlete_id"}


def test_add_an_entry_as_json_and_list_it(tmp_path: Path) -> None:
    result = cli("journal", "add", "--entry", json.dumps(ENTRY), home=tmp_path)
    assert result.exit_code == 0, result.output
    assert "Saved the journal entry for 2024-03-01" in result.stdout
    assert "MEDICAL" not in result.output
    (listed,) = _listed(tmp_path)
    assert listed == {**ENTRY, "morning_stiffness_min": None, "better": None, "worse": None,
                      "seen": [], "run_id": None}
    # what `list --json` prints is what `add --entry` takes
    again = cli("journal", "add", "--entry", json.dumps(listed), home=tmp_path)
    assert again.exit_code == 0, again.output
    assert _listed(tmp_path) == [listed]
    shown = cli("journal", "list", home=tmp_path)
    assert shown.exit_code == 0
    assert "2024-03-01" in shown.stdout
    assert "hip (left)" in shown.stdout


def test_add_with_options_reports_a_red_flag_at_once(tmp_path: Path) -> None:
    result = cli("journal", "add", "--date", "2024-03-02", "--pain-during", "2.5",
                 "--where", "hip", "--where", "groin,outer hip", "--side", "right",
                 "--flag", "night-pain", "--better", "rest", "--morning-stiffness-min", "20",
                 home=tmp_path)
    assert result.exit_code == 0, result.output
    assert "MEDICAL REVIEW NEEDED NOW" in result.stdout
    assert "wakes you at night" in result.stdout  # why
    (listed,) = _listed(tmp_path)
    assert listed["pain_during"] == 2.5
    assert listed["where"] == ["hip", "groin", "outer-hip"]
    assert listed["flags"] == ["night-pain"]
    assert listed["morning_stiffness_min"] == 20
    assert listed["better"] == "rest"
    as_json = cli("journal", "add", "--date", "2024-03-02", "--flag", "fever", "--json",
                  home=tmp_path)
    assert as_json.exit_code == 0
    doc = json.loads(as_json.stdout)
    assert doc["merged"] is True
    assert doc["replaced"] is False
    assert doc["entry"]["flags"] == ["night-pain", "fever"]  # added to, not replaced
    assert "fever" in doc["medical_review_now"]
    assert "MEDICAL REVIEW NEEDED NOW" in as_json.stderr


def test_add_by_answering_questions(tmp_path: Path) -> None:
    answers = ["2024-03-05",  # date
               "3",  # pain during
               "11", "4",  # pain after: out of range, asked again
               "",  # pain this morning: skipped
               "15",  # stiffness
               "hip, outer hip",  # where
               "left",  # side
               "ice",  # better
               "<script>alert(1)</script>",  # worse
               ] + ["y" if flag == "fever" else "n" for flag in FLAGS]
    result = cli("journal", "add", home=tmp_path, input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "must be a number from 0 to 10" in result.output  # the bad answer was explained
    assert "MEDICAL REVIEW NEEDED NOW" in result.stdout
    (listed,) = _listed(tmp_path)
    assert listed == {"date": "2024-03-05", "pain_during": 3, "pain_after": 4,
                      "pain_morning": None, "morning_stiffness_min": 15,
                      "where": ["hip", "outer-hip"], "side": "left", "better": "ice",
                      "worse": "<script>alert(1)</script>", "flags": ["fever"], "seen": [],
                      "run_id": None}


def test_questions_offer_the_run_of_that_day(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        run_id = add_run(store, date(2024, 3, 5), 8.0)
    answers = ["2024-03-05", "2", "2", "1", "", "hip", "", "", ""] + ["n"] * len(FLAGS)
    answers += ["999", str(run_id)]  # not a run of that day: asked again
    result = cli("journal", "add", home=tmp_path, input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Activities that day" in result.stderr  # the questions go to stderr
    assert result.stdout.strip() == "Saved the journal entry for 2024-03-05."
    assert _listed(tmp_path)[0]["run_id"] == run_id


def test_a_second_entry_for_the_same_date_adds_what_it_gives(tmp_path: Path) -> None:
    assert cli("journal", "add", "--entry", json.dumps(ENTRY), home=tmp_path).exit_code == 0
    second = {"date": "2024-03-01", "pain_morning": 2, "where": ["groin"]}
    result = cli("journal", "add", "--entry", json.dumps(second), home=tmp_path)
    assert result.exit_code == 0
    assert "Added to the journal entry for 2024-03-01" in result.stdout
    (listed,) = _listed(tmp_path)
    assert listed["pain_during"] == ENTRY["pain_during"]  # kept
    assert listed["pain_morning"] == 2  # set
    assert listed["where"] == ["hip", "groin"]  # added to
    seen = cli("journal", "add", "--date", "2024-03-01", "--seen", "fever", home=tmp_path)
    assert seen.exit_code == 0, seen.output
    assert _listed(tmp_path)[0]["pain_during"] == ENTRY["pain_during"]
    assert _listed(tmp_path)[0]["seen"] == ["fever"]


def test_replace_swaps_the_whole_day(tmp_path: Path) -> None:
    assert cli("journal", "add", "--entry", json.dumps(ENTRY), home=tmp_path).exit_code == 0
    second = {"date": "2024-03-01", "pain_morning": 2, "where": ["groin"]}
    result = cli("journal", "add", "--replace", "--entry", json.dumps(second), home=tmp_path)
    assert result.exit_code == 0
    assert "Replaced the journal entry for 2024-03-01" in result.stdout
    (listed,) = _listed(tmp_path)
    assert listed["pain_during"] is None
    assert listed["where"] == ["groin"]


def test_an_empty_entry_changes_nothing_and_says_so(tmp_path: Path) -> None:
    assert cli("journal", "add", "--entry", json.dumps(ENTRY), home=tmp_path).exit_code == 0
    before = _listed(tmp_path)
    for args in (("--entry", "{}"), ("--entry", '{"date": "2024-03-01"}'),
                 ("--entry", json.dumps(ENTRY))):
        result = cli("journal", "add", *args, home=tmp_path)
        assert result.exit_code == 0, result.output
        assert "Nothing changed" in result.stdout
    assert _listed(tmp_path) == before


def test_replacing_happens_in_one_transaction(tmp_path: Path) -> None:
    from hipstride.library.store import JournalRecord

    day = date(2024, 3, 1)
    with library(tmp_path) as store:
        add_entry(store, JournalEntry(day, pain_during=2))

        def killed_midway() -> None:
            with store.transaction():
                assert store.put_journal_entry(JournalRecord(day, pain_during=7)) is True
                raise RuntimeError("killed midway")

        with pytest.raises(RuntimeError):
            killed_midway()
        (kept,) = list_entries(store)
    assert kept.pain_during == 2


@pytest.mark.parametrize(("entry", "field"), [
    ({"date": "2024-03-01", "pain_during": 11}, "pain_during"),
    ({"date": "2024-03-01", "pain_after": -1}, "pain_after"),
    ({"date": "2024-03-01", "pain_morning": True}, "pain_morning"),
    ({"date": "2024-03-01", "where": ["hip", "foot"]}, "where"),
    ({"date": "2024-03-01", "flags": ["headache"]}, "flags"),
    ({"date": "2024-02-30"}, "date"),
    ({"date": "yesterday"}, "date"),
    ({"date": (date.today() + timedelta(days=2)).isoformat()}, "date"),
    ({"date": "2024-03-01", "side": "middle"}, "side"),
    ({"date": "2024-03-01", "morning_stiffness_min": 5000}, "morning_stiffness_min"),
    ({"date": "2024-03-01", "run_id": 42}, "run_id"),  # no such run
    ({"date": "2024-03-01", "worse": 3}, "worse"),
    ({"date": "2024-03-01", "pain": 3}, "pain"),  # unknown field
])
def test_bad_entries_are_refused_naming_the_field(tmp_path: Path, entry: dict[str, object],
                                                  field: str) -> None:
    result = cli("journal", "add", "--entry", json.dumps(entry), home=tmp_path)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert "\n" not in message
    assert message.startswith(f"hipstride: error: {field}:")
    assert _listed(tmp_path) == []


@pytest.mark.parametrize(("args", "field"), [
    (["--pain-during", "11"], "--pain-during"),
    (["--pain-after", "lots"], "--pain-after"),
    (["--where", "foot"], "--where"),
    (["--flag", "headache"], "--flag"),
    (["--date", "2024-13-01", "--pain-during", "2"], "--date"),
    (["--run-id", "x", "--pain-during", "2"], "--run-id"),
])
def test_bad_options_are_refused_naming_the_option(tmp_path: Path, args: list[str],
                                                   field: str) -> None:
    result = cli("journal", "add", *args, home=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"hipstride: error: {field}:")
    assert _listed(tmp_path) == []


def test_entry_and_options_together_or_bad_json_are_refused(tmp_path: Path) -> None:
    both = cli("journal", "add", "--entry", json.dumps(ENTRY), "--pain-during", "3",
               home=tmp_path)
    assert both.exit_code == 2
    assert "--entry" in both.stderr
    broken = cli("journal", "add", "--entry", "{not json", home=tmp_path)
    assert broken.exit_code == 2
    assert broken.stderr.startswith("hipstride: error: --entry: not valid JSON")
    assert _listed(tmp_path) == []


def test_list_since_and_a_run_removed_keeps_its_entry(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        run_id = add_run(store, date(2024, 3, 2), 5.0)
        for day in (1, 2, 3):
            add_entry(store, entry_from_mapping({"date": f"2024-03-0{day}", "pain_after": day,
                                                 "run_id": run_id if day == 2 else None}))
        with store.transaction():
            assert store.delete_run(run_id)
        assert isinstance(store, SQLiteStore | PostgresStore)
        assert store.integrity_problems() == []
    since = cli("journal", "list", "--json", "--since", "2024-03-02", home=tmp_path)
    listed = json.loads(since.stdout)
    assert [e["date"] for e in listed] == ["2024-03-02", "2024-03-03"]
    assert listed[0]["run_id"] is None  # ON DELETE SET NULL
    bad = cli("journal", "list", "--since", "March", home=tmp_path)
    assert bad.exit_code == 2
    assert "--since" in bad.stderr
    empty = cli("journal", "list", "--since", "2025-01-01", home=tmp_path)
    assert "No journal entries" in empty.stdout


def test_entry_from_mapping_rejects_non_objects() -> None:
    with pytest.raises(InputError, match="entry"):
        entry_from_mapping([1, 2])  # type: ignore[arg-type]
