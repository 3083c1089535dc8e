"""The SQLite store's athlete-scoped writes beside the import: athletes, the runner's own
corrections (delete a run, relabel its sport), the pain journal, form checks and the batch
re-analysis log (migrations ``0004`` to ``0012``).

A mixin of :class:`hipstride.library.sqlite.SQLiteStore`, kept apart so that each module stays
small. Every query names the store's athlete (``self._athlete_param``): one athlete's reads never
return another's rows, and one athlete's writes never touch them. Deleting a run removes its
samples, analysis, sources and form minutes (the schema's ``ON DELETE CASCADE``) and clears the
link of a journal entry or form check that pointed at it (``ON DELETE SET NULL``): the entry
itself is the runner's record and stays.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any

from hipstride.library.store import AthleteRecord, FormCheckRow, JournalRecord, now_utc

__all__ = ["MAX_RUN_ID", "TREND_COLUMNS", "AthleteTables"]

#: The largest id SQLite can hold (a signed 64-bit integer).
MAX_RUN_ID = 2**63 - 1

#: The form-check medians kept in columns (the document holds every metric).
TREND_COLUMNS = ("cadence_spm", "trunk_lean_deg", "overstride_legs", "pelvic_drop_deg")

_JOURNAL_COLUMNS = ("entry_date", "pain_during", "pain_after", "pain_morning",
                    "morning_stiffness_min", "sites", "side", "better", "worse", "flags", "run_id",
                    "created_at_utc")
_FORM_COLUMNS = ("id", "checked_at_utc", "run_id", "source", "view", "passed", *TREND_COLUMNS,
                 "document")


class AthleteTables:
    """Athlete-scoped SQL over the journal, form checks and re-analysis log (a mixin)."""

    _db: sqlite3.Connection
    athlete: str
    #: The athlete's row id, ``None`` until the athlete's first write.
    _athlete_id: int | None
    #: Whether the schema is current (before, a transaction makes no athlete row).
    _migrated: bool

    @property
    def _athlete_param(self) -> int:
        """The athlete's id for a query (-1, which matches nothing, before the first write)."""
        return -1 if self._athlete_id is None else self._athlete_id

    def _find_athlete(self) -> None:
        row = self._db.execute("SELECT id FROM athletes WHERE name = ?", (self.athlete,)).fetchone()
        self._athlete_id = None if row is None else int(row[0])

    def _ensure_athlete(self) -> None:
        """Make the athlete's row (inside the first write transaction)."""
        if self._athlete_id is None and self._migrated:
            self._db.execute("INSERT INTO athletes (name, created_at_utc) VALUES (?, ?) "
                             "ON CONFLICT (name) DO NOTHING", (self.athlete, now_utc()))
            self._find_athlete()

    def athletes(self) -> list[AthleteRecord]:
        return [AthleteRecord(int(r[0]), str(r[1]), str(r[2])) for r in self._db.execute(
            "SELECT id, name, created_at_utc FROM athletes ORDER BY name")]

    # -- the runner's corrections -------------------------------------------------------------
    def delete_run(self, run_id: int) -> bool:
        return 0 < run_id <= MAX_RUN_ID and self._db.execute(
            "DELETE FROM runs WHERE id = ? AND athlete_id = ?",
            (run_id, self._athlete_param)).rowcount > 0

    def set_sport_label(self, run_id: int, sport: str | None) -> bool:
        return 0 < run_id <= MAX_RUN_ID and self._db.execute(
            "UPDATE runs SET sport_label = ? WHERE id = ? AND athlete_id = ?",
            (sport, run_id, self._athlete_param)).rowcount > 0

    # -- the pain journal ---------------------------------------------------------------------
    def put_journal_entry(self, record: JournalRecord) -> bool:
        day = record.entry_date.isoformat()
        replaced = self._db.execute("DELETE FROM journal_entries WHERE athlete_id = ? AND "
                                    "entry_date = ?", (self._athlete_param, day)).rowcount > 0
        run_id = record.run_id
        if run_id is not None and not self._owns_run(run_id):
            run_id = None  # another athlete's run is not this entry's run
        self._db.execute(
            f"INSERT INTO journal_entries (athlete_id, {', '.join(_JOURNAL_COLUMNS)}) "
            f"VALUES (?, {', '.join('?' * len(_JOURNAL_COLUMNS))})",
            (self._athlete_param, day, record.pain_during, record.pain_after, record.pain_morning,
             record.morning_stiffness_min, json.dumps(list(record.sites)), record.side,
             record.better, record.worse, json.dumps(list(record.flags)), run_id,
             record.created_at_utc or now_utc()))
        return replaced

    def delete_journal_entry(self, day: date) -> bool:
        return self._db.execute("DELETE FROM journal_entries WHERE athlete_id = ? AND "
                                "entry_date = ?", (self._athlete_param, day.isoformat())).rowcount > 0

    def journal_entries(self, *, since: date | None = None,
                        until: date | None = None) -> list[JournalRecord]:
        rows = self._db.execute(
            f"SELECT {', '.join(_JOURNAL_COLUMNS)} FROM journal_entries WHERE athlete_id = ? "
            "AND entry_date >= ? AND entry_date <= ? ORDER BY entry_date",
            (self._athlete_param, since.isoformat() if since else "",
             until.isoformat() if until else "9999-12-31"))
        return [JournalRecord(date.fromisoformat(r[0]), r[1], r[2], r[3], r[4],
                              tuple(json.loads(r[5])), r[6], r[7], r[8], tuple(json.loads(r[9])),
                              None if r[10] is None else int(r[10]), r[11])
                for r in rows.fetchall()]

    # -- form checks --------------------------------------------------------------------------
    def add_form_check(self, row: FormCheckRow) -> int:
        values: tuple[Any, ...] = (
            self._athlete_param, row.checked_at_utc, row.run_id, row.source, row.view,
            int(row.passed), *(row.medians.get(k) for k in TREND_COLUMNS), row.document_json)
        cur = self._db.execute(
            f"INSERT INTO form_checks (athlete_id, {', '.join(_FORM_COLUMNS[1:])}) "
            f"VALUES ({', '.join('?' * len(values))})", values)
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    def form_check_rows(self, *, run_id: int | None = None) -> list[FormCheckRow]:
        where, params = ("AND run_id = ?", (run_id,)) if run_id is not None else ("", ())
        rows = self._db.execute(
            f"SELECT {', '.join(_FORM_COLUMNS)} FROM form_checks WHERE athlete_id = ? {where} "
            "ORDER BY checked_at_utc, id", (self._athlete_param, *params))
        n = len(TREND_COLUMNS)
        return [FormCheckRow(int(r[0]), str(r[1]), None if r[2] is None else int(r[2]), str(r[3]),
                             str(r[4]), bool(r[5]), dict(zip(TREND_COLUMNS, r[6:6 + n], strict=True)),
                             str(r[-1])) for r in rows]

    # -- batch re-analysis --------------------------------------------------------------------
    def record_reanalysis(self, job: str, run_ids: list[int]) -> None:
        at = now_utc()
        self._db.executemany(
            "INSERT INTO reanalysis_log (athlete_id, job, run_id, analysed_at_utc) "
            "SELECT ?, ?, id, ? FROM runs WHERE id = ? AND athlete_id = ?",
            [(self._athlete_param, job, at, run_id, self._athlete_param) for run_id in run_ids])

    def reanalysed_ids(self, job: str, *, among: Sequence[int] | None = None) -> set[int]:
        if among is not None:  # a batch's own runs: an index lookup each, not the whole log
            return {int(r[0]) for run_id in among for r in self._db.execute(
                "SELECT run_id FROM reanalysis_log WHERE athlete_id = ? AND job = ? "
                "AND run_id = ? LIMIT 1", (self._athlete_param, job, run_id))}
        return {int(r[0]) for r in self._db.execute(
            "SELECT run_id FROM reanalysis_log WHERE athlete_id = ? AND job = ?",
            (self._athlete_param, job))}

    def _owns_run(self, run_id: int) -> bool:
        return 0 < run_id <= MAX_RUN_ID and self._db.execute("SELECT 1 FROM runs WHERE id = ? AND athlete_id = ?",
                                (run_id, self._athlete_param)).fetchone() is not None
