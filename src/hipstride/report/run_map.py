"""The run map of the HTML report: the track coloured by class, streets under it, turns, scale and north.

The track is drawn as one path per colour (a NaN position breaks the line), over a black casing so
it reads on any basemap; sharp turns are drawn last, on top. The hip-load colour scale and the
surface colours are defined here, since the map's legend shows them; the profile and the per-km
table use the same scale. Positions are projected by :class:`hipstride.report._svg.MapFrame`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from markupsafe import Markup, escape
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.report._svg import MapFrame, coord, path_d, thin_indices
from hipstride.track.surface import SURFACE_CLASSES
from hipstride.track.turns import Turn

if TYPE_CHECKING:
    from hipstride.map.network import FootNetwork

__all__ = [
    "LOAD_COLOURS",
    "LOAD_RANGE",
    "SURFACE_COLOURS",
    "TURN_COLOURS",
    "Basemap",
    "load_bins",
    "load_colour",
    "map_svg",
    "network_basemap",
    "turn_title",
]

#: Multiplier range of the sequential hip-load colour scale (values beyond are clamped).
LOAD_RANGE = (1.0, 1.4)
#: The hip-load colour scale, light (no extra load) to dark (40 % more load or beyond).
LOAD_COLOURS = ("#ffe08a", "#fec35a", "#fd9a44", "#f46d37", "#e0412c", "#bd1f2a", "#8c0c25", "#5c0020")
#: Colours of the surface classes (codes 0 unknown, 1 soft, 2 hard).
SURFACE_COLOURS = ("#c8ccd2", "#2f9e44", "#3b4a6b")
#: Colours of left and right turns (markers on the map and the profile).
TURN_COLOURS = {"left": "#1c64d8", "right": "#7b2cbf"}


@dataclass(frozen=True)
class Basemap:
    """Lines drawn under the track (streets), as (lat_deg, lon_deg) arrays.

    ``attribution`` is printed on the map (for OpenStreetMap data: "© OpenStreetMap contributors").
    Without ``classes`` the lines are light grey; with them (a surface class code per line), each
    is drawn in a pale tint of its :data:`SURFACE_COLOURS`, so a runner sees what the ways around
    the run are made of.
    """

    lines: Sequence[tuple[FloatArray, FloatArray]]
    attribution: str = "© OpenStreetMap contributors"
    classes: Sequence[int] | None = None


def network_basemap(net: FootNetwork, lat_deg: FloatArray, lon_deg: FloatArray, *,
                    margin_m: float = 150.0) -> Basemap:
    """The ways of a map around a track (within ``margin_m`` of its extent), one line per edge,
    each with the surface class of its way."""
    ok = np.isfinite(lat_deg) & np.isfinite(lon_deg)
    if not ok.any():
        return Basemap((), classes=())
    x, y = net.to_xy_m(lat_deg[ok], lon_deg[ok])
    nx, ny = net.node_xy_m
    x0, x1, y0, y1 = x.min() - margin_m, x.max() + margin_m, y.min() - margin_m, y.max() + margin_m

    def inside(nodes: NDArray[np.int64]) -> NDArray[np.bool_]:
        return np.asarray((nx[nodes] >= x0) & (nx[nodes] <= x1) & (ny[nodes] >= y0)
                          & (ny[nodes] <= y1))

    edges = np.flatnonzero(inside(net.edge_from) | inside(net.edge_to))
    lines = [net.edge_shape(int(e))[:2] for e in edges]
    return Basemap(tuple(lines), classes=tuple(int(c) for c in net.edge_surface_class[edges]))


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
        pieces.setdefault(int(classes[i]), []).append(path_d(px[i:j + 2], py[i:j + 2]))
        i = j + 1
    return [f'<path d="{"".join(d)}" stroke="{colours[c]}" stroke-width="{width}"/>'
            for c, d in sorted(pieces.items())]


def _basemap_path(basemap: Basemap, frame: MapFrame) -> str:
    """One path per colour of the basemap lines near the frame, in whole pixels (a few tens of
    kB for a city)."""
    parts: dict[int, list[str]] = {}
    margin = 20.0
    classes = basemap.classes if basemap.classes is not None else [-1] * len(basemap.lines)
    for (lat, lon), code in zip(basemap.lines, classes, strict=True):
        x, y = frame.project(lat, lon)
        if x.shape[0] < 2 or not np.isfinite(x).all() or not np.isfinite(y).all():
            continue
        # keep a line whose bounding box meets the frame (it may cross it with no point inside)
        if (x.max() > -margin and x.min() < frame.width_px + margin
                and y.max() > -margin and y.min() < frame.height_px + margin):
            parts.setdefault(code, []).append(path_d(x, y, decimals=0, min_step_px=2.0))
    out = []
    for code, d in sorted(parts.items()):
        style = ('stroke="#cfd3d8" stroke-width="1.3"' if code < 0 else
                 f'stroke="{SURFACE_COLOURS[code]}" stroke-opacity="0.45" stroke-width="2.2" '
                 f'class="way-{SURFACE_CLASSES[code]}"')
        out.append(f'<path d="{"".join(d)}" fill="none" {style} stroke-linecap="round" '
                   'stroke-linejoin="round"/>')
    return "".join(out)


def _scale_bar(frame: MapFrame) -> str:
    target_m = frame.width_px * 0.2 / frame.px_per_m
    candidates = [c * 10**e for e in range(0, 6) for c in (1, 2, 5)]
    length_m = max([c for c in candidates if c <= target_m] or [1])
    w = length_m * frame.px_per_m
    x0, y0 = 14.0, frame.height_px - 16.0
    label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    return (f'<g class="scale"><rect x="{coord(x0 - 6)}" y="{coord(y0 - 20)}" width="{coord(w + 12)}" height="28" '
            f'fill="#ffffff" fill-opacity="0.8" rx="3"/>'
            f'<path d="M{coord(x0)} {coord(y0 - 5)}V{coord(y0)}H{coord(x0 + w)}V{coord(y0 - 5)}" fill="none" '
            f'stroke="#222" stroke-width="1.6"/>'
            f'<text x="{coord(x0 + w / 2)}" y="{coord(y0 - 8)}" text-anchor="middle">{label}</text></g>')


def _north_arrow(frame: MapFrame) -> str:
    x, y = frame.width_px - 26.0, 18.0
    return (f'<g class="north" transform="translate({coord(x)} {coord(y)})">'
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
                       f'<circle cx="{coord(px[k])}" cy="{coord(py[k])}" r="7.5" fill="{colour}" '
                       f'stroke="#fff" stroke-width="1.5"/><text x="{coord(px[k])}" y="{coord(py[k] + 3.5)}" '
                       f'text-anchor="middle" fill="#fff" font-size="9.5" font-weight="bold">'
                       f'{side[0].upper()}</text></g>')
        else:
            out.append(f'<g class="turn"><title>{title}</title><circle cx="{coord(px[k])}" cy="{coord(py[k])}" '
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
    idx = thin_indices(n)
    # a thinned segment takes the highest class of the samples it stands for
    seg_class = np.maximum.reduceat(segment_class, idx)[:-1] if idx.shape[0] > 1 else segment_class[:0]
    px, py = frame.project(lat_deg[idx], lon_deg[idx])
    w, h = frame.width_px, frame.height_px
    parts = [f'<svg class="map" viewBox="0 0 {coord(w)} {coord(h)}" xmlns="http://www.w3.org/2000/svg" '
             f'role="img" aria-label="{escape(label)}" font-family="inherit" font-size="11">',
             f'<rect width="{coord(w)}" height="{coord(h)}" fill="#f4f4f1"/>']
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
        parts.append(f'<g class="ends"><rect x="{coord(ex - 6)}" y="{coord(ey - 6)}" width="12" height="12" '
                     f'fill="#111" stroke="#fff" stroke-width="1.5"><title>finish</title></rect>'
                     f'<circle cx="{coord(sx)}" cy="{coord(sy)}" r="7" fill="#2f9e44" stroke="#fff" '
                     f'stroke-width="2"><title>start</title></circle></g>')
    parts.append(_scale_bar(frame))
    parts.append(_north_arrow(frame))
    if basemap is not None and basemap.attribution:
        text = escape(basemap.attribution)
        parts.append(f'<g class="attribution"><rect x="{coord(w - 6.2 * len(basemap.attribution) - 12)}" '
                     f'y="{coord(h - 20)}" width="{coord(6.2 * len(basemap.attribution) + 12)}" height="20" '
                     f'fill="#ffffff" fill-opacity="0.85"/><text x="{coord(w - 6)}" y="{coord(h - 6)}" '
                     f'text-anchor="end" font-size="11">{text}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))

