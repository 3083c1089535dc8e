"""``report clinician --pdf``: the printed first page stands alone.

The PDF is laid out by WeasyPrint and read back through its document API (the text of each
page's boxes), so the test sees what a printer would put on each sheet: page one holds the whole
summary, from the title to its closing line, and the details start on page two.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hipstride.journal.entry import FLAGS
from hipstride.journal.store import add_entry, entry_from_mapping
from hipstride.report import pdf as printing
from tests.test_journal_clinician import UNTIL, _history
from tests.test_journal_clinician_form import add_checks
from tests.test_journal_support import cli, library

#: Words of each part of the summary, in page order; the last is its closing line.
SUMMARY = ("Running and hip-pain summary", "Decision for", "Red flags",
           "What hurts where, since when", "Morning stiffness", "Load (running per ISO week)",
           "Form against the runner's own baseline", "The details follow")


def _page_texts(html: Path) -> list[str]:
    weasyprint = pytest.importorskip("weasyprint")
    document = weasyprint.HTML(string=html.read_text(encoding="utf-8")).render()

    def text(box: object) -> str:
        out, stack = [], [box]
        while stack:
            item = stack.pop()
            if isinstance(getattr(item, "text", None), str):
                out.append(item.text)  # type: ignore[attr-defined]
            stack.extend(reversed(getattr(item, "children", None) or []))
        return " ".join(out)

    return [text(page._page_box) for page in document.pages]


def _report(home: Path) -> tuple[Path, list[str]]:
    if printing.pdf_engine("weasyprint") != "weasyprint":
        pytest.skip("weasyprint is not available here")
    html, pdf = home / "report.html", home / "report.pdf"
    result = cli("report", "clinician", "--until", UNTIL.isoformat(), "--html", str(html),
                 "--pdf", str(pdf), "--pdf-engine", "weasyprint", home=home)
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes()[:5] == b"%PDF-"
    return pdf, _page_texts(html)


def _stands_alone(pages: list[str]) -> None:
    assert len(pages) >= 2
    first = pages[0]
    places = [first.find(words) for words in SUMMARY]
    assert all(p >= 0 for p in places), [w for w, p in zip(SUMMARY, places, strict=True) if p < 0]
    assert places == sorted(places)  # in order, the closing line last
    assert "Red flags recorded" not in first  # the details have not begun
    assert pages[1].lstrip().startswith("Red flags")  # they begin on page two


def test_page_one_of_the_pdf_holds_the_whole_summary(tmp_path: Path) -> None:
    _history(tmp_path)
    _, pages = _report(tmp_path)
    _stands_alone(pages)
    assert "see-professional · urgent" in pages[0]
    assert "Not yet seen" in pages[0]


def test_a_crowded_summary_still_fits_on_page_one(tmp_path: Path) -> None:
    _history(tmp_path)
    with library(tmp_path) as store:  # every flag, pain in five places, long stiffness
        add_entry(store, entry_from_mapping({
            "date": UNTIL.isoformat(), "flags": list(FLAGS), "pain_morning": 6,
            "morning_stiffness_min": 90, "where": ["hip", "groin", "outer-hip", "buttock",
                                                   "lower-back", "knee"], "side": "both"}))
        for k in range(1, 7):
            add_entry(store, entry_from_mapping({
                "date": (UNTIL - timedelta(days=k)).isoformat(), "pain_morning": 5,
                "morning_stiffness_min": 60, "where": ["thigh"], "side": "right"}))
    add_checks(tmp_path)  # and form checks from video of both views
    _, pages = _report(tmp_path)
    _stands_alone(pages)
    assert "Form check from video" in pages[0]
    assert "side, 2024-03-15" in pages[0]
    assert "rear, 2024-03-16" in pages[0]
    assert pages[0].count("(noted 2024-03-20)") >= len(FLAGS)  # each sign listed
