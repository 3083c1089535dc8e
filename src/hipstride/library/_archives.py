"""What to import: files, folders, and the bulk-export archives of Strava and Garmin Connect.

Strava bulk export (a zip)
    ``activities.csv`` (columns "Activity ID", "Activity Date", "Activity Name", "Activity Type",
    "Filename", …) and an ``activities/`` folder of ``.fit.gz``/``.gpx``/``.tcx.gz`` files. The
    activity's name and type come from the CSV (the files often lack them).
Garmin Connect export (a zip)
    Zips nested inside, e.g. ``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip``,
    holding the original ``.fit`` files. Nested zips are extracted to a temporary folder once.

Every recording becomes an :class:`ImportItem` that a worker process can read on its own; its
``label`` names it for the user (``export.zip!activities/123.fit.gz``), always as valid text: a file
name that is not UTF-8 shows its odd bytes as ``\\xff`` escapes (the ``path`` keeps the real name).

Isolation and limits. Every member of an archive, and the index, fails alone with its reason (a
broken, encrypted or oddly compressed member, an ``activities.csv`` that cannot be parsed past some
row: the rows before it still name their runs); a whole archive fails alone when it cannot be
opened. An archive may not exceed the limits below; each one hit is reported in ``failed``, never
skipped silently. Sizes an archive declares are checked first and never trusted: every member is
read as a stream with a byte cap (a 3 MB zip once inflated to 6 GB in memory).
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
from hipstride.io._bounds import MAX_FILE_BYTES
from hipstride.io._source import display_name
from hipstride.library._zipnames import repaired_copy

__all__ = ["MAX_CSV_BYTES", "MAX_DEPTH", "MAX_MEMBERS", "MAX_MEMBER_BYTES", "MAX_RATIO",
           "MAX_TOTAL_BYTES", "Discovery", "ImportItem", "discover",
           "read_item_bytes", "strava_sport"]

#: Largest recording read from an archive: the readers' own bound (see hipstride.io._bounds).
MAX_MEMBER_BYTES = MAX_FILE_BYTES
#: Largest ``activities.csv`` (Strava's holds one short row per activity: ~1 KB each).
MAX_CSV_BYTES = 64 << 20
#: Highest compression ratio of a member over 1 MiB (GPX deflates ~10:1; bombs reach 1000:1).
MAX_RATIO = 200
#: Most members in one archive, and zips nested inside zips (Garmin's export nests 2 deep).
MAX_MEMBERS = 100_000
MAX_DEPTH = 3
#: Most bytes one import inflates from archives, nested zips written to disk included.
MAX_TOTAL_BYTES = 16 << 30
_RATIO_FLOOR_BYTES = 1 << 20
#: What reading a zip member can raise besides ReadError: damage, encryption, odd compression.
#: What a damaged, encrypted or unsupported archive raises (besides the file system's OSError).
_ZIP_CONTENT_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, RuntimeError,
                       NotImplementedError, ValueError, zlib.error)
ZIP_ERRORS = (*_ZIP_CONTENT_ERRORS, OSError)
#: Opening a zip member by name: its content errors, or a member that is not there.
_MEMBER_OPEN_ERRORS = (KeyError, *_ZIP_CONTENT_ERRORS)


def read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, label: str) -> bytes:
    """The member ``info``, streamed, refusing it past ``cap`` bytes whatever it declares."""
    try:
        with zf.open(info) as src:
            data = src.read(cap + 1)
    except ZIP_ERRORS as exc:
        raise ReadError(label, _zip_problem(exc)) from None
    if len(data) > cap:
        raise ReadError(label, f"archive limit: inflates beyond {cap >> 20} MiB")
    return data


def _zip_problem(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, RuntimeError) and "encrypted" in text:
        return "encrypted in the archive (a password is needed): not read"
    if isinstance(exc, NotImplementedError):
        return f"unsupported in the archive ({text})"
    return f"cannot be read from the archive ({type(exc).__name__}: {text})"


def _over_limit(info: zipfile.ZipInfo, cap: int) -> str | None:
    """Why a member's declared sizes break the limits, or ``None``."""
    if info.file_size > cap:
        return f"archive limit: declares {info.file_size >> 20} MiB, over {cap >> 20} MiB"
    ratio = info.file_size / max(1, info.compress_size)
    if info.file_size > _RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
        return f"archive limit: compression ratio {ratio:.0f}:1, over {MAX_RATIO}:1 (a zip bomb?)"
    return None

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
    #: Bytes archives may still inflate in this import (:data:`MAX_TOTAL_BYTES` at first).
    budget: int = field(default_factory=lambda: MAX_TOTAL_BYTES)
    #: Archives written to the work folder so far (each gets a name of its own).
    written: int = 0

    def scratch(self, workdir: Path) -> Path:
        """A new file name in the work folder for an extracted or repaired archive."""
        self.written += 1
        return workdir / f"{self.written}.zip"

    def spend(self, size: int, label: str) -> bool:
        """Take ``size`` bytes from the budget; ``False`` (and the item failed) when it is spent."""
        if size > self.budget:
            self.failed.append((label, f"archive limit: more than {MAX_TOTAL_BYTES >> 30} GiB "
                                       "inflated from archives in one import: not read"))
            return False
        self.budget -= size
        return True


def _is_recording(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def _strava_index(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str,
                 found: Discovery) -> dict[str, tuple[str | None, str | None]]:
    """``{member name: (activity name, activity type)}`` from a Strava ``activities.csv``.

    A problem (too large, encrypted, a row the CSV parser cannot read) fails the index alone, with
    the rows read before it kept.
    """
    out: dict[str, tuple[str | None, str | None]] = {}
    where = f"{label}!{info.filename}"
    try:
        problem = _over_limit(info, MAX_CSV_BYTES)
        if problem is not None:
            raise ReadError(where, problem)
        text = read_capped(zf, info, MAX_CSV_BYTES, where).decode("utf-8-sig", errors="replace")
    except ReadError as exc:
        found.failed.append((where, f"{exc.problem} (names and sports from it not used)"))
        return out
    root = PurePosixPath(info.filename).parent
    rows = csv.reader(io.StringIO(text))
    try:
        header = next(rows, [])
        col: dict[str, int] = {}
        for i, title in enumerate(header):  # Strava repeats some titles: keep the first
            col.setdefault(title.strip(), i)
        if "Filename" not in col:
            return out
        for row in rows:
            def cell(title: str, row: list[str] = row) -> str | None:
                i = col.get(title)
                return row[i].strip() or None if i is not None and i < len(row) else None

            filename = cell("Filename")
            if filename:
                out[str(root / filename) if str(root) != "." else filename] = (
                    cell("Activity Name"), cell("Activity Type"))
    except csv.Error as exc:
        found.failed.append((where, f"unreadable CSV at line {rows.line_num} ({exc}): the "
                                    f"{len(out)} rows before it are used"))
    return out


def _expand_zip(path: Path, label: str, workdir: Path, found: Discovery, depth: int = 0) -> None:
    shown: dict[str, str] = {}
    try:
        zf = zipfile.ZipFile(path)
    except UnicodeDecodeError as exc:  # a name flagged UTF-8 that is not: read a repaired copy
        target = found.scratch(workdir)
        try:
            if not found.spend(path.stat().st_size, label):
                return
            shown = repaired_copy(path, target)
            zf = zipfile.ZipFile(target)
            path = target
        except (ValueError, UnicodeDecodeError, *ZIP_ERRORS) as again:
            target.unlink(missing_ok=True)
            found.failed.append((label, "broken zip archive: a member name is marked UTF-8 but is "
                                        f"not (byte {exc.start} of the name), and {again}"))
            return
    except ZIP_ERRORS as exc:
        found.failed.append((label, f"broken zip archive ({exc})"))
        return
    with zf:
        infos = {i.filename: i for i in zf.infolist() if not i.is_dir()}
        if len(infos) > MAX_MEMBERS:
            found.failed.append((label, f"archive limit: {len(infos)} members, over {MAX_MEMBERS}: "
                                        f"only the first {MAX_MEMBERS} are read"))
            infos = dict(list(infos.items())[:MAX_MEMBERS])
        index: dict[str, tuple[str | None, str | None]] = {}
        for name, info in infos.items():
            if PurePosixPath(name).name.lower() == "activities.csv":
                index.update(_strava_index(zf, info, label, found))
        for name in sorted(infos):
            _take_member(zf, infos[name], path, display_name(f"{label}!{shown.get(name, name)}"),
                         workdir, found, depth, index)


def _take_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, inner_label: str,
                 workdir: Path, found: Discovery, depth: int,
                 index: dict[str, tuple[str | None, str | None]]) -> None:
    """One member (``inner_label`` names it): a recording becomes an item, a zip is opened
    (within the limits)."""
    name = info.filename
    is_zip = name.lower().endswith(".zip")
    if not (_is_recording(name) or is_zip):
        return
    problem = _over_limit(info, MAX_TOTAL_BYTES if is_zip else MAX_MEMBER_BYTES)
    if problem is not None:
        found.failed.append((inner_label, problem))
        return
    if not found.spend(info.file_size, inner_label):
        return
    if not is_zip:
        title, kind = index.get(name, (None, None))
        sport, sub = strava_sport(kind) if kind else (None, None)
        found.items.append(ImportItem(inner_label, str(path), name, title, sport, sub,
                                      info.file_size))
        return
    if depth >= MAX_DEPTH:
        found.failed.append((inner_label, f"archive limit: zips nested more than {MAX_DEPTH} "
                                          "deep: not opened"))
        return
    target = found.scratch(workdir)
    written = 0
    try:
        with zf.open(info) as src, target.open("wb") as dst:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > info.file_size:
                    raise ReadError(inner_label, "archive limit: inflates beyond the size it "
                                                 "declares")
                dst.write(chunk)
    except ReadError as exc:
        target.unlink(missing_ok=True)
        found.failed.append((inner_label, exc.problem))
        return
    except ZIP_ERRORS as exc:
        target.unlink(missing_ok=True)
        found.failed.append((inner_label, f"broken zip member: {_zip_problem(exc)}"))
        return
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
                shown = display_name(str(f))
                if f.name.lower().endswith(".zip"):
                    _expand_zip(f, shown, workdir, found)
                elif _is_recording(f.name):
                    found.items.append(ImportItem(shown, str(f), size=f.stat().st_size))
                else:
                    found.ignored.append(shown)
        elif path.is_file():
            shown = display_name(str(path))
            if path.name.lower().endswith(".zip") or (
                    not _is_recording(path.name) and zipfile.is_zipfile(path)):
                _expand_zip(path, shown, workdir, found)
            else:
                found.items.append(ImportItem(shown, str(path), size=path.stat().st_size))
        else:
            found.failed.append((display_name(str(path)), "no such file or folder"))
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
        if item.member is None:  # read with the same cap as a zip member, never the whole file
            with Path(item.path).open("rb") as stream:
                data = stream.read(MAX_MEMBER_BYTES + 1)
            if len(data) > MAX_MEMBER_BYTES:
                raise ReadError(item.label, f"larger than {MAX_MEMBER_BYTES >> 20} MiB, more than a "
                                            "recording holds: not read")
            return data
        zf = _OPEN_ZIPS.get(item.path)
        if zf is None:
            if len(_OPEN_ZIPS) >= 8:
                _OPEN_ZIPS.pop(next(iter(_OPEN_ZIPS))).close()
            zf = _OPEN_ZIPS[item.path] = zipfile.ZipFile(item.path)
        return read_capped(zf, zf.getinfo(item.member), MAX_MEMBER_BYTES, item.label)
    except FileNotFoundError:
        raise ReadError(item.label, "no such file") from None
    except _MEMBER_OPEN_ERRORS as exc:
        raise ReadError(item.label, _zip_problem(exc)) from None
    except OSError as exc:
        raise ReadError(item.label, f"cannot be read ({exc.strerror or exc})") from None
