"""The ten-second terminal summary of an analysis (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from hipstride.analysis.run import RunAnalysis

__all__ = ["format_duration", "format_pace", "render_summary"]


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
    head.add_row("Surface", f"soft {shares['soft']:.0%} · hard {shares['hard']:.0%} · unknown "
                 f"{shares['unknown']:.0%} (from {d['surface']['source']})")
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
    if hl["index"] is None:
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
    if not advice_lines:
        advice_lines.append(Text("Nothing in this run stands out as extra hip load. Keep it up."))
    notes = [Text(f"note: {n}", style="yellow") for n in a.notes]
    console.print(Panel(Group(head, Text(), index_text, load, Text(), *advice_lines, *notes),
                        title=f"[bold]hipstride[/] · {title}", expand=False))
    console.print("[dim]hipstride educates and supports decisions; it does not diagnose. "
                  "Pain that persists, worsens or spreads: see a professional.[/]")
