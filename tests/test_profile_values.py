"""Profiles refuse NaN, infinity, absurd sizes and contradictions, naming the key (review D10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipstride.errors import ProfileError
from hipstride.model import profile as profile_module
from hipstride.model.profile import default_profile, load_profile, profile_path


@pytest.mark.parametrize(("section", "key", "value", "problem"), [
    ("profile", "reference_speed_mps", "nan", "must be a finite number"),
    ("downhill", "per_pct", "inf", "must be a finite number"),
    ("downhill", "cap_pct", "nan", "must be a finite number"),
    ("uphill", "per_pct", "1e308", "must be between 0 and 1"),
    ("turns", "per_g", "1e308", "must be between 0 and 100"),
    ("surface", "hard", "nan", "must be a finite number"),
    ("surface", "soft", "-inf", "must be a finite number"),
    ("surface", "unknown", "-1e308", "must be between -10 and 10"),
    ("cadence", "per_10pct_below", "-1", "must not be negative"),
    ("planner", "uturn_penalty_m", "1e9", "must be between 0 and 10000"),
])
def test_non_finite_and_absurd_values_are_refused_with_the_key(
        tmp_path: Path, section: str, key: str, value: str, problem: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(f"[{section}]\n{key} = {value}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=rf"p\.toml: \[{section}\] {key} {problem}"):
        load_profile(path)


def test_a_threshold_above_its_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[downhill]\nthreshold_pct = 40.0\ncap_pct = 20.0\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"\[downhill\] threshold_pct must not exceed cap_pct"):
        load_profile(path)


def test_every_number_has_a_range_holding_the_shipped_profiles() -> None:
    numbers = {(section, key) for section, keys in profile_module._SECTIONS.items()
               for key, kind in keys.items() if kind is float}
    assert numbers == set(profile_module._RANGES)
    for name in ("default", "flat-soft"):
        assert load_profile(profile_path(name)).name == name
    assert default_profile().to_dict()["downhill"]["cap_pct"] == 35.0
