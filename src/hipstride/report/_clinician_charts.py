"""The charts of the clinician page that the trends page does not have: pain and morning
stiffness over the period, by site and side, drawn in the trends page's frame with the shared SVG
toolkit (:mod:`hipstride.report._svg`).

Date labels are thinned by :func:`hipstride.report._svg.date_labels` so that they never run
together, whatever the number of weeks (12 weeks: every second Monday).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from markupsafe import Markup

from hipstride.journal.entry import JournalEntry
from hipstride.journal.rules import PAIN_ACCEPTABLE_MAX, STIFFNESS_LONG_MIN
from hipstride.report._svg import date_labels, y_axis
from hipstride.report.trends_page import CHART

__all__ = ["PAIN_SERIES", "chart", "pain_groups", "stiffness_chart"]

#: Maximum pain charts drawn (the site and side groups with the most entries).
MAX_PAIN_CHARTS = 6
PAIN_SERIES = (("during", "pain_during", "#c0392b"), ("after", "pain_after", "#d35400"),
               ("morning", "pain_morning", "#2c5d8a"))


def chart(svg: str) -> Markup:
    """A chart with its text size set inside the SVG (PDF engines do not all apply the page's
    CSS to SVG text)."""
    head, sep, rest = svg.partition(">")
    if not sep or not rest.endswith("</svg>"):
        return Markup(svg)
    body = rest[: -len("</svg>")]
    return Markup(f'{head}><g font-size="13" font-family="sans-serif" fill="#333">'
                  f"{body}</g></svg>")


def _x_axis(first: date, last: date) -> tuple[Any, str]:
    lo_x, hi_x = first.toordinal(), max(last.toordinal(), first.toordinal() + 1)

    def x(day: date) -> float:
        return CHART.x(day.toordinal(), lo_x, hi_x, inset=6)

    ticks = [first + timedelta(days=7 * k) for k in range((last - first).days // 7 + 1)]
    return x, date_labels(CHART, ticks, [x(d) for d in ticks])


def _series(points: list[tuple[date, float]], x: Any, y: Any, colour: str, label: str,
            unit: str) -> str:
    parts = []
    if len(points) > 1:
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                     'stroke-width="2"/>')
    parts += [f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}">'
              f"<title>{d.isoformat()}: {label} {v:g}{unit}</title></circle>" for d, v in points]
    return "".join(parts)


def _limit_line(y_px: float, text: str) -> str:
    c = CHART
    return (f'<line x1="{c.left:g}" x2="{c.right:g}" y1="{y_px:.1f}" y2="{y_px:.1f}" '
            f'stroke="#c0392b" stroke-dasharray="5,4"/>'
            f'<text x="{c.right + 4:g}" y="{y_px + 4:.0f}">{text}</text>')


def pain_chart(entries: list[JournalEntry], first: date, last: date, title: str) -> Markup:
    """Pain during / after / morning (0–10) over the period, one line each, as inline SVG."""
    c = CHART
    x, labels = _x_axis(first, last)

    def y(pain: float) -> float:
        return c.y(pain, 0, 10)

    parts = [f'<line x1="{c.left:g}" x2="{c.right:g}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
             f'stroke="#eee"/><text x="{c.left - 4:g}" y="{y(v) + 4:.0f}" '
             f'text-anchor="end">{v}</text>' for v in range(0, 11, 2)]
    parts.append(_limit_line(y(PAIN_ACCEPTABLE_MAX), f"{PAIN_ACCEPTABLE_MAX}/10"))
    parts.append(labels)
    for label, attr, colour in PAIN_SERIES:
        points = [(e.date, float(v)) for e in entries if (v := getattr(e, attr)) is not None]
        parts.append(_series(points, x, y, colour, label, "/10"))
    return chart(c.svg("".join(parts), f"pain over time: {title}"))


def stiffness_chart(entries: list[JournalEntry], first: date, last: date) -> Markup | None:
    """Morning stiffness (minutes) over the period, with the long-stiffness line; ``None`` when
    none was logged."""
    points = sorted((e.date, float(e.morning_stiffness_min)) for e in entries
                    if e.morning_stiffness_min is not None and first <= e.date <= last)
    if not points:
        return None
    c = CHART
    x, labels = _x_axis(first, last)
    top = max(60.0, *(v * 1.1 for _, v in points))

    def y(minutes: float) -> float:
        return c.y(minutes, 0, top)

    body = (y_axis(c, 0, top, " min") + _limit_line(y(STIFFNESS_LONG_MIN),
                                                    f"{STIFFNESS_LONG_MIN:g} min")
            + labels + _series(points, x, y, "#6c3483", "stiffness", " min"))
    return chart(c.svg(body, "morning stiffness over time"))


def _group_label(site: str, side: str | None) -> str:
    where = site.replace("-", " ")
    return f"{side} {where}" if side in ("left", "right") else (
        f"{where}, both sides" if side == "both" else f"{where}, side not given")


def pain_groups(entries: list[JournalEntry], first: date,
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
               "svg": pain_chart(group, first, last, _group_label(site, side))}
              for (site, side), group in ordered[:MAX_PAIN_CHARTS]]
    return rows, charts
