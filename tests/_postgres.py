"""A PostgreSQL server for the tests: the one ``HIPSTRIDE_TEST_POSTGRES`` names (a DSN of a server
the tests may create schemas in; ``.ci/run`` sets it), or else a throwaway cluster started once per
test session with ``scripts/postgres-throwaway`` when the server binaries are on this machine.
Without either the PostgreSQL tests skip with one line saying so; under CI (``CI=true``) they fail
instead, so that a CI machine never passes without having run them.

Each test gets a schema of its own (created fresh, dropped after), reached through the DSN's
``search_path`` option, so tests never see each other's tables and need no database of their own.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

REPO = Path(__file__).resolve().parent.parent
ENV = "HIPSTRIDE_TEST_POSTGRES"
SCRIPT = REPO / "scripts" / "postgres-throwaway"


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _have_binaries() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or shutil.which("initdb") is not None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_schema(dsn: str, schema: str) -> str:
    """``dsn`` with ``search_path`` set to ``schema`` (a URL stays a URL)."""
    option = f"-csearch_path={schema}"
    if dsn.startswith(("postgresql://", "postgres://")):
        return f"{dsn}{'&' if '?' in dsn else '?'}options={quote(option)}"
    return f"{dsn} options='{option}'"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The DSN of a server the tests may create schemas in (see the module docstring)."""
    given = os.environ.get(ENV)
    if given:
        yield given
        return
    if not _have_binaries():
        message = f"no PostgreSQL server for the store tests (set {ENV} to a DSN, or install postgresql)"
        if _under_ci():
            pytest.fail(message)
        pytest.skip(message)
    folder = tempfile.mkdtemp(prefix="hs-pg-", dir="/tmp")
    started = subprocess.run([str(SCRIPT), "start", folder, str(_free_port())], capture_output=True,
                             text=True, check=False, timeout=120)
    if started.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"cannot start a throwaway PostgreSQL cluster: {started.stderr.strip()}")
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([str(SCRIPT), "stop", folder], capture_output=True, check=False, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_dsn(postgres_server: str) -> Iterator[str]:
    """A DSN whose tables live in a fresh schema of this test alone (dropped afterwards)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_schema(postgres_server, schema)
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
