"""Stored maps: one file per map, ``<home>/maps/<name>.npz``, its metadata inside it.

A map is its arrays *and* the metadata that says what they are (name, bbox, counts). Kept in two
files, a re-import stopped between the two renames left one map's arrays under another's metadata,
and that mixture was used (the reliability review's D5). So the metadata is one more member of the
``.npz`` (``__meta__``, UTF-8 JSON as a byte array), and the whole file is written once with
:func:`hipstride._files.write_atomic` (a temporary name in the same folder, fsync, then one
``rename``). At every instant the name holds either the old map or the new one, whole; a reader
takes arrays and metadata from the same open file, so it never combines halves. Arrays are stored
uncompressed, so loading is a plain read (milliseconds for a city).

A ``<name>.json`` beside an ``.npz`` without ``__meta__`` is the older two-file layout: it cannot be
told apart from a half-written pair, so it is not listed, and loading it asks for a re-import
(which replaces it and removes the old ``.json``).

Listing maps (:func:`list_maps`, :func:`find_maps_covering`) reads only the ``__meta__`` member
(a zip's directory, then one small member) and imports neither the network module (scipy) nor the
OpenStreetMap reader (osmium): ``hipstride analyze`` asks on every run whether a stored map covers it.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hipstride._files import write_atomic
from hipstride._home import home_dir
from hipstride.errors import InputError, StorageError

if TYPE_CHECKING:
    from hipstride.map.network import FootNetwork

__all__ = ["MapInfo", "delete_map", "find_maps_covering", "import_map", "list_maps", "load_map",
           "map_name_for", "maps_dir", "save_map", "unlisted_maps"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
#: The member of the ``.npz`` that holds the metadata (JSON, UTF-8, as a uint8 array).
META_KEY = "__meta__"


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
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"{path}: cannot create the maps folder "
                               f"({exc.strerror or exc})") from None
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


#: A temporary map file untouched this long was left by a killed import, not one still writing.
STALE_TEMPORARY_S = 3600.0


def _remove_stale_temporaries(folder: Path, name: str) -> None:
    """Remove what killed imports of ``name`` left (``.<name>.npz.*.tmp``, ``.<name>.json.*.tmp``)."""
    import time

    now = time.time()
    for pattern in (f".{name}.npz.*.tmp", f".{name}.json.*.tmp"):
        for tmp in folder.glob(pattern):
            try:
                if now - tmp.stat().st_mtime > STALE_TEMPORARY_S:
                    tmp.unlink()
            except OSError:
                pass


def save_map(network: FootNetwork, name: str, home: str | Path | None = None, *,
             tables: bool = False) -> MapInfo:
    """Store a network under ``name`` (replacing a map of that name) as one file, atomically; with
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
    text = json.dumps(meta, indent=2, ensure_ascii=False, allow_nan=False)
    arrays[META_KEY] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    _remove_stale_temporaries(folder, name)
    out = write_atomic(folder / f"{name}.npz",
                       lambda fh: np.savez(fh, allow_pickle=False, **arrays))
    # the older layout's metadata file, if any, is now stale: the new file carries its own
    (folder / f"{name}.json").unlink(missing_ok=True)
    return MapInfo(name, out, meta)


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


def _meta_of(data: Any) -> dict[str, Any] | None:
    """The metadata inside an opened ``.npz`` (``None`` for the older two-file layout)."""
    if META_KEY not in data.files:
        return None
    meta = json.loads(bytes(data[META_KEY]).decode("utf-8"))
    if not isinstance(meta, dict):
        raise ValueError("the metadata is not a JSON object")
    return meta


def _read_meta(npz: Path) -> dict[str, Any] | None:
    """The metadata of one stored map, reading no array; ``None`` when it has none or is unreadable."""
    try:
        # the file is opened here, not by np.load, which leaves it open when the zip is broken
        with npz.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
            return _meta_of(data)
    except (OSError, ValueError, zipfile.BadZipFile, UnicodeDecodeError):
        return None


def list_maps(home: str | Path | None = None) -> list[MapInfo]:
    """Every stored map, by name (maps in the older two-file layout are left out: see above)."""
    folder = maps_dir(home)
    if not folder.is_dir():
        return []
    out = []
    for npz in sorted(folder.glob("*.npz")):
        if not _NAME.match(npz.stem) or not npz.is_file():
            continue
        meta = _read_meta(npz)
        if meta is not None:
            out.append(MapInfo(npz.stem, npz, meta))
    return out


def unlisted_maps(home: str | Path | None = None) -> list[str]:
    """Names of map files that :func:`list_maps` leaves out because they are unreadable or in the
    older two-file layout (each needs a re-import), so a listing can say that they exist."""
    folder = maps_dir(home)
    if not folder.is_dir():
        return []
    listed = {m.name for m in list_maps(home)}
    return [npz.stem for npz in sorted(folder.glob("*.npz"))
            if _NAME.match(npz.stem) and npz.is_file() and npz.stem not in listed]


def load_map(name: str, home: str | Path | None = None) -> FootNetwork:
    """Load a stored map by name; arrays and metadata come from the one file, opened once.

    Raises
    ------
    hipstride.errors.InputError
        When no map of that name is stored (the message lists the stored ones), or the file is
        unreadable, from another format version, or in the older two-file layout.
    """
    from hipstride.map._tables import PREFIX, attach_tables
    from hipstride.map.network import FORMAT_VERSION, FootNetwork

    _check_name(name)
    npz = maps_dir(home) / f"{name}.npz"
    if not npz.is_file():
        names = [m.name for m in list_maps(home)]
        known = f" (stored maps: {', '.join(names)})" if names else \
            " (no map is stored yet: run `hipstride map import FILE.osm.pbf`)"
        raise InputError(f"no stored map named '{name}'{known}")
    try:
        with npz.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
            meta = _meta_of(data)
            if meta is None:
                raise InputError(f"map '{name}' is stored in an older layout: import it again")
            if meta.get("format_version") != FORMAT_VERSION:
                raise InputError(f"map '{name}' was stored by another hipstride version: "
                                 "import it again")
            arrays = {key: _widen(data[key]) for key in data.files
                      if key != META_KEY and not key.startswith(PREFIX)}
            stored = {key: data[key] for key in data.files if key.startswith(PREFIX)}
        network = FootNetwork(**arrays, meta=meta)
        attach_tables(network, stored)
        return network
    except (OSError, ValueError, TypeError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise InputError(f"map '{name}' cannot be read ({exc}): import it again") from None


def delete_map(name: str, home: str | Path | None = None) -> Path:
    """Remove the stored map ``name`` (its one file, and the older layout's metadata file if
    any); returns the path removed. :class:`InputError` when no such map is stored."""
    _check_name(name)
    folder = maps_dir(home)
    npz = folder / f"{name}.npz"
    if not npz.is_file():
        names = [m.name for m in list_maps(home)]
        known = f" (stored maps: {', '.join(names)})" if names else " (no map is stored)"
        raise InputError(f"no stored map named '{name}' to delete{known}")
    npz.unlink()
    (folder / f"{name}.json").unlink(missing_ok=True)
    return npz


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
