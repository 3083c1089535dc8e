"""Property-based and worked-example tests of the track maths (pure functions over arrays)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hipstride.activity import FloatArray
from hipstride.model.profile import default_profile
from hipstride.track.course import Course, course_from_path, grade_pct_from_elevation
from hipstride.track.geodesy import EARTH_RADIUS_M, haversine_m, local_xy_m, segment_lengths_m
from hipstride.track.motion import alternating_fixes, detect_motion, gps_spikes
from hipstride.track.smoothing import (
    climb_descent_m,
    climb_descent_per_sample_m,
    gaussian_smooth,
    turning_points,
)
from hipstride.track.turns import Turn, find_turns

M_PER_DEG_LAT = EARTH_RADIUS_M * np.pi / 180.0

lat_st = st.floats(-80, 80)
lon_st = st.floats(-179, 179)


def path_from_xy(x: FloatArray, y: FloatArray, lat0: float = 49.4,
                 lon0: float = 8.7) -> tuple[FloatArray, FloatArray]:
    lat = lat0 + y / M_PER_DEG_LAT
    lon = lon0 + x / (M_PER_DEG_LAT * np.cos(np.radians(lat0)))
    return lat, lon


def polyline(vertices: list[tuple[float, float]], step_m: float = 1.0) -> tuple[FloatArray, FloatArray]:
    """Points every ``step_m`` along straight legs between vertices (x, y in metres)."""
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(vertices):
        n = max(int(np.hypot(x1 - x0, y1 - y0) / step_m), 1)
        t = np.arange(n) / n
        xs.append(x0 + (x1 - x0) * t)
        ys.append(y0 + (y1 - y0) * t)
    xs.append(np.array([vertices[-1][0]]))
    ys.append(np.array([vertices[-1][1]]))
    return np.concatenate(xs), np.concatenate(ys)


def course_of(x: FloatArray, y: FloatArray, elevation: FloatArray | None = None,
              speed: float = 3.0) -> Course:
    lat, lon = path_from_xy(x, y)
    d = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))
    elev = np.zeros_like(x) if elevation is None else elevation
    t = d / speed
    return course_from_path(d, lat, lon, elev, time_s=t, speed_mps=np.full_like(x, speed),
                            reference_speed_mps=default_profile().reference_speed_mps)


def turns_of(course: Course) -> list[Turn]:
    """Turns with the shipped profile's thresholds (45°, 80° on at most 25 m radius, 30 m)."""
    return find_turns(course, default_profile().turns.limits)[0]


# --- geodesy ---------------------------------------------------------------------------------

def test_one_degree_of_latitude_is_111_195_m() -> None:
    assert abs(float(haversine_m(0.0, 0.0, 1.0, 0.0)) - 111_195.08) < 0.1
    # Paris (Notre-Dame) to London (St Paul's): 343.5 km on the mean sphere
    assert abs(float(haversine_m(48.8530, 2.3499, 51.5138, -0.0984)) / 1000 - 343.5) < 0.5


@given(lat_st, lon_st, lat_st, lon_st)
def test_haversine_symmetric_and_non_negative(a: float, b: float, c: float, d: float) -> None:
    ab = float(haversine_m(a, b, c, d))
    assert ab >= 0
    assert abs(ab - float(haversine_m(c, d, a, b))) < 1e-6
    assert ab <= np.pi * EARTH_RADIUS_M + 1e-6


@given(st.lists(st.tuples(st.floats(-0.01, 0.01), st.floats(-0.01, 0.01)), min_size=2, max_size=50))
def test_local_projection_matches_haversine_nearby(offsets: list[tuple[float, float]]) -> None:
    lat = 47.0 + np.array([o[0] for o in offsets])
    lon = 9.5 + np.array([o[1] for o in offsets])
    x, y = local_xy_m(lat, lon)
    planar = np.hypot(np.diff(x), np.diff(y))
    assert np.allclose(planar, segment_lengths_m(lat, lon), rtol=2e-3, atol=0.05)


# --- smoothing and climb ---------------------------------------------------------------------

@given(st.floats(-500, 3000), st.integers(3, 300), st.floats(0.5, 10))
def test_smoothing_keeps_a_constant(level: float, n: int, sigma: float) -> None:
    out = gaussian_smooth(np.full(n, level), sigma)
    assert np.allclose(out, level)


@given(st.lists(st.one_of(st.floats(-100, 100), st.just(float("nan"))), min_size=3, max_size=200),
       st.floats(0.5, 5))
def test_smoothing_stays_within_range_and_keeps_gaps(values: list[float], sigma: float) -> None:
    arr = np.array(values)
    out = gaussian_smooth(arr, sigma)
    assert out.shape == arr.shape
    assert np.array_equal(np.isnan(out), np.isnan(arr))
    if np.isfinite(arr).any():
        assert np.nanmax(out) <= np.nanmax(arr) + 1e-9
        assert np.nanmin(out) >= np.nanmin(arr) - 1e-9


@settings(max_examples=60)
@given(st.floats(10, 500), st.integers(50, 2000))
def test_a_steady_climb_counts_in_full(height: float, n: int) -> None:
    climb, descent = climb_descent_m(np.linspace(0.0, height, n), threshold_m=2.0, sigma_samples=0)
    assert abs(climb - height) < 1e-6
    assert descent == 0


@settings(max_examples=60)
@given(st.floats(-500, 500), st.integers(0, 2**31 - 1))
def test_climb_ignores_offsets_and_small_noise(offset: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    hills = 30 * np.sin(np.linspace(0, 6 * np.pi, 3000))
    noise = rng.uniform(-0.4, 0.4, 3000)
    a = climb_descent_m(hills + noise, threshold_m=2.0)
    b = climb_descent_m(hills + noise + offset, threshold_m=2.0)
    assert abs(a[0] - b[0]) < 1e-6
    # three full waves of 60 m amplitude: 2.5 rises of 60 m after the first half wave (180 m)
    assert abs(a[0] - 180.0) < 180 * 0.03
    assert climb_descent_m(noise, threshold_m=2.0)[0] == 0.0


def test_turning_points_keep_swings_above_the_band() -> None:
    series = np.array([0, 1, 0, 1, 0, 10, 9, 10, 0])
    assert turning_points(series, 2.0).tolist() == [0, 10, 0]


# --- grade -----------------------------------------------------------------------------------

@given(st.floats(-30, 30))
def test_grade_of_a_uniform_slope(grade: float) -> None:
    elev = np.arange(200, dtype=float) * 5.0 * grade / 100.0
    g = grade_pct_from_elevation(elev, 5.0)
    assert np.allclose(g[15:-15], grade, atol=1e-6)  # away from the smoothing's edges


# --- motion ----------------------------------------------------------------------------------

def test_a_stop_is_not_moving_time() -> None:
    t = np.arange(0, 1261, dtype=float)  # 10 min running, 60 s standing, 10 min running
    s = np.where(t < 600, t * 3.0, np.where(t < 660, 1800.0, 1800.0 + (t - 660) * 3.0))
    lat, lon = path_from_xy(s, np.zeros_like(s))
    m = detect_motion(t, lat, lon, None, None)
    assert m.elapsed_time_s == 1260
    assert m.moving_time_s is not None  # timed samples give a moving time
    assert abs(m.moving_time_s - 1200) <= 5  # stops are judged over ±2 samples
    assert abs(m.distance_m[-1] - 3600) < 1


def test_a_gps_spike_is_removed_and_distance_is_kept() -> None:
    t = np.arange(0, 301, dtype=float)
    x = t * 3.0
    y = np.zeros_like(x)
    y[150] = 800.0  # one point 800 m off the path
    lat, lon = path_from_xy(x, y)
    assert gps_spikes(lat, lon, t, max_speed_mps=12.0).nonzero()[0].tolist() == [150]
    m = detect_motion(t, lat, lon, None, None)
    assert m.jumps == 1
    assert abs(m.distance_m[-1] - 900) < 1


@settings(max_examples=40)
@given(st.integers(0, 2**31 - 1))
def test_moving_time_never_exceeds_elapsed(seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(0.5, 20, 300))
    step = rng.uniform(0, 40, 300)
    lat, lon = path_from_xy(np.cumsum(step), np.zeros(300))
    m = detect_motion(t, lat, lon, None, None)
    assert m.moving_time_s is not None  # timed samples give both times
    assert m.elapsed_time_s is not None
    assert 0 <= m.moving_time_s <= m.elapsed_time_s + 1e-9
    assert np.all(np.diff(m.distance_m) >= 0)


# --- turns -----------------------------------------------------------------------------------

def corner(angle_deg: float, leg_m: float = 200.0) -> tuple[FloatArray, FloatArray]:
    """Straight leg north, then a corner turning right by ``angle_deg``, then another leg."""
    a = np.radians(angle_deg)
    return polyline([(0, 0), (0, leg_m), (leg_m * np.sin(a), leg_m + leg_m * np.cos(a))])


@settings(max_examples=40, deadline=None)
@given(st.floats(50, 170), st.booleans(), st.floats(0, 360))
def test_one_corner_is_one_turn_with_its_angle_and_side(angle: float, left: bool, rotation: float) -> None:
    x, y = corner(-angle if left else angle)
    r = np.radians(rotation)
    xr, yr = x * np.cos(r) - y * np.sin(r), x * np.sin(r) + y * np.cos(r)
    turns = turns_of(course_of(xr, yr))
    assert len(turns) == 1
    assert turns[0].side == ("left" if left else "right")
    assert abs(turns[0].angle_deg - angle) < 6
    if abs(angle - 80) > 6:  # the measured angle is within a few degrees of the drawn one
        assert turns[0].sharp == (angle >= 80)
    assert 180 < turns[0].distance_m < 225


@settings(max_examples=30, deadline=None)
@given(st.floats(0, 38))
def test_gentle_bends_are_not_turns(angle: float) -> None:
    x, y = corner(angle)
    assert turns_of(course_of(x, y)) == []


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_gps_noise_on_a_straight_road_makes_no_turns(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, y = polyline([(0, 0), (0, 2000)], step_m=3.0)
    # GPS error is correlated from one fix to the next: a slow random walk of a few metres
    drift = np.cumsum(rng.normal(0, 0.5, (2, x.size)), axis=1)
    drift -= np.linspace(0, 1, x.size) * drift[:, -1:]
    course = course_of(x + drift[0], y + drift[1])
    assert turns_of(course) == []


def test_a_hairpin_is_one_sharp_turn() -> None:
    x, y = polyline([(0, 0), (0, 300), (8, 300), (8, 0)])
    turns = turns_of(course_of(x, y))
    assert len(turns) == 1
    assert turns[0].sharp
    assert turns[0].angle_deg > 150


def test_lateral_acceleration_is_v_squared_over_r() -> None:
    r_m, v = 50.0, 4.0
    theta = np.linspace(0, np.pi, 400)
    x, y = r_m * np.cos(theta), r_m * np.sin(theta)
    course = course_of(x, y, speed=v)
    mid = course.lateral_accel_mps2[10:-10]
    assert np.allclose(mid, v * v / r_m, rtol=0.03)


def test_jittery_timestamps_make_no_spikes() -> None:
    # exports that put fixes 0.2 s and 1.8 s apart along an ordinary 3 m/s run (seen in real GPX)
    t = np.cumsum(np.tile([0.2, 1.8], 200))
    x = np.arange(400, dtype=float) * 3.0
    lat, lon = path_from_xy(x, np.zeros_like(x))
    assert not gps_spikes(lat, lon, t, max_speed_mps=12.0).any()
    assert detect_motion(t, lat, lon, None, None).jumps == 0


# --- model v2: turns a runner can make ---------------------------------------------------------

def running_track_xy(laps: int, step_m: float, noise_m: float = 0.0,
                     seed: int = 1) -> tuple[FloatArray, FloatArray]:
    """A 400 m track's inside lane (straights 84.39 m, bends of radius 36.5 m), one point every
    ``step_m``, with AR(1) GPS noise of ``noise_m`` (standard deviation, correlation 0.9)."""
    radius, straight = 36.5, 84.39
    lap = 2 * straight + 2 * np.pi * radius
    u = np.arange(0.0, laps * lap, step_m) % lap
    x, y = np.empty_like(u), np.empty_like(u)
    legs = np.searchsorted([straight, straight + np.pi * radius, 2 * straight + np.pi * radius], u,
                           side="right")
    a, b, c, d = (legs == k for k in range(4))
    x[a], y[a] = u[a], -radius
    th = (u[b] - straight) / radius
    x[b], y[b] = straight + radius * np.sin(th), -radius * np.cos(th)
    x[c], y[c] = straight - (u[c] - straight - np.pi * radius), radius
    th = (u[d] - 2 * straight - np.pi * radius) / radius
    x[d], y[d] = -radius * np.sin(th), radius * np.cos(th)
    if noise_m:
        rng = np.random.default_rng(seed)
        phi = 0.9
        shocks = rng.normal(0.0, noise_m * np.sqrt(1 - phi ** 2), (u.size, 2))
        err = np.zeros_like(shocks)
        for i in range(1, u.size):
            err[i] = phi * err[i - 1] + shocks[i]
        x, y = x + err[:, 0], y + err[:, 1]
    return x, y


def test_track_bends_are_gentle_curves_and_a_street_corner_is_sharp() -> None:
    """A 400 m track at 4 m/s: its bends (radius 36.5 m) are turns but none is sharp, with or
    without GPS noise; a right-angle street corner at the same speed is sharp."""
    for noise in (0.0, 3.0):
        x, y = running_track_xy(12, 4.0, noise)
        turns = turns_of(course_of(x, y, speed=4.0))
        assert len(turns) >= 24                       # every bend is seen ...
        assert not [t for t in turns if t.sharp]      # ... as a gentle curve
        assert 30.0 < float(np.median([t.radius_m for t in turns])) < 45.0
    x, y = polyline([(0, 0), (0, 200), (200, 200)])
    (corner,) = turns_of(course_of(x, y, speed=4.0))
    assert corner.sharp
    assert corner.radius_m < 15.0


def _standstill(seconds: int, seed: int) -> tuple[FloatArray, FloatArray]:
    """A phone at rest: fixes flip between a cached position and fresh ones 10-20 m away."""
    rng = np.random.default_rng(seed)
    x = np.zeros(seconds)
    y = np.zeros(seconds)
    fresh = np.arange(seconds) % 2 == 1
    angle = rng.normal(0.3, 0.3, fresh.sum())
    dist = rng.uniform(10.0, 20.0, fresh.sum())
    x[fresh], y[fresh] = dist * np.sin(angle), dist * np.cos(angle)
    return x, y


def test_alternating_fixes_at_a_standstill_add_no_distance() -> None:
    """Ten minutes of fixes flipping 10-20 m every second, between two kilometres of running:
    no distance, no moving time and no turn come from it."""
    run1 = np.arange(0.0, 1000.0, 3.0)
    sx, sy = _standstill(600, seed=3)
    run2 = np.arange(3.0, 1000.0, 3.0)
    x = np.concatenate((np.zeros_like(run1), sx, np.full_like(run2, 3.0)))
    y = np.concatenate((run1 - 1000.0, sy, run2))
    t = np.arange(x.size, dtype=np.float64)
    lat, lon = path_from_xy(x, y)
    m = detect_motion(t, lat, lon, None, None)
    # ~1998 m without the flipping; the standstill box also takes the last and first ~20 m run
    assert abs(m.distance_m[-1] - 2000.0) < 60.0
    assert m.moving_time_s is not None
    assert m.moving_time_s < x.size - 550
    assert m.alternating_s > 550


def test_a_shuttle_hairpin_is_not_taken_for_alternating_fixes() -> None:
    """Running 50 m out and back at 3 m/s, 1 Hz: each hairpin reverses once, which is running."""
    leg = np.arange(0.0, 50.0, 3.0)
    y = np.concatenate([leg, leg[::-1] + 1.5] * 6)
    x = np.zeros_like(y)
    assert not alternating_fixes(*path_from_xy(x, y)).any()


# --- model v2: grades and climb a hip can feel -------------------------------------------------

def test_an_altimeter_spike_adds_no_climb_and_no_grade() -> None:
    """A flat 2 km run whose barometer reads 87 m too high for 4 s at the start (as a real
    fenix 2 file does): no climb, no descent and no steep grade come from it."""
    x, y = polyline([(0, 0), (0, 2000)])
    elev = np.full(x.size, 55.0)
    elev[3:7] = 142.0
    course = course_of(x, y, elevation=elev)
    assert np.nanmax(np.abs(course.grade_pct)) < 1.0
    climb, descent = climb_descent_m(course.elevation_m, threshold_m=3.0)
    assert climb == descent == 0.0


def test_a_closed_flat_loop_reads_no_climb() -> None:
    """A 3 km loop on flat ground with ±1 m of barometric noise: climb and descent about 0."""
    th = np.linspace(0.0, 2 * np.pi, 3000)
    x, y = 477.0 * np.sin(th), 477.0 * np.cos(th)
    rng = np.random.default_rng(7)
    elev = 120.0 + np.convolve(rng.normal(0.0, 1.0, x.size), np.ones(5) / 5, mode="same")
    climb, descent = climb_descent_m(course_of(x, y, elevation=elev).elevation_m, threshold_m=3.0)
    assert climb < 3.0
    assert descent < 3.0


def test_grades_beyond_the_plausible_are_discarded_not_clipped() -> None:
    """A 40 m step within 5 m (a cliff in a bad elevation model) has no grade, rather than the
    cap's; the gentle ramp beside it keeps its measured grade."""
    x, y = polyline([(0, 0), (0, 1000)])
    elev = np.where(y > 500.0, 40.0, 0.0) + y * 0.05
    grade = course_of(x, y, elevation=elev).grade_pct
    assert np.isnan(grade).any()                       # the step itself: discarded
    assert np.nanmax(np.abs(grade)) <= 45.0
    assert abs(float(np.nanmedian(grade)) - 5.0) < 0.5  # the ramp: measured


def test_climb_per_sample_adds_up_to_the_totals() -> None:
    rng = np.random.default_rng(11)
    elev = np.cumsum(rng.normal(0.0, 1.0, 5000))
    climb, descent = climb_descent_per_sample_m(elev, threshold_m=3.0)
    assert (climb >= 0).all()
    assert (descent >= 0).all()
    assert (float(climb.sum()), float(descent.sum())) == climb_descent_m(elev, threshold_m=3.0)
    assert abs(climb.sum() - descent.sum() - (elev[-1] - elev[0])) < 8.0  # net within the band
