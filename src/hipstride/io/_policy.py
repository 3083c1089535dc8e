"""One strictness policy for the three readers: what to do with a recording that is partly broken.

Every reader keeps what it can read of a damaged file. What happens to the damage is the caller's
choice, as in fitdecode's ``ErrorHandling``:

* :attr:`OnError.WARN` (the default): keep the readable part, warn with
  :class:`~hipstride.errors.ReadWarning` (FIT: one per problem; GPX and TCX: one that lists
  them, since they come from one pass over the document) and list the problems in
  ``Activity.warnings``;
* :attr:`OnError.IGNORE`: keep the readable part silently (``Activity.warnings`` still lists the
  problems: they are data about the recording, not noise);
* :attr:`OnError.RAISE`: refuse the file: the first problem that would have been a warning
  becomes a :class:`~hipstride.errors.ReadError`, with its byte offset, line and record where known.

What is not damage (a planned route without times, placeholder timestamps, a cadence already in
steps/min) goes to ``Activity.warnings`` only, in every mode, as before.

A reader describes each problem as an :class:`Issue`: the text for the warning (which says what
was kept), the problem alone for the error, and where it is.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from hipstride.errors import InputError, ReadError, ReadWarning

__all__ = ["Issue", "OnError", "on_error_of", "report"]


class OnError(Enum):
    """What a reader does with a partly readable recording (see :mod:`hipstride.io`)."""

    IGNORE = "ignore"
    WARN = "warn"
    RAISE = "raise"


@dataclass(frozen=True)
class Issue:
    """One problem found while reading: what to warn, what to raise, and where it is."""

    #: The warning's text: the problem and what was kept despite it.
    text: str
    #: The problem alone, for a ``ReadError`` under ``OnError.RAISE`` (``None``: ``text``).
    problem: str | None = None
    #: Byte offset in the file (FIT), line (XML) and index of the first sample not read.
    offset: int | None = None
    line: int | None = None
    record: int | None = None

    def error(self, label: str) -> ReadError:
        """This problem as a :class:`ReadError` for the file ``label``."""
        return ReadError(label, self.problem or self.text, offset=self.offset, line=self.line,
                         record=self.record)


def on_error_of(value: OnError | str) -> OnError:
    """``value`` as an :class:`OnError` (its name or value in any case is accepted too)."""
    if isinstance(value, OnError):
        return value
    if isinstance(value, str):
        for member in OnError:
            if value.strip().lower() in (member.value, member.name.lower()):
                return member
    choices = ", ".join(member.value for member in OnError)
    raise InputError(f"on_error must be one of {choices} (an OnError), not {value!r}")


def report(label: str, issues: Sequence[Issue], on_error: OnError, *, stacklevel: int,
           joined: bool = False) -> None:
    """Apply ``on_error`` to the problems a reader found; raises the first under ``RAISE``.

    Under ``WARN`` each issue is one warning, or all of them one (``joined``, "; " between them).
    ``stacklevel`` counts from the caller of :func:`report`, as for :func:`warnings.warn`.
    """
    if not issues or on_error is OnError.IGNORE:
        return
    if on_error is OnError.RAISE:
        raise issues[0].error(label)
    texts = ["; ".join(issue.text for issue in issues)] if joined else [i.text for i in issues]
    for text in texts:
        warnings.warn(f"{label}: {text}", ReadWarning, stacklevel=stacklevel + 1)
