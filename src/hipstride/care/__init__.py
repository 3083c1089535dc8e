"""Care: guided warm-up, cool-down and recovery routines, the strength plan, watch and calendar
exports, and the daily run/modify/cross-train/rest/see-a-professional decision.

Modules
-------
routines
    The routine model and the loader of the TOML content in ``care/content/``.
guide
    The timer state machine and the terminal view for ``hipstride routine guide``.
workout
    FIT workout files for watches.
calendar
    The weekly plan as an iCalendar file.
decision
    The daily decision rules as pure functions.
"""

from __future__ import annotations

from hipstride.care.decision import Decision, JournalEntry, Reason, RecentRun, WeekLoad, decide
from hipstride.care.routines import ContentError, Routine, Step, get_routine, load_routines

__all__ = [
    "ContentError",
    "Decision",
    "JournalEntry",
    "Reason",
    "RecentRun",
    "Routine",
    "Step",
    "WeekLoad",
    "decide",
    "get_routine",
    "load_routines",
]
