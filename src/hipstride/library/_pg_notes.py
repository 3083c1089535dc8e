"""The runner's own records in :class:`~hipstride.library.postgres.PostgresStore`: the pain
journal, form checks and the log of batch re-analyses, each scoped to the store's athlete (kept
apart from the runs so that each module stays small). A journal entry or form check that names a
run of another athlete is stored without the link, as if that run did not exist.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from hipstride.library._pg_base import PgBase
from hipstride.library._sqlite_athlete import _JOURNAL_COLUMNS, MAX_RUN_ID
from hipstride.library._sqlite_athlete import TREND_COLUMNS as TREND_METRICS
from hipstride.library.store import FormCheckRow, JournalRecord, now_utc

__all__ = ["PgNotes"]


class PgNotes(PgBase):
    """Journal, form checks, re-analysis log and integrity check of a PostgreSQL store."""

    # -- the pain journal ---------------------------------------------------------------------
    def put_journal_entry(self, record: JournalRecord) -> bool:
        replaced = self._count("DELETE FROM journal_entries WHERE athlete_id = %s AND entry_date = %s",
                               (self._athlete_id, record.entry_date)) > 0
        self._count(
            f"INSERT INTO journal_entries (athlete_id, {', '.join(_JOURNAL_COLUMNS)}) "
            f"VALUES (%s, {', '.join(['%s'] * len(_JOURNAL_COLUMNS))})",
            (self._athlete_id, record.entry_date, record.pain_during, record.pain_after,
             record.pain_morning, record.morning_stiffness_min, json.dumps(list(record.sites)),
             record.side, record.better, record.worse, json.dumps(list(record.flags)),
             record.run_id if record.run_id is not None and self._owned(record.run_id) else None,
             record.created_at_utc or now_utc()))
        return replaced

    def delete_journal_entry(self, day: date) -> bool:
        return self._count("DELETE FROM journal_entries WHERE athlete_id = %s AND entry_date = %s",
                           (self._athlete_id, day)) > 0

    def journal_entries(self, *, since: date | None = None,
                        until: date | None = None) -> list[JournalRecord]:
        rows = self._rows(
            f"SELECT {', '.join(_JOURNAL_COLUMNS)} FROM journal_entries WHERE athlete_id = %s "
            "AND entry_date >= %s AND entry_date <= %s ORDER BY entry_date",
            (self._athlete_id, since or date.min, until or date.max))
        return [JournalRecord(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5])), r[6], r[7],
                              r[8], tuple(json.loads(r[9])), None if r[10] is None else int(r[10]),
                              r[11]) for r in rows]

    # -- form checks and re-analysis ----------------------------------------------------------
    def add_form_check(self, row: FormCheckRow) -> int:
        run_id = row.run_id if row.run_id is not None and self._owned(row.run_id) else None
        rows = self._rows(
            "INSERT INTO form_checks (athlete_id, checked_at_utc, run_id, source, view, passed, "
            f"{', '.join(TREND_METRICS)}, document) "
            f"VALUES ({', '.join(['%s'] * (7 + len(TREND_METRICS)))}) RETURNING id",
            (self._athlete_id, row.checked_at_utc, run_id, row.source, row.view, row.passed,
             *(row.medians.get(k) for k in TREND_METRICS), row.document_json))
        return int(rows[0][0])

    def form_check_rows(self, *, run_id: int | None = None) -> list[FormCheckRow]:
        where, params = ("AND run_id = %s", (run_id,)) if run_id is not None else ("", ())
        rows = self._rows(
            f"SELECT id, checked_at_utc, run_id, source, view, passed, {', '.join(TREND_METRICS)}, "
            f"document FROM form_checks WHERE athlete_id = %s {where} ORDER BY checked_at_utc, id",
            (self._athlete_id, *params))
        return [FormCheckRow(int(r[0]), str(r[1]), None if r[2] is None else int(r[2]), str(r[3]),
                             str(r[4]), bool(r[5]),
                             dict(zip(TREND_METRICS, r[6:6 + len(TREND_METRICS)], strict=True)),
                             str(r[-1])) for r in rows]

    def record_reanalysis(self, job: str, run_ids: list[int]) -> None:
        self._count("INSERT INTO reanalysis_log (athlete_id, job, run_id, analysed_at_utc) "
                    "SELECT %s, %s, r.id, %s FROM runs r WHERE r.athlete_id = %s AND r.id = ANY(%s)",
                    (self._athlete_id, job, now_utc(), self._athlete_id,
                     [i for i in run_ids if 0 < i <= MAX_RUN_ID]))

    def reanalysed_ids(self, job: str, *, among: Sequence[int] | None = None) -> set[int]:
        if among is not None:  # a batch's own runs, not the whole log
            return {int(r[0]) for r in self._rows(
                "SELECT DISTINCT run_id FROM reanalysis_log WHERE athlete_id = %s AND job = %s "
                "AND run_id = ANY(%s)", (self._athlete_id, job, list(among)))}
        return {int(r[0]) for r in self._rows(
            "SELECT DISTINCT run_id FROM reanalysis_log WHERE athlete_id = %s AND job = %s",
            (self._athlete_id, job))}

    def integrity_problems(self) -> list[str]:
        """Runs of this athlete missing their samples, analysis or primary source (empty when sound)."""
        problems = []
        for what, sql in (
                ("samples", "NOT EXISTS (SELECT 1 FROM run_samples c WHERE c.run_id = r.id)"),
                ("analysis", "NOT EXISTS (SELECT 1 FROM run_analyses c WHERE c.run_id = r.id)"),
                ("primary source", "NOT EXISTS (SELECT 1 FROM sources c WHERE c.run_id = r.id "
                                   "AND c.is_primary)")):
            problems += [f"run {r[0]} has no {what}" for r in self._rows(
                f"SELECT r.id FROM runs r WHERE r.athlete_id = %s AND {sql} ORDER BY r.id",
                (self._athlete_id,))]
        return problems

