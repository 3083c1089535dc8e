"""Load over time: weekly running load, its progression, and what is worth flagging.

Weeks are ISO weeks (Monday to Sunday) of the runs' UTC start times. Each week sums running only
(runs with device-relative times are left out because their dates are unknown):
distance (m), running time (s; moving time where known, else elapsed), runs, and hip-load units
(the model's ``total``: a flat, straight kilometre at one's own cadence on neutral ground is 1).
Weeks without running are kept, with zeros, so that progressions compare calendar weeks.

What counts as running
    Sport ``running``, and a recording whose file named no sport (:data:`UNTYPED_SPORTS`: phone
    apps, Nike exports and GPSBabel conversions write GPX without a ``<type>``), because
    ``hipstride analyze`` scores those as runs too; leaving them out made a week look like a
    spike when its untyped runs came back. A runner who walked or rode says so with
    ``hipstride runs relabel``, and the label wins (the library lists the relabelled sport).
One run, one count
    Two recordings of one run (a watch and a phone, a device started late) that the import kept
    apart are counted once: running recordings whose time ranges overlap by more than
    :data:`SAME_RUN_OVERLAP` of the shorter one are one run, and the one with the longer distance
    stands for it (:func:`one_per_run`). One person cannot run two runs at once, so any real
    overlap means the same run; the threshold only keeps a few minutes of clock skew between two
    back-to-back runs from merging them.

Progression (one definition, used by ``hipstride trends``, the clinician page and the daily decision)
    :func:`progression_pct`: a week's distance against the mean of the two weeks before it, in
    percent (``None`` when those two weeks held no running: a return after a break is judged
    against the level before the break, by the decision's ``load-return`` rule). Reading "over
    two weeks" as the mean of the two weeks before is hipstride's choice; it keeps one odd week
    from deciding alone. A week is flagged
    when it exceeds :data:`PROGRESSION_LIMIT_PCT`: in novice runners, progressing by more than
    30 % over two weeks went with more distance-related injuries, hip-area ones among them
    (Nielsen 2014; HR 1.59, 95 % CI 0.96–2.66, p = 0.07, so the signal is suggestive rather than
    certain). Holding to "10 % a week" did not prevent injuries in a trial (Buist 2008), so a rise
    below 30 % is not called safe either.
The week in progress
    With ``as_of`` (or ``until``) inside a week that has not ended, that week is ``partial``: its
    figures are so far. A partial week's progression is only given once it already exceeds the
    limit (it can only grow); below that it is ``None``, never a fall of "−69 %" that is just the
    days still to come.
Acute:chronic ratio
    This week's distance over the mean of the last four weeks, shown as context only: its injury
    thresholds are statistically disputed (Lolli 2019; Impellizzeri 2020), so it is never turned
    into a risk figure or a flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar


class RunTotals(Protocol):
    """What weekly load needs of a run (a stored run's summary has it): SI units, times UTC."""

    @property
    def sport(self) -> str: ...
    @property
    def start_time_utc(self) -> datetime | None: ...
    @property
    def time_is_relative(self) -> bool: ...
    @property
    def distance_m(self) -> float | None: ...
    @property
    def moving_time_s(self) -> float | None: ...
    @property
    def duration_s(self) -> float | None: ...
    @property
    def hip_load_total(self) -> float | None: ...


__all__ = [
    "ACWR_NOTE",
    "PROGRESSION_LIMIT_PCT",
    "SAME_RUN_OVERLAP",
    "UNTYPED_SPORTS",
    "Flag",
    "RunTotals",
    "Week",
    "counts_as_running",
    "one_per_run",
    "progression_flags",
    "progression_pct",
    "week_start",
    "weekly_load",
]

PROGRESSION_LIMIT_PCT = 30.0
#: Weeks before a week that its progression compares it with.
PROGRESSION_BASE_WEEKS = 2
#: Weeks in the chronic part of the acute:chronic ratio.
CHRONIC_WEEKS = 4

PROGRESSION_EVIDENCE = (
    "Nielsen 2014 (874 novice runners followed for a year): progressing weekly distance by more than "
    "30 % over two weeks went with more distance-related injuries, among them gluteus medius injury "
    "and greater trochanteric bursitis (HR 1.59, 95 % CI 0.96–2.66, p = 0.07: suggestive, not "
    "certain). Buist 2008: a programme capped "
    "at +10 % a week did not lower injury rates, so smaller rises are not guaranteed safe.")
ACWR_NOTE = (
    "The acute:chronic ratio (this week against the mean of the last four) is context, not a risk "
    "figure: its thresholds are statistically disputed (Lolli 2019; Impellizzeri 2020).")


#: Sports of recordings whose file named none; they count as running unless relabelled.
UNTYPED_SPORTS = ("unknown", "generic")
#: Two running recordings overlapping by more than this share of the shorter one are one run.
SAME_RUN_OVERLAP = 0.5

_R = TypeVar("_R", bound=RunTotals)


def counts_as_running(sport: str) -> bool:
    """Whether a run of ``sport`` counts as running (``running``, or a file that named no sport)."""
    return sport == "running" or sport in UNTYPED_SPORTS


def _span(run: RunTotals) -> tuple[float, float] | None:
    if run.start_time_utc is None or run.time_is_relative:
        return None
    start = run.start_time_utc.timestamp()
    length = run.duration_s if run.duration_s is not None else run.moving_time_s
    return start, start + max(0.0, length or 0.0)


def _same_run(a: tuple[float, float], b: tuple[float, float]) -> bool:
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return overlap > 0 and (shorter <= 0 or overlap > SAME_RUN_OVERLAP * shorter)


def one_per_run(runs: Sequence[_R]) -> list[_R]:
    """The dated runs with every group of overlapping recordings of one run reduced to the one
    with the longest distance (see the module docstring), in start order; runs without a real
    date are left out."""
    dated = sorted(((span, r) for r in runs if (span := _span(r)) is not None),
                   key=lambda item: item[0])
    kept: list[tuple[tuple[float, float], _R]] = []
    for span, run in dated:
        twin = next((k for k in range(len(kept) - 1, max(-1, len(kept) - 4), -1)
                     if _same_run(kept[k][0], span)), None)
        if twin is None:
            kept.append((span, run))
        elif (run.distance_m or 0.0) > (kept[twin][1].distance_m or 0.0):
            kept[twin] = (span, run)
    return [run for _, run in kept]


def week_start(moment: datetime | date) -> date:
    """The Monday (ISO week start) of the week holding ``moment``."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Week:
    """Running load of one ISO week (see the module docstring for the units)."""

    week_start: date
    distance_m: float
    duration_s: float
    runs: int
    hip_load: float
    #: This week against the mean of the two before it (%; :func:`progression_pct`).
    progression_pct: float | None = None
    acwr: float | None = None
    #: The week has not ended yet: its figures are so far.
    partial: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"week_start": self.week_start.isoformat(), "distance_m": round(self.distance_m, 1),
                "duration_s": round(self.duration_s, 1), "runs": self.runs,
                "hip_load": round(self.hip_load, 3),
                "progression_pct": _r(self.progression_pct), "acwr": _r(self.acwr, 2),
                "partial": self.partial}


@dataclass(frozen=True)
class Flag:
    """Something in the history worth a look: which rule, what, why, and the week it concerns."""

    rule: str
    text: str
    evidence: str
    week: date
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text, "evidence": self.evidence,
                "week": self.week.isoformat(), **self.details}


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def progression_pct(now: float, before: Sequence[float]) -> float | None:
    """The one progression: ``now`` against the mean of ``before`` (the two weeks before it), in
    percent; ``None`` when ``before`` holds nothing (no base to compare against)."""
    if not before:
        return None
    level = sum(before) / len(before)
    return (now / level - 1.0) * 100.0 if level > 0 else None


def weekly_load(runs: Sequence[RunTotals], *, until: date | None = None,
                as_of: date | None = None) -> list[Week]:
    """Weekly running load from the first running week to the last (or to ``until``'s week):
    running and untyped recordings, each run counted once. The week holding ``as_of`` (default:
    ``until``) is partial unless that day is its Sunday (see the module docstring)."""
    runs = one_per_run([r for r in runs if counts_as_running(r.sport)])
    if not runs:
        return []
    sums: dict[date, list[float]] = {}
    for r in runs:
        assert r.start_time_utc is not None
        s = sums.setdefault(week_start(r.start_time_utc), [0.0, 0.0, 0.0, 0.0])
        s[0] += r.distance_m or 0.0
        s[1] += r.moving_time_s if r.moving_time_s is not None else (r.duration_s or 0.0)
        s[2] += 1
        s[3] += r.hip_load_total or 0.0
    first, last = min(sums), max(sums)
    if until is not None:
        last = max(last, week_start(until))
    as_of = as_of or until
    open_week = week_start(as_of) if as_of is not None and as_of.weekday() < 6 else None
    weeks: list[Week] = []
    dist: list[float] = []
    day = first
    while day <= last:
        d, t, n, h = sums.get(day, [0.0, 0.0, 0.0, 0.0])
        dist.append(d)
        i = len(dist) - 1
        partial = day == open_week
        pct = (progression_pct(d, dist[i - PROGRESSION_BASE_WEEKS:i])
               if i >= PROGRESSION_BASE_WEEKS else None)
        if partial and pct is not None and pct <= PROGRESSION_LIMIT_PCT:
            pct = None  # the days still to come, not a fall
        chronic = sum(dist[-CHRONIC_WEEKS:]) / CHRONIC_WEEKS if i >= CHRONIC_WEEKS - 1 else 0.0
        acwr = d / chronic if chronic > 0 and not partial else None
        weeks.append(Week(day, d, t, int(n), h, pct, acwr, partial))
        day += timedelta(days=7)
    return weeks


def progression_flags(weeks: list[Week]) -> list[Flag]:
    """Weeks whose :func:`progression_pct` exceeds :data:`PROGRESSION_LIMIT_PCT` (a partial week
    once it already does)."""
    flags: list[Flag] = []
    for i, w in enumerate(weeks):
        if w.progression_pct is None or w.progression_pct <= PROGRESSION_LIMIT_PCT:
            continue
        before = [x.distance_m for x in weeks[i - PROGRESSION_BASE_WEEKS:i]]
        so_far = " so far (the week is not over)" if w.partial else ""
        text = (f"Week of {w.week_start.isoformat()}: {w.distance_m / 1000:.1f} km{so_far}, "
                f"{w.progression_pct:.0f} % more than the mean of the two weeks before "
                f"({sum(before) / len(before) / 1000:.1f} km). In novice runners a rise of more "
                f"than {PROGRESSION_LIMIT_PCT:g} % over two weeks went with more distance-related "
                "injuries, hip-area ones among them (a signal, not proof): hold this volume for a "
                "while before adding more.")
        flags.append(Flag("progression_over_30pct", text, PROGRESSION_EVIDENCE, w.week_start,
                          {"progression_pct": round(w.progression_pct, 1), "partial": w.partial}))
    return flags
