"""The hipstride exception tree.

All errors raised on purpose by hipstride derive from :class:`HipstrideError`, so a caller (the CLI,
the web app) can catch one type and show its message without a traceback::

    HipstrideError
    ├── InputError            bad input a user gave us (a file, an option, a value)
    │   ├── ReadError         a recording that cannot be read: names the file and the problem
    │   └── ProfileError      a hip-load profile file that is missing keys or holds nonsense values
    └── DataError             data that was read but cannot support the analysis (e.g. no moving part)

Warnings about partly readable input are :class:`ReadWarning` (a :class:`UserWarning`).
"""

from __future__ import annotations

__all__ = ["DataError", "HipstrideError", "InputError", "ProfileError", "ReadError", "ReadWarning"]


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


class DataError(HipstrideError):
    """Data was read but cannot support what was asked."""


class ReadWarning(UserWarning):
    """Only part of a recording could be read; the readable part is used."""
