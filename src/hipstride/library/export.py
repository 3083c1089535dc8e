"""Exports from the library: the run list as CSV or Parquet, one run as GPX or GeoJSON.

Units follow the column names (SI: metres, seconds); times are ISO 8601 UTC. Parquet needs the
optional ``pyarrow`` package. Every file is written with :func:`hipstride._files.write_atomic`
(Parquet through the open temporary file), so an interrupted export leaves no half file; GPX
comes from the one GPX writer, :mod:`hipstride.io.gpx_write`.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import numpy as np

from hipstride._files import write_atomic
from hipstride._json import dumps
from hipstride._privacy import shown_source
from hipstride.activity import Activity
from hipstride.errors import DataError, InputError
from hipstride.io.gpx_write import activity_track, write_gpx
from hipstride.library.codec import unpack_activity
from hipstride.library.store import RunStore

__all__ = ["FORMULA_STARTS", "RUN_COLUMNS", "neutral_cell", "run_rows", "write_run_geojson", "write_run_gpx", "write_runs_csv",
           "write_runs_parquet"]

#: Columns of the run list export, in order.
RUN_COLUMNS: tuple[str, ...] = (
    "id", "start_time_utc", "sport", "sub_sport", "name", "device", "distance_m", "duration_s",
    "moving_time_s", "elevation_gain_m", "elevation_loss_m", "hip_load_index", "hip_load_total",
    "source_file", "sources", "time_is_relative")


def run_rows(store: RunStore) -> list[dict[str, Any]]:
    """Every run as a dict of :data:`RUN_COLUMNS`; ``source_file`` is the recording's name without
    the folders above it (:func:`hipstride._privacy.shown_source`: an export is made to be shared)."""
    return [_shareable(r.to_dict(), RUN_COLUMNS) for r in store.list_runs()]


def _shareable(run: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {k: shown_source(run[k]) if k == "source_file" else run[k] for k in keys}


#: What a spreadsheet takes for the start of a formula (or, for tab and CR, of a cell it moves).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_cell(value: Any) -> Any:
    """A text cell a spreadsheet would evaluate, quoted with a leading ``'`` (it shows as text).

    Activity names, devices and file names come from recordings and archives anyone can write:
    ``=HYPERLINK(…)`` in a Strava title must reach a spreadsheet as words, not as a formula
    (OWASP's advice on CSV injection). Numbers are left alone: ``-3.5`` is a value, not text.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_runs_csv(store: RunStore, out: str | Path) -> int:
    """Write the run list as CSV (UTF-8, header row); return the number of runs. Text cells that
    a spreadsheet would evaluate are neutralised (:func:`neutral_cell`)."""
    rows = run_rows(store)
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=list(RUN_COLUMNS))
    writer.writeheader()
    writer.writerows({k: neutral_cell(v) for k, v in row.items()} for row in rows)
    write_atomic(out, text.getvalue())
    return len(rows)


def write_runs_parquet(store: RunStore, out: str | Path) -> int:
    """Write the run list as Parquet (needs ``pyarrow``); return the number of runs."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("Parquet export needs the pyarrow package (pip install pyarrow)") from None
    rows = run_rows(store)
    types = {"id": pa.int64(), "sources": pa.int64(), "time_is_relative": pa.bool_(),
             "start_time_utc": pa.timestamp("us", tz="UTC")}
    for name in ("sport", "sub_sport", "name", "device", "source_file"):
        types[name] = pa.string()
    columns = {}
    for name in RUN_COLUMNS:
        values = [r[name] for r in rows]
        if name == "start_time_utc":
            values = [datetime.fromisoformat(v) if v else None for v in values]
        columns[name] = pa.array(values, type=types.get(name, pa.float64()))
    table = pa.table(columns)

    def write(fh: IO[bytes]) -> None:
        pq.write_table(table, fh)

    write_atomic(out, write)
    return len(rows)


def _activity(store: RunStore, run_id: int) -> Activity:
    if store.get_run(run_id) is None:
        raise InputError(f"no run with id {run_id} in the library (see `hipstride runs`)")
    blob = store.get_samples(run_id)
    if blob is None:
        raise InputError(f"run {run_id} has no stored samples")
    activity = unpack_activity(blob, run=f"run {run_id}")
    if not activity.has_positions:
        raise DataError(f"run {run_id} has no positions (a treadmill or indoor run?): "
                        "nothing to draw on a map")
    return activity


def _times(activity: Activity) -> list[str | None]:
    start = activity.start_time_utc
    if start is None:
        return [None] * len(activity)
    return [(start + timedelta(seconds=float(t))).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            if math.isfinite(t) else None for t in activity.time_s.tolist()]


def write_run_gpx(store: RunStore, run_id: int, out: str | Path) -> int:
    """Write one run as a GPX 1.1 track (heart rate and cadence in Garmin's TrackPointExtension,
    cadence there as strides/min as Garmin writes it); return the number of points written."""
    activity = _activity(store, run_id)
    return write_gpx(out, [activity_track(activity, name=activity.name or f"run {run_id}")],
                     creator="hipstride")


def write_run_geojson(store: RunStore, run_id: int, out: str | Path) -> int:
    """Write one run as a GeoJSON Feature (LineString of ``[lon, lat, elevation]``; the times in
    ``properties.coordinateProperties.times``); return the number of points written.

    When a stored map covers the run, ``properties.matched_path`` is the path along the ways it
    was matched to: ``way_ids``, ``length_m``, ``parts`` and its own GeoJSON ``geometry``."""
    from hipstride.library.api import refresh_run

    a = _activity(store, run_id)
    refresh_run(store, run_id)           # the analysis of the map that covers the run now
    stored = store.get_analysis(run_id)
    matched = stored[0].get("surface", {}).get("matched_path") if stored is not None else None
    times = _times(a)
    keep = np.flatnonzero(np.isfinite(a.lat_deg) & np.isfinite(a.lon_deg)).tolist()
    coords = []
    for i in keep:
        point = [round(float(a.lon_deg[i]), 7), round(float(a.lat_deg[i]), 7)]
        if math.isfinite(a.elevation_m[i]):
            point.append(round(float(a.elevation_m[i]), 2))
        coords.append(point)
    run = store.get_run(run_id)
    assert run is not None
    feature = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": {**_shareable(run.to_dict(), list(run.to_dict())), "coordinateProperties": {"times": [times[i] for i in keep]},
                       **({"matched_path": matched} if matched is not None else {})},
    }
    write_atomic(out, dumps(feature, separators=(",", ":")))
    return len(coords)
