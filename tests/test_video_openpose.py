"""OpenPose BODY_25 frames from another tool, read into the engine, and ``hipstride form`` on them."""

from __future__ import annotations

import itertools
import json
import sqlite3
import tarfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hipstride.cli import main
from hipstride.errors import InputError
from hipstride.video.check import analyze_form
from hipstride.video.landmarks import index_of
from hipstride.video.openpose import read_openpose
from hipstride.video.source import read_source
from tests.conftest import data_path

REAR = "video/Radluy__example1_back_json.tar.gz"
SIDE = "video/Radluy__example1_side_json.tar.gz"


def test_rear_view_gives_pelvic_drop_and_arm_crossing_per_stride() -> None:
    seq = read_openpose(data_path(REAR), width_px=1920, height_px=1080)
    assert seq.n_frames == 103
    assert int((seq.people == 1).sum()) == 94
    assert seq.point("left_heel")[40, 0] > 0
    assert np.isnan(seq.point("left_pinky")[40, 0])  # BODY_25 has heels but no fingers
    doc = analyze_form(seq).to_dict()
    assert doc["view"] == "rear"
    complete = [c for c in doc["contacts"] if c["complete"]]
    assert len(complete) >= 5
    sides = [c["side"] for c in complete]
    assert all(a != b for a, b in itertools.pairwise(sides))  # left, right, left…
    for key in ("pelvic_drop_deg", "arm_crossing_shoulder_widths", "step_width_hip_widths"):
        per_step = doc["metrics"][key]["per_step"]
        assert len(per_step) == len(complete), key
        assert all(v is not None for v in per_step), key
    assert any("frame rate is not known" in c["message"] for c in doc["quality"]["checks"])


def test_side_view_frames_from_openpose() -> None:
    doc = analyze_form(read_openpose(data_path(SIDE), fps=30.0)).to_dict()
    assert doc["view"] == "side"
    assert sum(c["landing_seen"] for c in doc["contacts"]) >= 2
    assert doc["metrics"]["trunk_lean_deg"]["median"] is not None


def test_a_second_person_is_counted_and_the_runner_kept(tmp_path: Path) -> None:
    with tarfile.open(data_path(REAR)) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("_000000000050_keypoints.json"))
        handle = archive.extractfile(member)
        assert handle is not None
        doc = json.loads(handle.read())
    runner = doc["people"][0]
    other = dict(runner, pose_keypoints_2d=[v + 400 if i % 3 != 2 else v
                                             for i, v in enumerate(runner["pose_keypoints_2d"])])
    for number in range(3):
        frame = {"version": 1.3, "people": [other, runner] if number else [runner]}
        (tmp_path / f"clip_{number:012d}_keypoints.json").write_text(json.dumps(frame))
    seq = read_openpose(tmp_path)
    assert list(seq.people) == [1, 2, 2]
    heel = index_of("left_heel")
    assert seq.points[2, heel, 0] == seq.points[0, heel, 0]  # still the same runner


def test_broken_openpose_input_is_named(tmp_path: Path) -> None:
    (tmp_path / "a_000000000000_keypoints.json").write_text('{"people": [{"pose_keypoints_2d": [1, 2]}]}')
    with pytest.raises(InputError, match=r"a_000000000000_keypoints\.json"):
        read_openpose(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="holds no OpenPose JSON frame"):
        read_source(empty)


def test_form_command_on_openpose_frames_json_and_library(tmp_path: Path) -> None:
    home = tmp_path / "home"
    runner = CliRunner()
    result = runner.invoke(main, ["form", str(data_path(REAR)), "--view", "rear", "--fps", "30",
                                  "--json", "--home", str(home)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["view"] == "rear"
    assert doc["view_given"]
    assert doc["fps"] == 30.0
    with sqlite3.connect(home / "library.sqlite") as db:
        rows = db.execute("SELECT view, source, pelvic_drop_deg FROM form_checks").fetchall()
    assert rows == [("rear", "Radluy__example1_back_json.tar.gz",
                     doc["metrics"]["pelvic_drop_deg"]["median"])]
    text = runner.invoke(main, ["form", str(data_path(REAR)), "--no-store", "--home", str(home)])
    assert "Capture quality" in text.stdout
    assert "pelvic_drop_deg" in text.stdout
    missing_run = runner.invoke(main, ["form", str(data_path(REAR)), "--run-id", "7",
                                       "--home", str(home)])
    assert missing_run.exit_code == 2
    assert "no run with id 7" in missing_run.output


def test_form_command_names_a_file_it_cannot_read(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{")
    result = CliRunner().invoke(main, ["form", str(bad), "--no-store"])
    assert result.exit_code == 2
    assert "broken.json" in result.output


def test_a_second_check_is_compared_with_the_last_passed_one(tmp_path: Path) -> None:
    from hipstride.library.api import open_library
    from hipstride.library.form_checks import add_form_check, change_since_last, form_checks
    from tests.video_synth import rear_runner

    store = open_library(tmp_path)
    try:
        first = analyze_form(rear_runner(drop_deg=8.0)).to_dict()
        assert change_since_last(store, first) is None
        add_form_check(store, first, checked_at_utc="2026-11-01T08:00:00Z")
        second = analyze_form(rear_runner(drop_deg=4.0)).to_dict()
        trend = change_since_last(store, second)
        assert trend is not None
        drop = trend["changes"]["pelvic_drop_deg"]
        assert drop["change"] == pytest.approx(-4.0, abs=0.8)
        assert drop["beyond_noise"]
        assert not trend["changes"]["step_width_hip_widths"]["beyond_noise"]
        add_form_check(store, second)
        assert [c.medians["pelvic_drop_deg"] is not None for c in form_checks(store)] == [True, True]
    finally:
        store.close()


def test_html_report_of_landmarks_draws_skeletons_and_charts(tmp_path: Path) -> None:
    page = tmp_path / "rear.html"
    result = CliRunner().invoke(main, ["form", str(data_path(REAR)), "--html", str(page),
                                       "--no-store"])
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "aria-label=\"skeleton\"" in html
    assert "aria-label=\"trunk sway\"" in html
    assert "pelvic_drop_deg" in html
    assert "http" not in html
    assert "<script" not in html


def test_rear_openpose_gives_pelvic_drop_and_arm_crossing_per_stride() -> None:
    doc = analyze_form(read_source(data_path(REAR), fps=30.0), "rear").to_dict()
    sides = [c["side"] for c in doc["contacts"] if c["complete"]]
    assert len(doc["strides"]) == 3  # six complete stances, left and right in turn
    for key in ("pelvic_drop_deg", "arm_crossing_shoulder_widths"):
        metric = doc["metrics"][key]
        assert len(metric["per_stride"]) == 3
        assert all(v is not None for v in metric["per_stride"])
    assert all(sides[a] != sides[b] for a, b in (s["contacts"] for s in doc["strides"]))
