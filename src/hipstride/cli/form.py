"""``hipstride form``: a running-form check from phone videos or landmark files.

Several sources may be given in one call: each is checked, stored and reported on its own, and a
source that cannot be read or checked fails alone with its message (the others still run); the
command exits non-zero at the end when any failed. With several sources, each output file named
by an option gets the source's name inserted (``form.html`` -> ``form-clip.html``).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import click

from hipstride.cli._common import JSON_OPTION, LIBRARY_OPTIONS, OUT_PATH, dump_json, open_store
from hipstride.errors import HipstrideError

__all__ = ["form"]


def _output(path: Path | None, source: Path, several: bool) -> Path | None:
    """Where one source's output goes (see the module docstring)."""
    if path is None or not several:
        return path
    stem = source.name.split(".")[0] or "source"
    return path.with_name(f"{path.stem}-{stem}{path.suffix}")


def _check_one(source: Path, *, view: str | None, fps: float | None, landmarks_out: Path | None,
               html_out: Path | None, workout_out: Path | None, run_id: int | None,
               store_it: bool, home: Path | None) -> dict[str, Any]:
    """Check one source, store it and write its files; returns the check's document."""
    from hipstride.library.form_checks import add_form_check, change_since_last
    from hipstride.video.check import analyze_form
    from hipstride.video.landmarks import write_landmark_file
    from hipstride.video.source import is_video, read_source

    sequence = read_source(source, fps=fps)
    if landmarks_out is not None:
        write_landmark_file(sequence, landmarks_out)
    doc = analyze_form(sequence, view).to_dict()
    if store_it:
        with open_store(home) as store:
            doc["trend"] = change_since_last(store, doc)
            doc["stored_id"] = add_form_check(store, doc, run_id=run_id)
    if html_out is not None:
        from hipstride.report.form_page import write_form_html

        pictures = None
        if is_video(source):
            from hipstride.video.keyframes import key_frame_jpegs

            pictures = key_frame_jpegs(source, doc["key_frames"])
        write_form_html(doc, html_out, pictures)
    if workout_out is not None:
        from hipstride.care.workout import cue_workout, write_fit
        from hipstride.journal.form_plan import form_cue

        cue = form_cue(doc["advice"])
        if cue is None:
            click.echo(f"{source.name}: no step-rate cue in this check, so no workout was written",
                       err=True)
        else:
            write_fit(cue_workout(cue["cadence_cue_spm"],
                                  because=f"{cue['because']} ({cue['source']})"), workout_out)
            doc["workout"] = str(workout_out)
    return doc


@click.command("form")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--view", type=click.Choice(["side", "rear"]),
              help="Camera view (default: detected from each clip).")
@click.option("--fps", type=click.FloatRange(min=1.0, max=1000.0),
              help="Frame rate, for landmark frames that do not state it (OpenPose).")
@click.option("--landmarks", "--save-landmarks", "landmarks_out", type=OUT_PATH,
              help="Also write the landmarks found to this JSON file (read back as a source).")
@click.option("--html", "html_out", type=OUT_PATH,
              help="Also write an offline HTML report (key frames, charts) to this file.")
@click.option("--workout", "workout_out", type=OUT_PATH,
              help="Also write the step-rate cue, when the check gives one, as a FIT workout.")
@click.option("--run-id", type=int, help="Attach the check to this stored run.")
@click.option("--no-store", is_flag=True, help="Do not keep the check in the run library.")
@click.option("--history", is_flag=True, help="List the stored form checks instead.")
@JSON_OPTION
@LIBRARY_OPTIONS
def form(sources: tuple[Path, ...], view: str | None, fps: float | None,
         landmarks_out: Path | None, html_out: Path | None, workout_out: Path | None,
         run_id: int | None, no_store: bool, history: bool, as_json: bool,
         home: Path | None) -> None:
    """Check running form from videos (side or rear view, about 10 s each), hipstride landmark
    files, or folders/tar archives of OpenPose BODY_25 JSON frames; each source is checked and
    reported on its own."""
    from hipstride.library.form_checks import form_checks
    from hipstride.report.form_terminal import form_history_lines, form_lines

    if history:
        with open_store(home) as store:
            rows = [dataclasses.asdict(c) for c in form_checks(store, run_id=run_id)]
        if as_json:
            dump_json(rows)
        else:
            click.echo("\n".join(form_history_lines(rows)))
        return
    if not sources:
        raise click.UsageError("give a video or landmark file (or --history)")
    several = len(sources) > 1
    docs: list[dict[str, Any]] = []
    failed = 0
    for source in sources:
        try:
            doc = _check_one(source, view=view, fps=fps,
                             landmarks_out=_output(landmarks_out, source, several),
                             html_out=_output(html_out, source, several),
                             workout_out=_output(workout_out, source, several),
                             run_id=run_id, store_it=not no_store, home=home)
        except (HipstrideError, OSError) as exc:
            failed += 1
            text = str(exc) if isinstance(exc, HipstrideError) else (exc.strerror or str(exc))
            message = text if source.name in text else f"{source}: {text}"
            click.echo(f"hipstride: error: {message}", err=True)
            docs.append({"source": str(source), "error": message})
            continue
        docs.append(doc)
        if not as_json:
            click.echo(("\n" if len(docs) > 1 else "") + "\n".join(form_lines(doc)))
    if as_json and (docs[0].get("error") is None or several):
        dump_json(docs if several else docs[0])
    if failed:
        sys.exit(2)
