"""Every page of the web app with Flask's test client, on real recordings and a real map.

The map is the Heidelberg extract (``../shared/data/osm``), imported once through the map API;
``fit/runpandas__run.fit`` lies inside it, so its run page draws over the map's ways.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import hipstride as hs
from hipstride.cli import main
from hipstride.web import create_app
from tests.conftest import data_path

RUN_FIT = "fit/runpandas__run.fit"
START = {"lat": 49.4093, "lon": 8.6947}


@pytest.fixture(scope="module")
def map_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home holding only the Heidelberg map (imported once for the module)."""
    home = tmp_path_factory.mktemp("web-map")
    hs.import_map(data_path("osm/ors__heidelberg.test.osm.pbf"), name="heidelberg", home=home)
    return home


@pytest.fixture
def home(map_home: Path, tmp_path: Path) -> Path:
    """A fresh home for one test, with the stored map copied in."""
    shutil.copytree(map_home / "maps", tmp_path / "maps")
    return tmp_path


@pytest.fixture
def app(home: Path) -> Flask:
    return create_app(home, import_jobs=1, testing=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _token(app: Flask) -> str:
    token: str = app.config["HIPSTRIDE_CSRF"]
    return token


def _upload(app: Flask, client: FlaskClient, *files: tuple[bytes, str],
            json_reply: bool = False) -> TestResponse:
    """POST recordings as a browser does. The multipart body is built here: the test client's
    own encoder spools a body over 500 kB to a temporary file that it never closes."""
    parts = [b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
             + _token(app).encode() + b"\r\n"]
    for body, name in files:
        parts.append(f'--b\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + body + b"\r\n")
    headers = {"Accept": "application/json"} if json_reply else {}
    return client.post("/runs/upload", data=b"".join(parts) + b"--b--\r\n",
                       content_type="multipart/form-data; boundary=b", headers=headers)


def _text(response: TestResponse) -> str:
    text: str = response.get_data(as_text=True)
    return text


@pytest.mark.parametrize(("path", "heading"), [
    ("/", "<h1>Today,"), ("/runs", "<h1>Runs</h1>"), ("/trends", "<h1>Trends</h1>"),
    ("/journal", "<h1>Journal</h1>"), ("/routines", "<h1>Routines</h1>"),
    ("/routines/warm-up", "Guided timer"), ("/planner", "<h1>Planner</h1>")])
def test_each_page_renders_on_an_empty_library(client: FlaskClient, path: str,
                                               heading: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    html = _text(response)
    assert heading in html
    assert '<main id="main"' in html
    assert 'name="viewport"' in html
    assert 'aria-current="page"' in html or path == "/routines/warm-up"


def test_upload_imports_a_real_fit_and_gpx_and_they_appear(app: Flask, client: FlaskClient) -> None:
    fit = data_path(RUN_FIT).read_bytes()
    gpx = data_path("gpx/runpandas__strava_export.gpx").read_bytes()
    response = _upload(app, client, (fit, "run.fit"), (gpx, "strava.gpx"))
    assert response.status_code == 200
    assert "imported 2 run(s)" in _text(response)
    listing = _text(client.get("/runs"))
    assert "2 of 2 activities" in listing
    assert "hipstride-upload-" not in listing  # the private upload folder is never shown
    assert "hipstride-upload-" not in _text(client.get("/runs/1"))
    assert "hipstride-upload-" not in _text(client.get("/runs/1/report"))
    again = _upload(app, client, (fit, "run.fit"), json_reply=True)
    doc = again.get_json()
    assert doc["imported"] == 0
    assert doc["duplicates"] == 1
    assert "already in the library" in doc["headline"]


def test_run_page_draws_the_track_over_the_covering_map(app: Flask, client: FlaskClient) -> None:
    _upload(app, client, (data_path(RUN_FIT).read_bytes(), "run.fit"))
    page = _text(client.get("/runs/1"))
    assert "hip-load index" in page
    assert 'id="run-map"' in page
    assert "© OpenStreetMap contributors" in page
    track = client.get("/api/runs/1/track").get_json()
    assert track["map"] == "heidelberg"
    assert len(track["points"]) == len(track["load_class"]) > 500
    assert set(track["load_class"]) <= set(range(len(track["colours"])))
    s, w, n, e = track["box"]
    assert all(s <= p[0] <= n and w <= p[1] <= e for p in track["points"] if p)
    report = _text(client.get("/runs/1/report"))
    assert "<svg" in report
    assert "© OpenStreetMap contributors" in report
    assert re.search(r"per.km", report, re.IGNORECASE)
    trends = _text(client.get("/trends"))
    assert "<svg" in trends
    assert "Weekly distance and hip load" in trends


def test_upload_of_an_export_archive(app: Flask, client: FlaskClient) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.write(data_path(RUN_FIT), "activities/run.fit")
        z.write(data_path("gpx/runpandas__run.gpx"), "activities/run.gpx")
        z.writestr("activities/readme.txt", "not a recording")
    response = _upload(app, client, (archive.getvalue(), "export.zip"), json_reply=True)
    doc = response.get_json()
    assert response.status_code == 200
    assert doc["imported"] == 2
    assert doc["failed"] == []
    assert all("hipstride-upload-" not in line for line in doc["problems"] + doc["ignored"])


def test_runs_filter_and_sort_and_cross_training(app: Flask, client: FlaskClient) -> None:
    _upload(app, client, (data_path(RUN_FIT).read_bytes(), "run.fit"),
            (data_path("gpx/everysinglestreet__test.gpx").read_bytes(), "walk.gpx"))
    listing = _text(client.get("/runs?sort=distance&order=asc"))
    assert "cross-training" in listing
    walking = _text(client.get("/runs?sport=walking"))
    assert "1 of 2 activities" in walking
    assert "1 of 2" in _text(client.get("/runs?sport=running&since=2019-09-14&until=2019-09-14"))
    assert "0 of 2" in _text(client.get("/runs?since=2030-01-01"))
    bad = client.get("/runs?sort=colour")
    assert bad.status_code == 400
    assert "sort must be one of" in _text(bad)


def test_relabel_and_delete_a_run(app: Flask, client: FlaskClient, home: Path) -> None:
    _upload(app, client, (data_path(RUN_FIT).read_bytes(), "run.fit"))
    token = _token(app)
    assert client.post("/runs/1/relabel", data={"sport": "walking"}).status_code == 403
    relabelled = client.post("/runs/1/relabel", data={"csrf_token": token, "sport": "walking"},
                             follow_redirects=True)
    assert "sport is changed" in _text(relabelled)
    assert "cross-training" in _text(client.get("/runs"))
    listed = json.loads(CliRunner().invoke(main, ["runs", "--json", "--home", str(home)]).output)
    assert listed[0]["sport"] == "walking"
    bad = client.post("/runs/1/relabel", data={"csrf_token": token, "sport": "flying"})
    assert bad.status_code == 400
    assert "unknown sport" in _text(bad)
    unconfirmed = client.post("/runs/1/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 400
    assert client.get("/runs/1").status_code == 200
    deleted = client.post("/runs/1/delete", data={"csrf_token": token, "confirm": "yes"},
                          follow_redirects=True)
    assert "0 of 0 activities" in _text(deleted)
    assert "everything stored for it are deleted" in _text(deleted)
    assert client.get("/runs/1").status_code == 404


def test_bad_upload_gives_a_clear_message(app: Flask, client: FlaskClient) -> None:
    response = _upload(app, client, (b"this is not a recording", "broken.fit"))
    assert response.status_code == 400
    html = _text(response)
    assert "broken.fit" in html
    assert "could not be imported" in html
    assert "Traceback" not in html
    none = client.post("/runs/upload", data={"csrf_token": _token(app)},
                       content_type="multipart/form-data")
    assert none.status_code == 400
    assert "choose at least one recording" in _text(none)


def test_file_content_is_escaped(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    gpx = data_path("gpx/elevate__20170319_run_906581465.gpx").read_text(encoding="utf-8")
    hostile = re.sub(r"<name>[^<]*</name>", "<name>&lt;script&gt;alert(1)&lt;/script&gt;</name>",
                     gpx, count=1)
    assert hostile != gpx
    _upload(app, client, (hostile.encode(), "hostile.gpx"))
    listing = _text(client.get("/runs"))
    assert "<script>alert(1)" not in listing
    assert "&lt;script&gt;alert(1)" in listing


def _journal_post(app: Flask, client: FlaskClient, **fields: Any) -> TestResponse:
    return client.post("/journal", data={"csrf_token": _token(app), **fields})


def test_journal_entry_round_trips_with_the_cli(app: Flask, client: FlaskClient,
                                                home: Path) -> None:
    response = _journal_post(app, client, date="2026-03-02", pain_during="3", pain_after="2",
                             where=["hip", "groin"], side="left", better="<b>ice</b>")
    assert response.status_code == 200
    html = _text(response)
    assert "Saved the journal entry for 2026-03-02." in html
    assert "&lt;b&gt;ice&lt;/b&gt;" in html
    assert "<b>ice</b>" not in html
    listed = CliRunner().invoke(main, ["journal", "list", "--json", "--home", str(home)])
    assert listed.exit_code == 0, listed.output
    entry = json.loads(listed.output)[0]
    assert entry["pain_during"] == 3
    assert entry["where"] == ["hip", "groin"]
    assert entry["better"] == "<b>ice</b>"
    edit = _text(client.get("/journal?edit=2026-03-02"))
    assert 'name="replace" value="1"' in edit
    assert 'value="&lt;b&gt;ice&lt;/b&gt;"' in edit
    replaced = _journal_post(app, client, date="2026-03-02", pain_morning="1", replace="1")
    assert "Corrected the journal entry for 2026-03-02." in _text(replaced)
    again = json.loads(CliRunner().invoke(main, ["journal", "list", "--json", "--home",
                                                 str(home)]).output)[0]
    assert again["pain_during"] is None
    assert again["pain_morning"] == 1
    refused = client.post("/journal/2026-03-02/delete", data={"csrf_token": _token(app)})
    assert refused.status_code == 400
    assert "tick the box" in _text(refused)
    deleted = client.post("/journal/2026-03-02/delete",
                          data={"csrf_token": _token(app), "confirm": "yes"},
                          follow_redirects=True)
    assert "Deleted the journal entry for 2026-03-02." in _text(deleted)
    assert json.loads(CliRunner().invoke(main, ["journal", "list", "--json", "--home",
                                                str(home)]).output) == []
    gone = client.post("/journal/2026-03-02/delete", data={"csrf_token": _token(app),
                                                           "confirm": "yes"})
    assert gone.status_code == 400
    assert "no journal entry for 2026-03-02" in _text(gone)


def test_journal_shows_the_validation_errors_and_keeps_the_form(app: Flask,
                                                                client: FlaskClient) -> None:
    response = _journal_post(app, client, date="2026-03-02", pain_during="11", worse="hills")
    assert response.status_code == 400
    html = _text(response)
    assert "Pain during the run (0–10): must be a number from 0 to 10, got &#39;11&#39;" in html
    assert 'value="hills"' in html
    assert 'value="11"' in html
    future = _journal_post(app, client, date="2999-01-01", pain_during="2")
    assert future.status_code == 400
    assert "is in the future" in _text(future)
    assert "No entries yet" in _text(client.get("/journal"))


def test_a_red_flag_is_reported_and_changes_today(app: Flask, client: FlaskClient) -> None:
    today = date.today().isoformat()
    assert "SEE A PROFESSIONAL" not in _text(client.get("/"))
    response = _journal_post(app, client, date=today, pain_during="4", flags=["night-pain"])
    html = _text(response)
    assert "Medical review needed now" in html
    assert 'role="alert"' in html
    decision = _text(client.get("/"))
    assert "SEE A PROFESSIONAL" in decision
    assert "[red-flag]" in decision


def test_today_offers_the_routines_and_the_route(client: FlaskClient) -> None:
    html = _text(client.get("/"))
    assert 'href="/routines/warm-up"' in html
    assert "/planner?" in html


def test_routine_timer_data_and_downloads(client: FlaskClient) -> None:
    page = _text(client.get("/routines/cool-down"))
    found = re.search(r'<script type="application/json" id="routine-data">(.*?)</script>', page,
                      re.DOTALL)
    assert found
    steps = json.loads(found.group(1))
    assert steps
    assert all(s["planned_s"] > 0 and s["name"] for s in steps)
    fit = client.get("/routines/cool-down/workout.fit")
    assert fit.status_code == 200
    assert fit.data[8:12] == b".FIT"
    assert "attachment" in fit.headers["Content-Disposition"]
    ics = client.get("/routines/plan.ics?start=2026-05-04&weeks=2&run_min=25")
    assert ics.status_code == 200
    assert ics.data.startswith(b"BEGIN:VCALENDAR")
    assert client.get("/routines/plan.ics?weeks=99").status_code == 400
    assert client.get("/routines/no-such").status_code == 400
    plan = _text(client.get("/routines/strength?week=3"))
    assert "week 3 of" in plan
    assert 'href="/routines/strength?week=4"' in plan
    assert client.get("/routines/strength/workout.fit?week=3").data[8:12] == b".FIT"
    assert "single session" in _text(client.get("/routines/warm-up?week=2"))


def test_ways_endpoint_returns_only_the_view(client: FlaskClient) -> None:
    small = client.get("/api/maps/heidelberg/ways?s=49.405&w=8.69&n=49.41&e=8.70").get_json()
    large = client.get("/api/maps/heidelberg/ways?s=49.39&w=8.66&n=49.43&e=8.73").get_json()
    assert 0 < len(small["ways"]) < len(large["ways"])
    assert small["attribution"] == "© OpenStreetMap contributors"
    for cls, points in small["ways"]:
        assert cls in (0, 1, 2)
        assert any(49.405 <= lat <= 49.41 and 8.69 <= lon <= 8.70 for lat, lon in points)
    bad = client.get("/api/maps/heidelberg/ways?s=50&w=8.69&n=49&e=8.70")
    assert bad.status_code == 400
    assert "not a box on Earth" in bad.get_json()["error"]
    unknown = client.get("/api/maps/..%2Fsecret/ways?s=1&w=1&n=2&e=2")
    assert unknown.status_code in (400, 404)


def test_planner_plans_loops_with_their_baseline_and_downloads_gpx(app: Flask,
                                                                   client: FlaskClient) -> None:
    request = {"map": "heidelberg", **START, "km": 3, "profile": "default"}
    response = client.post("/api/plan", json=request, headers={"X-CSRF-Token": _token(app)})
    assert response.status_code == 200, response.data
    plan = response.get_json()
    assert plan["kind"] == "loop"
    assert len(plan["routes"]) >= 2
    assert plan["baseline"] is not None
    for route in plan["routes"]:
        assert abs(route["distance_m"] - 3000) < 600
        assert route["hip_load"]["index"] >= 1.0
        assert route["coordinates"]
    assert plan["attribution"] == "© OpenStreetMap contributors"
    query = "&".join(f"{k}={v}" for k, v in request.items())
    gpx = client.get(f"/planner/plan.gpx?{query}")
    assert gpx.status_code == 200
    assert gpx.data.count(b"<trk>") == len(plan["routes"])
    from garmin_fit_sdk import Decoder, Stream

    fit = client.get(f"/planner/plan.fit?{query}&route=2")
    assert fit.status_code == 200
    assert "hipstride-loop-2.fit" in fit.headers["Content-Disposition"]
    messages, errors = Decoder(Stream.from_byte_array(bytearray(fit.data))).read()
    assert errors == []
    assert messages["file_id_mesgs"][0]["type"] == "course"
    records = messages["record_mesgs"]
    second = plan["routes"][1]
    assert len(records) == len(second["coordinates"])
    lat, lon = second["coordinates"][0][:2]
    assert abs(records[0]["position_lat"] * 180 / 2**31 - lat) < 1e-5
    assert abs(records[0]["position_long"] * 180 / 2**31 - lon) < 1e-5
    assert abs(messages["lap_mesgs"][0]["total_distance"] - second["distance_m"]) < 5
    assert len(messages["course_point_mesgs"]) == int(second["distance_m"] // 1000)
    assert client.get(f"/planner/plan.fit?{query}&route=9").status_code == 400
    assert client.get(f"/planner/plan.fit?{query}&route=x").status_code == 400
    again = client.post("/api/plan", json={**request, "km": 0.1},
                        headers={"X-CSRF-Token": _token(app)})
    assert again.status_code == 400
    assert "loop length must be between" in again.get_json()["error"]
    ab = client.post("/api/plan", json={"map": "heidelberg", "kind": "to", **START,
                                        "end_lat": 49.4050, "end_lon": 8.7050},
                     headers={"X-CSRF-Token": _token(app)})
    assert ab.status_code == 200
    assert ab.get_json()["kind"] != "loop"


def test_clinician_page_shows_the_journal(app: Flask, client: FlaskClient) -> None:
    _journal_post(app, client, date=date.today().isoformat(), pain_after="4", worse="<i>hills</i>")
    wrapper = _text(client.get("/clinician?weeks=4"))
    assert "<h1>For your physio</h1>" in wrapper
    assert "/clinician/report.pdf?weeks=4" in wrapper
    page = client.get("/clinician/report?weeks=4")
    assert page.status_code == 200
    html = _text(page)
    assert "&lt;i&gt;hills" in html
    assert "<i>hills" not in html
    download = client.get("/clinician?download=1")
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get("/clinician?weeks=0").status_code == 400
