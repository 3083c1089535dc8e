"""The run library: a runner's whole history, their personal baselines and their load over time.

* :mod:`~hipstride.library.store` — the storage interface (:class:`RunStore`) and its records;
  :mod:`~hipstride.library.sqlite` — the SQLite implementation (``HOME/library.sqlite``) with
  named, ordered migrations in ``migrations/``; :mod:`~hipstride.library.codec` — the compact
  sample blobs.
* :mod:`~hipstride.library.importer` — ``hipstride import`` (parallel reading, idempotent,
  one transaction per run); :mod:`~hipstride.library._archives` — files, folders and the Strava
  and Garmin Connect export zips.
* :mod:`~hipstride.library.export` — CSV, Parquet, GPX and GeoJSON.
* :mod:`~hipstride.library.reanalyze` — ``hipstride reanalyze``: every stored run analysed again
  (new model, profile or maps) in batches on Dask or in this process, resumable by job key.
* :mod:`~hipstride.library.api` — opening the library, a stored run's analysis, trends; the
  numbers themselves (baselines, form changes, weekly load) are computed in :mod:`hipstride.analysis`.
"""

from __future__ import annotations

from hipstride.library.api import (
    library_path,
    open_library,
    rebuild_analysis,
    refresh_run,
    show_run,
    trends_document,
)
from hipstride.library.sqlite import SQLiteStore
from hipstride.library.store import RunStore, RunSummary

__all__ = [
    "RunStore",
    "RunSummary",
    "SQLiteStore",
    "library_path",
    "open_library",
    "rebuild_analysis",
    "refresh_run",
    "show_run",
    "trends_document",
]
