"""The daily decision (hipstride.journal.decision and its rules and plan) on histories built here."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from hipstride.journal.decision import Decision, RecentRun, WeekLoad, decide
from hipstride.journal.entry import FLAGS, JournalEntry, flag
from hipstride.journal.plan import CADENCE_CUE_PCT
from hipstride.journal.rules import DECISION_RANK, HIP_LOAD_INDEX_HIGH

TODAY = date(2026, 5, 20)

KNOWN_RULES = {
    "red-flag",
    "pain-worsening",
    "pain-spreading",
    "pain-persistent",
    "pain-unsettled",
    "stiffness-long",
    "pain-monitor-during",
    "pain-monitor-morning",
    "pain-monitor-weekly",
    "load-progression",
    "load-return",
    "hip-load-high",
    "all-clear",
    "no-entries",
}


def day(offset: int) -> date:
    """``TODAY`` plus ``offset`` days (negative for the past)."""
    return TODAY + timedelta(days=offset)


def entry(offset: int, **fields: object) -> JournalEntry:
    return JournalEntry(date=day(offset), **fields)  # type: ignore[arg-type]


def run_decision(
    entries: list[JournalEntry] | None = None,
    weeks: list[WeekLoad] | None = None,
    runs: list[RecentRun] | None = None,
    cadence: float | None = None,
) -> Decision:
    result = decide(TODAY, entries or [], weeks or [], runs or [], cadence_baseline_spm=cadence)
    assert set(result.rules) <= KNOWN_RULES
    assert result.reasons, "a decision always carries at least one reason"
    assert result.decision == result.reasons[0].decision
    json.dumps(result.to_dict())  # JSON-ready
    return result


def fine_entries() -> list[JournalEntry]:
    """Three recent days with mild pain that settles: nothing should fire."""
    return [
        entry(-4, pain_during=2, pain_after=1, where=["hip"], side="left"),
        entry(-2, pain_during=2, pain_after=2, where=["hip"], side="left"),
        entry(0, pain_morning=0, morning_stiffness_min=5),
    ]


def steady_weeks() -> list[WeekLoad]:
    return [
        WeekLoad(day(-21), 20_000, 100.0),
        WeekLoad(day(-14), 21_000, 105.0),
        WeekLoad(day(-7), 21_000, 104.0),
    ]


def easy_runs() -> list[RecentRun]:
    return [
        RecentRun(day(-6), 0.95, 8_000),
        RecentRun(day(-4), 1.05, 10_000),
        RecentRun(day(-2), 1.0, 10_000),
    ]


# ---------------------------------------------------------------------------------------------
# the quiet cases


def test_no_entries_and_no_warning_signs_means_run() -> None:
    result = run_decision()
    assert result.decision == "run"
    assert not result.urgent
    assert result.rules == ["no-entries"]
    assert result.plan["before"] == ["warm-up"]
    assert result.plan["after"] == ["cool-down", "recovery"]


def test_entries_older_than_four_weeks_count_as_no_entries() -> None:
    result = run_decision([entry(-30, pain_during=2)])
    assert result.rules == ["no-entries"]


def test_all_fine_history_means_run() -> None:
    result = run_decision(fine_entries(), steady_weeks(), easy_runs(), cadence=168)
    assert result.decision == "run"
    assert result.rules == ["all-clear"]
    assert result.reasons[0].evidence is not None
    assert "Silbernagel 2007" in result.reasons[0].evidence


def test_future_entries_are_ignored() -> None:
    result = run_decision([entry(+1, flags=["fever"]), entry(+2, pain_during=9)])
    assert result.rules == ["no-entries"]


# ---------------------------------------------------------------------------------------------
# each rule alone


@pytest.mark.parametrize("name", FLAGS)
def test_each_red_flag_means_see_a_professional_as_soon_as_its_tier_says(name: str) -> None:
    result = run_decision([*fine_entries(), entry(-1, flags=[name])])
    assert result.decision == "see-professional"
    assert result.rules == ["red-flag"]
    same_day = flag(name).tier == "same-day"
    assert result.urgent is same_day
    assert result.plan["when"] == ("today" if same_day else "within the next few days")
    assert "stop running" in result.plan["running"]
    assert flag(name).text in result.reasons[0].text


def test_an_old_red_flag_never_expires_into_all_clear() -> None:
    result = run_decision([entry(-40, flags=["fever"]), *fine_entries()])
    assert result.rules == ["red-flag"]
    assert result.decision == "see-professional"
    assert not result.urgent
    assert "not yet recorded as checked" in result.reasons[0].text
    assert day(-40).isoformat() in result.reasons[0].text


def test_worsening_pain_means_see_a_professional() -> None:
    entries = [
        entry(-12, pain_after=1),
        entry(-9, pain_after=2),
        entry(-4, pain_after=4),
        entry(-1, pain_after=4),
    ]
    result = run_decision(entries)
    assert result.rules == ["pain-worsening"]
    assert result.decision == "see-professional"
    assert not result.urgent
    plan = result.plan
    assert set(plan["professionals"]) == {
        "orthopaedist",
        "physiotherapist",
        "sports-medicine physician",
    }
    bring = " ".join(plan["bring"])
    assert "journal" in bring
    assert "recent runs" in bring
    assert "clinician report" in bring


def test_small_rise_is_not_worsening() -> None:
    result = run_decision(
        [entry(-13, pain_after=2), entry(-9, pain_after=2), entry(-1, pain_after=3)]
    )
    assert "pain-worsening" not in result.rules


def test_falling_pain_is_not_worsening() -> None:
    result = run_decision(
        [entry(-13, pain_after=5), entry(-9, pain_after=4), entry(-3, pain_after=3),
         entry(-1, pain_after=3)]
    )
    assert "pain-worsening" not in result.rules


@pytest.mark.parametrize("site", ["lower-back", "knee"])
def test_pain_spreading_to_back_or_knee_means_see_a_professional(site: str) -> None:
    result = run_decision([entry(-1, pain_after=2, where=["hip", site], side="right")])
    assert result.rules == ["pain-spreading"]
    assert result.decision == "see-professional"
    assert not result.urgent
    assert "professionals" in result.plan


def test_pain_that_persists_for_days_means_cross_train() -> None:
    entries = [entry(-3, pain_morning=4), entry(-2, pain_morning=4), entry(-1, pain_morning=4)]
    result = run_decision(entries, steady_weeks(), easy_runs())
    assert result.rules == ["pain-persistent"]
    assert result.decision == "cross-train"
    options = {o["activity"]: o["duration_min"] for o in result.plan["options"]}
    assert set(options) == {"walking", "swimming", "stationary cycling"}
    assert all(low < high for low, high in options.values())
    assert "pause running" in result.plan["running"]
    assert result.plan["before"] == []  # the running warm-up opens with a jog
    assert "no jogging" in result.plan["warm_up"]
    assert result.plan["after"] == ["recovery"]
    assert "swimming" in result.plan["after_note"]


def test_persistent_pain_ending_yesterday_counts() -> None:
    entries = [entry(-3, pain_morning=3), entry(-2, pain_morning=3), entry(-1, pain_morning=3)]
    assert run_decision(entries).rules == ["pain-persistent"]


def test_a_settled_morning_breaks_persistence_and_a_missing_day_does_not() -> None:
    settled = [entry(-4, pain_morning=4), entry(-3, pain_morning=1), entry(-1, pain_morning=4)]
    assert "pain-persistent" not in run_decision(settled).rules
    missing = [entry(-4, pain_morning=4), entry(-1, pain_morning=4)]
    assert "pain-persistent" in run_decision(missing).rules


def test_pain_above_five_during_the_run_means_rest() -> None:
    result = run_decision([entry(-1, pain_during=6, where=["groin"], side="left", run_id=12)])
    assert result.rules == ["pain-monitor-during"]
    assert result.decision == "rest"
    assert result.plan["recheck"] == day(1).isoformat()
    evidence = result.reasons[0].evidence or ""
    assert "Silbernagel 2007" in evidence
    assert "extrapolated" in evidence
    assert "Achilles" in evidence


def test_pain_of_five_during_the_run_is_acceptable() -> None:
    result = run_decision([entry(-1, pain_during=5)])
    assert result.rules == ["all-clear"]


def test_morning_pain_not_settled_means_modify() -> None:
    result = run_decision([entry(0, pain_morning=4)], runs=easy_runs(), cadence=170)
    assert result.rules == ["pain-monitor-morning"]
    assert result.decision == "modify"


def test_strong_morning_pain_means_rest() -> None:
    result = run_decision([entry(0, pain_morning=7)])
    assert set(result.rules) == {"pain-monitor-morning", "pain-unsettled"}
    assert result.decision == "rest"


def test_morning_pain_rising_week_to_week_means_modify() -> None:
    entries = [
        entry(-13, pain_morning=1),
        entry(-11, pain_morning=1),
        entry(-9, pain_morning=1),
        entry(-5, pain_morning=2),
        entry(-3, pain_morning=2),
    ]
    result = run_decision(entries)
    assert result.rules == ["pain-monitor-weekly"]
    assert result.decision == "modify"


def test_load_progression_above_30_percent_means_modify() -> None:
    weeks = [
        WeekLoad(day(-21), 20_000, 100.0),
        WeekLoad(day(-14), 20_000, 100.0),
        WeekLoad(day(-7), 27_000, 110.0),
    ]
    result = run_decision(fine_entries(), weeks)
    assert result.rules == ["load-progression"]
    assert result.decision == "modify"
    reason = result.reasons[0]
    assert "distance up 35 %" in reason.text
    assert "10 %" in reason.text
    assert reason.evidence is not None
    assert "Nielsen 2014" in reason.evidence
    assert "Buist 2008" in reason.evidence


def test_hip_load_progression_alone_also_counts() -> None:
    weeks = [
        WeekLoad(day(-21), 20_000, 100.0),
        WeekLoad(day(-14), 20_000, 100.0),
        WeekLoad(day(-7), 21_000, 150.0),
    ]
    result = run_decision(fine_entries(), weeks)
    assert result.rules == ["load-progression"]
    assert "hip load up 50 %" in result.reasons[0].text


def test_load_progression_of_exactly_30_percent_is_not_flagged() -> None:
    weeks = [
        WeekLoad(day(-21), 20_000, 100.0),
        WeekLoad(day(-14), 20_000, 100.0),
        WeekLoad(day(-7), 26_000, 100.0),
    ]
    assert run_decision(fine_entries(), weeks).rules == ["all-clear"]


def test_too_few_weeks_give_no_progression() -> None:
    weeks = [WeekLoad(day(-14), 10_000, 50.0), WeekLoad(day(-7), 30_000, 150.0)]
    assert run_decision(fine_entries(), weeks).rules == ["all-clear"]


def test_high_hip_load_run_means_modify() -> None:
    runs = [*easy_runs(), RecentRun(day(-1), 1.4, 12_000)]
    result = run_decision(fine_entries(), steady_weeks(), runs)
    assert result.rules == ["hip-load-high"]
    assert result.decision == "modify"
    assert day(-1).isoformat() in result.reasons[0].text


def test_hip_load_at_threshold_or_old_is_not_flagged() -> None:
    runs = [RecentRun(day(-1), HIP_LOAD_INDEX_HIGH, 8_000), RecentRun(day(-10), 2.0, 8_000)]
    assert run_decision(fine_entries(), runs=runs).rules == ["all-clear"]


# ---------------------------------------------------------------------------------------------
# the modify plan


def test_modify_plan_is_concrete() -> None:
    runs = [*easy_runs(), RecentRun(day(-1), 1.5, 10_000)]
    result = run_decision(fine_entries(), runs=runs, cadence=170)
    assert result.decision == "modify"
    run = result.plan["run"]
    assert run["typical_km"] == 10.0
    assert run["distance_km"] == [7.0, 8.0]
    assert "7.0–8.0 km" in run["text"]
    assert run["route_profile"] == "flat-soft"
    assert run["route_command"] == (
        "hipstride route loop --start LAT,LON --distance-km 7.5 --profile flat-soft"
    )
    assert run["cadence_cue_spm"] == round(170 * (1 + CADENCE_CUE_PCT / 100))
    assert result.plan["before"] == ["warm-up"]
    assert result.plan["after"] == ["cool-down", "recovery"]


def test_modify_plan_without_baseline_never_prescribes_180() -> None:
    result = run_decision(fine_entries(), runs=[RecentRun(day(-1), 1.5, 6_000)])
    run = result.plan["run"]
    assert "cadence_cue_spm" not in run
    assert "not a fixed number" in run["cadence_text"]


def test_modify_plan_cue_follows_the_runner_not_a_fixed_number() -> None:
    result = run_decision(fine_entries(), runs=[RecentRun(day(-1), 1.5, 6_000)], cadence=156)
    assert result.plan["run"]["cadence_cue_spm"] == 164


def test_modify_plan_without_recent_runs_still_gives_a_command() -> None:
    result = run_decision([entry(0, pain_morning=3)])
    assert result.decision == "modify"
    assert "--profile flat-soft" in result.plan["run"]["route_command"]
    assert "typical_km" not in result.plan["run"]


# ---------------------------------------------------------------------------------------------
# conflicts


def test_red_flags_win_over_everything() -> None:
    entries = [
        entry(-2, pain_after=4, where=["hip", "knee"]),
        entry(-1, pain_after=5, pain_during=8),
        entry(0, pain_after=6, pain_morning=8, flags=["fever"]),
    ]
    weeks = [
        WeekLoad(day(-21), 10_000, 50.0),
        WeekLoad(day(-14), 10_000, 50.0),
        WeekLoad(day(-7), 20_000, 100.0),
    ]
    runs = [RecentRun(day(-1), 2.0, 9_000)]
    result = run_decision(entries, weeks, runs, cadence=165)
    assert result.decision == "see-professional"
    assert result.urgent
    assert result.rules[0] == "red-flag"
    assert {
        "pain-spreading",
        "pain-unsettled",
        "pain-monitor-during",
        "pain-monitor-morning",
        "load-progression",
        "hip-load-high",
    } <= set(result.rules)


def test_spreading_wins_over_persistent_pain() -> None:
    entries = [
        entry(-3, pain_morning=4),
        entry(-1, pain_morning=4),
        entry(0, pain_after=4, where=["hip", "lower-back"]),
    ]
    result = run_decision(entries)
    assert result.decision == "see-professional"
    assert not result.urgent
    assert result.rules == ["pain-spreading", "pain-persistent"]


def test_cross_train_wins_over_modify() -> None:
    entries = [entry(-3, pain_morning=4), entry(-2, pain_morning=4), entry(-1, pain_morning=4)]
    weeks = [
        WeekLoad(day(-21), 10_000, 50.0),
        WeekLoad(day(-14), 10_000, 50.0),
        WeekLoad(day(-7), 20_000, 100.0),
    ]
    runs = [RecentRun(day(-1), 1.6, 9_000)]
    result = run_decision(entries, weeks, runs)
    assert result.decision == "cross-train"
    assert result.rules[0] == "pain-persistent"
    assert set(result.rules) == {"pain-persistent", "load-progression", "hip-load-high"}


def test_modify_wins_over_run() -> None:
    weeks = [
        WeekLoad(day(-21), 10_000, 50.0),
        WeekLoad(day(-14), 10_000, 50.0),
        WeekLoad(day(-7), 20_000, 100.0),
    ]
    result = run_decision(fine_entries(), weeks, easy_runs())
    assert result.decision == "modify"
    assert "all-clear" not in result.rules


def test_rest_ranks_above_cross_train() -> None:
    entries = [
        entry(-3, pain_morning=4),
        entry(-1, pain_morning=4, pain_during=6),
        entry(0, pain_after=4),
    ]
    result = run_decision(entries)
    assert result.decision == "rest"
    assert result.rules[0] == "pain-monitor-during"
    assert "pain-persistent" in result.rules


def test_decision_rank_order() -> None:
    order = sorted(DECISION_RANK, key=DECISION_RANK.__getitem__)
    assert order == ["run", "modify", "cross-train", "rest", "see-professional"]


# ---------------------------------------------------------------------------------------------
# wording


def test_wording_educates_and_never_diagnoses() -> None:
    entries = [entry(0, pain_after=6, where=["groin", "knee"], flags=list(FLAGS))]
    result = run_decision(entries)
    for reason in result.reasons:
        text = reason.text.lower()
        assert "you have" not in text
        for label in ("fracture", "bursitis", "tendinitis", "tendonitis", "labral", "arthritis"):
            assert label not in text


# ---------------------------------------------------------------------------------------------
# input validation


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pain_during": 11}, "pain_during must be from 0 to 10"),
        ({"pain_after": -1}, "pain_after must be from 0 to 10"),
        ({"pain_morning": float("nan")}, "pain_morning must be from 0 to 10"),
        ({"pain_morning": True}, "pain_morning must be a number"),
        ({"pain_during": "3"}, "pain_during must be a number"),
        ({"morning_stiffness_min": -5}, "morning_stiffness_min"),
        ({"where": ["hip", "ankle"]}, "unknown pain site 'ankle'"),
        ({"side": "middle"}, "side must be one of"),
        ({"flags": ["dizzy"]}, "unknown flag 'dizzy'"),
    ],
)
def test_journal_entry_rejects_bad_values(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        JournalEntry(date=TODAY, **fields)  # type: ignore[arg-type]


def test_journal_entry_accepts_a_full_entry() -> None:
    full = JournalEntry(
        date=TODAY,
        pain_during=3,
        pain_after=2.5,
        pain_morning=None,
        morning_stiffness_min=10,
        where=["hip", "outer-hip", "buttock"],
        side="both",
        better="walking",
        worse="stairs",
        flags=[],
        run_id=7,
    )
    assert full.pain == 3


def test_bad_cadence_baseline_is_rejected() -> None:
    with pytest.raises(ValueError, match="cadence baseline"):
        decide(TODAY, [], [], [], cadence_baseline_spm=80)


def test_high_hip_load_is_judged_against_the_runners_own_median() -> None:
    # a runner whose runs usually score 1.3: a 1.4 is an ordinary day, a 1.8 is not
    usual = [RecentRun(day(-k), 1.3, 8_000) for k in (20, 16, 12, 9)]
    assert "hip-load-high" not in run_decision(runs=[*usual, RecentRun(day(-1), 1.4, 8_000)]).rules
    result = run_decision(runs=[*usual, RecentRun(day(-1), 1.8, 8_000)])
    assert "hip-load-high" in result.rules
    assert "usual 1.30" in result.reasons[0].text


def test_under_an_urgent_decision_other_reasons_are_only_noted() -> None:
    entries = [entry(-1, flags=["fever"]), entry(0, pain_morning=4)]
    result = run_decision(entries)
    assert result.urgent
    assert result.rules == ["red-flag", "pain-monitor-morning"]
    assert not result.reasons[0].text.startswith("Also noted")
    assert result.reasons[1].text.startswith("Also noted")
    assert "not an action for today" in result.reasons[1].text
