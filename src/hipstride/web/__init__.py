"""The local web app (``hipstride serve``): a thin face over the library, like the command line.

:func:`create_app` builds a Flask application over one hipstride home. Each page calls the same
library functions as the matching command and hands the result to a template; no rule and no
computation lives here (house rule "thin faces", ``docs/architecture.md``). The pages are
server-rendered (readable without JavaScript); the project's own small scripts add the
browser map, the upload progress bar and the routine timer. Nothing is loaded from the network
and nothing leaves the machine (see :mod:`hipstride.web._security`).

Why Flask: hipstride is synchronous (SQLite, NumPy) and single-user, and Flask is the smallest
mature stack for that, with a test client built in (``../shared/reviews/research.md`` §B.2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hipstride.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from hipstride.web.app import create_app

        return create_app
    raise AttributeError(f"module 'hipstride.web' has no attribute {name!r}")
