"""The day's plan uses the latest form checks from video: forward lean and pelvic drop add a
strength and mobility emphasis, an overstride with a low cadence brings the +5 % step-rate cue,
each with the metric, value, noise floor and source that led to it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hipstride.care.content import get_routine
from hipstride.journal.form_plan import FORM_EMPHASIS, STRENGTH_ROUTINE
from hipstride.journal.plan import make_plan
from hipstride.journal.rules import RecentRun
from hipstride.library.form_checks import add_form_check
from hipstride.video.check import analyze_form
from tests.test_journal_support import cli, library
from tests.video_synth import rear_runner, side_runner

DAY = date(2024, 3, 20)


def _findings(doc: dict[str, Any], check_id: int = 1) -> list[dict[str, Any]]:
    return [{**a, "check_id": check_id, "checked_utc": "2024-03-18T08:00:00Z"}
            for a in doc["advice"]]


def _side(**kwargs: float) -> dict[str, Any]:
    return analyze_form(side_runner(**kwargs)).to_dict()  # type: ignore[arg-type]


def test_every_exercise_named_is_in_the_strength_routine() -> None:
    shipped = {step.name for step in get_routine(STRENGTH_ROUTINE).steps}
    for _, exercises, _ in FORM_EMPHASIS.values():
        assert set(exercises) <= shipped


def test_lean_and_drop_add_their_emphasis_with_why() -> None:
    findings = (_findings(_side(lean_deg=14.0))
                + _findings(analyze_form(rear_runner(drop_deg=9.0)).to_dict(), 2))
    plan = make_plan("modify", urgent=False, today=DAY, runs=[RecentRun(DAY, 1.0, 8000.0)],
                     cadence_baseline_spm=170.0, form_findings=findings)
    emphasis = {e["finding"]: e for e in plan["form_emphasis"]}
    assert set(emphasis) == {"forward lean", "pelvic drop"}
    lean = emphasis["forward lean"]
    assert "Kneeling hip flexor stretch" in lean["exercises"]
    assert lean["why"][0]["metric"] == "trunk_lean_deg"
    assert lean["why"][0]["value"] == pytest.approx(14.0, abs=0.3)
    assert lean["source"] == "Teng & Powers 2015"
    assert "noise floor" in lean["because"]
    assert "diagnos" in lean["text"]  # worded as education
    assert emphasis["pelvic drop"]["form_check_id"] == 2
    assert "Clamshell" in emphasis["pelvic drop"]["exercises"]
    assert "form_cue" not in plan["run"]  # no overstride in these clips
    assert plan["run"]["cadence_cue_spm"] == round(170 * 1.05)  # the baseline's cue stays


def test_overstride_with_low_cadence_gives_the_cue_and_fills_a_missing_baseline() -> None:
    findings = _findings(_side(cadence_spm=155.0, reach_px=130.0))
    plan = make_plan("modify", urgent=False, today=DAY, runs=[], cadence_baseline_spm=None,
                     form_findings=findings)
    cue = plan["run"]["form_cue"]
    assert cue["cadence_cue_spm"] == round(155 * 1.05)
    assert [w["metric"] for w in cue["why"]] == ["overstride_legs", "cadence_spm"]
    assert plan["run"]["cadence_cue_spm"] == cue["cadence_cue_spm"]
    assert "Heiderscheit" in plan["run"]["cadence_text"]
    assert "form_emphasis" not in plan  # overstride alone adds no strength emphasis
    run_plan = make_plan("run", urgent=False, today=DAY, runs=[], cadence_baseline_spm=None,
                         form_findings=findings)
    assert run_plan["run"]["form_cue"]["cadence_cue_spm"] == cue["cadence_cue_spm"]


@pytest.mark.parametrize("kind", ["rest", "see-professional"])
def test_days_without_running_or_for_a_visit_get_no_emphasis(kind: str) -> None:
    plan = make_plan(kind, urgent=False, today=DAY, runs=[],  # type: ignore[arg-type]
                     cadence_baseline_spm=None, form_findings=_findings(_side(lean_deg=14.0)))
    assert "form_emphasis" not in plan


def test_today_reads_the_latest_passed_check_of_each_view(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        add_form_check(store, _side(lean_deg=14.0), checked_at_utc="2023-11-01T08:00:00Z")  # old
        add_form_check(store, _side(lean_deg=5.0), checked_at_utc="2024-03-01T08:00:00Z")
        add_form_check(store, _side(lean_deg=14.0), checked_at_utc="2024-03-10T08:00:00Z")
        failed = _side(lean_deg=20.0, seconds=0.5)
        assert not failed["quality"]["passed"]
        add_form_check(store, failed, checked_at_utc="2024-03-12T08:00:00Z")
        add_form_check(store, analyze_form(rear_runner(drop_deg=9.0)).to_dict(),
                       checked_at_utc="2024-03-21T08:00:00Z")  # after the day: not yet
    result = cli("today", "--date", DAY.isoformat(), "--json", home=tmp_path)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)["plan"]
    assert [e["finding"] for e in plan["form_emphasis"]] == ["forward lean"]
    assert plan["form_emphasis"][0]["form_check_id"] == 3
    text = cli("today", "--date", DAY.isoformat(), home=tmp_path)
    out = " ".join(text.stdout.split())
    assert "Strength emphasis: Your form check of 2024-03-10 showed forward lean" in out
    assert "why: trunk lean 14 deg (noise floor" in out
    assert "(Teng & Powers 2015)" in out
    older = cli("today", "--date", "2024-03-05", "--json", home=tmp_path)
    assert "form_emphasis" not in json.loads(older.stdout)["plan"]  # the 5° check: no lean
