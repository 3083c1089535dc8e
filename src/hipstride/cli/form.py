"""``hipstride form``: a running-form check from a phone video or a landmark file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from hipstride.cli._common import HOME_OPTION, JSON_OPTION, OUT_PATH, dump_json, open_store

__all__ = ["form"]


@click.command("form")
@click.argument("source", type=click.Path(path_type=Path), required=False)
@click.option("--view", type=click.Choice(["side", "rear"]),
              help="Camera view (default: detected from the clip).")
@click.option("--fps", type=click.FloatRange(min=1.0, max=1000.0),
              help="Frame rate, for landmark frames that do not state it (OpenPose).")
@click.option("--save-landmarks", "landmarks_out", type=OUT_PATH,
              help="Also write the landmarks found to this JSON file (read back as SOURCE).")
@click.option("--html", "html_out", type=OUT_PATH,
              help="Also write an offline HTML report (key frames, charts) to this file.")
@click.option("--run-id", type=int, help="Attach the check to this stored run.")
@click.option("--no-store", is_flag=True, help="Do not keep the check in the run library.")
@click.option("--history", is_flag=True, help="List the stored form checks instead.")
@JSON_OPTION
@HOME_OPTION
def form(source: Path | None, view: str | None, fps: float | None, landmarks_out: Path | None,
         html_out: Path | None, run_id: int | None, no_store: bool, history: bool, as_json: bool,
         home: Path | None) -> None:
    """Check running form from a video (side or rear view, about 10 s), a hipstride landmark
    file, or a folder/tar archive of OpenPose BODY_25 JSON frames."""
    from hipstride.library.form_checks import add_form_check, change_since_last, form_checks
    from hipstride.report.form_terminal import form_history_lines, form_lines

    if history:
        with open_store(home) as store:
            rows = [dataclasses.asdict(c) for c in form_checks(store, run_id=run_id)]
        if as_json:
            dump_json(rows)
        else:
            click.echo("\n".join(form_history_lines(rows)))
        return
    if source is None:
        raise click.UsageError("give a video or landmark file (or --history)")
    from hipstride.video.check import analyze_form
    from hipstride.video.landmarks import write_landmark_file
    from hipstride.video.source import read_source

    sequence = read_source(source, fps=fps)
    if landmarks_out is not None:
        write_landmark_file(sequence, landmarks_out)
    doc = analyze_form(sequence, view).to_dict()
    if not no_store:
        with open_store(home) as store:
            doc["trend"] = change_since_last(store, doc)
            doc["stored_id"] = add_form_check(store, doc, run_id=run_id)
    if html_out is not None:
        from hipstride.report.form_page import write_form_html
        from hipstride.video.source import is_video

        pictures = None
        if is_video(source):
            from hipstride.video.keyframes import key_frame_jpegs

            pictures = key_frame_jpegs(source, doc["key_frames"])
        write_form_html(doc, html_out, pictures)
    if as_json:
        dump_json(doc)
    else:
        click.echo("\n".join(form_lines(doc)))
