"""What to import: files, folders, and the bulk-export archives of Strava and Garmin Connect.

Strava bulk export (a zip)
    ``activities.csv`` (columns "Activity ID", "Activity Date", "Activity Name", "Activity Type",
    "Filename", …) and an ``activities/`` folder of ``.fit.gz``/``.gpx``/``.tcx.gz`` files. The
    activity's name and type come from the CSV (the files often lack them).
Garmin Connect export (a zip)
    Zips nested inside, e.g. ``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip``,
    holding the original ``.fit`` files. Nested zips are extracted to a temporary folder once.

Every recording becomes an :class:`ImportItem` that a worker process can read on its own; its
``label`` names it for the user (``export.zip!activities/123.fit.gz``).
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from hipstride.errors import ReadError
from hipstride.io import SUFFIXES

__all__ = ["Discovery", "ImportItem", "discover", "read_item_bytes", "strava_sport"]

#: Strava "Activity Type" → (sport, sub_sport) in hipstride's (FIT) vocabulary.
STRAVA_TYPES: dict[str, tuple[str, str | None]] = {
    "run": ("running", None),
    "trail run": ("running", "trail"),
    "virtual run": ("running", "virtual_activity"),
    "ride": ("cycling", None),
    "virtual ride": ("cycling", "virtual_activity"),
    "walk": ("walking", None),
    "hike": ("hiking", None),
    "swim": ("swimming", None),
}


def strava_sport(activity_type: str) -> tuple[str, str | None]:
    """(sport, sub_sport) for a Strava "Activity Type" such as ``"Run"`` or ``"Trail Run"``."""
    key = activity_type.strip().lower()
    return STRAVA_TYPES.get(key, (key.replace(" ", "_") or "unknown", None))


@dataclass(frozen=True)
class ImportItem:
    """One recording to import.

    ``path`` is a file on disk; when ``member`` is set, the recording is that member of the zip
    at ``path``. ``name``, ``sport`` and ``sub_sport`` are hints from an export's index.
    """

    label: str
    path: str
    member: str | None = None
    name: str | None = None
    sport: str | None = None
    sub_sport: str | None = None
    #: Size in bytes as stored (compressed when gzipped), to schedule large files first.
    size: int = 0


@dataclass
class Discovery:
    """What :func:`discover` found: items to read, files it could not open, files it ignored."""

    items: list[ImportItem] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _is_recording(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def _strava_index(zf: zipfile.ZipFile, csv_name: str) -> dict[str, tuple[str | None, str | None]]:
    """``{member name: (activity name, activity type)}`` from a Strava ``activities.csv``."""
    root = PurePosixPath(csv_name).parent
    text = zf.read(csv_name).decode("utf-8-sig", errors="replace")
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    col: dict[str, int] = {}
    for i, title in enumerate(header):  # Strava repeats some titles: keep the first
        col.setdefault(title.strip(), i)
    if "Filename" not in col:
        return {}
    out: dict[str, tuple[str | None, str | None]] = {}
    for row in rows:
        def cell(title: str, row: list[str] = row) -> str | None:
            i = col.get(title)
            return row[i].strip() or None if i is not None and i < len(row) else None

        filename = cell("Filename")
        if filename:
            out[str(root / filename) if str(root) != "." else filename] = (
                cell("Activity Name"), cell("Activity Type"))
    return out


def _expand_zip(path: Path, label: str, workdir: Path, found: Discovery, depth: int = 0) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        found.failed.append((label, f"broken zip archive ({exc})"))
        return
    with zf:
        infos = {i.filename: i for i in zf.infolist() if not i.is_dir()}
        names = list(infos)
        index: dict[str, tuple[str | None, str | None]] = {}
        for name in names:
            if PurePosixPath(name).name.lower() == "activities.csv":
                index.update(_strava_index(zf, name))
        for name in sorted(names):
            inner_label = f"{label}!{name}"
            if _is_recording(name):
                title, kind = index.get(name, (None, None))
                sport, sub = strava_sport(kind) if kind else (None, None)
                found.items.append(ImportItem(inner_label, str(path), name, title, sport, sub,
                                              infos[name].file_size))
            elif name.lower().endswith(".zip") and depth < 3:
                target = workdir / f"{len(list(workdir.iterdir()))}.zip"
                try:
                    with zf.open(name) as src, target.open("wb") as dst:
                        while chunk := src.read(1 << 20):
                            dst.write(chunk)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    found.failed.append((inner_label, f"broken zip member ({exc})"))
                    continue
                _expand_zip(target, inner_label, workdir, found, depth + 1)


def discover(paths: Iterable[str | Path], workdir: Path) -> Discovery:
    """Everything to import under ``paths`` (files, folders searched recursively, zips).

    Files in folders are taken when their name ends in a recording suffix (:data:`SUFFIXES`) or
    ``.zip``; others are listed as ignored. A file named explicitly is always tried.
    """
    found = Discovery()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                if f.name.startswith("."):
                    continue
                if f.name.lower().endswith(".zip"):
                    _expand_zip(f, str(f), workdir, found)
                elif _is_recording(f.name):
                    found.items.append(ImportItem(str(f), str(f), size=f.stat().st_size))
                else:
                    found.ignored.append(str(f))
        elif path.is_file():
            if path.name.lower().endswith(".zip") or (
                    not _is_recording(path.name) and zipfile.is_zipfile(path)):
                _expand_zip(path, str(path), workdir, found)
            else:
                found.items.append(ImportItem(str(path), str(path), size=path.stat().st_size))
        else:
            found.failed.append((str(path), "no such file or folder"))
    return found


_OPEN_ZIPS: dict[str, zipfile.ZipFile] = {}


def read_item_bytes(item: ImportItem) -> bytes:
    """The raw (possibly gzipped) bytes of one item.

    Raises
    ------
    ReadError
        When the file or zip member cannot be read.
    """
    try:
        if item.member is None:
            return Path(item.path).read_bytes()
        zf = _OPEN_ZIPS.get(item.path)
        if zf is None:
            if len(_OPEN_ZIPS) >= 8:
                _OPEN_ZIPS.pop(next(iter(_OPEN_ZIPS))).close()
            zf = _OPEN_ZIPS[item.path] = zipfile.ZipFile(item.path)
        return zf.read(item.member)
    except FileNotFoundError:
        raise ReadError(item.label, "no such file") from None
    except (zipfile.BadZipFile, EOFError, KeyError, zlib.error) as exc:
        raise ReadError(item.label, f"cannot be read from the archive ({exc})") from None
    except OSError as exc:
        raise ReadError(item.label, f"cannot be read ({exc.strerror or exc})") from None
