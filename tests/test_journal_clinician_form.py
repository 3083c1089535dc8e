"""The clinician page shows the form checks from video: the latest per view on page one with its
change against the earlier checks and their noise floors, and every check in the details."""

from __future__ import annotations

from pathlib import Path

from hipstride.library.form_checks import add_form_check, form_trend
from hipstride.video.check import analyze_form
from tests.test_journal_clinician import UNTIL, _history
from tests.test_journal_support import cli, library
from tests.video_synth import rear_runner, side_runner


def add_checks(home: Path) -> None:
    """Two side checks (lean 6° then 14°), one rear check with pelvic drop, one failed check."""
    with library(home) as store:
        for day, lean in (("2024-03-01", 6.0), ("2024-03-15", 14.0)):
            doc = analyze_form(side_runner(lean_deg=lean, seed=int(lean))).to_dict()
            add_form_check(store, doc, checked_at_utc=f"{day}T08:00:00Z")
        rear = analyze_form(rear_runner(drop_deg=9.0)).to_dict()
        add_form_check(store, rear, checked_at_utc="2024-03-16T08:00:00Z")
        short = analyze_form(side_runner(seconds=0.5)).to_dict()
        assert not short["quality"]["passed"]
        add_form_check(store, short, checked_at_utc="2024-03-17T08:00:00Z")
        later = analyze_form(side_runner(lean_deg=2.0)).to_dict()  # after the period: left out
        add_form_check(store, later, checked_at_utc="2024-03-25T08:00:00Z")


def test_the_trend_compares_the_latest_check_with_the_earlier_ones(tmp_path: Path) -> None:
    add_checks(tmp_path)
    with library(tmp_path) as store:
        side, rear = form_trend(store, until_utc=UTC_DAY)
    assert (side["view"], side["earlier"], rear["view"], rear["earlier"]) == ("side", 1, "rear", 0)
    lean = side["metrics"]["trunk_lean_deg"]
    assert abs(lean["change"] - 8.0) < 0.5
    assert lean["beyond_noise"]
    assert lean["floor"] > 0
    cadence = side["metrics"]["cadence_spm"]
    assert not cadence["beyond_noise"]  # same step rate in both clips
    assert "change" not in rear["metrics"]["pelvic_drop_deg"]  # the first rear check
    assert side["advice"] == ["forward lean"]
    assert "pelvic drop" in rear["advice"]
    with library(tmp_path) as store:
        assert form_trend(store)[0]["metrics"]["trunk_lean_deg"]["now"] < 4  # the later check


UTC_DAY = UNTIL.isoformat()


def test_page_one_shows_the_latest_check_per_view_and_the_details_list_them(
        tmp_path: Path) -> None:
    _history(tmp_path)
    add_checks(tmp_path)
    out = tmp_path / "clinician.html"
    result = cli("report", "clinician", "--until", UTC_DAY, "--html", str(out), home=tmp_path)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    summary = page[page.index('id="summary"'):page.index('id="red-flags"')]
    assert "Form check from video" in summary
    assert "side, 2024-03-15: " in summary
    assert "rear, 2024-03-16: " in summary
    assert "trunk lean 14.0 deg, +8" in summary
    assert "beyond the noise" in summary
    assert "first check" in summary
    assert "Noted: forward lean" in summary
    details = page[page.index('id="form-checks"'):page.index('id="responses"')]
    assert details.count("<tr><td>2024-03-") == 4  # the four checks of the period, not the later
    assert "provisional: capture-quality gate failed" in details
    assert "2024-03-25" not in page


def test_without_form_checks_the_page_says_so(tmp_path: Path) -> None:
    _history(tmp_path)
    out = tmp_path / "clinician.html"
    assert cli("report", "clinician", "--until", UTC_DAY, "--html", str(out),
               home=tmp_path).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "Form check from video" not in page[:page.index('id="red-flags"')]
    assert "No form check from video in this period" in page
