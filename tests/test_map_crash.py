"""A stored map is one file replaced in one step: a killed re-import leaves the old map or the new one.

The review's D5 killed ``map import`` between the two renames of the old two-file layout and found
one map's arrays under another's metadata, in use. Here a real ``hipstride map import`` is killed
with SIGKILL at moments spread over its whole run (a seeded generator, a bounded number of tries),
alternating two extracts under one name; after every kill the stored map must load, its arrays
must agree with its metadata, and it must be exactly one of the two maps.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hipstride.cli import main
from hipstride.errors import InputError
from hipstride.map.store import list_maps, load_map, save_map, unlisted_maps
from tests.conftest import data_path
from tests.test_map_import import EXTRACTS, stored_network

KILLS = 6
SEED = 11


def _map_import(source: Path, home: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "hipstride", "map", "import", str(source), "--name", "town",
         "--home", str(home)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stored_town(home: Path) -> tuple[str, int]:
    """The source file and edge count of the stored 'town', checked whole: arrays match metadata."""
    listed = [m for m in list_maps(home) if m.name == "town"]
    assert len(listed) == 1
    net = load_map("town", home)
    counts = net.meta["counts"]
    assert net.n_edges == counts["edges"]
    assert net.n_nodes == counts["nodes"]
    assert int(net.shape_lat_deg.shape[0]) == counts["shape_points"]
    s, w, n, e = net.meta["bbox"]
    assert s <= float(np.nanmin(net.node_lat_deg)) <= float(np.nanmax(net.node_lat_deg)) <= n
    assert w <= float(np.nanmin(net.node_lon_deg)) <= float(np.nanmax(net.node_lon_deg)) <= e
    assert listed[0].meta == net.meta
    return Path(net.meta["source_file"]).name, net.n_edges


@pytest.mark.timeout(180)
def test_map_import_killed_at_random_points_keeps_one_whole_map(tmp_path: Path) -> None:
    sources = [data_path(EXTRACTS["berlin"]), data_path(EXTRACTS["monaco"])]
    home = tmp_path / "home"
    clean: dict[str, int] = {}
    durations = []
    for source in sources:              # clean imports: the reference maps and how long one takes
        started = time.monotonic()
        assert _map_import(source, home).wait(timeout=60) == 0
        durations.append(time.monotonic() - started)
        name, edges = _stored_town(home)
        clean[name] = edges
    assert len(set(clean.values())) == 2
    rng = random.Random(SEED)
    outcomes = []
    for k in range(KILLS):
        before = _stored_town(home)
        source = sources[k % 2]
        proc = _map_import(source, home)
        time.sleep(rng.uniform(0.0, max(durations) * 1.1))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        after = _stored_town(home)
        assert after in (before, (source.name, clean[source.name]))
        assert clean[after[0]] == after[1]
        outcomes.append("killed" if proc.returncode == -signal.SIGKILL else "finished")
    # what a kill left behind is never taken for a map, and the next import still works
    assert _map_import(sources[0], home).wait(timeout=60) == 0
    assert _stored_town(home) == (sources[0].name, clean[sources[0].name])
    assert sorted(p.name for p in (home / "maps").iterdir() if not p.name.startswith(".")) \
        == ["town.npz"]
    assert "killed" in outcomes


def test_a_crash_before_the_rename_keeps_the_old_map(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    old = stored_network("berlin")
    save_map(old, "town", tmp_path)

    def power_cut(src: object, dst: object) -> None:
        raise KeyboardInterrupt  # stands for the process dying before its one rename

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(KeyboardInterrupt):
        save_map(stored_network("monaco"), "town", tmp_path)
    monkeypatch.undo()
    assert load_map("town", tmp_path).n_edges == old.n_edges
    assert [p.name for p in (tmp_path / "maps").iterdir()] == ["town.npz"]


def test_the_old_two_file_layout_is_never_mixed(tmp_path: Path) -> None:
    """The state D5 left (new arrays, old metadata beside them) is refused, never used."""
    folder = tmp_path / "maps"
    save_map(stored_network("monaco"), "town", tmp_path)
    with np.load(folder / "town.npz") as data:
        arrays = {k: data[k] for k in data.files if k != "__meta__"}
    np.savez(folder / "town.npz", **arrays)              # arrays only, as the old layout had
    (folder / "town.json").write_text('{"name": "town", "format_version": 1, '
                                      '"bbox": [49.3, 8.6, 49.5, 8.8]}', encoding="utf-8")
    assert list_maps(tmp_path) == []
    assert unlisted_maps(tmp_path) == ["town"]
    listed = CliRunner().invoke(main, ["map", "list", "--home", str(tmp_path)])
    assert listed.exit_code == 0
    assert "map 'town' is unreadable or stored in an older layout" in listed.stderr
    with pytest.raises(InputError, match="older layout: import it again"):
        load_map("town", tmp_path)
    save_map(stored_network("berlin"), "town", tmp_path)  # a re-import replaces both
    assert sorted(p.name for p in folder.iterdir()) == ["town.npz"]
    assert [m.name for m in list_maps(tmp_path)] == ["town"]


def test_an_unreadable_map_file_is_not_listed_and_loading_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "maps"
    folder.mkdir()
    (folder / "town.npz").write_bytes(b"PK\x03\x04 not a whole zip")
    assert list_maps(tmp_path) == []
    with pytest.raises(InputError, match="map 'town' cannot be read"):
        load_map("town", tmp_path)
