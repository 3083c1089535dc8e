"""Charts along one run: elevation, grade and hip load against distance, and the factor bar.

The profile stacks up to three panels over one distance axis: elevation (drawn smoothed the way
the grade is measured), grade (steep parts in colour) and the hip-load multiplier (a line over a
strip in the map's colour scale). Panels without data are left out; the hip-load panel is always
drawn. A row of turn markers sits on top, sharp turns with a faint guide line down through the
panels. Each panel is one function returning its markup and its height, so the profile is just
their sum.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup, escape

from hipstride.activity import FloatArray
from hipstride.report._svg import (
    PAGE_WIDTH_PX,
    coord,
    nice_grid,
    nice_step,
    polyline_points,
    thin_indices,
)
from hipstride.report.run_map import LOAD_COLOURS, LOAD_RANGE, TURN_COLOURS, load_bins, turn_title
from hipstride.track.course import ELEVATION_SIGMA_M
from hipstride.track.smoothing import gaussian_smooth
from hipstride.track.turns import Turn

__all__ = ["factor_bar_svg", "profile_svg"]

#: Most samples drawn along the profile.
MAX_PROFILE_POINTS = 800
#: Room between panels for a panel's title, pixels.
PANEL_GAP_PX = 26.0
#: Height of the turn row above the first panel, pixels.
TURN_ROW_PX = 42.0
#: Beyond this many turns the turn row shows plain ticks; beyond this many sharp ones, no guides.
MAX_TURN_MARKERS = 60
MAX_TURN_GUIDES = 30


@dataclass(frozen=True)
class _Axis:
    """The shared distance axis: kilometres of the thinned samples and their x pixels."""

    km: FloatArray
    total_km: float
    left: float
    right: float

    def x(self, km: FloatArray | float) -> FloatArray:
        return np.asarray(self.left + (np.asarray(km) / self.total_km) * (self.right - self.left),
                          dtype=np.float64)


Panel = tuple[list[str], float]  # markup, height (pixels)


def _title(axis: _Axis, top: float, text: str) -> str:
    return f'<text x="{coord(axis.left)}" y="{coord(top - 4)}" class="panel">{text}</text>'


def _elevation_panel(axis: _Axis, top: float, elev: FloatArray) -> Panel | None:
    if np.isfinite(elev).sum() < 2:
        return None
    lo, hi = float(np.nanmin(elev)), float(np.nanmax(elev))
    pad = max((hi - lo) * 0.15, 2.0)
    lo, hi = lo - pad, hi + pad
    h = 120.0
    body = nice_grid(top, h, lo, hi, axis.left, axis.right, " m")
    ey = top + h * (1 - (elev - lo) / (hi - lo))
    ok = np.isfinite(ey)
    xs = axis.x(axis.km[ok])
    line = polyline_points(xs, ey[ok])
    body.append(f'<polygon points="{coord(xs[0])},{coord(top + h)} {line} '
                f'{coord(xs[-1])},{coord(top + h)}" fill="#dfe7df"/>'
                f'<polyline points="{line}" fill="none" stroke="#4d6b53" stroke-width="1.6"/>')
    body.append(_title(axis, top, "elevation"))
    return body, h


def _grade_panel(axis: _Axis, top: float, grade: FloatArray, steep_pct: float) -> Panel | None:
    if np.isfinite(grade).sum() < 2:
        return None
    g = np.nan_to_num(grade)
    lim = float(np.clip(np.nanmax(np.abs(grade)) * 1.15, steep_pct * 2, 40.0))
    h = 84.0
    body = nice_grid(top, h, -lim, lim, axis.left, axis.right, " %", zero_line=True)
    zero = top + h / 2
    gy = zero - g / lim * h / 2
    xs = axis.x(axis.km)
    body.append(f'<polygon points="{coord(xs[0])},{coord(zero)} {polyline_points(xs, gy)} '
                f'{coord(xs[-1])},{coord(zero)}" fill="#c9d3e0"/>')
    for sign, colour in ((1, "#e8590c"), (-1, "#c92a2a")):
        steep = sign * g > steep_pct
        runs = np.flatnonzero(np.diff(np.concatenate(([0], steep.astype(int), [0]))))
        for a, b in zip(runs[::2], runs[1::2], strict=True):
            pts = polyline_points(xs[a:b], gy[a:b])
            body.append(f'<polygon points="{coord(xs[a])},{coord(zero)} {pts} '
                        f'{coord(xs[b - 1])},{coord(zero)}" fill="{colour}"/>')
    body.append(_title(axis, top, f"grade (steeper than ±{steep_pct:g} % in colour)"))
    return body, h


def _load_panel(axis: _Axis, top: float, m: FloatArray) -> Panel:
    hi = max(LOAD_RANGE[1], float(np.nanmax(m)) if np.isfinite(m).any() else 1.0)
    hi = float(np.ceil(hi * 10) / 10)
    h = 84.0
    body = nice_grid(top, h - 14, 1.0, hi, axis.left, axis.right, "×")
    bins = load_bins(m)
    xs = axis.x(axis.km)
    runs = np.flatnonzero(np.diff(np.concatenate(([-1], bins, [-1])))) if bins.size else np.zeros(0, int)
    for a, b in itertools.pairwise(runs):
        x0, x1 = xs[a], xs[min(b, xs.shape[0] - 1)]
        body.append(f'<rect x="{coord(x0)}" y="{coord(top + h - 10)}" width="{coord(max(x1 - x0, 0.6))}" '
                    f'height="10" fill="{LOAD_COLOURS[int(bins[a])]}"/>')
    my = top + (h - 14) * (1 - (np.clip(np.nan_to_num(m, nan=1.0), 1.0, hi) - 1.0) / (hi - 1.0))
    body.append(f'<polyline points="{polyline_points(xs, my)}" fill="none" stroke="#8c0c25" '
                f'stroke-width="1.3"/>')
    body.append(_title(axis, top, "hip-load multiplier (1× = flat, straight, neutral ground)"))
    return body, h


def _distance_axis(axis: _Axis, bottom: float) -> list[str]:
    """Kilometre ticks with vertical grid lines, and the axis label."""
    out: list[str] = []
    step = nice_step(axis.total_km, 8)
    k = 0.0
    while k <= axis.total_km + 1e-9:
        x = float(axis.x(k))
        out.append(f'<line x1="{coord(x)}" x2="{coord(x)}" y1="26" y2="{coord(bottom)}" stroke="#eef0f2"/>'
                   f'<text x="{coord(x)}" y="{coord(bottom + 15)}" text-anchor="middle">{k:g}</text>')
        k += step
    out.append(f'<text x="{coord(axis.right)}" y="{coord(bottom + 30)}" text-anchor="end">'
               f"distance (km)</text>")
    return out


def _turn_row(axis: _Axis, turns: Sequence[Turn], bottom: float) -> list[str]:
    """Turn markers along the top; on long runs with many turns, plain ticks keep the row readable."""
    marks: list[str] = []
    ticks_only = len(turns) > MAX_TURN_MARKERS
    guides = sum(t.sharp for t in turns) <= MAX_TURN_GUIDES
    for t in sorted(turns, key=lambda t: t.sharp):  # sharp ones drawn last, on top
        x = coord(float(axis.x(t.distance_m / 1000.0)))
        colour = TURN_COLOURS.get(t.side, "#444")
        head = f'<g class="turn{" sharp" if t.sharp else ""}"><title>{escape(turn_title(t))}</title>'
        guide = (f'<line x1="{x}" x2="{x}" y1="20" y2="{coord(bottom)}" stroke="{colour}" '
                 f'stroke-opacity="0.25"/>') if t.sharp and guides else ""
        if ticks_only:
            marks.append(f'{head}{guide}<line x1="{x}" x2="{x}" y1="{4 if t.sharp else 10}" y2="20" '
                         f'stroke="{colour}" stroke-width="{1.6 if t.sharp else 1}"/></g>')
        elif t.sharp:
            marks.append(f'{head}{guide}<circle cx="{x}" cy="12" r="6.5" fill="{colour}"/>'
                         f'<text x="{x}" y="15.5" text-anchor="middle" fill="#fff" font-size="8.5" '
                         f'font-weight="bold">{t.side[0].upper()}</text></g>')
        else:
            marks.append(f'{head}<circle cx="{x}" cy="12" r="3.5" fill="#fff" stroke="{colour}" '
                         f'stroke-width="1.6"/></g>')
    return marks


def profile_svg(distance_m: FloatArray, elevation_m: FloatArray, grade_pct: FloatArray,
                multiplier: FloatArray, turns: Sequence[Turn], *,
                steep_pct: float = 3.0, step_m: float = 5.0) -> Markup:
    """Elevation, grade and hip load against distance, with the turns marked.

    ``steep_pct`` is the grade beyond which climbs and descents are shaded as steep; ``step_m`` the
    spacing of the samples (metres).
    """
    idx = thin_indices(distance_m.shape[0], MAX_PROFILE_POINTS)
    total_km = max(float(distance_m[-1]) / 1000.0, 0.01) if distance_m.size else 0.01
    axis = _Axis(distance_m[idx] / 1000.0, total_km, 52.0, PAGE_WIDTH_PX - 14.0)
    # elevation is drawn smoothed as the grade is measured (barometers step in 0.1–0.2 m)
    elev = gaussian_smooth(elevation_m, ELEVATION_SIGMA_M / step_m)[idx]
    panels: list[Callable[[float], Panel | None]] = [
        lambda top: _elevation_panel(axis, top, elev),
        lambda top: _grade_panel(axis, top, grade_pct[idx], steep_pct),
        lambda top: _load_panel(axis, top, multiplier[idx]),
    ]
    body: list[str] = []
    top = TURN_ROW_PX
    for draw in panels:
        panel = draw(top)
        if panel is not None:
            body += panel[0]
            top += panel[1] + PANEL_GAP_PX
    bottom = top - PANEL_GAP_PX
    height = bottom + 38.0
    return Markup(f'<svg class="profile" viewBox="0 0 {coord(PAGE_WIDTH_PX)} {coord(height)}" '
                  f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="profile along the run" '
                  f'font-family="inherit" font-size="10.5" fill="#333">'
                  + "".join(_distance_axis(axis, bottom)) + "".join(body)
                  + "".join(_turn_row(axis, turns, bottom)) + "</svg>")


def factor_bar_svg(factors: dict[str, float], colours: dict[str, str]) -> Markup:
    """One stacked bar of what each factor added to the hip-load index (positive parts only)."""
    positive = {k: v for k, v in factors.items() if v > 0}
    total = sum(positive.values())
    width, height = coord(PAGE_WIDTH_PX), coord(34.0)
    role = "" if total <= 0 else 'role="img" aria-label="hip-load factors" '
    head = (f'<svg class="factors" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
            f'{role}font-family="inherit">')
    if total <= 0:
        return Markup(f'{head}<rect width="{width}" height="22" fill="#e9ecef" rx="4"/>'
                      f'<text x="8" y="15" font-size="11.5" fill="#555">no factor added load</text></svg>')
    x = 0.0
    parts = []
    for name, value in positive.items():
        w = value / total * PAGE_WIDTH_PX
        label = escape(f"{name} +{value:.3f}")
        parts.append(f'<rect x="{coord(x)}" y="0" width="{coord(w)}" height="22" fill="{colours[name]}">'
                     f"<title>{label}</title></rect>")
        if w > 70:
            parts.append(f'<text x="{coord(x + 6)}" y="15" fill="#fff" font-size="11.5">{label}</text>')
        x += w
    return Markup(head + "".join(parts) + "</svg>")
