"""The hipstride exception tree.

All errors raised on purpose by hipstride derive from :class:`HipstrideError`, so a caller (the CLI,
the web app) can catch one type and show its message without a traceback::

    HipstrideError
    ├── InputError            bad input a user gave us (a file, an argument, a value)
    │   ├── ReadError         a recording that cannot be read: names the file and the problem;
    │   │                     ``offset`` (byte), ``line`` and ``record`` say where, when known
    │   ├── ProfileError      a hip-load profile file that is missing keys or holds nonsense values
    │   └── ContentError      a routine content file (care) that is invalid: names file and field
    ├── DataError             data that was read but cannot support the analysis (e.g. no moving part)
    └── StorageError          the run library or a stored map is unusable (damaged, newer schema,
                              locked): names the file and what is wrong

Messages name the argument or the file, never a command-line flag: the same errors reach a Python
caller, the CLI and the web app.

Warnings about partly readable input are :class:`ReadWarning` (a :class:`UserWarning`); a reader
called with ``on_error=OnError.RAISE`` (:mod:`hipstride.io`) raises :class:`ReadError` instead.
"""

from __future__ import annotations

__all__ = ["ContentError", "DataError", "HipstrideError", "InputError", "ProfileError", "ReadError",
           "ReadWarning", "StorageError"]


class HipstrideError(Exception):
    """Root of every error hipstride raises on purpose."""


class InputError(HipstrideError):
    """Input given by the user is unusable."""


class ReadError(InputError):
    """A recording could not be read.

    Parameters
    ----------
    source
        Name of the file (or ``"<bytes>"``/``"<stream>"`` for in-memory input).
    problem
        What is wrong, in plain words, e.g. ``"truncated: file ends inside a record at byte 768"``.
    offset
        Byte offset in the file where the damage is (FIT), when known.
    line
        Line of the file where the damage is (GPX, TCX), when known.
    record
        Index (from 0) of the first sample (FIT record, GPX point, TCX trackpoint) that could not
        be read, when known: the number of samples read before the damage.

    The fields are also in the message, in words; they are ``None`` where the reader does not know
    them (a file that is missing has no offset).
    """

    def __init__(self, source: str, problem: str, *, offset: int | None = None,
                 line: int | None = None, record: int | None = None) -> None:
        self.source = source
        self.problem = problem
        self.offset = offset
        self.line = line
        self.record = record
        super().__init__(f"{source}: {problem}")

    def __reduce__(self) -> tuple[object, ...]:  # keep the fields across processes (pickle)
        return (_read_error, (self.source, self.problem, self.offset, self.line, self.record))


def _read_error(source: str, problem: str, offset: int | None, line: int | None,
                record: int | None) -> ReadError:
    return ReadError(source, problem, offset=offset, line=line, record=record)


class ProfileError(InputError):
    """A hip-load profile file is invalid."""


class ContentError(InputError):
    """A routine content file is invalid; the message names the file and the field."""


class DataError(HipstrideError):
    """Data was read but cannot support what was asked."""


class StorageError(HipstrideError):
    """The run library or a stored map cannot be used as it is (damaged, from a newer version)."""


class ReadWarning(UserWarning):
    """Only part of a recording could be read; the readable part is used."""
