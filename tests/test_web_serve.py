"""``hipstride serve`` and the web app's guards: loopback by default, free port, Host check,
CSRF token, upload limit, strict headers and error pages without tracebacks."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from hipstride.cli import main
from hipstride.web import create_app
from hipstride.web._security import host_name
from tests.conftest import REPO


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return create_app(tmp_path, import_jobs=1, testing=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_serve_binds_loopback_on_a_free_port_and_answers(tmp_path: Path) -> None:
    """The real command on port 0: it prints its URL on 127.0.0.1 and serves the Today page."""
    with subprocess.Popen([sys.executable, "-m", "hipstride", "serve", "--port", "0",
                           "--home", str(tmp_path)], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, cwd=REPO,
                          env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            assert found, line
            assert int(found.group(1)) > 0
            with urllib.request.urlopen(found.group(0), timeout=60) as response:
                body = response.read().decode()
                assert response.status == 200
                assert "Content-Security-Policy" in response.headers
            assert "<h1>Today," in body
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_serve_warns_when_asked_for_another_host(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    made: dict[str, Any] = {}

    class FakeServer:
        server_port = 8123

        def serve_forever(self) -> None:
            raise KeyboardInterrupt

        def server_close(self) -> None:
            made["closed"] = True

    def fake_make_server(host: str, port: int, app: Flask, threaded: bool) -> FakeServer:
        made.update(host=host, port=port, app=app, threaded=threaded)
        return FakeServer()

    monkeypatch.setattr("werkzeug.serving.make_server", fake_make_server)
    result = CliRunner().invoke(main, ["serve", "--host", "192.168.1.20", "--port", "8123",
                                       "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "warning: listening on 192.168.1.20" in result.output
    assert "http://192.168.1.20:8123/" in result.output
    assert made["host"] == "192.168.1.20"
    assert made["threaded"]
    assert made["closed"]
    # the asked host is now accepted as a Host header; a rebinding name still is not
    app = made["app"]
    assert app.test_client().get("/", headers={"Host": "192.168.1.20:8123"}).status_code == 200
    assert app.test_client().get("/", headers={"Host": "evil.example:8123"}).status_code == 400
    plain = CliRunner().invoke(main, ["serve", "--port", "8124", "--home", str(tmp_path)])
    assert "warning" not in plain.output
    assert made["host"] == "127.0.0.1"


@pytest.mark.parametrize(("header", "name"), [("127.0.0.1:8000", "127.0.0.1"),
                                               ("LOCALHOST", "localhost"),
                                               ("[::1]:8000", "::1"),
                                               ("evil.example:80", "evil.example")])
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


def test_non_local_host_is_refused(client: FlaskClient) -> None:
    response = client.get("/runs", headers={"Host": "attacker.example"})
    assert response.status_code == 400
    assert b"answers only to its own address" in response.data
    assert client.get("/runs", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/runs", headers={"Host": "[::1]:8000"}).status_code == 200


def test_post_without_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    for path in ("/journal", "/runs/upload", "/api/plan"):
        response = client.post(path, data={"date": "2026-01-01", "pain_during": "3"})
        assert response.status_code == 403, path
        assert b"security token" in response.data
    wrong = client.post("/journal", data={"csrf_token": "x" * 43, "pain_during": "3"})
    assert wrong.status_code == 403
    assert client.get("/journal").data.count(b"No entries yet") == 1  # nothing was written
    token = app.config["HIPSTRIDE_CSRF"]
    assert token.encode() in client.get("/journal").data  # the page carries it for its form


def test_oversized_upload_gets_a_clear_page(tmp_path: Path) -> None:
    app = create_app(tmp_path, max_upload_bytes=1 << 20, import_jobs=1, testing=True)
    token = app.config["HIPSTRIDE_CSRF"]
    # the body is built here: the test client would spool a large one to a file it never closes
    body = (f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            '--b\r\nContent-Disposition: form-data; name="files"; filename="big.fit"\r\n'
            'Content-Type: application/octet-stream\r\n\r\n').encode() + b"\0" * (2 << 20) \
        + b"\r\n--b--\r\n"
    response = app.test_client().post("/runs/upload", data=body,
                                      content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert b"larger than 1 MiB" in response.data
    assert b"Traceback" not in response.data


def test_headers_keep_everything_local(client: FlaskClient) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "http" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    # every script and stylesheet of every page is the app's own
    for path in ("/", "/runs", "/journal", "/routines", "/planner", "/trends"):
        html = client.get(path).data.decode()
        for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not ref.startswith(("http:", "https:", "//")), (path, ref)


def test_error_pages_have_no_traceback(client: FlaskClient) -> None:
    missing = client.get("/runs/999")
    assert missing.status_code == 404
    assert b"There is no run 999" in missing.data
    bad = client.get("/?date=yesterday")
    assert bad.status_code == 400
    assert b"expected a date as YYYY-MM-DD" in bad.data
    assert b"Traceback" not in bad.data
    api = client.get("/api/maps/none/ways?s=1&w=1&n=2&e=2")
    assert api.status_code == 400
    assert api.is_json
    assert "no stored map" in api.get_json()["error"]
