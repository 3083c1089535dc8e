"""Today, the run library (list, upload), one run and the trends: the pages over the library.

Each view calls what the matching command calls (``hipstride today``, ``runs``, ``import``,
``show``, ``trends``) and hands the result to a template; the wording of the plan, the import
outcome and the charts comes from :mod:`hipstride.report`, as in the terminal and the printed
pages. An upload is written to a private temporary folder under names the server makes
(:func:`werkzeug.utils.secure_filename`, never a path from the request) and imported by the same
bounded, transactional importer as ``hipstride import``; the folder is removed afterwards.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, redirect, request, url_for
from markupsafe import Markup
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response as BaseResponse

from hipstride.errors import InputError
from hipstride.web.app import library, page

if TYPE_CHECKING:
    from hipstride.library.importer import ImportSummary
    from hipstride.library.store import RunSummary

__all__ = ["blueprint"]

blueprint = Blueprint("pages", __name__)

#: Columns the run list can be sorted by, and the key of each.
SORT_KEYS = {
    "date": lambda r: (r.start_time_utc is None, r.start_time_utc.timestamp() if r.start_time_utc else 0.0),
    "distance": lambda r: (r.distance_m is None, r.distance_m or 0.0),
    "hip_load": lambda r: (r.hip_load_index is None, r.hip_load_index or 0.0),
    "sport": lambda r: (r.sport, r.id),
}


@blueprint.get("/")
def today() -> Response:
    """The decision for today (or ``?date=YYYY-MM-DD``), its reasons and the plan."""
    from hipstride.journal.store import parse_date
    from hipstride.journal.today import decide_today
    from hipstride.report.journal_terminal import DECISION_WORDS, plan_lines

    raw = request.args.get("date")
    day = parse_date(raw, field="date") if raw else None
    decision = decide_today(library(), today=day)
    plan = decision.plan
    run = plan.get("run") if isinstance(plan.get("run"), dict) else None
    routines = [*plan.get("before", []), *plan.get("after", [])]
    return page("today.html.j2", title="Today", decision=decision.to_dict(),
                words=DECISION_WORDS.get(decision.decision, decision.decision),
                plan=[line for line in plan_lines(plan) if "hipstride route" not in line],
                routines=routines, route_profile=run.get("route_profile") if run else None,
                route_km=(run.get("distance_km") or [None])[0] if run else None)


def _parse_day(value: str | None, field: str) -> date | None:
    from hipstride.journal.store import parse_date

    return parse_date(value, field=field) if value else None


def _run_rows(runs: list[RunSummary]) -> list[dict[str, Any]]:
    from hipstride.report.terminal import format_duration

    rows = []
    for r in runs:
        when = r.start_time_utc.strftime("%Y-%m-%d %H:%M") if r.start_time_utc and not r.time_is_relative else "date unknown"
        rows.append({"id": r.id, "when": when, "sport": r.sport,
                     "cross_training": r.cross_training, "name": r.name or Path(r.source_file).name,
                     "distance": "–" if r.distance_m is None else f"{r.distance_m / 1000:.2f} km",
                     "time": "–" if r.moving_time_s is None else format_duration(r.moving_time_s),
                     "index": "–" if r.hip_load_index is None or r.cross_training
                     else f"{r.hip_load_index:.3f}",
                     "sources": r.sources})
    return rows


def _runs_page(status: int = 200, **extra: Any) -> Response:
    sport = request.values.get("sport") or None
    since = _parse_day(request.values.get("since"), "since")
    until = _parse_day(request.values.get("until"), "until")
    sort = request.values.get("sort", "date")
    if sort not in SORT_KEYS:
        raise InputError(f"sort must be one of {', '.join(SORT_KEYS)}, got {sort!r}")
    order = request.values.get("order", "desc")
    store = library()
    everything = store.list_runs()
    sports = sorted({r.sport for r in everything})
    runs = [r for r in everything if (sport is None or r.sport == sport)
            and (since is None or (r.start_time_utc is not None and r.start_time_utc.date() >= since))
            and (until is None or (r.start_time_utc is not None and r.start_time_utc.date() <= until))]
    runs.sort(key=SORT_KEYS[sort], reverse=order != "asc")
    context: dict[str, Any] = {"outcome": _DONE.get(request.args.get("done", "")), "problems": [],
                               **extra}
    return page("runs.html.j2", status=status, title="Runs", rows=_run_rows(runs),
                total=len(everything), sports=sports,
                filters={"sport": sport or "", "since": since.isoformat() if since else "",
                         "until": until.isoformat() if until else "", "sort": sort,
                         "order": order}, sort_keys=list(SORT_KEYS),
                max_upload_mib=current_app.config["MAX_CONTENT_LENGTH"] >> 20, **context)


@blueprint.get("/runs")
def runs() -> Response:
    """The library: every run and other activity, filtered and sorted."""
    return _runs_page()


def _import_uploads() -> tuple[ImportSummary, str]:
    from hipstride.library.importer import import_paths

    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        raise InputError("choose at least one recording (FIT, GPX or TCX, plain or .gz) "
                         "or an export archive (.zip) to upload")
    with tempfile.TemporaryDirectory(prefix="hipstride-upload-") as tmp:
        saved: list[Path] = []
        for n, upload in enumerate(files):
            name = secure_filename(Path(upload.filename or "").name) or f"upload-{n}"
            if any(p.name == name for p in saved):
                name = f"{n}-{name}"
            saved.append(Path(tmp) / name)
            upload.save(saved[-1])
        # each file named, so that each is tried (a folder would skip unknown suffixes)
        summary = import_paths(library(), saved, jobs=current_app.config["HIPSTRIDE_IMPORT_JOBS"])
    return summary, tmp


def _strip(label: str, tmp: str) -> str:
    """An import label without the private upload folder (the name as uploaded)."""
    return label.replace(tmp + "/", "").replace(tmp, "upload")


@blueprint.post("/runs/upload")
def upload() -> Response:
    """Import uploaded recordings or archives (form or the page's drag and drop)."""
    from hipstride.report.terminal import import_summary

    summary, tmp = _import_uploads()
    headline, problems = import_summary(summary)
    problems = [_strip(p, tmp) for p in problems]
    status = 400 if summary.failed and not summary.imported and not summary.duplicates else 200
    if request.accept_mimetypes.best == "application/json":
        doc = summary.to_dict()
        doc["failed"] = [{"file": _strip(f["file"], tmp), "error": _strip(f["error"], tmp)}
                         for f in doc["failed"]]
        doc["warnings"] = [{"file": _strip(w["file"], tmp), "warning": _strip(w["warning"], tmp)}
                           for w in doc["warnings"]]
        doc["ignored"] = [_strip(i, tmp) for i in doc["ignored"]]
        doc["headline"], doc["problems"] = headline, problems
        response = jsonify(doc)
        response.status_code = status
        return response
    return _runs_page(status=status, outcome=headline, problems=problems)


#: What a finished change says on the page it leads back to (never text from the request).
_DONE = {"relabelled": "The activity's sport is changed; load, baselines and today's decision "
                       "count it as that sport now.",
         "deleted": "The run and everything stored for it are deleted."}


@blueprint.post("/runs/<int:run_id>/relabel")
def relabel(run_id: int) -> BaseResponse:
    """Say what an activity was (``hipstride runs relabel``)."""
    from hipstride.library.api import relabel_run

    relabel_run(library(), run_id, request.form.get("sport", ""))
    return redirect(url_for("pages.run", run_id=run_id, done="relabelled"), code=303)


@blueprint.post("/runs/<int:run_id>/delete")
def delete(run_id: int) -> BaseResponse:
    """Remove a run and all that is stored for it (``hipstride runs delete``); the form's
    ``confirm`` box must be ticked."""
    from hipstride.library.api import delete_run

    if request.form.get("confirm") != "yes":
        raise InputError(f"tick the box to confirm that run {run_id} is to be deleted")
    delete_run(library(), run_id)
    return redirect(url_for("pages.runs", done="deleted"), code=303)


@blueprint.get("/runs/<int:run_id>")
def run(run_id: int) -> Response:
    """One run: headline figures, the browser map, the printed report's drawings and advice."""
    from hipstride.library.api import show_run

    store = library()
    summary = store.get_run(run_id)
    if summary is None:
        abort(404, description=f"There is no run {run_id} in the library.")
    doc = show_run(store, run_id)
    act, hip = doc["activity"], doc["hip_load"]
    from hipstride.library.api import SPORTS

    return page("run.html.j2", title=f"Run {run_id}", run=_run_rows([summary])[0],
                sports=SPORTS, done=_DONE.get(request.args.get("done", "")),
                activity=act, hip=hip,
                sources=[{**s, "file": Path(s["file"]).name} for s in doc["library"]["sources"]],
                has_positions=bool(act.get("has_positions", True)), run_id=run_id)


def _analysis_and_map(run_id: int) -> tuple[Any, Any]:
    from hipstride.library.api import rebuild_analysis
    from hipstride.map.surfaces import choose_map
    from hipstride.web.app import network

    analysis = rebuild_analysis(library(), run_id)
    net = None
    if analysis.course.has_positions:
        choice = choose_map(analysis.course.lat_deg, analysis.course.lon_deg, home=g.home)
        if choice is not None:
            net = network(choice.name)
    return analysis, net


@blueprint.get("/runs/<int:run_id>/report")
def run_report(run_id: int) -> Response:
    """The run's printed report (profile, per-km table, advice), over the map's ways."""
    from hipstride.report.map_view import run_basemap
    from hipstride.report.run_page import render_html_report

    analysis, net = _analysis_and_map(run_id)
    basemap = run_basemap(net, analysis) if net is not None else None
    # the page names the file as uploaded, not the private folder it was imported from
    shown = dataclasses.replace(analysis, activity=dataclasses.replace(
        analysis.activity, source=Path(analysis.activity.source).name))
    return Response(render_html_report(shown, basemap=basemap), mimetype="text/html")


@blueprint.get("/api/runs/<int:run_id>/track")
def run_track(run_id: int) -> Response:
    """The run's track for the browser map (hip-load classes) and the map that covers it."""
    from hipstride.report.map_view import track_view

    analysis, net = _analysis_and_map(run_id)
    view = track_view(analysis)
    if view is None:
        abort(404, description=f"Run {run_id} has no positions to draw.")
    view["map"] = None if net is None else net.name
    return jsonify(view)


@blueprint.get("/trends")
def trends() -> Response:
    """Weekly load, progression, flags and form against baseline (``hipstride trends``)."""
    from hipstride.analysis.trends import PROGRESSION_LIMIT_PCT
    from hipstride.journal.store import list_entries
    from hipstride.library.api import trends_document
    from hipstride.report.trends_page import (
        MAX_WEEKS_DRAWN,
        form_chart,
        load_chart,
        progression_chart,
    )
    from hipstride.track.form import FORM_LABELS, FORM_METRICS

    store = library()
    doc = trends_document(store)
    weeks = doc["weeks"][-MAX_WEEKS_DRAWN:]
    charts = []
    if weeks:
        charts = [("Weekly distance and hip load",
                   "Bars: distance per ISO week (km). Line: hip-load units (right scale).",
                   Markup(load_chart(weeks))),
                  ("Progression", "Each week's distance against the mean of the two weeks before; "
                                  f"red above +{PROGRESSION_LIMIT_PCT:g} %.", Markup(progression_chart(weeks)))]
    form = [(FORM_LABELS[m].label, Markup(chart)) for m in FORM_METRICS
            if (chart := form_chart(doc["form"]["runs"], m))]
    pain = [{"date": e.date.isoformat(), "pain": e.pain} for e in list_entries(store)
            if e.pain is not None][-12:]
    return page("trends.html.j2", title="Trends", doc=doc, charts=charts, form=form,
                weeks=list(reversed(weeks[-8:])), pain=pain)
