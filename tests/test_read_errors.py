"""Where a broken recording is broken (``ReadError.offset/line/record``) and the ``on_error`` policy.

The expected places are those the readers' messages name for the files in
``../shared/data/corrupt`` (see the docstring of :mod:`hipstride.io.fit`), so a field and the
message can never disagree.
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from hipstride.activity import Activity
from hipstride.errors import InputError, ReadError, ReadWarning
from hipstride.io import OnError, read_activity, read_fit, read_gpx, read_tcx
from tests.conftest import data_path

Reader = Callable[..., Activity]

#: corrupt file -> (offset, line, record) of the damage, raised by default or under RAISE.
PLACES: dict[str, tuple[int | None, int | None, int | None]] = {
    "fitparse__activity-filecrc.fit": (769, None, 0),
    "fitparse__activity-activity-filecrc.fit": (1540, None, 14),
    "fitparse__activity-settings-corruptheader.fit": (779, None, None),
    "fitparse__activity-settings-nodata.fit": (786, None, 14),
    "fitparse__activity-unexpected-eof.fit": (768, None, 14),
    "fitparse__nick.fit": (403456, None, 14391),
    "fitparse__strava-android-app-201.10-b1218918.fit": (7471, None, 473),
    "gpsbabel__lezyne_super_gps-garmin_fit-sample-bad-endian.fit": (22225, None, 804),  # the broken record, not the SDK's stop
    "runpandas__malformed.tcx": (None, 4653, None),
    "graphhopper__no_trk.gpx": (None, None, None),
    "elevate__empty.fit": (None, None, None),
}


def _strict_error(path: Path) -> ReadError:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # RAISE never warns
        with pytest.raises(ReadError) as caught:
            read_activity(path, on_error=OnError.RAISE)
    return caught.value


@pytest.mark.parametrize("name", sorted(PLACES))
def test_the_error_says_where_the_damage_is(name: str) -> None:
    error = _strict_error(data_path(f"corrupt/{name}"))
    offset, line, record = PLACES[name]
    assert (error.offset, error.line, error.record) == (offset, line, record)
    assert name in str(error)
    if offset is not None:
        assert f"byte {offset}" in error.problem  # the field is what the message says
    if line is not None:
        assert f"line {line}" in error.problem
    assert "kept the" not in error.problem  # the error names the problem, not what a warning kept


def test_a_file_with_nothing_readable_says_where_in_every_mode() -> None:
    path = data_path("corrupt/fitparse__activity-filecrc.fit")
    for mode in OnError:
        with pytest.raises(ReadError) as caught:
            read_activity(path, on_error=mode)
        assert (caught.value.offset, caught.value.record) == (769, 0)


def test_an_intact_file_reads_under_raise() -> None:
    activity = read_activity(data_path("corrupt/fitparse__coros-pace-2-cycling-misaligned-fields.fit"),
                             on_error=OnError.RAISE)
    assert len(activity) == 11272
    assert activity.warnings == []


def _cut_gpx() -> bytes:
    data = data_path("gpx/runpandas__run.gpx").read_bytes()
    return data[: len(data) // 2]


def _cut_tcx() -> bytes:
    data = data_path("tcx/runpandas__basic.tcx").read_bytes()
    return data[: len(data) // 2]


def test_malformed_xml_has_its_line_and_the_points_read_before_it() -> None:
    with pytest.warns(ReadWarning):
        kept = read_gpx(_cut_gpx(), name="cut.gpx")
    error = _strict_error_of(read_gpx, _cut_gpx(), "cut.gpx")
    assert error.record == len(kept) > 0
    assert error.line is not None
    assert f"malformed XML at line {error.line}, column" in error.problem
    assert error.line == _cut_gpx().count(b"\n") + 1  # the file ends inside its last line
    with pytest.raises(ReadError) as caught:  # broken before any point: the default raises too
        read_gpx(b'<gpx>\n<trk><trkseg><trkpt lat="1" lon="2"></trkseg></trk></gpx>', name="m.gpx")
    assert (caught.value.line, caught.value.record, caught.value.offset) == (2, 0, None)


def _strict_error_of(read: Reader, data: bytes, name: str) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read(data, name=name, on_error=OnError.RAISE)
    return caught.value


def _three_modes(read: Reader, data: bytes, name: str) -> tuple[Activity, Activity, ReadError]:
    """Read ``data`` under WARN (must warn), IGNORE (must not) and RAISE (must raise)."""
    with pytest.warns(ReadWarning) as caught:
        warned = read(data, name=name)  # WARN is the default
    assert all(name in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ignored = read(data, name=name, on_error=OnError.IGNORE)
    return warned, ignored, _strict_error_of(read, data, name)


@pytest.mark.parametrize(("reader", "source"), [
    ("fit", "corrupt/fitparse__activity-unexpected-eof.fit"),
    ("fit", "corrupt/fitparse__strava-android-app-201.10-b1218918.fit"),
    ("gpx", "cut"),
    ("tcx", "corrupt/runpandas__malformed.tcx"),
    ("tcx", "cut"),
])
def test_each_mode_on_a_partly_broken_file(reader: str, source: str) -> None:
    read: Reader = {"fit": read_fit, "gpx": read_gpx, "tcx": read_tcx}[reader]
    if source == "cut":
        data = _cut_gpx() if reader == "gpx" else _cut_tcx()
    else:
        data = data_path(source).read_bytes()
    warned, ignored, error = _three_modes(read, data, f"broken.{reader}")
    # IGNORE keeps exactly what WARN keeps, and still lists the problems in the activity
    assert len(warned) == len(ignored) > 0
    assert np.array_equal(warned.time_s, ignored.time_s)
    assert np.array_equal(warned.lat_deg, ignored.lat_deg, equal_nan=True)
    assert warned.warnings == ignored.warnings != []
    # RAISE refuses it, naming the first problem the warning named
    assert error.source == f"broken.{reader}"
    assert error.problem in warned.warnings[0]
    assert (error.offset is not None) == (reader == "fit")
    assert (error.line is not None) == (reader != "fit")


def test_what_is_not_damage_is_never_raised() -> None:
    doc = b'<gpx><trk><trkseg><trkpt lat="1" lon="2"/><trkpt lat="1" lon="2.001"/></trkseg></trk></gpx>'
    activity = read_gpx(doc, name="plan.gpx", on_error=OnError.RAISE)  # a route without times
    assert any("no timestamps" in note for note in activity.warnings)


def test_dropped_points_are_damage() -> None:
    doc = (b'<gpx><trk><trkseg><trkpt lat="1" lon="2"/><trkpt lat="95" lon="2"/>'
           b'<trkpt lat="1" lon="2.001"/></trkseg></trk></gpx>')
    with pytest.raises(ReadError, match="dropped 1 of 3 points with an invalid position") as caught:
        read_gpx(doc, name="bad.gpx", on_error=OnError.RAISE)
    assert caught.value.record == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(read_gpx(doc, name="bad.gpx", on_error=OnError.IGNORE)) == 2


def test_on_error_by_name_and_a_wrong_value() -> None:
    path = data_path("corrupt/fitparse__activity-unexpected-eof.fit")
    with pytest.raises(ReadError):
        read_activity(path, on_error="raise")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="on_error must be one of ignore, warn, raise"):
        read_activity(path, on_error="strict")  # type: ignore[arg-type]


def test_the_fields_survive_pickling() -> None:
    error = ReadError("x.fit", "truncated", offset=768, record=14)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.source, copy.problem, copy.offset, copy.line, copy.record) == ("x.fit", "truncated", 768,
                                                                                None, 14)
    assert str(copy) == "x.fit: truncated"
    plain = ReadError("x.gpx", "no track")
    assert (plain.offset, plain.line, plain.record) == (None, None, None)
