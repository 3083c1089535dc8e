"""The offline HTML page of a plan (``hipstride route … --html``): a map of the routes and their figures.

The page loads nothing from the network: the map is an inline SVG drawn from the stored network
(the ways around the routes, coloured by surface class), with the routes on top, best drawn last,
and the shortest route of the same kind dashed underneath for comparison. The table gives each
route's figures beside that baseline. The map carries "© OpenStreetMap contributors" and the
footer the ODbL. Positions are projected by :class:`hipstride.report._svg.MapFrame`; the page
is rendered from ``templates/plan.html.j2`` in the one Jinja environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from markupsafe import Markup, escape

from hipstride.__version__ import __version__
from hipstride._files import write_atomic
from hipstride.map.evaluate import RouteSummary
from hipstride.map.export import ODBL_URL, route_name
from hipstride.map.network import ATTRIBUTION, FootNetwork
from hipstride.map.planner import Plan
from hipstride.map.spatial import segment_starts
from hipstride.report._svg import MapFrame, coord, polyline_points
from hipstride.report._templates import render
from hipstride.track.surface import HARD, SOFT

__all__ = ["render_plan_html", "write_plan_html"]

ROUTE_COLOURS = ("#d6336c", "#1c7ed6", "#f08c00", "#7048e8", "#0ca678", "#e8590c",
                 "#5c940d", "#c2255c", "#1098ad", "#862e9c")
BASELINE_COLOUR = "#343a40"
#: Longer side of the map (pixels) and the most ways drawn under the routes.
MAP_WIDTH_PX = 900.0
MAX_WAYS = 20000
#: Margin around the routes, as a share of their extent (at least about 200 m).
MARGIN_SHARE = 0.08
MIN_MARGIN_DEG = 0.002


def _points(frame: MapFrame, lat: np.ndarray, lon: np.ndarray) -> str:
    return polyline_points(*frame.project(lat, lon))


def _background(net: FootNetwork, frame: MapFrame, box: tuple[float, float, float, float]) -> list[str]:
    """SVG polylines of the ways inside the box, by surface class."""
    s, w, n, e = box
    lat, lon = net.shape_lat_deg, net.shape_lon_deg
    start = segment_starts(net)
    inside = (lat[start] >= s) & (lat[start] <= n) & (lon[start] >= w) & (lon[start] <= e)
    edges = np.unique(net.shape_edge[start[inside]])
    style = {SOFT: "soft", HARD: "hard"}
    out = []
    for edge in edges.tolist()[:MAX_WAYS]:
        a, b = int(net.shape_ptr[edge]), int(net.shape_ptr[edge + 1])
        cls = style.get(int(net.edge_surface_class[edge]), "unknown")
        out.append(f'<polyline class="way {cls}" points="{_points(frame, lat[a:b], lon[a:b])}"/>')
    return out


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _row(label: str, r: RouteSummary, colour: str, base: RouteSummary | None) -> dict[str, str]:
    shares = r.surface.shares(r.hip_load.weights_m)
    km = r.distance_m / 1000.0
    sharp = sum(1 for t in r.turns if t.sharp)
    index = r.hip_load.index
    delta = ""
    if base is not None and index is not None and base.hip_load.index is not None:
        delta = f"{index - base.hip_load.index:+.3f}"
    return {"label": label, "colour": colour, "km": f"{km:.2f}",
            "index": "None" if index is None else f"{index:.3f}", "delta": delta,
            "soft": _pct(shares["soft"]), "hard": _pct(shares["hard"]),
            "unknown": _pct(shares["unknown"]), "sharp_per_km": f"{sharp / km if km else 0:.1f}",
            "climb": "–" if r.climb_m is None else f"{r.climb_m:.0f} / {r.descent_m or 0:.0f} m",
            "steps": f"{r.steps_m:.0f} m"}


def _box(routes: list[RouteSummary]) -> tuple[float, float, float, float]:
    """South, west, north, east of the routes with a margin (degrees)."""
    lat = np.concatenate([r.geometry.lat_deg for r in routes])
    lon = np.concatenate([r.geometry.lon_deg for r in routes])
    pad_lat = max(float(lat.max() - lat.min()) * MARGIN_SHARE, MIN_MARGIN_DEG)
    pad_lon = max(float(lon.max() - lon.min()) * MARGIN_SHARE, MIN_MARGIN_DEG)
    return (float(lat.min()) - pad_lat, float(lon.min()) - pad_lon,
            float(lat.max()) + pad_lat, float(lon.max()) + pad_lon)


def _marker(frame: MapFrame, lat_deg: float, lon_deg: float, kind: str) -> str:
    x, y = frame.point(lat_deg, lon_deg)
    return f'<circle cx="{coord(x)}" cy="{coord(y)}" r="7" class="{kind}"><title>{kind}</title></circle>'


def _map_svg(plan: Plan, net: FootNetwork) -> Markup:
    routes = list(plan.routes)
    box = _box(routes + ([plan.baseline] if plan.baseline is not None else []))
    s, w, n, e = box
    frame = MapFrame.fit_longest(np.array([s, s, n, n]), np.array([w, e, w, e]),
                                 longest_px=MAP_WIDTH_PX, pad_px=20.0)
    size = f"{frame.width_px:.0f} {frame.height_px:.0f}"
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size}" role="img" '
           'aria-label="map of the planned routes">',
           f'<rect width="{frame.width_px:.0f}" height="{frame.height_px:.0f}" fill="#fbfaf7"/>']
    svg += _background(net, frame, box)
    if plan.baseline is not None:
        g = plan.baseline.geometry
        svg.append(f'<polyline class="route baseline" points="{_points(frame, g.lat_deg, g.lon_deg)}"/>')
    for rank in range(len(routes), 0, -1):  # the best on top
        g = routes[rank - 1].geometry
        colour = ROUTE_COLOURS[(rank - 1) % len(ROUTE_COLOURS)]
        svg.append(f'<polyline class="route" stroke="{colour}" '
                   f'points="{_points(frame, g.lat_deg, g.lon_deg)}"><title>'
                   f"{escape(route_name(plan, rank, routes[rank - 1]))}</title></polyline>")
    svg.append(_marker(frame, plan.start.lat_deg, plan.start.lon_deg, "start"))
    if plan.end is not None:
        svg.append(_marker(frame, plan.end.lat_deg, plan.end.lon_deg, "end"))
    svg.append(f'<text x="{frame.width_px - 8:.0f}" y="{frame.height_px - 8:.0f}" text-anchor="end" '
               f'class="attr">{escape(ATTRIBUTION)}</text></svg>')
    return Markup("".join(svg))


def _context(plan: Plan, net: FootNetwork) -> dict[str, Any]:
    what = "Loop" if plan.kind == "loop" else "Route"
    rows = [_row(f"{what} {i}", r, ROUTE_COLOURS[(i - 1) % len(ROUTE_COLOURS)], plan.baseline)
            for i, r in enumerate(plan.routes, start=1)]
    if plan.baseline is not None:
        rows.append(_row("Shortest (baseline)", plan.baseline, BASELINE_COLOUR, None))
    title = (f"{len(plan.routes)} loop(s) of {plan.request.get('distance_km')} km"
             if plan.kind == "loop" else "Route")
    return {"title": title, "map_name": plan.map_name, "profile_name": plan.profile_name,
            "map": _map_svg(plan, net), "rows": rows, "notes": list(plan.notes),
            "attribution": ATTRIBUTION, "odbl_url": ODBL_URL, "version": __version__}


def render_plan_html(plan: Plan, net: FootNetwork) -> str:
    """The self-contained HTML page of a plan: SVG map of the routes and a table of their figures."""
    return render("plan.html.j2", **_context(plan, net))


def write_plan_html(plan: Plan, net: FootNetwork, out: str | os.PathLike[str]) -> Path:
    """Write :func:`render_plan_html` to ``out`` atomically and return the path."""
    return write_atomic(out, render_plan_html(plan, net))
