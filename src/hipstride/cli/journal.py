"""``hipstride journal``, ``hipstride today`` and ``hipstride report clinician``.

The commands only parse arguments, ask questions and call :mod:`hipstride.journal`; heavier
modules are imported inside each command so that ``hipstride --help`` stays fast. Every command
takes ``--home DIR`` (the journal lives in the run library, ``HOME/library.sqlite``).
"""

from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from hipstride.cli._common import HOME_OPTION, JSON_OPTION, OUT_PATH, dump_json, open_store
from hipstride.errors import InputError
from hipstride.journal.decision import FLAGS, SIDES, SITES

if TYPE_CHECKING:
    from rich.console import Console

    from hipstride.journal.decision import Decision, JournalEntry
    from hipstride.library.sqlite import SQLiteStore
    from hipstride.report.pdf import PdfEngine

__all__ = ["COMMANDS", "DISCLAIMER", "FLAG_QUESTIONS", "journal", "report", "today"]


#: The red-flag checklist, asked in plain words (one yes/no question per flag).
FLAG_QUESTIONS: dict[str, str] = {
    "night-pain": "Does the pain wake you up at night?",
    "rest-pain": "Does it hurt while you are resting, not only when you move?",
    "cannot-bear-weight": "Is it hard or impossible to stand or walk on that leg?",
    "fever": "Do you have a fever, or feel generally unwell?",
    "earlier-each-run": "Does groin or hip pain come on earlier in each run?",
    "numbness": "Any numbness, tingling or weakness in the leg?",
    "fall": "Did you fall, or hurt the hip in an accident?",
    "weight-loss": "Have you lost weight without trying to?",
    "cancer-history": "Have you ever had cancer?",
    "under-16-limp": "Is this entry for someone under 16 who has started to limp?",
}
DISCLAIMER = (
    "hipstride is educational: it supports your decisions and does not diagnose. Any red flag "
    "(night or rest pain, not being able to bear weight, fever, numbness, pain that comes on "
    "earlier in each run, a fall) means: stop running and see a professional now.")
_NOT_A_DIAGNOSIS = "hipstride supports decisions; it does not diagnose."
#: How each field is named in messages when it came from an option.
_OPTION_NAMES = {"date": "--date", "pain_during": "--pain-during", "pain_after": "--pain-after",
                 "pain_morning": "--pain-morning",
                 "morning_stiffness_min": "--morning-stiffness-min", "where": "--where",
                 "side": "--side", "better": "--better", "worse": "--worse", "flags": "--flag",
                 "run_id": "--run-id"}
_DECISION_STYLE = {"run": "bold white on green", "modify": "bold black on yellow",
                   "cross-train": "bold white on dark_cyan", "rest": "bold white on blue",
                   "see-professional": "bold white on red"}
_DECISION_WORDS = {"run": "RUN", "modify": "RUN, BUT MODIFIED", "cross-train": "CROSS-TRAIN",
                   "rest": "REST", "see-professional": "SEE A PROFESSIONAL"}


def _day(value: str | None, option: str) -> date | None:
    from hipstride.journal.store import parse_date

    return None if value is None else parse_date(value, field=option)


# ---------------------------------------------------------------------------------------------
# journal add: questions


def _checked(field: str, raw: str, day: date) -> Any:
    """The value of one answer, checked like an option (a bad answer asks again)."""
    from hipstride.journal.store import entry_from_mapping

    try:
        entry = entry_from_mapping({field: raw}, today=day)
    except InputError as exc:
        raise click.UsageError(str(exc).split(": ", 1)[-1]) from None
    return entry.where if field == "where" else getattr(entry, field)


def _ask(field: str, question: str, day: date) -> Any:
    return click.prompt(question, default="", show_default=False, err=True,
                        value_proc=lambda raw: _checked(field, raw, day))


def _ask_run(store: SQLiteStore, day: date) -> int | None:
    runs = [r for r in store.list_runs() if r.start_time_utc is not None
            and not r.time_is_relative and r.start_time_utc.astimezone(UTC).date() == day]
    if not runs:
        return None
    listed = ", ".join(f"{r.id} ({r.sport}, {(r.distance_m or 0) / 1000:.1f} km)" for r in runs)
    click.echo(f"Activities that day: {listed}", err=True)
    ids = {r.id for r in runs}

    def check(raw: str) -> int | None:
        if not raw.strip():
            return None
        if not raw.strip().isdigit() or int(raw) not in ids:
            raise click.UsageError(f"give one of {', '.join(map(str, sorted(ids)))} or press Enter")
        return int(raw)

    result: int | None = click.prompt("Which run is this entry about? (Enter for none)",
                                      default="", show_default=False, value_proc=check,
                                      err=True)
    return result


def _interview(store: SQLiteStore, day: date | None) -> dict[str, Any]:
    """Ask for an entry, one question at a time (a bad answer is asked again); the questions go
    to stderr so that stdout holds only the result."""
    today_ = date.today()
    if day is None:
        day = click.prompt("Date (YYYY-MM-DD)", default=today_.isoformat(), err=True,
                           value_proc=lambda raw: _checked("date", raw, today_))
    assert day is not None
    data: dict[str, Any] = {"date": day}
    data["pain_during"] = _ask("pain_during", "Pain during your run, 0 (none) to 10 (worst) "
                               "(Enter to skip if you did not run)", day)
    data["pain_after"] = _ask("pain_after", "Pain after the run, 0–10 (Enter to skip)", day)
    data["pain_morning"] = _ask("pain_morning", "Pain when you got up this morning, 0–10 "
                                "(Enter to skip)", day)
    data["morning_stiffness_min"] = _ask("morning_stiffness_min", "Minutes of stiffness after "
                                         "getting up (Enter to skip)", day)
    data["where"] = _ask("where", f"Where does it hurt? {', '.join(SITES)} (separate with "
                         "commas; Enter for nowhere)", day)
    data["side"] = _ask("side", f"Which side? {', '.join(SIDES)} (Enter to skip)", day)
    data["better"] = _ask("better", "What made it better? (Enter to skip)", day)
    data["worse"] = _ask("worse", "What made it worse? (Enter to skip)", day)
    click.echo("A few safety questions (y or n):", err=True)
    data["flags"] = [flag for flag in FLAGS
                     if click.confirm("  " + FLAG_QUESTIONS[flag], default=False, err=True)]
    data["run_id"] = _ask_run(store, day)
    return data


def _entry_from_input(store: SQLiteStore, entry_json: str | None,
                      options: dict[str, Any]) -> JournalEntry:
    from hipstride.journal.store import entry_from_mapping

    given = {k: v for k, v in options.items() if v not in (None, ())}
    if entry_json is not None:
        if given:
            raise InputError(f"--entry: give the whole entry as JSON or as options, not both "
                             f"(also got {_OPTION_NAMES[next(iter(given))]})")
        try:
            data = json.loads(entry_json)
        except json.JSONDecodeError as exc:
            raise InputError(f"--entry: not valid JSON ({exc.msg} at character {exc.pos})") \
                from None
        return entry_from_mapping(data)
    if set(given) - {"date"}:
        if "where" in given:
            given["where"] = ",".join(given["where"])
        if "flags" in given:
            given["flags"] = list(given["flags"])
        return entry_from_mapping(given, label=lambda f: _OPTION_NAMES.get(f, f))
    day = _day(given.get("date"), "--date")
    return entry_from_mapping(_interview(store, day), label=lambda f: _OPTION_NAMES.get(f, f))


@click.group()
def journal() -> None:
    """Your pain journal: how the hip felt, where, and any warning signs."""


@journal.command("add")
@click.option("--date", "day", help="Day of the entry, YYYY-MM-DD (default: today).")
@click.option("--pain-during", help="Pain during the run, 0 (none) to 10 (worst).")
@click.option("--pain-after", help="Pain after the run, 0–10.")
@click.option("--pain-morning", help="Pain on getting up this morning, 0–10.")
@click.option("--morning-stiffness-min", help="Minutes of stiffness after getting up.")
@click.option("--where", multiple=True,
              help=f"Where it hurts (repeat, or separate with commas): {', '.join(SITES)}.")
@click.option("--side", help=f"Which side: {', '.join(SIDES)}.")
@click.option("--better", help="What made it better.")
@click.option("--worse", help="What made it worse.")
@click.option("--flag", "flags", multiple=True,
              help=f"A warning sign you have (repeat): {', '.join(FLAGS)}.")
@click.option("--run-id", help="The stored run this entry is about (see `hipstride runs`).")
@click.option("--entry", "entry_json",
              help='The whole entry as JSON, e.g. \'{"date": "2026-05-01", "pain_during": 3, '
                   '"where": ["hip"], "side": "left", "flags": []}\'.')
@HOME_OPTION
@JSON_OPTION
def add(day: str | None, pain_during: str | None, pain_after: str | None,
        pain_morning: str | None, morning_stiffness_min: str | None, where: tuple[str, ...],
        side: str | None, better: str | None, worse: str | None, flags: tuple[str, ...],
        run_id: str | None, entry_json: str | None, home: Path | None, as_json: bool) -> None:
    """Add the journal entry of a day (one per day: adding again replaces it).

    With no entry options, asks each question in turn, the red-flag checklist included. Any red
    flag is reported at once: it needs medical review now.
    """
    from hipstride.journal.store import add_entry, entry_to_dict, red_flag_warning

    options = {"date": day, "pain_during": pain_during, "pain_after": pain_after,
               "pain_morning": pain_morning, "morning_stiffness_min": morning_stiffness_min,
               "where": where, "side": side, "better": better, "worse": worse, "flags": flags,
               "run_id": run_id}
    with open_store(home) as store:
        entry = _entry_from_input(store, entry_json, options)
        replaced = add_entry(store, entry)
    warning = red_flag_warning(entry)
    if as_json:
        dump_json({"entry": entry_to_dict(entry), "replaced": replaced,
               "medical_review_now": warning})
    else:
        click.echo(f"{'Replaced' if replaced else 'Saved'} the journal entry for "
                   f"{entry.date.isoformat()}.")
    if warning is not None:
        click.secho("\n!! MEDICAL REVIEW NEEDED NOW !!", fg="red", bold=True, err=as_json)
        click.secho(warning, fg="red", err=as_json)
        click.echo(f"Stop running until you have been seen. {_NOT_A_DIAGNOSIS}", err=as_json)


@journal.command("list")
@click.option("--since", help="Only entries from this day on, YYYY-MM-DD.")
@click.option("--until", help="Only entries up to this day, YYYY-MM-DD.")
@HOME_OPTION
@JSON_OPTION
def list_cmd(since: str | None, until: str | None, home: Path | None, as_json: bool) -> None:
    """List journal entries, oldest first (JSON in the shape `journal add --entry` takes)."""
    from hipstride.journal.store import entry_to_dict, list_entries

    first, last = _day(since, "--since"), _day(until, "--until")
    with open_store(home) as store:
        entries = list_entries(store, since=first, until=last)
    if as_json:
        dump_json([entry_to_dict(e) for e in entries])
        return
    if not entries:
        click.echo("No journal entries" + (f" since {first.isoformat()}" if first else "")
                   + ". Add one with `hipstride journal add`.")
        return
    from rich.console import Console
    from rich.table import Table

    def num(value: float | None) -> str:
        return "-" if value is None else f"{value:g}"

    table = Table(caption="pain 0–10 during / after the run / in the morning; stiffness in min")
    table.add_column("date", no_wrap=True)
    table.add_column("pain", no_wrap=True)
    table.add_column("stiff.", justify="right")
    table.add_column("where", ratio=2, overflow="fold")
    table.add_column("notes", ratio=3, overflow="fold")
    table.add_column("red flags", ratio=2, overflow="fold")
    table.add_column("run", justify="right")
    for e in entries:
        pain = " / ".join(num(p) for p in (e.pain_during, e.pain_after, e.pain_morning))
        where = ", ".join(e.where) or "-"
        if e.side:
            where = f"{where} ({e.side})"
        notes = "; ".join(f"{label}: {text}" for label, text in
                          (("better", e.better), ("worse", e.worse)) if text)
        table.add_row(e.date.isoformat(), pain, num(e.morning_stiffness_min), where, notes,
                      ", ".join(e.flags), "-" if e.run_id is None else str(e.run_id),
                      style="bold red" if e.flags else None)
    Console(highlight=False).print(table, markup=False)


# ---------------------------------------------------------------------------------------------
# today


def _plan_lines(plan: dict[str, Any]) -> list[str]:
    """The plan in plain lines (known keys in a set order, anything else after them)."""
    lines: list[str] = []

    def routines(names: list[str]) -> str:
        return ", ".join(f"{n} (hipstride routine guide {n})" for n in names)

    labels = {"when": "When", "running": "Running", "activity": "Activity"}
    for key, label in labels.items():
        if key in plan:
            lines.append(f"{label}: {plan[key]}")
    if "professionals" in plan:
        lines.append("Who: " + ", ".join(plan["professionals"]))
    if "bring" in plan:
        lines.append("Bring: " + "; ".join(plan["bring"]))
    if "before" in plan:
        lines.append("Before: " + routines(plan["before"]))
    run = plan.get("run")
    if isinstance(run, dict):
        lines.append("Run: " + str(run.get("text") or run.get("effort", "")))
        if run.get("text") and run.get("effort"):
            lines.append(f"  effort: {run['effort']}")
        if run.get("route_profile"):
            lines.append(f"  route: {run['route_profile']}")
        if run.get("route_command"):
            lines.append(f"  plan the route: {run['route_command']}")
        if run.get("cadence_text"):
            lines.append(f"  step rate: {run['cadence_text']}")
    for option in plan.get("options", []):
        low, high = option.get("duration_min", ["?", "?"])
        lines.append(f"Option: {option.get('activity')}, {low}–{high} min ({option.get('note', '')})")
    if "after" in plan:
        lines.append("After: " + routines(plan["after"]))
    if "recheck" in plan:
        lines.append(f"Check again: {plan['recheck']} (hipstride today)")
    known = {"decision", "when", "running", "activity", "professionals", "bring", "before", "run",
             "options", "after", "recheck"}
    lines += [f"{key}: {value}" for key, value in plan.items() if key not in known]
    return lines


def _show_decision(console: Console, day: date, decision: Decision) -> None:
    from rich.panel import Panel
    from rich.text import Text

    words = _DECISION_WORDS.get(decision.decision, decision.decision.upper())
    head = Text(f"  {words}  ", style=_DECISION_STYLE.get(decision.decision, "bold"))
    if decision.urgent:
        head.append("\n\nURGENT: stop running and get medical advice today.",
                    style="bold red")
    console.print(Panel(head, title=f"Today, {day.isoformat()}", expand=False,
                        border_style="red" if decision.urgent else "white", padding=(1, 2)))
    console.print(Text("Why", style="bold"))
    for reason in decision.reasons:
        line = Text("• ")
        line.append(f"[{reason.rule}] ", style="bold red" if reason.urgent else "bold")
        line.append(reason.text)
        console.print(line)
        if reason.evidence:
            console.print(Text(f"  evidence: {reason.evidence}", style="dim"))
    console.print(Text("\nPlan", style="bold"))
    for plan_line in _plan_lines(decision.plan):
        # a command stays on one line, so that it can be copied
        console.print(Text(plan_line), soft_wrap="hipstride route" in plan_line)
    console.print(Text("\n" + DISCLAIMER, style="italic"))


@click.command("today")
@click.option("--date", "day", help="Decide for this day, YYYY-MM-DD (default: today).")
@HOME_OPTION
@JSON_OPTION
def today(day: str | None, home: Path | None, as_json: bool) -> None:
    """Should you run today, and how? A decision with its reasons and a plan.

    Made from your pain journal, your weekly load, your recent runs' hip load and your own step
    rate: run, modify, cross-train, rest or see a professional.
    """
    from hipstride.journal.today import decide_today, today_document

    when = _day(day, "--date") or date.today()
    with open_store(home) as store:
        decision = decide_today(store, when)
    if as_json:
        dump_json(today_document(when, decision))
        return
    from rich.console import Console

    _show_decision(Console(highlight=False), when, decision)


# ---------------------------------------------------------------------------------------------
# report clinician


@click.group("report")
def report() -> None:
    """Reports to share (with a physiotherapist or sports physician)."""


@report.command("clinician")
@click.option("--weeks", type=click.IntRange(min=1, max=520), default=12, show_default=True,
              help="ISO weeks covered, ending with the week of --until.")
@click.option("--until", help="Last day covered, YYYY-MM-DD (default: today).")
@click.option("--html", "html_out", type=OUT_PATH, required=True,
              help="Write the self-contained HTML page here.")
@click.option("--pdf", "pdf_out", type=OUT_PATH, help="Also write a PDF here (WeasyPrint or Chromium).")
@click.option("--pdf-engine", type=click.Choice(["auto", "weasyprint", "chromium"]),
              default="auto", show_default=True, help="Which PDF engine to use.")
@HOME_OPTION
def clinician(weeks: int, until: str | None, html_out: Path, pdf_out: Path | None,
              pdf_engine: str, home: Path | None) -> None:
    """One page for a clinician: red flags, pain trend, load, form, hip load and the journal.

    Works offline (nothing is loaded from the internet) and prints well. It is educational and
    not a diagnosis.
    """
    from hipstride.report.clinician_page import render_clinician_html, write_clinician_html
    from hipstride.report.pdf import write_pdf

    last = _day(until, "--until") or date.today()
    with open_store(home) as store:
        html = render_clinician_html(store, until=last, weeks=weeks)
    write_clinician_html(html, html_out)
    click.echo(f"wrote {html_out}", err=True)
    if pdf_out is not None:
        try:
            engine = write_pdf(html_out, pdf_out, engine=cast("PdfEngine", pdf_engine))
        except InputError as exc:
            raise InputError(f"--pdf: {exc}") from exc
        click.echo(f"wrote {pdf_out} (with {engine})", err=True)


COMMANDS: list[click.Command] = [journal, today, report]
