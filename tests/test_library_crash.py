"""``kill -9`` at random points of an import leaves a consistent library; importing again finishes.

The kill points come from a seeded generator (so a failure can be replayed): one during start-up,
then several after a random number of further runs was committed; after each, every stored run is whole.
"""

from __future__ import annotations

import json
import os
import random
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
KILLS_MIDWAY = 3
KILL_SEED = 9
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


def _check_whole(home: Path) -> int:
    """The library is consistent and every committed run is whole; returns the number of runs."""
    with open_library(home) as store:
        assert store.integrity_problems() == []
        done = int(store.execute("SELECT COUNT(*) FROM runs")[0][0])
        # every committed run is whole: samples, analysis and its source
        assert store.execute("SELECT COUNT(*) FROM run_samples")[0][0] == done
        assert store.execute("SELECT COUNT(*) FROM run_analyses")[0][0] == done
        assert store.execute("SELECT COUNT(*) FROM sources")[0][0] == done
    return done


@pytest.mark.timeout(180)
def test_kill_9_at_random_points_then_import_again(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    _shifted_copies(folder, data_path("gpx/runpandas__run.gpx"), COPIES)
    home = tmp_path / "home"
    db = home / "library.sqlite"
    rng = random.Random(KILL_SEED)

    # first a kill at a random moment of the start (opening the library, its migrations, the
    # folder walk), then kills once a random number of further runs has been committed
    proc = _import(home, folder, capture=False)
    time.sleep(rng.uniform(0.05, 0.8))
    proc.kill()
    proc.wait()
    done = _check_whole(home) if db.exists() else 0
    for _ in range(KILLS_MIDWAY):
        target = done + rng.randint(1, 25)
        proc = _import(home, folder, capture=False)
        deadline = time.monotonic() + 90
        while _committed_runs(db) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "the import finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        done = _check_whole(home)
        assert target <= done < COPIES

    again = _import(home, folder, capture=True)
    out, err = again.communicate(timeout=90)
    assert again.returncode == 0, err.decode()
    assert _check_whole(home) == COPIES
    with open_library(home) as store:
        files = {Path(r[0]).name for r in store.execute("SELECT file_path FROM sources")}
    assert files == {f"run_{k:03d}.gpx" for k in range(COPIES)}
    summary = json.loads(out)
    assert summary["imported"] == COPIES - done
    assert summary["duplicates"] == done
