"""``kill -9`` in the middle of an import leaves a consistent library; importing again finishes."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hipstride.library import open_library
from tests.conftest import data_path

COPIES = 120
_TIME = re.compile(rb"<time>([^<]+)</time>")


def _shifted_copies(folder: Path, source: Path, copies: int) -> list[Path]:
    """Distinct runs: the same GPX recording moved by whole days."""
    text = source.read_bytes()
    out = []
    for k in range(copies):
        def shift(m: re.Match[bytes], days: int = k + 1) -> bytes:
            moment = datetime.fromisoformat(m.group(1).decode().replace("Z", "+00:00"))
            return b"<time>" + (moment + timedelta(days=days)).isoformat().encode() + b"</time>"

        path = folder / f"run_{k:03d}.gpx"
        path.write_bytes(_TIME.sub(shift, text))
        out.append(path)
    return out


def _import(home: Path, folder: Path, *, capture: bool) -> subprocess.Popen[bytes]:
    pipe = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "hipstride", "import", str(folder), "--home", str(home),
         "--jobs", "1", "--json"], stdout=pipe, stderr=pipe)


def _committed_runs(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
            return int(con.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.timeout(120)
def test_kill_9_midway_then_import_again(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    _shifted_copies(folder, data_path("gpx/runpandas__run.gpx"), COPIES)
    home = tmp_path / "home"
    db = home / "library.sqlite"

    proc = _import(home, folder, capture=False)
    deadline = time.monotonic() + 90
    while _committed_runs(db) < 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    with open_library(home) as store:
        assert store.integrity_problems() == []
        done = store.execute("SELECT COUNT(*) FROM runs")[0][0]
        assert 5 <= done < COPIES
        # every committed run is whole: samples, analysis and its source
        assert store.execute("SELECT COUNT(*) FROM run_samples")[0][0] == done
        assert store.execute("SELECT COUNT(*) FROM run_analyses")[0][0] == done
        assert store.execute("SELECT COUNT(*) FROM sources")[0][0] == done

    again = _import(home, folder, capture=True)
    out, err = again.communicate(timeout=90)
    assert again.returncode == 0, err.decode()
    with open_library(home) as store:
        assert store.integrity_problems() == []
        assert store.execute("SELECT COUNT(*) FROM runs")[0][0] == COPIES
        files = {Path(r[0]).name for r in store.execute("SELECT file_path FROM sources")}
    assert files == {f"run_{k:03d}.gpx" for k in range(COPIES)}
    summary = json.loads(out)
    assert summary["imported"] == COPIES - done
    assert summary["duplicates"] == done
