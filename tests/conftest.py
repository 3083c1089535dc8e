"""Shared test fixtures: the real recordings and maps in ``../shared/data``.

Under CI (``CI=true``) missing data fails the test; elsewhere it skips it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("HIPSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))


def data_path(relative: str) -> Path:
    """Return ``../shared/data/<relative>``; fail under CI and skip elsewhere when it is missing."""
    path = SHARED_DATA / relative
    if not path.exists():
        message = f"test data missing: {path}"
        if os.environ.get("CI", "").lower() == "true":
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
