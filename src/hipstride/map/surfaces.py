"""Surface from the map: a :class:`~hipstride.track.surface.SurfaceTrack` with ``source="map"``.

A recorded course gets its surface by map matching (:func:`surface_for_course`); a planned route
knows its edges already (:func:`surface_for_edges`). Both give each course sample the class,
confidence and raw label of the way under it, so analysis and planning see the same surface.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from hipstride.map.matching import MatchResult, match_track
from hipstride.map.network import FootNetwork, IntArray
from hipstride.model.hipload import sample_weights_m
from hipstride.track.course import Course
from hipstride.track.surface import UNKNOWN, SurfaceTrack

__all__ = ["NO_POSITION_LABEL", "OFF_NETWORK_LABEL", "map_surface_provider", "surface_for_course",
           "surface_for_edges"]

#: Raw label of course samples that no way explains.
OFF_NETWORK_LABEL = "off network"
#: Raw label of course samples without a GPS position (nothing to match).
NO_POSITION_LABEL = "no position"


def _ordered_way_ids(net: FootNetwork, edges: IntArray) -> list[int]:
    """OSM way ids along a sequence of edges, consecutive repeats collapsed."""
    used = edges[edges >= 0]
    if used.size == 0:
        return []
    ways = net.way_osm_id[net.edge_way[used]]
    keep = np.concatenate(([True], ways[1:] != ways[:-1]))
    return [int(w) for w in ways[keep]]


def surface_for_edges(net: FootNetwork, edges: IntArray, *, matched_share: float | None = None,
                      ) -> SurfaceTrack:
    """Surface of a course whose samples lie on the given edges (``-1`` = off the network)."""
    on = edges >= 0
    e = np.maximum(edges, 0)
    classes = np.where(on, net.edge_surface_class[e], UNKNOWN).astype(np.int8)
    confidence = np.where(on, net.edge_surface_confidence[e], 0.0).astype(np.float64)
    label_index = np.where(on, net.edge_surface_raw[e], -1)
    labels = {int(i): net.string(int(i)) for i in np.unique(label_index[on])}
    raw = [labels[i] if i >= 0 else OFF_NETWORK_LABEL for i in label_index.tolist()]
    return SurfaceTrack("map", classes, confidence, raw,
                        matched_share=matched_share, way_ids=_ordered_way_ids(net, edges))


def surface_for_course(net: FootNetwork, course: Course) -> SurfaceTrack:
    """Surface of a recorded course from the map, by matching its samples to the network.

    Parameters
    ----------
    net
        The foot network that covers the run.
    course
        The course of the run (:func:`hipstride.track.course.course_from_path`).

    Returns
    -------
    SurfaceTrack
        ``source="map"``; per sample the class, confidence and raw OSM surface label of the
        matched way (unknown with confidence 0 and the label ``"off network"`` where nothing
        matched, ``"no position"`` where the recording has no position), the share of the
        positioned part of the course that matched (by distance) and the way ids used, in order.
    """
    result: MatchResult = match_track(net, course.lat_deg, course.lon_deg)
    weights = sample_weights_m(course)
    located = np.isfinite(course.lat_deg) & np.isfinite(course.lon_deg)
    total = float(weights[located].sum())
    share = float(weights[result.edge >= 0].sum()) / total if total > 0 else 0.0
    track = surface_for_edges(net, result.edge, matched_share=round(share, 4))
    if track.raw is not None and not located.all():
        for i in np.flatnonzero(~located).tolist():
            track.raw[i] = NO_POSITION_LABEL
    return track

_LOADED: dict[tuple[str, str], FootNetwork] = {}


def map_surface_provider(lat_deg: np.ndarray, lon_deg: np.ndarray, map_name: str | None = None,
                         home: str | Path | None = None,
                         ) -> tuple[Callable[[Course], SurfaceTrack] | None, str | None]:
    """The map surface for a run: from the named map, else from the one stored map covering it.

    Returns the provider to hand to :func:`hipstride.analysis.analyze_activity` (``None`` when no
    map applies) and a message saying which map was picked automatically (or ``None``).

    Raises
    ------
    hipstride.errors.InputError
        When ``map_name`` names no stored map.
    """
    from hipstride.map.store import find_maps_covering, load_map, maps_dir

    message = None
    if map_name is None:
        if not np.isfinite(lat_deg).any():
            return None, None
        covering = find_maps_covering(lat_deg, lon_deg, home)
        if len(covering) != 1:
            return None, None
        map_name = covering[0].name
        message = f"surface from stored map '{map_name}' (the one stored map that covers this run)"
    npz = maps_dir(home) / f"{map_name}.npz"
    key = (str(npz), str(npz.stat().st_mtime_ns) if npz.is_file() else "")
    net = _LOADED.get(key)
    if net is None:
        _LOADED.clear()
        net = _LOADED[key] = load_map(map_name, home)
    network = net

    def provider(course: Course) -> SurfaceTrack:
        return surface_for_course(network, course)

    return provider, message
