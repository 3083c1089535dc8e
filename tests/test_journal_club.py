"""The coach's view (``hipstride athletes``): each athlete's decision, open red flags, last run
and load trend, the same figures the athlete's own commands give, urgent athletes first."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from hipstride.cli import main
from hipstride.journal.club import club_overview
from hipstride.journal.today import decide_today
from hipstride.library.api import open_store
from tests.conftest import data_path

RUN = "fit/elevate__bloemendaal.fit"


def _home(tmp_path: Path) -> list[str]:
    runner = CliRunner()
    home = ["--home", str(tmp_path)]
    for who in ("ann", "bob", "cleo"):
        assert runner.invoke(main, ["import", str(data_path(RUN)), *home, "--athlete", who]).exit_code == 0
    entry = {"date": "2024-05-07", "pain_during": 6, "flags": ["night-pain"]}
    done = runner.invoke(main, ["journal", "add", *home, "--athlete", "bob", "--entry", json.dumps(entry)])
    assert done.exit_code == 0, done.output
    return home


def test_the_overview_gives_each_athletes_own_decision_urgent_first(tmp_path: Path,
                                                                    library_backend: str) -> None:
    _home(tmp_path)
    day = date(2024, 5, 8)
    with open_store(home=tmp_path, athlete="ann") as store:
        lines = club_overview(store, today=day)
        assert [line["athlete"] for line in lines] == ["bob", "ann", "cleo"]
        for line in lines:
            with store.with_athlete(line["athlete"]) as own:
                assert line["decision"] == decide_today(own, today=day).decision
    bob, ann = lines[0], lines[1]
    assert bob["urgent"]
    assert bob["decision"] == "see-professional"
    assert [f["flag"] for f in bob["red_flags"]] == ["night-pain"]
    assert bob["red_flags"][0]["seen"] is None
    assert not ann["urgent"]
    assert ann["red_flags"] == []
    assert ann["last_run"]["distance_m"] > 1000
    assert ann["last_run"]["hip_load_index"] > 0.5


def test_the_athletes_command_prints_a_table_and_json(tmp_path: Path) -> None:
    home = _home(tmp_path)
    runner = CliRunner()
    done = runner.invoke(main, ["athletes", *home, "--date", "2024-05-08", "--json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.output)
    assert doc["date"] == "2024-05-08"
    assert [a["athlete"] for a in doc["athletes"]] == ["bob", "ann", "cleo"]
    table = runner.invoke(main, ["athletes", *home, "--date", "2024-05-08"])
    assert table.exit_code == 0, table.output
    assert "bob" in table.output
    assert "see-professional" in table.output
    empty = runner.invoke(main, ["athletes", "--home", str(tmp_path / "none")])
    assert empty.exit_code == 0
    assert "no athletes yet" in empty.output


def test_each_athletes_clinician_report_names_them_and_holds_only_their_journal(
        tmp_path: Path) -> None:
    home = _home(tmp_path)
    runner = CliRunner()
    pages = {}
    for who in ("ann", "bob"):
        out = tmp_path / f"{who}.html"
        done = runner.invoke(main, ["report", "clinician", *home, "--athlete", who, "--until",
                                    "2024-05-08", "--html", str(out)])
        assert done.exit_code == 0, done.output
        pages[who] = out.read_text(encoding="utf-8")
    assert "hip-pain summary: bob</h1>" in pages["bob"]
    assert "2024-05-07" in pages["bob"]  # the day of bob's red flag, in his report only
    assert "hip-pain summary: ann</h1>" in pages["ann"]
    assert "2024-05-07" not in pages["ann"]
