"""Bounded fuzzing of everything a hostile file reaches: each reader *and the analysis after it*,
and the archive importer. Real files from ``../shared/data`` are mutated (bytes changed, cut,
deleted, inserted); the only exceptions allowed out are the project's own (:mod:`hipstride.errors`)
and every example must finish within hypothesis's deadline.

The review's hangs were not in the readers but in what followed them (a FIT with two bytes
deleted read as a 6.6-year run whose analysis ran past 600 s), so each case here is read and then
analysed. The deadline is far above a normal case (tens of milliseconds) and far below the hangs
(minutes), so it catches a pathological branch without depending on a fast machine. Examples are
few (the suite stays fast); the reader tests in ``test_read_*.py`` fuzz the readers alone harder.
"""

from __future__ import annotations

import io
import shutil
import struct
import warnings
import zipfile
from datetime import timedelta
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hipstride.analysis.run import analyze_activity
from hipstride.errors import HipstrideError, ReadWarning
from hipstride.io import read_fit, read_gpx, read_tcx
from hipstride.library._archives import discover
from hipstride.library.importer import _import_task
from tests.conftest import data_path
from tests.hostile import fit_crc

#: What hypothesis allows each example (read and analyse one mutated file).
DEADLINE = timedelta(seconds=10)
EXAMPLES = 12
SEEDS = {
    "fit": ("fit/elevate__trosku.fit", "fit/fitparse__activity-small-fenix2-run.fit"),
    "gpx": ("gpx/gpxpy__Mojstrovka.gpx", "gpx/runpandas__garmin_connect.gpx"),
    "tcx": ("tcx/runpandas__run_garmin.tcx",),
}
READERS = {"fit": read_fit, "gpx": read_gpx, "tcx": read_tcx}

#: One edit: (kind, where as a fraction of the file, a byte value or a length).
_EDIT = st.tuples(st.sampled_from(("set", "delete", "insert", "cut")),
                  st.floats(0.0, 1.0), st.integers(0, 255))
EDITS = st.lists(_EDIT, min_size=1, max_size=5)


@cache
def _seed(relative: str) -> bytes:
    return data_path(relative).read_bytes()


def mutate(data: bytes, edits: list[tuple[str, float, int]], *, fix_fit_crc: bool = False) -> bytes:
    """``data`` with each edit applied in turn; for FIT, optionally a valid file CRC again (so
    the reader looks past its checksum, where the damage is)."""
    out = bytearray(data)
    for kind, where, value in edits:
        at = min(int(where * len(out)), max(len(out) - 1, 0))
        if kind == "set" and out:
            out[at] = value
        elif kind == "delete":
            del out[at:at + 1 + value % 8]
        elif kind == "insert":
            out[at:at] = bytes([value]) * (1 + value % 8)
        elif kind == "cut":
            del out[at:]
    if fix_fit_crc and len(out) > 16:
        out[-2:] = struct.pack("<H", fit_crc(bytes(out[:-2])))
    return bytes(out)


def _read_and_analyse(kind: str, data: bytes) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadWarning)
        try:
            activity = READERS[kind](data, name=f"fuzz.{kind}")
            analyze_activity(activity)
        except HipstrideError:  # a ReadError, DataError or InputError: the project's own
            pass


_SETTINGS = settings(max_examples=EXAMPLES, deadline=DEADLINE,
                     suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(st.sampled_from(SEEDS["fit"]), EDITS, st.booleans())
# the review's case: two bytes deleted at byte 69 076 made a 6.6-year run (analysis > 600 s)
@example("fit/elevate__trosku.fit", [("delete", 69_076 / 117_336, 1)], False)
def test_fit_mutations_read_and_analyse_within_bounds(
        relative: str, edits: list[tuple[str, float, int]], fix_crc: bool) -> None:
    _read_and_analyse("fit", mutate(_seed(relative), edits, fix_fit_crc=fix_crc))


@_SETTINGS
@given(st.sampled_from(SEEDS["gpx"]), EDITS)
def test_gpx_mutations_read_and_analyse_within_bounds(
        relative: str, edits: list[tuple[str, float, int]]) -> None:
    _read_and_analyse("gpx", mutate(_seed(relative), edits))


@_SETTINGS
@given(st.sampled_from(SEEDS["tcx"]), EDITS)
def test_tcx_mutations_read_and_analyse_within_bounds(
        relative: str, edits: list[tuple[str, float, int]]) -> None:
    _read_and_analyse("tcx", mutate(_seed(relative), edits))


@cache
def _seed_archive() -> bytes:
    """A Strava-like export of real files: an index, two recordings and a nested zip."""
    def zip_of(members: dict[str, bytes]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        return buffer.getvalue()

    index = (b"Activity ID,Activity Name,Activity Type,Filename\n"
             b"1,Morning,Run,activities/1.gpx\n2,Evening,Run,activities/2.tcx\n")
    return zip_of({"activities.csv": index,
                   "activities/1.gpx": _seed("gpx/runpandas__garmin_connect.gpx"),
                   "activities/2.tcx": _seed("tcx/runpandas__run_garmin.tcx"),
                   "nested.zip": zip_of({"3.gpx": _seed("gpx/gpxpy__Mojstrovka.gpx")})})


@settings(max_examples=EXAMPLES, deadline=DEADLINE,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(EDITS)
def test_archive_mutations_give_runs_or_reasons_within_bounds(
        tmp_path: Path, edits: list[tuple[str, float, int]]) -> None:
    archive = tmp_path / "export.zip"
    archive.write_bytes(mutate(_seed_archive(), edits))
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadWarning)
        found = discover([archive], work)              # raises nothing: failures are listed
        for label, problem in found.failed:
            assert label.startswith(str(archive))
            assert problem
        for item in found.items:                       # a run or a reason, never an exception
            assert _import_task(item).label == item.label
