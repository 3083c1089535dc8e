"""The one GPX 1.1 writer: what it writes reads back with hipstride's reader and with gpxpy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from hipstride.activity import Activity
from hipstride.io import read_activity
from hipstride.io.gpx_write import GpxMetadata, GpxTrack, activity_track, gpx_document, write_gpx


def _activity() -> Activity:
    n = 120
    t = np.arange(n, dtype=np.float64) * 1.5  # half seconds: times to the millisecond
    lat = 60.17 + np.arange(n, dtype=np.float64) * 1e-5
    lon = np.full(n, 24.94)
    lat[10] = np.nan  # a point without a fix is left out
    elevation = 12.0 + np.sin(np.arange(n) / 10.0)
    elevation[20] = np.nan
    return Activity(source="test", start_time_utc=datetime(2024, 6, 1, 6, 0, tzinfo=UTC), time_s=t,
                    lat_deg=lat, lon_deg=lon, elevation_m=elevation, distance_m=None,
                    speed_mps=None,
                    channels={"heart_rate_bpm": np.full(n, 150.0), "cadence_spm": np.full(n, 170.0)},
                    sport="running", name="Run <with> & \"quotes\"")


def test_a_recording_reads_back_with_hipstride(tmp_path: Path) -> None:
    act = _activity()
    out = tmp_path / "run.gpx"
    assert write_gpx(out, [activity_track(act)], creator="hipstride test") == len(act) - 1
    back = read_activity(out)
    keep = np.isfinite(act.lat_deg)
    assert len(back) == len(act) - 1
    assert np.allclose(back.lat_deg, act.lat_deg[keep], atol=1e-7)
    assert back.start_time_utc == act.start_time_utc
    assert np.allclose(back.time_s, act.time_s[keep] - act.time_s[keep][0], atol=1e-3)
    assert np.isnan(back.elevation_m[19])  # the point without elevation has none
    assert np.nanmax(np.abs(back.elevation_m - act.elevation_m[keep])) < 0.006
    cadence = back.channel("cadence_spm")
    assert cadence is not None
    assert np.allclose(cadence, 170.0)  # written as strides/min, read back as steps/min
    assert back.name == act.name
    assert [p.name for p in tmp_path.iterdir()] == ["run.gpx"]  # written atomically


def test_a_document_reads_back_with_gpxpy() -> None:
    gpxpy = pytest.importorskip("gpxpy")
    act = _activity()
    meta = GpxMetadata(name="plan & more", desc="© OpenStreetMap contributors",
                       copyright_author="OpenStreetMap contributors",
                       license_url="https://opendatacommons.org/licenses/odbl/",
                       time_utc=datetime(2024, 6, 1, tzinfo=UTC))
    route = GpxTrack(act.lat_deg[:50], act.lon_deg[:50], name="Loop 1")
    text, written = gpx_document([activity_track(act), route], creator="hipstride", metadata=meta)
    assert written == len(act) - 1 + 49
    gpx = gpxpy.parse(text)
    assert gpx.name == "plan & more"
    assert gpx.copyright_author == "OpenStreetMap contributors"
    assert [t.name for t in gpx.tracks] == [act.name, "Loop 1"]
    first = gpx.tracks[0].segments[0].points[0]
    assert first.time == datetime(2024, 6, 1, 6, 0, tzinfo=UTC)
    assert first.elevation == pytest.approx(12.0, abs=0.01)
    assert "hr>150<" in text
    assert "<trkpt" in text
    assert gpx.tracks[1].segments[0].points[0].time is None  # a planned route has no times
