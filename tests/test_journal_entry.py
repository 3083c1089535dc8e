"""The journal's vocabularies and fields: one table each, and every reader uses it."""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from pathlib import Path
from typing import Any

import click
import pytest

from hipstride.care import routine_names
from hipstride.errors import InputError
from hipstride.journal import store
from hipstride.journal.decision import decide
from hipstride.journal.entry import (
    FIELDS,
    FLAG_TABLE,
    FLAGS,
    SIDES,
    SITES,
    TIERS,
    JournalEntry,
    flag,
    site_words,
)
from hipstride.journal.plan import ROUTINES, make_plan
from hipstride.journal.rules import DECISION_RANK, RecentRun
from hipstride.report.clinician_page import FLAG_LABELS

DAY = date(2026, 5, 20)


def test_every_flag_has_its_text_question_and_label() -> None:
    assert len(set(FLAGS)) == len(FLAG_TABLE) == 13
    assert {row.tier for row in FLAG_TABLE} == set(TIERS)
    for row in FLAG_TABLE:
        assert flag(row.name) is row
        assert row.text
        assert row.label
        assert row.question.endswith("?")
    with pytest.raises(KeyError):
        flag("headache")


def test_the_clinician_page_reads_the_labels_of_the_flag_table() -> None:
    assert {row.name: row.label for row in FLAG_TABLE} == FLAG_LABELS


def test_the_decision_words_a_red_flag_with_its_text() -> None:
    result = decide(DAY, [JournalEntry(DAY, flags=list(FLAGS))], [], [],
                    cadence_baseline_spm=None)
    text = result.reasons[0].text
    assert result.rules[0] == "red-flag"
    for row in FLAG_TABLE:
        assert row.text in text


def test_sites_and_sides_are_checked_against_their_tables() -> None:
    assert site_words("lower-back") == "lower back"
    assert site_words("hip") == "hip"
    JournalEntry(DAY, where=list(SITES), side=SIDES[0])
    with pytest.raises(ValueError, match="unknown pain site"):
        JournalEntry(DAY, where=["elbow"])
    with pytest.raises(ValueError, match="side must be one of"):
        JournalEntry(DAY, side="middle")


def test_fields_are_the_entry_dataclass_fields_in_order() -> None:
    assert [f.name for f in dataclasses.fields(JournalEntry)] == list(FIELDS)
    assert store.FIELDS == FIELDS
    entry = JournalEntry(DAY, pain_during=3, where=["hip"], side="left", flags=["fever"], run_id=4)
    doc = entry.to_dict()
    assert list(doc) == list(FIELDS)
    assert doc["date"] == "2026-05-20"
    assert store.entry_to_dict(entry) == doc
    assert store.entry_from_mapping(doc, today=DAY) == entry  # the JSON form reads back


def test_journal_add_has_one_option_per_field() -> None:
    from hipstride.cli.journal import journal

    add = journal.commands["add"]
    assert isinstance(add, click.Command)
    params = {p.name: p for p in add.params}
    assert set(FIELDS) <= set(params)
    opts = {name: params[name].opts for name in FIELDS}
    assert opts["pain_during"] == ["--pain-during"]
    assert opts["flags"] == ["--flag"]
    assert all(params[name].multiple for name in ("where", "flags"))


@pytest.mark.parametrize("bad", [{"pain_during": 11}, {"where": ["elbow"]}, {"side": "up"},
                                 {"flags": ["headache"]}, {"run_id": "x"}, {"date": "May 1"},
                                 {"nonsense": 1}])
def test_library_messages_name_the_field_not_a_cli_flag(bad: dict[str, Any]) -> None:
    with pytest.raises(InputError) as info:
        store.entry_from_mapping(bad, today=DAY)
    message = str(info.value)
    assert "--" not in message
    assert message.startswith(next(iter(bad)))


def test_every_routine_a_plan_names_exists_in_care() -> None:
    shipped = set(routine_names())
    assert set(ROUTINES) <= shipped
    runs = [RecentRun(DAY, 1.0, 8000.0)]
    for kind in DECISION_RANK:
        for urgent in (False, True):
            plan = make_plan(kind, urgent=urgent, today=DAY, runs=runs,  # type: ignore[arg-type]
                             cadence_baseline_spm=170.0)
            named = [*plan.get("before", []), *plan.get("after", [])]
            assert set(named) <= set(ROUTINES), (kind, named)


def test_journal_add_asks_and_documents_every_field() -> None:
    from hipstride.cli import journal as cli_journal

    assert set(cli_journal._OPTION_HELP) == set(FIELDS)
    # their own prompts (a date, the checklist, a run), or not asked (seen: given as an option)
    asked_apart = {"date", "flags", "run_id", "seen"}
    assert set(cli_journal._QUESTIONS) | asked_apart == set(FIELDS)
    assert not set(cli_journal._QUESTIONS) & asked_apart


def test_the_journal_commands_load_without_the_run_library() -> None:
    import subprocess
    import sys

    import hipstride

    src = str(Path(hipstride.__file__).resolve().parent.parent)
    code = ("import sys, hipstride.cli.journal, hipstride.journal.entry\n"
            "print(sorted(m for m in ('hipstride.library', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": src})
    assert out.stdout.strip() == "[]"  # a fresh interpreter is what this test is about
