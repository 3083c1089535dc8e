"""Care: guided warm-up, cool-down and recovery routines, the strength and mobility plan, and their
watch and calendar exports. (The daily decision lives in :mod:`hipstride.journal`.)

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
"""

from __future__ import annotations

from hipstride.care.routines import ContentError, Routine, Step, get_routine, load_routines

__all__ = ["ContentError", "Routine", "Step", "get_routine", "load_routines"]
