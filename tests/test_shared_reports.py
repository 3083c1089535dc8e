"""Reports that leave the runner's machine (review D17, D21): each input of ``analyze --html`` gets
its own report, and no report carries the local path of a recording."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from click.testing import CliRunner

from hipstride.cli import main
from hipstride.report.run_page import report_file_names
from tests.hostile import gpx_file, tcx_file


def _gpx(minutes: int) -> bytes:
    """A run north at 3 m/s lasting ``minutes`` (so each test run has its own distance)."""
    return gpx_file([(60.17 + i * 2.7e-5, 24.94, f"2024-05-02T06:{i // 60:02d}:{i % 60:02d}Z")
                     for i in range(0, 60 * minutes, 3)])


def _tcx() -> bytes:
    return tcx_file([(60.17, 24.94 + i * 1.8e-4, f"2020-06-01T06:{i // 60:02d}:{i % 60:02d}Z")
                     for i in range(0, 900, 3)])


def test_report_names_are_stems_until_two_inputs_share_one() -> None:
    assert report_file_names(["x/run.fit", "y/walk.gpx.gz"]) == ["run.html", "walk.html"]
    assert report_file_names(["run.fit", "run.gpx", "other.tcx"]) == [
        "run.fit.html", "run.gpx.html", "other.html"]
    # the same name in two folders, the same file twice, and names differing only in case
    assert report_file_names(["a/run.gpx", "b/run.gpx", "run.gpx"]) == [
        "run.gpx.html", "run.gpx-2.html", "run.gpx-3.html"]
    assert report_file_names(["Run.gpx", "run.GPX"]) == ["Run.gpx.html", "run.GPX-2.html"]
    # a stem equal to another input's full name still gets a name of its own
    assert report_file_names(["run.gpx", "run.fit.gpx", "run.fit"]) == [
        "run.gpx.html", "run.fit.html", "run.fit-2.html"]


def test_analyze_writes_one_report_per_input_with_a_shared_stem(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    (inputs / "b").mkdir(parents=True)
    (inputs / "run.gpx").write_bytes(_gpx(15))
    (inputs / "run.tcx").write_bytes(_tcx())
    (inputs / "run.gpx.gz").write_bytes(gzip.compress(_gpx(12)))
    (inputs / "b" / "run.gpx").write_bytes(_gpx(9))
    paths = [inputs / "run.gpx", inputs / "run.tcx", inputs / "run.gpx.gz", inputs / "b" / "run.gpx"]
    out = tmp_path / "reports"
    result = CliRunner().invoke(main, ["analyze", *map(str, paths), "--html", str(out), "--json"])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == ["run.gpx-2.html", "run.gpx.gz.html", "run.gpx.html", "run.tcx.html"]
    pages = {name: (out / name).read_text(encoding="utf-8") for name in written}
    assert len(set(pages.values())) == 4  # four different reports, none overwritten
    # each "wrote" line names the report and the input it came from
    for path, name in zip(paths, ["run.gpx.html", "run.tcx.html", "run.gpx.gz.html",
                                  "run.gpx-2.html"], strict=True):
        assert f"wrote {out / name} (the report of {path})" in result.output
    # each report holds its own run: 15, 12 and 9 minutes at 3 m/s (the last point is 3 s short)
    for name, km in (("run.gpx.html", "2.69 km"), ("run.gpx.gz.html", "2.15 km"),
                     ("run.gpx-2.html", "1.61 km")):
        assert km in pages[name], name


def test_a_failed_input_shifts_no_report_name(tmp_path: Path) -> None:
    (tmp_path / "bad.gpx").write_bytes(b"<gpx")
    (tmp_path / "run.gpx").write_bytes(_gpx(15))
    (tmp_path / "run.tcx").write_bytes(_tcx())
    out = tmp_path / "reports"
    result = CliRunner().invoke(main, ["analyze", str(tmp_path / "run.gpx"), str(tmp_path / "bad.gpx"),
                                       str(tmp_path / "run.tcx"), "--html", str(out)])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["run.gpx.html", "run.tcx.html"]
    assert "Traceback" not in result.output
    assert re.search(r"error: .*bad\.gpx", result.output)


def _imported(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A library holding one run from a folder named like a runner's home; the home option."""
    folder = tmp_path / "home" / "ann-private" / "Downloads"
    folder.mkdir(parents=True)
    run = folder / "morning.gpx"
    run.write_bytes(_gpx(15))
    home = tmp_path / "lib"
    h = ["--home", str(home)]
    result = CliRunner().invoke(main, ["import", str(run), *h])
    assert result.exit_code == 0, result.output
    return run, home, h


def test_no_shared_report_or_export_names_the_local_folder(tmp_path: Path) -> None:
    run, _, h = _imported(tmp_path)
    runner = CliRunner()
    out = tmp_path / "out"
    commands = {
        "analyze.html": ["analyze", str(run), "--html", str(out / "analyze.html")],
        "show.html": ["show", "1", "--html", str(out / "show.html"), *h],
        "clinician.html": ["report", "clinician", "--until", "2024-05-10", "--html",
                           str(out / "clinician.html"), *h],
        "runs.csv": ["export", "runs", "--csv", str(out / "runs.csv"), *h],
        "run.geojson": ["export", "run", "1", "--geojson", str(out / "run.geojson"), *h],
    }
    for name, args in commands.items():
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (name, result.output)
        text = (out / name).read_text(encoding="utf-8")
        assert "ann-private" not in text, name
        assert str(tmp_path) not in text, name
    assert "morning.gpx" in (out / "analyze.html").read_text(encoding="utf-8")
    assert "morning.gpx" in (out / "show.html").read_text(encoding="utf-8")
    assert ",morning.gpx," in (out / "runs.csv").read_text(encoding="utf-8")
    assert '"source_file":"morning.gpx"' in (out / "run.geojson").read_text(encoding="utf-8")
    # the library itself still knows where the run came from
    listed = runner.invoke(main, ["runs", "--json", *h])
    assert str(run) in listed.stdout


def test_control_characters_never_reach_the_clinician_page(tmp_path: Path) -> None:
    from datetime import date

    from hipstride.journal.entry import JournalEntry
    from hipstride.journal.store import add_entry
    from hipstride.library.sqlite import SQLiteStore

    _, home, h = _imported(tmp_path)
    runner = CliRunner()
    # through the command: cleaned before it is stored
    added = runner.invoke(main, ["journal", "add", "--date", "2024-05-02", "--pain-during", "2",
                                 "--better", "ice\x00 pack\x1b[1m", "--worse", "hills\x85\r\n", *h])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(main, ["journal", "list", "--json", *h])
    assert '"better": "ice pack[1m"' in listed.stdout
    assert '"worse": "hills"' in listed.stdout
    # stored raw by an older version or through the Python API: cleaned on the page
    with SQLiteStore(home / "library.sqlite") as store:
        add_entry(store, JournalEntry(date(2024, 5, 3), pain_after=1.0, better="rest\x00ed\x07",
                                      worse="stairs\x1f"))
    page = tmp_path / "c.html"
    result = runner.invoke(main, ["report", "clinician", "--until", "2024-05-10", "--html",
                                  str(page), *h])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    for kept in ("rested", "stairs", "ice pack[1m"):
        assert kept in html
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", html)
