"""``plan_route`` pinned to the plain pipeline it stands for, and the fast paths of the scoring
pinned to straightforward versions written here.

The planner's speed-ups (stored tables laid out for the search, the course maths over arrays)
must not change what it returns: on a few Heidelberg pairs, the route shown and the baseline
have the index, factors, length and climb that the plain steps give on a freshly loaded copy of
the map (both searches, both routes evaluated, the lower index first, the shortest on a tie).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from hipstride.analysis.run import analyze_activity
from hipstride.io import read_activity
from hipstride.map._search import Place, search, search_index
from hipstride.map._tables import stored_landmarks
from hipstride.map.evaluate import RouteSummary, evaluate_route
from hipstride.map.planner import plan_route
from hipstride.map.spatial import snap_point
from hipstride.map.store import load_map, save_map
from hipstride.model.profile import default_profile
from hipstride.track.course import Course
from hipstride.track.smoothing import despike, turning_point_indices
from hipstride.track.turns import TurnLimits, find_turns
from tests.conftest import data_path
from tests.test_map_import import map_home, stored_network

PROFILE = default_profile()


def _plain(name: str, a: int, b: int) -> tuple[RouteSummary, RouteSummary]:
    """The chosen route and the baseline by the plain steps, on a fresh copy of the map."""
    net = load_map(name, map_home())
    lat, lon = net.node_lat_deg, net.node_lon_deg
    s = snap_point(net, float(lat[a]), float(lon[a]), component=net.main_component)
    e = snap_point(net, float(lat[b]), float(lon[b]), component=net.main_component)
    origin, goal = Place(edge=s.edge, fraction=s.fraction), Place(edge=e.edge, fraction=e.fraction)
    best = search(search_index(net, PROFILE, "hip"), origin, goal)
    short = search(search_index(net, PROFILE, "length"), origin, goal)
    assert best is not None
    assert short is not None
    found = evaluate_route(net, best.pieces, PROFILE)
    baseline = evaluate_route(net, short.pieces, PROFILE)
    assert found.hip_load.index is not None
    assert baseline.hip_load.index is not None
    chosen = baseline if baseline.hip_load.index <= found.hip_load.index else found
    return chosen, baseline


def _same(got: RouteSummary, want: RouteSummary) -> None:
    assert got.geometry.pieces == want.geometry.pieces
    assert got.hip_load.index == pytest.approx(want.hip_load.index, abs=1e-9)
    for f, value in want.hip_load.factors.items():
        assert got.hip_load.factors[f] == pytest.approx(value, abs=1e-9)
    assert got.distance_m == pytest.approx(want.distance_m, abs=1e-9)
    for mine, theirs in ((got.climb_m, want.climb_m), (got.descent_m, want.descent_m)):
        assert (mine is None) == (theirs is None)
        if mine is not None and theirs is not None:
            assert mine == pytest.approx(theirs, abs=1e-9)
    assert [(t.start_index, t.end_index, t.sharp) for t in got.turns] == \
        [(t.start_index, t.end_index, t.sharp) for t in want.turns]


def test_plan_route_returns_what_the_plain_steps_give() -> None:
    net = stored_network("heidelberg")
    rng = np.random.default_rng(3)
    nodes = np.flatnonzero(net.node_component == net.main_component)
    lat, lon = net.node_lat_deg, net.node_lon_deg
    for _ in range(6):
        a, b = (int(v) for v in rng.choice(nodes, 2, replace=False))
        plan = plan_route(net, start_lat_deg=float(lat[a]), start_lon_deg=float(lon[a]),
                          end_lat_deg=float(lat[b]), end_lon_deg=float(lon[b]), profile=PROFILE)
        chosen, baseline = _plain("heidelberg", a, b)
        assert plan.baseline is not None
        _same(plan.routes[0], chosen)
        _same(plan.baseline, baseline)


def test_stored_search_bounds_are_laid_out_node_by_node(tmp_path: Path) -> None:
    """The search reads a node's landmark bounds together: stored tables come back so."""
    save_map(stored_network("heidelberg"), "hd", tmp_path, tables=True)
    net = load_map("hd", tmp_path)
    ix = search_index(net, PROFILE, "hip")
    assert stored_landmarks(ix) is not None          # the stored tables, not rebuilt ones
    assert ix.node_bounds.flags["C_CONTIGUOUS"]
    assert ix.node_bounds.shape == (net.n_nodes, ix.landmarks.shape[0] * 2)


def _despike_plain(values: np.ndarray, half: int, threshold: float) -> np.ndarray:
    """One window at a time: the median of the finite values within ``half`` either side."""
    out = values.copy()
    for i in range(values.shape[0]):
        window = values[max(0, i - half):i + half + 1]
        window = window[np.isfinite(window)]
        if window.size and abs(values[i] - float(np.median(window))) > threshold:
            out[i] = math.nan
    return out


@pytest.mark.parametrize("gaps", [False, True])
def test_despike_is_the_median_of_each_window(gaps: bool) -> None:
    rng = np.random.default_rng(7)
    values = np.cumsum(rng.normal(0.0, 1.5, 400))
    values[rng.choice(400, 12, replace=False)] += rng.choice([-20.0, 20.0], 12)
    if gaps:
        values[50:58] = math.nan
        values[rng.choice(400, 20, replace=False)] = math.nan
    got = despike(values, 5, 6.0)
    want = _despike_plain(values, 5, 6.0)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(got[np.isfinite(got)], want[np.isfinite(want)])
    assert np.isnan(got).sum() > np.isnan(values).sum()     # some spikes were dropped


def _turns_plain(course: Course, limits: TurnLimits) -> list[tuple[object, ...]]:
    """Every candidate turn measured with NumPy on its own slice: (kept?, fields...)."""
    heading, n = course.heading_deg, len(course)
    w = max(1, round(limits.window_m / course.step_m))
    change = np.nan_to_num(heading[w:] - heading[:-w], nan=0.0)
    sign = np.sign(change) * (np.abs(change) >= limits.min_angle_deg)
    cuts = np.flatnonzero(np.diff(np.concatenate(([0], sign, [0]))) != 0)
    found: list[tuple[object, ...]] = []
    for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        end = min(b - 1 + w, n - 1)
        angle = float(heading[end] - heading[a])
        if sign[a] == 0 or abs(angle) < limits.min_angle_deg:
            continue
        speed = course.speed_mps[a:end + 1]
        speed = speed[np.isfinite(speed)]
        median = float(np.median(speed)) if speed.size else None
        if median is not None and median < limits.min_speed_mps:
            continue
        centre = min(a + int(np.argmax(np.abs(change[a:b]))) + w // 2, n - 1)
        h, s = heading[a:end + 1], course.distance_m[a:end + 1]
        h, s = h[np.isfinite(h)], s[np.isfinite(h)]
        radius = math.inf
        if h.size >= 2 and h[-1] != h[0]:
            progress = (h - h[0]) / (h[-1] - h[0])
            lo, hi = int(np.argmax(progress >= 0.1)), int(np.argmax(progress >= 0.9))
            radius = float((s[hi] - s[lo]) / np.radians(0.8 * abs(h[-1] - h[0]))) if hi > lo else 0.0
        peak = float(course.lateral_accel_mps2[a:end + 1].max())
        kept = peak <= limits.max_lateral_accel_mps2 and abs(angle) <= limits.max_angle_deg
        found.append((kept, a, end, float(course.distance_m[centre]), abs(angle), radius, peak,
                      median, float(course.lat_deg[centre])))
    return found


def test_turns_are_measured_as_on_each_slice() -> None:
    """Recorded runs (noisy speed, gaps) and planned routes: the same turns, to the bit."""
    limits = PROFILE.turns.limits
    courses = [analyze_activity(read_activity(data_path(f))).course for f in
               ("fit/runpandas__run.fit", "fit/elevate__trosku.fit", "gpx/runpandas__garmin_connect.gpx")]
    net = stored_network("heidelberg")
    plan = plan_route(net, start_lat_deg=49.4093, start_lon_deg=8.6947, end_lat_deg=49.3988,
                      end_lon_deg=8.6724, profile=PROFILE)
    courses += [r.course for r in (*plan.routes, plan.baseline) if r is not None]
    checked = 0
    for course in courses:
        kept, rejected = find_turns(course, limits)
        got = sorted([(True, t) for t in kept] + [(False, t) for t in rejected],
                     key=lambda kt: kt[1].start_index)
        want = _turns_plain(course, limits)
        assert [(k, t.start_index, t.end_index, t.distance_m, t.angle_deg, t.radius_m,
                 t.peak_lateral_accel_mps2, t.median_speed_mps, t.lat_deg) for k, t in got] == want
        checked += len(want)
    assert checked > 50


def _turning_points_plain(values: np.ndarray, band: float) -> list[int]:
    """Every finite sample in turn: the extreme so far, confirmed once the series moves back
    by more than ``band`` from it."""
    at = np.flatnonzero(np.isfinite(values)).tolist()
    if not at:
        return []
    kept, ext, rising = [at[0]], at[0], 0
    for i in at[1:]:
        v, top, base = values[i], values[ext], values[kept[-1]]
        if rising >= 0 and v > top:
            ext, rising = i, 1 if v - base > band else rising
        elif rising <= 0 and v < top:
            ext, rising = i, -1 if base - v > band else rising
        elif rising == 1 and top - v > band:
            kept.append(ext)
            ext, rising = i, -1
        elif rising == -1 and v - top > band:
            kept.append(ext)
            ext, rising = i, 1
    if abs(values[ext] - values[kept[-1]]) > band:
        kept.append(ext)
    return kept


def test_turning_points_are_those_of_every_sample_in_turn() -> None:
    rng = np.random.default_rng(5)
    for trial in range(400):
        values = np.cumsum(rng.normal(0.0, rng.uniform(0.2, 4.0), int(rng.integers(0, 300))))
        if trial % 2:
            values = np.round(values)                  # plateaus
        if trial % 3 == 0:
            values[rng.random(values.shape[0]) < 0.2] = math.nan
        band = float(rng.choice([0.0, 1.0, 3.0]))
        assert turning_point_indices(values, band).tolist() == _turning_points_plain(values, band)
