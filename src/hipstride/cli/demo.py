"""``hipstride demo``: analyse a realistic run on real Helsinki streets, with no file of your own."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

__all__ = ["demo"]


@click.command()
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("hipstride-demo.html"), show_default=True,
              help="Where to write the HTML report.")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON instead of the summary.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Seed of the generated run (the same seed gives the same run).")
@click.option("--gpx", "gpx_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the generated run as GPX 1.1 (to try 'hipstride analyze' on it).")
def demo(out_path: Path, as_json: bool, seed: int, gpx_out: Path | None) -> None:
    """Generate a ~5.5 km run on real Helsinki streets (© OpenStreetMap contributors), analyse it,
    and write its HTML report."""
    from hipstride.demo import demo_analysis, write_gpx
    from hipstride.report.html import write_html_report

    analysis, basemap = demo_analysis(seed)
    write_html_report(analysis, out_path, basemap=basemap)
    click.echo(f"wrote {out_path}", err=True)
    if gpx_out is not None:
        write_gpx(analysis.activity, gpx_out)
        click.echo(f"wrote {gpx_out}", err=True)
    if as_json:
        json.dump(analysis.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        from rich.console import Console

        from hipstride.report.terminal import render_summary

        render_summary(analysis, Console())
