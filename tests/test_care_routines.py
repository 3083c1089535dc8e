"""The routines library: content, model, loader validation and the list/show commands."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from hipstride.care.content import get_routine, load_routine, load_routines, routine_names
from hipstride.care.routine import EVIDENCE_GRADES, Routine
from hipstride.errors import ContentError, InputError

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "src" / "hipstride" / "care" / "content"
SHARED_DATA = Path(os.environ.get("HIPSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
SEED = SHARED_DATA.parent / "seed"


def test_the_five_routines_ship() -> None:
    assert routine_names() == ["cool-down", "heat", "recovery", "strength", "warm-up"]


def test_cool_down_lasts_about_ten_minutes() -> None:
    assert 9 * 60 <= get_routine("cool-down").total_s <= 11 * 60


def test_warm_up_moves_for_about_ten_minutes_before_its_stretches() -> None:
    steps = get_routine("warm-up").steps
    movement_s = sum(s.planned_s for s in steps if "lunge" not in s.name.lower()
                     and "swing" not in s.name.lower())
    assert 9 * 60 <= movement_s <= 11 * 60
    assert 2 * 60 <= get_routine("warm-up").total_s - movement_s <= 4 * 60


def test_every_step_is_complete() -> None:
    for routine in load_routines():
        for step in routine.for_week(1).steps:
            assert step.name
            assert step.cues
            assert step.why
            assert step.guidance
            assert step.planned_s > 0
            if step.evidence is not None:
                grade, _, source = step.evidence.partition(" — ")
                assert grade.startswith(EVIDENCE_GRADES)
                assert source


def test_warm_up_content() -> None:
    warm_up = get_routine("warm-up")
    names = " ".join(step.name.lower() for step in warm_up.steps)
    for word in ("bike", "walk", "jog", "lateral lunge", "leg swings"):
        assert word in names
    # easy movement first, dynamic stretches last
    assert "lunge" in warm_up.steps[-3].name.lower()


def test_heat_content_has_skin_safety() -> None:
    heat = get_routine("heat")
    assert heat.optional
    pack = next(step for step in heat.steps if "heat on" in step.name.lower())
    assert 10 * 60 <= pack.duration_s <= 20 * 60  # type: ignore[operator]
    assert pack.evidence is not None
    assert "Malanga 2015" in pack.evidence
    safety = " ".join(s for step in heat.steps for s in (*step.safety, *step.cues)).lower()
    assert "cloth" in safety
    assert "numb" in safety
    assert "burns" in safety


def test_cool_down_content() -> None:
    names = " ".join(step.name.lower() for step in get_routine("cool-down").steps)
    for word in ("jog", "walk", "horizontal squat", "butterfly"):
        assert word in names


def test_recovery_ice_is_ten_on_ten_off_ten_on_and_wrapped() -> None:
    recovery = get_routine("recovery")
    ice = [step for step in recovery.steps if step.name.lower().startswith("ice")]
    assert [step.duration_s for step in ice] == [600, 600, 600]
    assert all(step.evidence and "Bleakley 2006" in step.evidence for step in ice)
    first = ice[0]
    assert any("cloth" in note for note in first.safety)
    assert any("20 minutes" in cue for cue in first.cues)


def test_recovery_foam_rolling_and_the_rest() -> None:
    recovery = get_routine("recovery")
    rolls = [step for step in recovery.steps if step.name.lower().startswith("roll")]
    assert len(rolls) == 6
    assert all(step.duration_s == 30 for step in rolls)
    for part in ("front of the hip", "it band", "quadriceps"):
        assert sum(part in step.name.lower() for step in rolls) == 2
    set_up = next(step for step in recovery.steps if "get set" in step.name.lower())
    assert "forearms" in " ".join(set_up.cues)
    names = " ".join(step.name.lower() for step in recovery.steps)
    assert "drink" in names
    assert "warm bath" in names


def test_strength_plan_progresses_over_weeks() -> None:
    plan = get_routine("strength")
    assert plan.kind == "plan"
    assert plan.weeks is not None
    assert plan.weeks >= 4
    targets = {t.split(" (")[0] for step in plan.steps for t in step.targets}
    assert {"hip flexors", "hamstrings", "glutes", "trunk", "abdominals", "lower back"} <= targets
    totals = [plan.for_week(week).total_s for week in range(1, plan.weeks + 1)]
    assert totals == sorted(totals)
    assert totals[-1] > totals[0]
    for step in plan.steps:
        first = plan.for_week(1).steps[plan.steps.index(step)]
        last = plan.for_week(plan.weeks).steps[plan.steps.index(step)]
        assert last.planned_s >= first.planned_s
    assert plan.for_week(3).week == 3


def _volume(sets: int, reps: int | None, hold_s: int | None) -> int:
    """One week's dose of a step as one number: sets × reps × hold (a missing factor is 1)."""
    return sets * (reps or 1) * (hold_s or 1)


def test_strength_plan_dose_table_is_monotone_over_eight_weeks() -> None:
    plan = get_routine("strength")
    assert plan.weeks is not None
    assert plan.weeks >= 8
    targets = " ".join(t for step in plan.steps for t in step.targets)
    for target in ("adductors", "side of the hip", "hip flexors", "hamstrings", "single-leg",
                   "trunk"):
        assert target in targets
    for index, step in enumerate(plan.steps):
        doses = [plan.for_week(week).steps[index] for week in range(1, plan.weeks + 1)]
        volumes = [_volume(d.sets or 1, d.reps, d.hold_s) for d in doses]
        assert volumes == sorted(volumes), (step.name, volumes)
        if "stretch" not in step.name.lower():
            assert volumes[-1] > volumes[0], step.name  # strength work really progresses
    hops = [d.note for step in plan.steps for d in step.progression if d.note and "hops" in d.note]
    assert hops
    assert all("pain-free" in note for note in hops)
    assert all(d.first_week >= 7 for step in plan.steps for d in step.progression
               if d.note and "hops" in d.note)


def test_plan_week_out_of_range_is_an_input_error() -> None:
    with pytest.raises(InputError, match="weeks 1 to 8"):
        get_routine("strength").for_week(9)


def test_session_for_week_is_itself() -> None:
    warm_up = get_routine("warm-up")
    assert warm_up.for_week(3) is warm_up


def test_dose_text() -> None:
    week1 = get_routine("strength").for_week(1)
    by_name = {step.name: step for step in week1.steps}
    assert by_name["Glute bridge"].dose_text() == "2 × 10, hold 2 s, rest 45 s"
    assert by_name["Side plank"].dose_text() == "2 × 15 s hold per side, rest 30 s"
    assert by_name["Glute bridge"].is_rep_based
    assert not by_name["Front plank"].is_rep_based
    # 3 holds of 20 s and two rests of 30 s
    assert by_name["Front plank"].planned_s == 3 * 20 + 2 * 30


def test_unknown_routine_lists_the_names() -> None:
    with pytest.raises(InputError, match="warm-up"):
        get_routine("stretching")


def test_to_dict_is_json_ready() -> None:
    for routine in load_routines():
        data = json.loads(json.dumps(routine.to_dict()))
        assert data["name"] == routine.name
        assert len(data["steps"]) == len(routine.steps)


def test_content_is_in_our_own_words() -> None:
    """No run of eight words from the physician's article appears in the content files."""
    if not SEED.exists():
        pytest.skip(f"seed text missing: {SEED}")

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    seed_words = words(" ".join(p.read_text(encoding="utf-8") for p in SEED.glob("*.txt")))
    seed_grams = {tuple(seed_words[i : i + 8]) for i in range(len(seed_words) - 7)}
    for path in CONTENT.glob("*.toml"):
        content = words(path.read_text(encoding="utf-8"))
        shared = [
            " ".join(content[i : i + 8])
            for i in range(len(content) - 7)
            if tuple(content[i : i + 8]) in seed_grams
        ]
        assert not shared, f"{path.name} repeats the article: {shared[:3]}"


# ---------------------------------------------------------------------------------------------
# loader validation

GOOD = """
name = "test"
title = "Test"
summary = "A test routine."
kind = "session"
when = "any time"
guidance = [4]

[[steps]]
name = "Walk"
duration_s = 60
cues = ["Walk."]
why = "Because."
guidance = [4]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loader_reads_a_good_file(tmp_path: Path) -> None:
    routine = load_routine(write(tmp_path, GOOD))
    assert isinstance(routine, Routine)
    assert routine.total_s == 60


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda t: t.replace('cues = ["Walk."]', "cues = []"), "steps[0].cues"),
        (lambda t: t.replace('cues = ["Walk."]', "cues = [3]"), "steps[0].cues"),
        (lambda t: t.replace('why = "Because."', ""), "steps[0].why"),
        (lambda t: t.replace("duration_s = 60", "duration_s = -5"), "steps[0].duration_s"),
        (lambda t: t.replace("duration_s = 60", ""), "steps[0]"),
        (
            lambda t: t.replace("duration_s = 60", "duration_s = 60\nreps = 3"),
            "steps[0].duration_s",
        ),
        (lambda t: t.replace("guidance = [4]\n\n", "guidance = [9]\n\n"), "guidance"),
        (lambda t: t.replace('name = "Walk"', 'name = "Walk"\ncolour = "red"'), "steps[0].colour"),
        (
            lambda t: t.replace('why = "Because."', 'why = "B."\nevidence = "trust me"'),
            "steps[0].evidence",
        ),
        (lambda t: t.replace('kind = "session"', 'kind = "class"'), "kind"),
        (lambda t: t.replace('kind = "session"', 'kind = "plan"'), "weeks"),
        (lambda t: t.split("[[steps]]")[0], "steps"),
    ],
)
def test_loader_names_the_file_and_field(tmp_path: Path, change: object, field: str) -> None:
    path = write(tmp_path, change(GOOD))  # type: ignore[operator]
    with pytest.raises(ContentError) as info:
        load_routine(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {field}")


PLAN = """
name = "plan"
title = "Plan"
summary = "A plan."
kind = "plan"
weeks = 4
when = "twice a week"
guidance = [2]

[[steps]]
name = "Bridge"
cues = ["Lift."]
why = "Glutes."
guidance = [2]

[[steps.plan]]
weeks = [1, 2]
sets = 2
reps = 10

[[steps.plan]]
weeks = [3, 4]
sets = 3
reps = 12
"""


def test_loader_reads_a_plan(tmp_path: Path) -> None:
    plan = load_routine(write(tmp_path, PLAN))
    assert plan.for_week(4).steps[0].reps == 12


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda t: t.replace("weeks = [3, 4]", "weeks = [4, 4]"), "steps[0].plan"),
        (lambda t: t.replace("weeks = [3, 4]", "weeks = [2, 4]"), "steps[0].plan"),
        (lambda t: t.replace("weeks = [3, 4]", "weeks = [3, 9]"), "steps[0].plan[1].weeks"),
        (lambda t: t.replace("reps = 12", ""), "steps[0].plan[1]"),
        (lambda t: t.replace('why = "Glutes."', 'why = "Glutes."\nreps = 5'), "steps[0]"),
    ],
)
def test_loader_checks_plan_weeks(tmp_path: Path, change: object, field: str) -> None:
    path = write(tmp_path, change(PLAN))  # type: ignore[operator]
    with pytest.raises(ContentError, match=re.escape(f"{path}: {field}")):
        load_routine(path)


def test_loader_reports_bad_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "name = ")
    with pytest.raises(ContentError, match="not valid TOML"):
        load_routine(path)


def test_loader_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="cannot read"):
        load_routine(tmp_path / "nope.toml")


def test_content_error_is_an_input_error() -> None:
    assert issubclass(ContentError, InputError)


# ---------------------------------------------------------------------------------------------
# list / show


def test_cli_list_and_show() -> None:
    from hipstride.cli.care import routine

    runner = CliRunner()
    listed = runner.invoke(routine, ["list"])
    assert listed.exit_code == 0, listed.output
    for name in routine_names():
        assert name in listed.output

    rows = json.loads(runner.invoke(routine, ["list", "--json"]).output)
    assert {row["name"] for row in rows} == set(routine_names())

    shown = runner.invoke(routine, ["show", "recovery"])
    assert shown.exit_code == 0
    assert "Bleakley 2006" in shown.output

    data = json.loads(runner.invoke(routine, ["show", "strength", "--week", "5", "--json"]).output)
    assert data["week"] == 5
    assert data["steps"][0]["sets"] == 3


def test_cli_show_errors() -> None:
    from hipstride.cli.care import routine

    runner = CliRunner()
    unknown = runner.invoke(routine, ["show", "yoga"])
    assert isinstance(unknown.exception, InputError)
    session_week = runner.invoke(routine, ["show", "warm-up", "--week", "2"])
    assert isinstance(session_week.exception, InputError)
    assert "strength" in str(session_week.exception)
