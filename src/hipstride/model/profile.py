"""Hip-load profiles: the model's weights, read from a TOML file into small frozen values.

The default profile ships as ``hipstride/profiles/default.toml``; a user file replaces some of
its keys (``load_profile(path)``): the rest come from the default. Unknown keys and values of the
wrong type or sign, not finite, or outside the key's range are errors naming the file and the key
(a typo must not silently fall back to a default, nor NaN reach every sum).

A :class:`Profile` is a frozen dataclass of one frozen dataclass per TOML section
(``profile.downhill.per_pct``), so mypy checks every key, and two profiles with the same values
are equal and hash alike: caches (the planner's cost tables) key on the profile itself. The
``[profile]`` section's keys are fields of :class:`Profile` itself (``profile.name``,
``profile.reference_speed_mps``). The file a profile came from (``source``) takes no part in
equality.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hipstride.errors import ProfileError
from hipstride.track.turns import TurnLimits

__all__ = ["AdviceThresholds", "Cadence", "Downhill", "Planner", "Profile", "SurfaceWeights",
           "Turns", "Uphill", "default_profile", "load_profile", "profile_path"]


@dataclass(frozen=True)
class _Slope:
    threshold_pct: float
    per_pct: float
    cap_pct: float


@dataclass(frozen=True)
class Downhill(_Slope):
    """``[downhill]``: grades steeper than ``-threshold_pct`` add ``per_pct`` per point, to ``cap_pct``."""


@dataclass(frozen=True)
class Uphill(_Slope):
    """``[uphill]``: grades steeper than ``threshold_pct`` add ``per_pct`` per point, to ``cap_pct``."""


@dataclass(frozen=True)
class Turns:
    """``[turns]``: the lateral-acceleration weight and its threshold, and what counts as a turn,
    a sharp turn and a turn a runner can make (:class:`hipstride.track.turns.TurnLimits`)."""

    per_g: float
    threshold_mps2: float
    max_lateral_accel_mps2: float
    min_speed_mps: float
    max_angle_deg: float
    min_angle_deg: float
    sharp_angle_deg: float
    sharp_radius_m: float
    window_m: float

    @property
    def limits(self) -> TurnLimits:
        """The detection thresholds, as :func:`hipstride.track.turns.find_turns` takes them."""
        return TurnLimits(self.min_angle_deg, self.sharp_angle_deg, self.window_m,
                          self.sharp_radius_m, self.max_lateral_accel_mps2, self.min_speed_mps,
                          self.max_angle_deg)


@dataclass(frozen=True)
class SurfaceWeights:
    """``[surface]``: extra load per surface class at full confidence (may be negative)."""

    hard: float
    soft: float
    unknown: float


@dataclass(frozen=True)
class Cadence:
    """``[cadence]``: extra load per 10 % of step rate below the runner's own baseline."""

    per_10pct_below: float
    tolerance_pct: float


@dataclass(frozen=True)
class AdviceThresholds:
    """``[advice]``: from which measurement each piece of advice is given."""

    min_contribution: float
    sharp_turns_per_km: float
    hard_share: float
    balance_points: float


@dataclass(frozen=True)
class Planner:
    """``[planner]``: what route search adds beyond the model (docs/hip-load-model.md says why)."""

    bend_min_deg: float
    uturn_penalty_m: float
    steps_factor: float


@dataclass(frozen=True)
class Profile:
    """Weights of the hip-load model (see ``profiles/default.toml`` and docs/hip-load-model.md)."""

    name: str
    description: str
    reference_speed_mps: float
    downhill: Downhill
    uphill: Uphill
    turns: Turns
    surface: SurfaceWeights
    cadence: Cadence
    advice: AdviceThresholds
    planner: Planner
    source: str = dataclasses.field(default="", compare=False)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Every key by TOML section, as in a profile file."""
        out: dict[str, dict[str, Any]] = {"profile": {k: getattr(self, k) for k in _TOP}}
        for section in _SECTION_TYPES:
            out[section] = dataclasses.asdict(getattr(self, section))
        return out


_SECTION_TYPES: dict[str, type] = {
    "downhill": Downhill, "uphill": Uphill, "turns": Turns, "surface": SurfaceWeights,
    "cadence": Cadence, "advice": AdviceThresholds, "planner": Planner,
}
_TOP = ("name", "description", "reference_speed_mps")


def _key_types(cls: type) -> dict[str, type]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


_SECTIONS: dict[str, dict[str, type]] = {
    "profile": {k: t for k, t in _key_types(Profile).items() if k in _TOP},
    **{section: _key_types(cls) for section, cls in _SECTION_TYPES.items()},
}
# Values allowed to be negative (a runner may want soft ground to count as relief).
_SIGNED = {("surface", "soft"), ("surface", "unknown"), ("surface", "hard")}
# The range of every number, wide around the shipped values (a weight 25 times the default and
# more is a typo, not a choice): NaN, infinity and 1e308 would otherwise pass into every sum and
# print as invalid JSON. Grades are in percent, angles in degrees, speeds in m/s.
_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("profile", "reference_speed_mps"): (0.5, 8.0),
    **{(slope, key): bound for slope in ("downhill", "uphill") for key, bound in (
        ("threshold_pct", (0.0, 100.0)), ("per_pct", (0.0, 1.0)), ("cap_pct", (0.0, 100.0)))},
    ("turns", "per_g"): (0.0, 100.0), ("turns", "threshold_mps2"): (0.0, 20.0),
    ("turns", "max_lateral_accel_mps2"): (0.0, 20.0), ("turns", "min_speed_mps"): (0.0, 8.0),
    ("turns", "max_angle_deg"): (0.0, 360.0), ("turns", "min_angle_deg"): (0.0, 360.0),
    ("turns", "sharp_angle_deg"): (0.0, 360.0), ("turns", "sharp_radius_m"): (0.0, 1000.0),
    ("turns", "window_m"): (0.0, 1000.0),
    **{("surface", key): (-10.0, 10.0) for key in ("hard", "soft", "unknown")},
    ("cadence", "per_10pct_below"): (0.0, 10.0), ("cadence", "tolerance_pct"): (0.0, 50.0),
    ("advice", "min_contribution"): (0.0, 10.0), ("advice", "sharp_turns_per_km"): (0.0, 100.0),
    ("advice", "hard_share"): (0.0, 1.0), ("advice", "balance_points"): (0.0, 100.0),
    # the planner's tighter rules (bend at most 180, steps at least 1) are in _check
    ("planner", "bend_min_deg"): (0.0, 360.0), ("planner", "uturn_penalty_m"): (0.0, 10_000.0),
    ("planner", "steps_factor"): (0.0, 100.0),
}

_PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"


def profile_path(name: str = "default") -> Path:
    """Path of a profile shipped with hipstride."""
    # beside the package, as package data; not importlib.resources, whose import alone costs
    # 15 ms of every command's start-up (tempfile, zipfile, random)
    return _PROFILES_DIR / f"{name}.toml"


def _parse(text: str, source: str) -> dict[str, dict[str, Any]]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: not valid TOML ({exc})") from None
    for section, table in raw.items():
        if section not in _SECTIONS:
            raise ProfileError(f"{source}: unknown section [{section}] "
                               f"(known: {', '.join(sorted(_SECTIONS))})")
        if not isinstance(table, dict):
            raise ProfileError(f"{source}: [{section}] must be a table")
        for key, value in table.items():
            expected = _SECTIONS[section].get(key)
            if expected is None:
                raise ProfileError(f"{source}: unknown key '{key}' in [{section}] "
                                   f"(known: {', '.join(sorted(_SECTIONS[section]))})")
            if expected is float:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ProfileError(f"{source}: [{section}] {key} must be a number, got {value!r}")
                _check_number(section, key, float(value), source)
                table[key] = float(value)
            elif not isinstance(value, expected):
                raise ProfileError(f"{source}: [{section}] {key} must be text, got {value!r}")
    return raw


def _check_number(section: str, key: str, value: float, source: str) -> None:
    """A finite number inside the key's range (:data:`_RANGES`), or an error naming the key."""
    if not math.isfinite(value):
        raise ProfileError(f"{source}: [{section}] {key} must be a finite number, got {value}")
    if value < 0 and (section, key) not in _SIGNED:
        raise ProfileError(f"{source}: [{section}] {key} must not be negative, got {value}")
    lo, hi = _RANGES[(section, key)]
    if not lo <= value <= hi:
        raise ProfileError(f"{source}: [{section}] {key} must be between {lo:g} and {hi:g}, "
                           f"got {value:g}")


def _merge(base: dict[str, dict[str, Any]], over: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    merged = {section: dict(table) for section, table in base.items()}
    for section, table in over.items():
        merged.setdefault(section, {}).update(table)
    return merged


def _check(values: dict[str, dict[str, Any]], source: str) -> None:
    turns, planner = values["turns"], values["planner"]
    for slope in ("downhill", "uphill"):
        if values[slope]["threshold_pct"] > values[slope]["cap_pct"]:
            raise ProfileError(f"{source}: [{slope}] threshold_pct must not exceed cap_pct "
                               "(the factor would never count)")
    if turns["sharp_angle_deg"] < turns["min_angle_deg"]:
        raise ProfileError(f"{source}: [turns] sharp_angle_deg must be at least min_angle_deg")
    if turns["max_angle_deg"] < turns["sharp_angle_deg"]:
        raise ProfileError(f"{source}: [turns] max_angle_deg must be at least sharp_angle_deg")
    if not 0.5 <= values["profile"]["reference_speed_mps"] <= 8.0:
        raise ProfileError(f"{source}: [profile] reference_speed_mps must be between 0.5 and 8 m/s")
    if turns["window_m"] <= 0:
        raise ProfileError(f"{source}: [turns] window_m must be positive")
    if turns["min_speed_mps"] > values["profile"]["reference_speed_mps"]:
        raise ProfileError(f"{source}: [turns] min_speed_mps must not exceed [profile] "
                           "reference_speed_mps (planned routes would have no turns)")
    if turns["max_lateral_accel_mps2"] <= turns["threshold_mps2"]:
        raise ProfileError(f"{source}: [turns] max_lateral_accel_mps2 must be above threshold_mps2")
    if planner["bend_min_deg"] > 180.0:
        raise ProfileError(f"{source}: [planner] bend_min_deg must be at most 180")
    if planner["steps_factor"] < 1.0:
        raise ProfileError(f"{source}: [planner] steps_factor must be at least 1")


def _build(values: dict[str, dict[str, Any]], source: str) -> Profile:
    sections = {s: cls(**values[s]) for s, cls in _SECTION_TYPES.items()}
    return Profile(**values["profile"], **sections, source=source)


def _default_values() -> tuple[dict[str, dict[str, Any]], Path]:
    path = profile_path()
    values = _parse(path.read_text(encoding="utf-8"), "default profile")
    for section, keys in _SECTIONS.items():
        missing = set(keys) - set(values.get(section, {}))
        if missing:  # pragma: no cover - guards the shipped file
            raise ProfileError(f"default profile: [{section}] lacks {', '.join(sorted(missing))}")
    return values, path


def default_profile() -> Profile:
    """The profile that ships with hipstride."""
    values, path = _default_values()
    return _build(values, str(path))


def load_profile(path: str | Path | None) -> Profile:
    """Load a profile file over the default (``None`` returns the default profile).

    ``path`` may also name a shipped profile (``"flat-soft"``).

    Raises
    ------
    hipstride.errors.ProfileError
        When the file is missing, unreadable, not TOML, or has an unknown key or a bad value
        (the message names the file and the key).
    """
    if path is None:
        return default_profile()
    base, _ = _default_values()
    p = Path(path)
    if not p.is_file() and not p.suffix:
        shipped = profile_path(p.name)
        if shipped.is_file():
            p = shipped
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(f"{p}: no such profile file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{p}: cannot be read ({exc})") from None
    values = _merge(base, _parse(text, str(p)))
    _check(values, str(p))
    return _build(values, str(p))
