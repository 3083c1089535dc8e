"""Moving a runner's library into another store: ``hipstride db copy`` (a runner's SQLite file into
a club's PostgreSQL server).

One athlete at a time, in one transaction of the target: the copy of an athlete is whole or
absent. Everything the runner recorded moves: the runs with all their files, samples, analyses
(with the times they were imported and analysed, so the copy knows as well as the original which
analyses are current), form minutes and sport labels; the journal; the form checks. Run ids are
the target's own; the links of journal entries and form checks follow their runs.

Copying again adds nothing: a run whose file (content hash) the target athlete already has is
left as it is, and so is a journal day the target already has and a form check stored there with
the same time, clip, view and document. So an interrupted copy is simply started again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from hipstride.library.store import RunStore, StoredRun

__all__ = ["BATCH_RUNS", "CopyReport", "copy_athlete"]

#: Runs read and written together (bounds the memory a copy holds: samples are tens of kB a run).
BATCH_RUNS = 500


@dataclass(frozen=True)
class CopyReport:
    """What one athlete's copy added, and what the target had already."""

    athlete: str
    runs_added: int
    runs_present: int
    journal_added: int
    journal_present: int
    form_checks_added: int
    form_checks_present: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return dict(self.__dict__)


def _batches(source: RunStore, known: set[str], run_map: dict[int, int],
             target: RunStore) -> Iterator[list[tuple[int, StoredRun]]]:
    batch: list[tuple[int, StoredRun]] = []
    for run_id in list(source.iter_run_ids()):
        stored = source.stored_run(run_id)
        if stored is None:
            continue
        present = next((s.content_sha256 for s in stored.sources if s.content_sha256 in known), None)
        if present is not None:
            there = target.run_for_hash(present)
            if there is not None:
                run_map[run_id] = there
            continue
        batch.append((run_id, stored))
        if len(batch) >= BATCH_RUNS:
            yield batch
            batch = []
    if batch:
        yield batch


def _add_runs(target: RunStore, runs: list[StoredRun]) -> list[int]:
    bulk = getattr(target, "add_stored_runs", None)
    if bulk is not None:  # PostgreSQL: COPY, keeping the import and analysis times
        ids: list[int] = bulk(runs)
        return ids
    out = []
    for run in runs:  # any other store, through the protocol
        run_id = target.add_run(run.record)
        for extra in run.sources[1:]:
            target.add_source(run_id, extra)
        if run.sport_label is not None:
            target.set_sport_label(run_id, run.sport_label)
        out.append(run_id)
    return out


def copy_athlete(source: RunStore, target: RunStore) -> CopyReport:
    """Copy the library of ``source.athlete`` into ``target`` (for ``target.athlete``), in one
    transaction of the target (see the module docstring)."""
    run_map: dict[int, int] = {}
    added = present = 0
    with target.transaction():
        known = target.known_hashes()
        for batch in _batches(source, known, run_map, target):
            new_ids = _add_runs(target, [run for _, run in batch])
            run_map.update(zip((old for old, _ in batch), new_ids, strict=True))
            added += len(batch)
        present = len(run_map) - added

        there = {e.entry_date for e in target.journal_entries()}
        journal = [e for e in source.journal_entries() if e.entry_date not in there]
        for entry in journal:
            target.put_journal_entry(replace(entry, run_id=run_map.get(entry.run_id)
                                             if entry.run_id is not None else None))

        def key(row: Any) -> tuple[str, str, str, str]:
            return (row.checked_at_utc, row.source, row.view, row.document_json)

        stored_checks = {key(r) for r in target.form_check_rows()}
        checks = [r for r in source.form_check_rows() if key(r) not in stored_checks]
        for check in checks:
            target.add_form_check(replace(check, id=None, run_id=run_map.get(check.run_id)
                                          if check.run_id is not None else None))
        total_journal = len(source.journal_entries())
        total_checks = len(source.form_check_rows())
    return CopyReport(athlete=target.athlete, runs_added=added, runs_present=present,
                      journal_added=len(journal), journal_present=total_journal - len(journal),
                      form_checks_added=len(checks), form_checks_present=total_checks - len(checks))
