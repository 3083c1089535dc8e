"""The form check (a clip or a landmark file -> the quality gate, metrics and key frames) and the
stored maps (import an extract, list, delete).

Both are uploads handled like the run importer's: the file is written into a private temporary
folder under a name the server makes (:func:`werkzeug.utils.secure_filename` of the uploaded
name, which keeps its suffix, since the readers choose by it), read by the library function the
command calls, and the folder is removed. Messages never show the private folder.

* Form check: :func:`hipstride.video.source.read_source`, then
  :func:`hipstride.video.check.analyze_form` and :func:`hipstride.library.form_checks.add_form_check`,
  as ``hipstride form`` does; the report is :func:`hipstride.report.form_page.render_form_html`.
  The JPEG key frames of a video exist only while its file does, so the last few are kept in
  memory; an older check's key frames are drawn from its stored landmarks.
* Maps: :func:`hipstride.map.store.import_map` (``hipstride map import``),
  :func:`~hipstride.map.store.list_maps` and :func:`~hipstride.map.store.delete_map`.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, redirect, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response as BaseResponse

from hipstride.errors import HipstrideError, InputError
from hipstride.web.app import library, page

__all__ = ["CLIP_SUFFIXES", "PICTURES_KEPT", "blueprint"]

blueprint = Blueprint("tools", __name__)

#: What the form check's file field offers (a video, a landmark file, OpenPose frames).
CLIP_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".avi", ".json", ".tar", ".tar.gz", ".tgz")
#: Checks whose key-frame pictures are kept in memory, most recent last.
PICTURES_KEPT = 4
_LOCK = threading.Lock()


def _one_upload(field: str, what: str) -> FileStorage:
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise InputError(f"choose {what} to upload")
    return upload


def _save(upload: FileStorage, folder: str, fallback: str) -> Path:
    name = secure_filename(Path(upload.filename or "").name) or fallback
    path = Path(folder) / name
    upload.save(path)
    return path


def _hidden(message: str, folder: str) -> str:
    """A message without the private upload folder (only the file's own name stays)."""
    return message.replace(folder + "/", "").replace(folder, "upload")


def _pictures() -> OrderedDict[int, dict[int, bytes]]:
    found: OrderedDict[int, dict[int, bytes]] = current_app.extensions.setdefault(
        "hipstride_form_pictures", OrderedDict())
    return found


@blueprint.get("/form")
def form() -> Response:
    """The upload form and the stored checks, newest first (``hipstride form --history``)."""
    from hipstride.library.form_checks import form_checks

    store = library()
    checks = [{"id": c.id, "when": c.checked_at_utc[:16].replace("T", " "), "source": c.source,
               "view": c.view, "passed": c.passed, "run_id": c.run_id,
               "cadence": c.medians.get("cadence_spm")} for c in reversed(form_checks(store))]
    runs = [{"id": r.id, "label": f"{r.id}: {r.name or r.sport}"} for r in store.list_runs()][-60:]
    return page("form.html.j2", title="Form check", checks=checks, runs=runs,
                accept=",".join(CLIP_SUFFIXES),
                max_upload_mib=current_app.config["MAX_CONTENT_LENGTH"] >> 20)


@blueprint.post("/form")
def check() -> BaseResponse:
    """Check one uploaded clip or landmark file, store the check and show it."""
    from hipstride.library.form_checks import add_form_check, change_since_last
    from hipstride.video.check import VIEWS, analyze_form
    from hipstride.video.source import is_video, read_source

    view = request.form.get("view") or None
    if view is not None and view not in VIEWS:
        raise InputError(f"view must be side or rear (or left to be detected), got {view!r}")
    raw_run = request.form.get("run_id") or None
    if raw_run is not None and not raw_run.isdigit():
        raise InputError(f"run must be a run's number, got {raw_run!r}")
    upload = _one_upload("clip", "a video (side or rear view, about 10 s) or a landmark file")
    pictures: dict[int, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="hipstride-form-") as tmp:
        path = _save(upload, tmp, "clip")
        try:
            doc = analyze_form(read_source(path), view).to_dict()
            if is_video(path):
                from hipstride.video.keyframes import key_frame_jpegs

                pictures = key_frame_jpegs(path, doc["key_frames"])
        except HipstrideError as exc:
            raise InputError(_hidden(str(exc), tmp)) from None
    doc["source"] = path.name
    store = library()
    doc["trend"] = change_since_last(store, doc)
    stored = add_form_check(store, doc, run_id=None if raw_run is None else int(raw_run))
    with _LOCK:
        kept = _pictures()
        kept[stored] = pictures
        while len(kept) > PICTURES_KEPT:
            kept.popitem(last=False)
    return redirect(url_for("tools.form_check", check_id=stored), code=303)


def _stored(check_id: int) -> Any:
    from hipstride.library.form_checks import form_checks

    for found in form_checks(library()):
        if found.id == check_id:
            return found
    abort(404, description=f"There is no form check {check_id} in the library.")


@blueprint.get("/form/<int:check_id>")
def form_check(check_id: int) -> Response:
    """One check: the quality gate's verdict and what to fix, then the full report."""
    found = _stored(check_id)
    doc = found.document
    return page("form_check.html.j2", title=f"Form check {check_id}", check_id=check_id,
                doc=doc, quality=doc["quality"], run_id=found.run_id)


@blueprint.get("/form/<int:check_id>/report")
def form_report(check_id: int) -> Response:
    """The check's offline report (key frames, charts, metrics, advice); ``download=1`` saves it."""
    from hipstride.report.form_page import render_form_html

    doc = _stored(check_id).document
    with _LOCK:
        pictures = _pictures().get(check_id)
    headers = ({"Content-Disposition": f'attachment; filename="hipstride-form-{check_id}.html"'}
               if request.args.get("download") == "1" else {})
    return Response(render_form_html(doc, pictures), mimetype="text/html", headers=headers)


@blueprint.get("/maps")
def maps() -> Response:
    """The stored maps and the import form (``hipstride map list``)."""
    from hipstride.map.store import list_maps

    rows = []
    for m in list_maps(g.home):
        s, w, n, e = m.bbox
        rows.append({"name": m.name, "box": f"{s:.4f}, {w:.4f} – {n:.4f}, {e:.4f}",
                     "length_km": m.meta.get("length_km"),
                     "size_mib": m.path.stat().st_size / (1 << 20),
                     "source": Path(str(m.meta.get("source_file") or "")).name})
    done = {"deleted": "The map is deleted."}.get(request.args.get("done", ""))
    return page("maps.html.j2", title="Maps", maps=rows, done=done,
                max_upload_mib=current_app.config["MAX_CONTENT_LENGTH"] >> 20)


@blueprint.post("/maps/import")
def import_extract() -> BaseResponse:
    """Import an uploaded OpenStreetMap extract as a stored map (``hipstride map import``)."""
    from hipstride.map.store import import_map, map_name_for

    upload = _one_upload("extract", "an OpenStreetMap extract (.osm.pbf, .osm, .osm.gz or .osm.bz2)")
    name = (request.form.get("name") or "").strip() or map_name_for(upload.filename or "map")
    with tempfile.TemporaryDirectory(prefix="hipstride-map-") as tmp:
        path = _save(upload, tmp, "extract.osm.pbf")
        try:
            info = import_map(path, name=name, home=g.home)
        except HipstrideError as exc:
            raise InputError(_hidden(str(exc), tmp)) from None
    _forget(info.name)
    message = f"Imported the map '{info.name}' ({info.meta.get('length_km', 0):.0f} km of ways)."
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"name": info.name, "headline": message})
    return redirect(url_for("tools.maps"), code=303)


@blueprint.post("/maps/<name>/delete")
def delete_map(name: str) -> BaseResponse:
    """Remove a stored map (the form's ``confirm`` box must be ticked)."""
    from hipstride.map.store import delete_map as remove
    from hipstride.map.store import list_maps

    names = [m.name for m in list_maps(g.home)]
    if name not in names:  # only names the store lists, never the request's text as a path
        abort(404, description="There is no stored map of that name.")
    if request.form.get("confirm") != "yes":
        raise InputError(f"tick the box to confirm that the map '{name}' is to be deleted")
    remove(name, g.home)
    _forget(name)
    return redirect(url_for("tools.maps", done="deleted"), code=303)


def _forget(name: str) -> None:
    """Drop a loaded copy of the map ``name`` and the plans made on it."""
    cache = current_app.extensions["hipstride_maps"]
    with current_app.extensions["hipstride_maps_lock"]:
        cache.pop(name, None)
        current_app.extensions.get("hipstride_plans", {}).clear()
