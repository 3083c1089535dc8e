"""Hostile input at the command line and in files, each class from the review on a file or value
the test builds: a one-line error (or a correct result), never a traceback (review D13, D15, D16,
D10's ``--dem``)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from hipstride._json import utf8_text
from hipstride.cli import main
from hipstride.errors import DataError, InputError, ReadWarning
from hipstride.io import read_activity, read_gpx
from hipstride.io._source import sniff_format
from hipstride.map.planner import plan_loops
from hipstride.map.store import save_map
from tests.hostile import gpx_file
from tests.test_map_import import stored_network

HUGE = str(10**23)


def _minute_run(day: str = "2024-05-02") -> bytes:
    return gpx_file([(60.17 + i * 9e-5, 24.94, f"{day}T06:{i // 60:02d}:{i % 60:02d}Z")
                     for i in range(0, 1800, 3)])


@pytest.fixture
def home(tmp_path: Path) -> Path:
    run = tmp_path / "run.gpx"
    run.write_bytes(_minute_run())
    result = CliRunner().invoke(main, ["import", str(run), "--home", str(tmp_path / "home")])
    assert result.exit_code == 0, result.output
    return tmp_path / "home"


def _one_line(result: Result, *needles: str) -> str:
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    line = result.output.strip().splitlines()[-1]
    for needle in needles:
        assert needle in line, line
    return line


def test_run_ids_beyond_64_bits_are_no_run(home: Path) -> None:
    runner = CliRunner()
    h = ["--home", str(home)]
    _one_line(runner.invoke(main, ["show", HUGE, *h]), f"no run with id {HUGE}")
    _one_line(runner.invoke(main, ["export", "run", HUGE, "--gpx", str(home / "x.gpx"), *h]),
              f"no run with id {HUGE}")
    _one_line(runner.invoke(main, ["journal", "add", "--pain-during", "2", "--run-id", HUGE, *h]),
              "--run-id", "must be a run id")
    entry = json.dumps({"pain_during": 2, "run_id": 10**23})
    _one_line(runner.invoke(main, ["journal", "add", "--entry", entry, *h]), "must be a run id")


def test_dates_near_year_one_are_refused(home: Path) -> None:
    runner = CliRunner()
    h = ["--home", str(home)]
    _one_line(runner.invoke(main, ["journal", "add", "--date", "0001-01-01", "--pain-during", "2",
                                   *h]), "--date", "0001-01-01 is before 1980-01-01")
    _one_line(runner.invoke(main, ["today", "--date", "0001-01-02", *h]), "--date")
    _one_line(runner.invoke(main, ["report", "clinician", "--until", "0001-01-20", "--html",
                                   str(home / "c.html"), *h]), "--until")
    _one_line(runner.invoke(main, ["journal", "list", "--since", "0001-01-01", *h]), "--since")
    assert runner.invoke(main, ["today", "--date", "1980-01-02", *h]).exit_code == 0


def test_lone_surrogates_in_journal_text_are_stored_safely(home: Path) -> None:
    runner = CliRunner()
    h = ["--home", str(home)]
    added = runner.invoke(main, ["journal", "add", "--pain-during", "2", "--better",
                                 "rest \udcff\ud800 helped", *h])
    assert added.exit_code == 0, (added.output, added.exception)
    listed = runner.invoke(main, ["journal", "list", "--json", *h])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)[0]["better"] == "rest \ufffd\ufffd helped"
    page = runner.invoke(main, ["report", "clinician", "--html", str(home / "c.html"), *h])
    assert page.exit_code == 0, (page.output, page.exception)
    assert "rest \ufffd\ufffd helped" in (home / "c.html").read_text(encoding="utf-8")
    assert utf8_text("\ud83d\ude00") == "\U0001f600"  # a pair is a character, kept


def test_deeply_nested_entry_json_is_one_line(home: Path) -> None:
    deep = "[" * 60_000 + "]" * 60_000
    _one_line(CliRunner().invoke(main, ["journal", "add", "--entry", deep, "--home", str(home)]),
              "--entry", "nested too deeply")


def test_a_negative_seed_is_refused(tmp_path: Path) -> None:
    monaco = stored_network("monaco")
    with pytest.raises(InputError, match="seed must be a whole number from 0, got -1"):
        plan_loops(monaco, start_lat_deg=43.7384, start_lon_deg=7.4246, distance_m=2000, seed=-1)
    save_map(monaco, "monaco", tmp_path)
    _one_line(CliRunner().invoke(main, ["route", "loop", "--start", "43.7384,7.4246",
                                        "--distance-km", "2", "--seed", "-1", "--home",
                                        str(tmp_path)]), "seed must be a whole number from 0")


def test_a_picture_is_not_an_elevation_model(tmp_path: Path) -> None:
    rasterio = pytest.importorskip("rasterio")
    picture = tmp_path / "some.png"
    pixels = np.full((3, 40, 60), 200, dtype=np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(picture, "w", driver="PNG", height=40, width=60, count=3,
                           dtype="uint8") as dst:
            dst.write(pixels)
    from hipstride.map.dem import sample_dem

    with pytest.raises(InputError, match=r"some\.png: not an elevation model"):
        sample_dem(picture, np.array([52.5]), np.array([13.3]))
    broken = tmp_path / "some.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + bytes(2000))
    with pytest.raises(InputError, match=r"some\.jpg: cannot be read as an elevation raster"):
        sample_dem(broken, np.array([52.5]), np.array([13.3]))


def test_a_gpx_with_a_long_preamble_is_read(tmp_path: Path) -> None:
    preamble = b"<!-- " + b"exported by a tool that says a lot " * 300 + b"-->\n"
    assert len(preamble) > 4096
    data = _minute_run().replace(b"<gpx ", preamble + b"<gpx ", 1)
    assert sniff_format(data, "long.gpx") == "gpx"
    activity = read_activity(data, name="long.gpx")
    assert len(activity.time_s) == 600


def test_a_million_identical_timestamps_read_as_one_moment(tmp_path: Path) -> None:
    """The timestamps of many alike points are parsed once (the review's 10⁶ case took 13 s;
    ``benchmarks/bench_import.py --hostile`` times such files); each point gets the right time."""
    n = 200_000
    data = gpx_file([(60.17 + i * 1e-6, 24.94, "2020-06-01T06:00:00Z") for i in range(n)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadWarning)
        try:
            activity = read_gpx(data, name="same.gpx")
        except DataError:
            return  # refusing a run with no duration is an answer too
    assert np.all(activity.time_s == activity.time_s[0])


def test_a_run_off_the_ways_of_a_map_or_outside_it_is_analysed(tmp_path: Path) -> None:
    """Review D6: a run inside a map's bbox but far from its ways, and a run outside the map
    named with --map, gave a traceback in the spatial index (no segment near the track)."""
    save_map(stored_network("heidelberg"), "hd", tmp_path)
    corner = tmp_path / "corner.gpx"  # the bbox's south-west corner: fields, no mapped way
    corner.write_bytes(gpx_file([(49.335 + i * 9e-6, 7.711, f"2024-05-02T06:{i // 60:02d}:"
                                  f"{i % 60:02d}Z") for i in range(0, 1800, 2)]))
    far = tmp_path / "helsinki.gpx"
    far.write_bytes(_minute_run())
    runner = CliRunner(env={"HIPSTRIDE_HOME": str(tmp_path)})
    for args in (["analyze", str(corner), "--json"], ["analyze", str(far), "--map", "hd", "--json"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (result.output, result.exception)
        assert json.loads(result.stdout)["activity"]["sport"] == "running"
