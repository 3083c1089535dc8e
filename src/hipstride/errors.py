"""The hipstride exception tree.

All errors raised on purpose by hipstride derive from :class:`HipstrideError`, so a caller (the CLI,
the web app) can catch one type and show its message without a traceback::

    HipstrideError
    ├── InputError            bad input a user gave us (a file, an argument, a value)
    │   ├── ReadError         a recording that cannot be read: names the file, the problem and,
    │   │                     where known, the byte offset or line
    │   ├── ProfileError      a hip-load profile file that is missing keys or holds nonsense values
    │   └── ContentError      a routine content file (care) that is invalid: names file and field
    ├── DataError             data that was read but cannot support the analysis (e.g. no moving part)
    └── StorageError          the run library or a stored map is unusable (damaged, newer schema,
                              locked): names the file and what is wrong

Messages name the argument or the file, never a command-line flag: the same errors reach a Python
caller, the CLI and the web app.

Warnings about partly readable input are :class:`ReadWarning` (a :class:`UserWarning`).
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
    """

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


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
