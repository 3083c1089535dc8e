"""Weekly load and its progression, on run lists generated here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hipstride.analysis.trends import progression_flags, week_start, weekly_load
from hipstride.library.store import RunSummary
from hipstride.report.trends_page import render_trends_html

MONDAY = datetime(2024, 1, 1, 7, 0, tzinfo=UTC)  # 2024-01-01 is a Monday


def _run(i: int, start: datetime, km: float, *, sport: str = "running", hip: float = 1.1,
         relative: bool = False) -> RunSummary:
    return RunSummary(
        id=i, start_time_utc=start, end_time_utc=start + timedelta(hours=1),
        time_is_relative=relative, sport=sport, sub_sport=None, name=None, device=None,
        file_format="fit", source_file=f"run{i}.fit", distance_m=km * 1000.0, duration_s=3600.0,
        moving_time_s=km * 330.0, elevation_gain_m=None, elevation_loss_m=None,
        hip_load_index=hip, hip_load_total=hip * km, samples=100, channels=(), sources=1)


def _weeks_of(distances_km: list[float]) -> list[RunSummary]:
    """Three runs a week (Mon, Wed, Sat) sharing each week's distance."""
    runs: list[RunSummary] = []
    for w, km in enumerate(distances_km):
        for d in (0, 2, 5):
            runs.append(_run(len(runs) + 1, MONDAY + timedelta(weeks=w, days=d), km / 3))
    return runs


def test_iso_weeks_start_on_monday() -> None:
    assert week_start(datetime(2024, 1, 7, 23, 59, tzinfo=UTC)) == date(2024, 1, 1)  # Sunday
    assert week_start(datetime(2024, 1, 8, 0, 0, tzinfo=UTC)) == date(2024, 1, 8)
    weeks = weekly_load(_weeks_of([20, 20]))
    assert [w.week_start for w in weeks] == [date(2024, 1, 1), date(2024, 1, 8)]
    assert weeks[0].distance_m == pytest.approx(20_000)
    assert weeks[0].runs == 3
    assert weeks[0].duration_s == pytest.approx(20 * 330.0)
    assert weeks[0].hip_load == pytest.approx(22.0)


def test_weeks_without_running_are_kept_and_other_sports_left_out() -> None:
    runs = [_run(1, MONDAY, 10), _run(2, MONDAY + timedelta(weeks=2), 10),
            _run(3, MONDAY + timedelta(days=1), 40, sport="cycling"),
            _run(4, MONDAY + timedelta(days=2), 5, relative=True)]
    weeks = weekly_load(runs)
    assert [(w.distance_m, w.runs) for w in weeks] == [(10_000, 1), (0, 0), (10_000, 1)]
    assert weeks[1].progression_pct is None  # only one week before it
    assert weeks[2].progression_pct == pytest.approx(100)  # against 10 km and 0: a mean of 5


def test_a_40_percent_jump_over_two_weeks_is_flagged() -> None:
    weeks = weekly_load(_weeks_of([20, 20, 20, 20, 28, 28]))
    assert weeks[4].progression_pct == pytest.approx(40)
    assert weeks[5].progression_pct == pytest.approx(28 / 24 * 100 - 100)
    flags = progression_flags(weeks)
    assert [f.week for f in flags] == [weeks[4].week_start]  # once, not again for the same rise
    flag = flags[0].to_dict()
    assert flag["rule"] == "progression_over_30pct"
    assert "Nielsen 2014" in flag["evidence"]
    assert "Buist 2008" in flag["evidence"]
    assert flag["progression_pct"] == pytest.approx(40)
    assert set(flag) >= {"rule", "text", "evidence", "week"}


def test_a_20_percent_rise_is_not_flagged() -> None:
    weeks = weekly_load(_weeks_of([20, 20, 20, 20, 24, 24]))
    assert progression_flags(weeks) == []
    assert weeks[4].progression_pct == pytest.approx(20)


def test_a_gradual_climb_shows_in_the_two_week_progression() -> None:
    weeks = weekly_load(_weeks_of([20, 20, 25, 31]))  # +25 %, then +24 %: each week under 30 %
    assert weeks[2].progression_pct == pytest.approx(25)
    assert weeks[3].progression_pct == pytest.approx(31 / 22.5 * 100 - 100)
    flags = progression_flags(weeks)
    assert [f.week for f in flags] == [weeks[3].week_start]
    assert "mean of the two weeks before (22.5 km)" in flags[0].text


def test_the_week_in_progress_is_partial_and_never_shows_a_fall() -> None:
    runs = _weeks_of([20, 20, 20])
    runs.append(_run(99, MONDAY + timedelta(weeks=3), 5.0))  # Monday of the fourth week
    wednesday = (MONDAY + timedelta(weeks=3, days=2)).date()
    weeks = weekly_load(runs, until=wednesday)
    assert [w.partial for w in weeks] == [False, False, False, True]
    assert weeks[-1].progression_pct is None  # 5 of 20 km so far is not "-75 %"
    assert weeks[-1].acwr is None
    assert weeks[-1].to_dict()["partial"] is True
    # a week in progress that already exceeds the limit is shown and flagged, "so far"
    runs.append(_run(100, MONDAY + timedelta(weeks=3, days=1), 25.0))
    weeks = weekly_load(runs, until=wednesday)
    assert weeks[-1].progression_pct == pytest.approx(50)
    (flag,) = progression_flags(weeks)
    assert "so far" in flag.text
    assert flag.to_dict()["partial"] is True
    # on its Sunday the week is complete
    sunday = (MONDAY + timedelta(weeks=3, days=6)).date()
    assert not weekly_load(runs, until=sunday)[-1].partial


def test_the_decision_and_the_trends_give_one_progression_figure() -> None:
    from hipstride.journal.decision import WeekLoad, decide

    weeks = weekly_load(_weeks_of([20, 20, 20, 20, 28]))
    figure = f"{weeks[-1].progression_pct:.0f} %"
    loads = [WeekLoad(w.week_start, w.distance_m, w.hip_load) for w in weeks]
    result = decide(weeks[-1].week_start + timedelta(days=6), [], loads, [],
                    cadence_baseline_spm=None)
    (reason,) = [r for r in result.reasons if r.rule == "load-progression"]
    assert f"distance up {figure}" in reason.text
    assert figure in progression_flags(weeks)[0].text


def test_acute_chronic_ratio_is_context_only() -> None:
    weeks = weekly_load(_weeks_of([20, 20, 20, 40]))
    assert weeks[3].acwr == pytest.approx(40 / 25)
    assert weeks[2].acwr is None or weeks[2].acwr == pytest.approx(1.0)
    assert all(f.rule != "acwr" for f in progression_flags(weeks))


def test_trends_page_is_self_contained() -> None:
    weeks = weekly_load(_weeks_of([20, 20, 20, 20, 28]))
    doc = {"weeks": [w.to_dict() for w in weeks],
           "flags": [f.to_dict() for f in progression_flags(weeks)],
           "form": {"baselines": {}, "runs": [
               {"run_id": 1, "start_time_utc": "2024-01-01T07:00:00+00:00",
                "deviation_pct": {"cadence_spm": -4.2}, "sustained_change": {"cadence_spm": "lower"}}],
               "speed_note": "bands"},
           "notes": ["context only"]}
    page = render_trends_html(doc)
    assert page.count("<svg") == 3
    assert "http" not in page.replace("http://www.w3.org", "")  # nothing fetched from outside
    assert "<script" not in page
