"""The course maths as NumPy array code: the reference the compiled kernels are tested against.

These are the implementations :mod:`hipstride.track.smoothing`, :mod:`hipstride.track.course`,
:mod:`hipstride.track.turns`, :mod:`hipstride.map.evaluate`, :mod:`hipstride.map.surfaces` and
:mod:`hipstride.map.spatial` used before their loops were compiled (``_kernels.c``, ``_geometry.c``), kept here unchanged apart from their names, so that
tests can hold the compiled code to them on real and random inputs (what was not compiled, such
as ``interpolate_nans``, is imported from ``src``; ``grade_pct_from_elevation``,
``despike_elevation_m`` and ``course_from_path`` are copied because they call the array
versions). Nothing in ``src`` imports this module.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.map.evaluate import RouteGeometry
from hipstride.map.network import FootNetwork
from hipstride.map.spatial import PIECE_M, SegmentIndex
from hipstride.map.surfaces import OFF_NETWORK_LABEL
from hipstride.track.course import (
    DEFAULT_STEP_M,
    ELEVATION_SIGMA_M,
    GRADE_BASELINE_M,
    GRADE_MAX_PCT,
    POSITION_SIGMA_M,
    SPIKE_ELEVATION_M,
    SPIKE_HALF_WINDOW_M,
    Course,
)
from hipstride.track.geodesy import EARTH_RADIUS_M, local_xy_m, segment_lengths_m
from hipstride.track.smoothing import interpolate_nans
from hipstride.track.surface import UNKNOWN, SurfaceTrack

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Piece = tuple[int, float, float]


def gaussian_smooth(values: FloatArray, sigma_samples: float) -> FloatArray:
    """Gaussian-smooth a 1-D series, ignoring NaN (normalised convolution).

    Samples that are NaN stay NaN; edges are normalised so the series is not pulled towards zero.
    ``sigma_samples`` ≤ 0 returns a copy.
    """
    out = np.array(values, dtype=np.float64, copy=True)
    if sigma_samples <= 0 or out.shape[0] < 3:
        return out
    half = max(1, int(np.ceil(3.0 * sigma_samples)))
    k = np.arange(-half, half + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (k / sigma_samples) ** 2)
    valid = np.isfinite(out)
    filled = np.where(valid, out, 0.0)
    num = np.convolve(filled, kernel, mode="same")
    den = np.convolve(valid.astype(np.float64), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        smoothed = num / den
    if filled.shape[0] < kernel.shape[0]:  # np.convolve 'same' returns max(M, N) samples
        start = (kernel.shape[0] - filled.shape[0]) // 2
        smoothed = smoothed[start:start + filled.shape[0]]
    return np.where(valid, smoothed, np.nan)


def despike(values: FloatArray, half_window: int, threshold: float) -> FloatArray:
    """Set to NaN the samples further than ``threshold`` from the median of their neighbourhood.

    The neighbourhood is ``half_window`` samples either side (a Hampel filter without the scale
    estimate). A spike narrower than ``half_window`` samples is removed whatever its height, while a
    ramp or a step, however steep, keeps its values: the median of a window across a ramp or a step
    is the centre's own value or its side's.
    """
    out = np.array(values, dtype=np.float64, copy=True)
    n = out.shape[0]
    if n < 3 or half_window < 1:
        return out
    finite = ~np.isnan(out)          # ±inf are values here, judged like the others
    if not finite.any():
        return out
    # the median of a window lies between its smallest and largest values, so a sample within
    # ``threshold`` of both cannot be dropped: only the others need their window's median (on
    # a whole course within the band, none does)
    if float(out[finite].max() - out[finite].min()) <= threshold:
        return out
    padded = np.concatenate((np.full(half_window, np.nan), out, np.full(half_window, np.nan)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half_window + 1)
    with np.errstate(invalid="ignore"):
        near = (out - np.fmin.reduce(windows, axis=1) <= threshold) & \
            (np.fmax.reduce(windows, axis=1) - out <= threshold)
    rows = np.flatnonzero(finite & ~near)
    if rows.shape[0] == 0:
        return out
    # the median of each such window's values that are not NaN, all at once: NaN sorts last as
    # +inf, and the middle one (or the mean of the middle two) of the ``count`` kept is taken;
    # the values of ``np.nanmedian`` per window, without its per-call cost
    chosen = windows[rows]
    gap = np.isnan(chosen)
    ordered = np.sort(np.where(gap, np.inf, chosen), axis=1)
    count = chosen.shape[1] - gap.sum(axis=1)
    at = np.arange(rows.shape[0])
    median = (ordered[at, np.maximum(count - 1, 0) // 2] + ordered[at, count // 2]) / 2.0
    with np.errstate(invalid="ignore"):
        out[rows[np.abs(out[rows] - median) > threshold]] = np.nan
    return out


def turning_point_indices(values: FloatArray, threshold: float) -> NDArray[np.int64]:
    """Indices of the first sample, the confirmed peaks and troughs, and the last sample.

    A reversal is only confirmed once the series has moved back by more than ``threshold`` from
    the last extreme, so wiggles smaller than the band (noise, barometric drift) are ignored but
    every larger swing counts in full. NaN samples are skipped. Units are those of ``values``.
    """
    idx = np.flatnonzero(np.isfinite(values))
    if idx.size == 0:
        return np.zeros(0, dtype=np.int64)
    # samples that cannot change what the loop below finds are left out: one equal to the one
    # before it (on a plateau nothing moves by more than a band of 0 or more), and one strictly
    # between its two neighbours (inside a rising or falling stretch, whose last sample moves
    # the extreme as far and confirms any reversal it would have)
    inner = values[idx]
    if threshold >= 0 and inner.shape[0] > 1:
        moved = np.concatenate(([True], inner[1:] != inner[:-1]))
        idx, inner = idx[moved], inner[moved]
    if inner.shape[0] > 2:
        before, mid, after = inner[:-2], inner[1:-1], inner[2:]
        through = ((before < mid) & (mid < after)) | ((before > mid) & (mid > after))
        idx = idx[np.concatenate(([True], ~through, [True]))]
    vals = values[idx].tolist()  # a scalar loop over the samples left
    points = [0]
    ext = 0
    direction = 0  # +1 rising, -1 falling, 0 undecided
    for i in range(1, len(vals)):
        v = vals[i]
        if direction >= 0 and v > vals[ext]:
            ext = i
            direction = 1 if v - vals[points[-1]] > threshold else direction
        elif direction <= 0 and v < vals[ext]:
            ext = i
            direction = -1 if vals[points[-1]] - v > threshold else direction
        elif direction == 1 and vals[ext] - v > threshold:
            points.append(ext)
            ext, direction = i, -1
        elif direction == -1 and v - vals[ext] > threshold:
            points.append(ext)
            ext, direction = i, 1
    if abs(vals[ext] - vals[points[-1]]) > threshold:
        points.append(ext)
    return np.asarray(idx[points], dtype=np.int64)


def climb_descent_per_sample_m(elevation_m: FloatArray, *, threshold_m: float,
                               sigma_samples: float = 2.0) -> tuple[FloatArray, FloatArray]:
    """Climb and descent (m, both ≥ 0) credited to each sample, from the hysteresis turning points.

    The series is smoothed and reduced to its turning points with a band of ``threshold_m``;
    each rise between two turning points is spread over the samples where the running maximum
    grows, each fall where the running minimum drops. The sums are :func:`climb_descent_m`.
    """
    n = elevation_m.shape[0]
    climb, descent = np.zeros(n), np.zeros(n)
    if int(np.count_nonzero(np.isfinite(elevation_m))) < 2:
        return climb, descent
    smooth = interpolate_nans(gaussian_smooth(elevation_m, sigma_samples))
    points = turning_point_indices(smooth, threshold_m)
    for a, b in zip(points[:-1].tolist(), points[1:].tolist(), strict=True):
        seg = smooth[a:b + 1]
        if seg[-1] > seg[0]:
            climb[a + 1:b + 1] = np.diff(np.maximum.accumulate(np.minimum(seg, seg[-1])))
        elif seg[-1] < seg[0]:
            descent[a + 1:b + 1] = -np.diff(np.minimum.accumulate(np.maximum(seg, seg[-1])))
    return climb, descent


def heading_and_lateral(x: FloatArray, y: FloatArray, speed: FloatArray,
                         step_m: float) -> tuple[FloatArray, FloatArray]:
    """Unwrapped compass heading (deg) and lateral acceleration v²·κ (m/s²) along the grid."""
    n = x.shape[0]
    if n < 3 or not np.isfinite(x).any():
        return np.full(n, np.nan), np.zeros(n)
    xf, yf = interpolate_nans(x), interpolate_nans(y)
    dx, dy = np.gradient(xf), np.gradient(yf)
    still = np.hypot(dx, dy) < 1e-6
    theta = np.arctan2(dx, dy)  # compass: 0 = north, +π/2 = east
    theta = np.unwrap(interpolate_nans(np.where(still, np.nan, theta)))
    heading = np.degrees(theta)
    curvature = np.abs(np.gradient(theta, step_m))  # rad per metre
    v = np.nan_to_num(speed, nan=0.0)
    lateral = v * v * gaussian_smooth(curvature, 1.0)
    heading[~np.isfinite(x)] = np.nan
    return heading, np.nan_to_num(lateral, nan=0.0)


def _windows(start: IntArray, stop: IntArray, n: int) -> tuple[IntArray, BoolArray]:
    """Sample indices of each slice ``start[i]:stop[i]`` as rows of one matrix, and which cells
    of each row belong to its slice (rows are padded to the longest slice)."""
    width = int((stop - start).max(initial=1))
    cells = np.arange(max(width, 1))
    inside = cells[None, :] < (stop - start)[:, None]
    return np.minimum(start[:, None] + cells[None, :], n - 1), inside


def _first(mask: BoolArray) -> IntArray:
    """Column of the first ``True`` of each row (``-1`` for a row without one)."""
    return np.where(mask.any(axis=1), mask.argmax(axis=1), -1)


def turn_facts(course: Course, size: FloatArray, a: IntArray, b: IntArray, end: IntArray,
                ) -> tuple[FloatArray, IntArray, FloatArray, FloatArray, FloatArray]:
    """Per candidate ``a:b`` (window end ``end``): median speed (NaN without any), peak sample,
    and the radius parts: heading change ``total`` (NaN: radius ∞), middle arc (NaN: radius 0),
    and the peak lateral acceleration, all candidates at once.

    The median is the middle of the sorted non-NaN speeds (or the mean of the middle two); the
    peak the first largest heading change; the middle arc the path length from the first sample
    past 10 % of the heading change to the first past 90 % (the first finite sample when none
    is), among the samples with a finite heading, NaN when the second comes first.
    """
    n = len(course)
    rows = np.arange(a.shape[0])
    at, inside = _windows(a, end + 1, n)
    # median speed: NaN and the padding sort last (as +inf); the count is of the non-NaN
    speed = course.speed_mps[at]
    valid = inside & ~np.isnan(speed)
    ordered = np.sort(np.where(valid, speed, np.inf), axis=1)
    count = valid.sum(axis=1)
    median = (ordered[rows, count // 2] + ordered[rows, np.maximum(count - 1, 0) // 2]) / 2.0
    median[count == 0] = np.nan
    # peak: the first largest heading change over a:b (sizes are finite and at least 0)
    p_at, p_inside = _windows(a, b, size.shape[0])
    peak = a + np.where(p_inside, size[p_at], -1.0).argmax(axis=1)
    lateral = np.where(inside, course.lateral_accel_mps2[at], -np.inf).max(axis=1)
    # radius: over the samples with a finite heading, between the first and the last of them
    heading, distance = course.heading_deg[at], course.distance_m[at]
    finite = inside & np.isfinite(heading)
    first, last = _first(finite), finite.shape[1] - 1 - _first(finite[:, ::-1])
    enough = finite.sum(axis=1) >= 2
    h0 = heading[rows, np.maximum(first, 0)]
    total = heading[rows, np.maximum(last, 0)] - h0
    with np.errstate(invalid="ignore", divide="ignore"):
        progress = (heading - h0[:, None]) / total[:, None]
    lo, hi = _first(finite & (progress >= 0.1)), _first(finite & (progress >= 0.9))
    lo, hi = np.where(lo < 0, first, lo), np.where(hi < 0, first, hi)
    arc = distance[rows, np.maximum(hi, 0)] - distance[rows, np.maximum(lo, 0)]
    arc[hi <= lo] = np.nan
    total[~enough | (total == 0)] = np.nan
    return median, peak, total, arc, lateral


def _along(net: FootNetwork, edges: IntArray, offset_m: FloatArray,
           ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Latitude, longitude and elevation at ``offset_m`` along each of ``edges`` (linear
    between the edge's shape points, like ``np.interp`` per edge, for all at once)."""
    ptr, off = net.shape_ptr, net.shape_offset_m
    big = float(net.edge_length_m.max(initial=0.0)) + 10.0
    key = net.derived.get("shape_key")
    if not isinstance(key, np.ndarray):     # shape points ordered by (edge, offset), kept
        key = net.derived["shape_key"] = net.shape_edge * big + off
    pos = np.searchsorted(key, edges * big + offset_m, side="right") - 1
    pos = np.clip(pos, ptr[edges], np.maximum(ptr[edges + 1] - 2, ptr[edges]))
    span = off[pos + 1] - off[pos]
    t = np.clip(np.divide(offset_m - off[pos], span, out=np.zeros_like(span), where=span > 0),
                0.0, 1.0)

    def lerp(values: FloatArray) -> FloatArray:
        return np.asarray(values[pos] + t * (values[pos + 1] - values[pos]), dtype=np.float64)

    return lerp(net.shape_lat_deg), lerp(net.shape_lon_deg), lerp(net.shape_elevation_m)


def route_geometry(net: FootNetwork, pieces: list[Piece]) -> RouteGeometry:
    """Points of a route made of edge pieces (consecutive pieces share their joining point).

    Each piece gives its two ends and the edge's shape points strictly between them, in the
    direction run; all pieces are built at once with array operations."""
    if not pieces:
        z = np.zeros(0)
        return RouteGeometry(pieces, z, z, z, z, np.zeros(0, dtype=np.int64))
    table = np.asarray(pieces, dtype=np.float64)
    edges = table[:, 0].astype(np.int64)
    length = net.edge_length_m[edges]
    o0, o1 = table[:, 1] * length, table[:, 2] * length
    forward = o1 >= o0
    lo, hi = np.minimum(o0, o1), np.maximum(o0, o1)
    ptr = net.shape_ptr
    count = ptr[edges + 1] - ptr[edges]
    owner = np.repeat(np.arange(edges.shape[0]), count)
    idx = np.repeat(ptr[edges] - np.concatenate(([0], np.cumsum(count)[:-1])), count) \
        + np.arange(int(count.sum()))
    off = net.shape_offset_m[idx]
    inner = (off > lo[owner]) & (off < hi[owner])
    owner, idx, off = owner[inner], idx[inner], off[inner]
    # rank along each piece: its start first, then inner points in the direction run, its end
    rank = np.where(forward[owner], off, -off)
    n = edges.shape[0]
    ends_lat, ends_lon, ends_elev = _along(net, np.concatenate((edges, edges)),
                                           np.concatenate((o0, o1)))
    piece_of = np.concatenate((np.arange(n), np.arange(n), owner))
    order_rank = np.concatenate((np.full(n, -np.inf), np.full(n, np.inf), rank))
    lat_all = np.concatenate((ends_lat, net.shape_lat_deg[idx]))
    lon_all = np.concatenate((ends_lon, net.shape_lon_deg[idx]))
    elev_all = np.concatenate((ends_elev, net.shape_elevation_m[idx]))
    order = np.lexsort((order_rank, piece_of))
    piece_of, lat_all, lon_all, elevation = (piece_of[order], lat_all[order], lon_all[order],
                                             elev_all[order])
    keep = np.ones(piece_of.shape[0], dtype=bool)
    first_of_piece = np.flatnonzero(np.concatenate(([True], piece_of[1:] != piece_of[:-1])))
    keep[first_of_piece[1:]] = False           # the first point is the previous piece's last
    piece_of, lat_all, lon_all, elevation = (piece_of[keep], lat_all[keep], lon_all[keep],
                                             elevation[keep])
    step_piece = piece_of[1:]
    step_edge = edges[step_piece]
    steps = segment_lengths_m(lat_all, lon_all)
    distance = np.concatenate(([0.0], np.cumsum(steps)))
    if not np.isfinite(elevation).any():
        grade = net.edge_grade_pct[step_edge] * np.where(forward, 1.0, -1.0)[step_piece]
        if np.isfinite(grade).any():
            rise = np.nan_to_num(grade, nan=0.0) / 100.0 * steps
            elevation = np.concatenate(([0.0], np.cumsum(rise)))
    return RouteGeometry(pieces, lat_all, lon_all, distance, elevation, step_edge)


def turn_candidates(course: Course, w: int, min_angle_deg: float,
                    ) -> tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray, FloatArray,
                               FloatArray, FloatArray]:
    """The candidates of ``find_turns`` as it computed them before (``turns._candidates``)."""
    heading = course.heading_deg
    n = heading.shape[0]
    change = heading[w:] - heading[:-w]
    change = np.nan_to_num(change, nan=0.0)
    sign = np.sign(change) * (np.abs(change) >= min_angle_deg)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], sign, [0]))) != 0)
    a_all, b_all = edges[:-1], edges[1:]
    run = sign[a_all] != 0
    a_all, b_all = a_all[run], b_all[run]
    end_all = np.minimum(b_all - 1 + w, n - 1)
    angle_all = heading[end_all] - heading[a_all]
    wide = ~(np.abs(angle_all) < min_angle_deg)
    a_all, b_all, end_all, angle_all = a_all[wide], b_all[wide], end_all[wide], angle_all[wide]
    if a_all.shape[0] == 0:
        z = np.zeros(0)
        zi = np.zeros(0, dtype=np.int64)
        return zi, zi, zi, z, z, z, z, z
    median, peak, total, arc, lateral = turn_facts(course, np.abs(change), a_all, b_all, end_all)
    return a_all, end_all, peak, angle_all, median, total, arc, lateral


def grade_pct_from_elevation(elevation_m: FloatArray, step_m: float) -> FloatArray:
    """Grade in percent from an elevation series sampled every ``step_m`` metres.

    Smoothed, then taken across :data:`GRADE_BASELINE_M`; only differences of elevation are
    used, so an offset in barometric altitude does not matter. NaN where elevation is unknown and
    where the grade is steeper than :data:`GRADE_MAX_PCT` (discarded as error).
    """
    n = elevation_m.shape[0]
    if n < 2 or not np.isfinite(elevation_m).any():
        return np.full(n, np.nan)
    elev = gaussian_smooth(interpolate_nans(elevation_m), ELEVATION_SIGMA_M / step_m)
    k = max(1, round(GRADE_BASELINE_M / step_m / 2))
    if n <= 2 * k:
        grade = np.gradient(elev, step_m) * 100.0
    else:
        grade = np.empty(n)
        grade[k:-k] = (elev[2 * k:] - elev[:-2 * k]) / (2 * k * step_m) * 100.0
        grade[:k] = grade[k]
        grade[-k:] = grade[-k - 1]
    grade[~np.isfinite(elevation_m)] = np.nan
    grade[np.abs(grade) > GRADE_MAX_PCT] = np.nan
    return grade


def despike_elevation_m(elevation_m: FloatArray, step_m: float) -> FloatArray:
    """Elevation on the course with altimeter spikes (:data:`SPIKE_ELEVATION_M`) set to NaN.

    A barometer settling at the start, or a GPS altitude that jumps for a few fixes, leaves
    a spike a few samples wide: the median of the 50 m around it ignores it, so it is dropped
    whatever its height. A steady climb, however steep, and a step (stairs) keep their values.
    """
    cleaned = despike(elevation_m, max(1, round(SPIKE_HALF_WINDOW_M / step_m)), SPIKE_ELEVATION_M)
    dropped = np.isfinite(elevation_m) & ~np.isfinite(cleaned)
    if dropped.any() and np.isfinite(cleaned).sum() >= 2:  # bridge the spike from its neighbours
        cleaned[dropped] = interpolate_nans(cleaned)[dropped]
    return cleaned


def course_from_path(path_distance_m: FloatArray, lat_deg: FloatArray, lon_deg: FloatArray,
                     elevation_m: FloatArray, *, time_s: FloatArray | None = None,
                     speed_mps: FloatArray | None = None, cadence_spm: FloatArray | None = None,
                     reference_speed_mps: float,
                     step_m: float = DEFAULT_STEP_M, smooth_positions: bool = True) -> Course:
    """Resample a path onto a regular distance grid and derive grade, heading and curvature.

    Parameters
    ----------
    path_distance_m
        Non-decreasing distance along the path of each input point, metres.
    lat_deg, lon_deg, elevation_m
        Per input point; NaN where unknown.
    time_s, speed_mps
        Per input point, or ``None`` for a planned route (then ``reference_speed_mps`` is used
        for lateral acceleration: the profile's ``reference_speed_mps``, passed in by the caller).
    cadence_spm
        Step rate per input point (NaN where not running), or ``None``.
    smooth_positions
        Smooth GPS noise (recorded tracks); off for map geometry, which has none.
    """
    total = float(path_distance_m[-1]) if path_distance_m.size else 0.0
    n_grid = int(np.floor(total / step_m)) + 1 if total > 0 else 1
    grid = np.arange(n_grid, dtype=np.float64) * step_m
    if total > 0 and grid[-1] < total - 1e-6:
        grid = np.append(grid, total)
    s, first = _distinct(path_distance_m)

    def on_grid(values: FloatArray | None) -> FloatArray:
        if values is None or s.size < 2:
            return np.full(grid.shape[0], np.nan)
        v = values[first]
        ok = np.isfinite(v)
        if ok.sum() < 2:
            return np.full(grid.shape[0], np.nan)
        out = np.interp(grid, s[ok], v[ok])
        # do not invent values beyond the span that has data (e.g. GPS lost at the end)
        out[(grid < s[ok][0] - step_m) | (grid > s[ok][-1] + step_m)] = np.nan
        return out

    has_pos = np.count_nonzero(np.isfinite(lat_deg)) >= 2
    if has_pos:
        lat0 = float(np.nanmean(lat_deg))
        lon0 = float(np.nanmean(lon_deg))
        x, y = local_xy_m(lat_deg, lon_deg, lat0, lon0)
        gx, gy = on_grid(x), on_grid(y)
        if smooth_positions:
            sigma = POSITION_SIGMA_M / step_m
            gx, gy = gaussian_smooth(gx, sigma), gaussian_smooth(gy, sigma)
        k = np.pi / 180.0 * EARTH_RADIUS_M
        glat = lat0 + gy / k
        glon = lon0 + gx / (k * np.cos(np.radians(lat0)))
    else:
        gx = gy = glat = glon = np.full(grid.shape[0], np.nan)

    elev = despike_elevation_m(on_grid(elevation_m), step_m)
    grade = grade_pct_from_elevation(elev, step_m)
    gtime = on_grid(time_s)
    gspeed = on_grid(speed_mps)
    if not np.isfinite(gspeed).any():
        gspeed = np.full(grid.shape[0], reference_speed_mps if time_s is None else np.nan)
    heading, lateral = heading_and_lateral(gx, gy, gspeed, step_m)
    return Course(step_m, grid, glat, glon, gx, gy, elev, grade, gtime, gspeed, heading, lateral,
                  on_grid(cadence_spm))


def _distinct(values: FloatArray) -> tuple[FloatArray, NDArray[np.intp]]:
    """``np.unique(values, return_index=True)``: the distinct values and where each first
    occurs; on a path's distances, already in order, by comparing neighbours (no sort)."""
    if values.shape[0] > 1 and bool((values[1:] >= values[:-1]).all()):   # sorted, no NaN
        new = np.empty(values.shape[0], dtype=bool)
        new[0] = True
        np.not_equal(values[1:], values[:-1], out=new[1:])
        first = np.flatnonzero(new)
        return values[first], first
    s, first = np.unique(values, return_index=True)
    return s, first


def _ordered_way_ids(net: FootNetwork, edges: IntArray) -> list[int]:
    """OSM way ids along a sequence of edges, consecutive repeats collapsed."""
    used = edges[edges >= 0]
    if used.size == 0:
        return []
    ways = net.way_osm_id[net.edge_way[used]]
    keep = np.concatenate(([True], ways[1:] != ways[:-1]))
    way_ids: list[int] = ways[keep].tolist()
    return way_ids


def surface_for_edges(net: FootNetwork, edges: IntArray, *, matched_share: float | None = None,
                      ) -> SurfaceTrack:
    """Surface of a course whose samples lie on the given edges (``-1`` = off the network)."""
    on = edges >= 0
    e = np.maximum(edges, 0)
    classes = np.where(on, net.edge_surface_class[e], UNKNOWN).astype(np.int8)
    confidence = np.where(on, net.edge_surface_confidence[e], 0.0).astype(np.float64)
    label_index = np.where(on, net.edge_surface_raw[e], -1)
    # each sample's label, looked up at once in the map's strings (off network: the last entry)
    labels = net.derived.get("surface_labels")
    if not isinstance(labels, np.ndarray):
        labels = net.derived["surface_labels"] = np.append(net.strings.astype(object),
                                                           OFF_NETWORK_LABEL)
    raw: list[str] = labels[label_index].tolist()
    return SurfaceTrack("map", classes, confidence, raw,
                        matched_share=matched_share, way_ids=_ordered_way_ids(net, edges))


def nearest(self: SegmentIndex, x_m: float, y_m: float, *, radius_m: float, pieces: int = 48,
            ) -> tuple[int, float, float, float, float] | None:
    """The nearest position within ``radius_m`` of one point: ``(edge, offset_m,
    distance_m, x_m, y_m)``, or ``None``; :meth:`query` with ``k=1`` for one point, the same
    arithmetic on one row (the nearest candidate, the first of equals), without the per-edge
    ranking that ``k > 1`` needs."""
    if self.tree is None:
        return None
    n_tree = self.tree.n
    _, hit = self.tree.query(np.array([[x_m, y_m]]), k=min(pieces, n_tree),
                             distance_upper_bound=radius_m + PIECE_M / 2.0 + 1e-6)
    hit = np.asarray(hit).reshape(-1)
    found = hit < n_tree
    sidx = np.maximum(np.where(found, self.piece_segment[np.minimum(hit, n_tree - 1)], -1), 0)
    ax, ay = self.x0[sidx], self.y0[sidx]
    dx, dy = self.x1[sidx] - ax, self.y1[sidx] - ay
    den = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(den > 0, ((x_m - ax) * dx + (y_m - ay) * dy) / den, 0.0), 0.0, 1.0)
    qx, qy = ax + t * dx, ay + t * dy
    dist = np.hypot(x_m - qx, y_m - qy)
    dist = np.where(found & (dist <= radius_m), dist, np.inf)
    i = int(np.argmin(dist))
    if not np.isfinite(dist[i]):
        return None
    s = int(sidx[i])
    return (int(self.edge[s]), float(self.offset0[s] + t[i] * self.length[s]), float(dist[i]),
            float(qx[i]), float(qy[i]))
