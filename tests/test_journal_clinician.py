"""``hipstride report clinician``: the offline page for a clinician, and its PDF."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from hipstride.errors import InputError
from hipstride.journal.store import add_entry, entry_from_mapping
from hipstride.report import clinician_page as clinician
from hipstride.report import pdf as printing
from tests.conftest import data_path
from tests.test_journal_support import add_run, cli, library, weeks_of_running

UNTIL = date(2024, 3, 20)
FIRST_MONDAY = date(2024, 2, 26)
SECTIONS = ("summary", "red-flags", "decision", "pain", "load", "form", "responses", "runs",
            "journal")


def _history(home: Path) -> None:
    """Weeks of running with a 40 % jump, a change of step rate, a real run, pain entries and
    two red flags."""
    from hipstride.io import read_activity
    from hipstride.library.importer import store_record
    from hipstride.library.records import build_record

    with library(home) as store:
        weeks_of_running(store, FIRST_MONDAY, [20, 20, 28], cadence_spm=170.0)
        for day in (17, 18):  # two runs with a clearly lower step rate: a form change
            add_run(store, date(2024, 3, day), 6.0, cadence_spm=158.0)
        record = build_record(read_activity(data_path("fit/elevate__portland.fit")),
                              label="portland.fit", content_sha256="f" * 64, baseline=None)
        start = datetime(2024, 3, 19, 7, 0, tzinfo=UTC)
        assert store_record(store, replace(record, start_time_utc=start,
                                           end_time_utc=start + timedelta(hours=2))) == "imported"
        for offset, pain in enumerate((2, 3, 3, 4, 5)):
            add_entry(store, entry_from_mapping({
                "date": (date(2024, 3, 10) + timedelta(days=offset * 2)).isoformat(),
                "pain_during": pain, "pain_after": pain + 1, "pain_morning": pain - 1,
                "where": ["hip", "groin"], "side": "left", "better": "ice & rest",
                "worse": "<script>alert('x')</script> downhill"}))
        add_entry(store, entry_from_mapping({"date": "2024-03-19", "pain_morning": 3,
                                             "where": ["groin"], "side": "right",
                                             "flags": ["earlier-each-run", "night-pain"]}))


def test_the_page_has_every_section_and_the_red_flags(tmp_path: Path) -> None:
    _history(tmp_path)
    out = tmp_path / "out" / "clinician.html"
    result = cli("report", "clinician", "--until", UNTIL.isoformat(), "--weeks", "4",
                 "--html", str(out), home=tmp_path)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'<section id="{section}"' in page
    assert "Period 2024-02-26 to 2024-03-20" in page
    flags = page[page.index('id="red-flags"'):page.index('id="decision"')]
    assert 'class="alarm"' in flags
    assert "2024-03-19: groin/hip pain arriving earlier in each run" in flags
    assert "2024-03-19: night pain" in flags
    assert "see-professional · urgent" in page
    assert "left hip" in page
    assert "right groin" in page
    assert "progression_over_30pct" not in page  # rules appear as text, not ids
    assert "more than the mean of the two weeks before" in page  # the load jump is flagged
    assert page.count("<svg") >= 4  # pain charts, load, progression, form
    runs = page[page.index('id="runs"'):page.index('id="journal"')]
    assert "garmin fr935" in runs  # the real recording's row
    assert all(name in runs for name in ("downhill", "uphill", "turns", "surface", "cadence"))
    form = page[page.index('id="form"'):page.index('id="runs"')]
    assert "Your step rate was" in form
    assert "lower than your own baseline" in form
    assert "Device caveat:" in form
    assert "does not diagnose" in page
    assert "runner's own software" in page
    assert [p.name for p in out.parent.iterdir()] == ["clinician.html"]  # no temporary left


def _summary(page: str) -> str:
    return page[page.index('<section id="summary"'):page.index('<section id="red-flags">')]


def test_page_one_says_what_hurts_since_when_the_decision_flags_load_and_form(
        tmp_path: Path) -> None:
    _history(tmp_path)
    html = clinician.render_clinician_html(library(tmp_path), until=UNTIL, weeks=4)
    summary = _summary(html)
    # what hurts where, since when, each measure's trend like with like
    assert "left hip" in summary
    assert "right groin" in summary
    assert "2024-03-10 (1.6 wk)" in summary
    assert "1.5 → 3.0 rising" in summary  # mornings: the 7 days before, then the last 7
    assert "Morning stiffness" in summary
    # the decision and why; the rest named as also noted
    assert "see-professional · urgent" in summary
    assert "seen today" in summary
    assert "red-flag</b>: Warning signs" in summary
    assert "Also noted: " in summary
    # red flags, with whether a professional has seen them
    assert "Not yet seen · same-day signs</span> groin/hip pain arriving earlier" in summary
    assert "Not yet seen · within-days signs</span> night pain (wakes from sleep) (noted 2024-03-19)" \
        in summary
    # load with the one progression figure; the week in progress is partial, not a fall
    assert "+70 %" in summary  # 34 km against the mean of 20 and 20
    assert 'class="partial">in progress<' in summary
    assert "%</td>" not in summary.split("2024-03-18")[-1].split("</tr>")[0]
    # form against the runner's own baseline
    assert "Step rate lower than baseline" in summary


def test_one_progression_figure_everywhere_and_no_fall_for_the_week_in_progress(
        tmp_path: Path) -> None:
    _history(tmp_path)
    html = clinician.render_clinician_html(library(tmp_path), until=UNTIL, weeks=4)
    assert "+70 %" in html.split('id="load"')[1]
    assert "70 % more than the mean of the two weeks before" in html
    decision = html[html.index('id="decision"'):html.index('id="pain"')]
    assert "distance up 70 %" in decision
    assert not re.search(r"<td[^>]*>[−-]\d+ %", html)  # no week in this history fell
    assert "vs week before" not in html


def test_each_run_sits_beside_the_pain_that_followed_it(tmp_path: Path) -> None:
    _history(tmp_path)
    with library(tmp_path) as store:
        add_run(store, date(2024, 3, 15), 9.0, index=1.31)  # no entry that day; 03-16 logged
        html = clinician.render_clinician_html(store, until=UNTIL, weeks=4)
    table = html[html.index('id="responses"'):html.index('<section id="runs">')]
    row = next(r for r in table.split("<tr>") if r.startswith("<td>2024-03-15</td>"))
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells[2:] == ["9.0", "1.31", "–", "–", "3"]  # nothing logged that day; 3/10 next morning
    logged = next(r for r in table.split("<tr>") if r.startswith("<td>2024-03-16</td>"))
    assert re.findall(r"<td>([^<]*)</td>", logged)[4:6] == ["4", "5"]  # that day's during, after
    portland = next(r for r in table.split("<tr>") if r.startswith("<td>2024-03-19</td>"))
    assert re.findall(r"<td>([^<]*)</td>", portland)[-1] == "–"


def test_the_stiffness_trend_is_shown(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        for k in range(14):
            add_entry(store, entry_from_mapping({
                "date": (UNTIL - timedelta(days=k)).isoformat(), "pain_morning": 1,
                "morning_stiffness_min": 10 if k >= 7 else 45}))
        html = clinician.render_clinician_html(store, until=UNTIL, weeks=4)
    summary = _summary(html)
    assert "mean 45 min over the last 7 days against 10 min the 7 before (rising)" in summary
    assert "over 30 min on 7 of the last 7 days" in summary
    assert "morning stiffness over time" in html  # the chart in the details


def test_date_labels_stay_apart_at_twelve_weeks(tmp_path: Path) -> None:
    with library(tmp_path) as store:
        weeks_of_running(store, UNTIL - timedelta(weeks=12), [20.0] * 13)
        for k in range(0, 84, 3):
            add_entry(store, entry_from_mapping({
                "date": (UNTIL - timedelta(days=k)).isoformat(), "pain_during": 2,
                "where": ["hip"]}))
        html = clinician.render_clinician_html(store, until=UNTIL, weeks=12)
    from hipstride.report._svg import DATE_LABEL_PX

    counts = []
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="[\d.]+" '
                                           r'text-anchor="middle">\d{4}-', svg)]
        assert all(b - a >= DATE_LABEL_PX for a, b in itertools.pairwise(xs)), xs
        counts.append(len(xs))
    assert len(counts) >= 3  # pain, load, progression
    assert min(counts) >= 5  # twelve weeks labelled every second week, not a blank axis


def test_the_page_is_offline_and_escapes_what_the_runner_typed(tmp_path: Path) -> None:
    _history(tmp_path)
    out = tmp_path / "clinician.html"
    assert cli("report", "clinician", "--until", UNTIL.isoformat(), "--html", str(out),
               home=tmp_path).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; downhill" in page
    assert "ice &amp; rest" in page
    assert not re.search(r"(src|href)\s*=", page)
    assert "url(" not in page
    assert "@import" not in page
    assert "http" not in page.replace("http://www.w3.org", "")


def test_an_empty_library_still_makes_a_page(tmp_path: Path) -> None:
    out = tmp_path / "empty.html"
    result = cli("report", "clinician", "--html", str(out), home=tmp_path)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "None recorded in this period" in page
    assert "No journal entries in this period" in page
    assert "No runs in this period" in page


def test_no_pdf_engine_gives_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing, "_weasyprint", lambda: None)
    monkeypatch.setattr(printing, "_chromium", lambda: None)
    assert printing.pdf_engine() is None
    html = clinician.write_clinician_html("<p>x</p>", tmp_path / "a.html")
    with pytest.raises(InputError, match="weasyprint") as caught:
        printing.write_pdf(html, tmp_path / "a.pdf")
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in str(caught.value)
    assert "chromium" in str(caught.value).lower()
    assert not (tmp_path / "a.pdf").exists()
    result = cli("report", "clinician", "--html", str(tmp_path / "b.html"), "--pdf",
                 str(tmp_path / "b.pdf"), home=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("hipstride: error: --pdf:")


@pytest.mark.parametrize("engine", ["weasyprint", "chromium"])
def test_pdf(tmp_path: Path, engine: str) -> None:
    if printing.pdf_engine(engine) != engine:  # type: ignore[arg-type]
        pytest.skip(f"{engine} is not available here")
    with library(tmp_path) as store:
        add_run(store, UNTIL - timedelta(days=1), 8.0)
        add_entry(store, entry_from_mapping({"date": "2024-03-19", "pain_after": 3,
                                             "where": ["hip"]}))
    pdf = tmp_path / "report.pdf"
    result = cli("report", "clinician", "--until", UNTIL.isoformat(), "--html",
                 str(tmp_path / "report.html"), "--pdf", str(pdf), "--pdf-engine", engine,
                 home=tmp_path)
    assert result.exit_code == 0, result.output
    assert f"(with {engine})" in result.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert pdf.stat().st_size > 5000


def test_the_week_in_progress_is_drawn_pale_in_the_load_chart(tmp_path: Path) -> None:
    _history(tmp_path)
    html = clinician.render_clinician_html(library(tmp_path), until=UNTIL, weeks=4)
    load = html[html.index('id="load"'):html.index('id="form"')]
    assert load.count('fill="#b9d0e4"') == 1
    assert "2024-03-18: 22.1 km so far (week in progress)" in load
