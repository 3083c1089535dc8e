"""From an :class:`~hipstride.activity.Activity` to what the library stores, and back.

These functions run in the import worker processes: they read nothing from the database and
return plain, picklable records. A run with positions is analysed with the surface of the stored
map that :func:`hipstride.map.surfaces.choose_map` picks in the library's home (``maps_home``),
the rule ``hipstride analyze`` uses, so the library and ``analyze`` give one answer.
"""

from __future__ import annotations

import warnings
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from hipstride._json import dumps
from hipstride.activity import Activity
from hipstride.analysis.baselines import CadenceBaseline, form_minutes
from hipstride.analysis.result import SCHEMA_VERSION, RunAnalysis
from hipstride.analysis.run import SurfaceLike, analyze_activity
from hipstride.analysis.trends import counts_as_running
from hipstride.library.codec import ENCODING, pack_activity, unpack_activity
from hipstride.library.store import AnalysisRecord, RunRecord, SourceRecord
from hipstride.model.profile import Profile, default_profile

__all__ = ["analyze", "build_record", "headline", "map_surface", "maps_home_of", "reanalyze",
           "with_sport"]


def series_names(activity: Activity) -> tuple[str, ...]:
    """Names of the series that hold data: positions, elevation, distance, speed, sensor channels."""
    names: list[str] = []
    if activity.has_positions:
        names += ["lat_deg", "lon_deg"]
    if activity.has_elevation:
        names.append("elevation_m")
    for label, arr in (("distance_m", activity.distance_m), ("speed_mps", activity.speed_mps)):
        if arr is not None and np.isfinite(arr).any():
            names.append(label)
    names += sorted(k for k in activity.channels if activity.channel(k) is not None)
    return tuple(names)


def headline(doc: dict[str, Any]) -> dict[str, float | None]:
    """The figures of an analysis document that the ``runs`` table keeps as columns."""
    act, form, hip = doc["activity"], doc["form"], doc["hip_load"]
    return {
        "distance_m": act.get("distance_m"),
        "duration_s": act.get("duration_s"),
        "moving_time_s": act.get("moving_time_s"),
        "elevation_gain_m": act.get("elevation_gain_m"),
        "elevation_loss_m": act.get("elevation_loss_m"),
        "hip_load_index": hip.get("index"),
        "hip_load_total": hip.get("total"),
        "avg_cadence_spm": form.get("cadence_spm"),
        "avg_step_length_m": form.get("step_length_m"),
        "avg_stance_time_ms": form.get("stance_time_ms"),
        "avg_stance_time_balance_left_pct": form.get("stance_time_balance_left_pct"),
        "avg_vertical_oscillation_mm": form.get("vertical_oscillation_mm"),
    }


def _uses_baseline(activity: Activity) -> bool:
    """Running with step rate; an untyped recording counts as running, as in weekly load."""
    return counts_as_running(activity.sport) and activity.channel("cadence_spm") is not None


@lru_cache(maxsize=1)
def _default_profile() -> Profile:
    return default_profile()


def maps_home_of(store: object) -> str | None:
    """The folder whose stored maps a library's runs use (its ``maps_home``: the home folder of
    a library in a file, the home given to a server's store), or ``None``."""
    home = getattr(store, "maps_home", None)
    return None if home is None else str(home)


def map_surface(activity: Activity, maps_home: str | Path | None) -> SurfaceLike:
    """The surface provider of the stored map that covers the run best (``None``: no map)."""
    if not activity.has_positions:
        return None
    from hipstride.map.surfaces import map_surface_provider

    provider, _ = map_surface_provider(activity.lat_deg, activity.lon_deg, home=maps_home)
    return provider


def analyze(activity: Activity, baseline: CadenceBaseline | None, *,
            profile: Profile | None = None, maps_home: str | Path | None = None,
            ) -> tuple[RunAnalysis, AnalysisRecord]:
    """Analyze with the runner's cadence baseline (used only for runs that record step rate),
    the default hip-load profile unless ``profile`` is given, and the surface of the stored map
    in ``maps_home`` (the hipstride home by default) that covers the run best."""
    used = baseline if _uses_baseline(activity) else None
    analysis = analyze_activity(activity, profile=profile or _default_profile(),
                                cadence_baseline=used, surface=map_surface(activity, maps_home))
    doc = analysis.to_dict()
    record = AnalysisRecord(
        analysis_json=dumps(doc, separators=(",", ":")),
        schema_version=SCHEMA_VERSION,
        baseline_signature=used.signature if used is not None else "",
        headline=headline(doc))
    return analysis, record


def build_record(activity: Activity, *, label: str, content_sha256: str,
                 baseline: CadenceBaseline | None, profile: Profile | None = None,
                 maps_home: str | Path | None = None) -> RunRecord:
    """Analyse one recording and pack everything the library keeps of it."""
    analysis, analysis_record = analyze(activity, baseline, profile=profile, maps_home=maps_home)
    channels = series_names(activity)
    end = None
    if activity.start_time_utc is not None and np.isfinite(activity.time_s).any():
        end = activity.start_time_utc + timedelta(seconds=float(np.nanmax(activity.time_s)))
    minutes = (form_minutes(activity, analysis.motion.speed_mps, analysis.motion.moving)
               if counts_as_running(activity.sport) else [])
    sensor_count = sum(1 for k in activity.channels if activity.channel(k) is not None)
    return RunRecord(
        start_time_utc=activity.start_time_utc, end_time_utc=end,
        time_is_relative=activity.time_is_relative, sport=activity.sport,
        sub_sport=activity.sub_sport, name=activity.name, device=activity.device,
        file_format=activity.file_format, channels=channels, samples=len(activity),
        source=SourceRecord(file_path=label, content_sha256=content_sha256,
                            file_format=activity.file_format, device=activity.device,
                            samples=len(activity), channel_count=sensor_count),
        analysis=analysis_record, samples_blob=pack_activity(activity), samples_encoding=ENCODING,
        form_minutes=minutes)


def reanalyze(blob: bytes, baseline: CadenceBaseline | None, *, run: str | None = None,
              profile: Profile | None = None, maps_home: str | Path | None = None,
              sport: str | None = None) -> AnalysisRecord:
    """Analyze a stored run again (from its packed samples) with another cadence baseline.

    ``run`` names the run in a :class:`~hipstride.errors.StorageError` when the samples are
    damaged (e.g. ``"run 12"``); ``sport`` (the runner's relabel) replaces the recording's.
    """
    activity = unpack_activity(blob, run=run)
    if sport is not None:
        activity.sport = sport
    return analyze(activity, baseline, profile=profile, maps_home=maps_home)[1]


def with_sport(blob: bytes, label: str, sha: str, sport: str, sub_sport: str | None, *,
               run: str | None = None, maps_home: str | Path | None = None) -> RunRecord:
    """A recording rebuilt and analysed again with the sport another recording of it knows
    (its cadence baseline follows in :func:`hipstride.library.importer.refresh_analyses`)."""
    activity = unpack_activity(blob, run=run)
    activity.sport, activity.sub_sport = sport, sub_sport or activity.sub_sport
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_record(activity, label=label, content_sha256=sha, baseline=None,
                            maps_home=maps_home)
