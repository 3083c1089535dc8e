"""The one SVG toolkit of every page: map projection, round steps, scales, axes and path data.

Every drawing in hipstride is SVG text built from arrays, with no network resource and no font
files; the pages insert it as trusted markup, so any text placed in a drawing is escaped by the
caller (``markupsafe.escape``). Two kinds of frame are used:

* :class:`MapFrame` projects latitude/longitude onto pixels, north up, through the local
  east/north plane of :func:`hipstride.track.geodesy.local_xy_m` (equirectangular about the
  centre; exact enough for the few kilometres a run or a plan covers). It keeps the aspect ratio:
  the width is fixed and the height follows the area, within limits.
* :class:`ChartFrame` is the plot area of a time or distance chart (a fixed viewBox with padding),
  with :func:`linear_scale` mapping values into it and :func:`y_axis` / :func:`date_labels`
  drawing the grid and labels.

Numbers in the markup are written with one decimal (:func:`coord`): a tenth of a pixel is below what a
screen or a printer shows, and it keeps the pages small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.track.geodesy import local_xy_m

__all__ = [
    "PAGE_WIDTH_PX",
    "ChartFrame",
    "MapFrame",
    "coord",
    "date_labels",
    "linear_scale",
    "nice_grid",
    "nice_step",
    "path_d",
    "polyline_points",
    "thin_indices",
    "y_axis",
]

#: Width of the run page's drawings (the map, the profile and the factor bar), pixels.
PAGE_WIDTH_PX = 760.0
#: Most points drawn per polyline set (samples are thinned beyond this).
MAX_POINTS = 3000
#: Room one date label needs on an axis (``2024-03-18`` at 11 px), pixels.
DATE_LABEL_PX = 80.0


def coord(v: float) -> str:
    """A coordinate as SVG text, to a tenth of a pixel."""
    return f"{v:.1f}"


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


def linear_scale(v: float, lo: float, hi: float, a: float, b: float) -> float:
    """``v`` in ``lo``–``hi`` mapped linearly onto ``a``–``b`` (``a`` when the range is empty)."""
    return a if hi == lo else a + (v - lo) / (hi - lo) * (b - a)


@dataclass(frozen=True)
class MapFrame:
    """Projection of lat/lon onto a map's pixels (north up), fitted to a set of positions."""

    lat0_deg: float
    lon0_deg: float
    x_min_m: float
    y_max_m: float
    px_per_m: float
    pad_px: float
    width_px: float
    height_px: float

    @classmethod
    def fit(cls, lat_deg: FloatArray, lon_deg: FloatArray, *, width_px: float = PAGE_WIDTH_PX,
            pad_px: float = 28.0, min_height_px: float = 320.0,
            max_height_px: float = 760.0) -> MapFrame:
        """Frame the finite positions, keeping the aspect ratio (height within the limits).

        Spans shorter than 100 m are widened to 100 m, so a run on the spot is not a dot.
        """
        ok = np.isfinite(lat_deg) & np.isfinite(lon_deg)
        lat0, lon0 = float(np.mean(lat_deg[ok])), float(np.mean(lon_deg[ok]))
        x, y = local_xy_m(lat_deg[ok], lon_deg[ok], lat0, lon0)
        span_x = max(float(np.ptp(x)), 100.0)
        span_y = max(float(np.ptp(y)), 100.0)
        cx, cy = (float(x.max()) + float(x.min())) / 2, (float(y.max()) + float(y.min())) / 2
        inner_w = width_px - 2 * pad_px
        height_px = float(np.clip(inner_w * span_y / span_x + 2 * pad_px, min_height_px, max_height_px))
        inner_h = height_px - 2 * pad_px
        scale = min(inner_w / span_x, inner_h / span_y)
        return cls(lat0, lon0, cx - width_px / 2 / scale, cy + height_px / 2 / scale, scale, pad_px,
                   width_px, height_px)

    @classmethod
    def fit_longest(cls, lat_deg: FloatArray, lon_deg: FloatArray, *, longest_px: float,
                    pad_px: float = 20.0) -> MapFrame:
        """Frame the positions with the longer side of the map ``longest_px`` and the other side
        following the aspect ratio (for a page where the map is the main thing, e.g. a plan)."""
        ok = np.isfinite(lat_deg) & np.isfinite(lon_deg)
        x, y = local_xy_m(lat_deg[ok], lon_deg[ok])
        span_x, span_y = max(float(np.ptp(x)), 100.0), max(float(np.ptp(y)), 100.0)
        inner = longest_px - 2 * pad_px
        width = longest_px if span_x >= span_y else inner * span_x / span_y + 2 * pad_px
        height = longest_px if span_y >= span_x else inner * span_y / span_x + 2 * pad_px
        return cls.fit(lat_deg, lon_deg, width_px=width, pad_px=pad_px, min_height_px=height,
                       max_height_px=height)

    def project(self, lat_deg: FloatArray, lon_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Pixels (x right, y down) of positions."""
        x, y = local_xy_m(lat_deg, lon_deg, self.lat0_deg, self.lon0_deg)
        return (x - self.x_min_m) * self.px_per_m, (self.y_max_m - y) * self.px_per_m

    def point(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        """Pixels of one position."""
        x, y = self.project(np.array([lat_deg]), np.array([lon_deg]))
        return float(x[0]), float(y[0])


def thin_indices(n: int, max_points: int = MAX_POINTS) -> NDArray[np.int64]:
    """Every k-th index of ``n`` samples so that at most about ``max_points`` remain (the last kept)."""
    step = max(1, int(np.ceil(n / max_points)))
    idx = np.arange(0, n, step, dtype=np.int64)
    if idx.size and idx[-1] != n - 1:
        idx = np.append(idx, n - 1)
    return idx


def path_d(x: FloatArray, y: FloatArray, *, decimals: int = 1, min_step_px: float = 0.0) -> str:
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


def polyline_points(x: FloatArray | Sequence[float], y: FloatArray | Sequence[float]) -> str:
    """The ``points`` attribute of a polyline, leaving out points that are not finite."""
    xs, ys = np.asarray(x, dtype=np.float64).tolist(), np.asarray(y, dtype=np.float64).tolist()
    return " ".join(f"{coord(a)},{coord(b)}" for a, b in zip(xs, ys, strict=True)
                    if np.isfinite(a) and np.isfinite(b))


@dataclass(frozen=True)
class ChartFrame:
    """The plot area of a chart: a ``width`` × ``height`` viewBox less its padding (pixels)."""

    width: float = 860.0
    height: float = 220.0
    pad_left: float = 56.0
    pad_right: float = 56.0
    pad_top: float = 16.0
    pad_bottom: float = 28.0

    @property
    def left(self) -> float:
        return self.pad_left

    @property
    def right(self) -> float:
        return self.width - self.pad_right

    @property
    def top(self) -> float:
        return self.pad_top

    @property
    def bottom(self) -> float:
        return self.height - self.pad_bottom

    def x(self, v: float, lo: float, hi: float, *, inset: float = 0.0) -> float:
        """Horizontal pixel of ``v`` on a ``lo``–``hi`` axis (``inset`` pixels in from each side)."""
        return linear_scale(v, lo, hi, self.left + inset, self.right - inset)

    def y(self, v: float, lo: float, hi: float) -> float:
        """Vertical pixel of ``v`` on a ``lo``–``hi`` axis (up)."""
        return linear_scale(v, lo, hi, self.bottom, self.top)

    def svg(self, body: str, title: str) -> str:
        """The chart as one ``<svg>`` element with an accessible ``title`` (escaped here)."""
        return (f'<svg viewBox="0 0 {self.width:g} {self.height:g}" width="{self.width:g}" '
                f'height="{self.height:g}" role="img" aria-label="{escape(title)}">{body}</svg>')


def y_axis(frame: ChartFrame, lo: float, hi: float, unit: str, *, right: bool = False,
           ticks: int = 5) -> str:
    """Value labels at ``ticks`` even steps of ``lo``–``hi``, with grid lines unless on the right."""
    out = []
    for k in range(ticks):
        v = lo + (hi - lo) * k / (ticks - 1)
        y = frame.y(v, lo, hi)
        if right:
            out.append(f'<text x="{frame.right + 4:.0f}" y="{y + 4:.0f}" text-anchor="start">'
                       f"{v:.0f}{unit}</text>")
        else:
            out.append(f'<text x="{frame.left - 4:.0f}" y="{y + 4:.0f}" text-anchor="end">'
                       f'{v:.0f}{unit}</text><line x1="{frame.left:g}" x2="{frame.right:g}" '
                       f'y1="{coord(y)}" y2="{coord(y)}" stroke="#eee"/>')
    return "".join(out)


def nice_grid(top: float, height: float, lo: float, hi: float, left: float, right: float,
              unit: str, *, zero_line: bool = False) -> list[str]:
    """Grid lines at round values (:func:`nice_step`) of a panel spanning ``lo``–``hi`` from ``top``
    down ``height`` pixels, labelled on the left; ``zero_line`` draws 0 darker."""
    out: list[str] = []
    step = nice_step(hi - lo, 4)
    for k in range(int(np.ceil(lo / step - 1e-9)), int(np.floor(hi / step + 1e-9)) + 1):
        v = k * step if k else 0.0
        y = top + height * (1 - (v - lo) / (hi - lo))
        colour = "#9aa0a6" if zero_line and k == 0 else "#e3e5e8"
        out.append(f'<line x1="{coord(left)}" x2="{coord(right)}" y1="{coord(y)}" y2="{coord(y)}" '
                   f'stroke="{colour}"/><text x="{coord(left - 5)}" y="{coord(y + 3.5)}" '
                   f'text-anchor="end">{v:g}{unit}</text>')
    return out


def date_labels(frame: ChartFrame, days: Sequence[date], xs: Sequence[float]) -> str:
    """Dates under the plot at their pixels, every k-th so that labels never run together."""
    room = max(1, int((frame.right - frame.left) // DATE_LABEL_PX))
    step = max(1, -(-len(days) // room))
    return "".join(f'<text x="{x:.0f}" y="{frame.height - 8:g}" text-anchor="middle">'
                   f"{d.isoformat()}</text>"
                   for d, x in list(zip(days, xs, strict=True))[::step])
