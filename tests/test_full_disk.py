"""Every command that writes fails on a full disk, a read-only home or an impossible output path
with one line naming the path and a non-zero exit, and never replaces a good file with a cut one.

A full disk is made without privileges: the command runs in a child whose ``RLIMIT_FSIZE`` is
:data:`LIMIT_BYTES` with ``SIGXFSZ`` ignored, so a write past that size fails with ``EFBIG``
("File too large") exactly where a full disk fails with ``ENOSPC``. The limit leaves room for
SQLite's 32 KiB shared-memory file, so the library opens; every output the test builds is larger.
A read-only home needs a read-only mount: the test makes one in a private user namespace
(``unshare -rm``) and skips where the system allows none.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hipstride.library import open_library
from hipstride.library.importer import import_paths
from tests.conftest import data_path
from tests.hostile import gpx_file

LIMIT_BYTES = 33_000
GOOD = "the good file, written before\n"
RUNS = 6
POINTS = 1_500


def _run(start: datetime, points: int = POINTS) -> bytes:
    """A run of one point every 3 s with a long name, so every export of it is big."""
    track = [(60.17 + i * 9e-5, 24.94 + (i % 40) * 1e-4,
              (start + timedelta(seconds=3 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"))
             for i in range(points)]
    name = f"<name>run of {start:%Y-%m-%d} " + "=lap " * 1_200 + "</name>"
    return gpx_file(track).replace(b"<trk>", b"<trk>" + name.encode(), 1)


def _long_run(day: int) -> bytes:
    return _run(datetime(2024, 3, day, 6, tzinfo=UTC))


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("runs")
    first = datetime(2021, 1, 4, 6, tzinfo=UTC)
    for k in range(RUNS):  # every third week, long and short in turn: many weeks, many flags
        (folder / f"run{k}.gpx").write_bytes(_run(first + timedelta(weeks=3 * k),
                                                 POINTS if k % 2 else POINTS // 5))
    home = tmp_path_factory.mktemp("home")
    with open_library(home) as store:
        summary = import_paths(store, [folder], jobs=1)
    assert summary.imported == RUNS, summary.to_dict()
    return home


def _limited() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, LIMIT_BYTES))


def _hipstride(*args: str, full: bool = False, wrap: list[str] | None = None,
               ) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "hipstride", *args]
    return subprocess.run([*(wrap or []), *command], capture_output=True, text=True, timeout=120,
                          preexec_fn=_limited if full else None, check=False)


def _one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    """A non-zero exit and no traceback; the problem is one line, ``hipstride: error: …``, or
    click's own ``Error: …`` under its usage hint for a path the option itself refuses."""
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    if lines and lines[-1].startswith("Error: Invalid value"):
        assert lines[0].startswith("Usage: "), proc.stderr
    else:
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith("hipstride: error: ")
    for needle in needles:
        assert needle in lines[-1], lines[-1]


def _writers(home: Path, out: Path) -> dict[str, list[str]]:
    h = ["--home", str(home)]
    return {
        "trends.html": ["trends", "--html", str(out / "trends.html"), *h],
        "runs.csv": ["export", "runs", "--csv", str(out / "runs.csv"), *h],
        "run.gpx": ["export", "run", "1", "--gpx", str(out / "run.gpx"), *h],
        "run.geojson": ["export", "run", "1", "--geojson", str(out / "run.geojson"), *h],
        "run.html": ["analyze", str(out.parent / "run.gpx"), "--html", str(out / "run.html")],
    }


def test_every_writer_past_its_file_size_limit_keeps_the_good_file(library: Path,
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "run.gpx").write_bytes(_long_run(2))
    tried = []
    for name, args in _writers(library, out).items():
        good = _hipstride(*args)
        assert good.returncode == 0, good.stderr
        if (out / name).stat().st_size <= LIMIT_BYTES:
            continue  # the trends page is smaller than SQLite needs: the tmpfs test covers it
        tried.append(name)
        (out / name).write_text(GOOD, encoding="utf-8")
        _one_line_error(_hipstride(*args, full=True), str(out / name), "File too large")
        assert (out / name).read_text(encoding="utf-8") == GOOD, name
    assert len(tried) >= 4, tried
    assert sorted(p.name for p in out.iterdir()) == sorted(_writers(library, out))  # no .tmp left


def test_every_writer_on_a_full_file_system_keeps_the_good_file(library: Path,
                                                                tmp_path: Path) -> None:
    """A real full disk (ENOSPC): a small tmpfs, filled up, mounted in a private namespace."""
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-rm", "true"], check=False).returncode:
        pytest.skip("user namespaces are not allowed here: no private tmpfs can be mounted")
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "run.gpx").write_bytes(_long_run(2))
    script = ('mount -t tmpfs -o size=256k tmpfs "$OUT" && printf %s "$GOOD" > "$OUT/$NAME" && '
              '{ head -c 1000000 /dev/zero > "$OUT/filler" 2>/dev/null; "$@"; rc=$?; '
              'cat "$OUT/$NAME" > "$KEPT"; ls -A "$OUT" > "$LISTING"; exit $rc; }')
    for name, args in _writers(library, out).items():
        env = {**os.environ, "OUT": str(out), "GOOD": GOOD, "NAME": name,
               "KEPT": str(tmp_path / "kept"), "LISTING": str(tmp_path / "listing")}
        proc = subprocess.run([unshare, "-rm", "sh", "-c", script, "sh", sys.executable, "-m",
                               "hipstride", *args], capture_output=True, text=True, env=env,
                              timeout=120, check=False)
        _one_line_error(proc, str(out / name), "No space left on device")
        assert (tmp_path / "kept").read_text(encoding="utf-8") == GOOD, name
        assert (tmp_path / "listing").read_text(encoding="utf-8").split() == sorted([name, "filler"])


def test_import_and_map_import_on_a_full_disk(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = tmp_path / "runs"
    folder.mkdir()
    for day in (1, 2, 3):
        (folder / f"run{day}.gpx").write_bytes(_long_run(day))
    _one_line_error(_hipstride("import", str(folder), "--home", str(home), full=True),
                    str(home / "library.sqlite"))
    with open_library(home) as store:                      # what landed is whole
        assert store.integrity_problems() == []
    again = _hipstride("import", str(folder), "--home", str(home), "--json")
    assert again.returncode == 0, again.stderr
    with open_library(home) as store:
        assert store.execute("SELECT COUNT(*) FROM runs")[0][0] == 3
    _one_line_error(_hipstride("map", "import", str(data_path("osm/osrm__monaco.osm.pbf")),
                               "--name", "town", "--home", str(home), full=True),
                    str(home / "maps" / "town.npz"), "File too large")
    assert not (home / "maps" / "town.npz").exists()


def test_output_onto_a_folder_or_under_a_file_is_one_line(library: Path, tmp_path: Path) -> None:
    (tmp_path / "run.gpx").write_bytes(_long_run(2))
    folder = tmp_path / "out"
    for name, args in _writers(library, folder).items():
        (folder / name).mkdir(parents=True)                # the output path is a folder
        _one_line_error(_hipstride(*args), str(folder / name))
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    for name, args in _writers(library, blocker).items():  # the folder to write into is a file
        _one_line_error(_hipstride(*args), str(blocker / name))


def test_a_missing_output_folder_is_created(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "not" / "yet"
    proc = _hipstride("export", "runs", "--csv", str(out / "runs.csv"), "--home", str(library))
    assert proc.returncode == 0, proc.stderr
    assert (out / "runs.csv").read_text(encoding="utf-8").startswith("id,")


def _read_only(folder: Path) -> list[str]:
    """A command prefix that runs with ``folder`` mounted read-only (skips where impossible)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare: a read-only mount cannot be made here")
    probe = subprocess.run([unshare, "-rm", "sh", "-c", f"mount --bind -o ro '{folder}' '{folder}'"],
                           capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("user namespaces are not allowed here: a read-only mount cannot be made")
    return [unshare, "-rm", "sh", "-c", f"mount --bind -o ro '{folder}' '{folder}' && exec \"$@\"",
            "sh"]


def test_a_read_only_home_reads_and_refuses_writes_in_one_line(library: Path,
                                                                tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(library, home)
    for extra in home.glob("library.sqlite-*"):            # a closed library has no WAL left
        extra.unlink()
    wrap = _read_only(home)
    h = ["--home", str(home)]
    shown = _hipstride("show", "1", "--json", *h, wrap=wrap)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["schema_version"] == 1
    assert _hipstride("runs", *h, wrap=wrap).returncode == 0
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "new.gpx").write_bytes(_long_run(28))
    _one_line_error(_hipstride("import", str(folder), *h, wrap=wrap),
                    str(home / "library.sqlite"))
    _one_line_error(_hipstride("journal", "add", "--pain-during", "2", *h, wrap=wrap),
                    str(home / "library.sqlite"))
    _one_line_error(_hipstride("map", "import", str(data_path("osm/osrm__monaco.osm.pbf")), *h,
                               wrap=wrap), str(home / "maps"))
    _one_line_error(_hipstride("runs", "--home", str(home / "sub"), wrap=wrap), str(home / "sub"))
