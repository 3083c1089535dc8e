"""Changes of running form against the runner's own baseline: large, sustained and repeated.

A run *shows* a change in a metric when, compared with the speed-matched baseline of the
:data:`~hipstride.analysis.baselines.WINDOW_DAYS` days before it, at least :data:`SUSTAINED_MINUTES`
of its running minutes lie :data:`Z_THRESHOLD` standard deviations or more on the same side.
A change is *flagged* only when it repeats: at least :data:`REPEAT_RUNS` of the last
:data:`REPEAT_WINDOW_RUNS` runs that measured the metric (within :data:`REPEAT_WINDOW_DAYS` days)
show it in the same direction. One flag stands for one episode; later runs that continue it are
added to that flag rather than raising new ones.

One short odd run (a hill session, a sore day, a new sensor) therefore never raises a flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from hipstride.analysis.baselines import (
    DEVICE_NOTES,
    SPEED_NOTE,
    FormMinutes,
    MetricBaseline,
    compute_baselines,
)
from hipstride.track.form import FORM_LABELS, FORM_METRICS

__all__ = [
    "REPEAT_RUNS",
    "SUSTAINED_MINUTES",
    "Z_THRESHOLD",
    "FormChange",
    "RunDeviation",
    "detect_form_changes",
    "form_history",
]

#: How far from the baseline a minute must be, in baseline standard deviations.
Z_THRESHOLD = 2.0
#: Minutes beyond the threshold, same direction, for a run to show a change.
SUSTAINED_MINUTES = 10
#: Runs (of the last :data:`REPEAT_WINDOW_RUNS` measuring the metric) that must show it.
REPEAT_RUNS = 2
REPEAT_WINDOW_RUNS = 3
REPEAT_WINDOW_DAYS = 28.0

_WHY: dict[tuple[str, str], str] = {
    ("cadence_spm", "lower"): (
        "At the same speed a lower step rate means longer steps, which raise the energy the hip "
        "absorbs and the load on the hip abductors."),
    ("step_length_m", "higher"): (
        "Longer steps at the same speed can mean overstriding, which hip pain tends to bring on and "
        "which raises hip load."),
    ("stance_time_balance_left_pct", "higher"): (
        "The left foot stayed on the ground longer than the right: runners often shorten stance on a "
        "painful side."),
    ("stance_time_balance_left_pct", "lower"): (
        "The right foot stayed on the ground longer than the left: runners often shorten stance on a "
        "painful side."),
}
_EVIDENCE: dict[str, str] = {
    "cadence_spm": ("Heiderscheit 2011: +10 % step rate lowered hip energy absorption and hip "
                    "moments; Lenhart 2014: it lowered hip abductor force. Retrain by about +5 %, "
                    "never to a fixed 180."),
    "step_length_m": "Heiderscheit 2011; Lenhart 2014 (step rate and step length are two sides of one change).",
}


@dataclass
class FormChange:
    """A flagged change of one metric against the runner's own baseline."""

    metric: str
    direction: str  # "lower" or "higher"
    side: str | None  # for stance-time balance: the side with the longer ground contact
    run_ids: list[int]
    confirmed_run_id: int
    confirmed_start_utc: datetime
    median_delta: float  # typical difference from baseline in the off minutes, metric's unit
    median_delta_pct: float
    minutes: int  # off minutes in the confirming run
    devices_differ: bool
    text: str = ""
    evidence: str = ""
    device_note: str = ""
    extra_runs: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "direction": self.direction, "side": self.side,
                "run_ids": self.run_ids + self.extra_runs,
                "confirmed_run_id": self.confirmed_run_id,
                "confirmed_start_utc": self.confirmed_start_utc.isoformat(),
                "median_delta": round(self.median_delta, 3),
                "median_delta_pct": round(self.median_delta_pct, 1), "minutes": self.minutes,
                "text": self.text, "evidence": self.evidence, "device_note": self.device_note}


@dataclass(frozen=True)
class _RunVerdict:
    run_id: int
    start_s: float
    direction: str | None
    minutes: int
    delta: float
    delta_pct: float
    devices_differ: bool
    #: Median deviation from baseline over all comparable minutes (% of the baseline).
    overall_pct: float


def _verdict(minutes: FormMinutes, metric: str, base: MetricBaseline | None, run_id: int,
             start_s: float, rows: np.ndarray) -> _RunVerdict | None:
    """Compare one run's minutes of ``metric`` with its baseline; ``None`` when not comparable."""
    if base is None:
        return None
    values = minutes.values[metric][rows]
    ok = np.isfinite(values)
    med, sd = base.lookup(minutes.speed_mps[rows])
    comparable = ok & np.isfinite(med)
    if comparable.sum() < SUSTAINED_MINUTES:
        return None
    z = (values - med) / sd
    low = comparable & (z <= -Z_THRESHOLD)
    high = comparable & (z >= Z_THRESHOLD)
    device = minutes.devices.get(run_id)
    differ = bool(device and base.devices and device != base.devices[0])
    overall = float(np.median((values[comparable] - med[comparable]) / med[comparable] * 100.0))
    for direction, hit in (("lower", low), ("higher", high)):
        if hit.sum() >= SUSTAINED_MINUTES:
            delta = float(np.median(values[hit] - med[hit]))
            pct = float(np.median((values[hit] - med[hit]) / med[hit] * 100.0))
            return _RunVerdict(run_id, start_s, direction, int(hit.sum()), delta, pct, differ,
                               overall)
    return _RunVerdict(run_id, start_s, None, 0, 0.0, 0.0, differ, overall)


def _describe(change: FormChange, runs_showing: int, runs_seen: int) -> None:
    metric = FORM_LABELS[change.metric]
    amount = metric.format(abs(change.median_delta))
    if change.metric == "stance_time_balance_left_pct":
        head = (f"Stance-time balance moved {amount} towards a longer ground contact on the "
                f"{change.side} side")
    else:
        head = (f"Your {metric.label.lower()} was {amount} ({abs(change.median_delta_pct):.0f} %) "
                f"{change.direction} than your own baseline at the same speed")
    change.text = (f"{head} for {change.minutes} min of run {change.confirmed_run_id}, and in "
                   f"{runs_showing} of your last {runs_seen} runs that measured it. "
                   + _WHY.get((change.metric, change.direction), ""))
    if change.devices_differ:
        change.text += " This run was recorded with a different device than your baseline: check that first."
    change.evidence = _EVIDENCE.get(change.metric, "Compared with your own speed-matched baseline.")
    change.device_note = DEVICE_NOTES[change.metric] + " " + SPEED_NOTE


def _runs_in_order(minutes: FormMinutes) -> list[tuple[int, float, np.ndarray]]:
    """``(run_id, start_s, row indices)`` per run, oldest first."""
    order = np.argsort(minutes.run_id, kind="stable")
    ids, first, counts = np.unique(minutes.run_id[order], return_index=True, return_counts=True)
    runs = [(int(r), float(minutes.start_s[order[f]]), order[f:f + c])
            for r, f, c in zip(ids.tolist(), first.tolist(), counts.tolist(), strict=True)]
    runs.sort(key=lambda item: (item[1], item[0]))
    return runs


@dataclass(frozen=True)
class RunDeviation:
    """How far one run's form lay from its own baseline: median over comparable minutes, in %
    of the speed-matched baseline, per metric (only metrics with a baseline)."""

    run_id: int
    start_utc: datetime
    deviation_pct: dict[str, float]
    sustained: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "start_time_utc": self.start_utc.isoformat(),
                "deviation_pct": {k: round(v, 2) for k, v in self.deviation_pct.items()},
                "sustained_change": self.sustained}


def detect_form_changes(minutes: FormMinutes) -> list[FormChange]:
    """Every flagged form change in the history, oldest first (see the module docstring)."""
    return form_history(minutes)[0]


def form_history(minutes: FormMinutes) -> tuple[list[FormChange], list[RunDeviation]]:
    """Flagged changes (oldest first) and every comparable run's deviation from its baseline."""
    changes: list[FormChange] = []
    deviations: list[RunDeviation] = []
    history: dict[str, list[_RunVerdict]] = {m: [] for m in FORM_METRICS}
    open_change: dict[tuple[str, str], FormChange | None] = {}
    quiet: dict[tuple[str, str], int] = {}
    for run_id, start_s, rows in _runs_in_order(minutes):
        measured = [m for m in FORM_METRICS
                    if np.isfinite(minutes.values[m][rows]).sum() >= SUSTAINED_MINUTES]
        if not measured:
            continue
        bases = compute_baselines(minutes, start_s, exclude_run=run_id)
        deviation = RunDeviation(run_id, datetime.fromtimestamp(start_s, UTC), {}, {})
        for metric in measured:
            verdict = _verdict(minutes, metric, bases.get(metric), run_id, start_s, rows)
            if verdict is None:
                continue
            deviation.deviation_pct[metric] = verdict.overall_pct
            if verdict.direction:
                deviation.sustained[metric] = verdict.direction
            history[metric].append(verdict)
            recent = [v for v in history[metric][-REPEAT_WINDOW_RUNS:]
                      if start_s - v.start_s <= REPEAT_WINDOW_DAYS * 86400.0]
            for direction in ("lower", "higher"):
                key = (metric, direction)
                current = open_change.get(key)
                if verdict.direction != direction:
                    quiet[key] = quiet.get(key, 0) + 1
                    if quiet[key] >= 2:
                        open_change[key] = None
                    continue
                quiet[key] = 0
                if current is not None:
                    current.extra_runs.append(run_id)
                    continue
                showing = [v for v in recent if v.direction == direction]
                if len(showing) < REPEAT_RUNS:
                    continue
                side = None
                if metric == "stance_time_balance_left_pct":
                    side = "left" if direction == "higher" else "right"
                change = FormChange(
                    metric=metric, direction=direction, side=side,
                    run_ids=[v.run_id for v in showing], confirmed_run_id=run_id,
                    confirmed_start_utc=datetime.fromtimestamp(start_s, UTC),
                    median_delta=verdict.delta, median_delta_pct=verdict.delta_pct,
                    minutes=verdict.minutes, devices_differ=verdict.devices_differ)
                _describe(change, len(showing), len(recent))
                changes.append(change)
                open_change[key] = change
        if deviation.deviation_pct:
            deviations.append(deviation)
    changes.sort(key=lambda c: (c.confirmed_start_utc, c.metric))
    return changes, deviations
