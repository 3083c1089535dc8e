"""FIT workout files and the iCalendar plan: written by hipstride, read back by the reference
decoders (garmin-fit-sdk's Decoder, icalendar)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner
from garmin_fit_sdk import Decoder, Stream

from hipstride.care.calendar import WEEK_PATTERN, plan_to_ics, weekly_plan
from hipstride.care.content import get_routine
from hipstride.care.workout import (
    CADENCE_BAND_SPM,
    encode_fit,
    routine_workout,
    run_workout,
    spm_to_fit_cadence,
)
from hipstride.errors import InputError


def decode(data: bytes, *, raw: bool = False) -> Any:
    """Decode FIT bytes; ``raw`` keeps enum numbers and skips sub-field expansion."""
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    assert decoder.is_fit()
    assert decoder.check_integrity()
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    if raw:
        messages, errors = decoder.read(convert_types_to_strings=False, expand_sub_fields=False)
    else:
        messages, errors = decoder.read()
    assert errors == []
    return messages


# ---------------------------------------------------------------------------------------------
# FIT: the run workout


def test_run_workout_decodes_with_the_sdk() -> None:
    messages = decode(encode_fit(run_workout(35)))
    assert messages["file_id_mesgs"][0]["type"] == "workout"
    (workout,) = messages["workout_mesgs"]
    assert workout["sport"] == "running"
    assert workout["num_valid_steps"] == 3
    steps = messages["workout_step_mesgs"]
    assert [s["intensity"] for s in steps] == ["warmup", "active", "cooldown"]
    assert [s["duration_type"] for s in steps] == ["time", "time", "time"]
    assert [s["duration_value"] for s in steps] == [600_000, 35 * 60_000, 600_000]
    assert [s["duration_time"] for s in steps] == [600.0, 2100.0, 600.0]
    assert [s["message_index"] for s in steps] == [0, 1, 2]
    assert all(s["target_type"] == "open" for s in steps)


def test_run_workout_raw_enum_values() -> None:
    steps = decode(encode_fit(run_workout(20)), raw=True)["workout_step_mesgs"]
    assert [s["intensity"] for s in steps] == [2, 0, 3]  # warm-up, active, cool-down
    assert [s["duration_type"] for s in steps] == [0, 0, 0]  # time, in ms
    assert steps[1]["duration_value"] == 1_200_000


def test_cadence_target_is_written_in_strides_per_minute() -> None:
    steps = decode(encode_fit(run_workout(30, cadence_spm=172)))["workout_step_mesgs"]
    run = steps[1]
    assert run["target_type"] == "cadence"
    assert run["target_value"] == 0  # custom range, not a zone
    low, high = run["custom_target_cadence_low"], run["custom_target_cadence_high"]
    assert (low, high) == (84, 88)
    assert 2 * low <= 172 - CADENCE_BAND_SPM
    assert 2 * high >= 172 + CADENCE_BAND_SPM
    assert "target_type" in steps[0]
    assert steps[0]["target_type"] == "open"


@pytest.mark.parametrize("spm", [120, 151, 180, 230])
def test_cadence_band_contains_the_target(spm: float) -> None:
    low, high = spm_to_fit_cadence(spm)
    assert 2 * low <= spm <= 2 * high
    assert 2 * (high - low) <= 2 * CADENCE_BAND_SPM + 4


def test_custom_warm_up_and_cool_down_lengths() -> None:
    steps = decode(encode_fit(run_workout(30, warmup_min=12, cooldown_min=8)))["workout_step_mesgs"]
    assert [s["duration_value"] for s in steps] == [720_000, 1_800_000, 480_000]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"run_min": -5}, "the run must be between 1 and 360 minutes"),
        ({"run_min": 0}, "the run must be between 1 and 360 minutes"),
        ({"run_min": 5000}, "the run must be between 1 and 360 minutes"),
        ({"run_min": float("nan")}, "the run must be between"),
        ({"run_min": 30, "cadence_spm": 100}, "cadence must be between 120 and 230"),
        ({"run_min": 30, "cadence_spm": 300}, "cadence must be between 120 and 230"),
        ({"run_min": 30, "warmup_min": 0}, "the warm-up must be between"),
        ({"run_min": 30, "cooldown_min": 90}, "the cool-down must be between"),
    ],
)
def test_run_workout_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        run_workout(**kwargs)


# ---------------------------------------------------------------------------------------------
# FIT: routines


def test_warm_up_routine_as_fit() -> None:
    warm_up = get_routine("warm-up")
    messages = decode(encode_fit(routine_workout(warm_up)))
    (workout,) = messages["workout_mesgs"]
    assert workout["num_valid_steps"] == len(warm_up.steps)
    steps = messages["workout_step_mesgs"]
    assert all(s["intensity"] == "warmup" for s in steps)
    assert all(s["duration_type"] == "time" for s in steps)
    assert [s["duration_value"] for s in steps] == [st.duration_s * 1000 for st in warm_up.steps]  # type: ignore[operator]
    assert [s["wkt_step_name"] for s in steps] == [st.name for st in warm_up.steps]


def test_cool_down_routine_uses_cooldown_intensity() -> None:
    steps = decode(encode_fit(routine_workout(get_routine("cool-down"))))["workout_step_mesgs"]
    assert {s["intensity"] for s in steps} == {"cooldown"}


def test_strength_routine_uses_open_steps_for_reps() -> None:
    week = get_routine("strength").for_week(2)
    messages = decode(encode_fit(routine_workout(week)))
    assert messages["workout_mesgs"][0]["sub_sport"] == "strength_training"
    assert "week 2" in messages["workout_mesgs"][0]["wkt_name"]
    for step, mesg in zip(week.steps, messages["workout_step_mesgs"], strict=True):
        if step.is_rep_based:
            assert mesg["duration_type"] == "open"
            assert "duration_value" not in mesg
        else:
            assert mesg["duration_type"] == "time"
            assert mesg["duration_value"] == step.planned_s * 1000
        assert mesg["notes"].startswith(step.dose_text())


# ---------------------------------------------------------------------------------------------
# iCalendar


def parse_ics(data: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return [e for e in calendar.walk("VEVENT") if isinstance(e, icalendar.Event)]


def test_weekly_plan_ics_parses_with_the_expected_events() -> None:
    start = date(2026, 3, 2)
    events = parse_ics(plan_to_ics(weekly_plan(start, weeks=4, run_min=35)))
    assert len(events) == 4 * 7
    kinds = Counter(str(e.get("categories").cats[0]) for e in events)
    assert kinds == {"run": 12, "strength": 8, "recovery": 8}
    days = sorted(e.decoded("dtstart") for e in events)
    assert days[0] == start
    assert days[-1] == start + timedelta(days=27)
    assert len(set(days)) == 28
    assert len({str(e.get("uid")) for e in events}) == 28
    for event in events:
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(days=1)
        description = str(event.get("description"))
        assert "Why:" in description
        assert "Silbernagel 2007" in description


def test_run_events_describe_warm_up_run_and_recovery() -> None:
    events = parse_ics(plan_to_ics(weekly_plan(date(2026, 3, 2), weeks=1, run_min=40)))
    run = next(e for e in events if str(e.get("categories").cats[0]) == "run")
    assert "40 min" in str(run.get("summary"))
    description = str(run.get("description"))
    for text in (
        "Pre-run warm-up",
        "Lateral lunge",
        "Post-run cool-down",
        "Ice on",
        "Nielsen 2014",
    ):
        assert text in description


def test_strength_events_follow_the_plan_weeks() -> None:
    plan = weekly_plan(date(2026, 3, 2), weeks=8)
    strength = [e for e in plan if e.kind == "strength"]
    assert [e.summary[-1] for e in strength] == list("1122334455667788")
    week3 = next(e for e in strength if e.week == 3)
    assert "Glute bridge: 3 × 12, hold 3 s, rest 45 s" in week3.description


def test_week_pattern_order() -> None:
    plan = weekly_plan(date(2026, 3, 2), weeks=1)
    assert tuple(e.kind for e in plan) == WEEK_PATTERN


@pytest.mark.parametrize(("weeks", "run_min"), [(0, 30), (53, 30), (4, 0), (4, 1000)])
def test_weekly_plan_rejects_bad_input(weeks: int, run_min: float) -> None:
    with pytest.raises(InputError):
        weekly_plan(date(2026, 3, 2), weeks=weeks, run_min=run_min)


# ---------------------------------------------------------------------------------------------
# CLI


def test_cli_workout_export(tmp_path: Path) -> None:
    from hipstride.cli.care import workout

    out = tmp_path / "run.fit"
    result = CliRunner().invoke(
        workout, ["export", "--run-min", "25", "--cadence-spm", "166", "--fit", str(out)]
    )
    assert result.exit_code == 0, result.output
    steps = decode(out.read_bytes())["workout_step_mesgs"]
    assert steps[1]["duration_value"] == 25 * 60_000
    assert steps[1]["custom_target_cadence_low"] == 81


@pytest.mark.parametrize(
    "args",
    [
        ["--run-min", "-10"],
        ["--run-min", "30", "--cadence-spm", "90"],
        ["--run-min", "30", "--cadence-spm", "250"],
    ],
)
def test_cli_workout_export_rejects_bad_input(tmp_path: Path, args: list[str]) -> None:
    from hipstride.cli.care import workout

    result = CliRunner().invoke(workout, ["export", *args, "--fit", str(tmp_path / "x.fit")])
    assert isinstance(result.exception, InputError)
    assert not (tmp_path / "x.fit").exists()


def test_cli_routine_export_fit_and_ics(tmp_path: Path) -> None:
    from hipstride.cli.care import routine

    fit, ics = tmp_path / "s.fit", tmp_path / "plan.ics"
    result = CliRunner().invoke(
        routine,
        [
            "export", "strength", "--week", "3", "--fit", str(fit), "--ics", str(ics),
            "--weeks", "2", "--start", "2026-04-06",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "week 3" in decode(fit.read_bytes())["workout_mesgs"][0]["wkt_name"]
    events = parse_ics(ics.read_bytes())
    assert len(events) == 14
    assert min(e.decoded("dtstart") for e in events) == date(2026, 4, 6)


@pytest.mark.parametrize(
    "args",
    [
        ["export", "warm-up"],
        ["export", "warm-up", "--ics", "{tmp}/p.ics", "--start", "next monday"],
        ["export", "warm-up", "--ics", "{tmp}/p.ics", "--weeks", "0"],
        ["export", "nap", "--fit", "{tmp}/p.fit"],
    ],
)
def test_cli_routine_export_rejects_bad_input(tmp_path: Path, args: list[str]) -> None:
    from hipstride.cli.care import routine

    result = CliRunner().invoke(routine, [a.format(tmp=tmp_path) for a in args])
    assert isinstance(result.exception, InputError)


def test_cue_workout_carries_the_target_and_why() -> None:
    from hipstride.care.workout import CUE_RUN_MIN, cue_workout

    workout = cue_workout(163, because="cadence 155 steps/min (noise floor 1.8) below 170")
    steps = decode(encode_fit(workout))["workout_step_mesgs"]
    assert [s["intensity"] for s in steps] == ["warmup", "active", "cooldown"]
    run = steps[1]
    assert (run["custom_target_cadence_low"], run["custom_target_cadence_high"]) == (79, 84)
    assert run["duration_time"] == CUE_RUN_MIN * 60
    assert "Why: cadence 155" in run["notes"]
    with pytest.raises(InputError, match="cadence must be between"):
        cue_workout(300, because="x")
