"""``hipstride trends --html``: one self-contained HTML page (inline SVG, no scripts, works offline)
drawn from the trends document of :func:`hipstride.library.api.trends_document`."""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from hipstride._files import write_atomic
from hipstride.analysis.trends import PROGRESSION_LIMIT_PCT
from hipstride.report._svg import ChartFrame, date_labels, y_axis
from hipstride.track.form import FORM_LABELS, FORM_METRICS

__all__ = ["CHART", "form_chart", "load_chart", "progression_chart", "render_trends_html",
           "write_trends_html"]

#: At most this many weeks are drawn (the most recent ones); the JSON keeps them all.
MAX_WEEKS_DRAWN = 156
#: The frame of every chart on this page and the clinician page.
CHART = ChartFrame()
#: Week-over-week growth beyond which a week is drawn in red (%).
_CSS = """body{font:15px/1.45 system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}svg{display:block;margin:.5em 0}
.flag{border-left:4px solid #c0392b;padding:.3em .8em;margin:.6em 0;background:#fdf2f0}
.ev,.note{color:#555;font-size:.9em}text{font:11px system-ui,sans-serif;fill:#444}"""


def _bar_slots(n: int) -> tuple[float, list[float]]:
    """Width of one bar slot and the centre of each of ``n`` slots across the plot."""
    bw = (CHART.right - CHART.left) / max(n, 1)
    return bw, [CHART.left + bw * (i + 0.5) for i in range(n)]


def load_chart(weeks: list[dict[str, Any]]) -> str:
    """Distance per week (bars, left scale; a week in progress pale) and hip load (line, right
    scale)."""
    c = CHART
    days = [date.fromisoformat(w["week_start"]) for w in weeks]
    km = [w["distance_m"] / 1000.0 for w in weeks]
    load = [w["hip_load"] for w in weeks]
    bw, xs = _bar_slots(len(weeks))
    top_km = max([*km, 1.0]) * 1.1
    top_load = max([*load, 1.0]) * 1.1
    partial = [bool(w.get("partial")) for w in weeks]
    bars = "".join(  # a week in progress is drawn pale: its distance is so far
        f'<rect x="{x - bw * 0.4:.1f}" y="{c.y(k, 0, top_km):.1f}" width="{bw * 0.8:.1f}" '
        f'height="{c.bottom - c.y(k, 0, top_km):.1f}" fill="{"#b9d0e4" if p else "#5b8db8"}">'
        f"<title>{d.isoformat()}: {k:.1f} km{' so far (week in progress)' if p else ''}</title></rect>"
        for d, k, x, p in zip(days, km, xs, partial, strict=True))
    pts = " ".join(f"{x:.1f},{c.y(v, 0, top_load):.1f}" for x, v in zip(xs, load, strict=True))
    line = f'<polyline points="{pts}" fill="none" stroke="#d35400" stroke-width="2"/>'
    return c.svg(y_axis(c, 0, top_km, " km") + bars + line
                 + y_axis(c, 0, top_load, " u", right=True) + date_labels(c, days, xs),
                 "weekly distance and hip load")


def progression_chart(weeks: list[dict[str, Any]]) -> str:
    """Progression of each week (:func:`hipstride.analysis.trends.progression_pct`: its distance
    against the mean of the two weeks before; bars, red beyond the limit). A week in progress
    shows only once it already exceeds the limit."""
    c = CHART
    days = [date.fromisoformat(w["week_start"]) for w in weeks]
    pct = [w["progression_pct"] for w in weeks]
    lo, hi = -100.0, 150.0
    bw, xs = _bar_slots(len(weeks))
    zero = c.y(0, lo, hi)
    bars = []
    for d, p, x in zip(days, pct, xs, strict=True):
        if p is None:
            continue
        y = c.y(max(lo, min(hi, p)), lo, hi)
        colour = "#c0392b" if p > PROGRESSION_LIMIT_PCT else "#7f8c8d"
        bars.append(f'<rect x="{x - bw * 0.4:.1f}" y="{min(y, zero):.1f}" '
                    f'width="{bw * 0.8:.1f}" height="{abs(zero - y):.1f}" fill="{colour}">'
                    f"<title>{d.isoformat()}: {p:+.0f} %</title></rect>")
    limit = c.y(PROGRESSION_LIMIT_PCT, lo, hi)
    ref = (f'<line x1="{c.left:g}" x2="{c.right:g}" y1="{limit:.1f}" y2="{limit:.1f}" '
           f'stroke="#c0392b" stroke-dasharray="5,4"/><text x="{c.right + 4:g}" '
           f'y="{limit + 4:.0f}">+{PROGRESSION_LIMIT_PCT:g} %</text>')
    return c.svg(y_axis(c, lo, hi, " %", ticks=6) + "".join(bars) + ref + date_labels(c, days, xs),
                 "progression of weekly distance")


def form_chart(runs: list[dict[str, Any]], metric: str) -> str:
    """Each run's median deviation from the baseline in ``metric`` (%); ``""`` with no data."""
    c = CHART
    pts = [(date.fromisoformat(r["start_time_utc"][:10]), r["deviation_pct"][metric],
            r["sustained_change"].get(metric)) for r in runs if metric in r["deviation_pct"]]
    if not pts:
        return ""
    first, last = pts[0][0].toordinal(), max(pts[-1][0].toordinal(), pts[0][0].toordinal() + 1)
    span = max(10.0, *(abs(p[1]) * 1.2 for p in pts))
    xs = [c.x(d.toordinal(), first, last, inset=6) for d, _, _ in pts]
    zero = c.y(0, -span, span)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{c.y(v, -span, span):.1f}" r="4" '
        f'fill="{"#c0392b" if s else "#2c3e50"}"><title>{d.isoformat()}: {v:+.1f} %'
        f'{" (sustained change)" if s else ""}</title></circle>'
        for (d, v, s), x in zip(pts, xs, strict=True))
    return c.svg(y_axis(c, -span, span, " %")
                 + f'<line x1="{c.left:g}" x2="{c.right:g}" y1="{zero:.1f}" y2="{zero:.1f}" '
                 f'stroke="#888"/>' + dots + date_labels(c, [p[0] for p in pts], xs),
                 f"{metric} against baseline")


def render_trends_html(doc: dict[str, Any]) -> str:
    """The page for a trends document."""
    weeks = doc["weeks"][-MAX_WEEKS_DRAWN:]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>hipstride: load over time</title><style>{_CSS}</style></head><body>",
             "<h1>Load over time</h1>"]
    if not weeks:
        parts.append("<p>No running in the library yet: import some runs first.</p>")
    else:
        cut = " (the most recent shown)" if len(doc["weeks"]) > MAX_WEEKS_DRAWN else ""
        parts += ["<h2>Weekly distance and hip load</h2>",
                  f"<p class='note'>Bars: distance per ISO week (km). Line: hip-load units "
                  f"(right scale){cut}.</p>", load_chart(weeks),
                  "<h2>Progression</h2><p class='note'>Each week's distance against the mean of the "
                  "two weeks before; "
                  f"red above +{PROGRESSION_LIMIT_PCT:g} %.</p>", progression_chart(weeks)]
    parts.append("<h2>Flags</h2>")
    if not doc["flags"]:
        parts.append("<p>Nothing flagged.</p>")
    for f in doc["flags"]:
        parts.append(f"<div class='flag'><b>{escape(f['week'])}</b> {escape(f['text'])}"
                     f"<div class='ev'>{escape(f['evidence'])}</div></div>")
    form = doc["form"]
    parts.append("<h2>Form against your own baseline</h2><p class='note'>Each dot is a run: the "
                 "median difference from your speed-matched baseline of the 90 days before it; "
                 f"red where the change was sustained. {escape(form['speed_note'])}</p>")
    drawn = False
    for metric in FORM_METRICS:
        label = FORM_LABELS[metric].label
        chart = form_chart(form["runs"], metric)
        if chart:
            drawn = True
            note = form["baselines"].get(metric, {}).get("device_note", "")
            parts += [f"<h3>{escape(label)}</h3>", chart, f"<p class='note'>{escape(note)}</p>"]
    if not drawn:
        parts.append("<p>Not enough running dynamics yet for a baseline (each pace band needs "
                     "10 minutes from 3 runs).</p>")
    parts += ["<h2>Notes</h2><ul>", *(f"<li>{escape(n)}</li>" for n in doc["notes"]), "</ul>",
              "</body></html>"]
    return "\n".join(parts)


def write_trends_html(doc: dict[str, Any], out: str | Path) -> None:
    """Write :func:`render_trends_html` to ``out`` (UTF-8, atomically)."""
    write_atomic(out, render_trends_html(doc))
