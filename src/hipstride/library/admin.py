"""Looking after a library's database: bring its schema up to date (``hipstride db migrate``) and
move athletes' libraries from one database to another (``hipstride db copy``).

Both open the databases the way every command does (:func:`~hipstride.library.api.open_store`):
opening migrates, so ``migrate`` is an explicit, reported opening — what an operator runs once
after an upgrade, before the club's workers and web app connect. A copy is one transaction per
athlete (:func:`~hipstride.library.copy.copy_athlete`) and adds nothing the target already has.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from hipstride.errors import InputError
from hipstride.library.api import open_store
from hipstride.library.copy import CopyReport, copy_athlete
from hipstride.library.store import RunStore

__all__ = ["MigrationReport", "copy_library", "migrate"]


@dataclass(frozen=True)
class MigrationReport:
    """The database (named without a password), its migrations, and those this call applied."""

    database: str
    applied: list[str]
    applied_now: list[str]


def _shown(store: RunStore) -> str:
    return str(getattr(store, "name", None) or store.url)


def migrate(db: str | None = None, *, home: str | os.PathLike[str] | None = None) -> MigrationReport:
    """Open the database ``db`` (see :func:`~hipstride.library.api.open_store`), applying the
    migrations it lacks."""
    with open_store(db, home=home) as store:
        applied: list[str] = list(getattr(store, "applied_migrations", list)())
        now = getattr(store, "newly_applied", None)
        return MigrationReport(_shown(store), applied, list(now) if now is not None else [])


def copy_library(source_db: str, target_db: str, *, athlete: str | None = None,
                 target_athlete: str | None = None,
                 home: str | os.PathLike[str] | None = None) -> list[CopyReport]:
    """Copy athlete ``athlete`` (default: every athlete) of ``source_db`` into ``target_db``,
    under the name ``target_athlete`` when given (one athlete only); one report per athlete."""
    with open_store(source_db, home=home, athlete=athlete) as source:
        names = [a.name for a in source.athletes()]
        if athlete is not None and athlete not in names:
            raise InputError(f"{_shown(source)}: no athlete {athlete!r} to copy "
                             f"(it holds {', '.join(names) or 'no athlete'})")
        chosen = [athlete] if athlete is not None else names
        if target_athlete is not None and len(chosen) != 1:
            raise InputError("a new athlete name needs exactly one athlete to copy "
                             f"(the source holds {len(chosen)})")
        reports = []
        with open_store(target_db, home=home) as target:  # reachable, and migrated
            for name in chosen:
                with source.with_athlete(name) as one, target.with_athlete(target_athlete or name) as into:
                    reports.append(copy_athlete(one, into))
        return reports
