"""``hipstride report clinician``: one self-contained page for a physiotherapist or sports physician.

The page covers the last N ISO weeks up to a day: red flags recorded (first, and prominent), what
hipstride advised for the day, the pain trend by site and side, load per week with its progression
flags, form against the runner's own baseline (with device caveats), the hip-load factors of the
runs, and the journal itself. It works offline: inline CSS and inline SVG, no scripts, fonts or
other network resource; every text the runner typed is escaped by the template (Jinja2 with
autoescape, in the shared environment of :mod:`hipstride.report._templates`). The load and form
charts are those of the trends page (:mod:`hipstride.report.trends_page`); the pain chart is drawn
here in the same frame with :mod:`hipstride.report._svg`. :mod:`hipstride.report.pdf` prints the
page to PDF.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup

from hipstride.__version__ import __version__
from hipstride._files import write_atomic
from hipstride.errors import InputError
from hipstride.journal.entry import FLAG_TABLE, JournalEntry
from hipstride.journal.rules import PAIN_ACCEPTABLE_MAX
from hipstride.journal.store import list_entries
from hipstride.journal.today import decide_today
from hipstride.library.store import RunStore, RunSummary
from hipstride.model.hipload import FACTORS
from hipstride.report._svg import date_labels
from hipstride.report._templates import render
from hipstride.report.trends_page import CHART, form_chart, load_chart, progression_chart
from hipstride.track.form import FORM_LABELS, FORM_METRICS

__all__ = [
    "DEFAULT_WEEKS",
    "FLAG_LABELS",
    "clinician_context",
    "render_clinician_html",
    "write_clinician_html",
]

DEFAULT_WEEKS = 12
#: Runs listed in the hip-load table at most (the most recent).
MAX_RUNS_LISTED = 60
#: Pain charts drawn at most (the site and side groups with the most entries).
MAX_PAIN_CHARTS = 6

#: The red flags in a clinician's words (the labels of the journal's flag table).
FLAG_LABELS: dict[str, str] = {flag.name: flag.label for flag in FLAG_TABLE}
PAIN_SERIES = (("during", "pain_during", "#c0392b"), ("after", "pain_after", "#d35400"),
               ("morning", "pain_morning", "#2c5d8a"))


# ---------------------------------------------------------------------------------------------
# the pain chart


def _chart(svg: str) -> Markup:
    """A chart with its text size set inside the SVG (PDF engines do not all apply the page's
    CSS to SVG text)."""
    head, sep, rest = svg.partition(">")
    if not sep or not rest.endswith("</svg>"):
        return Markup(svg)
    body = rest[: -len("</svg>")]
    return Markup(f'{head}><g font-size="11" font-family="sans-serif" fill="#444">'
                  f"{body}</g></svg>")


def _pain_chart(entries: list[JournalEntry], first: date, last: date, title: str) -> Markup:
    """Pain during / after / morning (0–10) over the period, one line each, as inline SVG."""
    c = CHART
    lo_x, hi_x = first.toordinal(), max(last.toordinal(), first.toordinal() + 1)

    def x(day: date) -> float:
        return c.x(day.toordinal(), lo_x, hi_x, inset=6)

    def y(pain: float) -> float:
        return c.y(pain, 0, 10)

    parts = [f'<line x1="{c.left:g}" x2="{c.right:g}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
             f'stroke="#eee"/><text x="{c.left - 4:g}" y="{y(v) + 4:.0f}" '
             f'text-anchor="end">{v}</text>' for v in range(0, 11, 2)]
    parts.append(f'<line x1="{c.left:g}" x2="{c.right:g}" y1="{y(PAIN_ACCEPTABLE_MAX):.1f}" '
                 f'y2="{y(PAIN_ACCEPTABLE_MAX):.1f}" stroke="#c0392b" stroke-dasharray="5,4"/>'
                 f'<text x="{c.right + 4:g}" y="{y(PAIN_ACCEPTABLE_MAX) + 4:.0f}">'
                 f"{PAIN_ACCEPTABLE_MAX}/10</text>")
    ticks = [first + timedelta(days=7 * k) for k in range((last - first).days // 7 + 1)]
    parts.append(date_labels(c, ticks, [x(d) for d in ticks]))
    for label, attr, colour in PAIN_SERIES:
        points = [(e.date, float(v)) for e in entries if (v := getattr(e, attr)) is not None]
        if not points:
            continue
        if len(points) > 1:
            coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                         'stroke-width="2"/>')
        parts += [f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}">'
                  f"<title>{d.isoformat()}: {label} {v:g}/10</title></circle>" for d, v in points]
    return _chart(c.svg("".join(parts), f"pain over time: {title}"))


def _group_label(site: str, side: str | None) -> str:
    where = site.replace("-", " ")
    return f"{side} {where}" if side in ("left", "right") else (
        f"{where}, both sides" if side == "both" else f"{where}, side not given")


def _pain_groups(entries: list[JournalEntry], first: date,
                 last: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Summary rows and charts of pain by site and side (an entry counts for each of its sites)."""
    groups: dict[tuple[str, str | None], list[JournalEntry]] = {}
    for entry in entries:
        if entry.pain is None:
            continue
        for site in entry.where or ["unspecified site"]:
            groups.setdefault((site, entry.side), []).append(entry)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0][0], kv[0][1] or ""))
    rows = []
    for (site, side), group in ordered:
        row: dict[str, Any] = {"label": _group_label(site, side), "entries": len(group),
                               "first": group[0].date.isoformat(),
                               "last": group[-1].date.isoformat()}
        for label, attr, _ in PAIN_SERIES:
            values = [float(v) for e in group if (v := getattr(e, attr)) is not None]
            row[label] = (f"{sum(values) / len(values):.1f} / {max(values):g}" if values else "–")
        rows.append(row)
    charts = [{"label": _group_label(site, side),
               "svg": _pain_chart(group, first, last, _group_label(site, side))}
              for (site, side), group in ordered[:MAX_PAIN_CHARTS]]
    return rows, charts


# ---------------------------------------------------------------------------------------------
# the context


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


def _load_section(runs: list[RunSummary], first: date, last: date) -> dict[str, Any]:
    from hipstride.analysis.trends import progression_flags, weekly_load

    dated = [r for r in runs if (d := _run_date(r)) is not None and d <= last]
    weeks = weekly_load(dated, until=last)
    flags = [f for f in progression_flags(weeks) if first <= f.week <= last]
    shown = [w.to_dict() for w in weeks if w.week_start >= first]
    flagged = {f.week.isoformat() for f in flags}
    rows = [{"week": w["week_start"], "km": f"{w['distance_m'] / 1000:.1f}", "runs": w["runs"],
             "hip_load": f"{w['hip_load']:.1f}",
             "wow": _fmt(w["week_over_week_pct"], "+.0f") + (" %" if w["week_over_week_pct"]
                                                            is not None else ""),
             "two": _fmt(w["two_week_pct"], "+.0f") + (" %" if w["two_week_pct"] is not None
                                                      else ""),
             "acwr": _fmt(w["acwr"], ".2f"), "flagged": w["week_start"] in flagged}
            for w in shown]
    has_running = any(w["runs"] for w in shown)
    return {
        "rows": rows,
        "chart": _chart(load_chart(shown)) if has_running else None,
        "progression_chart": _chart(progression_chart(shown)) if has_running else None,
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
            charts.append({"label": FORM_LABELS[metric].label, "svg": _chart(svg), "note": DEVICE_NOTES[metric]})
    return {
        "changes": [{"date": c.confirmed_start_utc.date().isoformat(),
                     "metric": FORM_LABELS[c.metric].label, "text": c.text,
                     "evidence": c.evidence, "device_note": c.device_note}
                    for c in in_period],
        "charts": charts,
        "speed_note": SPEED_NOTE,
    }


def _runs_section(store: RunStore, runs: list[RunSummary], first: date,
                  last: date) -> dict[str, Any]:
    in_period = [r for r in runs if (d := _run_date(r)) is not None and first <= d <= last]
    listed = in_period[-MAX_RUNS_LISTED:]
    rows = []
    for run in reversed(listed):
        stored = store.get_analysis(run.id)
        factors = (stored[0].get("hip_load", {}).get("factors", {}) if stored else {})
        day = _run_date(run)
        rows.append({
            "id": run.id, "date": day.isoformat() if day else "–", "name": run.name or "",
            "km": "–" if run.distance_m is None else f"{run.distance_m / 1000:.2f}",
            "index": "–" if run.hip_load_index is None else f"{run.hip_load_index:.3f}",
            "factors": [_signed(factors.get(f)) for f in FACTORS],
            "device": run.device or "",
        })
    return {"rows": rows, "total": len(in_period), "cut": len(in_period) > len(listed)}


def clinician_context(store: RunStore, *, until: date,
                      weeks: int = DEFAULT_WEEKS) -> dict[str, Any]:
    """Everything the clinician page shows, for the ``weeks`` ISO weeks up to ``until``."""
    from hipstride.analysis.trends import week_start

    if weeks < 1:
        raise InputError(f"weeks must be at least 1, got {weeks}")
    first = week_start(until) - timedelta(weeks=weeks - 1)
    entries = list_entries(store, since=first, until=until)
    from hipstride.analysis.trends import counts_as_running, one_per_run

    runs = one_per_run([r for r in store.list_runs() if counts_as_running(r.sport)])
    red_flags = [{"date": e.date.isoformat(), "flag": flag, "label": FLAG_LABELS.get(flag, flag)}
                 for e in entries for flag in e.flags]
    pain_rows, pain_charts = _pain_groups(entries, first, until)
    decision = decide_today(store, today=until)
    runs_section = _runs_section(store, runs, first, until)
    sites = Counter(site for e in entries for site in e.where)
    return {
        "version": __version__,
        "first": first.isoformat(),
        "last": until.isoformat(),
        "weeks": weeks,
        "generated": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip(),
        "summary": {"entries": len(entries), "runs": runs_section["total"],
                    "sites": ", ".join(f"{s} ({n})" for s, n in sites.most_common()) or "–"},
        "red_flags": red_flags,
        "decision": decision.to_dict(),
        "pain_rows": pain_rows,
        "pain_charts": pain_charts,
        "pain_series": [(label, colour) for label, _, colour in PAIN_SERIES],
        "pain_limit": PAIN_ACCEPTABLE_MAX,
        "load": _load_section(runs, first, until),
        "form": _form_section(store, first, until),
        "runs": runs_section,
        "factor_names": FACTORS,
        "entries": [{"date": e.date.isoformat(), "during": _fmt(e.pain_during),
                     "after": _fmt(e.pain_after), "morning": _fmt(e.pain_morning),
                     "stiffness": _fmt(e.morning_stiffness_min),
                     "where": ", ".join(e.where) or "–", "side": e.side or "–",
                     "better": e.better or "", "worse": e.worse or "",
                     "flags": [FLAG_LABELS.get(f, f) for f in e.flags],
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
