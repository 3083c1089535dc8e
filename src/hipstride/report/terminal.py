"""What the terminal shows: the ten-second summary of an analysis, the run list, an import's
outcome and a plan's routes.

The CLI parses arguments, calls the library and hands the result to one of these renderers, so a
second face (the planned web app) can show the same things without redoing them. Renderers return
rich objects or lines of text; only :func:`render_summary` prints, to the console it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from hipstride.analysis.run import RunAnalysis
    from hipstride.library.importer import ImportSummary
    from hipstride.library.store import RunSummary
    from hipstride.map.planner import Plan

__all__ = ["format_duration", "format_pace", "import_summary", "plan_lines", "render_summary",
           "runs_table"]


def format_duration(seconds: float | None) -> str:
    """``3725`` → ``"1:02:05"``; ``None`` → ``"–"``."""
    if seconds is None:
        return "–"
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def format_pace(seconds: float | None, metres: float) -> str:
    """Pace in min/km, e.g. ``"5:42 /km"``."""
    if seconds is None or metres <= 0:
        return "–"
    per_km = seconds / (metres / 1000.0)
    m, s = divmod(round(per_km), 60)
    return f"{m}:{s:02d} /km"


def _index_style(index: float | None) -> str:
    if index is None:
        return "dim"
    return "green" if index < 1.05 else "yellow" if index < 1.15 else "red"


def render_summary(a: RunAnalysis, console: Console) -> None:
    """Print the summary: headline figures, what loaded the hip, and the advice."""
    d = a.to_dict()
    act, hl = d["activity"], d["hip_load"]
    title = f"{a.activity.name or a.activity.source}"
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    when = act["start_time_utc"][:16].replace("T", " ") + " UTC" if act["start_time_utc"] else "unknown date"
    head.add_row("When", f"{when} · {act['sport']}{' / ' + act['sub_sport'] if act['sub_sport'] else ''}")
    dist = (act["distance_m"] or 0.0)
    head.add_row("Distance", f"{dist / 1000:.2f} km in {format_duration(act['moving_time_s'])} moving "
                 f"({format_duration(act['duration_s'])} elapsed, {format_pace(act['moving_time_s'], dist)})")
    if act["elevation_gain_m"] is not None:
        head.add_row("Climb", f"+{act['elevation_gain_m']:.0f} m / -{act['elevation_loss_m']:.0f} m; "
                     f"grade {d['grade']['min_grade_pct']} % to +{d['grade']['max_grade_pct']} %")
    t = d["turns"]
    head.add_row("Turns", f"{t['count']} turns, {t['sharp_count']} sharp"
                 + (f" ({t['per_km']:.1f}/km; sharp: {t['sharp_left']} left, {t['sharp_right']} right)"
                    if t["per_km"] is not None else ""))
    shares = d["surface"]["shares"]
    source = d["surface"]["source"]
    if "map" in d["surface"]:
        source = f"map '{d['surface']['map']['name']}'"
        if d["surface"].get("matched_share") is not None:
            source += f", {d['surface']['matched_share']:.0%} of the run matched to its ways"
    head.add_row("Surface", f"soft {shares['soft']:.0%} · hard {shares['hard']:.0%} · unknown "
                 f"{shares['unknown']:.0%} (from {source})")
    form = d["form"]
    if form["cadence_spm"] is not None:
        parts = [f"{form['cadence_spm']:.0f} steps/min"]
        if form["stance_time_ms"] is not None:
            parts.append(f"stance {form['stance_time_ms']:.0f} ms")
        if form["stance_time_balance_left_pct"] is not None:
            parts.append(f"balance {form['stance_time_balance_left_pct']:.1f} % L")
        if form["vertical_oscillation_mm"] is not None:
            parts.append(f"vert. osc. {form['vertical_oscillation_mm']:.0f} mm")
        head.add_row("Form", ", ".join(parts))

    load = Table(title="What loaded the hip", title_justify="left", show_edge=False, pad_edge=False)
    load.add_column("factor")
    load.add_column("adds to index", justify="right")
    for name, value in sorted(hl["factors"].items(), key=lambda kv: -kv[1]):
        load.add_row(name, f"+{value:.3f}" if value >= 0.0005 else "·")
    index_text = Text("Hip-load index ", style="bold")
    if hl.get("not_computed"):
        index_text.append(hl["not_computed"].removeprefix("hip-load index: "), style="dim")
    elif hl["index"] is None:
        index_text.append("not available (no distance in this file)", style="dim")
    else:
        index_text.append(f"{hl['index']:.3f}", style=f"bold {_index_style(hl['index'])}")
        index_text.append(f"  ·  total {hl['total']:.2f} units  (1.000 = flat, straight, neutral ground)")

    advice_lines: list[Text] = []
    for item in a.advice[:4]:
        line = Text("• ", style="bold")
        line.append(item.text)
        line.append(f"\n  measured: {item.measurement}\n  evidence: {item.evidence}", style="dim")
        advice_lines.append(line)
    if not advice_lines and not hl.get("not_computed"):
        advice_lines.append(Text("Nothing in this run stands out as extra hip load. Keep it up."))
    notes = [Text(f"note: {n}", style="yellow") for n in a.notes]
    shown = [load] if not hl.get("not_computed") else []  # no running factors for a ride
    console.print(Panel(Group(head, Text(), index_text, *shown, Text(), *advice_lines, *notes),
                        title=f"[bold]hipstride[/] · {title}", expand=False))
    console.print("[dim]hipstride educates and supports decisions; it does not diagnose. "
                  "Pain that persists, worsens or spreads: see a professional.[/]")


def runs_table(runs: Sequence[RunSummary]) -> Table:
    """The run list of ``hipstride runs``: one row per stored run; cross-training sessions are
    marked so and show no hip-load index."""
    table = Table("id", "start (UTC)", "sport", "km", "time", "hip load", "source")
    for r in runs:
        start = r.start_time_utc.strftime("%Y-%m-%d %H:%M") if r.start_time_utc else "–"
        if r.time_is_relative:
            start += " (device clock)"
        index = None if r.cross_training else r.hip_load_index
        table.add_row(str(r.id), start, r.sport + (" (cross-training)" if r.cross_training else ""),
                      f"{r.distance_m / 1000:.2f}" if r.distance_m is not None else "–",
                      format_duration(r.duration_s),
                      f"{index:.2f}" if index is not None else "–",
                      Path(r.source_file).name + (f" (+{r.sources - 1})" if r.sources > 1 else ""))
    return table


def import_summary(summary: ImportSummary) -> tuple[str, list[str]]:
    """The outcome of an import: one headline, and the lines for the error stream (warnings,
    files ignored and files that failed)."""
    headline = (f"imported {summary.imported} run(s); {summary.duplicates} already in the "
                f"library ({summary.other_sources} of them another recording of a stored run)"
                + (f"; {summary.reanalysed} re-analysed with a new baseline"
                   if summary.reanalysed else ""))
    problems = [f"hipstride: warning: {label}: {warning}" for label, warning in summary.warnings]
    if summary.ignored:
        problems.append(f"ignored {len(summary.ignored)} file(s) that are not recordings")
    problems += [f"hipstride: ignored: {label}: {reason}" for label, reason in summary.fragments]
    problems += [f"hipstride: error: {label}: {error}" for label, error in summary.failed]
    if summary.failed:
        problems.append(f"{len(summary.failed)} file(s) could not be imported")
    return headline, problems


def _route_line(label: str, r: dict[str, Any]) -> str:
    shares = r["surface"]["shares"]
    climb = "" if r["climb_m"] is None else f", +{r['climb_m']:.0f}/-{r['descent_m']:.0f} m"
    return (f"{label}: {r['distance_m'] / 1000:.2f} km, hip-load index {r['hip_load']['index']}, "
            f"soft {shares['soft']:.0%} / hard {shares['hard']:.0%} / unknown "
            f"{shares['unknown']:.0%}, {r['turns']['sharp_count']} sharp turns{climb}"
            + (f", {r['steps_m']:.0f} m of steps" if r["steps_m"] else ""))


def plan_lines(plan: Plan) -> list[str]:
    """A plan as lines of text: each route (best first), the baseline, the notes, the attribution."""
    doc = plan.to_dict(coordinates=False)
    what = "Loop" if plan.kind == "loop" else "Route"
    lines = [_route_line(f"{what} {r['rank']}", r) for r in doc["routes"]]
    if doc["baseline"] is not None:
        lines.append(_route_line("Shortest (baseline)", doc["baseline"]))
    lines += [f"note: {note}" for note in doc["notes"]]
    lines.append(f"map data {doc['attribution']}")
    return lines
