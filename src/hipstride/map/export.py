"""Planned routes out: GPX 1.1 for watches, and a self-contained offline HTML page.

The HTML page loads nothing from the network: the map is an inline SVG drawn from the stored
network (the ways around the routes, coloured by surface class), with the routes on top and a
table of their figures beside the baseline. Both carry "© OpenStreetMap contributors".
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from hipstride import __version__
from hipstride.map.evaluate import RouteSummary
from hipstride.map.network import ATTRIBUTION, FootNetwork
from hipstride.map.planner import Plan
from hipstride.map.spatial import segment_starts
from hipstride.track.surface import HARD, SOFT

__all__ = ["plan_to_gpx", "plan_to_html", "write_text_atomic"]

ODBL_URL = "https://www.openstreetmap.org/copyright"
ROUTE_COLOURS = ("#d6336c", "#1c7ed6", "#f08c00", "#7048e8", "#0ca678", "#e8590c",
                 "#5c940d", "#c2255c", "#1098ad", "#862e9c")


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file through a temporary name and a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _route_name(plan: Plan, rank: int, r: RouteSummary) -> str:
    what = "Loop" if plan.kind == "loop" else "Route"
    index = r.hip_load.index
    return (f"{what} {rank}: {r.distance_m / 1000.0:.2f} km, hip-load index "
            f"{index:.3f}" if index is not None else f"{what} {rank}: {r.distance_m / 1000.0:.2f} km")


def plan_to_gpx(plan: Plan, *, with_elevation: bool) -> str:
    """GPX 1.1 document with one track per planned route (best first).

    Parameters
    ----------
    with_elevation
        Write ``<ele>`` (only sensible when the map has a DEM: otherwise elevations are relative).
    """
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gpx version="1.1" creator="hipstride {__version__}" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
        'http://www.topografix.com/GPX/1/1/gpx.xsd">',
        "  <metadata>",
        f"    <name>{escape(f'hipstride {plan.kind} on {plan.map_name}')}</name>",
        f"    <desc>{escape(ATTRIBUTION)}; planned for low hip load "
        f"(profile {escape(plan.profile_name)})</desc>",
        '    <copyright author="OpenStreetMap contributors">',
        "      <license>https://opendatacommons.org/licenses/odbl/</license>",
        "    </copyright>",
        f"    <time>{now}</time>",
        "  </metadata>",
    ]
    for rank, r in enumerate(plan.routes, start=1):
        geo = r.geometry
        lines.append("  <trk>")
        lines.append(f"    <name>{escape(_route_name(plan, rank, r))}</name>")
        lines.append("    <trkseg>")
        ele = geo.elevation_m
        for i, (lat, lon) in enumerate(zip(geo.lat_deg.tolist(), geo.lon_deg.tolist(), strict=True)):
            if with_elevation and np.isfinite(ele[i]):
                lines.append(f'      <trkpt lat="{lat:.7f}" lon="{lon:.7f}">'
                             f"<ele>{ele[i]:.1f}</ele></trkpt>")
            else:
                lines.append(f'      <trkpt lat="{lat:.7f}" lon="{lon:.7f}"/>')
        lines.append("    </trkseg>")
        lines.append("  </trk>")
    lines.append("</gpx>")
    return "\n".join(lines) + "\n"


class _Frame:
    """Equirectangular projection of a lat/lon box onto an SVG canvas (pixels)."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray, width: int = 900) -> None:
        self.lat0 = float((lat.min() + lat.max()) / 2)
        self.lon0 = float((lon.min() + lon.max()) / 2)
        self.k = np.cos(np.radians(self.lat0))
        x, y = (lon - self.lon0) * self.k, lat - self.lat0
        span = max(float(x.max() - x.min()), float(y.max() - y.min()), 1e-6)
        self.margin = 20.0
        self.scale = (width - 2 * self.margin) / span
        self.x_min, self.y_max = float(x.min()), float(y.max())
        self.height = int(float(y.max() - y.min()) * self.scale + 2 * self.margin) + 1
        self.width = int(float(x.max() - x.min()) * self.scale + 2 * self.margin) + 1

    def points(self, lat: np.ndarray, lon: np.ndarray) -> str:
        px = ((lon - self.lon0) * self.k - self.x_min) * self.scale + self.margin
        py = (self.y_max - (lat - self.lat0)) * self.scale + self.margin
        return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px.tolist(), py.tolist(), strict=True))


def _background(net: FootNetwork, frame: _Frame, box: tuple[float, float, float, float]) -> list[str]:
    """SVG polylines of the ways inside the box, by surface class."""
    s, w, n, e = box
    lat, lon = net.shape_lat_deg, net.shape_lon_deg
    start = segment_starts(net)
    inside = ((lat[start] >= s) & (lat[start] <= n) & (lon[start] >= w) & (lon[start] <= e))
    edges = np.unique(net.shape_edge[start[inside]])
    out = []
    style = {SOFT: "soft", HARD: "hard"}
    for edge in edges.tolist()[:20000]:
        a, b = int(net.shape_ptr[edge]), int(net.shape_ptr[edge + 1])
        cls = style.get(int(net.edge_surface_class[edge]), "unknown")
        out.append(f'<polyline class="way {cls}" points="{frame.points(lat[a:b], lon[a:b])}"/>')
    return out


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _row(label: str, r: RouteSummary, colour: str, base: RouteSummary | None) -> str:
    w = r.hip_load.weights_m
    shares = r.surface.shares(w)
    km = r.distance_m / 1000.0
    sharp = sum(1 for t in r.turns if t.sharp)
    index = r.hip_load.index
    delta = ""
    if base is not None and index is not None and base.hip_load.index is not None:
        delta = f"{index - base.hip_load.index:+.3f}"
    climb = "–" if r.climb_m is None else f"{r.climb_m:.0f} / {r.descent_m or 0:.0f} m"
    return (f'<tr><td><span class="swatch" style="background:{colour}"></span>{html.escape(label)}'
            f"</td><td>{km:.2f}</td><td>{index if index is None else f'{index:.3f}'}</td>"
            f"<td>{delta}</td><td>{_pct(shares['soft'])}</td><td>{_pct(shares['hard'])}</td>"
            f"<td>{_pct(shares['unknown'])}</td><td>{sharp / km if km else 0:.1f}</td>"
            f"<td>{climb}</td><td>{r.steps_m:.0f} m</td></tr>")


def plan_to_html(plan: Plan, net: FootNetwork) -> str:
    """A self-contained HTML page: SVG map of the routes and a table of their figures."""
    routes = list(plan.routes)
    every = routes + ([plan.baseline] if plan.baseline is not None else [])
    lat = np.concatenate([r.geometry.lat_deg for r in every])
    lon = np.concatenate([r.geometry.lon_deg for r in every])
    pad_lat = max(float(lat.max() - lat.min()) * 0.08, 0.002)
    pad_lon = max(float(lon.max() - lon.min()) * 0.08, 0.002)
    box = (float(lat.min()) - pad_lat, float(lon.min()) - pad_lon,
           float(lat.max()) + pad_lat, float(lon.max()) + pad_lon)
    frame = _Frame(np.array([box[0], box[2]]), np.array([box[1], box[3]]))
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" '
           f'role="img" aria-label="map of the planned routes">',
           f'<rect width="{frame.width}" height="{frame.height}" fill="#fbfaf7"/>']
    svg.extend(_background(net, frame, box))
    if plan.baseline is not None:
        g = plan.baseline.geometry
        svg.append(f'<polyline class="route baseline" points="{frame.points(g.lat_deg, g.lon_deg)}"/>')
    for rank in range(len(routes), 0, -1):
        g = routes[rank - 1].geometry
        colour = ROUTE_COLOURS[(rank - 1) % len(ROUTE_COLOURS)]
        svg.append(f'<polyline class="route" stroke={quoteattr(colour)} '
                   f'points="{frame.points(g.lat_deg, g.lon_deg)}"><title>'
                   f"{html.escape(_route_name(plan, rank, routes[rank - 1]))}</title></polyline>")
    sp = frame.points(np.array([plan.start.lat_deg]), np.array([plan.start.lon_deg])).split(",")
    svg.append(f'<circle cx="{sp[0]}" cy="{sp[1]}" r="7" class="start"><title>start</title></circle>')
    if plan.end is not None:
        ep = frame.points(np.array([plan.end.lat_deg]), np.array([plan.end.lon_deg])).split(",")
        svg.append(f'<circle cx="{ep[0]}" cy="{ep[1]}" r="7" class="end"><title>end</title></circle>')
    svg.append(f'<text x="{frame.width - 8}" y="{frame.height - 8}" text-anchor="end" '
               f'class="attr">{html.escape(ATTRIBUTION)}</text>')
    svg.append("</svg>")
    rows = [_row(f"{'Loop' if plan.kind == 'loop' else 'Route'} {i}", r,
                 ROUTE_COLOURS[(i - 1) % len(ROUTE_COLOURS)], plan.baseline)
            for i, r in enumerate(routes, start=1)]
    if plan.baseline is not None:
        rows.append(_row("Shortest (baseline)", plan.baseline, "#343a40", None))
    title = (f"{len(routes)} loop(s) of {plan.request.get('distance_km')} km"
             if plan.kind == "loop" else "Route")
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in plan.notes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hipstride — {html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 960px; color: #212529; }}
svg {{ width: 100%; height: auto; border: 1px solid #dee2e6; }}
.way {{ fill: none; stroke-width: 1; stroke-linecap: round; }}
.way.soft {{ stroke: #a9c79b; }} .way.hard {{ stroke: #b8b8b8; }} .way.unknown {{ stroke: #dcd6c8; }}
.route {{ fill: none; stroke-width: 4; stroke-opacity: .85; stroke-linejoin: round; }}
.baseline {{ stroke: #343a40; stroke-width: 2.5; stroke-dasharray: 7 5; }}
.start {{ fill: #2b8a3e; stroke: white; stroke-width: 2; }}
.end {{ fill: #c92a2a; stroke: white; stroke-width: 2; }}
.attr {{ font-size: 12px; fill: #495057; }}
table {{ border-collapse: collapse; margin-top: 1rem; width: 100%; font-size: .92rem; }}
th, td {{ border-bottom: 1px solid #dee2e6; padding: .35rem .5rem; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.swatch {{ display: inline-block; width: .9rem; height: .9rem; margin-right: .4rem;
          vertical-align: middle; border-radius: 2px; }}
footer {{ margin-top: 1.5rem; font-size: .85rem; color: #495057; }}
</style></head><body>
<h1>hipstride — {html.escape(title)}</h1>
<p>Map <strong>{html.escape(plan.map_name)}</strong>, profile
<strong>{html.escape(plan.profile_name)}</strong>. Thin lines: ways by surface (green soft,
grey hard, beige unknown). Dashed: the shortest route of the same kind, for comparison.</p>
{"".join(svg)}
<table><thead><tr><th>route</th><th>km</th><th>hip-load index</th><th>vs shortest</th>
<th>soft</th><th>hard</th><th>unknown</th><th>sharp turns/km</th><th>climb / descent</th>
<th>steps</th></tr></thead><tbody>{"".join(rows)}</tbody></table>
{f"<ul>{notes}</ul>" if notes else ""}
<footer>Map data {html.escape(ATTRIBUTION)}, available under the Open Database License
(<a href="{ODBL_URL}">{ODBL_URL}</a>). Planned with hipstride {__version__}; nothing was sent
anywhere.</footer>
</body></html>
"""
