"""Hip-load profiles: the model's weights, read from a TOML file.

The default profile ships as ``hipstride/profiles/default.toml``; ``--profile FILE`` replaces it.
A user file may set only some keys: the rest come from the default. Unknown keys and values of
the wrong type or sign are errors (a typo must not silently fall back to a default).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from hipstride.errors import ProfileError

__all__ = ["Profile", "default_profile", "load_profile", "profile_path"]

_SECTIONS: dict[str, dict[str, type]] = {
    "profile": {"name": str, "description": str, "reference_speed_mps": float},
    "downhill": {"threshold_pct": float, "per_pct": float, "cap_pct": float},
    "uphill": {"threshold_pct": float, "per_pct": float, "cap_pct": float},
    "turns": {"per_g": float, "cap_mps2": float, "min_angle_deg": float,
              "sharp_angle_deg": float, "window_m": float},
    "surface": {"hard": float, "soft": float, "unknown": float},
    "cadence": {"per_10pct_below": float, "tolerance_pct": float},
    "advice": {"min_contribution": float, "sharp_turns_per_km": float, "hard_share": float,
               "balance_points": float},
}
# Values allowed to be negative (a runner may want soft ground to count as relief).
_SIGNED = {("surface", "soft"), ("surface", "unknown"), ("surface", "hard")}


@dataclass(frozen=True)
class Profile:
    """Weights of the hip-load model, by section and key (see ``profiles/default.toml``)."""

    values: dict[str, dict[str, Any]]
    source: str

    @property
    def name(self) -> str:
        return str(self.values["profile"]["name"])

    def get(self, section: str, key: str) -> float:
        """A numeric weight, e.g. ``profile.get("downhill", "per_pct")``."""
        return float(self.values[section][key])


def profile_path(name: str = "default") -> Path:
    """Path of a profile shipped with hipstride."""
    return Path(str(resources.files("hipstride") / "profiles" / f"{name}.toml"))


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
                if value < 0 and (section, key) not in _SIGNED:
                    raise ProfileError(f"{source}: [{section}] {key} must not be negative, got {value}")
                table[key] = float(value)
            elif not isinstance(value, expected):
                raise ProfileError(f"{source}: [{section}] {key} must be text, got {value!r}")
    return raw


def _merge(base: dict[str, dict[str, Any]], over: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    merged = {section: dict(table) for section, table in base.items()}
    for section, table in over.items():
        merged.setdefault(section, {}).update(table)
    return merged


def _check(values: dict[str, dict[str, Any]], source: str) -> None:
    if values["turns"]["sharp_angle_deg"] < values["turns"]["min_angle_deg"]:
        raise ProfileError(f"{source}: [turns] sharp_angle_deg must be at least min_angle_deg")
    if not 0.5 <= values["profile"]["reference_speed_mps"] <= 8.0:
        raise ProfileError(f"{source}: [profile] reference_speed_mps must be between 0.5 and 8 m/s")
    if values["turns"]["window_m"] <= 0:
        raise ProfileError(f"{source}: [turns] window_m must be positive")


def default_profile() -> Profile:
    """The profile that ships with hipstride."""
    path = profile_path()
    values = _parse(path.read_text(encoding="utf-8"), "default profile")
    for section, keys in _SECTIONS.items():
        missing = set(keys) - set(values.get(section, {}))
        if missing:  # pragma: no cover - guards the shipped file
            raise ProfileError(f"default profile: [{section}] lacks {', '.join(sorted(missing))}")
    return Profile(values, str(path))


def load_profile(path: str | Path | None) -> Profile:
    """Load a profile file over the default (``None`` returns the default profile)."""
    base = default_profile()
    if path is None:
        return base
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
    values = _merge(base.values, _parse(text, str(p)))
    _check(values, str(p))
    return Profile(values, str(p))
