"""Storing one parsed recording: a new run, the same content again, or another recording of a
run already stored (kept out of :mod:`hipstride.library.importer` so that each stays small).

The same content (same hash) is never stored twice. The same run recorded by two devices or
exported twice in different formats (time ranges overlapping by more than
:data:`MIN_OVERLAP_FRACTION` of the longer one, starts within :data:`MAX_START_GAP_S`) is kept once:
the richer recording is primary, both files are its sources, and a known sport wins over none.
"""

from __future__ import annotations

from hipstride.library.records import maps_home_of, with_sport
from hipstride.library.store import RunRecord, RunStore

__all__ = ["MAX_START_GAP_S", "MIN_OVERLAP_FRACTION", "store_record"]

#: Two recordings are one run when their time ranges overlap by more than this fraction …
MIN_OVERLAP_FRACTION = 0.5
#: … and they started within this many seconds of each other.
MAX_START_GAP_S = 300.0


def _twin(store: RunStore, record: RunRecord) -> tuple[int, tuple[int, int, int, int]] | None:
    """The stored run that is this recording from another device or file, if any."""
    start, end = record.start_time_utc, record.end_time_utc
    if start is None or end is None or record.time_is_relative:
        return None
    best: tuple[float, int, tuple[int, int, int, int]] | None = None
    for run_id, s, e, richness in store.overlapping_runs(start, end, MAX_START_GAP_S):
        overlap = (min(end, e) - max(start, s)).total_seconds()
        longer = max((end - start).total_seconds(), (e - s).total_seconds())
        if longer <= 0 or overlap / longer <= MIN_OVERLAP_FRACTION:
            continue
        if best is None or overlap > best[0]:
            best = (overlap, run_id, richness)
    return None if best is None else (best[1], best[2])


def store_record(store: RunStore, record: RunRecord) -> str:
    """Store one parsed recording in one transaction.

    Returns ``"imported"``, ``"duplicate"`` (same content already stored) or ``"other_source"``
    (another recording of a stored run; the richer of the two becomes primary).
    """
    with store.transaction():
        if store.run_for_hash(record.source.content_sha256) is not None:
            return "duplicate"
        twin = _twin(store, record)
        if twin is None:
            store.add_run(record)
            return "imported"
        run_id, richness = twin
        stored = store.get_run(run_id)
        if record.richness > richness:
            if stored is not None and record.sport == "unknown" and stored.sport != "unknown":
                record = with_sport(record.samples_blob, record.source.file_path,
                                     record.source.content_sha256, stored.sport, stored.sub_sport,
                                     run=record.source.file_path, maps_home=maps_home_of(store))
            store.replace_primary(run_id, record)
        else:
            blob = store.get_samples(run_id)
            primary = next((s for s in store.get_sources(run_id) if s.is_primary), None)
            if (stored is not None and stored.sport == "unknown" and record.sport != "unknown"
                    and blob is not None and primary is not None):
                store.replace_primary(run_id, with_sport(
                    blob, primary.file_path, primary.content_sha256, record.sport, record.sub_sport,
                    run=f"run {run_id}", maps_home=maps_home_of(store)))
            store.add_source(run_id, record.source)
        return "other_source"
