"""The pain journal in the run library: reading entries from people and files, storing them.

Entries live in the run library database (table ``journal_entries``, migration
``0004_journal.sql``), one per calendar day: :func:`add_entry` stores a whole day (replacing one
of the same date), :func:`merge_entry` adds the fields a later part of the day gives,
:func:`edit_entry` corrects the fields it names (lists replaced, not added to) of a day already
logged, and :func:`delete_entry` removes a day, each in one transaction. An entry may point at a stored run (``run_id``); removing the run
keeps the entry and clears the link.

Input arrives as a mapping with the fields of :data:`~hipstride.journal.entry.FIELDS` (the
fields of :class:`~hipstride.journal.entry.JournalEntry`: ``hipstride journal add`` JSON, the
command's options, or its questions) and is checked by :func:`entry_from_mapping`, which
raises a one-line :class:`~hipstride.errors.InputError` naming the field at fault. The field names
are those of the JSON form::

    {"date": "2026-05-01", "pain_during": 3, "pain_after": 4, "pain_morning": 1,
     "morning_stiffness_min": 10, "where": ["hip"], "side": "left", "better": "ice",
     "worse": "hills", "flags": [], "seen": [], "run_id": 12}

``seen`` names the warning signs a professional checked that day; the library keeps them in the
entry's flag column as ``seen:NAME`` (the journal owns the flag names, the library stores them
as given), so no migration is needed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import Any, Literal

from hipstride._json import utf8_text
from hipstride._privacy import printable
from hipstride.errors import InputError
from hipstride.journal.decision import decide
from hipstride.journal.entry import FIELDS, FLAGS, MAX_STIFFNESS_MIN, SIDES, SITES, JournalEntry
from hipstride.library.store import JournalRecord, RunStore

#: How a flag recorded as seen by a professional is kept among the stored flag names.
SEEN_PREFIX = "seen:"

__all__ = [
    "EARLIEST_DATE",
    "FIELDS",
    "MAX_TEXT_CHARS",
    "add_entry",
    "delete_entry",
    "edit_entry",
    "entry_from_mapping",
    "entry_to_dict",
    "list_entries",
    "parse_date",
    "red_flag_warning",
]

#: The earliest day a journal date may name (the dates of recordings start at the GPS epoch, 1980).
EARLIEST_DATE = date(1980, 1, 1)
_MAX_RUN_ID = 2**63 - 1
#: Longest free text kept for "better" and "worse".
MAX_TEXT_CHARS = 2000

Label = Callable[[str], str]


def _same(name: str) -> str:
    return name


def parse_date(value: object, *, field: str = "date") -> date:
    """A calendar date from ``YYYY-MM-DD`` text (or a :class:`datetime.date`).

    Raises
    ------
    InputError
        Naming ``field`` when the value is not such a date.
    """
    day: date | None = value if isinstance(value, date) else None
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        raise InputError(f"{field}: expected a date as YYYY-MM-DD, got {value!r}")
    if day < EARLIEST_DATE:  # weeks and windows before it would run below year 1
        raise InputError(f"{field}: {day.isoformat()} is before {EARLIEST_DATE.isoformat()}")
    return day


def _number(value: object, field: str, lo: float, hi: float, unit: str = "") -> float | None:
    """A number from ``lo`` to ``hi`` (text from an option is parsed), or ``None`` when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or not lo <= number <= hi:
        raise InputError(f"{field}: must be a number from {lo:g} to {hi:g}{unit}, got {value!r}")
    return int(number) if number.is_integer() else number


def _names(value: object, field: str, allowed: tuple[str, ...], what: str) -> list[str]:
    """A list of names from ``allowed`` (a list, or comma-separated text); duplicates dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        items: list[object] = [v for v in value.split(",") if v.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise InputError(f"{field}: expected a list of {what}s, got {value!r}")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise InputError(f"{field}: expected {what} names as text, got {item!r}")
        name = "-".join(item.strip().lower().replace("_", "-").split())
        if name not in allowed:
            raise InputError(f"{field}: unknown {what} {item!r}; use one of: {', '.join(allowed)}")
        if name not in out:
            out.append(name)
    return out


def _text(value: object, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{field}: expected text, got {value!r}")
    # a lone surrogate (bytes that were not UTF-8) becomes U+FFFD; control characters (NUL,
    # escape) are dropped here, at the store, so no view or page ever meets them
    text = printable(utf8_text(value)).strip()
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"{field}: at most {MAX_TEXT_CHARS} characters, got {len(text)}")
    return text or None


def _side(value: object, field: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or value.strip().lower() not in SIDES:
        raise InputError(f"{field}: must be one of {', '.join(SIDES)}, got {value!r}")
    return value.strip().lower()


def _run_id(value: object, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 1 <= number <= _MAX_RUN_ID:  # SQLite ids are 64-bit
        raise InputError(f"{field}: must be a run id (a whole number from 1), got {value!r}")
    return number


def entry_from_mapping(data: Mapping[str, Any], *, today: date | None = None,
                       label: Label = _same) -> JournalEntry:
    """Check one entry given as a mapping of :data:`FIELDS` and build a :class:`JournalEntry`.

    Parameters
    ----------
    data
        The fields; ``date`` defaults to ``today``, every other field may be missing or ``None``.
        Pain scores are 0–10, ``morning_stiffness_min`` minutes (0–1440), ``where`` and ``flags``
        lists (or comma-separated text) of the names in :data:`hipstride.journal.entry.SITES` and
        :data:`~hipstride.journal.entry.FLAGS`.
    today
        The local date used when ``date`` is missing; a date after it is refused (default: the
        computer's date).
    label
        How a field is named in messages (a caller may name its own inputs, such as options).

    Raises
    ------
    InputError
        One line naming the first field at fault; an unknown field is refused too.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"entry: expected a JSON object with the fields {', '.join(FIELDS)}")
    unknown = [k for k in data if k not in FIELDS]
    if unknown:
        raise InputError(f"{unknown[0]}: unknown field; the fields are: {', '.join(FIELDS)}")
    today = today or date.today()
    raw_date = data.get("date")
    day = today if raw_date is None else parse_date(raw_date, field=label("date"))
    if day > today:
        raise InputError(f"{label('date')}: {day.isoformat()} is in the future "
                         f"(today is {today.isoformat()})")
    pains = {name: _number(data.get(name), label(name), 0, 10)
             for name in ("pain_during", "pain_after", "pain_morning")}
    stiffness = _number(data.get("morning_stiffness_min"), label("morning_stiffness_min"), 0,
                        MAX_STIFFNESS_MIN, " minutes")
    try:
        return JournalEntry(
            date=day, pain_during=pains["pain_during"], pain_after=pains["pain_after"],
            pain_morning=pains["pain_morning"], morning_stiffness_min=stiffness,
            where=_names(data.get("where"), label("where"), SITES, "site"),
            side=_side(data.get("side"), label("side")),
            better=_text(data.get("better"), label("better")),
            worse=_text(data.get("worse"), label("worse")),
            flags=_names(data.get("flags"), label("flags"), FLAGS, "flag"),
            seen=_names(data.get("seen"), label("seen"), FLAGS, "flag"),
            run_id=_run_id(data.get("run_id"), label("run_id")))
    except ValueError as exc:  # the checks above cover every case; this keeps the contract
        raise InputError(f"entry: {exc}") from None


def entry_to_dict(entry: JournalEntry) -> dict[str, Any]:
    """The JSON form of an entry (the shape :func:`entry_from_mapping` accepts)."""
    return entry.to_dict()


def _to_record(entry: JournalEntry) -> JournalRecord:
    return JournalRecord(
        entry_date=entry.date, pain_during=entry.pain_during, pain_after=entry.pain_after,
        pain_morning=entry.pain_morning, morning_stiffness_min=entry.morning_stiffness_min,
        sites=tuple(entry.where), side=entry.side, better=entry.better, worse=entry.worse,
        flags=tuple(entry.flags) + tuple(SEEN_PREFIX + name for name in entry.seen),
        run_id=entry.run_id)


def _tidy(value: float | None) -> float | None:
    """Whole numbers read back from REAL columns as ``int`` (``3``, not ``3.0``)."""
    return int(value) if value is not None and float(value).is_integer() else value


def _from_record(record: JournalRecord) -> JournalEntry:
    return JournalEntry(
        date=record.entry_date, pain_during=_tidy(record.pain_during),
        pain_after=_tidy(record.pain_after), pain_morning=_tidy(record.pain_morning),
        morning_stiffness_min=_tidy(record.morning_stiffness_min),
        where=list(record.sites), side=record.side, better=record.better, worse=record.worse,
        flags=[f for f in record.flags if not f.startswith(SEEN_PREFIX)],
        seen=[f.removeprefix(SEEN_PREFIX) for f in record.flags if f.startswith(SEEN_PREFIX)],
        run_id=record.run_id)


def add_entry(store: RunStore, entry: JournalEntry) -> bool:
    """Store ``entry`` for its date in one transaction, replacing an entry of the same date.

    Returns
    -------
    bool
        True when an entry for that date was replaced.

    Raises
    ------
    InputError
        When ``run_id`` names no run in the library (nothing is written).
    """
    if entry.run_id is not None and store.get_run(entry.run_id) is None:
        raise InputError(f"run_id: no run with id {entry.run_id} in the library "
                         "(see `hipstride runs`)")
    with store.transaction():
        return store.put_journal_entry(_to_record(entry))


#: Entry fields that hold lists: a merge adds to them rather than replacing them.
_LIST_FIELDS = ("where", "flags", "seen")
MergeResult = Literal["saved", "merged", "unchanged"]


def merge_entry(store: RunStore, entry: JournalEntry,
                fields: Collection[str]) -> tuple[JournalEntry | None, MergeResult]:
    """Add what ``entry`` gives in ``fields`` to the day's stored entry (one transaction).

    A day is often logged in parts (the morning, then the run): each part sets the fields it
    gives and keeps the others; sites, flags and seen flags are added to. With no field besides
    the date nothing is written.

    Returns
    -------
    tuple
        The day's entry as now stored (``None`` when there is none) and ``"saved"`` (a new
        day), ``"merged"`` or ``"unchanged"`` (nothing to add).

    Raises
    ------
    InputError
        When ``run_id`` names no run in the library (nothing is written).
    """
    given = [name for name in FIELDS if name in fields and name != "date"]
    existing = next(iter(list_entries(store, since=entry.date, until=entry.date)), None)
    if not given:
        return existing, "unchanged"
    if existing is None:
        add_entry(store, entry)
        return entry, "saved"
    changes: dict[str, Any] = {}
    for name in given:
        value = getattr(entry, name)
        if name in _LIST_FIELDS:
            old = getattr(existing, name)
            value = [*old, *(v for v in value if v not in old)]
        changes[name] = value
    merged = dataclasses.replace(existing, **changes)
    if merged == existing:
        return existing, "unchanged"
    add_entry(store, merged)
    return merged, "merged"


def _stored(store: RunStore, day: date) -> JournalEntry:
    existing = next(iter(list_entries(store, since=day, until=day)), None)
    if existing is None:
        raise InputError(f"date: no journal entry for {day.isoformat()} (see `hipstride journal "
                         "list`)")
    return existing


def edit_entry(store: RunStore, entry: JournalEntry,
               fields: Collection[str]) -> tuple[JournalEntry, bool]:
    """Correct the day ``entry.date`` already in the journal: each field in ``fields`` takes
    ``entry``'s value (a list replaces the stored one; an empty value clears the field), the
    others stay.

    Returns
    -------
    tuple
        The day's entry as now stored, and whether anything changed.

    Raises
    ------
    InputError
        When the journal has no entry for that date, or ``run_id`` names no run (nothing is
        written).
    """
    existing = _stored(store, entry.date)
    changes = {name: getattr(entry, name) for name in FIELDS if name in fields and name != "date"}
    edited = dataclasses.replace(existing, **changes)
    if edited == existing:
        return existing, False
    add_entry(store, edited)
    return edited, True


def delete_entry(store: RunStore, day: date) -> JournalEntry:
    """Remove the journal entry of ``day`` (one transaction) and return what it held.

    Raises
    ------
    InputError
        When the journal has no entry for that date.
    """
    existing = _stored(store, day)
    with store.transaction():
        store.delete_journal_entry(day)
    return existing


def list_entries(store: RunStore, *, since: date | None = None,
                 until: date | None = None) -> list[JournalEntry]:
    """Journal entries dated ``since`` to ``until`` (both included; either open), oldest first."""
    return [_from_record(r) for r in store.journal_entries(since=since, until=until)]


def red_flag_warning(entry: JournalEntry) -> str | None:
    """Why the red flags in ``entry`` need medical review now, in plain words (``None`` without
    red flags). The wording is the daily decision's own (:func:`hipstride.journal.decision.decide`)."""
    if not entry.flags:
        return None
    decision = decide(entry.date, [entry], [], [], cadence_baseline_spm=None)
    return next(r.text for r in decision.reasons if r.rule == "red-flag")
