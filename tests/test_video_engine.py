"""The form engine on synthetic runners with known answers (no pose model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hipstride.errors import DataError, InputError
from hipstride.video.check import analyze_form
from hipstride.video.contacts import find_contacts, leg_length_px, tracked_legs, usable_frames
from hipstride.video.landmarks import LandmarkSequence, read_landmark_file, write_landmark_file
from hipstride.video.side import strike_class
from tests.video_synth import LEG_PX, rear_runner, side_runner


def _median(doc: dict[str, object], key: str) -> float:
    metrics = doc["metrics"]
    assert isinstance(metrics, dict)
    value = metrics[key]["median"]
    assert isinstance(value, float)
    return value


def test_side_view_recovers_lean_cadence_and_reach() -> None:
    doc = analyze_form(side_runner(lean_deg=10.0, cadence_spm=170.0)).to_dict()
    assert doc["view"] == "side"
    assert doc["quality"]["passed"]
    assert _median(doc, "trunk_lean_deg") == pytest.approx(10.0, abs=0.5)
    assert _median(doc, "cadence_spm") == pytest.approx(170.0, abs=2.0)
    # the heel lands 75 px = 0.25 legs ahead of the hips; the first low frame may come one later
    assert 0.19 <= _median(doc, "overstride_legs") <= 0.26
    assert _median(doc, "vertical_oscillation_legs") == pytest.approx(16 / LEG_PX, abs=0.01)
    # 6 s at 170 steps/min: 17 landings
    assert sum(c["landing_seen"] for c in doc["contacts"]) in (16, 17)
    assert doc["foot_strike"]["pattern"] == "mid"  # the synthetic foot lands flat


def test_a_backward_lean_and_another_cadence_are_told_apart() -> None:
    doc = analyze_form(side_runner(lean_deg=-4.0, cadence_spm=185.0)).to_dict()
    assert _median(doc, "trunk_lean_deg") == pytest.approx(-4.0, abs=0.5)
    assert _median(doc, "cadence_spm") == pytest.approx(185.0, abs=2.5)
    assert any(a["finding"] == "backward lean" for a in doc["advice"])


def test_contacts_do_not_trust_left_right_labels() -> None:
    clean = side_runner()
    # the model calls the legs by the wrong names in the very frames the feet land
    swapped = side_runner(swap_frames=(20, 63, 105, 147, 190))
    starts = []
    for seq in (clean, swapped):
        frames = usable_frames(seq)
        contacts, _ = find_contacts(tracked_legs(seq, frames), frames, leg_length_px(seq))
        starts.append([(c.start, c.leg) for c in contacts])
    assert starts[0] == starts[1]
    per_step = [analyze_form(s).to_dict()["metrics"]["overstride_legs"]["per_step"]
                for s in (clean, swapped)]
    assert per_step[0] == per_step[1]


def test_rear_view_measures_drop_against_the_runners_own_bias() -> None:
    doc = analyze_form(rear_runner(drop_deg=5.0, bias_deg=7.0, cross_share=0.2)).to_dict()
    assert doc["view"] == "rear"
    assert _median(doc, "pelvic_drop_deg") == pytest.approx(5.0, abs=0.6)
    assert _median(doc, "arm_crossing_shoulder_widths") == pytest.approx(0.2, abs=0.05)
    assert _median(doc, "step_width_hip_widths") == pytest.approx(0.45, abs=0.05)
    none = analyze_form(rear_runner(drop_deg=0.0, bias_deg=7.0)).to_dict()
    assert abs(_median(none, "pelvic_drop_deg")) < 0.6  # the bias alone is no drop
    findings = {a["finding"] for a in analyze_form(rear_runner(drop_deg=9.0)).to_dict()["advice"]}
    assert "pelvic drop" in findings
    assert "arms cross the body" in findings


def test_overstride_with_low_cadence_gives_the_step_rate_cue() -> None:
    doc = analyze_form(side_runner(cadence_spm=155.0, reach_px=130.0)).to_dict()
    advice = {a["finding"]: a for a in doc["advice"]}
    assert advice["overstride"]["cue"]["cadence_target_spm"] == round(155 * 1.05)


def test_a_ten_frame_clip_gets_the_gates_message() -> None:
    doc = analyze_form(side_runner().slice(0, 10)).to_dict()
    assert not doc["quality"]["passed"]
    assert doc["advice"] == []
    assert any("at least 8 needed" in line for line in doc["quality"]["fix"])


def test_two_people_in_view_fail_the_gate() -> None:
    seq = side_runner()
    people = np.ones(seq.n_frames, dtype=np.int64)
    people[::3] = 2
    crowded = LandmarkSequence(seq.points, seq.fps, seq.width_px, seq.height_px, seq.source,
                               seq.model, seq.frame_index, people)
    doc = analyze_form(crowded).to_dict()
    assert any("more than one person" in line for line in doc["quality"]["fix"])


def test_a_low_resolution_runner_gets_no_knee_angle() -> None:
    seq = side_runner()
    small = seq.points.copy()
    small[:, :, :2] *= 0.25
    doc = analyze_form(LandmarkSequence(small, seq.fps, 320, 270, "small", "synthetic")).to_dict()
    assert doc["metrics"]["knee_flexion_contact_deg"]["median"] is None
    assert "under 200 px" in doc["metrics"]["knee_flexion_contact_deg"]["note"]


def test_strike_classes_follow_altman_and_davis() -> None:
    assert [strike_class(a) for a in (15.0, 8.0, 0.0, -1.6, -5.0)] == \
        ["heel", "mid", "mid", "mid", "fore"]


def test_landmark_file_round_trip(tmp_path: Path) -> None:
    seq = side_runner(seconds=1.0)
    path = write_landmark_file(seq, tmp_path / "lm.json")
    back = read_landmark_file(path)
    assert back.fps == seq.fps
    assert back.n_frames == seq.n_frames
    np.testing.assert_allclose(back.points, seq.points, atol=0.006, equal_nan=True)


@pytest.mark.parametrize(("content", "problem"), [
    ("not json", "not JSON"),
    ('{"format": "other"}', "not a hipstride landmark file"),
    ('{"format": "hipstride-landmarks", "version": 9}', "version 9"),
])
def test_bad_landmark_files_are_named(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=problem) as err:
        read_landmark_file(path)
    assert str(path) in str(err.value)


def test_a_frame_of_the_wrong_shape_is_named(tmp_path: Path) -> None:
    path = write_landmark_file(side_runner(seconds=0.2), tmp_path / "lm.json")
    doc = json.loads(path.read_text())
    doc["frames"][3]["points"] = [[1, 2, 3]]
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="frame 3"):
        read_landmark_file(path)


def test_no_runner_at_all_is_a_data_error() -> None:
    empty = np.full((20, 33, 4), np.nan)
    with pytest.raises(DataError, match="no frame shows the runner"):
        analyze_form(LandmarkSequence(empty, 30.0, 640, 480, "empty.json", "synthetic"))


def test_read_source_takes_a_landmark_file_and_checks_a_given_frame_rate(tmp_path: Path) -> None:
    from hipstride.video.source import is_video, read_source

    path = write_landmark_file(side_runner(seconds=0.5), tmp_path / "lm.json")
    assert not is_video(path)
    assert read_source(path).fps == 60.0
    assert read_source(path, fps=60.0).n_frames == 30
    with pytest.raises(InputError, match=r"states 60\.00 frames/s, not the 30 given"):
        read_source(path, fps=30.0)
    with pytest.raises(InputError, match="no such file"):
        read_source(tmp_path / "nothing.mp4")


def test_contact_time_is_sub_frame_and_reads_long_by_the_tolerance_band() -> None:
    true_ms = 0.35 * 2 * 60.0 / 170.0 * 1000.0  # stance share of the stride: 247 ms
    at_60 = _median(analyze_form(side_runner(fps=60.0)).to_dict(), "contact_time_ms")
    at_30 = _median(analyze_form(side_runner(fps=30.0)).to_dict(), "contact_time_ms")
    assert abs(at_60 - at_30) < 10.0  # the same answer whatever the frame rate
    # the foot counts as down while within 6 % of a leg of the ground: about 40 ms too long here
    assert true_ms < at_60 < true_ms + 60.0


def test_a_tracker_that_jumps_to_another_person_fails_the_gate() -> None:
    seq = side_runner()
    points = seq.points.copy()
    points[200:, :, 0] += 3 * LEG_PX  # from frame 200 on, the model follows someone else
    jumped = LandmarkSequence(points, seq.fps, 2400, seq.height_px, seq.source, seq.model)
    doc = analyze_form(jumped).to_dict()
    assert any("switched person" in line for line in doc["quality"]["fix"])
    assert not any("switched person" in line
                   for line in analyze_form(seq).to_dict()["quality"]["fix"])


def test_each_finding_says_which_metric_value_floor_and_source_led_to_it() -> None:
    doc = analyze_form(side_runner(cadence_spm=155.0, reach_px=130.0, lean_deg=14.0)).to_dict()
    advice = {a["finding"]: a for a in doc["advice"]}
    over = advice["overstride"]
    assert [w["metric"] for w in over["why"]] == ["overstride_legs", "cadence_spm"]
    reach = over["why"][0]
    assert reach["value"] == pytest.approx(doc["metrics"]["overstride_legs"]["median"], abs=1e-3)
    assert reach["noise_floor"] == pytest.approx(doc["metrics"]["overstride_legs"]["noise_floor"],
                                                 abs=1e-3)
    assert reach["comparison"] == "above"
    assert over["why"][1]["comparison"] == "below"
    assert "cadence 155 steps/min" in over["because"]
    assert over["source"].startswith("Heiderscheit")
    lean = advice["forward lean"]
    assert lean["why"][0]["limit"] == 12.0
    assert lean["because"].startswith("trunk lean 14 deg (noise floor")
    assert all(a["source"] and a["why"] for a in doc["advice"])


def test_strides_pair_consecutive_contacts_of_opposite_feet() -> None:
    from hipstride.video.metric import stride_values, strides

    assert strides([0, 1, 0, 1, 0]) == [(0, 1), (2, 3)]
    assert strides(["left", "left", "right", "left", "right"]) == [(1, 2), (3, 4)]
    assert strides(["left", "left", "right", "left", "left"]) == [(1, 2)]
    assert strides([1]) == []
    assert stride_values([1.0, 3.0, None, 2.0], [(0, 1), (2, 3)]) == (2.0, None)


def test_each_contact_metric_is_also_given_per_stride() -> None:
    doc = analyze_form(side_runner(lean_deg=10.0)).to_dict()
    over = doc["metrics"]["overstride_legs"]
    assert len(doc["strides"]) >= 4
    assert len(over["per_stride"]) == len(doc["strides"])
    for stride, value in zip(doc["strides"], over["per_stride"], strict=True):
        a, b = stride["contacts"]
        assert b == a + 1
        assert value == pytest.approx((over["per_step"][a] + over["per_step"][b]) / 2, abs=2e-3)
    legs = [c["leg"] for c in doc["contacts"] if c["landing_seen"]]
    assert all(legs[a] != legs[b] for a, b in (s["contacts"] for s in doc["strides"]))
    assert doc["metrics"]["cadence_spm"]["per_stride"] is None  # measured between contacts
