"""The terminal view of a club's or clinic's athletes (``hipstride athletes``).

A pure function over the lines of :func:`hipstride.journal.club.club_overview`: one row per
athlete with today's decision and its strongest reason, the red flags not yet seen by a
professional, the last run and the load trend; nothing here reads storage or the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from hipstride.report.journal_terminal import DECISION_STYLE

__all__ = ["athletes_table"]


def _last_run(run: dict[str, Any] | None) -> str:
    if run is None:
        return "–"
    km = f"{run['distance_m'] / 1000:.1f} km" if run.get("distance_m") else run["sport"]
    index = run.get("hip_load_index")
    return f"{run['date']} {km}" + (f", index {index:.2f}" if index is not None else "")


def _load(load: dict[str, Any] | None) -> str:
    if load is None:
        return "no runs"
    text = f"{load['week_distance_m'] / 1000:.1f} km this week" + (
        " (so far)" if load["week_partial"] else "")
    pct = load.get("progression_pct")
    if pct is not None:
        text += f"; {pct:+.0f} % vs the two weeks before ({load['progression_week_start']})"
    return text


def athletes_table(lines: Sequence[dict[str, Any]]) -> Table:
    """One row per athlete (urgent rows keep the order they come in: first)."""
    table = Table(title="Athletes today", show_lines=False)
    table.add_column("athlete", overflow="fold")
    table.add_column("today", no_wrap=True)
    for column in ("why (first reason)", "red flags not yet seen", "last run", "load"):
        table.add_column(column, overflow="fold")
    for line in lines:
        flags = ", ".join(f"{f['label']} ({f['noted']})" for f in line["red_flags"]) or "–"
        table.add_row(line["athlete"],
                      Text(line["decision"], style=DECISION_STYLE.get(line["decision"], "")),
                      line["why_first"] or "–", Text(flags, style="bold red" if line["red_flags"] else ""),
                      _last_run(line["last_run"]), _load(line["load"]))
    return table
