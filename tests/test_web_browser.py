"""End to end in headless Chromium: the app's own scripts draw the maps and plan a loop.

The app runs on a free loopback port (Werkzeug's server in a thread); Chromium loads a page, runs
its scripts for a while of virtual time and prints the resulting DOM, which the test reads (the
scripts leave counts in ``data-`` attributes). Chromium resolves no host but 127.0.0.1, and its
console must show no error and no Content-Security-Policy refusal: a page that tried to load
anything from elsewhere would log one. Without Chromium the tests skip, except under CI
(``CI=true``), where ``.ci/run`` installs it and they must run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

import hipstride as hs
from hipstride.library.importer import import_paths
from hipstride.web import create_app
from tests.conftest import data_path


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed (.ci/run installs it with apt)")
        pytest.skip("chromium is not installed")
    return found


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("web-browser")
    hs.import_map(data_path("osm/ors__heidelberg.test.osm.pbf"), name="heidelberg", home=home)
    with hs.open_library(home) as store:
        import_paths(store, [data_path("fit/runpandas__run.fit")], jobs=1)
    server = make_server("127.0.0.1", 0, create_app(home, import_jobs=1), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _dom(url: str, tmp_path: Path) -> tuple[str, str]:
    """The page's DOM after its scripts ran, and Chromium's log."""
    result = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=20000", "--dump-dom", url],
        capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, result.stderr


def _console_clean(log: str) -> None:
    console = [line for line in log.splitlines() if "CONSOLE" in line or "Refused to" in line]
    assert not [line for line in console if re.search(r"error|Refused|Uncaught", line, re.I)], \
        console


def test_run_page_draws_the_track_over_the_ways(base_url: str, tmp_path: Path) -> None:
    dom, log = _dom(f"{base_url}/runs/1", tmp_path)
    tag = re.search(r'<div class="vmap" id="run-map"[^>]*>', dom)
    assert tag, dom[:2000]
    assert 'data-drawn="1"' in tag.group(0)
    drawn = re.search(r'data-ways-drawn="(\d+)"', tag.group(0))
    assert drawn
    assert int(drawn.group(1)) > 500
    assert dom.count('class="route"') > 5        # the track, one path per hip-load colour run
    _console_clean(log)


def test_planner_draws_the_view_and_plans_a_loop(base_url: str, tmp_path: Path) -> None:
    dom, log = _dom(f"{base_url}/planner?map=heidelberg&lat=49.4093&lon=8.6947&km=3&plan=1",
                    tmp_path)
    tag = re.search(r'<div class="vmap" id="plan-map"[^>]*>', dom)
    assert tag, dom[:2000]
    drawn = re.search(r'data-ways-drawn="(\d+)"', tag.group(0))
    assert drawn
    assert int(drawn.group(1)) > 1000
    assert re.search(r'data-routes="[1-9]"', tag.group(0)), tag.group(0)
    assert "hip-load index 1." in dom
    assert "Shortest (baseline, dashed)" in dom
    assert re.search(r'id="plan-gpx"[^>]*href="/planner/plan.gpx\?[^"]+"', dom)
    _console_clean(log)
