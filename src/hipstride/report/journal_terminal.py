"""Terminal views of the pain journal: the day's decision with its plan, and the journal table.

Pure functions: each takes journal values and returns a ``rich`` renderable (or plain lines) that
the CLI prints; nothing here reads storage or the clock. The decision view is meant to be printed
with ``crop=False``: a plan line that holds a command (``hipstride route loop ...``) is never
wrapped or cropped, so that it can be copied whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hipstride.journal.entry import FLAG_TABLE, TIERS

if TYPE_CHECKING:
    from hipstride.journal.decision import Decision, Reason
    from hipstride.journal.entry import JournalEntry

__all__ = ["DISCLAIMER", "decision_view", "journal_table", "plan_lines"]

def _disclaimer() -> str:
    """The closing warning, built from the journal's one flag table so it never lists fewer."""
    by_tier = {tier: "; ".join(f.text for f in FLAG_TABLE if f.tier == tier) for tier in TIERS}
    return ("hipstride is educational: it supports your decisions and does not diagnose. Any red "
            f"flag means stop running. See a professional today for any of: {by_tier['same-day']}. "
            f"Within a few days for any of: {by_tier['within-days']}. If unsure, see a "
            "professional now.")


DISCLAIMER = _disclaimer()
#: The banner of each decision: its style and its words.
DECISION_STYLE = {"run": "bold white on green", "modify": "bold black on yellow",
                  "cross-train": "bold white on dark_cyan", "rest": "bold white on blue",
                  "see-professional": "bold white on red"}
DECISION_WORDS = {"run": "RUN", "modify": "RUN, BUT MODIFIED", "cross-train": "CROSS-TRAIN",
                  "rest": "REST", "see-professional": "SEE A PROFESSIONAL"}
#: A plan line holding this text is a command: it stays on one line.
_COMMAND_MARK = "hipstride route"


# ---------------------------------------------------------------------------------------------
# the plan


def _routines(names: Iterable[str]) -> str:
    return ", ".join(f"{n} (hipstride routine guide {n})" for n in names)


def _run_lines(run: Mapping[str, Any]) -> list[str]:
    lines = ["Run: " + str(run.get("text") or run.get("effort", ""))]
    if run.get("text") and run.get("effort"):
        lines.append(f"  effort: {run['effort']}")
    for key, label in (("route_profile", "route"), ("route_command", "plan the route"),
                       ("cadence_text", "step rate")):
        if run.get(key):
            lines.append(f"  {label}: {run[key]}")
    cue = run.get("form_cue")
    if isinstance(cue, Mapping) and not str(run.get("cadence_text", "")).startswith(cue["text"]):
        lines.append(f"  form check: {cue['text']}")
    if isinstance(cue, Mapping):
        lines.append(f"    why: {cue.get('because', '')} ({cue.get('source', '')})")
    return lines


def _emphasis_lines(items: Iterable[Mapping[str, Any]]) -> list[str]:
    return [line for item in items for line in (
        f"Strength emphasis: {item['text']}",
        f"  why: {item.get('because', '')} ({item.get('source', '')}); "
        f"hipstride routine guide {item.get('routine', 'strength')}")]


def _option_line(option: Mapping[str, Any]) -> str:
    low, high = option.get("duration_min", ["?", "?"])
    return f"Option: {option.get('activity')}, {low}–{high} min ({option.get('note', '')})"


def _text_line(label: str) -> Callable[[Any], list[str]]:
    return lambda value: [f"{label}: {value}"]


def _joined_line(label: str, sep: str) -> Callable[[Any], list[str]]:
    return lambda values: [f"{label}: " + sep.join(values)]


def _run_value(run: Any) -> list[str]:
    return _run_lines(run) if isinstance(run, Mapping) else []


#: The plan's known keys, in the order they are shown, each with how its value becomes lines.
_PLAN_KEYS: dict[str, Callable[[Any], list[str]]] = {
    "when": _text_line("When"),
    "running": _text_line("Running"),
    "activity": _text_line("Activity"),
    "professionals": _joined_line("Who", ", "),
    "bring": _joined_line("Bring", "; "),
    "warm_up": _text_line("Warm-up"),
    "before": lambda names: ["Before: " + _routines(names)] if names else [],
    "run": _run_value,
    "options": lambda options: [_option_line(o) for o in options],
    "after": lambda names: ["After: " + _routines(names)],
    "after_note": _text_line("Note"),
    "form_emphasis": _emphasis_lines,
    "recheck": lambda day: [f"Check again: {day} (hipstride today)"],
}


def plan_lines(plan: Mapping[str, Any]) -> list[str]:
    """The plan in plain lines: the known keys in a set order, anything else after them."""
    lines: list[str] = []
    for key, render in _PLAN_KEYS.items():
        if key in plan:
            lines += render(plan[key])
    lines += [f"{key}: {value}" for key, value in plan.items()
              if key not in _PLAN_KEYS and key != "decision"]
    return lines


# ---------------------------------------------------------------------------------------------
# the decision


def _banner(decision: Decision) -> Panel:
    words = DECISION_WORDS.get(decision.decision, decision.decision.upper())
    head = Text(f"  {words}  ", style=DECISION_STYLE.get(decision.decision, "bold"))
    if decision.urgent:
        head.append("\n\nURGENT: stop running and get medical advice today.", style="bold red")
    return Panel(head, title=f"Today, {decision.date.isoformat()}", expand=False,
                 border_style="red" if decision.urgent else "white", padding=(1, 2))


def _reason_lines(reason: Reason) -> list[Text]:
    line = Text("• ")
    line.append(f"[{reason.rule}] ", style="bold red" if reason.urgent else "bold")
    line.append(reason.text)
    lines = [line]
    if reason.evidence:
        lines.append(Text(f"  evidence: {reason.evidence}", style="dim"))
    return lines


def _plan_text(line: str) -> Text:
    if _COMMAND_MARK in line:
        return Text(line, no_wrap=True, overflow="ignore")
    return Text(line)


def decision_view(decision: Decision) -> Group:
    """The day's decision: a banner, why (every reason with its evidence), the plan and the
    disclaimer. Print it with ``crop=False`` (see the module docstring)."""
    parts: list[Panel | Text] = [_banner(decision), Text("Why", style="bold")]
    for reason in decision.reasons:
        parts += _reason_lines(reason)
    parts.append(Text("\nPlan", style="bold"))
    parts += [_plan_text(line) for line in plan_lines(decision.plan)]
    if decision.cross_training_days:
        days = ", ".join(d.isoformat() for d in decision.cross_training_days)
        parts.append(Text(f"\nCross-training days recently (no run that day; not counted as "
                          f"running load): {days}"))
    parts.append(Text("\n" + DISCLAIMER, style="italic"))
    return Group(*parts)


# ---------------------------------------------------------------------------------------------
# the journal


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _journal_row(entry: JournalEntry) -> list[Text]:
    pain = " / ".join(_num(p) for p in (entry.pain_during, entry.pain_after, entry.pain_morning))
    where = ", ".join(entry.where) or "-"
    if entry.side:
        where = f"{where} ({entry.side})"
    notes = "; ".join(f"{label}: {text}" for label, text in
                      (("better", entry.better), ("worse", entry.worse)) if text)
    cells = [entry.date.isoformat(), pain, _num(entry.morning_stiffness_min), where, notes,
             ", ".join(entry.flags), "-" if entry.run_id is None else str(entry.run_id)]
    return [Text(cell) for cell in cells]  # the runner's own text: never read as markup


def journal_table(entries: Iterable[JournalEntry]) -> Table:
    """The journal as a table, one row per entry; rows with red flags in bold red."""
    table = Table(caption="pain 0–10 during / after the run / in the morning; stiffness in min")
    table.add_column("date", no_wrap=True)
    table.add_column("pain", no_wrap=True)
    table.add_column("stiff.", justify="right")
    table.add_column("where", ratio=2, overflow="fold")
    table.add_column("notes", ratio=3, overflow="fold")
    table.add_column("red flags", ratio=2, overflow="fold")
    table.add_column("run", justify="right")
    for entry in entries:
        table.add_row(*_journal_row(entry), style="bold red" if entry.flags else None)
    return table
