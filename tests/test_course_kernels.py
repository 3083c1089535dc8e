"""The compiled course maths (``track/_kernels.c``, ``map/_geometry.c``) against the NumPy code.

``tests/course_reference.py`` keeps the array implementations that scored runs and routes before
their loops were compiled. Here the compiled functions are held to them on the courses of real
recordings, on real routes of the Heidelberg and Monaco maps (the latter with its SRTM tile),
and on random series with gaps, ±inf, plateaus and spikes: the same samples must come out NaN,
indices must be equal, and values equal to within rounding.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from hipstride.analysis.run import analyze_activity
from hipstride.io import read_activity
from hipstride.map import _geometry
from hipstride.map._search import Place, search, search_index
from hipstride.map.evaluate import route_geometry
from hipstride.map.network import FootNetwork
from hipstride.map.osm_import import read_osm
from hipstride.map.spatial import SegmentIndex
from hipstride.map.surfaces import surface_for_edges
from hipstride.model.profile import default_profile
from hipstride.track import _kernels
from hipstride.track.course import Course, _heading_and_lateral, course_from_path
from hipstride.track.geodesy import EARTH_RADIUS_M
from hipstride.track.smoothing import (
    climb_descent_per_sample_m,
    despike,
    gaussian_smooth,
    turning_point_indices,
)
from hipstride.track.turns import _candidates
from tests import course_reference as ref
from tests.conftest import data_path

RUNS = ["fit/runpandas__run.fit", "fit/jimmykane__suunto-uphill.fit", "fit/elevate__trosku.fit",
        "fit/fitparse__garmin-fenix-5-run.fit", "gpx/runpandas__session_eea8fa30.gpx",
        "gpx/gpxpy__Mojstrovka.gpx", "gpx/runpandas__strava_export.gpx",
        "tcx/runpandas__basic.tcx"]


def same(compiled: np.ndarray, reference: np.ndarray, *, atol: float = 1e-9) -> None:
    """The same shape, NaN in the same places, and the other values equal within ``atol``
    (relative to their size, for large values)."""
    assert compiled.shape == reference.shape
    np.testing.assert_array_equal(np.isnan(compiled), np.isnan(reference))
    np.testing.assert_allclose(compiled, reference, rtol=1e-12, atol=atol, equal_nan=True)


@pytest.fixture(scope="module")
def run_courses() -> list[Course]:
    profile = default_profile()
    return [analyze_activity(read_activity(data_path(name)), profile=profile).course
            for name in RUNS]


def shifted(n: int, sigma: float) -> bool:
    """Whether the array code's smoothing was one sample off on ``n`` samples (see below)."""
    return sigma > 0 and n < 2 * max(1, math.ceil(3 * sigma)) + 1 and n % 2 == 0


def random_series(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random walk with a few NaN gaps, a plateau, a spike and, sometimes, an infinity."""
    values = np.cumsum(rng.normal(0.0, 2.0, n)) + 300.0
    if n > 10:
        values[rng.integers(0, n, 3)] += rng.normal(0.0, 40.0, 3)      # spikes
        start = int(rng.integers(0, n - 5))
        values[start:start + 4] = values[start]                      # a plateau
        values[rng.integers(0, n, max(1, n // 15))] = np.nan           # gaps
    if n > 3 and rng.random() < 0.2:
        values[rng.integers(0, n)] = rng.choice([np.inf, -np.inf])
    return values


def test_smoothing_matches_the_convolution_of_the_array_code() -> None:
    rng = np.random.default_rng(7)
    for n in [*range(3, 45), 200, 2000]:
        values = random_series(rng, n)
        for sigma in (0.0, 1.0, 1.6, 2.0, 3.0):
            if shifted(n, sigma):
                continue          # see the next test: the array code was shifted there
            same(gaussian_smooth(values, sigma), ref.gaussian_smooth(values, sigma))


def test_smoothing_a_series_shorter_than_its_kernel_stays_centred() -> None:
    # np.convolve's 'same' mode, cut to the series, was one sample off for a series of an even
    # number of samples shorter than the kernel: the compiled smoothing is centred on each
    # sample, so reversing the series reverses the result
    rng = np.random.default_rng(3)
    for n in (4, 6, 8, 10, 12, 18):
        values = rng.normal(0.0, 1.0, n)
        smoothed = gaussian_smooth(values, 3.0)
        np.testing.assert_allclose(gaussian_smooth(values[::-1], 3.0)[::-1], smoothed,
                                   rtol=1e-12)
        assert not np.allclose(ref.gaussian_smooth(values[::-1], 3.0)[::-1],
                               ref.gaussian_smooth(values, 3.0))


def test_spike_filter_turning_points_and_climb_match_the_array_code(
        run_courses: list[Course]) -> None:
    rng = np.random.default_rng(11)
    series = [random_series(rng, n) for n in [*range(1, 40), 500, 3000] for _ in range(3)]
    series += [c.elevation_m for c in run_courses]
    dropped = 0
    for values in series:
        for half, threshold in ((5, 6.0), (2, 1.0), (1, 0.0)):
            cleaned = despike(values, half, threshold)
            same(cleaned, ref.despike(values, half, threshold))
            dropped += int(np.count_nonzero(np.isnan(cleaned) & ~np.isnan(values)))
        for band in (-1.0, 0.0, 3.0, 10.0):      # a negative band keeps every sample
            np.testing.assert_array_equal(turning_point_indices(values, band),
                                          ref.turning_point_indices(values, band))
            # (smoothed with σ = 2 samples)
            if np.isfinite(values).all() and not shifted(values.shape[0], 2.0):
                got = climb_descent_per_sample_m(values, threshold_m=band)
                want = ref.climb_descent_per_sample_m(values, threshold_m=band)
                same(got[0], want[0])
                same(got[1], want[1])
    assert dropped > 100              # the filter did work on these series


def test_heading_lateral_and_turn_candidates_match_the_array_code(
        run_courses: list[Course]) -> None:
    courses = list(run_courses)
    rng = np.random.default_rng(5)
    for n in (3, 4, 10, 300):            # random paths with gaps and standstills
        x, y = np.cumsum(rng.normal(0, 5, n)), np.cumsum(rng.normal(0, 5, n))
        x[n // 2:n // 2 + 2] = x[n // 2 - 1]
        y[n // 2:n // 2 + 2] = y[n // 2 - 1]
        if n > 5:
            x[1], y[1] = np.nan, np.nan
        d = np.concatenate(([0.0], np.cumsum(np.nan_to_num(np.hypot(np.diff(x), np.diff(y))))))
        courses.append(course_from_path(d, 49.4 + y / 111_195.0, 8.7 + x / 72_000.0,
                                        np.full(n, np.nan), reference_speed_mps=3.0))
    candidates = 0
    for course in courses:
        speed = course.speed_mps
        heading, lateral = _heading_and_lateral(course.x_m, course.y_m, speed, course.step_m)
        want_heading, want_lateral = ref.heading_and_lateral(course.x_m, course.y_m, speed,
                                                             course.step_m)
        same(heading, want_heading)
        if not shifted(len(course), 1.0):       # curvature is smoothed with σ = 1 sample
            same(lateral, want_lateral)
        for window, angle in ((6, 45.0), (2, 20.0), (1, 5.0)):
            if len(course) <= window:
                continue
            got = _candidates(course, window, angle)
            want = ref.turn_candidates(course, window, angle)
            for a, b in zip(got, want, strict=True):
                same(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
            candidates += got[0].shape[0]
    assert candidates > 500


def _routes(net: FootNetwork, count: int, seed: int) -> list[list[tuple[int, float, float]]]:
    profile = default_profile()
    rng = np.random.default_rng(seed)
    edges = np.flatnonzero(net.node_component[net.edge_from] == net.main_component)
    routes = []
    for kind in ("hip", "length"):
        index = search_index(net, profile, kind)
        for _ in range(count):
            a, b = rng.choice(edges, 2, replace=False)
            found = search(index, Place(edge=int(a), fraction=float(rng.random())),
                           Place(edge=int(b), fraction=float(rng.random())))
            assert found is not None
            routes.append(found.pieces)
    return routes


@pytest.mark.parametrize(("extract", "dem"), [
    ("osm/ors__heidelberg.test.osm.pbf", None),
    ("osm/osrm__monaco.osm.pbf", "dem/graphhopper__N43E007.hgt.zip"),
])
def test_route_points_match_the_array_code(extract: str, dem: str | None) -> None:
    net = read_osm(data_path(extract), name="kernels", dem=data_path(dem) if dem else None)
    routes = _routes(net, 25, 4)
    routes.append([(int(e), 1.0, 0.0) for e in np.flatnonzero(net.edge_length_m > 50)[:30]])
    for pieces in routes:
        got, want = route_geometry(net, pieces), ref.route_geometry(net, pieces)
        np.testing.assert_array_equal(got.step_edge, want.step_edge)
        for name in ("lat_deg", "lon_deg", "distance_m", "elevation_m"):
            same(getattr(got, name), getattr(want, name), atol=1e-6)
        if dem:
            assert np.isfinite(got.elevation_m).all()
        # the edge under each course sample, as np.searchsorted found it
        at = np.concatenate((np.arange(0.0, got.length_m, 5.0), [got.length_m]))
        under = np.empty(at.shape[0], dtype=np.int64)
        _geometry.sample_edges(got.distance_m, at, got.step_edge, under)
        step = np.clip(np.searchsorted(got.distance_m, at, side="right") - 1, 0,
                       got.step_edge.shape[0] - 1)
        np.testing.assert_array_equal(under, got.step_edge[step])
        # and the map's surface under them, some samples off the network
        under[::7] = -1
        surface, want_surface = surface_for_edges(net, under), ref.surface_for_edges(net, under)
        np.testing.assert_array_equal(surface.classes, want_surface.classes)
        np.testing.assert_array_equal(surface.confidence, want_surface.confidence)
        assert surface.raw == want_surface.raw
        assert surface.way_ids == want_surface.way_ids


def test_the_kernels_refuse_buffers_that_do_not_fit() -> None:
    n = 10
    values, out = np.zeros(n), np.empty(n)
    with pytest.raises(ValueError, match="out"):
        _kernels.smooth(values, 1.0, np.empty(n - 1))
    with pytest.raises(ValueError, match="speed"):
        _kernels.heading_lateral(values, values, np.zeros(3), 5.0, out, np.empty(n))
    index = np.empty(n, dtype=np.int64)
    with pytest.raises(ValueError, match="out holds"):
        _kernels.despike(values, 5, 6.0, np.empty(n + 1))
    with pytest.raises(ValueError, match="points holds"):
        _kernels.turning_points(values, 3.0, index, np.empty(n, dtype=np.int64))
    with pytest.raises(ValueError, match="scratch holds"):
        _kernels.resample(values, values, index, values, 5.0, out, np.empty(n))
    with pytest.raises(ValueError, match="first holds an index beyond values"):
        _kernels.resample(values, values[:3].copy(), np.arange(n, dtype=np.int64), values, 5.0,
                          out, np.empty(2 * n))
    with pytest.raises(ValueError, match="window"):
        _kernels.turn_candidates(values, values, values, values, 0, 45.0, index, index, index,
                                 out, out, out, out, out, out)
    with pytest.raises(ValueError, match="scratch"):
        _kernels.climb_descent(values, 3.0, out, np.empty(n), np.empty(2 * n, dtype=np.int64))
    ptr, shape, one = np.array([0, 2], dtype=np.int64), np.zeros(2), np.ones(1)
    with pytest.raises(ValueError, match="piece 0 does not exist"):
        _geometry.route_points([(1, 0.0, 1.0)], one, ptr, shape, shape, shape, shape, one)
    with pytest.raises(ValueError, match=r"piece 1 is not \(edge, from, to\)"):
        _geometry.route_points([(0, 0.0, 1.0), (0, 1.0)],  # type: ignore[list-item]
                               one, ptr, shape, shape, shape, shape, one)
    with pytest.raises(ValueError, match="shape tables"):
        _geometry.route_points([(0, 0.0, 1.0)], one, ptr, shape, shape, shape, np.zeros(1), one)
    with pytest.raises(ValueError, match="one step between each two points"):
        _geometry.sample_edges(np.zeros(3), np.zeros(4), np.zeros(3, dtype=np.int64),
                               np.empty(4, dtype=np.int64))
    with pytest.raises(ValueError, match="tables do not match"):
        _geometry.nearest_segment(np.zeros(2, dtype=np.int64), np.zeros(1, dtype=np.int64),
                                  np.zeros(1), np.zeros(2), np.zeros(1), np.zeros(1), 0.0, 0.0,
                                  10.0)
    with pytest.raises(ValueError, match="segment does not exist"):
        _geometry.nearest_segment(np.zeros(1, dtype=np.int64), np.array([3], dtype=np.int64),
                                  np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1), 0.0, 0.0,
                                  10.0)
    table, ways = np.zeros(1, dtype=np.int64), np.array([7], dtype=np.int64)
    with pytest.raises(ValueError, match="beyond the map's edges"):
        _geometry.edge_surface(np.array([1], dtype=np.int64), np.zeros(1, dtype=np.int8),
                               np.zeros(1), table, ["asphalt"], table, ways, 0, "off",
                               np.empty(1, dtype=np.int8), np.empty(1))
    raw, way_ids = _geometry.edge_surface(np.array([0, -1, 0], dtype=np.int64),
                                          np.ones(1, dtype=np.int8), np.ones(1), table,
                                          ["asphalt"], table, ways, 0, "off",
                                          np.empty(3, dtype=np.int8), np.empty(3))
    assert raw == ["asphalt", "off", "asphalt"]
    assert way_ids == [7]
    ramp = np.array([0.0, 1.0])             # one edge of 1 m, from latitude 0° to 1°
    lat, _, _, distance, step_edge = _geometry.route_points(
        [(0, 0.25, 1.0)], one, ptr, ramp, ramp, shape, shape, one)
    assert np.frombuffer(lat).tolist() == [0.25, 1.0]
    assert np.frombuffer(distance)[1] == pytest.approx(0.75 * np.pi / 180 * EARTH_RADIUS_M)
    assert np.frombuffer(step_edge, dtype=np.int64).tolist() == [0]


def test_a_route_of_map_geometry_is_scored_as_before_end_to_end() -> None:
    # the whole course of a route (positions, heading, lateral acceleration) from the compiled
    # code equals the one the array code gives, on a real Heidelberg route
    net = read_osm(data_path("osm/ors__heidelberg.test.osm.pbf"), name="kernels")
    pieces = max(_routes(net, 5, 9), key=len)
    geo = ref.route_geometry(net, pieces)
    course = course_from_path(geo.distance_m, geo.lat_deg, geo.lon_deg, geo.elevation_m,
                              reference_speed_mps=3.0, smooth_positions=False)
    heading, lateral = ref.heading_and_lateral(course.x_m, course.y_m, course.speed_mps,
                                               course.step_m)
    same(course.heading_deg, heading)
    same(course.lateral_accel_mps2, lateral)
    assert len(course) > 300


def test_every_real_run_gets_the_course_the_array_code_gave(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # analysis of each real recording: the compiled course (resampling, spike filter, grade,
    # heading, lateral acceleration) equals the array code's on the same inputs
    import hipstride.analysis.run as run_module
    compared: list[int] = []

    def both(*args: Any, **kwargs: Any) -> Course:
        got = course_from_path(*args, **kwargs)
        want = ref.course_from_path(*args, **kwargs)
        for name in ("distance_m", "lat_deg", "lon_deg", "x_m", "y_m", "elevation_m",
                     "grade_pct", "time_s", "speed_mps", "heading_deg", "cadence_spm"):
            same(getattr(got, name), getattr(want, name), atol=1e-7)
        if not shifted(len(got), 1.0):
            same(got.lateral_accel_mps2, want.lateral_accel_mps2, atol=1e-7)
        compared.append(len(got))
        return got

    monkeypatch.setattr(run_module, "course_from_path", both)
    profile = default_profile()
    for name in [*RUNS, "fit/elevate__treadmill.fit", "tcx/runpandas__stopped_example.tcx"]:
        analyze_activity(read_activity(data_path(name)), profile=profile)
    assert len(compared) == len(RUNS) + 2
    assert sum(compared) > 5000


def test_snapping_finds_the_segment_the_array_code_found() -> None:
    net = read_osm(data_path("osm/ors__heidelberg.test.osm.pbf"), name="kernels")
    index = SegmentIndex(net, edge_mask=net.node_component[net.edge_from] == net.main_component)
    rng = np.random.default_rng(12)
    x, y = net.node_xy_m
    nodes = rng.choice(net.n_nodes, 400)
    px, py = x[nodes] + rng.normal(0, 40, 400), y[nodes] + rng.normal(0, 40, 400)
    found = 0
    for a, b in zip(px.tolist(), py.tolist(), strict=True):
        got, want = index.nearest(a, b, radius_m=60.0), ref.nearest(index, a, b, radius_m=60.0)
        assert (got is None) == (want is None)
        if got is not None and want is not None:
            assert got[0] == want[0]
            np.testing.assert_allclose(got[1:], want[1:], rtol=1e-12, atol=1e-9)
            found += 1
    assert found > 250
