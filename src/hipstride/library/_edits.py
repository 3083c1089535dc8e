"""The runner's own corrections to the library, in SQL: delete a run, relabel its sport, delete
a journal day.

Kept out of :mod:`hipstride.library.sqlite` (which holds the import's writes) so that each module
stays small. Each function runs inside the caller's transaction and says whether anything was
there to change. Deleting a run removes its samples, analysis, sources and form minutes (the
schema's ``ON DELETE CASCADE``) and clears the link of a journal entry that pointed at it
(``ON DELETE SET NULL``): the entry itself is the runner's record and stays.
"""

from __future__ import annotations

import sqlite3
from datetime import date


def delete_run(db: sqlite3.Connection, run_id: int) -> bool:
    """Remove run ``run_id`` and everything stored for it; False when there was no such run."""
    return db.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount > 0


def set_sport_label(db: sqlite3.Connection, run_id: int, sport: str | None) -> bool:
    """Set the runner's own sport for run ``run_id`` (``None`` drops it, so the recording's
    sport stands again); False when there was no such run."""
    return db.execute("UPDATE runs SET sport_label = ? WHERE id = ?",
                      (sport, run_id)).rowcount > 0


def delete_journal_entry(db: sqlite3.Connection, day: date) -> bool:
    """Remove the journal entry of ``day``; False when that day had none."""
    return db.execute("DELETE FROM journal_entries WHERE entry_date = ?",
                      (day.isoformat(),)).rowcount > 0
