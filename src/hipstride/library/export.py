"""Exports from the library: the run list as CSV or Parquet, one run as GPX or GeoJSON.

Units follow the column names (SI: metres, seconds); times are ISO 8601 UTC. Parquet needs the
optional ``pyarrow`` package.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from hipstride.activity import Activity
from hipstride.errors import DataError, InputError
from hipstride.library.codec import unpack_activity
from hipstride.library.store import RunStore

__all__ = ["RUN_COLUMNS", "run_rows", "write_run_geojson", "write_run_gpx", "write_runs_csv",
           "write_runs_parquet"]

#: Columns of the run list export, in order.
RUN_COLUMNS: tuple[str, ...] = (
    "id", "start_time_utc", "sport", "sub_sport", "name", "device", "distance_m", "duration_s",
    "moving_time_s", "elevation_gain_m", "elevation_loss_m", "hip_load_index", "hip_load_total",
    "source_file", "sources", "time_is_relative")


def run_rows(store: RunStore) -> list[dict[str, Any]]:
    """Every run as a dict of :data:`RUN_COLUMNS`."""
    return [{k: r.to_dict()[k] for k in RUN_COLUMNS} for r in store.list_runs()]


def write_runs_csv(store: RunStore, out: str | Path) -> int:
    """Write the run list as CSV (UTF-8, header row); return the number of runs."""
    rows = run_rows(store)
    with Path(out).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(RUN_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
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
    pq.write_table(pa.table(columns), str(out))
    return len(rows)


def _activity(store: RunStore, run_id: int) -> Activity:
    if store.get_run(run_id) is None:
        raise InputError(f"no run with id {run_id} in the library (see `hipstride runs`)")
    blob = store.get_samples(run_id)
    if blob is None:
        raise InputError(f"run {run_id} has no stored samples")
    activity = unpack_activity(blob)
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
    a = _activity(store, run_id)
    times = _times(a)
    hr = a.channel("heart_rate_bpm")
    cad = a.channel("cadence_spm")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<gpx version="1.1" creator="hipstride" xmlns="http://www.topografix.com/GPX/1/1" '
             'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">',
             f"<trk><name>{escape(a.name or f'run {run_id}')}</name><type>{escape(a.sport)}</type>",
             "<trkseg>"]
    written = 0
    for i in np.flatnonzero(np.isfinite(a.lat_deg) & np.isfinite(a.lon_deg)).tolist():
        parts = [f"<trkpt lat={quoteattr(f'{a.lat_deg[i]:.7f}')} lon={quoteattr(f'{a.lon_deg[i]:.7f}')}>"]
        if math.isfinite(a.elevation_m[i]):
            parts.append(f"<ele>{a.elevation_m[i]:.2f}</ele>")
        if times[i]:
            parts.append(f"<time>{times[i]}</time>")
        ext = ""
        if hr is not None and math.isfinite(hr[i]):
            ext += f"<gpxtpx:hr>{round(float(hr[i]))}</gpxtpx:hr>"
        if cad is not None and math.isfinite(cad[i]):
            ext += f"<gpxtpx:cad>{round(float(cad[i]) / 2.0)}</gpxtpx:cad>"
        if ext:
            parts.append(f"<extensions><gpxtpx:TrackPointExtension>{ext}"
                         "</gpxtpx:TrackPointExtension></extensions>")
        parts.append("</trkpt>")
        lines.append("".join(parts))
        written += 1
    lines += ["</trkseg></trk>", "</gpx>", ""]
    Path(out).write_text("\n".join(lines), encoding="utf-8")
    return written


def write_run_geojson(store: RunStore, run_id: int, out: str | Path) -> int:
    """Write one run as a GeoJSON Feature (LineString of ``[lon, lat, elevation]``; the times in
    ``properties.coordinateProperties.times``); return the number of points written."""
    a = _activity(store, run_id)
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
        "properties": {**run.to_dict(), "coordinateProperties": {"times": [times[i] for i in keep]}},
    }
    Path(out).write_text(json.dumps(feature, separators=(",", ":")), encoding="utf-8")
    return len(coords)
