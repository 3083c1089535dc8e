"""The curated public API (``import hipstride as hs``) and the cost of starting up.

The exported names are guarded exactly (as httpx's ``test_exported_members.py`` does): adding or
removing a public name is a decision, made here. The agreed signatures are guarded too, and so is
laziness: ``import hipstride`` imports nothing heavy, and ``hipstride analyze`` of a run that no
stored map covers imports neither scipy nor osmium nor the report renderers.
"""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import numpy as np
import pytest

import hipstride as hs
import hipstride.map
from hipstride.activity import validate_activity
from hipstride.cli import COMMAND_MODULES, main

EXPORTED = [
    "Activity", "DataError", "Decision", "FootNetwork", "FormCheck", "HipstrideError",
    "InputError", "OnError", "Plan", "Profile", "ReadError", "RunAnalysis", "StorageError",
    "__version__", "analyze_activity", "analyze_form", "decide_today", "default_profile",
    "import_map", "list_maps", "load_map", "load_profile", "open_library", "plan_loops",
    "plan_route", "read_activity", "read_landmarks", "read_osm",
]

#: Where each name is defined: ``hs.NAME is MODULE.NAME``.
HOMES = {
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

KW = inspect.Parameter.KEYWORD_ONLY
POS = inspect.Parameter.POSITIONAL_OR_KEYWORD


def test_exported_names_are_exactly_the_curated_ones() -> None:
    assert hs.__all__ == EXPORTED
    assert hs.__all__ == sorted(hs.__all__)
    assert set(dir(hs)) >= set(EXPORTED)


@pytest.mark.parametrize("name", [n for n in EXPORTED if n != "__version__"])
def test_each_name_resolves_to_its_definition(name: str) -> None:
    value = getattr(hs, name)
    assert value is getattr(importlib.import_module(HOMES[name]), name)
    assert value.__doc__, f"{name} has no docstring"


def test_version_and_unknown_names() -> None:
    version_module = importlib.import_module("hipstride.__version__")
    assert hs.__version__ == version_module.__version__
    assert isinstance(hs.__version__, str)
    with pytest.raises(AttributeError, match="no attribute 'read_fit'"):
        _ = hs.read_fit


def test_error_tree() -> None:
    assert issubclass(hs.InputError, hs.HipstrideError)
    assert issubclass(hs.ReadError, hs.InputError)
    assert issubclass(hs.DataError, hs.HipstrideError)
    assert issubclass(hs.StorageError, hs.HipstrideError)


def test_on_error_policies() -> None:
    assert {member.name for member in hs.OnError} == {"IGNORE", "WARN", "RAISE"}


def _signature(name: str) -> list[tuple[str, inspect._ParameterKind, object]]:
    params = inspect.signature(getattr(hs, name)).parameters.values()
    return [(p.name, p.kind, p.default) for p in params]


EMPTY = inspect.Parameter.empty
AGREED: dict[str, list[tuple[str, inspect._ParameterKind, object]]] = {
    "plan_loops": [("net", POS, EMPTY), ("start_lat_deg", KW, EMPTY), ("start_lon_deg", KW, EMPTY),
                   ("distance_m", KW, EMPTY), ("profile", KW, None), ("count", KW, 3),
                   ("seed", KW, None)],
    "plan_route": [("net", POS, EMPTY), ("start_lat_deg", KW, EMPTY), ("start_lon_deg", KW, EMPTY),
                   ("end_lat_deg", KW, EMPTY), ("end_lon_deg", KW, EMPTY), ("profile", KW, None)],
    "decide_today": [("store", POS, EMPTY), ("today", KW, None)],
    "read_activity": [("source", POS, EMPTY), ("name", KW, None), ("on_error", KW, "WARN")],
    "import_map": [("path", POS, EMPTY), ("name", KW, None), ("dem", KW, None), ("home", KW, None)],
    "analyze_form": [("seq", POS, EMPTY), ("view", POS, None)],
    "read_landmarks": [("path", POS, EMPTY), ("fps", KW, None)],
}


@pytest.mark.parametrize("name", sorted(AGREED))
def test_agreed_signatures(name: str) -> None:
    expected = [(p, kind, getattr(hs.OnError, str(d)) if p == "on_error" else d)
                for p, kind, d in AGREED[name]]
    assert _signature(name) == expected


# --- the activity's conveniences ---------------------------------------------------------------

def _activity(n: int = 4) -> hs.Activity:
    return hs.Activity(
        source="test.gpx", start_time_utc=datetime(2024, 5, 1, 6, 0, tzinfo=UTC),
        time_s=np.arange(n, dtype=np.float64), lat_deg=np.linspace(60.0, 60.001, n),
        lon_deg=np.full(n, 24.9), elevation_m=np.full(n, 10.0),
        channels={"heart_rate_bpm": np.full(n, 140.0)}, channel_units={"heart_rate_bpm": "bpm"},
        sport="running", file_format="gpx")


def test_a_valid_activity_passes() -> None:
    validate_activity(_activity())
    validate_activity(_activity(), strictly_increasing=True)
    untimed = _activity()
    untimed.time_s[:] = np.nan
    untimed.start_time_utc = None
    validate_activity(untimed)


def test_validation_names_every_problem_at_once() -> None:
    bad = _activity()
    bad.time_s[:] = [1.0, 2.0, 2.0, 1.5]
    bad.lat_deg[0] = 91.0
    bad.lon_deg[1] = np.nan
    bad.channel_units["heart_rate_bpm"] = "Hz"
    bad.channels["power_w"] = np.zeros(4)
    with pytest.raises(hs.DataError) as caught:
        validate_activity(bad)
    message = str(caught.value)
    assert message.startswith("test.gpx: not a valid activity: ")
    for problem in ("time_s starts at 1 s, expected 0", "not non-decreasing at 1 sample(s)",
                    "beyond ±90°", "not NaN at the same samples",
                    "'heart_rate_bpm' is in 'Hz', expected 'bpm'", "without a unit: power_w"):
        assert problem in message, problem
    repeated = _activity()
    repeated.time_s[2] = repeated.time_s[1]
    with pytest.raises(hs.DataError, match="not strictly increasing at 1 sample"):
        validate_activity(repeated, strictly_increasing=True)


def test_to_dataframe_has_a_column_per_array() -> None:
    pd = pytest.importorskip("pandas")
    frame = _activity().to_dataframe()
    assert list(frame.columns) == ["time_s", "time_utc", "lat_deg", "lon_deg", "elevation_m",
                                   "heart_rate_bpm"]
    assert len(frame) == 4
    assert frame["time_utc"].iloc[3] == pd.Timestamp("2024-05-01T06:00:03Z")
    assert frame["heart_rate_bpm"].tolist() == [140.0] * 4


def test_to_dataframe_without_pandas_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"needs the optional package pandas \(pip install pandas\)"):
        _activity().to_dataframe()


# --- the map face is lazy too --------------------------------------------------------------------

def test_map_face_names_resolve() -> None:
    assert hipstride.map.__all__ == sorted(hipstride.map.__all__)
    for name in hipstride.map.__all__:
        assert getattr(hipstride.map, name) is not None
    with pytest.raises(AttributeError):
        _ = hipstride.map.nothing_here


# --- the command table ---------------------------------------------------------------------------

def test_command_table_names_every_command_where_it_lives() -> None:
    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert names == sorted(COMMAND_MODULES)
    for name in names:
        command = main.get_command(ctx, name)
        assert command is not None
        module = sys.modules[f"hipstride.cli.{COMMAND_MODULES[name]}"]
        defined = getattr(module, "COMMANDS", None) or [getattr(module, COMMAND_MODULES[name])]
        assert command in defined, name


# --- start-up: what a process imports ------------------------------------------------------------

HEAVY = ("scipy", "osmium", "matplotlib", "jinja2", "rasterio", "pyarrow", "weasyprint", "pandas",
         "sqlite3")

GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
{points}
</trkseg></trk></gpx>
"""


def _write_gpx(path: Path) -> Path:
    points = "\n".join(
        f'<trkpt lat="{60.17 + i * 2.7e-5:.7f}" lon="24.94"><ele>10</ele>'
        f"<time>2024-05-01T06:{i // 60:02d}:{i % 60:02d}Z</time></trkpt>" for i in range(300))
    path.write_text(GPX.format(points=points), encoding="utf-8")
    return path


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def _top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_import_hipstride_imports_nothing_else() -> None:
    modules = _modules_after("import hipstride")
    assert {m for m in modules if m.startswith("hipstride")} == {"hipstride", "hipstride.__version__",
                                                            "hipstride._lazy"}
    assert "numpy" not in modules


def test_asking_for_covering_maps_is_cheap() -> None:
    modules = _modules_after(
        "import numpy as np\nfrom hipstride.map.store import find_maps_covering\n"
        "assert find_maps_covering(np.array([60.1]), np.array([24.9])) == []")
    assert not _top(modules) & set(HEAVY)
    assert "hipstride.map.network" not in modules


@pytest.mark.parametrize("as_json", [True, False])
def test_analyze_without_a_stored_map_loads_only_what_it_uses(tmp_path: Path, as_json: bool) -> None:
    gpx = _write_gpx(tmp_path / "run.gpx")
    args = [str(gpx), "--json"] if as_json else [str(gpx)]
    modules = _modules_after(
        "import contextlib, io\nfrom hipstride.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    try: main(['analyze', *{args!r}])\n"
        "    except SystemExit as exc: assert exc.code in (0, None), exc.code")
    assert not _top(modules) & set(HEAVY), sorted(_top(modules) & set(HEAVY))
    assert not {m for m in modules if m.startswith(("hipstride.map.matching", "hipstride.library",
                                                    "hipstride.journal", "hipstride.cli.map"))}
    assert ("rich" in _top(modules)) is not as_json  # the terminal summary only
