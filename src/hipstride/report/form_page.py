"""``hipstride form --html``: one self-contained HTML page of a form check (inline SVG and JPEG,
no scripts, nothing fetched), drawn from the check's JSON document.

Key frames show the clip's own picture with the landmarks drawn when the check came from a video
(pictures made by :func:`hipstride.video.keyframes.key_frame_jpegs`), else the skeleton alone as
SVG. The charts are trunk lean (or sideways sway) and foot height over the clip, with a line at
each landing.
"""

from __future__ import annotations

import base64
import math
from html import escape
from pathlib import Path
from typing import Any

from hipstride._files import write_atomic
from hipstride.report._svg import ChartFrame, y_axis
from hipstride.report.form_terminal import STATUS_WORDS
from hipstride.video.keyframes import BONES
from hipstride.video.landmarks import index_of

__all__ = ["render_form_html", "write_form_html"]

CHART = ChartFrame(height=200.0)
_CSS = """body{font:15px/1.45 system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}svg,img{display:block;margin:.5em 0}
table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}
.fail{color:#c0392b;font-weight:bold}.warn{color:#a66b00}.note{color:#555;font-size:.9em}
.frames{display:flex;gap:1em;flex-wrap:wrap}text{font:11px system-ui,sans-serif;fill:#444}"""
_COLOURS = ("#2e86c1", "#d35400")


def _segments(xs: list[float], ys: list[float | None]) -> list[list[tuple[float, float]]]:
    out: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if y is None or not math.isfinite(y):
            if out[-1]:
                out.append([])
        else:
            out[-1].append((x, y))
    return [s for s in out if len(s) > 1]


def _chart(frames: list[int], lines: list[list[float | None]], landings: list[int], unit: str,
           title: str) -> str:
    values = [v for line in lines for v in line if v is not None]
    if not values or len(frames) < 2:
        return ""
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * 0.1, 0.5 if unit == "°" else 0.02)
    lo, hi = lo - pad, hi + pad
    c = CHART
    x0, x1 = frames[0], frames[-1]
    xs = [c.x(f, x0, x1) for f in frames]
    body = [y_axis(c, lo, hi, unit)] if unit == "°" else []
    body += [f'<line x1="{c.x(f, x0, x1):.1f}" x2="{c.x(f, x0, x1):.1f}" y1="{c.top:g}" '
             f'y2="{c.bottom:g}" stroke="#bbb" stroke-dasharray="3 3"/>' for f in landings]
    for colour, line in zip(_COLOURS, lines, strict=False):
        for seg in _segments(xs, line):
            pts = " ".join(f"{x:.1f},{c.y(y, lo, hi):.1f}" for x, y in seg)
            body.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
    body.append(f'<text x="{c.left:g}" y="{c.height - 6:g}">frame {x0}</text>'
                f'<text x="{c.right:g}" y="{c.height - 6:g}" text-anchor="end">frame {x1}</text>')
    return c.svg("".join(body), title)


def _skeleton_svg(points: list[list[float | None]], width: float = 320.0) -> str:
    seen = [p for p in points if p[0] is not None and p[1] is not None]
    if not seen:
        return ""
    xs = [float(p[0]) for p in seen if p[0] is not None]
    ys = [float(p[1]) for p in seen if p[1] is not None]
    x0, y0 = min(xs) - 20, min(ys) - 20
    span = max(max(xs) - x0 + 20, max(ys) - y0 + 20)
    k = width / span

    def at(name: str) -> tuple[float, float] | None:
        p = points[index_of(name)]
        return None if p[0] is None or p[1] is None else ((p[0] - x0) * k, (p[1] - y0) * k)

    parts = []
    for a, b in BONES:
        pa, pb = at(a), at(b)
        if pa and pb:
            colour = _COLOURS[0] if a.startswith("left") else _COLOURS[1]
            parts.append(f'<line x1="{pa[0]:.1f}" y1="{pa[1]:.1f}" x2="{pb[0]:.1f}" '
                         f'y2="{pb[1]:.1f}" stroke="{colour}" stroke-width="3"/>')
    return (f'<svg viewBox="0 0 {width:g} {width:g}" width="{width:g}" height="{width:g}" '
            f'role="img" aria-label="skeleton">{"".join(parts)}</svg>')


def _key_frames(doc: dict[str, Any], pictures: dict[int, bytes]) -> list[str]:
    out = ["<div class='frames'>"]
    for key in doc.get("key_frames", []):
        jpeg = pictures.get(int(key["frame"]))
        if jpeg:
            art = (f"<img alt='frame {key['frame']}' src='data:image/jpeg;base64,"
                   f"{base64.b64encode(jpeg).decode('ascii')}'>")
        else:
            art = _skeleton_svg(key["points"])
        out.append(f"<figure>{art}<figcaption>{escape(key['label'])}, frame {key['frame']}"
                   "</figcaption></figure>")
    out.append("</div>")
    return out


def render_form_html(doc: dict[str, Any], pictures: dict[int, bytes] | None = None) -> str:
    """The page for one check document; ``pictures`` maps frame numbers to JPEG bytes."""
    pictures = pictures or {}
    title = f"Form check: {doc['source']}"
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
             f"{escape(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{escape(title)}</h1><p>{escape(doc['view'])} view, {doc['usable_frames']} of "
             f"{doc['frames']} frames usable. Education about running form, not a diagnosis.</p>",
             "<h2>Capture quality</h2><ul>"]
    parts += [f"<li class='{escape(c['status'])}'>{escape(STATUS_WORDS.get(c['status'], ''))} "
              f"{escape(c['name'])}: {escape(c['message'])}</li>" for c in doc["quality"]["checks"]]
    parts.append("</ul>")
    if not doc["quality"]["passed"]:
        parts.append("<p class='fail'>The clip does not pass the quality gate: the numbers are "
                     "provisional and no advice is drawn from them.</p>")
    parts.append("<h2>Key frames</h2>")
    parts += _key_frames(doc, pictures)
    series = doc.get("series", {})
    frames = series.get("frame", [])
    landings = [c["frame"] for c in doc["contacts"] if c.get("landing_seen", c.get("complete"))]
    if "trunk_lean_deg" in series:
        parts += ["<h2>Trunk lean over the clip</h2><p class='note'>Degrees forward of vertical; "
                  "dashed lines: landings.</p>",
                  _chart(frames, [series["trunk_lean_deg"]], landings, "°", "trunk lean"),
                  "<h2>Foot height</h2><p class='note'>Each foot above its own ground level, in "
                  "leg lengths (blue and orange: the two legs as followed).</p>",
                  _chart(frames, series["foot_height_legs"], landings, "", "foot height")]
    if "trunk_sway_deg" in series:
        parts += ["<h2>Sideways trunk angle</h2><p class='note'>Degrees from vertical; dashed "
                  "lines: landings.</p>",
                  _chart(frames, [series["trunk_sway_deg"]], landings, "°", "trunk sway")]
    parts.append("<h2>Metrics</h2><table><tr><th>metric</th><th>median</th><th>noise floor</th>"
                 "<th>confidence</th><th>steps</th><th>note</th></tr>")
    for key, m in doc["metrics"].items():
        median = "—" if m["median"] is None else f"{m['median']:.3g} {m['unit']}"
        steps = sum(v is not None for v in m["per_step"])
        parts.append(f"<tr><td>{escape(key)}</td><td>{escape(median)}</td>"
                     f"<td>{m['noise_floor'] if m['noise_floor'] is not None else '—'}</td>"
                     f"<td>{m['confidence']:.2f}</td><td>{steps}</td>"
                     f"<td class='note'>{escape(m['note'])}</td></tr>")
    parts.append("</table>")
    strike = doc.get("foot_strike")
    if strike and strike.get("pattern"):
        parts.append(f"<p>Foot strike: {escape(strike['pattern'])} ({strike['share']:.0%} of "
                     f"steps, confidence {strike['confidence']:.2f}).</p>")
    if doc.get("advice"):
        parts.append("<h2>What this may mean</h2><ul>")
        parts += [f"<li>{escape(a['text'])} <span class='note'>({escape(a['source'])}"
                  + (f"; because {escape(a['because'])}" if a.get("because") else "")
                  + ")</span></li>" for a in doc["advice"]]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


def write_form_html(doc: dict[str, Any], out: str | Path,
                    pictures: dict[int, bytes] | None = None) -> None:
    """Write :func:`render_form_html` to ``out`` (UTF-8, atomically)."""
    write_atomic(out, render_form_html(doc, pictures))
