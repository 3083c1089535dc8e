"""The journal at a glance (page one of the clinician report): onset, trends like with like,
stiffness, flags seen or not, and each run beside the pain that followed it."""

from __future__ import annotations

from datetime import date, timedelta

from hipstride.journal.entry import JournalEntry
from hipstride.journal.summary import (
    RunFigures,
    complaints,
    flag_status,
    run_responses,
    stiffness_trend,
)

TODAY = date(2026, 6, 17)


def e(offset: int, **fields: object) -> JournalEntry:
    return JournalEntry(date=TODAY + timedelta(days=offset), **fields)  # type: ignore[arg-type]


def test_onset_is_the_start_of_the_current_spell_not_an_old_episode() -> None:
    history = [e(-120, pain_after=4, where=["hip"], side="left"),  # an old episode, long settled
               *(e(k, pain_after=3, where=["hip"], side="left") for k in (-30, -20, -9, -2))]
    (found,) = complaints(history, TODAY)
    assert found["where"] == "left hip"
    assert found["since"] == (TODAY - timedelta(days=30)).isoformat()
    assert found["days_logged"] == 4


def test_trends_compare_like_with_like_and_missing_days_are_missing() -> None:
    history = [e(-10, pain_morning=1, pain_during=5), e(-8, pain_morning=1),
               e(-3, pain_morning=3), e(-1, pain_morning=3, pain_during=4)]
    (found,) = complaints(history, TODAY)
    assert found["measures"]["on getting up"] == {"last_7_days": 3.0, "7_days_before": 1.0,
                                                  "trend": "rising"}
    assert found["measures"]["during runs"]["trend"] == "falling"  # 5 then 4: not "rising"
    assert found["measures"]["after runs"]["trend"] == "too few days"
    assert complaints([e(-1, pain_morning=0)], TODAY) == []  # no pain, no complaint


def test_stiffness_trend_and_long_days() -> None:
    history = [e(-k, morning_stiffness_min=10) for k in range(7, 14)]
    history += [e(-k, morning_stiffness_min=40) for k in (0, 2, 4)]
    trend = stiffness_trend(history, TODAY)
    assert trend["trend"] == "rising"
    assert trend["long_days_last_7"] == 3


def test_flags_say_whether_a_professional_has_seen_them() -> None:
    status = flag_status([e(-9, flags=["night-pain", "fever"]), e(-5, seen=["night-pain"]),
                          e(-2, flags=["fever"])])
    by_flag = {s["flag"]: s for s in status}
    assert by_flag["night-pain"]["seen"] == (TODAY - timedelta(days=5)).isoformat()
    assert by_flag["fever"]["seen"] is None  # never seen
    assert by_flag["fever"]["tier"] == "same-day"


def test_each_run_beside_the_pain_that_followed() -> None:
    runs = [RunFigures(1, TODAY - timedelta(days=3), 8000.0, 1.3),
            RunFigures(2, TODAY - timedelta(days=1), 5000.0, 1.0)]
    entries = [e(-3, pain_during=2, pain_after=4), e(-2, pain_morning=3),
               e(-1, run_id=2, pain_after=1)]
    first, second = run_responses(runs, entries)[::-1]
    assert (first["during"], first["after"], first["next_morning"]) == (2, 4, 3)
    assert (second["km"], second["after"], second["next_morning"]) == (5.0, 1, None)
