"""The map: OpenStreetMap extracts as compact foot networks, map matching and route planning.

* :func:`read_osm` reads an extract once into a :class:`FootNetwork` (:mod:`.osm_import`, foot
  access in :mod:`.access`, surface rules in :mod:`.surface_rules`), stored and listed with
  :func:`save_map`, :func:`load_map` and :func:`list_maps` (:mod:`.store`).
* :func:`match_track` matches a GPS track to the network (:mod:`.matching`);
  :func:`surface_for_course` turns that into the surface of a run (:mod:`.surfaces`).
* :func:`plan_loops` and :func:`plan_route` plan hip-friendly runs (:mod:`.planner`, on
  :mod:`.routing`, :mod:`.loops` and :mod:`.evaluate`), exported by :mod:`.export`.

Everything derived from OpenStreetMap carries :data:`ATTRIBUTION` ("© OpenStreetMap contributors").
"""

from hipstride.map.matching import MatchResult, match_track
from hipstride.map.network import ATTRIBUTION, FootNetwork
from hipstride.map.osm_import import read_osm
from hipstride.map.planner import Plan, plan_loops, plan_route
from hipstride.map.store import MapInfo, list_maps, load_map, save_map
from hipstride.map.surfaces import surface_for_course

__all__ = ["ATTRIBUTION", "FootNetwork", "MapInfo", "MatchResult", "Plan", "list_maps", "load_map",
           "match_track", "plan_loops", "plan_route", "read_osm", "save_map", "surface_for_course"]
