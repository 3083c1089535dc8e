"""``hipstride analyze FILE…``

Start-up time matters here (one process per file in scripts), so this module imports only click
at load time; the reader and the analysis are imported when the command runs, and the map
matcher (scipy) only once a stored map covers the run (:mod:`hipstride.map.surfaces`).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import click

from hipstride.cli._common import dump_json

__all__ = ["analyze"]


class _SurfaceChoice(click.Choice[str]):
    """The surface words of :data:`hipstride.track.surface.SURFACE_WORDS`, looked up on first use
    (parsing or help), so that importing the command line does not import the track package."""

    def __init__(self) -> None:
        super().__init__((), case_sensitive=False)

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        from hipstride.track.surface import SURFACE_WORDS

        return tuple(SURFACE_WORDS)

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        """Ignored: the words always come from the table."""


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per file; a list for several).")
@click.option("--html", "html_out", type=click.Path(path_type=Path),
              help="Write a self-contained HTML report (a folder when several files are given: one "
                   "report per file, named after it).")
@click.option("--profile", "profile_path", type=click.Path(path_type=Path),
              help="Hip-load profile TOML file (default: the shipped profile).")
@click.option("--surface", type=_SurfaceChoice(),
              help="Surface you ran on, when the file does not say.")
@click.option("--map", "map_name",
              help="Stored map (hipstride map import) to take the surface from; by default the "
                   "one stored map that covers the run, if there is exactly one.")
@click.option("--dem", type=click.Path(dir_okay=False, path_type=Path), multiple=True,
              help="Take elevation from this elevation model (SRTM .hgt tile, plain or zipped, or "
                   "a GeoTIFF; repeat for several tiles) instead of the recording's altitude.")
def analyze(files: tuple[Path, ...], as_json: bool, html_out: Path | None,
            profile_path: Path | None, surface: str | None, map_name: str | None,
            dem: tuple[Path, ...]) -> None:
    """Explain what in each run loaded the hip (FIT, GPX or TCX, plain or .gz)."""
    from hipstride.analysis.run import SurfaceLike, analyze_activity
    from hipstride.errors import HipstrideError
    from hipstride.io import read_activity
    from hipstride.model.profile import load_profile

    if surface is not None and map_name is not None:
        raise click.UsageError("use either --surface or --map, not both")
    profile = load_profile(profile_path)
    results = []
    origin: list[int] = []  # the position among the inputs of each result
    failed = 0
    for position, path in enumerate(files):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                activity = read_activity(path)
            for w in caught:  # a reader's warning already starts with the file's name
                text = str(w.message)
                named = text if text.startswith(f"{path}: ") else f"{path}: {text}"
                click.echo(f"hipstride: warning: {named}", err=True)
            if dem:
                from hipstride.map.dem import activity_on_dem

                activity = activity_on_dem(activity, list(dem))
            run_surface: SurfaceLike = surface
            if surface is None:
                from hipstride.map.surfaces import map_surface_provider

                provider, picked = map_surface_provider(activity.lat_deg, activity.lon_deg, map_name)
                if picked:
                    click.echo(f"hipstride: {path}: {picked}", err=True)
                if provider is not None:
                    run_surface = provider
            results.append(analyze_activity(activity, profile=profile, surface=run_surface))
            origin.append(position)
        except HipstrideError as exc:
            failed += 1
            message = str(exc) if str(path) in str(exc) else f"{path}: {exc}"
            click.echo(f"hipstride: error: {message}", err=True)

    if html_out is not None and results:
        from hipstride.report.run_page import map_basemap, report_file_names, write_html_report

        if len(files) == 1:
            write_html_report(results[0], html_out, basemap=map_basemap(results[0]))
            click.echo(f"wrote {html_out}", err=True)
        else:  # one report per input, named from every input so a failed one shifts no name
            html_out.mkdir(parents=True, exist_ok=True)
            names = report_file_names(files)
            for position, a in zip(origin, results, strict=True):
                out = html_out / names[position]
                write_html_report(a, out, basemap=map_basemap(a))
                click.echo(f"wrote {out} (the report of {files[position]})", err=True)
    if as_json:
        docs = [a.to_dict() for a in results]
        dump_json(docs[0] if len(files) == 1 and docs else docs)
    else:
        from rich.console import Console

        from hipstride.report.terminal import render_summary

        console = Console()
        for a in results:
            render_summary(a, console)
    if failed:
        sys.exit(1)

