"""The pain journal's entry and its vocabularies: one table each for sites, sides and red flags.

Everything that names a site, a side or a warning sign reads it from here: the entry's checks, the
daily decision's wording, the questions ``hipstride journal add`` asks and the labels of the
clinician page. A red flag is one :class:`Flag` row with three wordings, because three readers
need three voices:

``text``
    the runner's words, inside a sentence of the decision ("pain that wakes you at night");
``question``
    a yes/no question for the runner's checklist ("Does the pain wake you up at night?");
``label``
    a clinician's words on the report ("night pain (wakes from sleep)").

Each flag also has a ``tier``: ``same-day`` signs need a professional that day, ``within-days``
signs within the next few days (the tiers, and how long a flag stays in force, are the rules' to
apply: :mod:`hipstride.journal.rules`). An entry's ``seen`` lists the flags a professional checked
on that day; it clears them.

The field names of :class:`JournalEntry` are the names of the JSON form and of the command's
options; :data:`FIELDS` derives them from the dataclass, so there is one list.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = [
    "FIELDS",
    "FLAGS",
    "FLAG_TABLE",
    "SIDES",
    "SITES",
    "TIERS",
    "Flag",
    "JournalEntry",
    "flag",
    "flag_dates",
    "site_words",
]

#: How soon each tier of red flag needs a professional.
TIERS = ("same-day", "within-days")
#: Where pain can be recorded.
SITES = ("hip", "groin", "outer-hip", "buttock", "thigh", "lower-back", "knee")
#: Which side hurts.
SIDES = ("left", "right", "both")
#: Longest stiffness after getting up that an entry accepts, in minutes (one day).
MAX_STIFFNESS_MIN = 24 * 60


def site_words(site: str) -> str:
    """A site name as words in a sentence (``"lower-back"`` → ``"lower back"``)."""
    return site.replace("-", " ")


@dataclass(frozen=True, slots=True)
class Flag:
    """One warning sign (see the module docstring); ``tier`` is how soon it needs a professional:
    ``"same-day"`` or ``"within-days"`` (:data:`TIERS`)."""

    name: str
    text: str
    question: str
    label: str
    tier: str = "within-days"


#: The red flags, in the order the checklist asks them.
FLAG_TABLE: tuple[Flag, ...] = (
    Flag("cannot-bear-weight", "not being able to put weight on the leg",
         "Is it hard or impossible to stand or walk on that leg?",
         "unable to bear weight", "same-day"),
    Flag("earlier-each-run",
         "groin or hip pain that starts earlier in each run, which can point to a bone stress "
         "injury",
         "Does groin or hip pain come on earlier in each run?",
         "groin/hip pain arriving earlier in each run (bone stress injury to exclude)", "same-day"),
    Flag("fever", "fever or feeling generally unwell",
         "Do you have a fever, or feel generally unwell?",
         "fever or systemically unwell", "same-day"),
    Flag("saddle-numbness", "numbness between the legs or a change in bladder or bowel control",
         "Any numbness between the legs, or a change in bladder or bowel control?",
         "saddle anaesthesia or bladder/bowel change", "same-day"),
    Flag("fall", "a fall or knock after which hopping or walking on the leg is hard",
         "Did you fall or hurt the hip, and can you no longer hop or walk on it normally?",
         "fall or trauma with painful hop or gait", "same-day"),
    Flag("night-pain", "pain that wakes you at night",
         "Does the pain wake you up at night?",
         "night pain (wakes from sleep)"),
    Flag("rest-pain", "pain at rest",
         "Does it hurt while you are resting, not only when you move?",
         "pain at rest"),
    Flag("numbness", "numbness, tingling or weakness in the leg",
         "Any numbness, tingling or weakness in the leg?",
         "numbness, paraesthesia or weakness in the leg"),
    Flag("night-sweats", "heavy sweating at night",
         "Do you wake up drenched in sweat at night?",
         "night sweats"),
    Flag("weight-loss", "weight loss you cannot explain",
         "Have you lost weight without trying to?",
         "unexplained weight loss"),
    Flag("cancer-history", "a history of cancer together with new hip pain",
         "Have you ever had cancer?",
         "history of cancer"),
    Flag("missed-periods", "missed periods while eating little for the training you do",
         "Have your periods stopped or become irregular while you eat less than you train for?",
         "amenorrhoea with low energy availability (bone stress risk)"),
    Flag("under-16-limp", "a limp in someone under 16",
         "Is this entry for someone under 16 who has started to limp?",
         "limp in a child or adolescent under 16"),
)
#: The names of the red flags, in checklist order.
FLAGS: tuple[str, ...] = tuple(f.name for f in FLAG_TABLE)
_FLAG_BY_NAME: Mapping[str, Flag] = {f.name: f for f in FLAG_TABLE}


def flag(name: str) -> Flag:
    """The red flag called ``name``.

    Raises
    ------
    KeyError
        For a name not in :data:`FLAGS`.
    """
    return _FLAG_BY_NAME[name]


def _check_pain(name: str, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number from 0 to 10 or None, got {value!r}")
    if not math.isfinite(value) or not 0 <= value <= 10:
        raise ValueError(f"{name} must be from 0 to 10, got {value!r}")


@dataclass(slots=True)
class JournalEntry:
    """One pain journal entry.

    Pain scores are 0 (none) to 10 (worst imaginable), or ``None`` when not recorded.
    ``morning_stiffness_min`` is minutes of stiffness after getting up. ``where`` holds sites from
    :data:`SITES`, ``flags`` warning signs from :data:`FLAGS`; ``seen`` the warning signs a
    professional checked on this entry's date (they clear the flags noted up to that day).

    Raises
    ------
    ValueError
        For scores outside 0–10, negative stiffness, an unknown site, side or flag.
    """

    date: date
    pain_during: float | None = None
    pain_after: float | None = None
    pain_morning: float | None = None
    morning_stiffness_min: float | None = None
    where: list[str] = field(default_factory=list)
    side: str | None = None
    better: str | None = None
    worse: str | None = None
    flags: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    run_id: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.date, date):
            raise ValueError(f"date must be a datetime.date, got {self.date!r}")
        for name in ("pain_during", "pain_after", "pain_morning"):
            _check_pain(name, getattr(self, name))
        stiffness = self.morning_stiffness_min
        if stiffness is not None and (
            isinstance(stiffness, bool)
            or not isinstance(stiffness, int | float)
            or not 0 <= stiffness <= MAX_STIFFNESS_MIN
        ):
            raise ValueError(f"morning_stiffness_min must be 0 to 1440 minutes, got {stiffness!r}")
        unknown_sites = [s for s in self.where if s not in SITES]
        if unknown_sites:
            raise ValueError(
                f"unknown pain site {unknown_sites[0]!r}; use one of: {', '.join(SITES)}"
            )
        if self.side is not None and self.side not in SIDES:
            raise ValueError(f"side must be one of {', '.join(SIDES)} or None, got {self.side!r}")
        unknown_flags = [f for f in (*self.flags, *self.seen) if f not in _FLAG_BY_NAME]
        if unknown_flags:
            raise ValueError(f"unknown flag {unknown_flags[0]!r}; use one of: {', '.join(FLAGS)}")

    @property
    def pain(self) -> float | None:
        """The highest pain score recorded in this entry, or ``None`` if none was recorded."""
        scores = [
            p for p in (self.pain_during, self.pain_after, self.pain_morning) if p is not None
        ]
        return max(scores) if scores else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, keyed by :data:`FIELDS` in order (the shape ``journal add`` accepts)."""
        out: dict[str, Any] = {}
        for name in FIELDS:
            value = getattr(self, name)
            out[name] = value.isoformat() if name == "date" else (
                list(value) if isinstance(value, list) else value)
        return out


#: The fields of a journal entry, as named in the JSON form (the dataclass's own field order).
FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(JournalEntry))


def flag_dates(entries: Sequence[JournalEntry]) -> tuple[dict[str, date], dict[str, date]]:
    """For each red flag, the latest day it was noted and the latest day it was recorded as seen
    by a professional (``(noted, seen)``; a flag never seen is absent from ``seen``)."""
    noted: dict[str, date] = {}
    seen: dict[str, date] = {}
    for entry in entries:
        for name in entry.flags:
            noted[name] = max(entry.date, noted.get(name, entry.date))
        for name in entry.seen:
            seen[name] = max(entry.date, seen.get(name, entry.date))
    return noted, seen
