"""Opening the run library's SQLite file: its folder, WAL mode, and folders that cannot be written.

The library runs in WAL mode (readers never wait for the importer), which keeps a ``-shm`` index
beside the database; a plain open must create that file, so in a read-only folder (a read-only
mount, a copied backup) it failed even for ``runs`` or ``show``. SQLite's URI parameters give two
ways in there: ``mode=ro`` reads a database whose WAL files exist, and ``immutable=1`` (with
``mode=ro``) reads one that has no ``-wal`` file, which then holds every committed change
(https://www.sqlite.org/uri.html). A write on such a connection fails with "attempt to write a
readonly database"; the store turns that into its one-line error.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from hipstride.errors import StorageError

__all__ = ["connect"]


def connect(path: Path, *, timeout_s: float) -> tuple[sqlite3.Connection, bool]:
    """A connection to the library at ``path`` and whether it is read-only.

    The folder is created when missing; a folder that cannot be created is a
    :class:`~hipstride.errors.StorageError` naming it. An existing library in a folder that
    cannot be written is opened read-only (immutable when no ``-wal`` file exists).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"{path.parent}: cannot create the library's folder "
                           f"({exc.strerror or exc})") from None
    if path.is_file() and not os.access(path.parent, os.W_OK):
        wal = path.with_name(path.name + "-wal")
        flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
        db = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True, timeout=timeout_s,
                             isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        return db, True
    db = sqlite3.connect(path, timeout=timeout_s, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    return db, False
