"""``hipstride import``, ``runs``, ``show``, ``trends`` and ``export``: the run library.

The commands only parse arguments and call :mod:`hipstride.library`; the library is imported
inside each command so that ``hipstride --help`` stays fast. Every command takes ``--home DIR``
(default: ``$HIPSTRIDE_HOME`` or the platform's data folder); the library is
``HOME/library.sqlite``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from hipstride.cli._common import (
    JSON_OPTION,
    LIBRARY_OPTIONS,
    OUT_PATH,
    dump_json,
    open_store,
    stderr_progress,
)

__all__ = ["COMMANDS", "export", "import_cmd", "runs", "show", "trends"]

@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    if not enabled:
        yield None
        return
    with stderr_progress() as bar:
        tasks: dict[str, Any] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                label = "importing" if phase == "import" else "re-analysing (new baseline)"
                tasks[phase] = bar.add_task(label, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@LIBRARY_OPTIONS
@JSON_OPTION
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per CPU core).")
def import_cmd(paths: tuple[Path, ...], home: Path | None, as_json: bool, jobs: int | None) -> None:
    """Import recordings: files, folders, .gz, Strava and Garmin Connect export zips.

    Importing again is safe: files already in the library are skipped, and the same run recorded
    by two devices is kept once with both files noted. Walks, rides and other sports are stored
    with their sport; baselines and trends use running only.
    """
    from hipstride.library.importer import import_paths

    with open_store(home) as store, _progress_bar(not as_json and sys.stderr.isatty()) as progress:
        summary = import_paths(store, paths, jobs=jobs or os.cpu_count(), progress=progress)
    if as_json:
        dump_json(summary.to_dict())
    else:
        from hipstride.report.terminal import import_summary

        headline, problems = import_summary(summary)
        click.echo(headline)
        for line in problems:
            click.echo(line, err=True)
    if summary.failed:
        sys.exit(1)


@click.group("runs", invoke_without_command=True)
@LIBRARY_OPTIONS
@JSON_OPTION
@click.option("--sport", help="Only this sport (e.g. running).")
@click.pass_context
def runs(ctx: click.Context, home: Path | None, as_json: bool, sport: str | None) -> None:
    """List the runs in the library (and other activities, with their sport); `runs delete` and
    `runs relabel` correct it."""
    if ctx.invoked_subcommand is not None:
        return
    with open_store(home) as store:
        listing = store.list_runs(sport=sport)
    if as_json:
        dump_json([r.to_dict() for r in listing])
        return
    from rich.console import Console

    from hipstride.report.terminal import runs_table

    Console().print(runs_table(listing))


@runs.command("delete")
@click.argument("run_id", type=int)
@LIBRARY_OPTIONS
def runs_delete(run_id: int, home: Path | None) -> None:
    """Remove a run and everything stored for it (a journal entry about it stays)."""
    from hipstride.library.api import delete_run

    with open_store(home) as store:
        delete_run(store, run_id)
    click.echo(f"Deleted run {run_id}.")


@runs.command("relabel")
@click.argument("run_id", type=int)
@click.option("--sport", required=True, help="What the activity was: running, walking, hiking, "
              "cycling, swimming, training or other.")
@LIBRARY_OPTIONS
def runs_relabel(run_id: int, sport: str, home: Path | None) -> None:
    """Say what an activity was (e.g. an untyped phone recording that was a walk); weekly load,
    today's decision and baselines then count it as that sport."""
    from hipstride.library.api import relabel_run

    with open_store(home) as store:
        before = relabel_run(store, run_id, sport)
    click.echo(f"Run {run_id} is now {sport.strip().lower()} (it was {before}).")


@click.command("show")
@click.argument("run_id", type=int)
@LIBRARY_OPTIONS
@JSON_OPTION
@click.option("--html", "html_out", type=OUT_PATH, help="Write the run's self-contained HTML report.")
def show(run_id: int, home: Path | None, as_json: bool, html_out: Path | None) -> None:
    """Show a stored run's analysis (the same document as `hipstride analyze`)."""
    from hipstride.library.api import rebuild_analysis, show_run

    with open_store(home) as store:
        doc = show_run(store, run_id)
        if html_out is not None:
            from hipstride.library.records import maps_home_of
            from hipstride.report.run_page import map_basemap, write_html_report

            analysis = rebuild_analysis(store, run_id)
            write_html_report(analysis, html_out,
                              basemap=map_basemap(analysis, maps_home_of(store)))
            click.echo(f"wrote {html_out}", err=True)
    if as_json:
        dump_json(doc)
    elif html_out is None:
        act, hip = doc["activity"], doc["hip_load"]
        index = hip.get("not_computed") or ("hip-load index "
                                            + (f"{hip['index']}" if hip["index"] is not None else "-"))
        click.echo(f"run {run_id}: {act['sport']} on {act['start_time_utc'] or 'unknown date'}, "
                   f"{(act['distance_m'] or 0) / 1000:.2f} km, {index}")
        for item in hip["advice"]:
            click.echo(f"- {item.get('text', item)}")
        for src in doc["library"]["sources"]:
            click.echo(f"source: {src['file']}" + (" (primary)" if src["primary"] else ""))


@click.command("trends")
@LIBRARY_OPTIONS
@JSON_OPTION
@click.option("--html", "html_out", type=OUT_PATH, help="Write a self-contained HTML page.")
def trends(home: Path | None, as_json: bool, html_out: Path | None) -> None:
    """Weekly load, its progression, and changes of form against your own baseline."""
    from hipstride.library.api import trends_document

    with open_store(home) as store:
        doc = trends_document(store)
    if html_out is not None:
        from hipstride.report.trends_page import write_trends_html

        write_trends_html(doc, html_out)
        click.echo(f"wrote {html_out}", err=True)
    if as_json:
        dump_json(doc)
    elif html_out is None:
        for w in doc["weeks"][-8:]:
            change = (f"{w['progression_pct']:+.0f} % on the two weeks before"
                      if w["progression_pct"] is not None else "")
            change += " (week in progress)" if w["partial"] else ""
            click.echo(f"{w['week_start']}  {w['distance_m'] / 1000:6.1f} km  {w['runs']} run(s)  "
                       f"hip load {w['hip_load']:.1f}  {change}")
        for f in doc["flags"]:
            click.echo(f"! {f['week']}: {f['text']}")
        for note in doc["notes"]:
            click.echo(f"note: {note}")


@click.group("export")
def export() -> None:
    """Export the run list (CSV, Parquet) or one run (GPX, GeoJSON)."""


@export.command("runs")
@LIBRARY_OPTIONS
@click.option("--csv", "csv_out", type=OUT_PATH, help="Write CSV here.")
@click.option("--parquet", "parquet_out", type=OUT_PATH, help="Write Parquet here (needs pyarrow).")
def export_runs(home: Path | None, csv_out: Path | None, parquet_out: Path | None) -> None:
    """Export the list of runs."""
    from hipstride.library.export import write_runs_csv, write_runs_parquet

    if (csv_out is None) == (parquet_out is None):
        raise click.UsageError("give exactly one of --csv OUT or --parquet OUT")
    with open_store(home) as store:
        if csv_out is not None:
            n = write_runs_csv(store, csv_out)
        else:
            assert parquet_out is not None
            n = write_runs_parquet(store, parquet_out)
    click.echo(f"wrote {n} run(s) to {csv_out or parquet_out}", err=True)


@export.command("run")
@click.argument("run_id", type=int)
@LIBRARY_OPTIONS
@click.option("--gpx", "gpx_out", type=OUT_PATH, help="Write GPX 1.1 here.")
@click.option("--geojson", "geojson_out", type=OUT_PATH, help="Write GeoJSON here.")
def export_run(run_id: int, home: Path | None, gpx_out: Path | None,
               geojson_out: Path | None) -> None:
    """Export one run's track."""
    from hipstride.library.export import write_run_geojson, write_run_gpx

    if (gpx_out is None) == (geojson_out is None):
        raise click.UsageError("give exactly one of --gpx OUT or --geojson OUT")
    with open_store(home) as store:
        if gpx_out is not None:
            n = write_run_gpx(store, run_id, gpx_out)
        else:
            assert geojson_out is not None
            n = write_run_geojson(store, run_id, geojson_out)
    click.echo(f"wrote {n} point(s) to {gpx_out or geojson_out}", err=True)


COMMANDS: list[click.Command] = [import_cmd, runs, show, trends, export]
