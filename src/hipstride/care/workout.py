"""Structured workouts for the watch, written as FIT workout files.

A FIT workout file holds a ``file_id`` (type ``workout``), one ``workout`` message (sport, name,
number of steps) and one ``workout_step`` per step. For ``duration_type = time`` the step's
``duration_value`` is stored in **milliseconds** (the profile's ``duration_time`` sub-field, scale
1000). Steps without a fixed time are ``duration_type = open``: the watch moves on when the runner
presses the lap button.

Cadence targets: the FIT profile gives ``custom_target_cadence_low/high`` the unit ``rpm``, the
same unit as ``record.cadence``, which for running counts *strides* (one per left-right cycle) per
minute; a step rate in steps/min is twice that. hipstride therefore converts the runner's target in
steps/min to strides/min before writing (``172 spm → 86``), with a band of
:data:`CADENCE_BAND_SPM` steps/min either side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hipstride._files import write_atomic
from hipstride.errors import InputError

if TYPE_CHECKING:
    from hipstride.care.routine import Routine

__all__ = [
    "CADENCE_BAND_SPM",
    "CUE_RUN_MIN",
    "MAX_CADENCE_SPM",
    "MAX_RUN_MIN",
    "MIN_CADENCE_SPM",
    "Workout",
    "WorkoutStep",
    "cue_workout",
    "encode_fit",
    "routine_workout",
    "run_workout",
    "spm_to_fit_cadence",
    "write_fit",
]

#: Accepted running step rates, steps per minute.
MIN_CADENCE_SPM = 120.0
MAX_CADENCE_SPM = 230.0
#: Longest main run a workout may hold, minutes.
MAX_RUN_MIN = 360.0
#: Half-width of the cadence target band written to the watch, steps per minute.
CADENCE_BAND_SPM = 4.0
#: Length of the main run of a cue workout, minutes: a few easy runs try the cue (Heiderscheit
#: et al. 2011 changed step rate on easy running, not on hard sessions).
CUE_RUN_MIN = 20.0

Intensity = Literal["active", "rest", "warmup", "cooldown", "recovery"]

_MESG_FILE_ID = 0
_MESG_WORKOUT = 26
_MESG_WORKOUT_STEP = 27
_MANUFACTURER_DEVELOPMENT = 255
_MAX_NAME_BYTES = 48
_MAX_NOTES_BYTES = 200


@dataclass(frozen=True, slots=True)
class WorkoutStep:
    """One watch step: a name, an intensity, a time in seconds (``None`` = open, lap button)."""

    name: str
    intensity: Intensity
    duration_s: float | None
    cadence_spm: float | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Workout:
    """A named sequence of :class:`WorkoutStep` for one sport (FIT sport/sub-sport names)."""

    name: str
    steps: tuple[WorkoutStep, ...]
    sport: str = "running"
    sub_sport: str = "generic"


def _check_minutes(value: float, what: str, *, low: float, high: float) -> float:
    if not math.isfinite(value) or not low <= value <= high:
        raise InputError(f"{what} must be between {low:g} and {high:g} minutes, got {value:g}")
    return value


def check_cadence(cadence_spm: float) -> float:
    """Return ``cadence_spm`` if it is a plausible running step rate, else raise InputError."""
    if not math.isfinite(cadence_spm) or not MIN_CADENCE_SPM <= cadence_spm <= MAX_CADENCE_SPM:
        raise InputError(
            f"cadence must be between {MIN_CADENCE_SPM:g} and {MAX_CADENCE_SPM:g} steps/min "
            f"(both feet counted), got {cadence_spm:g}"
        )
    return cadence_spm


def spm_to_fit_cadence(cadence_spm: float) -> tuple[int, int]:
    """The FIT target band (low, high) in strides/min for a target step rate in steps/min."""
    low = math.floor((cadence_spm - CADENCE_BAND_SPM) / 2)
    high = math.ceil((cadence_spm + CADENCE_BAND_SPM) / 2)
    return low, high


def run_workout(
    run_min: float,
    *,
    cadence_spm: float | None = None,
    warmup_min: float = 10.0,
    cooldown_min: float = 10.0,
    name: str = "Hip-easy run",
) -> Workout:
    """Warm-up, run and cool-down as a running workout.

    Parameters
    ----------
    run_min
        Length of the main run in minutes (1 to :data:`MAX_RUN_MIN`).
    cadence_spm
        Optional step-rate target for the run in steps/min (120 to 230).
    warmup_min, cooldown_min
        Lengths of the warm-up and cool-down steps in minutes (1 to 60).

    Raises
    ------
    InputError
        For minutes or cadence outside those ranges.
    """
    _check_minutes(run_min, "the run", low=1, high=MAX_RUN_MIN)
    _check_minutes(warmup_min, "the warm-up", low=1, high=60)
    _check_minutes(cooldown_min, "the cool-down", low=1, high=60)
    if cadence_spm is not None:
        check_cadence(cadence_spm)
    run_note = "Easy effort, flat and soft ground, back upright."
    if cadence_spm is not None:
        run_note += f" Step rate about {cadence_spm:.0f} per minute."
    return Workout(
        name=name,
        steps=(
            WorkoutStep(
                "Warm-up",
                "warmup",
                warmup_min * 60,
                notes="Brisk walk or easy spin, light jog, then lateral lunges and leg swings.",
            ),
            WorkoutStep("Run", "active", run_min * 60, cadence_spm=cadence_spm, notes=run_note),
            WorkoutStep(
                "Cool-down",
                "cooldown",
                cooldown_min * 60,
                notes="Light jog, brisk walk, then squat and butterfly stretches.",
            ),
        ),
    )


def cue_workout(cadence_spm: float, *, because: str, run_min: float = CUE_RUN_MIN) -> Workout:
    """An easy run that carries a step-rate cue (e.g. the form check's +5 %): warm-up, the run
    with the cadence target band, cool-down. ``because`` says why the cue was given (the metric,
    its value, noise floor and source); it becomes the run step's note, cut to what a FIT note
    holds. Raises :class:`InputError` as :func:`run_workout` does."""
    plain = run_workout(run_min, cadence_spm=cadence_spm, name=f"Step rate {cadence_spm:.0f}")
    warm, run, cool = plain.steps
    note = f"Easy, step rate about {cadence_spm:.0f} per minute. Why: {because}"
    return Workout(plain.name, (warm, WorkoutStep("Run, quicker steps", "active", run.duration_s,
                                                  cadence_spm=cadence_spm, notes=note), cool))


def routine_workout(routine: Routine) -> Workout:
    """A routine as a workout: timed steps keep their time, rep-based steps are open steps.

    Intensity follows the routine: warm-up and heat ``warmup``, cool-down ``cooldown``, the
    strength plan ``active``, recovery ``recovery``.
    """
    intensity: Intensity
    if routine.name in ("warm-up", "heat"):
        intensity = "warmup"
    elif routine.name == "cool-down":
        intensity = "cooldown"
    elif routine.name == "strength":
        intensity = "active"
    else:
        intensity = "recovery"
    steps = tuple(
        WorkoutStep(
            name=step.name,
            intensity=intensity,
            duration_s=None if step.is_rep_based else float(step.planned_s),
            notes=f"{step.dose_text()}. {step.cues[0]}",
        )
        for step in routine.steps
    )
    title = routine.title if routine.week is None else f"{routine.title}, week {routine.week}"
    return Workout(
        name=title,
        steps=steps,
        sport="training",
        sub_sport="strength_training" if routine.name == "strength" else "flexibility_training",
    )


def _clip(text: str, max_bytes: int) -> str:
    """Cut ``text`` to at most ``max_bytes`` UTF-8 bytes without splitting a character."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode("utf-8", errors="ignore").rstrip() + "..."


def _step_message(index: int, step: WorkoutStep) -> dict[str, Any]:
    mesg: dict[str, Any] = {
        "mesg_num": _MESG_WORKOUT_STEP,
        "message_index": index,
        "wkt_step_name": _clip(step.name, _MAX_NAME_BYTES),
        "intensity": step.intensity,
    }
    if step.duration_s is None:
        mesg["duration_type"] = "open"
    else:
        mesg["duration_type"] = "time"
        mesg["duration_value"] = round(step.duration_s * 1000)  # milliseconds
    if step.cadence_spm is None:
        mesg["target_type"] = "open"
    else:
        low, high = spm_to_fit_cadence(step.cadence_spm)
        mesg["target_type"] = "cadence"
        mesg["target_value"] = 0  # 0 = custom range, not a cadence zone
        mesg["custom_target_value_low"] = low  # strides/min
        mesg["custom_target_value_high"] = high
    if step.notes:
        mesg["notes"] = _clip(step.notes, _MAX_NOTES_BYTES)
    return mesg


def encode_fit(workout: Workout, *, time_created: datetime | None = None) -> bytes:
    """Encode ``workout`` as the bytes of a FIT workout file."""
    from garmin_fit_sdk import Encoder

    if not workout.steps:
        raise InputError("a workout needs at least one step")
    created = time_created or datetime.now(UTC)
    encoder = Encoder()
    encoder.write_mesg(
        {
            "mesg_num": _MESG_FILE_ID,
            "type": "workout",
            "manufacturer": _MANUFACTURER_DEVELOPMENT,
            "product": 0,
            "serial_number": 1,
            "time_created": created,
        }
    )
    encoder.write_mesg(
        {
            "mesg_num": _MESG_WORKOUT,
            "wkt_name": _clip(workout.name, _MAX_NAME_BYTES),
            "sport": workout.sport,
            "sub_sport": workout.sub_sport,
            "num_valid_steps": len(workout.steps),
        }
    )
    for index, step in enumerate(workout.steps):
        encoder.write_mesg(_step_message(index, step))
    data: bytes = encoder.close()
    return bytes(data)


def write_fit(workout: Workout, path: str | Path, *, time_created: datetime | None = None) -> Path:
    """Write ``workout`` to ``path`` as a FIT file and return the path."""
    return write_atomic(path, encode_fit(workout, time_created=time_created))
