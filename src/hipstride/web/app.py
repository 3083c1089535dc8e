"""The application factory: one Flask app over one hipstride home, with its guards.

:func:`create_app` wires the pages (:mod:`~hipstride.web.pages`, :mod:`~hipstride.web.care_pages`,
:mod:`~hipstride.web.planner`, :mod:`~hipstride.web.tools`), the guards of
:mod:`~hipstride.web._security` (Host check and CSRF token before every request, the strict
headers after it), the upload limit and the error pages (a short message, never a traceback).

Pages are rendered by an overlay of the one Jinja environment (:mod:`hipstride.report._templates`:
autoescape on, undefined names are errors) whose loader looks in ``web/templates`` first and then
in the report's templates, so text from a recording or a journal entry is escaped exactly as in
the printed reports. Each request opens the run library and closes it at the end (SQLite in WAL
mode, or a PostgreSQL server; the server is threaded), for the athlete chosen with the switcher
(a cookie holding a name, honoured only when the library has that athlete). Loaded maps are kept (a few, by name) because the planner's
search indexes live on the network object.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from flask import Flask, Response, abort, g, request, url_for
from werkzeug.exceptions import HTTPException

from hipstride._home import home_dir
from hipstride.errors import HipstrideError
from hipstride.report._templates import environment
from hipstride.web._security import CSP, allowed_hosts, host_name, new_token, token_ok

if TYPE_CHECKING:
    from hipstride.library.store import RunStore
    from hipstride.map.network import FootNetwork

__all__ = ["ATHLETE_COOKIE", "MAX_UPLOAD_BYTES", "create_app", "library", "network", "page"]

#: The cookie holding the athlete chosen with the switcher.
ATHLETE_COOKIE = "hipstride_athlete"

#: Largest upload accepted in one request (the importer then applies its own limits per file).
MAX_UPLOAD_BYTES = 256 << 20
#: Loaded maps kept in memory, most recently used last.
MAPS_KEPT = 2

_MESSAGES = {400: "The request was not understood.", 403: "This request is not allowed.",
             404: "There is no such page.", 405: "This page does not take that kind of request.",
             413: "The upload is too large.", 500: "Something went wrong inside hipstride."}


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    base = environment()
    assert base.loader is not None
    loader = jinja2.ChoiceLoader([jinja2.PackageLoader("hipstride.web", "templates"), base.loader])
    return base.overlay(loader=loader)


def page(template: str, /, status: int = 200, **context: Any) -> Response:
    """Render ``web/templates/<template>`` with the page globals (CSRF token, ``url_for``)."""
    html = _environment().get_template(template).render(
        csrf_token=g.csrf_token, url_for=url_for, endpoint=request.endpoint or "",
        request_path=request.full_path.rstrip("?") if request.method == "GET" else "/",
        **_athletes_context(), **context)
    return Response(html, status=status, mimetype="text/html")


def _athletes_context() -> dict[str, Any]:
    """The switcher's names: the athlete shown, every athlete, and whether to show it at all
    (a single runner's library never shows it)."""
    try:
        store = library() if "home" in g else None
        names = [a.name for a in store.athletes()] if store is not None else []
    except HipstrideError:  # an error page for a library that cannot be opened
        store, names = None, []
    return {"athlete": store.athlete if store is not None else "", "athletes": names,
            "several_athletes": len(names) > 1 or names not in ([], ["default"])}


def library() -> RunStore:
    """The run library of the app's home for the chosen athlete, opened once per request."""
    if "store" not in g:
        from flask import current_app

        from hipstride.library.api import open_store

        config = current_app.config
        store = open_store(config["HIPSTRIDE_DB"], home=g.home, athlete=config["HIPSTRIDE_ATHLETE"])
        chosen = request.cookies.get(ATHLETE_COOKIE)
        if chosen and chosen != store.athlete and chosen in {a.name for a in store.athletes()}:
            store.close()
            store = open_store(config["HIPSTRIDE_DB"], home=g.home, athlete=chosen)
        g.store = store
    found: RunStore = g.store
    return found


def network(name: str) -> FootNetwork:
    """The stored map ``name`` (kept loaded between requests)."""
    from flask import current_app

    cache: OrderedDict[str, FootNetwork] = current_app.extensions["hipstride_maps"]
    lock: threading.Lock = current_app.extensions["hipstride_maps_lock"]
    with lock:
        if name in cache:
            cache.move_to_end(name)
            return cache[name]
    from hipstride.map.store import load_map

    net = load_map(name, g.home)
    with lock:
        cache[name] = net
        while len(cache) > MAPS_KEPT:
            cache.popitem(last=False)
    return net


def create_app(home: str | os.PathLike[str] | None = None, *, host: str | None = None,
               max_upload_bytes: int = MAX_UPLOAD_BYTES, import_jobs: int | None = None,
               testing: bool = False, db: str | None = None, athlete: str | None = None) -> Flask:
    """The web app over the hipstride home ``home`` (see :func:`hipstride._home.home_dir`).

    Parameters
    ----------
    db, athlete
        The library and the athlete shown until another is chosen (see
        :func:`hipstride.library.api.open_store`).
    host
        The host the server binds besides the loopback names; requests naming any other host
        are refused (DNS rebinding).
    max_upload_bytes
        Largest request body; a larger upload is refused with a clear page (413).
    import_jobs
        Worker processes of an upload's import (default: one per CPU core, at most four).
    """
    app = Flask("hipstride.web", static_folder="static", static_url_path="/static")
    resolved_home = home_dir(home)
    app.config.update(MAX_CONTENT_LENGTH=max_upload_bytes, TESTING=testing,
                      HIPSTRIDE_HOME=Path(resolved_home),
                      HIPSTRIDE_IMPORT_JOBS=import_jobs or min(os.cpu_count() or 1, 4),
                      HIPSTRIDE_HOSTS=allowed_hosts(host), HIPSTRIDE_CSRF=new_token(),
                      HIPSTRIDE_DB=db, HIPSTRIDE_ATHLETE=athlete,
                      SEND_FILE_MAX_AGE_DEFAULT=0)
    app.extensions["hipstride_maps"] = OrderedDict()
    app.extensions["hipstride_maps_lock"] = threading.Lock()

    @app.before_request
    def _guard() -> None:
        if host_name(request.host) not in app.config["HIPSTRIDE_HOSTS"]:
            abort(400, description="This server answers only to its own address "
                                   "(the Host header names another).")
        g.home = app.config["HIPSTRIDE_HOME"]
        g.csrf_token = app.config["HIPSTRIDE_CSRF"]
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
            if not token_ok(g.csrf_token, given):
                abort(403, description="The form's security token is missing or out of date: "
                                       "reload the page and try again.")

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        store = g.pop("store", None)
        if store is not None:
            store.close()

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    def _error(status: int, message: str) -> Response:
        if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
            response = Response(f'{{"error": {_json_string(message)}}}', status=status,
                                mimetype="application/json")
            return response
        if "csrf_token" not in g:
            g.csrf_token = ""
        return page("error.html.j2", status=status, title=f"Error {status}", status_code=status,
                    message=message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        text = exc.description if status in (400, 403, 404) and exc.description else None
        if status == 413:
            text = (f"The upload is larger than {app.config['MAX_CONTENT_LENGTH'] >> 20} MiB, "
                    "the most one upload may hold: send fewer files at a time.")
        return _error(status, text or _MESSAGES.get(status, exc.name))

    @app.errorhandler(HipstrideError)
    def _hipstride_error(exc: HipstrideError) -> Response:
        return _error(400, str(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unexpected error")
        return _error(500, _MESSAGES[500])

    from hipstride.web import care_pages, club_pages, pages, planner, tools

    app.register_blueprint(club_pages.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(care_pages.blueprint)
    app.register_blueprint(planner.blueprint)
    app.register_blueprint(tools.blueprint)
    return app


def _json_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
