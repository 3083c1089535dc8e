"""The coach's page and the athlete switcher.

``/athletes`` shows what ``hipstride athletes`` prints (:func:`hipstride.journal.club.club_overview`).
``POST /athlete`` chooses whose data every other page shows: the name goes into a cookie
(``SameSite=Strict``, not readable by scripts) and is honoured only when the library has that
athlete (see :func:`hipstride.web.app.library`); the form carries the page to return to, which
must be a path of this server.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from hipstride.web.app import ATHLETE_COOKIE, library, page

__all__ = ["blueprint"]

blueprint = Blueprint("club", __name__)


@blueprint.get("/athletes")
def athletes() -> Response:
    """Every athlete at a glance (urgent first)."""
    from hipstride.journal.club import club_overview
    from hipstride.journal.store import parse_date

    raw = request.args.get("date")
    day = parse_date(raw, field="date") if raw else date.today()
    return page("athletes.html.j2", title="Athletes", day=day.isoformat(),
                lines=club_overview(library(), today=day))


@blueprint.post("/athlete")
def choose() -> BaseResponse:
    """Show another athlete's data from now on."""
    name = request.form.get("athlete", "")
    if name not in {a.name for a in library().athletes()}:
        abort(400, description="There is no athlete of that name in this library.")
    back = request.form.get("next", "")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = url_for("pages.today")
    response = redirect(back, code=303)
    response.set_cookie(ATHLETE_COOKIE, name, httponly=True, samesite="Strict")
    return response
