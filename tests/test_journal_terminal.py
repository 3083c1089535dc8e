"""Terminal views of the journal (report/journal_terminal) and the one serialisation of a decision."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console, RenderableType

from hipstride.journal.decision import Decision, RecentRun, decide
from hipstride.journal.entry import JournalEntry
from hipstride.journal.store import add_entry
from hipstride.journal.today import decide_today
from hipstride.report import clinician_page
from hipstride.report.journal_terminal import (
    DISCLAIMER,
    decision_view,
    journal_table,
    plan_lines,
)
from tests.test_journal_support import cli, library

DAY = date(2026, 5, 20)


def _text(renderable: RenderableType, width: int = 60) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, highlight=False, color_system=None).print(renderable,
                                                                                crop=False)
    return buffer.getvalue()


def _modified() -> Decision:
    entries = [JournalEntry(DAY, pain_morning=4)]
    runs = [RecentRun(DAY - timedelta(days=k), 1.0, 10_000.0) for k in (2, 4, 6)]
    return decide(DAY, entries, [], runs, cadence_baseline_spm=170.0)


def test_plan_lines_keep_a_set_order_and_show_unknown_keys_last() -> None:
    plan: dict[str, Any] = {"decision": "rest", "extra": "kept", "recheck": "2026-05-21",
                            "after": ["recovery"], "running": "no running today"}
    assert plan_lines(plan) == [
        "Running: no running today",
        "After: recovery (hipstride routine guide recovery)",
        "Check again: 2026-05-21 (hipstride today)",
        "extra: kept",
    ]


def test_a_modified_plan_reads_as_lines() -> None:
    lines = plan_lines(_modified().plan)
    assert lines[0] == "Before: warm-up (hipstride routine guide warm-up)"
    assert lines[1] == "Run: 7.0–8.0 km (70–80 % of your typical 10.0 km)"
    assert "  effort: easy, able to talk in full sentences" in lines
    assert "  route: flat-soft" in lines
    assert any(line.startswith("  step rate: aim for about 178 steps/min") for line in lines)
    assert lines[-1].startswith("After: cool-down")


def test_cross_training_options_are_listed() -> None:
    entries = [JournalEntry(DAY - timedelta(days=k), pain_morning=4) for k in range(1, 4)]
    lines = plan_lines(decide(DAY, entries, [], [], cadence_baseline_spm=None).plan)
    assert "Option: walking, 30–45 min (flat, even ground)" in lines


def test_the_decision_view_keeps_a_command_on_one_line_in_a_narrow_terminal() -> None:
    out = _text(decision_view(_modified()), width=40)
    command = ("  plan the route: hipstride route loop --start LAT,LON --distance-km 7.5 "
               "--profile flat-soft")
    assert command in out.splitlines()
    assert "RUN, BUT MODIFIED" in out
    assert "Today, 2026-05-20" in out
    assert " ".join(out.split()).endswith(" ".join(DISCLAIMER.split()))


def test_an_urgent_decision_says_so() -> None:
    result = decide(DAY, [JournalEntry(DAY, flags=["fever"])], [], [], cadence_baseline_spm=None)
    out = " ".join(_text(decision_view(result)).split())
    assert "SEE A PROFESSIONAL" in out
    assert "URGENT: stop running" in out
    assert "[red-flag]" in out


def test_the_journal_table_shows_the_runners_text_as_typed() -> None:
    entries = [JournalEntry(DAY, pain_during=3, where=["hip"], side="left",
                            better="[bold]ice[/bold]", flags=["fever"], run_id=7),
               JournalEntry(DAY + timedelta(days=1), pain_morning=1)]
    out = _text(journal_table(entries), width=140)
    assert "[bold]ice[/bold]" in out
    assert "hip (left)" in out
    assert "3 / - / -" in out
    assert "- / - / 1" in out


def test_one_serialisation_for_today_json_and_the_clinician_page(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        add_entry(store, JournalEntry(DAY, pain_during=7, where=["hip"]))
        doc = decide_today(store, today=DAY).to_dict()
        page = clinician_page.clinician_context(store, until=DAY, weeks=2)
    assert page["decision"] == doc
    result = cli("today", "--date", DAY.isoformat(), "--json", home=tmp_path)
    assert json.loads(result.stdout) == doc
    assert doc["decision"] == "rest"
    assert doc["reasons"][0]["decision"] == "rest"


def test_decide_today_defaults_to_the_local_date(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        before = date.today()
        result = decide_today(store)
        after = date.today()
    assert result.date in (before, after)
    assert result.to_dict()["date"] == result.date.isoformat()


def test_a_cross_training_day_names_no_running_warm_up() -> None:
    entries = [JournalEntry(DAY - timedelta(days=k), pain_morning=4) for k in range(1, 4)]
    lines = plan_lines(decide(DAY, entries, [], [], cadence_baseline_spm=None).plan)
    assert not any(line.startswith("Before:") for line in lines)
    assert any(line.startswith("Warm-up:") and "no jogging" in line for line in lines)
    assert any(line.startswith("Note:") and "swimming" in line for line in lines)


def test_the_closing_warning_names_every_red_flag_in_its_tier() -> None:
    from hipstride.journal.entry import FLAG_TABLE

    today, days = DISCLAIMER.split("Within a few days")
    for f in FLAG_TABLE:
        assert f.text in (today if f.tier == "same-day" else days)


def test_cross_training_days_are_shown_and_not_as_running() -> None:
    days = [DAY - timedelta(days=3), DAY - timedelta(days=1)]
    entries = [JournalEntry(DAY, pain_morning=1)]
    runs = [RecentRun(DAY - timedelta(days=k), 1.0, 8_000.0) for k in (2, 4)]
    with_rides = decide(DAY, entries, [], runs, cadence_baseline_spm=None,
                        cross_training_days=days)
    without = decide(DAY, entries, [], runs, cadence_baseline_spm=None)
    text = _text(decision_view(with_rides), width=200)
    assert f"Cross-training days recently (no run that day; not counted as running load): " \
           f"{days[0].isoformat()}, {days[1].isoformat()}" in text
    assert "Cross-training days" not in _text(decision_view(without), width=200)
    assert (with_rides.decision, with_rides.rules) == (without.decision, without.rules)
