"""The hip-load model: reference course, additivity, direction of each factor, profile files."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipstride.activity import FloatArray
from hipstride.errors import ProfileError
from hipstride.model.advice import RunFacts, advise
from hipstride.model.hipload import FACTORS, evaluate_course, turn_load
from hipstride.model.profile import default_profile, load_profile
from hipstride.model.score import score_course
from hipstride.track.course import Course
from hipstride.track.surface import surface_from_sub_sport, surface_from_word, unknown_surface
from tests.test_track import corner, course_of, polyline, running_track_xy
from tests.test_track import turns_of as detect_turns

DOCS = Path(__file__).resolve().parent.parent / "docs" / "hip-load-model.md"


def straight(length_m: float = 2000.0, elevation: FloatArray | None = None) -> Course:
    x, y = polyline([(0, 0), (0, length_m)])
    return course_of(x, y, elevation=elevation)


def test_flat_straight_neutral_is_exactly_one() -> None:
    course = straight()
    load = evaluate_course(course, detect_turns(course), unknown_surface(len(course)), default_profile())
    assert load.index == 1.0
    assert all(v == 0.0 for v in load.factors.values())
    assert load.total == pytest.approx(2.0)


@settings(max_examples=40, deadline=None)
@given(st.floats(-25, 25), st.sampled_from(["street", "trail", "treadmill", None]),
       st.floats(0, 0.2), st.floats(0, 0.1), st.floats(0, 10))
def test_contributions_add_up_to_index_minus_one(tmp_path_factory: pytest.TempPathFactory, grade: float,
                                                 sub_sport: str | None, down_w: float, up_w: float,
                                                 turn_w: float) -> None:
    path = tmp_path_factory.mktemp("p") / "p.toml"
    path.write_text(f"[downhill]\nper_pct = {down_w}\n[uphill]\nper_pct = {up_w}\n[turns]\nper_g = {turn_w}\n")
    profile = load_profile(path)
    x, y = polyline([(0, 0), (0, 600), (300, 600), (300, 0)])
    d = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))
    course = course_of(x, y, elevation=d * grade / 100.0)
    load = evaluate_course(course, detect_turns(course), surface_from_sub_sport(sub_sport, len(course)), profile)
    assert load.index == pytest.approx(1.0 + sum(load.factors[f] for f in FACTORS), abs=1e-12)
    assert set(load.factors) == set(FACTORS)
    assert load.index is not None  # the course has a length
    assert load.total == pytest.approx(load.index * float(load.weights_m.sum()) / 1000.0)


@given(st.floats(4, 30))
def test_a_descent_loads_more_than_the_same_climb(grade: float) -> None:
    n = 2000
    profile = default_profile()
    up = straight(n, elevation=None)
    up_course = straight(n, elevation=np.linspace(0, n * grade / 100, polyline([(0, 0), (0, n)])[0].size))
    down_course = straight(n, elevation=np.linspace(n * grade / 100, 0, polyline([(0, 0), (0, n)])[0].size))
    none = unknown_surface(len(up))
    climb = evaluate_course(up_course, [], none, profile)
    descent = evaluate_course(down_course, [], none, profile)
    assert descent.index is not None  # both courses have a length
    assert climb.index is not None
    assert descent.index > climb.index > 1.0
    assert descent.factors["uphill"] == 0
    assert climb.factors["downhill"] == 0


def test_turns_weigh_by_lateral_acceleration() -> None:
    x, y = polyline([(0, 0), (0, 500), (500, 500), (500, 0), (0, 0)])
    slow = course_of(x, y, speed=3.0)
    fast = course_of(x, y, speed=5.0)
    profile = default_profile()
    load_slow = evaluate_course(slow, detect_turns(slow), unknown_surface(len(slow)), profile)
    load_fast = evaluate_course(fast, detect_turns(fast), unknown_surface(len(fast)), profile)
    assert 0 < load_slow.factors["turns"] < load_fast.factors["turns"]


def test_surface_weight_scales_with_confidence() -> None:
    course = straight()
    profile = default_profile()
    sure = evaluate_course(course, [], surface_from_word("asphalt", len(course)), profile)
    street = evaluate_course(course, [], surface_from_sub_sport("street", len(course)), profile)
    soft = evaluate_course(course, [], surface_from_word("grass", len(course)), profile)
    assert sure.factors["surface"] == pytest.approx(profile.surface.hard)
    assert street.factors["surface"] == pytest.approx(0.8 * profile.surface.hard)
    assert soft.factors["surface"] == 0.0


def test_cadence_counts_only_against_a_baseline() -> None:
    course = dataclasses.replace(straight(), cadence_spm=np.full(len(straight()), 160.0))
    profile = default_profile()
    neutral = evaluate_course(course, [], unknown_surface(len(course)), profile)
    assert neutral.factors["cadence"] == 0.0
    below = evaluate_course(course, [], unknown_surface(len(course)), profile,
                            cadence_baseline_spm=np.full(len(course), 160.0 / 0.95))
    # 5 % below baseline, 2 % tolerance: 0.25 per 10 % × 3 % = 0.075
    assert below.factors["cadence"] == pytest.approx(0.075, rel=1e-6)
    above = evaluate_course(course, [], unknown_surface(len(course)), profile,
                            cadence_baseline_spm=np.full(len(course), 150.0))
    assert above.factors["cadence"] == 0.0


@pytest.mark.parametrize(("text", "message"), [
    ("[downhill]\nper_pcnt = 0.1\n", "unknown key 'per_pcnt'"),
    ("[hills]\nper_pct = 0.1\n", "unknown section [hills]"),
    ("[downhill]\nper_pct = -0.1\n", "must not be negative"),
    ("[downhill]\nper_pct = 'steep'\n", "must be a number"),
    ("[turns]\nmin_angle_deg = 90\nsharp_angle_deg = 60\n", "sharp_angle_deg must be at least"),
    ("[turns]\nmin_speed_mps = 3.5\n", "min_speed_mps must not exceed"),
    ("[turns]\nthreshold_mps2 = 5\n", "max_lateral_accel_mps2 must be above"),
    ("[turns]\nmax_angle_deg = 60\n", "max_angle_deg must be at least"),
    ("[downhill\n", "not valid TOML"),
    ("[planner]\nsteps_factor = 0.5\n", "[planner] steps_factor must be at least 1"),
    ("[planner]\nbend_min_deg = 200\n", "[planner] bend_min_deg must be at most 180"),
    ("[planner]\nuturn_penalty_m = -5\n", "[planner] uturn_penalty_m must not be negative"),
])
def test_bad_profiles_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=re.escape(message)) as info:
        load_profile(path)
    assert str(path) in str(info.value)


def test_missing_profile_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such profile file"):
        load_profile(tmp_path / "nope.toml")


def test_a_partial_profile_keeps_the_other_defaults(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[profile]\nname = "mine"\n[surface]\nhard = 0.2\n')
    profile = load_profile(path)
    assert profile.name == "mine"
    assert profile.surface.hard == 0.2
    assert profile.downhill.per_pct == default_profile().downhill.per_pct


def test_profiles_are_values(tmp_path: Path) -> None:
    """Equal weights give equal, equally hashed profiles (caches key on them), whatever the file."""
    same = tmp_path / "same.toml"
    same.write_text('[profile]\nname = "default"\n')
    assert load_profile(same) == default_profile()
    assert hash(load_profile(same)) == hash(default_profile())
    assert load_profile(same).source == str(same)
    assert load_profile("flat-soft") != default_profile()
    with pytest.raises(dataclasses.FrozenInstanceError):
        default_profile().downhill.per_pct = 1.0  # type: ignore[misc]


def test_docs_list_every_profile_key() -> None:
    documented = set(re.findall(r"^\| `(\w+)` \| `(\w+)` \|", DOCS.read_text(), flags=re.M))
    shipped = {(s, k) for s, table in default_profile().to_dict().items() for k in table}
    assert documented == shipped


def test_the_shipped_flat_soft_profile_loads_by_name() -> None:
    easy = load_profile("flat-soft")
    base = default_profile()
    assert easy.name == "flat-soft"
    assert easy.surface.hard > base.surface.hard
    assert easy.downhill.per_pct > base.downhill.per_pct
    assert easy.turns.window_m == base.turns.window_m  # inherited



def _advice_for(course: Course, sub_sport: str | None) -> tuple[float, int, list[str]]:
    """Index, sharp turns and advice texts of a course scored as a recorded run."""
    profile = default_profile()
    surface = surface_from_sub_sport(sub_sport, len(course))
    score = score_course(course, surface, profile)
    hip = score.hip_load
    assert hip.index is not None
    km = float(hip.weights_m.sum()) / 1000.0
    sharp = score.sharp_turns
    shares = surface.shares(hip.weights_m)
    facts = RunFacts(distance_km=km, contributions=hip.factors, steep_descent_km=0.0,
                     min_grade_pct=score.grades.min_grade_pct, steep_climb_km=0.0,
                     max_grade_pct=score.grades.max_grade_pct, sharp_turns=len(sharp),
                     sharp_turns_per_km=len(sharp) / km,
                     sharp_left=sum(t.side == "left" for t in sharp),
                     sharp_right=sum(t.side == "right" for t in sharp),
                     hard_share=shares["hard"], unknown_share=shares["unknown"],
                     surface_source=surface.source, cadence_deficit_pct=None,
                     balance_left_pct=None, running=True)
    return hip.index, len(sharp), [a.text for a in advise(facts, profile)]


def test_a_track_session_scores_no_worse_than_a_town_loop_and_gets_no_track_advice() -> None:
    """12 laps of a 400 m track at 4 m/s against 4.8 km of town blocks (a right-angle corner
    every 100 m) at the same speed: the track's bends are gentle curves (no sharp turn, a load no
    higher than the town's), and no advice tells a runner on a track to use a track."""
    for noise in (0.0, 3.0):
        x, y = running_track_xy(12, 4.0, noise)
        track_index, track_sharp, track_advice = _advice_for(course_of(x, y, speed=4.0), "track")
        assert track_sharp == 0
        assert not any("track" in text for text in track_advice)
        corners = [(0.0, 0.0)]
        for k in range(48):  # a zig-zag through town: right, left, right, ...
            dx, dy = ((0.0, 100.0), (100.0, 0.0))[k % 2]
            corners.append((corners[-1][0] + dx, corners[-1][1] + dy))
        tx, ty = polyline(corners)
        town_index, town_sharp, _ = _advice_for(course_of(tx, ty, speed=4.0), None)
        assert town_sharp >= 40
        assert track_index <= town_index


def test_gentle_lateral_acceleration_adds_nothing() -> None:
    turns = default_profile().turns
    lateral = np.array([0.0, turns.threshold_mps2, turns.threshold_mps2 + 0.981, 99.0])
    load = turn_load(lateral, np.array([True, True, True, False]), turns)
    np.testing.assert_allclose(load, [0.0, 0.0, turns.per_g * 0.1, 0.0], atol=1e-3)


def test_a_planned_route_keeps_every_turn_the_planner_charged() -> None:
    """A 170° corner at 5 m/s peaks above the GPS-artefact cap. In a recording that is noise and
    is rejected; on a planned route the geometry is the map's, so the turn counts, as it did in
    the planner's arc costs."""
    course = course_of(*corner(170.0), speed=5.0)
    surface = unknown_surface(len(course))
    recorded = score_course(course, surface, default_profile())
    planned = score_course(course, surface, default_profile(), recorded=False)
    assert (len(recorded.turns), len(recorded.rejected_turns)) == (0, 1)
    assert (len(planned.turns), len(planned.rejected_turns)) == (1, 0)
    assert planned.hip_load.factors["turns"] > 0.0 == recorded.hip_load.factors["turns"]
