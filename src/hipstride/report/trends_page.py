"""``hipstride trends --html``: one self-contained HTML page (inline SVG, no scripts, works offline)
drawn from the trends document of :func:`hipstride.library.api.trends_document`."""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["form_chart", "linear_scale", "load_chart", "progression_chart", "render_trends_html", "svg_chart",
           "write_trends_html"]

#: At most this many weeks are drawn (the most recent ones); the JSON keeps them all.
MAX_WEEKS_DRAWN = 156
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 860, 220, 56, 56, 16, 28
_METRIC_LABELS = {"cadence_spm": "Step rate", "step_length_m": "Step length",
                  "stance_time_ms": "Stance time", "vertical_oscillation_mm": "Vertical oscillation",
                  "stance_time_balance_left_pct": "Stance-time balance (left)"}
_CSS = """body{font:15px/1.45 system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}svg{display:block;margin:.5em 0}
.flag{border-left:4px solid #c0392b;padding:.3em .8em;margin:.6em 0;background:#fdf2f0}
.ev,.note{color:#555;font-size:.9em}text{font:11px system-ui,sans-serif;fill:#444}"""


def linear_scale(v: float, lo: float, hi: float, a: float, b: float) -> float:
    return a if hi == lo else a + (v - lo) / (hi - lo) * (b - a)


def _axis_y(lo: float, hi: float, x: float, unit: str, *, right: bool = False) -> str:
    out = []
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        y = linear_scale(v, lo, hi, H - PAD_B, PAD_T)
        anchor = "start" if right else "end"
        tx = x + 4 if right else x - 4
        out.append(f'<text x="{tx:.0f}" y="{y + 4:.0f}" text-anchor="{anchor}">{v:.0f}{unit}</text>')
        if not right:
            out.append(f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" '
                       'stroke="#eee"/>')
    return "".join(out)


def _x_labels(days: list[date], xs: list[float]) -> str:
    step = max(1, len(days) // 8)
    return "".join(f'<text x="{x:.0f}" y="{H - 8}" text-anchor="middle">{d.isoformat()}</text>'
                   for d, x in list(zip(days, xs, strict=True))[::step])


def svg_chart(body: str, title: str) -> str:
    return (f'<svg viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
            f'aria-label="{escape(title)}">{body}</svg>')


def load_chart(weeks: list[dict[str, Any]]) -> str:
    days = [date.fromisoformat(w["week_start"]) for w in weeks]
    km = [w["distance_m"] / 1000.0 for w in weeks]
    load = [w["hip_load"] for w in weeks]
    n = len(weeks)
    bw = (W - PAD_L - PAD_R) / max(n, 1)
    top_km = max([*km, 1.0]) * 1.1
    top_load = max([*load, 1.0]) * 1.1
    xs = [PAD_L + bw * (i + 0.5) for i in range(n)]
    bars = "".join(
        f'<rect x="{PAD_L + bw * i + bw * 0.1:.1f}" y="{linear_scale(k, 0, top_km, H - PAD_B, PAD_T):.1f}" '
        f'width="{bw * 0.8:.1f}" height="{(H - PAD_B) - linear_scale(k, 0, top_km, H - PAD_B, PAD_T):.1f}" '
        f'fill="#5b8db8"><title>{d.isoformat()}: {k:.1f} km</title></rect>'
        for i, (d, k) in enumerate(zip(days, km, strict=True)))
    pts = " ".join(f"{x:.1f},{linear_scale(v, 0, top_load, H - PAD_B, PAD_T):.1f}"
                   for x, v in zip(xs, load, strict=True))
    line = f'<polyline points="{pts}" fill="none" stroke="#d35400" stroke-width="2"/>'
    return svg_chart(_axis_y(0, top_km, PAD_L, " km") + bars + line
                + _axis_y(0, top_load, W - PAD_R, " u", right=True) + _x_labels(days, xs),
                "weekly distance and hip load")


def progression_chart(weeks: list[dict[str, Any]]) -> str:
    days = [date.fromisoformat(w["week_start"]) for w in weeks]
    pct = [w["week_over_week_pct"] for w in weeks]
    lo, hi = -100.0, 150.0
    n = len(weeks)
    bw = (W - PAD_L - PAD_R) / max(n, 1)
    xs = [PAD_L + bw * (i + 0.5) for i in range(n)]
    zero = linear_scale(0, lo, hi, H - PAD_B, PAD_T)
    bars = []
    for i, (d, p) in enumerate(zip(days, pct, strict=True)):
        if p is None:
            continue
        y = linear_scale(max(lo, min(hi, p)), lo, hi, H - PAD_B, PAD_T)
        colour = "#c0392b" if p > 30 else "#7f8c8d"
        bars.append(f'<rect x="{PAD_L + bw * i + bw * 0.1:.1f}" y="{min(y, zero):.1f}" '
                    f'width="{bw * 0.8:.1f}" height="{abs(zero - y):.1f}" fill="{colour}">'
                    f"<title>{d.isoformat()}: {p:+.0f} %</title></rect>")
    limit = linear_scale(30, lo, hi, H - PAD_B, PAD_T)
    ref = (f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{limit:.1f}" y2="{limit:.1f}" stroke="#c0392b" '
           f'stroke-dasharray="5,4"/><text x="{W - PAD_R + 4}" y="{limit + 4:.0f}">+30 %</text>')
    return svg_chart(_axis_y(lo, hi, PAD_L, " %") + "".join(bars) + ref + _x_labels(days, xs),
                "week-over-week change in distance")


def form_chart(runs: list[dict[str, Any]], metric: str) -> str:
    pts = [(date.fromisoformat(r["start_time_utc"][:10]), r["deviation_pct"][metric],
            r["sustained_change"].get(metric)) for r in runs if metric in r["deviation_pct"]]
    if not pts:
        return ""
    first, last = pts[0][0].toordinal(), max(pts[-1][0].toordinal(), pts[0][0].toordinal() + 1)
    span = max(10.0, *(abs(p[1]) * 1.2 for p in pts))
    zero = linear_scale(0, -span, span, H - PAD_B, PAD_T)
    dots = "".join(
        f'<circle cx="{linear_scale(d.toordinal(), first, last, PAD_L + 6, W - PAD_R - 6):.1f}" '
        f'cy="{linear_scale(v, -span, span, H - PAD_B, PAD_T):.1f}" r="4" '
        f'fill="{"#c0392b" if s else "#2c3e50"}"><title>{d.isoformat()}: {v:+.1f} %'
        f'{" (sustained change)" if s else ""}</title></circle>' for d, v, s in pts)
    xs = [linear_scale(d.toordinal(), first, last, PAD_L + 6, W - PAD_R - 6) for d, _, _ in pts]
    return svg_chart(_axis_y(-span, span, PAD_L, " %")
                + f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#888"/>'
                + dots + _x_labels([p[0] for p in pts], xs), f"{metric} against baseline")


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
                  "<h2>Progression</h2><p class='note'>Change in distance from the week before; "
                  "red above +30 %.</p>", progression_chart(weeks)]
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
    for metric, label in _METRIC_LABELS.items():
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
    """Write :func:`render_trends_html` to ``out`` (UTF-8)."""
    Path(out).write_text(render_trends_html(doc), encoding="utf-8")
