"""The demo's synthetic recording: a 1 Hz run along the planned Helsinki loop, and its analysis.

The runner follows the loop the planner chose (:func:`hipstride.demo.helsinki.plan_demo_loop`),
rounding its corners: pace around 5:30 min/km that slows into sharp corners (lateral acceleration
limited) and drifts with fatigue, one stop at the kerb of a pedestrian crossing, correlated GPS
noise (σ ≈ 3 m), a gently rolling elevation (Helsinki is flat) with barometric noise, heart rate
lagging effort, and cadence and running dynamics that follow speed and fatigue. The recording is
analysed by :func:`hipstride.analysis.run.analyze_activity` with the surface from map matching
(:func:`hipstride.map.surfaces.surface_for_course`), exactly as a user's run on a stored map would
be. Deterministic per seed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hipstride.activity import Activity, FloatArray
from hipstride.demo.helsinki import OSM_ATTRIBUTION, demo_network, plan_demo_loop, street_basemap
from hipstride.io.gpx_write import GpxMetadata, activity_track, write_gpx
from hipstride.map.network import WAY_TAG_KEYS, FootNetwork
from hipstride.track.geodesy import EARTH_RADIUS_M
from hipstride.track.smoothing import gaussian_smooth

if TYPE_CHECKING:
    from hipstride.analysis.run import RunAnalysis
    from hipstride.map.evaluate import RouteGeometry, RouteSummary
    from hipstride.map.planner import Plan
    from hipstride.report.run_map import Basemap
    from hipstride.track.course import Course
    from hipstride.track.surface import SurfaceTrack

__all__ = ["DEMO_SOURCE", "DemoRun", "demo_analysis", "make_demo_run", "write_demo_gpx"]

DEMO_SOURCE = f"demo: Helsinki ({OSM_ATTRIBUTION})"
#: Pace the synthetic runner holds on straight, flat ground (s/km; 5:22, about 5:30 with corners).
BASE_PACE_S_PER_KM = 322.0
#: Lateral acceleration the runner accepts in corners before slowing down (m/s²).
CORNER_ACCEL_MPS2 = 1.2
#: GPS position noise: standard deviation (m) and correlation time (s).
GPS_SIGMA_M = 3.0
GPS_CORRELATION_S = 20.0


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




def write_demo_gpx(activity: Activity, out: str | os.PathLike[str]) -> int:
    """Write the demo recording as GPX 1.1 with heart rate and cadence (Garmin
    TrackPointExtension v1, ``cad`` in strides per minute); return the number of points."""
    return write_gpx(Path(out), [activity_track(activity)], creator="hipstride demo",
                     metadata=GpxMetadata(desc=activity.source))
