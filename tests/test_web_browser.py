"""End to end in headless Chromium, driven by Playwright: maps, a planned loop, an upload, a
journal entry, the timer, a map import and a form check.

Playwright's Python package brings its own driver but no browser here: it launches the Chromium
of Debian's ``chromium`` package through ``executable_path`` (a default launch would want a
browser download). The app runs on a free loopback port (Werkzeug's server in a thread).
Chromium resolves no host but 127.0.0.1, and every request a page makes passes a route that
aborts and records any request not to the app; a test fails on such a request, on a script
error and on an error in the console (a Content-Security-Policy refusal is one). Without
Playwright or Chromium the tests skip, except under CI (``CI=true``), where ``.ci/run``
installs both and they must run.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from werkzeug.serving import make_server

import hipstride as hs
from hipstride.library.importer import import_paths
from hipstride.web import create_app
from tests.conftest import data_path

if TYPE_CHECKING:
    from playwright.sync_api import Page, Playwright


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is not installed (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        _missing("chromium")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright (the dev extra)")
    with sync_playwright() as driver:
        yield driver


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


@dataclass
class Watched:
    """A page and what it did: requests that left the app, script and console errors."""

    page: Page
    left: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def stayed_local(self) -> None:
        assert self.requests
        assert self.left == []
        assert self.errors == []


@pytest.fixture
def browser(playwright: Playwright, base_url: str) -> Iterator[Watched]:
    chromium = playwright.chromium.launch(
        executable_path=_chromium(), headless=True,
        args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    watched = Watched(page)

    def route(r: Any) -> None:
        url = r.request.url
        watched.requests.append(url)
        if url.startswith((base_url + "/", "data:", "about:", "blob:")):
            r.continue_()
        else:
            watched.left.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("pageerror", lambda exc: watched.errors.append(f"script: {exc}"))
    page.on("console", lambda m: watched.errors.append(f"console: {m.text}")
            if m.type == "error" else None)
    page.set_default_timeout(60_000)
    try:
        yield watched
    finally:
        context.close()
        chromium.close()


def _wait(page: Page, expression: str, timeout_s: float = 60.0) -> Any:
    """Poll ``expression`` until it is truthy. (Playwright's ``wait_for_function`` polls with
    ``eval`` inside the page, which the app's Content-Security-Policy rightly refuses; a plain
    ``evaluate`` goes through the DevTools protocol and is not subject to it.)"""
    waited_ms = 0.0
    while not (value := page.evaluate(expression)):
        if waited_ms > timeout_s * 1000:
            raise AssertionError(f"still false after {timeout_s:g} s: {expression}")
        page.wait_for_timeout(100)
        waited_ms += 100
    return value


def test_run_page_draws_the_track_over_the_ways(base_url: str, browser: Watched) -> None:
    page = browser.page
    page.goto(f"{base_url}/runs/1")
    _wait(page, "document.getElementById('run-map').dataset.drawn === '1' && "
                "Number(document.getElementById('run-map').dataset.waysDrawn) > 500")
    assert page.locator("#run-map path.route").count() > 5  # one path per hip-load colour run
    assert "© OpenStreetMap contributors" in page.inner_text("main")
    browser.stayed_local()


def test_planner_draws_the_view_and_plans_a_loop(base_url: str, browser: Watched) -> None:
    page = browser.page
    page.goto(f"{base_url}/planner?map=heidelberg&lat=49.4093&lon=8.6947&km=3&plan=1")
    _wait(page, "Number(document.getElementById('plan-map').dataset.waysDrawn) > 1000"
                " && Number(document.getElementById('plan-map').dataset.routes) >= 1",
                120)
    result = page.inner_text("#plan-result")
    assert "hip-load index 1." in result
    assert "Shortest (baseline, dashed)" in result
    assert (page.get_attribute("#plan-gpx", "href") or "").startswith("/planner/plan.gpx?")
    browser.stayed_local()


def test_upload_in_the_browser_then_the_run_page_shows_the_map(base_url: str,
                                                                browser: Watched) -> None:
    page = browser.page
    page.goto(f"{base_url}/runs")
    page.set_input_files("#files", data_path("gpx/runpandas__run.gpx"))
    page.click("#upload button[type=submit]")
    _wait(page, "document.getElementById('upload-result').textContent"
                ".includes('imported')")
    assert "imported 1 run(s)" in page.inner_text("#upload-result")
    assert page.locator("#upload-progress").is_hidden()
    page.goto(f"{base_url}/runs?sort=date")
    assert page.locator("tbody tr").count() == 2
    page.goto(f"{base_url}/runs/1")
    _wait(page, "document.getElementById('run-map').dataset.drawn === '1'")
    browser.stayed_local()


def test_a_journal_entry_with_a_red_flag_changes_today(base_url: str, browser: Watched) -> None:
    page = browser.page
    page.goto(f"{base_url}/")
    assert "SEE A PROFESSIONAL" not in page.inner_text("body")
    page.goto(f"{base_url}/journal")
    page.fill("#f-pain_during", "4")
    page.check("input[name=flags][value=night-pain]")
    with page.expect_navigation():
        page.click("form.entry button[type=submit]")
    assert "Medical review needed now" in page.inner_text("body")
    page.goto(f"{base_url}/")
    assert "SEE A PROFESSIONAL" in page.inner_text("body")
    browser.stayed_local()


def test_routine_timer_starts_pauses_and_skips(base_url: str, browser: Watched) -> None:
    page = browser.page
    page.goto(f"{base_url}/routines/cool-down")
    first = page.inner_text("#t-clock")
    page.click("#t-start")
    _wait(page, f"document.getElementById('t-clock').textContent !== {first!r}",
                10)
    page.click("#t-start")  # pause
    paused = page.inner_text("#t-clock")
    assert page.inner_text("#t-start") == "Resume"
    page.wait_for_timeout(1500)
    assert page.inner_text("#t-clock") == paused
    page.click("#t-skip")
    assert page.inner_text("#t-step").startswith("Step 2 of")
    page.click("#t-back")
    assert page.inner_text("#t-step").startswith("Step 1 of")
    browser.stayed_local()


def test_plan_a_loop_by_clicking_the_map_and_download_its_gpx(base_url: str,
                                                              browser: Watched) -> None:
    page = browser.page
    page.goto(f"{base_url}/planner?map=heidelberg&km=3")
    _wait(page, "Number(document.getElementById('plan-map').dataset.waysDrawn) > 1000")
    box = page.locator("#plan-map svg").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.input_value("#p-lat")
    page.click("#plan-form button[type=submit]")
    _wait(page, "Number(document.getElementById('plan-map').dataset.routes) >= 1",
                120)
    assert "hip-load index" in page.inner_text("#plan-result")
    with page.expect_download() as download:
        page.click("#plan-gpx")
    gpx = Path(download.value.path()).read_text(encoding="utf-8")
    assert gpx.startswith("<?xml")
    assert gpx.count("<trk>") == int(page.get_attribute("#plan-map", "data-routes") or 0)
    browser.stayed_local()


def test_import_a_map_with_progress_then_delete_it(base_url: str, browser: Watched) -> None:
    page = browser.page
    page.goto(f"{base_url}/maps")
    page.set_input_files("#extract", data_path("osm/graphhopper__andorra.osm.pbf"))
    page.fill("#map-name", "andorra")
    with page.expect_navigation():
        page.click("#map-upload button[type=submit]")
    assert page.locator("td a", has_text="andorra").count() == 1
    row = page.locator("tr", has=page.locator("a", has_text="andorra"))
    row.locator("input[name=confirm]").check()
    with page.expect_navigation():
        row.locator("button").click()
    assert "The map is deleted." in page.inner_text("main")
    browser.stayed_local()


def test_form_check_of_a_clip_shows_the_gate_and_key_frames(base_url: str,
                                                            browser: Watched) -> None:
    page = browser.page
    page.goto(f"{base_url}/form")
    page.set_input_files("#clip", data_path("video/sports2d__demo3_running_sideview.mp4"))
    with page.expect_navigation(timeout=120_000):
        page.click("#form-upload button[type=submit]")
    assert "Quality gate" in page.inner_text("main")
    frame = page.frame_locator("iframe.report")
    assert frame.locator("img").count() >= 1  # the key frames, as pictures of the clip
    browser.stayed_local()
