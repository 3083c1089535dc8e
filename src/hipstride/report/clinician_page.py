"""``hipstride report clinician``: a page for a physiotherapist or sports physician, whose first
printed page stands alone.

Page one (``<section id="summary">``, followed by a page break when printed) holds what a
clinician reads first: what hurts where and since when, each measure's trend (like with like),
morning stiffness, the day's decision with the reasons that decided it (the rest listed as also
noted), every red flag with whether a professional has seen it, the last weeks' load with the one
progression figure (:func:`hipstride.analysis.trends.progression_pct`; the week in progress
marked as partial, never a fall), form against the runner's own baseline, and the latest form
check from video per view with its change against the earlier ones and their noise floors
(:mod:`hipstride.report._clinician_form`). The details follow: the decision's full reasons and
evidence, pain and stiffness charts by site and side, load per week, form charts, the form checks, each run's hip load beside the pain that followed it, the hip-load factors and
the journal itself. The summary's figures come from :mod:`hipstride.journal.summary`; this module
only gathers and lays them out.

It works offline: inline CSS and inline SVG, no scripts, fonts or other network resource; every
text the runner typed is escaped by the template (Jinja2 with autoescape, in the shared
environment of :mod:`hipstride.report._templates`). :mod:`hipstride.report.pdf` prints it.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hipstride.__version__ import __version__
from hipstride._files import write_atomic
from hipstride._privacy import printable
from hipstride.errors import InputError
from hipstride.journal.entry import FLAG_TABLE, JournalEntry
from hipstride.journal.rules import PAIN_ACCEPTABLE_MAX, RED_FLAG_MEMORY_DAYS
from hipstride.journal.store import list_entries
from hipstride.journal.summary import (
    RunFigures,
    complaints,
    flag_status,
    run_responses,
    stiffness_trend,
)
from hipstride.journal.today import decide_today
from hipstride.library.store import DEFAULT_ATHLETE, RunStore, RunSummary
from hipstride.model.hipload import FACTORS
from hipstride.report._clinician_charts import PAIN_SERIES, chart, pain_groups, stiffness_chart
from hipstride.report._clinician_form import video_form_section
from hipstride.report._templates import render
from hipstride.report.trends_page import form_chart, load_chart, progression_chart
from hipstride.track.form import FORM_LABELS, FORM_METRICS

__all__ = [
    "DEFAULT_WEEKS",
    "FLAG_LABELS",
    "clinician_context",
    "render_clinician_html",
    "write_clinician_html",
]

DEFAULT_WEEKS = 12
#: Runs listed in the hip-load and run-to-pain tables at most (the most recent).
MAX_RUNS_LISTED = 60
#: Sites and sides shown on page one at most (the most logged); the details list them all.
SUMMARY_COMPLAINTS = 3
#: Weeks of load shown on page one (the most recent, the week in progress included).
SUMMARY_WEEKS = 5
#: Reasons given in full on page one (the ones that decided); the rest are named.
SUMMARY_REASONS = 2
#: Longest reason text on page one (characters); the details give it whole.
SUMMARY_REASON_CHARS = 280
#: The red-flag reason is cut shorter on page one: its signs are listed beside it.
SUMMARY_FLAG_REASON_CHARS = 160

#: The red flags in a clinician's words (the labels of the journal's flag table).
FLAG_LABELS: dict[str, str] = {flag.name: flag.label for flag in FLAG_TABLE}


def _fmt(value: float | None, fmt: str = "g") -> str:
    return "–" if value is None else format(value, fmt)


def _signed(value: float | None) -> str:
    if value is None:
        return "–"
    return "·" if abs(value) < 0.0005 else f"{value:+.3f}"


def _run_date(run: RunSummary) -> date | None:
    if run.start_time_utc is None or run.time_is_relative:
        return None
    return run.start_time_utc.astimezone(UTC).date()


def _progression(week: dict[str, Any]) -> str:
    """The one progression figure of a week, as shown everywhere on the page."""
    pct = week["progression_pct"]
    if week["partial"]:
        days = "in progress" + (f", already {pct:+.0f} %" if pct is not None else "")
        return days
    return "–" if pct is None else f"{pct:+.0f} %"


def _load_section(runs: list[RunSummary], first: date, last: date) -> dict[str, Any]:
    from hipstride.analysis.trends import progression_flags, weekly_load

    dated = [r for r in runs if (d := _run_date(r)) is not None and d <= last]
    weeks = weekly_load(dated, until=last)
    flags = [f for f in progression_flags(weeks) if first <= f.week <= last]
    shown = [w.to_dict() for w in weeks if w.week_start >= first]
    flagged = {f.week.isoformat() for f in flags}
    rows = [{"week": w["week_start"], "km": f"{w['distance_m'] / 1000:.1f}", "runs": w["runs"],
             "hip_load": f"{w['hip_load']:.1f}", "progression": _progression(w),
             "partial": w["partial"], "acwr": _fmt(w["acwr"], ".2f"),
             "flagged": w["week_start"] in flagged}
            for w in shown]
    has_running = any(w["runs"] for w in shown)
    return {
        "rows": rows,
        "chart": chart(load_chart(shown)) if has_running else None,
        "progression_chart": chart(progression_chart(shown)) if has_running else None,
        "flags": [{"week": f.week.isoformat(), "text": f.text, "evidence": f.evidence}
                  for f in flags],
    }


def _form_section(store: RunStore, first: date, last: date) -> dict[str, Any]:
    from hipstride.analysis.baselines import DEVICE_NOTES, SPEED_NOTE
    from hipstride.analysis.formchanges import form_history

    changes, deviations = form_history(store.form_minutes())
    in_period = [c for c in changes if first <= c.confirmed_start_utc.date() <= last]
    runs = [d.to_dict() for d in deviations if first <= d.start_utc.date() <= last]
    charts = []
    for metric in FORM_METRICS:
        svg = form_chart(runs, metric)
        if svg:
            charts.append({"label": FORM_LABELS[metric].label, "svg": chart(svg),
                           "note": DEVICE_NOTES[metric]})
    return {
        "changes": [{"date": c.confirmed_start_utc.date().isoformat(),
                     "metric": FORM_LABELS[c.metric].label, "text": c.text,
                     "direction": c.direction, "pct": f"{c.median_delta_pct:+.0f} %",
                     "evidence": c.evidence, "device_note": c.device_note}
                    for c in in_period],
        "charts": charts,
        "has_baseline": bool(runs),
        "speed_note": SPEED_NOTE,
    }


def _runs_section(store: RunStore, runs: list[RunSummary], entries: list[JournalEntry],
                  first: date, last: date) -> dict[str, Any]:
    in_period = [r for r in runs if (d := _run_date(r)) is not None and first <= d <= last]
    listed = in_period[-MAX_RUNS_LISTED:]
    rows = []
    for run in reversed(listed):
        stored = store.get_analysis(run.id)
        factors = (stored[0].get("hip_load", {}).get("factors", {}) if stored else {})
        day = _run_date(run)
        rows.append({
            "id": run.id, "date": day.isoformat() if day else "–", "name": printable(run.name or ""),
            "km": "–" if run.distance_m is None else f"{run.distance_m / 1000:.2f}",
            "index": "–" if run.hip_load_index is None else f"{run.hip_load_index:.3f}",
            "factors": [_signed(factors.get(f)) for f in FACTORS],
            "device": printable(run.device or ""),
        })
    figures = [RunFigures(r.id, d, r.distance_m, r.hip_load_index)
               for r in listed if (d := _run_date(r)) is not None]
    responses = [{**row, "index": _fmt(row["index"], ".2f"), "km": _fmt(row["km"], ".1f"),
                  "during": _fmt(row["during"]), "after": _fmt(row["after"]),
                  "next_morning": _fmt(row["next_morning"])}
                 for row in run_responses(figures, entries)]
    return {"rows": rows, "responses": responses, "total": len(in_period),
            "cut": len(in_period) > len(listed)}


def _short(text: str, limit: int = SUMMARY_REASON_CHARS) -> str:
    """``text`` cut at a clause before ``limit`` characters, saying where the rest is."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind("; ", 0, limit), text.rfind(". ", 0, limit))
    return text[:cut if cut > limit // 3 else limit].rstrip(" ;.,") + " … (in full in the details)"


def _flag_groups(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Page one's red flags, grouped: not yet seen (same day, then within days), then seen."""
    groups: list[dict[str, Any]] = []
    for title, keep in (
            ("Not yet seen · same-day signs", lambda f: not f["seen"] and f["tier"] == "same-day"),
            ("Not yet seen · within-days signs", lambda f: not f["seen"] and f["tier"] != "same-day"),
            ("Seen by a professional", lambda f: bool(f["seen"]))):
        chosen = [f for f in flags if keep(f)]
        if chosen:
            groups.append({"title": title, "open": not chosen[0]["seen"], "signs": [
                f"{f['label']} (noted {f['noted']}" + (f", seen {f['seen']})" if f["seen"] else ")")
                for f in chosen]})
    return groups


def _decision_summary(decision: dict[str, Any]) -> dict[str, Any]:
    deciding = [r for r in decision["reasons"]
                if r["decision"] == decision["decision"] or r["urgent"]]
    also = [r["rule"] for r in decision["reasons"] if r not in deciding]
    plan = decision["plan"]
    return {"decision": decision["decision"], "urgent": decision["urgent"],
            "reasons": [{**r, "text": _short(r["text"], SUMMARY_FLAG_REASON_CHARS
                                             if r["rule"] == "red-flag" else SUMMARY_REASON_CHARS)}
                        for r in deciding[:SUMMARY_REASONS]],
            "more": [r["rule"] for r in deciding[SUMMARY_REASONS:]], "also_noted": also,
            "when": plan.get("when"), "running": plan.get("running")}


def clinician_context(store: RunStore, *, until: date,
                      weeks: int = DEFAULT_WEEKS) -> dict[str, Any]:
    """Everything the clinician page shows, for the ``weeks`` ISO weeks up to ``until``."""
    from hipstride.analysis.trends import counts_as_running, one_per_run, week_start

    if weeks < 1:
        raise InputError(f"weeks must be at least 1, got {weeks}")
    first = week_start(until) - timedelta(weeks=weeks - 1)
    history = list_entries(store, since=until - timedelta(days=RED_FLAG_MEMORY_DAYS - 1),
                           until=until)
    entries = [e for e in history if e.date >= first]
    runs = one_per_run([r for r in store.list_runs() if counts_as_running(r.sport)])
    pain_rows, pain_charts = pain_groups(entries, first, until)
    decision = decide_today(store, today=until).to_dict()
    runs_section = _runs_section(store, runs, entries, first, until)
    load = _load_section(runs, first, until)
    form = _form_section(store, first, until)
    video = video_form_section(store, first, until)
    found = complaints(history, until)
    return {
        "version": __version__,
        # a club's or clinic's athlete is named; a single runner's report names nobody
        "athlete": None if store.athlete == DEFAULT_ATHLETE else printable(store.athlete),
        "first": first.isoformat(),
        "last": until.isoformat(),
        "weeks": weeks,
        "generated": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip(),
        "summary": {
            "entries": len(entries), "runs": runs_section["total"],
            "complaints": found[:SUMMARY_COMPLAINTS],
            "more_complaints": len(found) - SUMMARY_COMPLAINTS,
            "stiffness": stiffness_trend(history, until),
            "decision": _decision_summary(decision),
            "flags": _flag_groups(flag_status(history)),
            "load": load["rows"][-SUMMARY_WEEKS:],
            "load_flags": len(load["flags"]),
            "form": form["changes"][-3:],
            "form_baseline": form["has_baseline"],
            "video": video["latest"],
        },
        "red_flags": [{"date": e.date.isoformat(), "flag": flag,
                       "label": FLAG_LABELS.get(flag, flag)}
                      for e in entries for flag in e.flags],
        "decision": decision,
        "flag_table": [{"label": f.label} for f in FLAG_TABLE],
        "pain_rows": pain_rows,
        "pain_charts": pain_charts,
        "stiffness_chart": stiffness_chart(entries, first, until),
        "pain_series": [(label, colour) for label, _, colour in PAIN_SERIES],
        "pain_limit": PAIN_ACCEPTABLE_MAX,
        "load": load,
        "form": form,
        "video": video,
        "runs": runs_section,
        "factor_names": FACTORS,
        "entries": [{"date": e.date.isoformat(), "during": _fmt(e.pain_during),
                     "after": _fmt(e.pain_after), "morning": _fmt(e.pain_morning),
                     "stiffness": _fmt(e.morning_stiffness_min),
                     "where": ", ".join(e.where) or "–", "side": e.side or "–",
                     "better": printable(e.better or ""), "worse": printable(e.worse or ""),
                     "flags": [FLAG_LABELS.get(f, f) for f in e.flags],
                     "seen": [FLAG_LABELS.get(f, f) for f in e.seen],
                     "run": "–" if e.run_id is None else str(e.run_id)}
                    for e in reversed(entries)],
    }


def render_clinician_html(store: RunStore, *, until: date, weeks: int = DEFAULT_WEEKS) -> str:
    """The clinician page as one HTML document (see the module docstring)."""
    from hipstride.analysis.trends import PROGRESSION_LIMIT_PCT

    context = clinician_context(store, until=until, weeks=weeks)
    return render("clinician.html.j2", progression_limit_pct=PROGRESSION_LIMIT_PCT, **context)


def write_clinician_html(html: str, out: str | os.PathLike[str]) -> Path:
    """Write the page to ``out`` atomically (see :func:`hipstride._files.write_atomic`)."""
    return write_atomic(out, html)
