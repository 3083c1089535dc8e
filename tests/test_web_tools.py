"""The form check, the maps and the clinician PDF with Flask's test client, on a real clip
(``video/sports2d__demo3_running_sideview.mp4``, 1.6 s) and a real extract (Andorra, the
smallest ``.osm.pbf`` in ``../shared/data/osm``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import hipstride as hs
from hipstride.web import create_app
from tests.conftest import data_path

CLIP = "video/sports2d__demo3_running_sideview.mp4"
EXTRACT = "osm/graphhopper__andorra.osm.pbf"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return create_app(tmp_path, import_jobs=1, testing=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _post_file(app: Flask, client: FlaskClient, url: str, field: str, body: bytes, filename: str,
               token: bool = True, json_reply: bool = False,
               fields: dict[str, str] | None = None) -> TestResponse:
    """POST one file as a browser does (the body built here: the test client's own encoder
    spools a large body to a temporary file that it never closes)."""
    parts = [] if not token else [
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + str(app.config["HIPSTRIDE_CSRF"]).encode() + b"\r\n"]
    for key, value in (fields or {}).items():
        parts.append(f'--b\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
                     .encode())
    parts.append(f'--b\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + body + b"\r\n")
    return client.post(url, data=b"".join(parts) + b"--b--\r\n",
                       content_type="multipart/form-data; boundary=b",
                       headers={"Accept": "application/json"} if json_reply else {})


def _text(response: TestResponse) -> str:
    text: str = response.get_data(as_text=True)
    return text


def test_a_real_clip_is_checked_stored_and_shown_with_key_frames(app: Flask,
                                                                 client: FlaskClient) -> None:
    empty = _text(client.get("/form"))
    assert "<h1>Form check</h1>" in empty
    assert "No form checks yet." in empty
    response = _post_file(app, client, "/form", "clip", data_path(CLIP).read_bytes(), "side.mp4",
                          fields={"view": "side"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/form/1")
    shown = _text(client.get("/form/1"))
    assert "Form check: side.mp4" in shown
    assert "Quality gate" in shown
    assert "hipstride-form-" not in shown  # the private upload folder is never shown
    doc = hs.open_library(app.config["HIPSTRIDE_HOME"])
    try:
        from hipstride.library.form_checks import form_checks

        stored = form_checks(doc)
    finally:
        doc.close()
    assert [c.view for c in stored] == ["side"]
    fix = stored[0].document["quality"]["fix"]
    # a 1.6 s clip with small legs does not pass, and the page says what to film instead
    assert not stored[0].passed
    assert fix
    assert fix[0] in shown
    report = _text(client.get("/form/1/report"))
    assert report.count("data:image/jpeg;base64,") == len(stored[0].document["key_frames"]) > 0
    saved = client.get("/form/1/report?download=1")
    assert "attachment" in saved.headers["Content-Disposition"]
    listing = _text(client.get("/form"))
    assert "side.mp4" in listing
    assert "not passed" in listing


def test_a_landmark_file_is_checked_and_its_key_frames_drawn(app: Flask, client: FlaskClient,
                                                             tmp_path: Path) -> None:
    from hipstride.video.landmarks import write_landmark_file
    from tests.video_synth import side_runner

    path = write_landmark_file(side_runner(seconds=4.0), tmp_path / "lm.json")
    response = _post_file(app, client, "/form", "clip", path.read_bytes(), "runner.json")
    assert response.status_code == 303
    report = _text(client.get("/form/1/report"))
    assert "<svg" in report  # key frames as drawn skeletons: a landmark file has no pictures
    assert "data:image/jpeg" not in report


@pytest.mark.parametrize(("body", "name", "words"), [
    (b"this is not a video", "clip.mp4", "clip.mp4"),
    (b'{"format": "other"}', "marks.json", "not a hipstride landmark file"),
])
def test_a_bad_upload_gets_a_clear_message(app: Flask, client: FlaskClient, body: bytes,
                                           name: str, words: str) -> None:
    response = _post_file(app, client, "/form", "clip", body, name)
    assert response.status_code == 400
    html = _text(response)
    assert words in html
    assert "hipstride-form-" not in html
    assert "Traceback" not in html
    assert "No form checks yet." in _text(client.get("/form"))


def test_form_check_refuses_missing_token_missing_file_bad_view_and_unknown_check(
        app: Flask, client: FlaskClient) -> None:
    clip = data_path(CLIP).read_bytes()
    assert _post_file(app, client, "/form", "clip", clip, "a.mp4", token=False).status_code == 403
    missing = client.post("/form", data={"csrf_token": app.config["HIPSTRIDE_CSRF"]})
    assert missing.status_code == 400
    assert "choose a video" in _text(missing)
    bad = _post_file(app, client, "/form", "clip", clip, "a.mp4", fields={"view": "top"})
    assert bad.status_code == 400
    assert "view must be side or rear" in _text(bad)
    assert client.get("/form/9").status_code == 404
    assert client.get("/form/9/report").status_code == 404


def test_oversized_clip_is_refused(tmp_path: Path) -> None:
    app = create_app(tmp_path, max_upload_bytes=40_000, testing=True)
    response = _post_file(app, app.test_client(), "/form", "clip",
                          data_path(CLIP).read_bytes(), "a.mp4")
    assert response.status_code == 413
    assert "larger than" in _text(response)


def test_map_import_list_plan_and_delete(app: Flask, client: FlaskClient) -> None:
    assert "No map yet" in _text(client.get("/maps"))
    response = _post_file(app, client, "/maps/import", "extract",
                          data_path(EXTRACT).read_bytes(), "andorra.osm.pbf")
    assert response.status_code == 303
    listing = _text(client.get("/maps"))
    assert "andorra" in listing
    assert "km" in listing
    assert "© OpenStreetMap contributors" in listing
    assert [m["name"] for m in client.get("/api/maps").get_json()] == ["andorra"]
    assert 'value="andorra"' in _text(client.get("/planner"))
    named = _post_file(app, client, "/maps/import", "extract", data_path(EXTRACT).read_bytes(),
                       "andorra.osm.pbf", json_reply=True, fields={"name": "ad"})
    assert named.get_json()["name"] == "ad"
    token = app.config["HIPSTRIDE_CSRF"]
    assert client.post("/maps/ad/delete", data={"confirm": "yes"}).status_code == 403
    unconfirmed = client.post("/maps/ad/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 400
    assert "tick the box" in _text(unconfirmed)
    assert client.post("/maps/nothing/delete",
                       data={"csrf_token": token, "confirm": "yes"}).status_code == 404
    gone = client.post("/maps/ad/delete", data={"csrf_token": token, "confirm": "yes"})
    assert gone.status_code == 303
    assert [m["name"] for m in client.get("/api/maps").get_json()] == ["andorra"]
    assert "The map is deleted." in _text(client.get(gone.headers["Location"]))


@pytest.mark.parametrize(("body", "name", "fields", "words"), [
    (b"not osm at all", "bad.osm.pbf", {}, "bad.osm.pbf: cannot be read"),
    (b"x", "x.osm.pbf", {"name": "../evil"}, "is not usable"),
])
def test_a_bad_extract_gets_a_clear_message(app: Flask, client: FlaskClient, body: bytes,
                                            name: str, fields: dict[str, str],
                                            words: str) -> None:
    response = _post_file(app, client, "/maps/import", "extract", body, name, fields=fields)
    assert response.status_code == 400
    html = _text(response)
    assert words in html
    assert "hipstride-map-" not in html
    assert client.get("/api/maps").get_json() == []


def test_map_import_refuses_missing_token_and_oversized(tmp_path: Path, app: Flask,
                                                        client: FlaskClient) -> None:
    body = data_path(EXTRACT).read_bytes()
    assert _post_file(app, client, "/maps/import", "extract", body, "a.osm.pbf",
                      token=False).status_code == 403
    small = create_app(tmp_path / "other", max_upload_bytes=100_000, testing=True)
    assert _post_file(small, small.test_client(), "/maps/import", "extract", body,
                      "a.osm.pbf").status_code == 413


def test_clinician_report_downloads_as_pdf(app: Flask, client: FlaskClient) -> None:
    client.post("/journal", data={"csrf_token": app.config["HIPSTRIDE_CSRF"],
                                  "date": date.today().isoformat(), "pain_after": "3"})
    pdf = client.get("/clinician/report.pdf?weeks=4")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert client.get("/clinician/report.pdf?weeks=x").status_code == 400
