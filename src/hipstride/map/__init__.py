"""The map: OpenStreetMap extracts as compact foot networks, map matching and route planning.

* :func:`read_osm` reads an extract once into a :class:`FootNetwork` (:mod:`.osm_import`, foot
  access in :mod:`.access`, surface rules in :mod:`.surface_rules`), stored and listed with
  :func:`import_map`, :func:`save_map`, :func:`load_map` and :func:`list_maps` (:mod:`.store`).
* :func:`match_track` matches a GPS track to the network (:mod:`.matching`);
  :func:`surface_for_course` turns that into the surface of a run (:mod:`.surfaces`).
* :func:`plan_loops` and :func:`plan_route` plan hip-friendly runs (:mod:`.planner`): arc costs
  from the hip-load model's own terms (:mod:`.costs`), snapping (:mod:`.spatial`), the exact search
  (:mod:`._search`, compiled in :mod:`._astar`, steered by :mod:`._landmarks`), loops (:mod:`.loops`) and routes scored as courses
  (:mod:`.evaluate`); GPX export in :mod:`.export`, the HTML view in :mod:`hipstride.report.plan_page`.

Everything derived from OpenStreetMap carries :data:`ATTRIBUTION` ("© OpenStreetMap contributors").

The names are loaded on first use (PEP 562): ``import hipstride.map.store`` runs this file, and
asking whether a stored map covers a run must not import scipy (matching, routing) or osmium
(the extract reader).
"""

from __future__ import annotations

from hipstride._lazy import lazy_names

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (a tenth of a bare start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from hipstride.map.matching import MatchResult, match_track
    from hipstride.map.network import ATTRIBUTION, FootNetwork
    from hipstride.map.osm_import import read_osm
    from hipstride.map.planner import Plan, plan_loops, plan_route
    from hipstride.map.store import MapInfo, import_map, list_maps, load_map, save_map
    from hipstride.map.surfaces import surface_for_course

__all__ = ["ATTRIBUTION", "FootNetwork", "MapInfo", "MatchResult", "Plan", "import_map",
           "list_maps", "load_map", "match_track", "plan_loops", "plan_route", "read_osm",
           "save_map", "surface_for_course"]

#: Where each exported name lives (module of this package).
_HOMES: dict[str, str] = {
    "ATTRIBUTION": ".network",
    "FootNetwork": ".network",
    "MapInfo": ".store",
    "MatchResult": ".matching",
    "Plan": ".planner",
    "import_map": ".store",
    "list_maps": ".store",
    "load_map": ".store",
    "match_track": ".matching",
    "plan_loops": ".planner",
    "plan_route": ".planner",
    "read_osm": ".osm_import",
    "save_map": ".store",
    "surface_for_course": ".surfaces",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES, globals())
