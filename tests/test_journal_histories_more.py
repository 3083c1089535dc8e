"""More journal histories, each with the decision a physiotherapist would sign.

With ``tests/test_journal_histories.py`` these pin more than forty histories: each rule alone,
rules in conflict, red flags winning, flags seen and cleared, the all-fine case, and journals
kept the way runners keep them (gaps, mornings only, several entries a day, only the bad days).
Each case names the decision, the rules that must fire (each with its evidence) and those that
must not, words the reasons must hold, and what the plan must say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from hipstride.journal.decision import (
    ALSO_NOTED,
    ALSO_NOTED_NO_RUN,
    Decision,
    RecentRun,
    WeekLoad,
    decide,
)
from hipstride.journal.entry import JournalEntry

TODAY = date(2026, 6, 17)  # a Wednesday
MONDAY = date(2026, 6, 15)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def e(offset: int, **fields: object) -> JournalEntry:
    return JournalEntry(date=day(offset), **fields)  # type: ignore[arg-type]


def weeks(*km: float) -> list[WeekLoad]:
    """Weekly distances ending with the week of ``TODAY`` (hip load proportional)."""
    first = MONDAY - timedelta(weeks=len(km) - 1)
    return [WeekLoad(first + timedelta(weeks=k), d * 1000, d * 5) for k, d in enumerate(km)]


def runs(*pairs: tuple[int, float]) -> list[RecentRun]:
    """Runs as (day offset, hip-load index), 8 km each."""
    return [RecentRun(day(offset), index, 8000.0) for offset, index in pairs]


def mornings(values: dict[int, float], **extra: object) -> list[JournalEntry]:
    return [e(offset, pain_morning=v, **extra) for offset, v in values.items()]


@dataclass(frozen=True)
class History:
    """One case: the journal (and load), what the decision must be and say."""

    entries: list[JournalEntry]
    decision: str
    fired: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    urgent: bool = False
    weeks: list[WeekLoad] = field(default_factory=list)
    runs: list[RecentRun] = field(default_factory=list)
    says: tuple[str, ...] = ()
    plan: dict[str, str] = field(default_factory=dict)


STEADY = weeks(20, 20, 20, 20)
EVERY_DAY = range(-20, 1)

CASES: dict[str, History] = {
    # -- each rule alone ----------------------------------------------------------------------
    "during-above-5-yesterday": History(
        [e(-1, pain_during=6, where=["hip"], side="left")], "rest",
        ("pain-monitor-during",), ("pain-persistent",), says=("6/10", "left hip")),
    "morning-4-today-first-entry": History(
        [e(0, pain_morning=4)], "modify", ("pain-monitor-morning",), ("pain-persistent",),
        says=("4/10", "shorter and easier")),
    "morning-6-today": History(
        [e(0, pain_morning=6)], "rest", ("pain-monitor-morning", "pain-unsettled")),
    "morning-pain-creeping-up-week-on-week": History(
        mornings({-13: 1, -11: 1, -9: 1, -6: 2, -4: 2, -2: 2, 0: 2}), "modify",
        ("pain-monitor-weekly",), ("pain-worsening", "pain-persistent")),
    "stiffness-rising-week-on-week-but-short": History(
        [e(-k, morning_stiffness_min=5 if k > 6 else 25, pain_morning=1) for k in range(13, -1, -1)],
        "modify", ("pain-monitor-weekly",), ("stiffness-long",), says=("stiffness",)),
    "long-stiffness-four-of-seven-mornings-only": History(
        [e(k, morning_stiffness_min=40) for k in (-6, -4, -2, 0)], "see-professional",
        ("stiffness-long",), says=("4 of the last 7 days",),
        plan={"when": "within the next few days", "running": "easy"}),
    "load-up-40-percent": History(
        [], "modify", ("load-progression",), weeks=weeks(20, 20, 28), says=("distance up 40 %",),
        plan={"run": "flat-soft"}),
    "load-up-25-percent-is-not-flagged": History(
        [e(0, pain_morning=0)], "run", (), ("load-progression",), weeks=weeks(20, 20, 25)),
    "return-after-a-long-break-gently": History(
        [], "run", (), ("load-return",), weeks=weeks(30, 30, 0, 0, 0, 0, 12)),
    "hip-load-high-against-own-usual": History(
        [], "modify", ("hip-load-high",),
        runs=runs((-20, 1.02), (-14, 1.0), (-9, 1.03), (-2, 1.40)), says=("1.40",)),
    "hilly-runner-on-a-usual-hilly-run": History(
        [], "run", (), ("hip-load-high",),
        runs=runs((-20, 1.30), (-14, 1.28), (-9, 1.32), (-2, 1.36))),
    "spreading-to-the-lower-back": History(
        [e(-5, pain_after=3, where=["hip"]), e(-1, pain_after=3, where=["hip", "lower-back"])],
        "see-professional", ("pain-spreading",), says=("lower back",),
        plan={"when": "within the next few days", "running": "easy"}),
    "after-run-pain-worsening-over-two-weeks": History(
        [e(k, pain_after=2, pain_morning=1) for k in (-13, -11, -9)]
        + [e(k, pain_after=5, pain_morning=1) for k in (-5, -3, -1)],
        "see-professional", ("pain-worsening",), says=("after runs",)),
    "eight-after-a-run-today": History(
        [e(0, pain_morning=1, pain_after=8)], "rest", ("pain-unsettled", "pain-monitor-during"),
        says=("8/10",), plan={"running": "no running today"}),
    "mornings-at-3-for-five-days": History(
        mornings(dict.fromkeys(range(-4, 1), 3)), "cross-train", ("pain-persistent",),
        plan={"warm_up": "no jogging", "after_note": "swimming"}),
    # -- rules in conflict --------------------------------------------------------------------
    "unsettled-high-pain-beats-a-load-spike": History(
        [e(-1, pain_after=8)], "rest", ("pain-unsettled", "load-progression"),
        weeks=weeks(20, 20, 30)),
    "persistent-beats-this-mornings-modify": History(
        mornings(dict.fromkeys(range(-6, 1), 3)), "cross-train",
        ("pain-persistent", "pain-monitor-morning")),
    "worsening-while-unsettled-keeps-running-paused": History(
        mornings({-13: 2, -12: 2, -11: 2, -6: 5, -5: 5, -4: 5, -3: 5, -2: 5, -1: 5, 0: 5}),
        "see-professional", ("pain-worsening", "pain-persistent"), plan={"running": "paused"}),
    "acceptable-pain-with-a-load-spike-modifies-only": History(
        [e(k, pain_during=4, pain_morning=1) for k in (-5, -3, -1)], "modify",
        ("load-progression",), ("pain-monitor-during", "pain-persistent"),
        weeks=weeks(20, 20, 30)),
    "long-stiffness-and-a-hard-run": History(
        [e(k, morning_stiffness_min=45) for k in range(-6, 1)], "see-professional",
        ("stiffness-long", "hip-load-high"), runs=runs((-20, 1.0), (-10, 1.0), (-5, 1.0),
                                                      (-1, 1.5)),
        plan={"when": "within the next few days"}),
    # -- red flags win ------------------------------------------------------------------------
    "cannot-bear-weight-today-with-a-load-spike": History(
        [e(0, flags=["cannot-bear-weight"], pain_morning=4)], "see-professional",
        ("red-flag", "load-progression"), urgent=True, weeks=weeks(20, 20, 30),
        plan={"when": "today", "running": "stop running"}),
    "saddle-numbness-today": History(
        [e(0, flags=["saddle-numbness"], where=["lower-back"])], "see-professional",
        ("red-flag",), urgent=True, says=("bladder or bowel",),
        plan={"professionals": "urgent-care"}),
    "earlier-each-run-with-mild-pain": History(
        [e(-1, pain_during=3, flags=["earlier-each-run"], where=["groin"])], "see-professional",
        ("red-flag",), urgent=True, says=("bone stress",)),
    "night-pain-this-week": History(
        [e(-2, flags=["night-pain"], pain_morning=2)], "see-professional", ("red-flag",),
        says=("within the next few days",),
        plan={"when": "within the next few days", "running": "stop running"}),
    "under-16-with-a-limp": History(
        [e(0, flags=["under-16-limp"])], "see-professional", ("red-flag",),
        plan={"when": "within the next few days"}),
    "missed-periods-with-low-intake": History(
        [e(-3, flags=["missed-periods"], pain_during=2)], "see-professional", ("red-flag",)),
    "same-day-flag-ten-days-ago-not-seen": History(
        [e(-10, flags=["fever"]), *(e(k, pain_morning=0) for k in (-6, -3, 0))],
        "see-professional", ("red-flag",), says=("fever", "within the next few days"),
        plan={"when": "within the next few days"}),
    # -- flags seen and cleared ---------------------------------------------------------------
    "flag-seen-the-same-day-and-pain-free-since": History(
        [e(-9, flags=["rest-pain"], seen=["rest-pain"]), *(e(k, pain_morning=0, pain_during=1)
                                                          for k in (-6, -4, -2, 0))],
        "run", ("all-clear",), ("red-flag",)),
    "flag-seen-then-the-rules-take-over": History(
        [e(-12, flags=["numbness"], pain_morning=4), e(-8, seen=["numbness"]),
         *mornings({-3: 4, -2: 4, -1: 4, 0: 4})],
        "cross-train", ("pain-persistent",), ("red-flag",)),
    "one-flag-seen-another-still-open": History(
        [e(-6, flags=["night-pain", "night-sweats"]), e(-2, seen=["night-pain"])],
        "see-professional", ("red-flag",), says=("sweating",)),
    "flag-seen-but-noted-again-later": History(
        [e(-15, flags=["night-pain"]), e(-12, seen=["night-pain"]), e(-2, flags=["night-pain"])],
        "see-professional", ("red-flag",)),
    # -- all fine -----------------------------------------------------------------------------
    "no-journal-steady-load": History([], "run", ("no-entries",), weeks=STEADY),
    "four-weeks-of-comfortable-running": History(
        [e(k, pain_morning=1, pain_during=2, pain_after=3) for k in range(-27, 1, 2)], "run",
        ("all-clear",), weeks=STEADY, plan={"before": "warm-up", "after": "cool-down"}),
    # -- journals as runners keep them --------------------------------------------------------
    "mornings-only-all-settled": History(
        mornings(dict.fromkeys(EVERY_DAY, 1)), "run", ("all-clear",)),
    "mornings-only-at-3-for-three-weeks": History(
        mornings(dict.fromkeys(EVERY_DAY, 3)), "see-professional", ("pain-persistent",),
        plan={"running": "paused"}),
    "a-7-ten-days-ago-and-silence-since": History(
        [e(-10, pain_after=7)], "cross-train", ("pain-unsettled",), says=("no entry since",)),
    "three-entries-a-day-all-within-the-model": History(
        [part for k in range(-6, 1) for part in (e(k, pain_morning=1), e(k, pain_during=3),
                                                 e(k, pain_after=4))],
        "run", ("all-clear",)),
    "a-settled-morning-then-a-bad-evening-today": History(
        [e(-2, pain_morning=1, pain_during=2), e(0, pain_morning=1), e(0, pain_after=7)],
        "rest", ("pain-unsettled",)),
    "weekend-runner-logging-saturdays-and-sundays": History(
        [e(k, pain_during=4, pain_morning=1) for k in (-25, -24, -18, -17, -11, -10, -4, -3)],
        "run", ("all-clear",)),
    "only-the-bad-mornings-logged-for-three-weeks": History(
        mornings({-18: 4, -14: 4, -10: 4, -6: 4, -2: 4}), "see-professional",
        ("pain-persistent",)),
    "during-5-is-still-inside-the-model": History(
        [e(k, pain_morning=1, pain_during=5) for k in (-4, -2, 0)], "run", ("all-clear",),
        ("pain-monitor-during",)),
    "over-the-limit-two-days-ago-and-settled-since": History(
        [e(-2, pain_during=6), e(-1, pain_morning=1), e(0, pain_morning=0)], "run",
        ("all-clear",), ("pain-monitor-during", "pain-unsettled")),
    "knee-pain-alone-within-limits": History(
        [e(k, pain_during=3, pain_morning=0, where=["knee"]) for k in (-9, -6, -3, 0)], "run",
        ("all-clear",), ("pain-spreading",)),
    "improving-from-5-to-1-over-three-weeks": History(
        mornings({**dict.fromkeys(range(-20, -13), 5), **dict.fromkeys(range(-13, -6), 3),
                  **dict.fromkeys(range(-6, 1), 1)}),
        "run", ("all-clear",), ("pain-worsening", "pain-persistent")),
}


def _decide(case: History) -> Decision:
    return decide(TODAY, case.entries, case.weeks, case.runs, cadence_baseline_spm=None)


def test_there_are_at_least_forty_histories_in_all() -> None:
    from tests import test_journal_histories as first

    pinned_there = sum(1 for name in dir(first) if name.startswith("test_")) \
        + len(first.HISTORIES) - 1
    assert len(CASES) + pinned_there >= 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_history(name: str) -> None:
    case = CASES[name]
    result = _decide(case)
    assert result.decision == case.decision, (name, result.rules)
    assert result.urgent is case.urgent, (name, result.rules)
    for rule in case.fired:
        assert rule in result.rules, (name, rule, result.rules)
        if rule != "no-entries":
            assert all(r.evidence for r in result.reasons if r.rule == rule), (name, rule)
    for rule in case.absent:
        assert rule not in result.rules, (name, rule, result.rules)
    text = " ".join(r.text for r in result.reasons)
    for words in case.says:
        assert words in text, (name, words, text)
    for key, words in case.plan.items():
        assert words in str(result.plan.get(key)), (name, key, result.plan)


@pytest.mark.parametrize("name", sorted(CASES))
def test_logging_a_day_again_changes_nothing(name: str) -> None:
    case = CASES[name]
    if not case.entries:
        pytest.skip("no journal to repeat")
    base = _decide(case)
    again = decide(TODAY, [*case.entries, case.entries[-1]], case.weeks, case.runs,
                   cadence_baseline_spm=None)
    assert (again.decision, again.rules) == (base.decision, base.rules)


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.urgent))
def test_under_an_urgent_decision_the_rest_is_also_noted(name: str) -> None:
    result = _decide(CASES[name])
    others = [r for r in result.reasons if not r.urgent and r.decision != result.decision]
    assert all(r.text.startswith(ALSO_NOTED) for r in others)
    assert "keep today's run" not in " ".join(r.text for r in result.reasons
                                                if not r.text.startswith(ALSO_NOTED))


@pytest.mark.parametrize("name", sorted(
    n for n, c in CASES.items() if not c.urgent and (
        c.decision in ("rest", "cross-train") or c.plan.get("running") in ("paused", "stop running"))))
def test_a_day_without_running_never_asks_for_a_shorter_run(name: str) -> None:
    result = _decide(CASES[name])
    for r in result.reasons:
        if r.decision != result.decision:
            assert r.text.startswith(ALSO_NOTED_NO_RUN), (name, r.rule)
