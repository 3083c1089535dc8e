"""Personal baselines and changes of form against them, on histories generated here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from hipstride.analysis.baselines import (
    BaselineHistory,
    CadenceBaseline,
    compute_baselines,
)
from hipstride.analysis.formchanges import detect_form_changes
from hipstride.library import open_library, show_run, trends_document
from hipstride.library.importer import import_paths
from hipstride.report.trends_page import render_trends_html
from tests.test_library_support import form_minutes_table, write_fit_run

T0 = datetime(2024, 1, 1, 7, 0, tzinfo=UTC)


def _minutes(n: int, *, cadence: float, speed: float = 3.1, seed: int = 0,
             balance: float | None = None, low_for: int = 0, drop_pct: float = 0.0) -> list[dict[str, float]]:
    """``n`` minutes at ``speed`` with cadence noise; the first ``low_for`` minutes ``drop_pct`` lower."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        c = cadence * (1 - drop_pct / 100.0 if i < low_for else 1.0) + rng.normal(0, 1.2)
        row = {"speed_mps": speed + rng.normal(0, 0.03), "cadence_spm": c}
        if balance is not None:
            row["stance_time_balance_left_pct"] = balance + rng.normal(0, 0.15)
        rows.append(row)
    return rows


def _history(changed: list[dict[str, float]] | None = None, *, normal_runs: int = 10,
             changed_runs: int = 3, **changed_kw: float) -> list[tuple[int, datetime, list[dict[str, float]]]]:
    runs = [(i + 1, T0 + timedelta(days=2 * i), _minutes(30, cadence=170.0, seed=i, balance=50.0))
            for i in range(normal_runs)]
    for k in range(changed_runs):
        rid = normal_runs + k + 1
        minutes = changed if changed is not None else _minutes(30, seed=100 + k, **changed_kw)  # type: ignore[arg-type]
        runs.append((rid, T0 + timedelta(days=2 * (normal_runs + k)), minutes))
    return runs


def test_baseline_needs_enough_minutes_from_enough_runs() -> None:
    two_runs = form_minutes_table([(i, T0 + timedelta(days=i), _minutes(30, cadence=170, seed=i))
                                   for i in (1, 2)])
    assert compute_baselines(two_runs, T0 + timedelta(days=10)) == {}
    three = form_minutes_table([(i, T0 + timedelta(days=i), _minutes(30, cadence=170, seed=i))
                                for i in (1, 2, 3)])
    base = compute_baselines(three, T0 + timedelta(days=10))["cadence_spm"]
    (band,) = base.bands.values()
    assert band.speed_range_mps == (3.0, 3.25)
    assert band.median == pytest.approx(170, abs=0.5)
    assert 0.5 < band.sd < 3.0  # MAD-based, close to the 1.2 steps/min noise
    assert (band.runs, band.minutes) == (3, 90)
    # runs older than the window, and runs on or after the moment, are left out
    assert compute_baselines(three, T0 + timedelta(days=200)) == {}
    assert compute_baselines(three, T0) == {}


def test_cadence_baseline_is_a_function_of_speed() -> None:
    runs = [(i, T0 + timedelta(days=i),
             _minutes(20, cadence=166, speed=2.6, seed=i) + _minutes(20, cadence=176, speed=3.6, seed=50 + i))
            for i in (1, 2, 3, 4)]
    history = BaselineHistory(form_minutes_table(runs))
    baseline = history.cadence_baseline_at(T0 + timedelta(days=5))
    assert isinstance(baseline, CadenceBaseline)
    spm = baseline(np.array([2.6, 3.6, 5.0, np.nan]))
    assert spm[0] == pytest.approx(166, abs=1)
    assert spm[1] == pytest.approx(176, abs=1)
    assert np.isnan(spm[2])
    assert np.isnan(spm[3])
    assert baseline.signature.startswith("cadence-v1:")
    assert baseline.signature == history.cadence_baseline_at(T0 + timedelta(days=5)).signature  # type: ignore[union-attr]
    assert history.cadence_baseline_at(None) is None


def test_cadence_drop_is_flagged_only_once_repeated_and_sustained() -> None:
    runs = _history(cadence=170.0 * 0.95)  # three runs 5 % lower for the whole 30 min
    for upto in (11, 12, 13):
        changes = detect_form_changes(form_minutes_table([r for r in runs if r[0] <= upto]))
        cadence = [c for c in changes if c.metric == "cadence_spm"]
        if upto == 11:  # one run: large and sustained, but not repeated yet
            assert cadence == []
        else:  # repeated: flagged once, at the second low run; the third extends the same flag
            (flag,) = cadence
            assert flag.direction == "lower"
            assert flag.confirmed_run_id == 12
            assert flag.median_delta_pct == pytest.approx(-5, abs=1.5)
            assert flag.minutes >= 10
            assert "Heiderscheit 2011" in flag.evidence
            assert "wrist" in flag.device_note
    assert flag.to_dict()["run_ids"] == [11, 12, 13]


def test_short_or_small_changes_are_not_flagged() -> None:
    short = _history(cadence=170.0, low_for=6, drop_pct=6.0)  # 6 min low in each run
    assert detect_form_changes(form_minutes_table(short)) == []
    small = _history(cadence=170.0 * 0.99)  # 1 % lower: within the noise
    assert detect_form_changes(form_minutes_table(small)) == []


def test_balance_shift_names_the_side() -> None:
    runs = _history(cadence=170.0, balance=51.5)
    changes = detect_form_changes(form_minutes_table(runs))
    (flag,) = [c for c in changes if c.metric == "stance_time_balance_left_pct"]
    assert (flag.direction, flag.side) == ("higher", "left")
    assert "left" in flag.text
    assert "Pod" in flag.device_note


def test_a_change_of_device_is_pointed_out() -> None:
    runs = _history(cadence=170.0 * 0.95)
    devices: dict[int, str | None] = {i: ("forerunner 955" if i <= 10 else "phone app") for i in range(1, 14)}
    (flag,) = [c for c in detect_form_changes(form_minutes_table(runs, devices)) if c.metric == "cadence_spm"]
    assert flag.devices_differ
    assert "different device" in flag.text


@pytest.fixture(scope="module")
def synthetic_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library holding 8 steady runs, then 3 runs at 5 % lower step rate (FIT files)."""
    folder = tmp_path_factory.mktemp("runs")
    for i in range(11):
        write_fit_run(folder / f"run_{i:02d}.fit", T0 + timedelta(days=2 * i), minutes=25,
                      cadence_spm=170.0 if i < 8 else 161.5, seed=i, balance_left_pct=50.0,
                      lat0_deg=52.0 + i * 0.01)
    home = tmp_path_factory.mktemp("home")
    with open_library(home) as store:
        summary = import_paths(store, [folder], jobs=2)
    assert summary.imported == 11
    assert not summary.failed
    return home


def test_import_uses_the_runners_own_cadence_baseline(synthetic_home: Path) -> None:
    with open_library(synthetic_home) as store:
        runs = store.list_runs()
        docs = [store.get_analysis(r.id) for r in runs]
        assert all(d is not None for d in docs)
        factors = [d[0]["hip_load"]["factors"]["cadence"] for d in docs if d]
        signatures = [d[1] for d in docs if d]
    assert signatures[:3] == ["", "", ""]  # no baseline yet: fewer than 3 earlier runs
    assert all(s.startswith("cadence-v1:") for s in signatures[3:])
    assert factors[:8] == pytest.approx([0.0] * 8, abs=0.01)
    assert min(factors[8:]) > 0.02  # below one's own step rate at that pace raises hip load


def test_trends_flag_the_repeated_cadence_drop(synthetic_home: Path) -> None:
    with open_library(synthetic_home) as store:
        doc = trends_document(store)
        run_ids = [r.id for r in store.list_runs()]
        shown = show_run(store, run_ids[-1])
    form_flags = [f for f in doc["flags"] if f["rule"] == "form_change"]
    # fewer steps at the same speed are longer steps: both show, nothing else does
    assert sorted((f["metric"], f["direction"]) for f in form_flags) == [
        ("cadence_spm", "lower"), ("step_length_m", "higher")]
    assert {f["confirmed_run_id"] for f in form_flags} == {run_ids[9]}
    assert "cadence_spm" in doc["form"]["baselines"]
    assert doc["form"]["runs"][-1]["deviation_pct"]["cadence_spm"] < -3
    assert shown["library"]["cadence_baseline"].startswith("cadence-v1:")
    json.dumps(doc)  # plain JSON
    page = render_trends_html(doc)
    assert "Step rate" in page
    assert page.count("<svg") >= 4  # load, progression, and form against baseline


def test_a_run_added_later_refreshes_only_what_it_changes(synthetic_home: Path, tmp_path: Path) -> None:
    import shutil

    from hipstride.library.importer import stale_analyses

    home = tmp_path / "home"
    shutil.copytree(synthetic_home, home)
    with open_library(home) as store:
        assert list(stale_analyses(store)) == []  # the import left nothing out of date
        before = store.analysis_states()
        # an older run turns up: the third run now has three runs before it, so a baseline
        write_fit_run(tmp_path / "old.fit", T0 - timedelta(days=1), minutes=25, cadence_spm=170.0,
                      seed=99, balance_left_pct=50.0)
        summary = import_paths(store, [tmp_path / "old.fit"], jobs=1)
        assert summary.imported == 1
        after = store.analysis_states()
        assert list(stale_analyses(store)) == []
        third = store.list_runs()[3].id  # the new run sorts first
        assert before[third].baseline_signature == ""
        assert after[third].baseline_signature.startswith("cadence-v1:")
        # a new run after all the others moves no stored run's baseline: none is even checked
        write_fit_run(tmp_path / "new.fit", T0 + timedelta(days=30), minutes=25, seed=98)
        assert import_paths(store, [tmp_path / "new.fit"], jobs=1).reanalysed == 0
        latest = store.analysis_states()
    changed = [r for r in before if after[r].baseline_signature != before[r].baseline_signature]
    assert third in changed
    assert len(changed) == summary.reanalysed < len(before)  # only what the old run moved
    assert all(latest[r] == after[r] for r in after)
