"""``hipstride form`` with several sources, ``--landmarks`` and ``--workout``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from garmin_fit_sdk import Decoder, Stream

from hipstride.cli import main
from hipstride.video.landmarks import write_landmark_file
from tests.conftest import data_path
from tests.video_synth import rear_runner, side_runner

REAR = "video/Radluy__example1_back_json.tar.gz"


def _files(tmp_path: Path) -> tuple[Path, Path]:
    over, rear = tmp_path / "over.json", tmp_path / "rear.json"
    write_landmark_file(side_runner(cadence_spm=155.0, reach_px=130.0), over)
    write_landmark_file(rear_runner(drop_deg=9.0), rear)
    return over, rear


def test_several_sources_are_each_checked_stored_and_written(tmp_path: Path) -> None:
    over, rear = _files(tmp_path)
    home, page = tmp_path / "home", tmp_path / "out" / "form.html"
    page.parent.mkdir()
    result = CliRunner().invoke(main, ["form", str(over), str(rear), "--json", "--html",
                                       str(page), "--home", str(home)])
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert [d["view"] for d in docs] == ["side", "rear"]
    assert [d["stored_id"] for d in docs] == [1, 2]
    assert (page.parent / "form-over.html").is_file()
    assert (page.parent / "form-rear.html").is_file()
    assert not page.exists()
    text = CliRunner().invoke(main, ["form", str(over), str(rear), "--no-store"])
    assert text.stdout.count("Form check of ") == 2


def test_a_failing_source_fails_alone_and_the_exit_says_so(tmp_path: Path) -> None:
    over, _ = _files(tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    missing = tmp_path / "missing.mp4"
    result = CliRunner().invoke(main, ["form", str(broken), str(over), str(missing), "--json",
                                       "--no-store"])
    assert result.exit_code == 2
    docs = json.loads(result.stdout)
    assert [("error" in d) for d in docs] == [True, False, True]
    assert "broken.json" in docs[0]["error"]
    assert "missing.mp4" in docs[2]["error"]
    assert docs[1]["view"] == "side"
    assert result.stderr.count("hipstride: error: ") == 2
    alone = CliRunner().invoke(main, ["form", str(broken), "--json", "--no-store"])
    assert alone.exit_code == 2
    assert alone.stdout == ""
    assert "broken.json" in alone.stderr


def test_landmarks_option_and_its_old_name_write_the_same_file(tmp_path: Path) -> None:
    new, old = tmp_path / "new.json", tmp_path / "old.json"
    source = str(data_path(REAR))
    for option, out in (("--landmarks", new), ("--save-landmarks", old)):
        result = CliRunner().invoke(main, ["form", source, "--fps", "30", option, str(out),
                                           "--no-store"])
        assert result.exit_code == 0, result.output
    assert json.loads(new.read_text()) == json.loads(old.read_text())
    again = CliRunner().invoke(main, ["form", str(new), "--json", "--no-store"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["view"] == "rear"


def test_the_step_rate_cue_becomes_a_fit_workout(tmp_path: Path) -> None:
    over, rear = _files(tmp_path)
    fit = tmp_path / "cue.fit"
    result = CliRunner().invoke(main, ["form", str(over), "--workout", str(fit), "--json",
                                       "--no-store"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    target = next(a for a in doc["advice"] if a["finding"] == "overstride")["cue"]
    decoder = Decoder(Stream.from_byte_array(bytearray(fit.read_bytes())))
    messages, errors = decoder.read()
    assert errors == []
    run = messages["workout_step_mesgs"][1]
    low, high = run["custom_target_cadence_low"], run["custom_target_cadence_high"]
    assert 2 * low < target["cadence_target_spm"] < 2 * high
    assert "Why: heel ahead of hip" in run["notes"]
    none = tmp_path / "none.fit"
    quiet = CliRunner().invoke(main, ["form", str(rear), "--workout", str(none), "--no-store"])
    assert quiet.exit_code == 0, quiet.output
    assert not none.exists()
    assert "no step-rate cue" in quiet.stderr
