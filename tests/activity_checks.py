"""One check of the activity model's invariants, shared by the reader tests."""

from __future__ import annotations

import numpy as np

from hipstride.activity import STANDARD_CHANNELS, Activity


def assert_valid(activity: Activity, file_format: str, *, strictly_increasing: bool = False) -> None:
    """Arrays aligned and float64; time from 0 and non-decreasing (strictly where the format
    guarantees it), or all NaN for an untimed file; positions on the globe or NaN in pairs;
    every channel with its unit."""
    n = len(activity)
    assert n >= 1
    for arr in (activity.lat_deg, activity.lon_deg, activity.elevation_m, activity.distance_m,
                activity.speed_mps, *activity.channels.values()):
        assert arr is None or (arr.shape == (n,) and arr.dtype == np.float64)
    if np.isnan(activity.time_s).all():
        assert activity.start_time_utc is None
    else:
        if activity.start_time_utc is not None:
            assert activity.start_time_utc.utcoffset() is not None
        assert activity.time_s[0] == 0.0
        steps = np.diff(activity.time_s)
        assert np.all(steps > 0) if strictly_increasing else np.all(steps >= 0)
    lat, lon = activity.lat_deg, activity.lon_deg
    assert np.array_equal(np.isnan(lat), np.isnan(lon))
    assert np.all(np.abs(lat[~np.isnan(lat)]) <= 90)
    assert np.all(np.abs(lon[~np.isnan(lon)]) <= 180)
    assert set(activity.channels) == set(activity.channel_units)
    for name, unit in activity.channel_units.items():
        assert name.startswith("dev:") or name == "cadence_rpm" or STANDARD_CHANNELS[name] == unit
    assert activity.file_format == file_format
