"""The journal (entry form with the red-flag checklist, history, edit), the routines (guided
timer, FIT and calendar downloads) and the page for a clinician (HTML and PDF).

The form's fields are the entry's own (:data:`hipstride.journal.entry.FIELDS`) and every value
goes through :func:`hipstride.journal.store.entry_from_mapping`, the check ``hipstride journal
add`` uses, with the form's labels in its messages; a refused entry comes back with the form
filled in as sent and the message beside it. Adding to a day merges like the command
(:func:`~hipstride.journal.store.merge_entry`); editing a day corrects every field the form
shows (:func:`~hipstride.journal.store.edit_entry`, an empty field clears it); a day's entry can
be deleted (:func:`~hipstride.journal.store.delete_entry`). The timer runs in the browser (``static/timer.js``) from the routine's own steps.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from hipstride.errors import InputError
from hipstride.journal.entry import FIELDS, FLAG_TABLE, SIDES, SITES, site_words
from hipstride.web.app import library, page

__all__ = ["FIELD_LABELS", "blueprint"]

blueprint = Blueprint("care", __name__)

#: The label of each entry field on the form (and in its messages).
FIELD_LABELS = {
    "date": "Date", "pain_during": "Pain during the run (0–10)",
    "pain_after": "Pain after the run (0–10)", "pain_morning": "Pain on getting up (0–10)",
    "morning_stiffness_min": "Morning stiffness (minutes)", "where": "Where it hurts",
    "side": "Side", "better": "What made it better", "worse": "What made it worse",
    "flags": "Warning signs", "seen": "Checked by a professional today", "run_id": "Run",
}
assert set(FIELD_LABELS) == set(FIELDS)
_LIST_FIELDS = ("where", "flags", "seen")


def _form_data() -> dict[str, Any]:
    """The entry fields the form sent (lists for the check boxes), empty ones left out."""
    data: dict[str, Any] = {}
    for name in FIELDS:
        if name in _LIST_FIELDS:
            values = request.form.getlist(name)
            if values:
                data[name] = values
        else:
            value = request.form.get(name, "").strip()
            if value:
                data[name] = value
    return data


def _journal_page(form: dict[str, Any], *, status: int = 200, error: str | None = None,
                  saved: str | None = None, warning: str | None = None,
                  editing: bool = False) -> Response:
    from hipstride.journal.store import list_entries

    store = library()
    entries = list_entries(store)
    runs = [{"id": r.id, "label": f"{r.id}: {r.sport}, "
             + (r.start_time_utc.strftime('%Y-%m-%d') if r.start_time_utc else 'date unknown')
             + f", {(r.distance_m or 0) / 1000:.1f} km"} for r in store.list_runs()][-60:]
    history = [{**e.to_dict(), "where_words": ", ".join(site_words(s) for s in e.where)}
               for e in reversed(entries)]
    return page("journal.html.j2", status=status, title="Journal", form=form, error=error,
                saved=saved, warning=warning, editing=editing, history=history,
                labels=FIELD_LABELS, sites=[(s, site_words(s)) for s in SITES], sides=SIDES,
                flags=FLAG_TABLE, runs=runs, today=date.today().isoformat())


@blueprint.get("/journal")
def journal() -> Response:
    """The entry form (``?edit=YYYY-MM-DD`` fills it with that day's entry) and the history."""
    from hipstride.journal.store import list_entries, parse_date

    day = request.args.get("edit")
    if day:
        when = parse_date(day, field="edit")
        found = list_entries(library(), since=when, until=when)
        if not found:
            raise InputError(f"there is no journal entry for {when.isoformat()} to edit")
        return _journal_page(found[0].to_dict(), editing=True)
    deleted = request.args.get("deleted")
    saved = None
    if deleted:
        saved = f"Deleted the journal entry for {parse_date(deleted, field='deleted').isoformat()}."
    return _journal_page({"date": date.today().isoformat()}, saved=saved)


@blueprint.post("/journal")
def add() -> Response:
    """Add to a day's entry, or replace it (``replace`` set by the edit form)."""
    from hipstride.journal.store import (
        edit_entry,
        entry_from_mapping,
        merge_entry,
        red_flag_warning,
    )

    data = _form_data()
    replace = request.form.get("replace") == "1"
    try:
        entry = entry_from_mapping(data, label=lambda f: FIELD_LABELS.get(f, f))
        if replace:  # the edit form shows every field: each replaces the stored one
            _, changed = edit_entry(library(), entry, set(FIELDS))
            outcome = "replaced" if changed else "unchanged"
        else:
            _, outcome = merge_entry(library(), entry, set(data))
    except InputError as exc:
        return _journal_page(data, status=400, error=str(exc), editing=replace)
    day = entry.date.isoformat()
    saved = {"saved": f"Saved the journal entry for {day}.",
             "replaced": f"Corrected the journal entry for {day}.",
             "merged": f"Added to the journal entry for {day}.",
             "unchanged": f"Nothing changed for {day}: the form gave nothing besides the date."}[outcome]
    return _journal_page({"date": date.today().isoformat()}, saved=saved,
                         warning=red_flag_warning(entry))


@blueprint.post("/journal/<day>/delete")
def delete(day: str) -> BaseResponse:
    """Remove a day's whole entry (``hipstride journal delete``)."""
    from hipstride.journal.store import delete_entry, parse_date

    when = parse_date(day, field="date")
    if request.form.get("confirm") != "yes":
        raise InputError(f"tick the box to confirm that the entry of {when.isoformat()} is to be "
                         "deleted")
    delete_entry(library(), when)
    return redirect(url_for("care.journal", deleted=day), code=303)


@blueprint.get("/routines")
def routines() -> Response:
    """Every routine with its length and when to do it, and the calendar download."""
    from hipstride.care.content import load_routines
    from hipstride.care.routine import format_clock

    rows = [{"name": r.name, "title": r.title, "when": r.when, "kind": r.kind,
             "length": f"{r.weeks} weeks" if r.kind == "plan" else format_clock(r.total_s)}
            for r in load_routines()]
    return page("routines.html.j2", title="Routines", routines=rows,
                today=date.today().isoformat())


def _routine(name: str) -> Any:
    from hipstride.care.content import get_routine

    found = get_routine(name)
    raw = request.args.get("week")
    if raw is None:
        return found.for_week(1)
    if not raw.isdigit():
        raise InputError(f"week must be a whole number from 1, got {raw!r}")
    if found.kind != "plan":
        raise InputError(f"routine {name!r} is a single session; it has no weeks")
    return found.for_week(int(raw))


@blueprint.get("/routines/<name>")
def routine(name: str) -> Response:
    """The routine's steps and the guided timer."""
    from hipstride.care.routine import format_clock

    found = _routine(name)
    doc = found.to_dict()
    return page("routine.html.j2", title=found.title, routine=doc,
                total=format_clock(found.total_s),
                steps=[{**s, "clock": format_clock(s["planned_s"])} for s in doc["steps"]])


@blueprint.get("/routines/<name>/workout.fit")
def routine_fit(name: str) -> Response:
    """The routine as a FIT workout file for a watch (``hipstride routine export --fit``)."""
    from hipstride.care.workout import encode_fit, routine_workout

    found = _routine(name)
    return Response(encode_fit(routine_workout(found)), mimetype="application/vnd.ant.fit",
                    headers={"Content-Disposition": f'attachment; filename="{found.name}.fit"'})


@blueprint.get("/routines/plan.ics")
def plan_ics() -> Response:
    """The weekly plan as an iCalendar file (``hipstride routine export --ics``)."""
    from hipstride.care.calendar import plan_to_ics, weekly_plan
    from hipstride.journal.store import parse_date

    start = parse_date(request.args.get("start") or date.today().isoformat(), field="start")
    try:
        weeks = int(request.args.get("weeks", "4"))
        run_min = float(request.args.get("run_min", "30"))
    except ValueError:
        raise InputError("weeks must be a whole number and run_min a number of minutes") from None
    events = weekly_plan(start, weeks=weeks, run_min=run_min)
    return Response(plan_to_ics(events), mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="hipstride-plan.ics"'})


def _clinician_args() -> tuple[date, int]:
    from hipstride.journal.store import parse_date

    until = parse_date(request.args.get("until") or date.today().isoformat(), field="until")
    raw = request.args.get("weeks", "12")
    if not raw.isdigit() or not 1 <= int(raw) <= 520:
        raise InputError(f"weeks must be a whole number from 1 to 520, got {raw!r}")
    return until, int(raw)


def _clinician_html() -> str:
    from hipstride.report.clinician_page import render_clinician_html

    until, weeks = _clinician_args()
    return render_clinician_html(library(), until=until, weeks=weeks)


@blueprint.get("/clinician")
def clinician() -> Response:
    """The page for a physiotherapist (``hipstride report clinician``): the period's form, the
    report itself in a frame and its downloads; ``download=1`` answers the report as a file."""
    if request.args.get("download") == "1":
        return Response(_clinician_html(), mimetype="text/html", headers={
            "Content-Disposition": 'attachment; filename="hipstride-clinician.html"'})
    until, weeks = _clinician_args()
    return page("clinician.html.j2", title="For your physio", until=until.isoformat(),
                weeks=weeks)


@blueprint.get("/clinician/report")
def clinician_report() -> Response:
    """The clinician report: red flags, pain trend, load, form and the journal over ``weeks``
    ISO weeks up to ``until``."""
    return Response(_clinician_html(), mimetype="text/html")


@blueprint.get("/clinician/report.pdf")
def clinician_pdf() -> Response:
    """The same report printed to PDF (``hipstride report clinician --pdf``)."""
    import tempfile
    from pathlib import Path

    from hipstride.report.pdf import write_pdf

    html = _clinician_html()
    with tempfile.TemporaryDirectory(prefix="hipstride-pdf-") as tmp:
        source = Path(tmp) / "clinician.html"
        source.write_text(html, encoding="utf-8")
        write_pdf(source, Path(tmp) / "clinician.pdf")
        body = (Path(tmp) / "clinician.pdf").read_bytes()
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="hipstride-clinician.pdf"'})
