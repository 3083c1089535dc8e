"""The planner: a surface map of a stored extract, loops or A→B routes, and their downloads.

The page draws the ways of the current view only, from ``/api/maps/<name>/ways`` (the view's
box; :func:`hipstride.report.map_view.ways_in_box`), so a city map is never sent whole. A click
sets the start (and, for A→B, the end); ``/api/plan`` plans with
:func:`hipstride.map.planner.plan_loops` or :func:`~hipstride.map.planner.plan_route`, exactly as
``hipstride route loop`` and ``route to`` do, and returns the plan's own document (routes best
first, the shortest-route baseline, hip-load index of each). Planning with a seed is
reproducible, so the GPX download plans again from the same request rather than keeping state.
A map is named only by the names :func:`hipstride.map.store.list_maps` gives, never used as a
path as sent.

Downloads: every route as GPX, or one route (``route``, 1 the best) as a FIT course
(:func:`hipstride.map.export.plan_to_fit_course`), the file a watch follows.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from hipstride.errors import InputError
from hipstride.web.app import network, page

__all__ = ["PROFILES", "blueprint"]

blueprint = Blueprint("planner", __name__)

#: The shipped profiles the planner offers (``hipstride route --profile``).
PROFILES = ("default", "flat-soft")
#: The seed of every plan made here (a download then gets the same loops as the page).
SEED = 1


def _map_names() -> list[str]:
    from hipstride.map.store import list_maps

    return [m.name for m in list_maps(g.home)]


def _known_map(name: str | None) -> str:
    names = _map_names()
    if not names:
        raise InputError("no stored map yet: import an extract with `hipstride map import`")
    if name is None or name not in names:
        raise InputError(f"no stored map called {name!r}; stored maps: {', '.join(names)}")
    return name


def _number(args: Any, key: str) -> float:
    raw = args.get(key)
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise InputError(f"{key} must be a number, got {raw!r}") from None


@blueprint.get("/planner")
def planner() -> Response:
    """The planner page: the stored maps, the profiles, the map and the form."""
    from hipstride.map.store import list_maps
    from hipstride.report.map_view import view_centre

    stored = list_maps(g.home)
    chosen = request.args.get("map") or (stored[0].name if stored else None)
    maps: list[dict[str, Any]] = []
    for m in stored:  # only the chosen map is loaded; another opens on its box's middle
        s, w, n, e = m.bbox
        centre = view_centre(network(m.name)) if m.name == chosen else ((s + n) / 2, (w + e) / 2)
        maps.append({"name": m.name, "bbox": list(m.bbox), "centre": list(centre)})
    profile = request.args.get("profile", "default")
    return page("planner.html.j2", title="Planner", maps=maps, chosen=chosen,
                profiles=PROFILES, profile=profile if profile in PROFILES else "default",
                distance_km=request.args.get("km", "5"),
                start={k: request.args.get(k, "") for k in ("lat", "lon", "end_lat", "end_lon")},
                kind="to" if request.args.get("kind") == "to" else "loop",
                auto_plan=request.args.get("plan") == "1")


@blueprint.get("/api/maps")
def maps_json() -> Response:
    """The stored maps with their boxes (``hipstride map list --json``, in short)."""
    from hipstride.map.store import list_maps

    return jsonify([{"name": m.name, "bbox": list(m.bbox), "length_km": m.meta.get("length_km"),
                     "attribution": m.meta.get("attribution")} for m in list_maps(g.home)])


@blueprint.get("/api/maps/<name>/ways")
def ways(name: str) -> Response:
    """The ways of the view box ``?s=&w=&n=&e=`` (degrees), coloured by surface class."""
    from hipstride.report.map_view import ways_in_box

    net = network(_known_map(name))
    box = (_number(request.args, "s"), _number(request.args, "w"),
           _number(request.args, "n"), _number(request.args, "e"))
    return jsonify(ways_in_box(net, box))


#: Plans kept by request (the page's plan, then its GPX download, are planned once).
PLANS_KEPT = 4
_KEYS = ("map", "kind", "profile", "lat", "lon", "km", "count", "end_lat", "end_lon")


def _plan(args: Any) -> tuple[Any, Any]:
    """The plan a request asks for, and its map; the last few are kept (planning is
    deterministic: the same request gives the same plan while the map is unchanged)."""
    from flask import current_app

    key = tuple(str(args.get(k, "")) for k in _KEYS)
    cache: OrderedDict[tuple[str, ...], tuple[Any, Any]] = current_app.extensions.setdefault(
        "hipstride_plans", OrderedDict())
    lock = current_app.extensions["hipstride_maps_lock"]
    net = network(_known_map(args.get("map")))
    with lock:
        found = cache.get(key)
        if found is not None and found[1] is net:
            cache.move_to_end(key)
            return found
    plan = _make_plan(args, net)  # outside the lock: planning takes a second or two
    with lock:
        cache[key] = (plan, net)
        while len(cache) > PLANS_KEPT:
            cache.popitem(last=False)
    return plan, net


def _make_plan(args: Any, net: Any) -> Any:
    from hipstride.map.planner import plan_loops, plan_route
    from hipstride.model.profile import load_profile

    profile_name = args.get("profile") or "default"
    if profile_name not in PROFILES:
        raise InputError(f"profile must be one of {', '.join(PROFILES)}, got {profile_name!r}")
    profile = load_profile(None if profile_name == "default" else profile_name)
    lat, lon = _number(args, "lat"), _number(args, "lon")
    if args.get("kind", "loop") == "to":
        plan = plan_route(net, start_lat_deg=lat, start_lon_deg=lon,
                          end_lat_deg=_number(args, "end_lat"), end_lon_deg=_number(args, "end_lon"),
                          profile=profile)
    else:
        count = int(_number(args, "count")) if args.get("count") else 3
        plan = plan_loops(net, start_lat_deg=lat, start_lon_deg=lon,
                          distance_m=_number(args, "km") * 1000.0, profile=profile, count=count,
                          seed=SEED)
    return plan


@blueprint.post("/api/plan")
def plan_json() -> Response:
    """Plan loops (``kind=loop``: ``lat``, ``lon``, ``km``) or A→B (``kind=to``: also
    ``end_lat``, ``end_lon``) on ``map`` with ``profile``; the plan's JSON document."""
    args: Any = request.form
    if request.is_json:
        args = request.get_json(silent=True)
        if not isinstance(args, dict):
            raise InputError("the plan request must be a JSON object")
    plan, _ = _plan(args)
    return jsonify(plan.to_dict())


@blueprint.get("/planner/plan.gpx")
def plan_gpx() -> Response:
    """The same plan as GPX 1.1 (one track per route, best first) for a watch or an app."""
    from hipstride.map.export import plan_to_gpx

    plan, net = _plan(request.args)
    body = plan_to_gpx(plan, with_elevation=bool(net.meta.get("dem")))
    return Response(body, mimetype="application/gpx+xml",
                    headers={"Content-Disposition": f'attachment; filename="hipstride-{plan.kind}.gpx"'})


@blueprint.get("/planner/plan.fit")
def plan_fit() -> Response:
    """One route of the same plan (``route``, 1 the best) as a FIT course for the watch."""
    from hipstride.map.export import plan_to_fit_course

    plan, net = _plan(request.args)
    raw = request.args.get("route", "1")
    if not raw.isdigit():
        raise InputError(f"route must be a route's rank (1, 2, …), got {raw!r}")
    body = plan_to_fit_course(plan, int(raw), with_elevation=bool(net.meta.get("dem")))
    return Response(body, mimetype="application/vnd.ant.fit", headers={
        "Content-Disposition": f'attachment; filename="hipstride-{plan.kind}-{raw}.fit"'})
