"""``hipstride today``: the daily decision from histories built here in a temporary library."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hipstride.journal.plan import CADENCE_CUE_PCT
from hipstride.journal.store import add_entry, entry_from_mapping
from hipstride.journal.today import decision_weeks, gather_inputs, usual_cadence_spm
from tests.test_journal_support import add_run, cli, library, weeks_of_running

TODAY = date(2024, 3, 20)  # a Wednesday
THIS_MONDAY = date(2024, 3, 18)
FIRST_MONDAY = THIS_MONDAY - timedelta(weeks=3)


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def _journal(home: Path, *entries: dict[str, Any]) -> None:
    with library(home) as store:
        for entry in entries:
            add_entry(store, entry_from_mapping(entry))


def _today(home: Path, day: date = TODAY) -> dict[str, Any]:
    result = cli("today", "--date", day.isoformat(), "--json", home=home)
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    assert list(doc) == ["date", "decision", "urgent", "reasons", "plan",
                         "cross_training_days"]
    assert doc["date"] == day.isoformat()
    assert doc["reasons"]
    for reason in doc["reasons"]:
        # the keys of the first release first; "decision" and "urgent" were added later
        assert list(reason) == ["rule", "text", "evidence", "decision", "urgent"]
    assert isinstance(doc["plan"], dict)
    return doc


def _rules(doc: dict[str, Any]) -> list[str]:
    return [r["rule"] for r in doc["reasons"]]


def test_an_empty_library_and_journal_mean_run(tmp_path: Path) -> None:
    doc = _today(tmp_path)
    assert doc["decision"] == "run"
    assert doc["urgent"] is False
    assert _rules(doc) == ["no-entries"]


def test_a_red_flag_wins_even_over_a_40_percent_load_jump(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        weeks_of_running(store, FIRST_MONDAY, [20, 20, 28])
    assert _today(tmp_path)["decision"] == "modify"  # the jump alone
    _journal(tmp_path, {"date": _day(-1), "pain_during": 2, "where": ["groin"],
                        "flags": ["earlier-each-run"]})
    doc = _today(tmp_path)
    assert doc["decision"] == "see-professional"
    assert doc["urgent"] is True
    assert _rules(doc)[0] == "red-flag"
    assert "load-progression" in _rules(doc)
    assert doc["plan"]["when"] == "today"


def test_pain_spreading_to_the_lower_back_means_see_a_professional(tmp_path: Path) -> None:
    _journal(tmp_path, {"date": _day(-1), "pain_after": 3, "where": ["hip", "lower-back"],
                        "side": "left"})
    doc = _today(tmp_path)
    assert doc["decision"] == "see-professional"
    assert doc["urgent"] is False
    assert _rules(doc) == ["pain-spreading"]


def test_three_days_of_persistent_pain_mean_cross_train(tmp_path: Path) -> None:
    _journal(tmp_path, *({"date": _day(d), "pain_morning": 4, "where": ["hip"]}
                         for d in (-3, -2, -1)))
    doc = _today(tmp_path)
    assert doc["decision"] == "cross-train"
    assert _rules(doc) == ["pain-persistent"]
    assert {o["activity"] for o in doc["plan"]["options"]} >= {"swimming", "walking"}


def test_a_load_jump_means_a_modified_run_with_a_route_and_a_cadence_cue(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        weeks_of_running(store, FIRST_MONDAY, [20, 20, 28], cadence_spm=170.0)
        inputs = gather_inputs(store, TODAY)
    assert inputs.cadence_baseline_spm == 170.0
    assert [w.distance_m for w in inputs.weeks][-3:] == [20_000, 20_000, 28_000]
    doc = _today(tmp_path)
    assert doc["decision"] == "modify"
    assert _rules(doc) == ["load-progression"]
    run = doc["plan"]["run"]
    assert run["route_command"].startswith("hipstride route loop ")
    assert "--profile flat-soft" in run["route_command"]
    assert run["typical_km"] == round(20 / 3, 1)  # the median run of the last four weeks
    assert run["cadence_cue_spm"] == round(170 * (1 + CADENCE_CUE_PCT / 100))
    # on the Monday after the jump the decision still sees it ...
    assert _today(tmp_path, THIS_MONDAY)["decision"] == "modify"
    # ... and a steady history does not fire
    steady = tmp_path / "steady"
    with library(steady) as store:
        weeks_of_running(store, FIRST_MONDAY, [20, 20, 22])
    assert _today(steady)["decision"] == "run"


def test_the_week_in_progress_counts_once_it_overtakes_the_last_one(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        weeks_of_running(store, FIRST_MONDAY, [20, 20, 20])
        add_run(store, THIS_MONDAY, 14.0)
        runs = store.list_runs()
        assert decision_weeks(runs, THIS_MONDAY)[-1].week_start == THIS_MONDAY - timedelta(weeks=1)
        add_run(store, TODAY, 14.0)
        runs = store.list_runs()
        weeks = decision_weeks(runs, TODAY)
        assert (weeks[-1].week_start, weeks[-1].distance_m) == (THIS_MONDAY, 28_000)
        # runs after the day are not counted
        assert decision_weeks(runs, THIS_MONDAY)[-1].distance_m == 20_000
    assert _today(tmp_path, THIS_MONDAY)["decision"] == "run"
    doc = _today(tmp_path)
    assert doc["decision"] == "modify"
    assert _rules(doc) == ["load-progression"]
    assert f"Week of {THIS_MONDAY.isoformat()}" in doc["reasons"][0]["text"]


def test_hip_load_of_recent_runs_feeds_the_decision(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        add_run(store, TODAY - timedelta(days=2), 8.0, index=1.4)
        add_run(store, TODAY - timedelta(days=40), 30.0, index=1.5)  # too old to count
        inputs = gather_inputs(store, TODAY)
    assert [(r.date, r.hip_load_index) for r in inputs.recent_runs] == [
        (TODAY - timedelta(days=2), 1.4)]
    doc = _today(tmp_path)
    assert _rules(doc) == ["hip-load-high"]
    assert doc["plan"]["run"]["typical_km"] == 8.0


def test_no_cadence_baseline_without_enough_running(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        assert usual_cadence_spm(store.form_minutes(), TODAY) is None
        add_run(store, TODAY - timedelta(days=1), 5.0, cadence_spm=168.0)
        assert usual_cadence_spm(store.form_minutes(), TODAY) is None  # one run is not a baseline


def test_terminal_view_shows_decision_reasons_plan_and_disclaimer(tmp_path: Path) -> None:
    _journal(tmp_path, {"date": _day(0), "pain_morning": 1, "where": ["hip"],
                        "flags": ["fever"]})
    result = cli("today", "--date", TODAY.isoformat(), home=tmp_path)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "SEE A PROFESSIONAL" in out
    assert "URGENT" in out
    assert "[red-flag]" in out
    assert "evidence:" in out
    assert "Plan" in out
    assert "When: today" in out
    assert out.rstrip().endswith("professional now.")
    assert "does not diagnose" in out

    calm = tmp_path / "calm"
    quiet = cli("today", "--date", TODAY.isoformat(), home=calm)
    text = " ".join(quiet.stdout.split())
    assert "RUN" in text
    assert "URGENT" not in text
    assert "warm-up (hipstride routine guide warm-up)" in text
    assert "does not diagnose" in text


def test_a_bad_date_is_refused(tmp_path: Path) -> None:
    result = cli("today", "--date", "20-03-2024", home=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("hipstride: error: --date:")


def test_an_old_red_flag_is_read_from_the_library_until_a_professional_saw_it(
        tmp_path: Path) -> None:
    _journal(tmp_path, {"date": _day(-60), "pain_morning": 2, "flags": ["night-pain"]},
             {"date": _day(-1), "pain_during": 1, "pain_morning": 0, "where": ["hip"]})
    doc = _today(tmp_path)
    assert doc["decision"] == "see-professional"
    assert doc["urgent"] is False
    assert _rules(doc) == ["red-flag"]
    assert _day(-60) in doc["reasons"][0]["text"]
    added = cli("journal", "add", "--date", _day(-30), "--seen", "night-pain", home=tmp_path)
    assert added.exit_code == 0, added.output
    listed = cli("journal", "list", "--json", home=tmp_path)
    assert [e["seen"] for e in json.loads(listed.stdout)] == [[], ["night-pain"], []]
    assert _rules(_today(tmp_path)) == ["all-clear"]
