"""hipstride: a local-first toolkit that helps runners keep their hips healthy.

The curated Python API, for a script or a notebook (``docs/python-api.md`` has a worked example)::

    import hipstride as hs

    run = hs.analyze_activity(hs.read_activity("morning-run.fit"))
    print(run.hip_load.index, run.hip_load.factors)

* reading: :func:`read_activity` (FIT, GPX, TCX; plain or gzipped), :class:`OnError`,
  :class:`Activity`;
* the hip-load model: :func:`analyze_activity`, :class:`RunAnalysis`, :func:`load_profile`,
  :func:`default_profile`, :class:`Profile`;
* maps and routes: :func:`read_osm`, :func:`import_map`, :func:`load_map`, :func:`list_maps`,
  :class:`FootNetwork`, :func:`plan_loops`, :func:`plan_route`, :class:`Plan`;
* the form check from a phone video: :func:`read_landmarks` (a video, a landmark file, OpenPose
  frames), :func:`analyze_form`, :class:`FormCheck`;
* the run library and the daily decision: :func:`open_library`, :func:`decide_today`,
  :class:`Decision`;
* the errors every caller may catch: :class:`HipstrideError` and below it :class:`InputError`,
  :class:`ReadError`, :class:`DataError`, :class:`StorageError`.

Everything else lives in the subpackages (``hipstride.io``, ``hipstride.map``, …) and is
imported from there.

The names are loaded on first use (PEP 562 ``__getattr__``). Every ``import hipstride.x`` runs
this file first, so it must stay cheap: ``hipstride analyze`` does not pay for the map planner's
scipy or the library's SQLite because they are named here.
"""

from __future__ import annotations

from hipstride.__version__ import __version__
from hipstride._lazy import lazy_names

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (a tenth of a bare start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from hipstride.activity import Activity
    from hipstride.analysis.result import RunAnalysis
    from hipstride.analysis.run import analyze_activity
    from hipstride.errors import DataError, HipstrideError, InputError, ReadError, StorageError
    from hipstride.io import OnError, read_activity
    from hipstride.journal.decision import Decision
    from hipstride.journal.today import decide_today
    from hipstride.library.api import open_library
    from hipstride.map.network import FootNetwork
    from hipstride.map.osm_import import read_osm
    from hipstride.map.planner import Plan, plan_loops, plan_route
    from hipstride.map.store import import_map, list_maps, load_map
    from hipstride.model.profile import Profile, default_profile, load_profile
    from hipstride.video.check import FormCheck, analyze_form
    from hipstride.video.source import read_landmarks


__all__ = [
    "Activity",
    "DataError",
    "Decision",
    "FootNetwork",
    "FormCheck",
    "HipstrideError",
    "InputError",
    "OnError",
    "Plan",
    "Profile",
    "ReadError",
    "RunAnalysis",
    "StorageError",
    "__version__",
    "analyze_activity",
    "analyze_form",
    "decide_today",
    "default_profile",
    "import_map",
    "list_maps",
    "load_map",
    "load_profile",
    "open_library",
    "plan_loops",
    "plan_route",
    "read_activity",
    "read_landmarks",
    "read_osm",
]

#: Module that defines each name of the API (imported on first use).
_HOMES: dict[str, str] = {
    "Activity": "hipstride.activity",
    "DataError": "hipstride.errors",
    "Decision": "hipstride.journal.decision",
    "FootNetwork": "hipstride.map.network",
    "FormCheck": "hipstride.video.check",
    "HipstrideError": "hipstride.errors",
    "InputError": "hipstride.errors",
    "OnError": "hipstride.io",
    "Plan": "hipstride.map.planner",
    "Profile": "hipstride.model.profile",
    "ReadError": "hipstride.errors",
    "RunAnalysis": "hipstride.analysis.result",
    "StorageError": "hipstride.errors",
    "analyze_activity": "hipstride.analysis.run",
    "analyze_form": "hipstride.video.check",
    "decide_today": "hipstride.journal.today",
    "default_profile": "hipstride.model.profile",
    "import_map": "hipstride.map.store",
    "list_maps": "hipstride.map.store",
    "load_map": "hipstride.map.store",
    "load_profile": "hipstride.model.profile",
    "open_library": "hipstride.library.api",
    "plan_loops": "hipstride.map.planner",
    "plan_route": "hipstride.map.planner",
    "read_activity": "hipstride.io",
    "read_landmarks": "hipstride.video.source",
    "read_osm": "hipstride.map.osm_import",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES, globals())
