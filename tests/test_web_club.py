"""The athlete switcher and the coach's page of the web app (Flask's test client, real files),
on a SQLite and on a PostgreSQL library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from hipstride.cli import main
from hipstride.web import create_app
from tests.conftest import data_path

FILES = {"ann": "fit/elevate__bloemendaal.fit", "bob": "gpx/runpandas__run.gpx"}


@pytest.fixture
def app(tmp_path: Path, library_backend: str) -> Flask:
    """The app over a library of two athletes, on SQLite and on PostgreSQL."""
    runner = CliRunner()
    for who, f in FILES.items():
        done = runner.invoke(main, ["import", str(data_path(f)), "--home", str(tmp_path),
                                    "--athlete", who])
        assert done.exit_code == 0, done.output
    entry = {"date": "2024-05-07", "pain_during": 6, "flags": ["night-pain"]}
    done = runner.invoke(main, ["journal", "add", "--home", str(tmp_path), "--athlete", "bob",
                                "--entry", json.dumps(entry)])
    assert done.exit_code == 0, done.output
    # the commands wrote to the backend under test, not to the home's file
    assert (tmp_path / "library.sqlite").exists() == (library_backend == "sqlite")
    return create_app(tmp_path, import_jobs=1, testing=True, athlete="ann")


def _choose(app: Flask, client: FlaskClient, name: str, back: str = "/runs") -> str:
    reply = client.post("/athlete", data={"csrf_token": app.config["HIPSTRIDE_CSRF"],
                                          "athlete": name, "next": back})
    assert reply.status_code == 303
    return reply.headers["Location"]


def test_the_switcher_shows_one_athletes_data_at_a_time(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/runs").get_data(as_text=True)
    assert 'id="athlete-switch"' in page
    assert "2020-03-04" in page
    assert "2017-05-27" not in page
    assert _choose(app, client, "bob") == "/runs"
    page = client.get("/runs").get_data(as_text=True)
    assert "2017-05-27" in page
    assert "2020-03-04" not in page
    assert '<option value="bob" selected>' in page
    # bob's red flag decides bob's day, not ann's
    assert "see a professional" in client.get("/?date=2024-05-08").get_data(as_text=True).lower()
    _choose(app, client, "ann")
    assert "see a professional" not in client.get("/?date=2024-05-08").get_data(as_text=True).lower()


def test_the_coach_page_lists_every_athlete_urgent_first(app: Flask) -> None:
    page = app.test_client().get("/athletes?date=2024-05-08").get_data(as_text=True)
    table = page[page.index("<tbody>"):]
    assert table.index('"row">bob<') < table.index('"row">ann<')
    assert "night pain" in page
    assert "see-professional" in page


def test_the_switcher_refuses_unknown_names_foreign_pages_and_missing_tokens(app: Flask) -> None:
    client = app.test_client()
    token = app.config["HIPSTRIDE_CSRF"]
    assert client.post("/athlete", data={"csrf_token": token, "athlete": "eve"}).status_code == 400
    assert client.post("/athlete", data={"athlete": "bob"}).status_code == 403
    assert _choose(app, client, "bob", back="//evil.example/") == "/"
    assert _choose(app, client, "bob", back="https://evil.example/") == "/"
    # a cookie naming an athlete the library does not have shows the default athlete
    client.set_cookie("hipstride_athlete", "mallory")
    assert "2020-03-04" in client.get("/runs").get_data(as_text=True)


def test_a_single_runner_never_sees_athletes(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(data_path(FILES["ann"])), "--home",
                                str(tmp_path)]).exit_code == 0
    page = create_app(tmp_path, testing=True).test_client().get("/runs").get_data(as_text=True)
    assert "athlete-switch" not in page
    assert "Athletes" not in page
