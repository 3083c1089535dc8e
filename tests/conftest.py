"""Shared test fixtures: the real recordings and maps in ``../shared/data``.

``HIPSTRIDE_SHARED_DATA`` points elsewhere. Without the data (a fresh clone) the tests that need
it skip, all with the same one-line reason that says where they looked and how to point them at
the data; under CI (``CI=true``) missing data fails the test instead, and so does a parametrized
test that found nothing to run on (its list of files came out empty).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hipstride.library.store import RunStore

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("HIPSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
HINT = "set HIPSTRIDE_SHARED_DATA to the folder holding shared data"


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing_data_message(path: Path) -> str:
    """``test data missing: PATH (set HIPSTRIDE_SHARED_DATA …)``; with no data folder at all,
    PATH is the folder, so every skip gives the same line."""
    shown = path if SHARED_DATA.is_dir() else SHARED_DATA
    return f"test data missing: {shown} ({HINT})"


def data_path(relative: str) -> Path:
    """Return ``../shared/data/<relative>``; fail under CI and skip elsewhere when it is missing."""
    path = SHARED_DATA / relative
    if not path.exists():
        message = missing_data_message(path)
        if _under_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


def data_files(folder: str, *suffixes: str) -> list[Path]:
    """All files in ``../shared/data/<folder>`` (optionally only those with ``suffixes``)."""
    root = data_path(folder)
    return sorted(p for p in root.iterdir() if p.is_file() and (not suffixes or p.name.endswith(suffixes)))


@pytest.fixture
def shared_data() -> Path:
    return data_path("")


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with its own empty hipstride home (maps, run library), never the user's:
    a map stored there would otherwise change what ``analyze`` reports."""
    monkeypatch.setenv("HIPSTRIDE_HOME", str(tmp_path_factory.mktemp("home")))


_EMPTY = "got empty parameter set"


@pytest.fixture
def _no_parameters() -> None:
    pytest.fail(f"parametrized over an empty list (is the test data there? {HINT})")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test parametrized over the files of a data folder has an empty parameter set when the
    folder is missing. Outside CI it then skips with the missing-data line; under CI it fails."""
    for item in items:
        empty = [m for m in item.iter_markers("skip")
                 if str(m.kwargs.get("reason", "")).startswith(_EMPTY)]
        if not empty:
            continue
        if _under_ci():
            item.own_markers[:] = [m for m in item.own_markers if m not in empty]
            item.add_marker(pytest.mark.usefixtures("_no_parameters"))
            if hasattr(item, "fixturenames") and "_no_parameters" not in item.fixturenames:
                item.fixturenames.insert(0, "_no_parameters")
        elif not SHARED_DATA.is_dir():
            item.add_marker(pytest.mark.skip(reason=missing_data_message(SHARED_DATA)),
                            append=False)


# -- the store suite runs on both stores ------------------------------------------------------
from tests._postgres import postgres_dsn, postgres_server  # noqa: E402, F401  (fixtures)
from tests.reanalysis_support import real_runs_home  # noqa: E402, F401  (a fixture)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunStore]:
    """An empty run library, once in SQLite and once in PostgreSQL (a fresh schema)."""
    from hipstride.library.postgres import PostgresStore
    from hipstride.library.sqlite import SQLiteStore

    opened: RunStore
    if request.param == "sqlite":
        opened = SQLiteStore(tmp_path / "library.sqlite")
    else:
        opened = PostgresStore(request.getfixturevalue("postgres_dsn"), maps_home=str(tmp_path))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def library_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test whose commands open the home's library once on SQLite (the home's file) and
    once on PostgreSQL (``HIPSTRIDE_DB`` set to a fresh schema); the backend's name."""
    if request.param == "postgresql":
        monkeypatch.setenv("HIPSTRIDE_DB", request.getfixturevalue("postgres_dsn"))
    else:
        monkeypatch.delenv("HIPSTRIDE_DB", raising=False)
    return str(request.param)
