"""Stored maps: ``<home>/maps/<name>.npz`` (the arrays) and ``<name>.json`` (the metadata).

Both files are written with :func:`hipstride._files.write_atomic` (a temporary name in the same
folder, then renamed over the old one), so a reader never sees half a map. The arrays go first and
the metadata last: a map is listed only once its metadata exists. Arrays are stored uncompressed,
so loading is a plain read (milliseconds for a city).

Listing maps (:func:`list_maps`, :func:`find_maps_covering`) reads only the metadata and imports
neither the network module (scipy) nor the OpenStreetMap reader (osmium): ``hipstride analyze``
asks on every run whether a stored map covers it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hipstride._files import write_atomic
from hipstride._home import home_dir
from hipstride.errors import InputError

if TYPE_CHECKING:
    from hipstride.map.network import FootNetwork

__all__ = ["MapInfo", "find_maps_covering", "import_map", "list_maps", "load_map", "map_name_for",
           "maps_dir", "save_map"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


@dataclass(frozen=True)
class MapInfo:
    """One stored map, as listed (its metadata without the arrays)."""

    name: str
    path: Path
    meta: dict[str, Any]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """``(min lat, min lon, max lat, max lon)`` in degrees."""
        b = self.meta.get("bbox") or (0.0, 0.0, 0.0, 0.0)
        return float(b[0]), float(b[1]), float(b[2]), float(b[3])

    def covers(self, lat_deg: float, lon_deg: float) -> bool:
        """Whether a point lies inside the map's bbox."""
        s, w, n, e = self.bbox
        return s <= lat_deg <= n and w <= lon_deg <= e


def maps_dir(home: str | Path | None = None, *, create: bool = False) -> Path:
    """The folder holding the stored maps (``<home>/maps``)."""
    path = home_dir(home, create=create) / "maps"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def map_name_for(source: str | Path) -> str:
    """Default map name from a file name: ``berlin.osm.pbf`` → ``berlin``."""
    name = Path(source).name
    for suffix in (".pbf", ".gz", ".bz2", ".osm"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "map"
    return name[:80]


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise InputError(f"map name '{name}' is not usable: use letters, digits, '.', '_' or '-' "
                         "(at most 80, starting with a letter or digit)")


def _compact(key: str, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Narrow dtypes for storage: indices to int32, elevations and grades to float32."""
    if values.dtype == np.int64 and not key.endswith("osm_id") and values.size and \
            int(values.max()) < 2**31 and int(values.min()) >= -(2**31):
        return values.astype(np.int32)
    if key in ("shape_elevation_m", "edge_grade_pct", "edge_surface_confidence"):
        return values.astype(np.float32)
    return values


def _widen(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Back to the in-memory dtypes (int64 indices, float64 values)."""
    if values.dtype == np.int32:
        return values.astype(np.int64)
    if values.dtype == np.float32:
        return values.astype(np.float64)
    return values


def save_map(network: FootNetwork, name: str, home: str | Path | None = None, *,
             tables: bool = False) -> MapInfo:
    """Store a network under ``name`` (replacing a map of that name), atomically; with
    ``tables``, also its search tables for the shipped profile (:mod:`hipstride.map._tables`)."""
    from hipstride.map._tables import table_arrays
    from hipstride.map.network import FORMAT_VERSION
    from hipstride.model.profile import default_profile

    _check_name(name)
    folder = maps_dir(home, create=True)
    meta = dict(network.meta)
    meta["name"] = name
    meta.setdefault("format_version", FORMAT_VERSION)
    arrays = {key: _compact(key, value) for key, value in network.arrays().items()}
    if tables:
        arrays.update(table_arrays(network, default_profile()))
    write_atomic(folder / f"{name}.npz", lambda fh: np.savez(fh, allow_pickle=False, **arrays))
    write_atomic(folder / f"{name}.json", json.dumps(meta, indent=2, ensure_ascii=False))
    return MapInfo(name, folder / f"{name}.npz", meta)


def import_map(path: str | Path, *, name: str | None = None,
               dem: str | Path | list[str | Path] | None = None,
               home: str | Path | None = None) -> MapInfo:
    """Read an OpenStreetMap extract once and store its foot network (:func:`read_osm`, then
    :func:`save_map`).

    Parameters
    ----------
    path
        The extract (``.osm.pbf``, ``.osm``, ``.osm.gz``, ``.osm.bz2``).
    name
        Name to store the map under; by default taken from the file name (:func:`map_name_for`).
    dem
        Optional elevation model (SRTM tile, GeoTIFF, or a list of tiles) for way grades.
    home
        hipstride home folder (default: ``$HIPSTRIDE_HOME`` or the platform's data folder).

    Raises
    ------
    hipstride.errors.InputError
        For an unusable name, or an extract that cannot be read or holds no way a runner may use.
    """
    from hipstride.map.osm_import import read_osm

    map_name = name if name is not None else map_name_for(path)
    _check_name(map_name)
    return save_map(read_osm(path, name=map_name, dem=dem), map_name, home, tables=True)


def list_maps(home: str | Path | None = None) -> list[MapInfo]:
    """Every stored map, by name."""
    folder = maps_dir(home)
    if not folder.is_dir():
        return []
    out = []
    for meta_path in sorted(folder.glob("*.json")):
        npz = meta_path.with_suffix(".npz")
        if not npz.is_file():
            continue
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        out.append(MapInfo(meta_path.stem, npz, meta))
    return out


def load_map(name: str, home: str | Path | None = None) -> FootNetwork:
    """Load a stored map by name.

    Raises
    ------
    hipstride.errors.InputError
        When no map of that name is stored (the message lists the stored ones).
    """
    from hipstride.map._tables import PREFIX, attach_tables
    from hipstride.map.network import FORMAT_VERSION, FootNetwork

    _check_name(name)
    folder = maps_dir(home)
    npz, meta_path = folder / f"{name}.npz", folder / f"{name}.json"
    if not (npz.is_file() and meta_path.is_file()):
        names = [m.name for m in list_maps(home)]
        known = f" (stored maps: {', '.join(names)})" if names else \
            " (no map is stored yet: run `hipstride map import FILE.osm.pbf`)"
        raise InputError(f"no stored map named '{name}'{known}")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format_version") != FORMAT_VERSION:
        raise InputError(f"map '{name}' was stored by another hipstride version: import it again")
    try:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {key: _widen(data[key]) for key in data.files if not key.startswith(PREFIX)}
            stored = {key: data[key] for key in data.files if key.startswith(PREFIX)}
        network = FootNetwork(**arrays, meta=meta)
        attach_tables(network, stored)
        return network
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(f"map '{name}' cannot be read ({exc}): import it again") from None


def find_maps_covering(lat_deg: np.ndarray[Any, Any], lon_deg: np.ndarray[Any, Any],
                       home: str | Path | None = None) -> list[MapInfo]:
    """Stored maps whose bbox holds every finite point given."""
    ok = np.isfinite(lat_deg) & np.isfinite(lon_deg)
    if not ok.any():
        return []
    lo_lat, hi_lat = float(lat_deg[ok].min()), float(lat_deg[ok].max())
    lo_lon, hi_lon = float(lon_deg[ok].min()), float(lon_deg[ok].max())
    return [m for m in list_maps(home)
            if m.covers(lo_lat, lo_lon) and m.covers(hi_lat, hi_lon)]
