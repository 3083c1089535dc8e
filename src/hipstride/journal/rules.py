"""The rules of the daily decision: each one's threshold, the reason it exists and its source.

Every rule is a small pure function from journal entries (or weekly load, or recent runs) to the
:class:`Reason` objects it fires, none when it does not apply; :func:`hipstride.journal.decision.
decide` runs them all and the strongest reason decides. Each reason names the measurement that
fired it, the rule (its id, below) and the evidence behind it.

Reading the journal
    Rules read calendar days, never "the last N entries": a day without an entry is missing, not
    a pain-free day, and a second entry on a day only adds what it measured (the day keeps the
    highest value of each measure). Measures are never mixed: morning pain is compared with
    morning pain, pain during runs with pain during runs, pain after with pain after.

The yardstick: the pain-monitoring model (Silbernagel 2007, a trial in Achilles tendon pain;
applied to the hip by extrapolation). Pain up to :data:`PAIN_ACCEPTABLE_MAX`/10 during or after
running is acceptable if it has settled by the next morning; hipstride reads "settled" as a
morning at :data:`MORNING_SETTLED_MAX`/10 or less (a pre-run level of about 1 plus the model's
one point). Morning pain and stiffness should not rise week on week. Pain inside the model
never pauses running. A runner-relative "own level + 1" above 2 is not used: a runner whose
mornings sit at 3/10 for weeks is exactly who the persistence rule is for.

``red-flag``
    Warning signs (:data:`hipstride.journal.entry.FLAG_TABLE`) come in two tiers. A same-day sign
    (cannot bear weight, groin pain arriving earlier in each run, fever, saddle numbness or a
    bladder/bowel change, a fall after which hopping or walking is hard) noted within
    :data:`RED_FLAG_URGENT_DAYS` days → see a professional today (urgent). A within-days sign
    (night or rest pain, numbness or weakness, night sweats, unexplained weight loss, cancer
    history, missed periods with low energy intake, a limp under 16) → see a professional in the
    next few days. A sign never expires: until an entry records that a professional saw it
    (``seen``, dated on or after the sign), it stays a see-a-professional reason, shown less
    urgently once older than those windows. Source: clinical red flags for hip pain (bone stress
    injury of the femoral neck, infection, nerve or spinal involvement); not graded evidence,
    reasons for a medical check.
``pain-worsening``
    One measure's mean over the last 7 calendar days is :data:`WORSENING_MIN_RISE` points or more
    above its mean in one of the :data:`WORSENING_WEEKS` - 1 weeks before, and at least
    :data:`WORSENING_MIN_LEVEL`/10 →
    see a professional. Source: the physician's guidance (pain that worsens needs an assessment);
    the "≥ 2 points over ≥ 1 week" reading is hipstride's.
``pain-spreading``
    Pain of :data:`SPREAD_PAIN_MIN`/10 or more in the lower back or a knee in the last
    :data:`SPREAD_LOOKBACK_DAYS` days, in a journal that also records a hip complaint → see a
    professional (not urgent). Knee pain without hip pain is not "spreading from the hip".
    Source: the physician's guidance (compensation in the lower back and knees).
``pain-unsettled``
    A high entry (:data:`HIGH_PAIN_MIN`/10 on any measure, or :data:`HIGH_MORNING_MIN`/10 in the
    morning) stays in force until a later day shows the pain settled. Up to
    :data:`HIGH_PAUSE_AFTER_DAYS` - 1 days old → rest; older, still not shown settled → pause
    running and cross-train. Source: the pain-monitoring model.
``pain-persistent``
    A spell of unsettled entries (morning above the settled level, or during/after above the
    acceptable level, with no settled day in between) spanning :data:`PERSISTENT_DAYS` days or more
    → pause running and cross-train; spanning :data:`PERSISTENT_PROFESSIONAL_DAYS` days or more →
    see a professional. Sources: the physician's guidance (pain that persists: stop running until
    it subsides) and usual practice (not settled after two to three weeks: get assessed).
``stiffness-long``
    Morning stiffness over :data:`STIFFNESS_LONG_MIN` minutes on :data:`STIFFNESS_DAYS_MIN` or more
    of the last 7 calendar days → see a professional (not urgent). Source: usual clinical practice
    (long morning stiffness is a reason to look for a joint cause); not graded.
``pain-monitor-during``, ``pain-monitor-morning``, ``pain-monitor-weekly``
    Pain during or after a run of today or yesterday above :data:`PAIN_ACCEPTABLE_MAX` → rest;
    this morning's pain above the settled level → modify, or rest from :data:`MORNING_REST_MIN`;
    this week's mean morning pain up :data:`WEEKLY_RISE_MIN` or more, or mean stiffness up
    :data:`WEEKLY_STIFFNESS_RISE_MIN` minutes or more, on last week's → modify. Source: the
    pain-monitoring model.
``load-progression``
    The latest week's distance (or hip load) more than :data:`LOAD_PROGRESSION_MAX` above the mean
    of the two weeks before it → modify. Source: Nielsen 2014 (novices; hazard ratio 1.59, 95 % CI
    0.96–2.66, p = 0.07 for injuries linked to distance: a signal, graded weak), and the 10 %
    rule protected no one in Buist 2008.
``load-return``
    When the two weeks before the latest held no running (a break, not a zero base to skip), the
    latest week is judged against the level before the break (the mean of the two weeks before
    it): flagged above that level, or above :data:`LONG_BREAK_SHARE` of it after a break of
    :data:`LONG_BREAK_WEEKS` weeks or more → modify. Source: as ``load-progression``; the share
    after a long break is hipstride's cautious reading.
``hip-load-high``
    A run in the last :data:`HIGH_LOAD_LOOKBACK_DAYS` days with hip-load index above
    :data:`HIP_LOAD_INDEX_HIGH` times the runner's own usual index (the median of the last
    :data:`HIP_LOAD_BASELINE_DAYS` days' runs; 1.0 with fewer than
    :data:`HIP_LOAD_BASELINE_MIN_RUNS` runs) → modify. Source: the hipstride hip-load model.

The value types (:class:`WeekLoad`, :class:`RecentRun`, :class:`Reason`) and thresholds live in
``_rule_base`` so that the rules and the plan can import them without a circle; this module
and :mod:`hipstride.journal.decision` are their public homes. The wording explains and points to
help; it never names a diagnosis.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import date, timedelta

from hipstride.analysis.trends import progression_pct
from hipstride.journal._pain_rules import pain_monitor, stiffness, unsettled, worsening
from hipstride.journal._rule_base import (
    DECISION_RANK,
    EV_CADENCE,
    EV_GUIDANCE,
    EV_HIP_LOAD,
    EV_LOAD,
    EV_PAIN_MODEL,
    EV_RED_FLAGS,
    HIGH_LOAD_LOOKBACK_DAYS,
    HIGH_MORNING_MIN,
    HIGH_PAIN_MIN,
    HIP_LOAD_BASELINE_DAYS,
    HIP_LOAD_BASELINE_MIN_RUNS,
    HIP_LOAD_INDEX_HIGH,
    HIP_SITES,
    LOAD_PROGRESSION_MAX,
    LONG_BREAK_SHARE,
    LONG_BREAK_WEEKS,
    LOOKBACK_DAYS,
    MORNING_SETTLED_MAX,
    PAIN_ACCEPTABLE_MAX,
    PERSISTENT_DAYS,
    PERSISTENT_PAIN_MIN,
    PERSISTENT_PROFESSIONAL_DAYS,
    RED_FLAG_MEMORY_DAYS,
    RED_FLAG_RECENT_DAYS,
    RED_FLAG_URGENT_DAYS,
    SPREAD_LOOKBACK_DAYS,
    SPREAD_PAIN_MIN,
    SPREAD_SITES,
    STIFFNESS_DAYS_MIN,
    STIFFNESS_LONG_MIN,
    WORSENING_MIN_LEVEL,
    WORSENING_MIN_RISE,
    DecisionKind,
    Reason,
    RecentRun,
    WeekLoad,
    recent,
)
from hipstride.journal.entry import JournalEntry, flag, flag_dates, site_words

__all__ = [
    "DECISION_RANK",
    "EV_CADENCE",
    "EV_PAIN_MODEL",
    "HIGH_MORNING_MIN",
    "HIGH_PAIN_MIN",
    "HIP_LOAD_INDEX_HIGH",
    "LOAD_PROGRESSION_MAX",
    "LOOKBACK_DAYS",
    "MORNING_SETTLED_MAX",
    "PAIN_ACCEPTABLE_MAX",
    "PERSISTENT_DAYS",
    "PERSISTENT_PAIN_MIN",
    "PERSISTENT_PROFESSIONAL_DAYS",
    "RED_FLAG_MEMORY_DAYS",
    "RED_FLAG_URGENT_DAYS",
    "STIFFNESS_DAYS_MIN",
    "STIFFNESS_LONG_MIN",
    "WORSENING_MIN_LEVEL",
    "WORSENING_MIN_RISE",
    "DecisionKind",
    "Reason",
    "RecentRun",
    "WeekLoad",
    "all_rules",
    "recent",
]


def _open_flags(entries: Sequence[JournalEntry]) -> dict[str, date]:
    """Each flag's latest noted date, unless an entry of that day or later records it seen."""
    noted, seen = flag_dates(entries)
    return {name: day for name, day in noted.items() if not (name in seen and seen[name] >= day)}


def red_flags(entries: Sequence[JournalEntry], today: date) -> list[Reason]:
    """``red-flag``: warning signs not yet recorded as seen by a professional, by tier."""
    open_flags = _open_flags(entries)
    if not open_flags:
        return []
    urgent, soon, old, old_same_day = [], [], [], False
    for name, day in sorted(open_flags.items(), key=lambda item: item[1]):
        age = (today - day).days
        words = f"{flag(name).text} (noted {day.isoformat()})"
        if flag(name).tier == "same-day" and age <= RED_FLAG_URGENT_DAYS:
            urgent.append(words)
        elif age <= RED_FLAG_RECENT_DAYS:
            soon.append(words)
        else:
            old.append(words)
            old_same_day = old_same_day or flag(name).tier == "same-day"
    parts = []
    if urgent:
        parts.append(f"Warning signs: {'; '.join(urgent)}. Stop running and get seen today, by "
                     "your doctor or an urgent-care service.")
    if soon:
        parts.append(f"{'Also' if urgent else 'Warning signs'}: {'; '.join(soon)}. Book a "
                     "visit to your doctor within the next few days, and hold off running until "
                     "then.")
    if old:
        parts.append(f"Earlier warning signs not yet recorded as checked: {'; '.join(old)}. If a "
                     "professional has seen them, note it in the journal; if not, arrange a "
                     "visit within the next few days"
                     + (", or today if that sign is still there." if old_same_day else "."))
    parts.append("This is not a diagnosis; it is a reason to have a professional look.")
    return [Reason("red-flag", " ".join(parts), EV_RED_FLAGS, "see-professional",
                   urgent=bool(urgent))]


def _hip_complaint(entry: JournalEntry) -> bool:
    pain = entry.pain
    return pain is not None and pain > 0 and (
        not entry.where or any(site in HIP_SITES for site in entry.where))


def spreading(entries: Sequence[JournalEntry], today: date) -> list[Reason]:
    """``pain-spreading``: pain reaching the lower back or a knee in a journal of hip pain."""
    if not any(_hip_complaint(e) for e in entries):
        return []
    first = today - timedelta(days=SPREAD_LOOKBACK_DAYS - 1)
    for entry in sorted(entries, key=lambda e: e.date, reverse=True):
        spread = [s for s in entry.where if s in SPREAD_SITES]
        if entry.date >= first and spread and (entry.pain or 0) >= SPREAD_PAIN_MIN:
            places = " and ".join(site_words(s) for s in spread)
            text = (f"On {entry.date.isoformat()} you noted pain of {entry.pain:g}/10 in the "
                    f"{places}, alongside your hip pain. When hip pain starts to reach the lower "
                    "back or knees, the way you move may be changing to protect the hip; that is "
                    "worth a professional assessment (not urgent).")
            return [Reason("pain-spreading", text, EV_GUIDANCE, "see-professional")]
    return []


def _weekly(weeks: Sequence[WeekLoad], today: date) -> list[WeekLoad]:
    """The weeks up to ``today``, oldest first, with weeks missing in between filled as zero."""
    past = sorted((w for w in weeks if w.week_start <= today), key=lambda w: w.week_start)
    out: list[WeekLoad] = []
    for week in past:
        while out and (week.week_start - out[-1].week_start).days > 7:
            out.append(WeekLoad(out[-1].week_start + timedelta(days=7), 0.0, 0.0))
        out.append(week)
    return out


def _over(latest: WeekLoad, base: Sequence[WeekLoad], share: float) -> list[str]:
    """What of ``latest`` exceeds ``share`` (1 + allowed rise) of the mean of ``base``, measured
    by the one progression of :func:`hipstride.analysis.trends.progression_pct`."""
    changes = []
    for label, value, before in (("distance", latest.distance_m, [w.distance_m for w in base]),
                                 ("hip load", latest.hip_load, [w.hip_load for w in base])):
        pct = progression_pct(value, before)
        if pct is not None and round(pct, 7) > round(100 * (share - 1), 7):  # no +30.0000004 %
            changes.append(f"{label} up {pct:.0f} %")
    return changes


def load_progression(weeks: Sequence[WeekLoad], today: date) -> list[Reason]:
    """``load-progression`` (the latest week well above the two before it) and ``load-return``
    (the first weeks after a break, against the level before it)."""
    past = _weekly(weeks, today)
    if len(past) < 3:
        return []
    latest, before = past[-1], past[-3:-1]
    if any(w.distance_m > 0 or w.hip_load > 0 for w in before):
        changes = _over(latest, before, 1 + LOAD_PROGRESSION_MAX)
        if not changes:
            return []
        text = (f"Week of {latest.week_start.isoformat()}: {', '.join(changes)} on the mean of the "
                f"two weeks before. Increases of more than {100 * LOAD_PROGRESSION_MAX:.0f} % over "
                "two weeks came with more overuse injuries in novice runners in one study (a "
                "signal, not proof); the old 10 % rule, tested in a trial, gave no protection "
                "either, so hold the load steady for now.")
        return [Reason("load-progression", text, EV_LOAD, "modify")]
    off = 0
    while off < len(past) - 1 and past[-2 - off].distance_m <= 0 and past[-2 - off].hip_load <= 0:
        off += 1
    base = past[max(0, len(past) - 3 - off):len(past) - 1 - off]
    if not base:
        return []  # no running before the break to judge against
    share = LONG_BREAK_SHARE if off >= LONG_BREAK_WEEKS else 1.0
    changes = _over(latest, base, share)
    if not changes:
        return []
    limit = ("half of" if off >= LONG_BREAK_WEEKS else "the level of")
    text = (f"Week of {latest.week_start.isoformat()} is your first back after {off} weeks without "
            f"running, and it already exceeds {limit} the two weeks before the break "
            f"({', '.join(changes)} on them). After a break the body has lost some of its "
            "tolerance; build back up gradually over the next weeks.")
    return [Reason("load-return", text, EV_LOAD, "modify")]


def usual_hip_load_index(runs: Sequence[RecentRun], today: date) -> float:
    """The runner's own usual hip-load index: the median of the last
    :data:`HIP_LOAD_BASELINE_DAYS` days' runs, or 1.0 with fewer than
    :data:`HIP_LOAD_BASELINE_MIN_RUNS` of them."""
    first = today - timedelta(days=HIP_LOAD_BASELINE_DAYS - 1)
    indices = [r.hip_load_index for r in runs
               if first <= r.date <= today and math.isfinite(r.hip_load_index)]
    return statistics.median(indices) if len(indices) >= HIP_LOAD_BASELINE_MIN_RUNS else 1.0


def hip_load(runs: Sequence[RecentRun], today: date) -> list[Reason]:
    """``hip-load-high``: a recent run well above the runner's own usual hip load."""
    usual = usual_hip_load_index(runs, today)
    limit = HIP_LOAD_INDEX_HIGH * usual
    first = today - timedelta(days=HIGH_LOAD_LOOKBACK_DAYS - 1)
    heavy = sorted((r for r in runs if first <= r.date <= today and r.hip_load_index > limit),
                   key=lambda r: r.date)
    if not heavy:
        return []
    listed = ", ".join(f"{r.date.isoformat()} ({r.hip_load_index:.2f})" for r in heavy)
    text = (
        f"Recent runs loaded the hip well above your usual (index over {limit:.2f}, "
        f"{HIP_LOAD_INDEX_HIGH:g} times your usual {usual:.2f}): {listed}. Choose a flat, soft, "
        "smooth route with few sharp turns for the next run."
    )
    return [Reason("hip-load-high", text, EV_HIP_LOAD, "modify")]


def all_rules(today: date, entries: Sequence[JournalEntry], weeks: Sequence[WeekLoad],
              runs: Sequence[RecentRun]) -> list[Reason]:
    """Every reason that fires for ``today``, in rule order (entries, weeks and runs any order)."""
    window = recent(entries, today, LOOKBACK_DAYS)
    return [
        *red_flags(recent(entries, today, RED_FLAG_MEMORY_DAYS), today),
        *worsening(window, today),
        *spreading(window, today),
        *unsettled(window, today),
        *stiffness(window, today),
        *pain_monitor(window, today),
        *load_progression(weeks, today),
        *hip_load(runs, today),
    ]

