"""``hipstride reanalyze``: analyse stored runs again with the current model, profile and maps.

Parses the options, picks the engine (a local Dask cluster by default, a cluster by address, or
this process with ``--workers 0``) and calls :func:`hipstride.library.reanalyze.reanalyze`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hipstride.cli._common import (
    JSON_OPTION,
    LIBRARY_OPTIONS,
    dump_json,
    library_choice,
    open_store,
    stderr_progress,
)

if TYPE_CHECKING:
    from hipstride.library.reanalyze import ReanalysisPlan

__all__ = ["reanalyze"]


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[tuple[Callable[[Any], None], Callable[[int], None]]]:
    """``(on_plan, progress)`` callbacks drawing a bar with counts on standard error."""
    if not enabled:
        yield (lambda plan: None), (lambda done: None)
        return
    with stderr_progress() as bar:
        task = bar.add_task("re-analysing", total=None)

        def on_plan(plan: ReanalysisPlan) -> None:
            bar.update(task, total=plan.total)

        def progress(done: int) -> None:
            bar.advance(task, done)

        yield on_plan, progress


@click.command("reanalyze")
@click.option("--all", "all_athletes", is_flag=True, help="Re-analyse every athlete's runs.")
@click.option("--profile", "profile_path", type=click.Path(path_type=Path),
              help="Hip-load profile TOML file (default: the shipped profile).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on the Dask cluster of this scheduler (e.g. tcp://HOST:8786) instead of "
                   "a local one.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Worker processes of the local cluster (default: one per CPU core, at most "
                   "8); 0 analyses in this process, without Dask.")
@click.option("--batch", "batch_size", type=click.IntRange(min=1), default=100, show_default=True,
              help="Runs per task.")
@LIBRARY_OPTIONS
@JSON_OPTION
def reanalyze(all_athletes: bool, profile_path: Path | None, scheduler: str | None,
              workers: int | None, batch_size: int, home: Path | None, as_json: bool) -> None:
    """Analyse stored runs again (after the model, the profile or the maps changed).

    Runs already analysed for the same model, profile and maps are skipped, so a stopped
    re-analysis run again continues where it stopped. Every worker of a cluster needs
    hipstride, the same maps in its hipstride home, and a way to reach the database.
    """
    from hipstride.library._dask import dask_client
    from hipstride.library.reanalyze import reanalyze as run
    from hipstride.model.profile import load_profile

    if all_athletes and library_choice()[1] is not None:
        raise click.UsageError("give either --athlete or --all")
    profile = load_profile(profile_path)
    with open_store(home) as store:
        url, name = store.url, store.athlete
    names = None if all_athletes else [name]
    with _progress_bar(not as_json and sys.stderr.isatty()) as (on_plan, progress):
        if workers == 0 and scheduler is None:
            report = run(url, home=home, athletes=names, profile=profile,
                         batch_size=batch_size, progress=progress, on_plan=on_plan)
        else:
            with dask_client(scheduler=scheduler, workers=workers) as client:
                report = run(url, home=home, athletes=names, profile=profile, client=client,
                             batch_size=batch_size, progress=progress, on_plan=on_plan)
    if as_json:
        dump_json(report.to_dict())
    else:
        click.echo(f"re-analysed {report.analysed} run(s) in {report.seconds:.1f} s "
                   f"({report.runs_per_s:.0f} runs/s, {report.engine}); {report.skipped} "
                   f"already done for job {report.job}")
    for failure in report.failed:
        click.echo(f"run {failure.run_id} ({failure.athlete}): {failure.reason}", err=True)
    if report.failed:
        sys.exit(1)
