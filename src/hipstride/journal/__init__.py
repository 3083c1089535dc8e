"""The pain journal and what is built on it: the daily decision and the clinician report.

* :mod:`~hipstride.journal.entry` — the entry and the one table each of sites, sides and red
  flags (with their text, question and label).
* :mod:`~hipstride.journal.rules`, :mod:`~hipstride.journal.plan`,
  :mod:`~hipstride.journal.decision` — the daily decision: seven rules, the concrete plan, and
  :func:`~hipstride.journal.decision.decide`, which ranks them.
* :mod:`~hipstride.journal.store` — entries in the run library (one per date), checked input
  (``hipstride journal add``) and the red-flag warning.
* :mod:`~hipstride.journal.today` — ``hipstride today``: gathers the journal, weekly load, recent
  runs and the cadence baseline and applies :func:`hipstride.journal.decision.decide`.
* :mod:`~hipstride.report.clinician_page` — ``hipstride report clinician``: one offline HTML page
  (and optionally a PDF) for a physiotherapist or sports physician.

hipstride supports decisions; it does not diagnose. Red flags mean: see a professional now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hipstride._lazy import lazy_names

if TYPE_CHECKING:
    from hipstride.journal.store import (
        add_entry,
        entry_from_mapping,
        entry_to_dict,
        list_entries,
        red_flag_warning,
    )
    from hipstride.journal.today import decide_today, gather_inputs

__all__ = [
    "add_entry",
    "decide_today",
    "entry_from_mapping",
    "entry_to_dict",
    "gather_inputs",
    "list_entries",
    "red_flag_warning",
]

#: Where each name of :data:`__all__` lives. They are imported on first use: the entry and its
#: vocabularies (all that ``hipstride --help`` needs) must not pull in the run library.
_HOMES = {
    "add_entry": ".store",
    "entry_from_mapping": ".store",
    "entry_to_dict": ".store",
    "list_entries": ".store",
    "red_flag_warning": ".store",
    "decide_today": ".today",
    "gather_inputs": ".today",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES, globals())
