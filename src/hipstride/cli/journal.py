"""``hipstride journal``, ``hipstride today`` and ``hipstride report clinician``.

The commands only parse arguments, ask questions, call :mod:`hipstride.journal` and hand the
result to a renderer (:mod:`hipstride.report.journal_terminal`); the options and questions of
``journal add`` follow the fields of :class:`~hipstride.journal.entry.JournalEntry`. Heavier
modules are imported inside each command so that ``hipstride --help`` stays fast. Every command
takes ``--home DIR`` (the journal lives in the run library, ``HOME/library.sqlite``).
"""

from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from hipstride.cli._common import JSON_OPTION, LIBRARY_OPTIONS, OUT_PATH, dump_json, open_store
from hipstride.errors import InputError
from hipstride.journal.entry import FIELDS, FLAG_TABLE, FLAGS, SIDES, SITES

if TYPE_CHECKING:
    from collections.abc import Callable

    from hipstride.journal.entry import JournalEntry
    from hipstride.library.store import RunStore
    from hipstride.report.pdf import PdfEngine

__all__ = ["COMMANDS", "journal", "report", "today"]

_NOT_A_DIAGNOSIS = "hipstride supports decisions; it does not diagnose."
#: Entry fields given as a repeated option.
_MULTIPLE = ("where", "flags", "seen")
#: How each entry field is named as an option (and in messages about it): ``--`` and the field
#: name with dashes, except the repeated ``--flag``.
_OPTION_NAMES = {name: "--flag" if name == "flags" else "--" + name.replace("_", "-")
                 for name in FIELDS}
#: The help of each entry field's option (one per field of the entry; a missing one fails at
#: import).
_OPTION_HELP = {
    "date": "Day of the entry, YYYY-MM-DD (default: today).",
    "pain_during": "Pain during the run, 0 (none) to 10 (worst).",
    "pain_after": "Pain after the run, 0–10.",
    "pain_morning": "Pain on getting up this morning, 0–10.",
    "morning_stiffness_min": "Minutes of stiffness after getting up.",
    "where": f"Where it hurts (repeat, or separate with commas): {', '.join(SITES)}.",
    "side": f"Which side: {', '.join(SIDES)}.",
    "better": "What made it better.",
    "worse": "What made it worse.",
    "flags": f"A warning sign you have (repeat): {', '.join(FLAGS)}.",
    "seen": "A warning sign a professional checked on this day (repeat; clears it).",
    "run_id": "The stored run this entry is about (see `hipstride runs`).",
}


#: The question for each entry field asked as free text (the date, red flags and run are asked
#: their own way), in the entry's field order.
_QUESTIONS = {
    "pain_during": "Pain during your run, 0 (none) to 10 (worst) (Enter to skip if you did not run)",
    "pain_after": "Pain after the run, 0–10 (Enter to skip)",
    "pain_morning": "Pain when you got up this morning, 0–10 (Enter to skip)",
    "morning_stiffness_min": "Minutes of stiffness after getting up (Enter to skip)",
    "where": f"Where does it hurt? {', '.join(SITES)} (separate with commas; Enter for nowhere)",
    "side": f"Which side? {', '.join(SIDES)} (Enter to skip)",
    "better": "What made it better? (Enter to skip)",
    "worse": "What made it worse? (Enter to skip)",
}


def _entry_options(command: Callable[..., None], *, skip: tuple[str, ...] = ()) -> Callable[..., None]:
    """One option per field of the journal entry (but ``skip``), in the entry's field order."""
    for name in reversed([f for f in FIELDS if f not in skip]):
        command = click.option(_OPTION_NAMES[name], name, multiple=name in _MULTIPLE,
                               help=_OPTION_HELP[name])(command)
    return command


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


def _ask_run(store: RunStore, day: date) -> int | None:
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


def _interview(store: RunStore, day: date | None) -> dict[str, Any]:
    """Ask for an entry, one question at a time (a bad answer is asked again); the questions go
    to stderr so that stdout holds only the result."""
    today_ = date.today()
    if day is None:
        day = click.prompt("Date (YYYY-MM-DD)", default=today_.isoformat(), err=True,
                           value_proc=lambda raw: _checked("date", raw, today_))
    assert day is not None
    data: dict[str, Any] = {"date": day}
    for name in FIELDS:
        if name in _QUESTIONS:
            data[name] = _ask(name, _QUESTIONS[name], day)
        elif name == "flags":
            click.echo("A few safety questions (y or n):", err=True)
            data[name] = [flag.name for flag in FLAG_TABLE
                          if click.confirm("  " + flag.question, default=False, err=True)]
        elif name == "run_id":
            data[name] = _ask_run(store, day)
    return data


def _entry_from_input(store: RunStore, entry_json: str | None,
                      options: dict[str, Any]) -> tuple[JournalEntry, set[str]]:
    """The entry and the names of the fields it gives (from JSON, options or questions)."""
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
        except RecursionError:  # thousands of nested brackets: no entry is shaped like that
            raise InputError("--entry: the JSON is nested too deeply for an entry") from None
        return entry_from_mapping(data), set(data) if isinstance(data, dict) else set()
    if set(given) - {"date"}:
        if "where" in given:
            given["where"] = ",".join(given["where"])
        for name in ("flags", "seen"):
            if name in given:
                given[name] = list(given[name])
        return entry_from_mapping(given, label=lambda f: _OPTION_NAMES.get(f, f)), set(given)
    day = _day(given.get("date"), "--date")
    answers = _interview(store, day)
    entry = entry_from_mapping(answers, label=lambda f: _OPTION_NAMES.get(f, f))
    return entry, {name for name, value in answers.items() if value not in (None, [], "")}


@click.group()
def journal() -> None:
    """Your pain journal: how the hip felt, where, and any warning signs."""


@journal.command("add")
@_entry_options
@click.option("--entry", "entry_json",
              help='The whole entry as JSON, e.g. \'{"date": "2026-05-01", "pain_during": 3, '
                   '"where": ["hip"], "side": "left", "flags": []}\'.')
@click.option("--replace", is_flag=True,
              help="Replace the day's whole entry instead of adding to it.")
@LIBRARY_OPTIONS
@JSON_OPTION
def add(entry_json: str | None, replace: bool, home: Path | None, as_json: bool,
        **options: Any) -> None:
    """Add to the journal entry of a day (one per day).

    A second add for the same day sets the fields it gives and keeps the rest (sites and flags
    are added to); --replace replaces the whole day. With no entry options, asks each question
    in turn, the red-flag checklist included. Any red flag is reported at once.
    """
    from hipstride.journal.store import add_entry, entry_to_dict, merge_entry, red_flag_warning

    with open_store(home) as store:
        entry, fields = _entry_from_input(store, entry_json,
                                          {name: options[name] for name in FIELDS})
        if replace and fields - {"date"}:
            outcome = "replaced" if add_entry(store, entry) else "saved"
            stored: JournalEntry | None = entry
        else:
            stored, outcome = merge_entry(store, entry, fields)
    day = entry.date.isoformat()
    warning = red_flag_warning(entry)
    if as_json:
        dump_json({"entry": None if stored is None else entry_to_dict(stored),
                   "replaced": outcome == "replaced", "merged": outcome == "merged",
                   "changed": outcome != "unchanged", "medical_review_now": warning})
    else:
        click.echo({"saved": f"Saved the journal entry for {day}.",
                    "replaced": f"Replaced the journal entry for {day}.",
                    "merged": f"Added to the journal entry for {day}.",
                    "unchanged": f"Nothing changed for {day}: the entry gives nothing new "
                                 "besides the date."}[outcome])
    if warning is not None:
        click.secho("\n!! MEDICAL REVIEW NEEDED NOW !!", fg="red", bold=True, err=as_json)
        click.secho(warning, fg="red", err=as_json)
        click.echo(f"Stop running until you have been seen. {_NOT_A_DIAGNOSIS}", err=as_json)


@journal.command("list")
@click.option("--since", help="Only entries from this day on, YYYY-MM-DD.")
@click.option("--until", help="Only entries up to this day, YYYY-MM-DD.")
@LIBRARY_OPTIONS
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

    from hipstride.report.journal_terminal import journal_table

    Console(highlight=False).print(journal_table(entries))


def _edit_options(command: Callable[..., None]) -> Callable[..., None]:
    return _entry_options(command, skip=("date",))


@journal.command("edit")
@click.argument("day", metavar="DATE")
@_edit_options
@LIBRARY_OPTIONS
@JSON_OPTION
def edit(day: str, home: Path | None, as_json: bool, **options: Any) -> None:
    """Correct the entry of DATE (YYYY-MM-DD): the fields given replace the stored ones (an empty
    value, e.g. --pain-during '', clears one; a repeated option replaces the whole list)."""
    from hipstride.journal.store import edit_entry, entry_from_mapping, entry_to_dict

    date_ = _day(day, "DATE")
    assert date_ is not None
    given = {k: v for k, v in options.items() if v is not None and not (k in _MULTIPLE and v == ())}
    for name in _MULTIPLE:
        if name in given:
            given[name] = ",".join(given[name])  # text: '' clears the list
    entry = entry_from_mapping({**given, "date": date_},
                               label=lambda f: _OPTION_NAMES.get(f, f))
    with open_store(home) as store:
        stored, changed = edit_entry(store, entry, set(given))
    if as_json:
        dump_json({"entry": entry_to_dict(stored), "changed": changed})
    elif changed:
        click.echo(f"Edited the journal entry for {date_.isoformat()}.")
    else:
        click.echo(f"Nothing changed for {date_.isoformat()}: give the fields to correct, e.g. "
                   "--pain-morning 2.")


@journal.command("delete")
@click.argument("day", metavar="DATE")
@LIBRARY_OPTIONS
def delete(day: str, home: Path | None) -> None:
    """Remove the whole entry of DATE (YYYY-MM-DD)."""
    from hipstride.journal.store import delete_entry

    date_ = _day(day, "DATE")
    assert date_ is not None
    with open_store(home) as store:
        delete_entry(store, date_)
    click.echo(f"Deleted the journal entry for {date_.isoformat()}.")


# ---------------------------------------------------------------------------------------------
# today


@click.command("today")
@click.option("--date", "day", help="Decide for this day, YYYY-MM-DD (default: today).")
@LIBRARY_OPTIONS
@JSON_OPTION
def today(day: str | None, home: Path | None, as_json: bool) -> None:
    """Should you run today, and how? A decision with its reasons and a plan.

    Made from your pain journal, your weekly load, your recent runs' hip load and your own step
    rate: run, modify, cross-train, rest or see a professional.
    """
    from hipstride.journal.today import decide_today

    with open_store(home) as store:
        decision = decide_today(store, today=_day(day, "--date"))
    if as_json:
        dump_json(decision.to_dict())
        return
    from rich.console import Console

    from hipstride.report.journal_terminal import decision_view

    # crop=False: a plan line holding a command stays whole, so that it can be copied
    Console(highlight=False).print(decision_view(decision), crop=False)


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
@LIBRARY_OPTIONS
def clinician(weeks: int, until: str | None, html_out: Path, pdf_out: Path | None,
              pdf_engine: str, home: Path | None) -> None:
    """A report for a clinician: a first page that stands alone (what hurts where and since when,
    trends, today's decision and why, red flags, load, form), then the details.

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
