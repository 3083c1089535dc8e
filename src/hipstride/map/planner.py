"""Planning: hip-friendly loops and A→B routes, each beside the plain shortest one.

:func:`plan_loops` and :func:`plan_route` snap the request onto the map
(:func:`~hipstride.map.spatial.snap_point`), search on the hip-load arc costs
(:mod:`hipstride.map.costs`, :mod:`hipstride.map._search`), then evaluate every route exactly like
a recorded run (:mod:`hipstride.map.evaluate`). The *baseline* is the same method on plain
length, so a runner sees what the hip-friendly choice costs in distance and buys in hip load.

Loops are ranked by the hip-load index they report, and by nothing else; the same request gives
the same loops (``seed`` 0 unless another is asked for), so the loop a runner looked at is the one
exported. An A→B route is chosen the same way: the search's route and the shortest one are both
scored, and the one with the lower reported index is shown first, so the chosen route is never
worse than the baseline shown beside it by that index (the search's arc costs approximate the
model's turn term, which the course scores on the resampled path; on a few pairs per map the two
disagree by a little). The ``[planner]`` knobs (bends, U-turns, steps) steer the search only; the
shipped profile does not weight steps (``steps_factor`` 1), which the model sees by their grade.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hipstride.errors import InputError
from hipstride.map._search import Place, search, search_index
from hipstride.map.evaluate import RouteSummary, evaluate_route
from hipstride.map.loops import (
    LENGTH_TOLERANCE,
    MAX_REPEAT_SHARE,
    MAX_SHARED_SHARE,
    LoopCandidate,
    find_loops,
    loop_overlap_m,
)
from hipstride.map.network import ATTRIBUTION, FootNetwork
from hipstride.map.spatial import Snap, snap_point
from hipstride.model.profile import Profile, default_profile

__all__ = ["DEFAULT_SEED", "MAX_LOOP_KM", "Plan", "plan_loops", "plan_route"]

#: Longest loop hipstride plans, km.
MAX_LOOP_KM = 100.0
#: Shortest loop hipstride plans, km.
MIN_LOOP_KM = 0.5


@dataclass(frozen=True)
class Plan:
    """Planned routes (best first), their baseline, and what happened on the way."""

    kind: str
    map_name: str
    profile_name: str
    request: dict[str, Any]
    start: Snap
    end: Snap | None
    routes: list[RouteSummary]
    baseline: RouteSummary | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self, *, coordinates: bool = True) -> dict[str, Any]:
        """The JSON document of ``hipstride route … --json``."""
        base = self.baseline.to_dict(coordinates=coordinates) if self.baseline else None
        routes = []
        for rank, r in enumerate(self.routes, start=1):
            d = {"rank": rank, **r.to_dict(coordinates=coordinates)}
            if self.baseline is not None:
                d["vs_baseline"] = _delta(r, self.baseline)
            routes.append(d)
        out: dict[str, Any] = {
            "kind": self.kind, "map": self.map_name, "profile": self.profile_name,
            "request": self.request,
            "start": _snap_dict(self.start),
            **({"end": _snap_dict(self.end)} if self.end is not None else {}),
            "routes": routes,
            "baseline": base,
            "notes": self.notes,
            "attribution": ATTRIBUTION,
        }
        return out


def _snap_dict(s: Snap) -> dict[str, Any]:
    return {"lat": round(s.lat_deg, 6), "lon": round(s.lon_deg, 6),
            "snapped_m": round(s.distance_m, 1)}


def _delta(r: RouteSummary, b: RouteSummary) -> dict[str, Any]:
    ri, bi = r.hip_load.index, b.hip_load.index
    w_r, w_b = r.hip_load.weights_m, b.hip_load.weights_m
    return {
        "distance_m": round(r.distance_m - b.distance_m, 1),
        "hip_load_index": None if ri is None or bi is None else round(ri - bi, 4),
        "hard_share": round(r.surface.shares(w_r)["hard"] - b.surface.shares(w_b)["hard"], 4),
        "sharp_turns": sum(t.sharp for t in r.turns) - sum(t.sharp for t in b.turns),
        "steps_m": round(r.steps_m - b.steps_m, 1),
    }


def _snap_note(net: FootNetwork, snap: Snap, what: str) -> str | None:
    if snap.distance_m < 15.0:
        return None
    way = int(net.edge_way[snap.edge])
    highway = net.way_tag(way, "highway") or "way"
    name = net.way_tag(way, "name")
    label = f"highway={highway}" + (f" '{name}'" if name else "")
    return f"The {what} was moved {snap.distance_m:.0f} m onto the nearest usable way ({label})."


def _grade_note(net: FootNetwork, route: RouteSummary) -> str | None:
    """Say where grades come from when the map has no elevation model."""
    if net.meta.get("dem"):
        return None
    geo = route.geometry
    steps = np.diff(geo.distance_m)
    known = np.isfinite(net.edge_grade_pct[geo.step_edge])
    share = float(steps[known].sum() / steps.sum()) if steps.size and steps.sum() > 0 else 0.0
    return (f"This map has no elevation model (import it again with a DEM): grades come from incline "
            f"tags, which cover {share:.0%} of the best route, so climb and descent count only "
            "those stretches.")


def _check_loop_feasible(net: FootNetwork, snap: Snap, distance_m: float) -> None:
    """Refuse requests the ways around the start cannot possibly meet."""
    comp = int(net.node_component[net.edge_from[snap.edge]])
    x, y = net.node_xy_m
    sx, sy = net.to_xy_m(np.array([snap.lat_deg]), np.array([snap.lon_deg]))
    in_comp = net.node_component == comp
    reach = np.hypot(x - sx[0], y - sy[0])
    far = float(reach[in_comp].max(initial=0.0))
    near = in_comp[net.edge_from] & (reach[net.edge_from] <= distance_m / 2.0)
    available = float(net.edge_length_m[near].sum())
    km = distance_m / 1000.0
    if available < distance_m or far < distance_m / 16.0:
        raise InputError(
            f"a {km:g} km loop cannot be planned from here on map '{net.name}': the ways "
            f"connected to the start add up to {available / 1000.0:.1f} km within "
            f"{km / 2:g} km and reach at most {far / 1000.0:.1f} km away; "
            "ask for a shorter loop or import a larger map")


def _rank_key(r: RouteSummary) -> float:
    """What loops are ranked by: the hip-load index each reports (no hidden penalty)."""
    if r.hip_load.index is None or r.distance_m <= 0:
        return math.inf
    return r.hip_load.index


#: Seed of the loops when the request names none: the same request gives the same loops.
DEFAULT_SEED = 0


def _steps_note(route: RouteSummary, profile: Profile) -> str | None:
    """Say what the steps knob did where the best route still takes steps (when it is set)."""
    if route.steps_m <= 0 or profile.planner.steps_factor == 1.0:
        return None
    return (f"The best route takes {route.steps_m:.0f} m of steps: the planner counts steps "
            f"{profile.planner.steps_factor:g} times their length while searching ([planner] "
            "steps_factor) so that it takes them only to avoid a long detour; the hip-load index "
            "counts them by their grade only.")


def plan_loops(net: FootNetwork, *, start_lat_deg: float, start_lon_deg: float,
               distance_m: float, profile: Profile | None = None, count: int = 3,
               seed: int | None = None) -> Plan:
    """Plan ``count`` distinct hip-friendly loops of ``distance_m`` from a start point.

    Loops come best first: in the order of the hip-load index each reports. ``profile`` is the
    default profile when ``None``. The same request always gives the same loops; ``seed``
    (:data:`DEFAULT_SEED` when ``None``) draws another set.

    Raises
    ------
    hipstride.errors.InputError
        When the start is far from every usable way, the length or count is out of range, or
        the length cannot be met there.
    """
    profile = profile or default_profile()
    seed = DEFAULT_SEED if seed is None else seed
    distance_km = distance_m / 1000.0
    start_lat, start_lon = start_lat_deg, start_lon_deg
    if not MIN_LOOP_KM <= distance_km <= MAX_LOOP_KM:
        raise InputError(f"loop length must be between {MIN_LOOP_KM:g} and {MAX_LOOP_KM:g} km")
    if not 1 <= count <= 10:
        raise InputError(f"count must be between 1 and 10, got {count}")
    if seed is not None and seed < 0:  # numpy's generators take no negative seed
        raise InputError(f"seed must be a whole number from 0, got {seed}")
    target = distance_m
    snap = snap_point(net, start_lat, start_lon, component=net.main_component)
    _check_loop_feasible(net, snap, target)
    notes = [n for n in [_snap_note(net, snap, "start")] if n]
    start = Place(edge=snap.edge, fraction=snap.fraction)
    sx, sy = net.to_xy_m(np.array([snap.lat_deg]), np.array([snap.lon_deg]))
    xy = (float(sx[0]), float(sy[0]))

    hip = search_index(net, profile, "hip")
    found, closest = find_loops(hip, start, xy, target, count=count, seed=seed)
    if not found:
        near = ""
        if closest is not None:
            near = (f" (the closest was {closest.length_m / 1000.0:.1f} km with "
                    f"{closest.repeated_share:.0%} of it run twice)")
        raise InputError(
            f"no loop of {distance_km:g} km (±{LENGTH_TOLERANCE:.0%}, at most "
            f"{MAX_REPEAT_SHARE:.0%} run twice) could be found from ({start_lat:.5f}, "
            f"{start_lon:.5f}) on map '{net.name}'{near}; try another length or start")
    evaluated = sorted(((c, evaluate_route(net, c.pieces, profile)) for c in found),
                       key=lambda ce: _rank_key(ce[1]))
    # the baseline: the same method on plain length, following the best loop's shape first
    best = evaluated[0][0]
    base_found, _ = find_loops(search_index(net, profile, "length"), start, xy, target, count=1,
                               seed=seed, attempts=4,
                               shapes=[(best.bearing_deg, best.waypoints, best.clockwise)])
    base_evaluated = [(c, evaluate_route(net, c.pieces, profile)) for c in base_found]
    baseline = base_evaluated[0][1] if base_evaluated else None
    if baseline is None:
        notes.append("No shortest-path loop of this length was found to compare with.")
    # a loop found on plain length may still be the hip-friendliest: it competes too
    pool = sorted(evaluated + base_evaluated, key=lambda ce: _rank_key(ce[1]))
    chosen: list[tuple[LoopCandidate, RouteSummary]] = []
    for cand, summary in pool:
        if all(loop_overlap_m(cand, c) < MAX_SHARED_SHARE * min(cand.length_m, c.length_m)
               for c, _ in chosen):
            chosen.append((cand, summary))
        if len(chosen) == count:
            break
    if len(chosen) < count:
        notes.append(f"Only {len(chosen)} distinct loop(s) of this length were found here.")
    if base_evaluated and chosen[0][1] is base_evaluated[0][1]:
        notes.append("Here the shortest loop of this length is also the hip-friendliest one.")
    notes.extend(n for n in (_steps_note(chosen[0][1], profile), _grade_note(net, chosen[0][1]))
                 if n)
    request = {"start": [start_lat, start_lon], "distance_km": distance_km, "count": count,
               "seed": seed}
    return Plan("loop", net.name, profile.name, request, snap, None,
                [s for _, s in chosen], baseline, notes)


def plan_route(net: FootNetwork, *, start_lat_deg: float, start_lon_deg: float,
               end_lat_deg: float, end_lon_deg: float, profile: Profile | None = None) -> Plan:
    """Plan the hip-friendliest route from the start to the end, beside the shortest one.

    ``profile`` is the default profile when ``None``. The route shown first is the search's or
    the shortest one, whichever reports the lower hip-load index (the shortest on a tie), so it
    is never worse than the baseline by that index.

    Raises
    ------
    hipstride.errors.InputError
        When either point is far from every usable way.
    """
    profile = profile or default_profile()
    start, end = (start_lat_deg, start_lon_deg), (end_lat_deg, end_lon_deg)
    comp = net.main_component
    s = snap_point(net, start[0], start[1], component=comp, what="start")
    e = snap_point(net, end[0], end[1], component=comp, what="end")
    notes = [n for n in (_snap_note(net, s, "start"), _snap_note(net, e, "end")) if n]
    origin, goal = Place(edge=s.edge, fraction=s.fraction), Place(edge=e.edge, fraction=e.fraction)
    best = search(search_index(net, profile, "hip"), origin, goal)
    shortest = search(search_index(net, profile, "length"), origin, goal)
    if best is None or shortest is None:  # pragma: no cover - same component, always connected
        raise InputError("no route joins the start and the end on this map")
    found = evaluate_route(net, best.pieces, profile)
    baseline = found if shortest.pieces == best.pieces else \
        evaluate_route(net, shortest.pieces, profile)
    routes = [found]
    if _rank_key(baseline) <= _rank_key(found):
        routes = [baseline]
        if _rank_key(baseline) < _rank_key(found):
            notes.append(f"Here the shortest route is also the hip-friendliest: the search's "
                         f"detour scored {_rank_key(found):.3f}, the shortest "
                         f"{_rank_key(baseline):.3f}.")
    notes.extend(n for n in (_steps_note(routes[0], profile), _grade_note(net, routes[0])) if n)
    request = {"start": list(start), "end": list(end)}
    return Plan("route", net.name, profile.name, request, s, e, routes, baseline, notes)
