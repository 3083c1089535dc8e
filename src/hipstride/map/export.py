"""Planned routes out for a watch: GPX 1.1 (one track per route, best first) or one route as a
FIT course (:mod:`hipstride.io.fit_course`).

The document is written by the one GPX writer, :mod:`hipstride.io.gpx_write`, and carries the
OpenStreetMap attribution and the ODbL in its metadata. Elevations are written only when the map
has a DEM (otherwise they are relative and would mislead a watch). The offline HTML page of a
plan is a face and lives in :mod:`hipstride.report.plan_page`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from hipstride.__version__ import __version__
from hipstride._files import write_atomic
from hipstride.errors import InputError
from hipstride.io.fit_course import CourseTrack, encode_fit_course
from hipstride.io.gpx_write import GpxMetadata, GpxTrack, gpx_document
from hipstride.map.evaluate import RouteSummary
from hipstride.map.network import ATTRIBUTION
from hipstride.map.planner import Plan

__all__ = ["ODBL_URL", "plan_to_fit_course", "plan_to_gpx", "route_name", "write_plan_gpx"]

ODBL_URL = "https://www.openstreetmap.org/copyright"
ODBL_LICENSE_URL = "https://opendatacommons.org/licenses/odbl/"


def route_name(plan: Plan, rank: int, r: RouteSummary) -> str:
    """``"Loop 1: 5.52 km, hip-load index 1.083"`` (without the index when there is none)."""
    what = "Loop" if plan.kind == "loop" else "Route"
    index = r.hip_load.index
    return (f"{what} {rank}: {r.distance_m / 1000.0:.2f} km, hip-load index "
            f"{index:.3f}" if index is not None else f"{what} {rank}: {r.distance_m / 1000.0:.2f} km")


def plan_to_gpx(plan: Plan, *, with_elevation: bool) -> str:
    """GPX 1.1 document with one track per planned route (best first).

    Parameters
    ----------
    with_elevation
        Write ``<ele>`` (only sensible when the map has a DEM: otherwise elevations are relative).
    """
    meta = GpxMetadata(name=f"hipstride {plan.kind} on {plan.map_name}",
                       desc=f"{ATTRIBUTION}; planned for low hip load (profile {plan.profile_name})",
                       copyright_author="OpenStreetMap contributors", license_url=ODBL_LICENSE_URL,
                       time_utc=datetime.now(UTC).replace(microsecond=0))
    tracks = [GpxTrack(r.geometry.lat_deg, r.geometry.lon_deg, name=route_name(plan, rank, r),
                       elevation_m=r.geometry.elevation_m if with_elevation else None)
              for rank, r in enumerate(plan.routes, start=1)]
    return gpx_document(tracks, creator=f"hipstride {__version__}", metadata=meta)[0]


def plan_to_fit_course(plan: Plan, rank: int = 1, *, with_elevation: bool) -> bytes:
    """The route ranked ``rank`` (1: the best) as the bytes of a FIT course file."""
    if not 1 <= rank <= len(plan.routes):
        raise InputError(f"route must be 1 to {len(plan.routes)} (the plan's routes), got {rank}")
    r = plan.routes[rank - 1]
    geo = r.geometry
    name = f"{'Loop' if plan.kind == 'loop' else 'Route'} {r.distance_m / 1000.0:.1f} km"
    return encode_fit_course(CourseTrack(name, geo.lat_deg, geo.lon_deg, geo.distance_m,
                                         geo.elevation_m if with_elevation else None))


def write_plan_gpx(plan: Plan, out: str | os.PathLike[str], *, with_elevation: bool) -> None:
    """Write :func:`plan_to_gpx` to ``out`` atomically."""
    write_atomic(out, plan_to_gpx(plan, with_elevation=with_elevation))
