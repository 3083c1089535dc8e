"""``hipstride demo``: analyse a realistic run on real Helsinki streets, with no file of your own."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hipstride.cli._common import dump_json

if TYPE_CHECKING:
    from hipstride.analysis.run import RunAnalysis
    from hipstride.demo import DemoRun

__all__ = ["demo"]


def _how_it_was_made(run: DemoRun, analysis: RunAnalysis) -> str:
    """One line saying what hipstride's planner and map matching did for the demo run."""
    from hipstride.demo import START_NAME

    loop, baseline = run.loop, run.plan.baseline
    line = f"demo: planned a {loop.distance_m / 1000:.2f} km loop from {START_NAME} on the Helsinki map"
    if loop.hip_load.index is not None:
        line += f" (planned hip-load index {loop.hip_load.index:.3f}"
        if baseline is not None and baseline.hip_load.index is not None:
            line += f"; the shortest loop of that length: {baseline.hip_load.index:.3f}"
        line += ")"
    line += ", generated a run along it"
    matched = analysis.surface.matched_share
    if matched is not None:
        line += f" and matched {matched:.0%} of it to the map for the surface"
    return line


def _serve_demo(home: Path | None, port: int, open_browser: bool) -> None:
    import tempfile

    from hipstride.cli.serve import serve_app
    from hipstride.demo.home import seed_demo_home
    from hipstride.web import create_app

    folder = home if home is not None else Path(tempfile.mkdtemp(prefix="hipstride-demo-home-"))
    click.echo(f"demo: filling {folder} with the Helsinki map, weeks of demo runs and a journal "
               "(about a minute)…", err=True)
    made = seed_demo_home(folder)
    click.echo(f"demo: {made.runs} runs, {made.journal_entries} journal entries and the map "
               f"'{made.map_name}' in {folder} (delete the folder when done)", err=True)
    serve_app(create_app(folder), "127.0.0.1", port, open_browser)


@click.command()
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("hipstride-demo.html"), show_default=True,
              help="Where to write the HTML report.")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON instead of the summary.")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="Seed of the planned loop and the generated run (the same seed gives the same run).")
@click.option("--gpx", "gpx_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the generated run as GPX 1.1 (to try 'hipstride analyze' on it).")
@click.option("--serve", "serve_web", is_flag=True,
              help="Instead, fill a demo home (Helsinki map, weeks of runs, a journal) and serve "
                   "the web app on it.")
@click.option("--home", type=click.Path(file_okay=False, path_type=Path),
              help="With --serve: the empty or new folder to fill (default: a temporary one).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="With --serve: port to listen on at 127.0.0.1 (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="With --serve: open the web browser.")
def demo(out_path: Path, as_json: bool, seed: int, gpx_out: Path | None, serve_web: bool,
         home: Path | None, port: int, open_browser: bool) -> None:
    """Plan a ~5.5 km loop on real Helsinki streets (© OpenStreetMap contributors), generate a run
    along it, analyse it and write its HTML report; or, with --serve, show the web app on a demo
    home."""
    if serve_web:
        _serve_demo(home, port, open_browser)
        return
    from hipstride.demo import demo_analysis, write_demo_gpx
    from hipstride.report.run_page import write_html_report

    analysis, run = demo_analysis(seed)
    click.echo(_how_it_was_made(run, analysis), err=True)
    write_html_report(analysis, out_path, basemap=run.basemap())
    click.echo(f"wrote {out_path}", err=True)
    if gpx_out is not None:
        write_demo_gpx(analysis.activity, gpx_out)
        click.echo(f"wrote {gpx_out}", err=True)
    if as_json:
        dump_json(analysis.to_dict())
    else:
        from rich.console import Console

        from hipstride.report.terminal import render_summary

        render_summary(analysis, Console())
