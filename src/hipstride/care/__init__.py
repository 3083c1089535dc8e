"""Care: guided warm-up, cool-down and recovery routines, the strength and mobility plan, and their
watch and calendar exports. (The daily decision lives in :mod:`hipstride.journal`.)

Modules
-------
routine
    The routine model (a routine, its steps, a plan step's dose per week) and its text.
content
    The shipped routines: the loader and checker of the TOML content in ``care/content/``.
timer
    The timer state machine of a guided routine (the terminal face is
    :mod:`hipstride.cli.guide_tty`).
workout
    FIT workout files for watches.
calendar
    The weekly plan as an iCalendar file.
"""

from __future__ import annotations

from hipstride.care.content import get_routine, load_routines, routine_names
from hipstride.care.routine import Routine, Step

__all__ = ["Routine", "Step", "get_routine", "load_routines", "routine_names"]
