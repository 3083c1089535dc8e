"""Inline SVG drawings for the HTML report: the track map, the distance profile and the factor bar.

Everything is drawn from arrays into SVG text, with no network resource and no font files. Any text
placed in a drawing is escaped here; the report template inserts the drawings as trusted markup.
Map coordinates are a local east/north projection in metres (north up); drawings are scaled into a
``viewBox`` so they resize with the page.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup, escape
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.track.course import ELEVATION_SIGMA_M
from hipstride.track.geodesy import local_xy_m
from hipstride.track.smoothing import gaussian_smooth
from hipstride.track.turns import Turn

__all__ = [
    "LOAD_COLOURS",
    "LOAD_RANGE",
    "SURFACE_COLOURS",
    "Basemap",
    "MapFrame",
    "load_bins",
    "load_colour",
    "map_svg",
    "nice_step",
]

#: Multiplier range of the sequential hip-load colour scale (values beyond are clamped).
LOAD_RANGE = (1.0, 1.4)
#: The hip-load colour scale, light (no extra load) to dark (40 % more load or beyond).
LOAD_COLOURS = ("#ffe08a", "#fec35a", "#fd9a44", "#f46d37", "#e0412c", "#bd1f2a", "#8c0c25", "#5c0020")
#: Colours of the surface classes (codes 0 unknown, 1 soft, 2 hard).
SURFACE_COLOURS = ("#c8ccd2", "#2f9e44", "#3b4a6b")
TURN_COLOURS = {"left": "#1c64d8", "right": "#7b2cbf"}
#: Most points drawn per polyline set (course samples are thinned beyond this).
MAX_POINTS = 3000
MAP_WIDTH = 760.0


@dataclass(frozen=True)
class Basemap:
    """Lines drawn in light grey under the track (streets), as (lat_deg, lon_deg) arrays.

    ``attribution`` is printed on the map (for OpenStreetMap data: "© OpenStreetMap contributors").
    """

    lines: Sequence[tuple[FloatArray, FloatArray]]
    attribution: str = "© OpenStreetMap contributors"


def load_bins(multiplier: FloatArray) -> NDArray[np.int64]:
    """Index into :data:`LOAD_COLOURS` of each multiplier (NaN counts as no extra load)."""
    lo, hi = LOAD_RANGE
    frac = (np.nan_to_num(multiplier, nan=lo) - lo) / (hi - lo)
    return np.clip((frac * len(LOAD_COLOURS)).astype(np.int64), 0, len(LOAD_COLOURS) - 1)


def load_colour(multiplier: float | None) -> str:
    """Colour of one multiplier (or index) on the hip-load scale; grey when ``None``."""
    if multiplier is None:
        return "#d0d0d0"
    return LOAD_COLOURS[int(load_bins(np.array([multiplier]))[0])]


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A round step (1, 2 or 5 × 10ⁿ) giving about ``target_ticks`` intervals over ``span``."""
    if span <= 0 or not np.isfinite(span):
        return 1.0
    raw = span / target_ticks
    mag = 10.0 ** np.floor(np.log10(raw))
    for m in (1.0, 2.0, 5.0, 10.0):
        if raw <= m * mag:
            return float(m * mag)
    return float(10.0 * mag)


def _f(v: float) -> str:
    return f"{v:.1f}"


@dataclass(frozen=True)
class MapFrame:
    """Projection of lat/lon onto the map's pixels (north up), fitted to a course."""

    lat0_deg: float
    lon0_deg: float
    x_min_m: float
    y_max_m: float
    px_per_m: float
    pad_px: float
    width_px: float
    height_px: float

    @classmethod
    def fit(cls, lat_deg: FloatArray, lon_deg: FloatArray, *, width_px: float = MAP_WIDTH,
            pad_px: float = 28.0) -> MapFrame:
        """Frame the finite positions, keeping the aspect ratio (height 320–760 px)."""
        ok = np.isfinite(lat_deg) & np.isfinite(lon_deg)
        lat0, lon0 = float(np.mean(lat_deg[ok])), float(np.mean(lon_deg[ok]))
        x, y = local_xy_m(lat_deg[ok], lon_deg[ok], lat0, lon0)
        span_x = max(float(np.ptp(x)), 100.0)
        span_y = max(float(np.ptp(y)), 100.0)
        cx, cy = (float(x.max()) + float(x.min())) / 2, (float(y.max()) + float(y.min())) / 2
        inner_w = width_px - 2 * pad_px
        height_px = float(np.clip(inner_w * span_y / span_x + 2 * pad_px, 320.0, 760.0))
        inner_h = height_px - 2 * pad_px
        scale = min(inner_w / span_x, inner_h / span_y)
        return cls(lat0, lon0, cx - width_px / 2 / scale, cy + height_px / 2 / scale, scale, pad_px,
                   width_px, height_px)

    def project(self, lat_deg: FloatArray, lon_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Pixels (x right, y down) of positions."""
        x, y = local_xy_m(lat_deg, lon_deg, self.lat0_deg, self.lon0_deg)
        return (x - self.x_min_m) * self.px_per_m, (self.y_max_m - y) * self.px_per_m


def _thin_indices(n: int, max_points: int = MAX_POINTS) -> NDArray[np.int64]:
    step = max(1, int(np.ceil(n / max_points)))
    idx = np.arange(0, n, step, dtype=np.int64)
    if idx[-1] != n - 1:
        idx = np.append(idx, n - 1)
    return idx


def _path_d(x: FloatArray, y: FloatArray, *, decimals: int = 1, min_step_px: float = 0.0) -> str:
    """Compact SVG path data of one line: an absolute move, then relative steps.

    Coordinates are rounded to ``decimals`` and steps are taken between rounded points, so the
    line does not drift; points closer than ``min_step_px`` to the last kept one are skipped
    (the last point is always kept).
    """
    scale = 10**decimals
    xi = np.round(np.asarray(x) * scale).astype(np.int64).tolist()
    yi = np.round(np.asarray(y) * scale).astype(np.int64).tolist()
    min_step = min_step_px * scale

    def num(v: int) -> str:
        text = f"{v / scale:.{decimals}f}" if decimals else str(v)
        return text.rstrip("0").rstrip(".") if decimals else text

    out = [f"M{num(xi[0])} {num(yi[0])}"]
    lx, ly = xi[0], yi[0]
    last = len(xi) - 1
    for k in range(1, len(xi)):
        dx, dy = xi[k] - lx, yi[k] - ly
        if (dx == 0 and dy == 0) or (k < last and abs(dx) + abs(dy) < min_step):
            continue
        out.append(f"l{num(dx)} {num(dy)}".replace(" -", "-"))
        lx, ly = xi[k], yi[k]
    return "".join(out)


def _coloured_track(px: FloatArray, py: FloatArray, classes: NDArray[np.int64],
                    colours: Sequence[str], *, width: float) -> list[str]:
    """Paths of a track, one per colour; a NaN position breaks the line.

    ``classes`` has one value per segment (between point i and i+1); consecutive segments of one
    class form one sub-path.
    """
    pieces: dict[int, list[str]] = {}
    ok = np.isfinite(px) & np.isfinite(py)
    seg_ok = ok[:-1] & ok[1:]
    i, n = 0, px.shape[0] - 1
    while i < n:
        if not seg_ok[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and seg_ok[j + 1] and classes[j + 1] == classes[i]:
            j += 1
        pieces.setdefault(int(classes[i]), []).append(_path_d(px[i:j + 2], py[i:j + 2]))
        i = j + 1
    return [f'<path d="{"".join(d)}" stroke="{colours[c]}" stroke-width="{width}"/>'
            for c, d in sorted(pieces.items())]


def _basemap_path(basemap: Basemap, frame: MapFrame) -> str:
    """One path of all basemap lines near the frame, in whole pixels (a few tens of kB for a city)."""
    parts: list[str] = []
    margin = 20.0
    for lat, lon in basemap.lines:
        x, y = frame.project(lat, lon)
        if x.shape[0] < 2 or not np.isfinite(x).all() or not np.isfinite(y).all():
            continue
        # keep a line whose bounding box meets the frame (it may cross it with no point inside)
        if (x.max() > -margin and x.min() < frame.width_px + margin
                and y.max() > -margin and y.min() < frame.height_px + margin):
            parts.append(_path_d(x, y, decimals=0, min_step_px=2.0))
    if not parts:
        return ""
    return (f'<path d="{"".join(parts)}" fill="none" stroke="#cfd3d8" stroke-width="1.3" '
            'stroke-linecap="round" stroke-linejoin="round"/>')


def _scale_bar(frame: MapFrame) -> str:
    target_m = frame.width_px * 0.2 / frame.px_per_m
    candidates = [c * 10**e for e in range(0, 6) for c in (1, 2, 5)]
    length_m = max([c for c in candidates if c <= target_m] or [1])
    w = length_m * frame.px_per_m
    x0, y0 = 14.0, frame.height_px - 16.0
    label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    return (f'<g class="scale"><rect x="{_f(x0 - 6)}" y="{_f(y0 - 20)}" width="{_f(w + 12)}" height="28" '
            f'fill="#ffffff" fill-opacity="0.8" rx="3"/>'
            f'<path d="M{_f(x0)} {_f(y0 - 5)}V{_f(y0)}H{_f(x0 + w)}V{_f(y0 - 5)}" fill="none" '
            f'stroke="#222" stroke-width="1.6"/>'
            f'<text x="{_f(x0 + w / 2)}" y="{_f(y0 - 8)}" text-anchor="middle">{label}</text></g>')


def _north_arrow(frame: MapFrame) -> str:
    x, y = frame.width_px - 26.0, 18.0
    return (f'<g class="north" transform="translate({_f(x)} {_f(y)})">'
            '<circle cx="0" cy="14" r="15" fill="#ffffff" fill-opacity="0.85"/>'
            '<path d="M0 2 L7 22 L0 17 L-7 22 Z" fill="#222"/>'
            '<text x="0" y="42" text-anchor="middle" font-weight="bold">N</text></g>')


def turn_title(turn: Turn) -> str:
    """Tooltip text of a turn, e.g. ``"sharp turn 92° left at 1.25 km"``."""
    return (f"{'sharp ' if turn.sharp else ''}turn {turn.angle_deg:.0f}° {turn.side} "
            f"at {turn.distance_m / 1000:.2f} km")


def _turn_markers(frame: MapFrame, turns: Sequence[Turn], lat: FloatArray, lon: FloatArray,
                  index: Sequence[int]) -> list[str]:
    out: list[str] = []
    px, py = frame.project(lat, lon)
    # sharp turns drawn last, on top
    for i in sorted(range(len(turns)), key=lambda i: turns[i].sharp):
        t, k = turns[i], index[i]
        if not (np.isfinite(px[k]) and np.isfinite(py[k])):
            continue
        side = t.side
        colour = TURN_COLOURS.get(side, "#444")
        title = escape(turn_title(t))
        if t.sharp:
            out.append(f'<g class="turn sharp"><title>{title}</title>'
                       f'<circle cx="{_f(px[k])}" cy="{_f(py[k])}" r="7.5" fill="{colour}" '
                       f'stroke="#fff" stroke-width="1.5"/><text x="{_f(px[k])}" y="{_f(py[k] + 3.5)}" '
                       f'text-anchor="middle" fill="#fff" font-size="9.5" font-weight="bold">'
                       f'{side[0].upper()}</text></g>')
        else:
            out.append(f'<g class="turn"><title>{title}</title><circle cx="{_f(px[k])}" cy="{_f(py[k])}" '
                       f'r="4" fill="#fff" stroke="{colour}" stroke-width="2"/></g>')
    return out


def map_svg(lat_deg: FloatArray, lon_deg: FloatArray, segment_class: NDArray[np.int64],
            colours: Sequence[str], *, turns: Sequence[Turn] = (),
            turn_index: Sequence[int] = (), basemap: Basemap | None = None,
            label: str = "map") -> Markup:
    """The track on a map, each segment coloured by its class.

    Parameters
    ----------
    lat_deg, lon_deg
        Course positions (decimal degrees; NaN where unknown).
    segment_class
        One class per course sample, an index into ``colours`` (segment i→i+1 takes sample i's).
    turns, turn_index
        Turn objects (``side``, ``sharp``, ``angle_deg``, ``distance_m``) and their course indices.
    basemap
        Lines drawn in light grey underneath, with their attribution printed on the map.
    """
    frame = MapFrame.fit(lat_deg, lon_deg)
    n = lat_deg.shape[0]
    idx = _thin_indices(n)
    # a thinned segment takes the highest class of the samples it stands for
    seg_class = np.maximum.reduceat(segment_class, idx)[:-1] if idx.shape[0] > 1 else segment_class[:0]
    px, py = frame.project(lat_deg[idx], lon_deg[idx])
    w, h = frame.width_px, frame.height_px
    parts = [f'<svg class="map" viewBox="0 0 {_f(w)} {_f(h)}" xmlns="http://www.w3.org/2000/svg" '
             f'role="img" aria-label="{escape(label)}" font-family="inherit" font-size="11">',
             f'<rect width="{_f(w)}" height="{_f(h)}" fill="#f4f4f1"/>']
    if basemap is not None:
        parts.append(_basemap_path(basemap, frame))
    casing = _coloured_track(px, py, np.zeros(seg_class.shape[0], dtype=np.int64), ("#1f1f1f",), width=6.0)
    parts.append('<g fill="none" stroke-linecap="round" stroke-linejoin="round">')
    parts.extend(casing)
    parts.extend(_coloured_track(px, py, seg_class, colours, width=3.6))
    parts.append("</g>")
    parts.extend(_turn_markers(frame, turns, lat_deg, lon_deg, turn_index))
    ok = np.flatnonzero(np.isfinite(px) & np.isfinite(py))
    if ok.size:
        sx, sy, ex, ey = px[ok[0]], py[ok[0]], px[ok[-1]], py[ok[-1]]
        parts.append(f'<g class="ends"><rect x="{_f(ex - 6)}" y="{_f(ey - 6)}" width="12" height="12" '
                     f'fill="#111" stroke="#fff" stroke-width="1.5"><title>finish</title></rect>'
                     f'<circle cx="{_f(sx)}" cy="{_f(sy)}" r="7" fill="#2f9e44" stroke="#fff" '
                     f'stroke-width="2"><title>start</title></circle></g>')
    parts.append(_scale_bar(frame))
    parts.append(_north_arrow(frame))
    if basemap is not None and basemap.attribution:
        text = escape(basemap.attribution)
        parts.append(f'<g class="attribution"><rect x="{_f(w - 6.2 * len(basemap.attribution) - 12)}" '
                     f'y="{_f(h - 20)}" width="{_f(6.2 * len(basemap.attribution) + 12)}" height="20" '
                     f'fill="#ffffff" fill-opacity="0.85"/><text x="{_f(w - 6)}" y="{_f(h - 6)}" '
                     f'text-anchor="end" font-size="11">{text}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _polyline_points(x: FloatArray, y: FloatArray) -> str:
    return " ".join(f"{_f(a)},{_f(b)}" for a, b in zip(x.tolist(), y.tolist(), strict=True)
                    if np.isfinite(a) and np.isfinite(b))


def _y_axis(top: float, height: float, lo: float, hi: float, left: float, right: float,
            unit: str, *, zero_line: bool = False) -> list[str]:
    """Horizontal grid lines with labels for a panel spanning ``lo``–``hi``."""
    out: list[str] = []
    step = nice_step(hi - lo, 4)
    for k in range(int(np.ceil(lo / step - 1e-9)), int(np.floor(hi / step + 1e-9)) + 1):
        v = k * step if k else 0.0
        y = top + height * (1 - (v - lo) / (hi - lo))
        colour = "#9aa0a6" if zero_line and k == 0 else "#e3e5e8"
        out.append(f'<line x1="{_f(left)}" x2="{_f(right)}" y1="{_f(y)}" y2="{_f(y)}" stroke="{colour}"/>'
                   f'<text x="{_f(left - 5)}" y="{_f(y + 3.5)}" text-anchor="end">{v:g}{unit}</text>')
    return out


def profile_svg(distance_m: FloatArray, elevation_m: FloatArray, grade_pct: FloatArray,
                multiplier: FloatArray, turns: Sequence[Turn], *,
                steep_pct: float = 3.0, step_m: float = 5.0) -> Markup:
    """Elevation, grade and hip load against distance, with the turns marked.

    Panels without data (no elevation) are left out; the hip-load panel is always drawn.
    ``steep_pct`` is the grade beyond which climbs and descents are shaded as steep; ``step_m`` the
    spacing of the samples (metres).
    """
    idx = _thin_indices(distance_m.shape[0], 800)
    d = distance_m[idx] / 1000.0
    total_km = max(float(distance_m[-1]) / 1000.0, 0.01) if distance_m.size else 0.01
    width, left, right = MAP_WIDTH, 52.0, MAP_WIDTH - 14.0

    def sx(km: FloatArray | float) -> FloatArray:
        return np.asarray(left + (np.asarray(km) / total_km) * (right - left), dtype=np.float64)

    body: list[str] = []
    top = 42.0  # the turn row sits above
    panels: list[tuple[float, float]] = []
    # drawn smoothed as the grade is measured (barometers step in 0.1–0.2 m)
    elev = gaussian_smooth(elevation_m, ELEVATION_SIGMA_M / step_m)[idx]
    if np.isfinite(elev).sum() >= 2:
        lo, hi = float(np.nanmin(elev)), float(np.nanmax(elev))
        pad = max((hi - lo) * 0.15, 2.0)
        lo, hi = lo - pad, hi + pad
        h = 120.0
        body += _y_axis(top, h, lo, hi, left, right, " m")
        ey = top + h * (1 - (elev - lo) / (hi - lo))
        ok = np.isfinite(ey)
        xs = sx(d[ok])
        body.append(f'<polygon points="{_f(xs[0])},{_f(top + h)} {_polyline_points(xs, ey[ok])} '
                    f'{_f(xs[-1])},{_f(top + h)}" fill="#dfe7df"/>'
                    f'<polyline points="{_polyline_points(xs, ey[ok])}" fill="none" stroke="#4d6b53" '
                    f'stroke-width="1.6"/>')
        body.append(f'<text x="{_f(left)}" y="{_f(top - 4)}" class="panel">elevation</text>')
        panels.append((top, h))
        top += h + 26.0
    grade = grade_pct[idx]
    if np.isfinite(grade).sum() >= 2:
        g = np.nan_to_num(grade)
        lim = float(np.clip(np.nanmax(np.abs(grade)) * 1.15, steep_pct * 2, 40.0))
        h = 84.0
        body += _y_axis(top, h, -lim, lim, left, right, " %", zero_line=True)
        zero = top + h / 2
        gy = zero - g / lim * h / 2
        xs = sx(d)
        body.append(f'<polygon points="{_f(xs[0])},{_f(zero)} {_polyline_points(xs, gy)} '
                    f'{_f(xs[-1])},{_f(zero)}" fill="#c9d3e0"/>')
        for sign, colour in ((1, "#e8590c"), (-1, "#c92a2a")):
            steep = sign * g > steep_pct
            runs = np.flatnonzero(np.diff(np.concatenate(([0], steep.astype(int), [0]))))
            for a, b in zip(runs[::2], runs[1::2], strict=True):
                pts = _polyline_points(xs[a:b], gy[a:b])
                body.append(f'<polygon points="{_f(xs[a])},{_f(zero)} {pts} {_f(xs[b - 1])},{_f(zero)}" '
                            f'fill="{colour}"/>')
        body.append(f'<text x="{_f(left)}" y="{_f(top - 4)}" class="panel">grade (steeper than '
                    f'±{steep_pct:g} % in colour)</text>')
        panels.append((top, h))
        top += h + 26.0
    # hip load: the multiplier as a line over a strip in the map's colours
    m = multiplier[idx]
    hi = max(LOAD_RANGE[1], float(np.nanmax(m)) if np.isfinite(m).any() else 1.0)
    hi = float(np.ceil(hi * 10) / 10)
    h = 84.0
    body += _y_axis(top, h - 14, 1.0, hi, left, right, "×")
    bins = load_bins(m)
    xs = sx(d)
    runs = np.flatnonzero(np.diff(np.concatenate(([-1], bins, [-1])))) if bins.size else np.zeros(0, int)
    for a, b in itertools.pairwise(runs):
        x0, x1 = xs[a], xs[min(b, xs.shape[0] - 1)]
        body.append(f'<rect x="{_f(x0)}" y="{_f(top + h - 10)}" width="{_f(max(x1 - x0, 0.6))}" '
                    f'height="10" fill="{LOAD_COLOURS[int(bins[a])]}"/>')
    my = top + (h - 14) * (1 - (np.clip(np.nan_to_num(m, nan=1.0), 1.0, hi) - 1.0) / (hi - 1.0))
    body.append(f'<polyline points="{_polyline_points(xs, my)}" fill="none" stroke="#8c0c25" '
                f'stroke-width="1.3"/>')
    body.append(f'<text x="{_f(left)}" y="{_f(top - 4)}" class="panel">hip-load multiplier '
                f'(1× = flat, straight, neutral ground)</text>')
    panels.append((top, h))
    bottom = top + h
    # x axis: km ticks and grid
    axis: list[str] = []
    step = nice_step(total_km, 8)
    k = 0.0
    while k <= total_km + 1e-9:
        x = float(sx(k))
        axis.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="26" y2="{_f(bottom)}" stroke="#eef0f2"/>'
                    f'<text x="{_f(x)}" y="{_f(bottom + 15)}" text-anchor="middle">{k:g}</text>')
        k += step
    axis.append(f'<text x="{_f(right)}" y="{_f(bottom + 30)}" text-anchor="end">distance (km)</text>')
    # turns: a row of markers at the top, sharp ones with a guide line through the panels; on long
    # runs with many turns, plain ticks keep the row readable
    marks: list[str] = []
    ticks_only = len(turns) > 60
    guides = sum(t.sharp for t in turns) <= 30
    for t in sorted(turns, key=lambda t: t.sharp):
        x = float(sx(t.distance_m / 1000.0))
        colour = TURN_COLOURS.get(t.side, "#444")
        title = escape(turn_title(t))
        guide = (f'<line x1="{_f(x)}" x2="{_f(x)}" y1="20" y2="{_f(bottom)}" stroke="{colour}" '
                 f'stroke-opacity="0.25"/>') if t.sharp and guides else ""
        if ticks_only:
            y0 = 4 if t.sharp else 10
            marks.append(f'<g class="turn{" sharp" if t.sharp else ""}"><title>{title}</title>{guide}'
                         f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{y0}" y2="20" stroke="{colour}" '
                         f'stroke-width="{1.6 if t.sharp else 1}"/></g>')
        elif t.sharp:
            marks.append(f'<g class="turn sharp"><title>{title}</title>{guide}'
                         f'<circle cx="{_f(x)}" cy="12" r="6.5" fill="{colour}"/><text x="{_f(x)}" y="15.5" '
                         f'text-anchor="middle" fill="#fff" font-size="8.5" font-weight="bold">'
                         f'{t.side[0].upper()}</text></g>')
        else:
            marks.append(f'<g class="turn"><title>{title}</title><circle cx="{_f(x)}" cy="12" r="3.5" '
                         f'fill="#fff" stroke="{colour}" stroke-width="1.6"/></g>')
    height = bottom + 38.0
    return Markup(f'<svg class="profile" viewBox="0 0 {_f(width)} {_f(height)}" '
                  f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="profile along the run" '
                  f'font-family="inherit" font-size="10.5" fill="#333">'
                  + "".join(axis) + "".join(body) + "".join(marks) + "</svg>")


def factor_bar_svg(factors: dict[str, float], colours: dict[str, str]) -> Markup:
    """One stacked bar of what each factor added to the hip-load index (positive parts only)."""
    positive = {k: v for k, v in factors.items() if v > 0}
    total = sum(positive.values())
    width, height = MAP_WIDTH, 34.0
    if total <= 0:
        return Markup(f'<svg class="factors" viewBox="0 0 {_f(width)} {_f(height)}" '
                      f'xmlns="http://www.w3.org/2000/svg" font-family="inherit"><rect width="{_f(width)}" '
                      f'height="22" fill="#e9ecef" rx="4"/><text x="8" y="15" font-size="11.5" fill="#555">'
                      f'no factor added load</text></svg>')
    x = 0.0
    parts = []
    for name, value in positive.items():
        w = value / total * width
        label = escape(f"{name} +{value:.3f}")
        parts.append(f'<rect x="{_f(x)}" y="0" width="{_f(w)}" height="22" fill="{colours[name]}">'
                     f'<title>{label}</title></rect>')
        if w > 70:
            parts.append(f'<text x="{_f(x + 6)}" y="15" fill="#fff" font-size="11.5">{label}</text>')
        x += w
    return Markup(f'<svg class="factors" viewBox="0 0 {_f(width)} {_f(height)}" '
                  f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="hip-load factors" '
                  f'font-family="inherit">' + "".join(parts) + "</svg>")
