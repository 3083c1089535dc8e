"""End to end in headless Chromium: maps, a planned loop, an upload, a journal entry, the timer.

The app runs on a free loopback port (Werkzeug's server in a thread). The first two tests let
Chromium load a page, run its scripts for a while of virtual time and print the resulting DOM
(the scripts leave counts in ``data-`` attributes). The others drive a page through the DevTools
protocol (:mod:`tests.cdp`): choose a file and upload it, fill in the journal, press the timer's
buttons. Chromium resolves no host but 127.0.0.1; every request a driven page made must be to
the app, and its console must show no error (a Content-Security-Policy refusal would be one). Without Chromium the tests skip, except under CI
(``CI=true``), where ``.ci/run`` installs it and they must run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

import hipstride as hs
from hipstride.library.importer import import_paths
from hipstride.web import create_app
from tests.cdp import Browser
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


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    chromium = Browser(_chromium(), tmp_path / "chromium")
    try:
        yield chromium
    finally:
        chromium.close()


def _stayed_local(browser: Browser, base_url: str) -> None:
    urls = browser.requested_urls()
    assert urls
    assert [u for u in urls if not u.startswith((base_url, "data:", "about:"))] == []
    assert browser.errors() == []


def test_upload_in_the_browser_then_the_run_page_shows_the_map(base_url: str,
                                                                browser: Browser) -> None:
    browser.go(f"{base_url}/runs")
    browser.set_files("#files", [data_path("gpx/runpandas__run.gpx")])
    browser.js("document.getElementById('upload').requestSubmit()")
    text = browser.wait_for("document.getElementById('upload-result').textContent"
                            ".includes('imported') && document.getElementById('upload-result')"
                            ".textContent")
    assert "imported 1 run(s)" in text
    assert browser.js("document.getElementById('upload-progress').hidden")
    browser.go(f"{base_url}/runs?sort=date")
    assert browser.js("document.querySelectorAll('tbody tr').length") == 2
    browser.go(f"{base_url}/runs/1")
    browser.wait_for("document.getElementById('run-map').dataset.drawn === '1' && "
                     "Number(document.getElementById('run-map').dataset.waysDrawn) > 500")
    _stayed_local(browser, base_url)


def test_a_journal_entry_with_a_red_flag_changes_today(base_url: str, browser: Browser) -> None:
    browser.go(f"{base_url}/")
    assert "SEE A PROFESSIONAL" not in browser.js("document.body.innerText")
    browser.go(f"{base_url}/journal")
    browser.js("document.getElementById('f-pain_during').value = '4';"
               "document.querySelector('input[name=flags][value=night-pain]').checked = true;"
               "document.querySelector('form.entry').requestSubmit()")
    browser.wait_for("document.readyState === 'complete' && "
                     "document.body.innerText.includes('Medical review needed now')")
    browser.go(f"{base_url}/")
    assert "SEE A PROFESSIONAL" in browser.js("document.body.innerText")
    _stayed_local(browser, base_url)


def test_routine_timer_starts_pauses_and_skips(base_url: str, browser: Browser) -> None:
    browser.go(f"{base_url}/routines/cool-down")
    first = browser.js("document.getElementById('t-clock').textContent")
    browser.js("document.getElementById('t-start').click()")
    browser.wait_for(f"document.getElementById('t-clock').textContent !== {first!r}", 10)
    browser.js("document.getElementById('t-start').click()")   # pause
    paused = browser.js("document.getElementById('t-clock').textContent")
    assert browser.js("document.getElementById('t-start').textContent") == "Resume"
    time.sleep(1.5)
    assert browser.js("document.getElementById('t-clock').textContent") == paused
    browser.js("document.getElementById('t-skip').click()")
    assert browser.js("document.getElementById('t-step').textContent").startswith("Step 2 of")
    browser.js("document.getElementById('t-back').click()")
    assert browser.js("document.getElementById('t-step').textContent").startswith("Step 1 of")
    _stayed_local(browser, base_url)


def test_plan_a_loop_by_clicking_the_map_and_download_its_gpx(base_url: str,
                                                              browser: Browser) -> None:
    browser.go(f"{base_url}/planner?map=heidelberg&km=3")
    browser.wait_for("Number(document.getElementById('plan-map').dataset.waysDrawn) > 1000")
    # a click in the middle of the map view sets the start
    browser.js("""(() => { const svg = document.querySelector('#plan-map svg');
        const r = svg.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        for (const t of ['pointerdown', 'pointerup']) {
          svg.dispatchEvent(new PointerEvent(t, {clientX: x, clientY: y, bubbles: true, pointerId: 1}));
        } })()""")
    assert browser.js("document.getElementById('p-lat').value")
    browser.js("document.getElementById('plan-form').requestSubmit()")
    browser.wait_for("Number(document.getElementById('plan-map').dataset.routes) >= 1", 120)
    assert "hip-load index" in browser.js("document.getElementById('plan-result').innerText")
    gpx = browser.js("fetch(document.getElementById('plan-gpx').href).then(r => r.text())")
    assert gpx.startswith("<?xml")
    assert gpx.count("<trk>") == browser.js("Number(document.getElementById('plan-map')"
                                           ".dataset.routes)")
    _stayed_local(browser, base_url)
