"""Every ``--json`` a command prints is valid JSON (no NaN, no Infinity, no lone surrogate), and
CSV cells that a spreadsheet would evaluate are neutralised (review D9, D10)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from hipstride._json import clean, dumps
from hipstride.cli import main
from hipstride.library.export import neutral_cell
from tests.conftest import data_path
from tests.hostile import gpx_file

REAL_FILES = ("fit/elevate__trosku.fit", "gpx/runpandas__run.gpx", "tcx/elevate__sloatsburg.tcx",
              "gpx/gpxpy__Mojstrovka.gpx", "fit/fitparse__garmin-fenix-5-run.fit")
START = "43.7384,7.4246"  # Monaco, on the stored map


def _strict(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _json_commands() -> set[str]:
    """Every command of the CLI that has a ``--json`` option, by its words."""
    ctx = click.Context(main)
    found: set[str] = set()

    def walk(command: click.Command, words: list[str]) -> None:
        if any("--json" in getattr(p, "opts", ()) for p in command.params):
            found.add(" ".join(words))
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, [*words, name])

    walk(main, [])
    return found


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    runner = CliRunner()
    files = [str(data_path(f)) for f in REAL_FILES]
    assert runner.invoke(main, ["import", *files, "--home", str(home)]).exit_code in (0, 1)
    assert runner.invoke(main, ["map", "import", str(data_path("osm/osrm__monaco.osm.pbf")),
                                "--home", str(home)]).exit_code == 0
    return home


def _arguments(home: Path, tmp: Path) -> dict[str, list[str]]:
    h = ["--home", str(home)]
    run = str(data_path(REAL_FILES[0]))
    return {
        "analyze": ["analyze", run, str(data_path(REAL_FILES[2]))],
        "athletes": ["athletes", *h],
        "reanalyze": ["reanalyze", "--workers", "0", *h],
        "db migrate": ["db", "migrate", *h],
        "db copy": ["db", "copy", "--from", f"sqlite:{home / 'library.sqlite'}",
                    "--to", f"sqlite:{tmp / 'copy.sqlite'}", *h],
        "demo": ["demo", "--out", str(tmp / "demo")],
        "import": ["import", str(data_path(REAL_FILES[1])), *h],
        "journal add": ["journal", "add", "--pain-during", "3", "--better", "rest \udcff", *h],
        "journal edit": ["journal", "edit", dt.date.today().isoformat(), "--pain-after", "2", *h],
        "journal list": ["journal", "list", *h],
        "form": ["form", str(data_path("video/Radluy__example1_side_json.tar.gz")), "--fps", "30",
                 "--no-store", *h],
        "map list": ["map", "list", *h],
        "route loop": ["route", "loop", "--start", START, "--distance-km", "2", *h],
        "route to": ["route", "to", "--start", START, "--end", "43.7313,7.4197", *h],
        "routine list": ["routine", "list"],
        "routine show": ["routine", "show", "warm-up"],
        "runs": ["runs", *h],
        "show": ["show", "1", *h],
        "today": ["today", *h],
        "trends": ["trends", *h],
    }


@pytest.mark.timeout(300)
def test_every_json_command_prints_valid_json_on_real_files(home: Path, tmp_path: Path) -> None:
    arguments = _arguments(home, tmp_path)
    assert set(arguments) == _json_commands()  # a new --json command is added here
    runner = CliRunner()
    for name, args in arguments.items():
        result = runner.invoke(main, [*args, "--json"])
        assert result.exit_code == 0, (name, result.output, result.exception)
        _strict(result.stdout)


def test_non_finite_numbers_become_null_and_strings_are_utf8() -> None:
    doc = {"index": math.nan, "load": [1.5, math.inf, -math.inf], "t": ("a", "\ud800b"),
           "ok": "\ud83d\ude00", 2: None}
    text = dumps(doc, ensure_ascii=False)
    assert _strict(text) == {"index": None, "load": [1.5, None, None], "t": ["a", "\ufffdb"],
                             "ok": "\U0001f600", "2": None}
    text.encode("utf-8")
    assert clean(7) == 7


def test_run_names_that_spreadsheets_evaluate_are_exported_as_text(tmp_path: Path) -> None:
    # (a leading tab or CR cannot reach a name: the readers trim it; neutral_cell still quotes it)
    names = ["=cmd|' /C calc'!A0", "+HYPERLINK(\"http://x\")", "@SUM(1+1)", "-2+3+cmd",
             "plain run"]
    folder = tmp_path / "runs"
    folder.mkdir()
    for k, name in enumerate(names):
        points = [(60.17 + i * 2.5e-5, 24.94,  # 2.8 m/s: a run, not a fragment
                    f"2024-05-{k + 1:02d}T06:{i // 60:02d}:{i % 60:02d}Z")
                  for i in range(0, 1800, 5)]
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        xml = gpx_file(points).replace(b"<trk>", f"<trk><name>{escaped}</name>".encode(), 1)
        (folder / f"run{k}.gpx").write_bytes(xml)
    home = tmp_path / "home"
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(folder), "--home", str(home)]).exit_code == 0
    out = tmp_path / "runs.csv"
    result = runner.invoke(main, ["export", "runs", "--csv", str(out), "--home", str(home)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        exported = sorted(row["name"] for row in csv.DictReader(fh))
    assert exported == sorted(["'" + n for n in names[:4]] + ["plain run"])
    assert neutral_cell(-2.5) == -2.5
    assert neutral_cell("\rx") == "'\rx"
    assert neutral_cell("\tx") == "'\tx"
