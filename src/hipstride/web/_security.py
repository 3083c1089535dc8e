"""What keeps a local web app local: the Host check, the CSRF token and the response headers.

A page on another site can make the runner's browser send requests to ``127.0.0.1``; three
guards stop it from changing or reading anything:

* **Host check (DNS rebinding).** A hostile name that resolves to 127.0.0.1 reaches the server
  with its own name in the ``Host`` header; a request whose host is not ``127.0.0.1``,
  ``localhost``, ``[::1]`` or the host the server was asked to bind is refused (400) before
  any route runs.
* **CSRF token.** Every POST carries the server's token, in the form field ``csrf_token`` or the
  header ``X-CSRF-Token``; another origin cannot read a page to learn it. The token is random
  per server start and compared in constant time. No cookie and no session are needed: one
  runner, one server.
* **Headers.** A Content-Security-Policy that allows only the app's own scripts, styles, images
  and fetches (nothing from the network, no framing by other sites), ``nosniff``, no referrer,
  and no caching of pages (they hold health data).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable

__all__ = ["CSP", "LOCAL_HOSTS", "allowed_hosts", "host_name", "new_token", "token_ok"]

#: The host names every local server answers to.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

#: The Content-Security-Policy of every response. Inline ``style`` attributes are allowed (the
#: shared SVG drawings use a few); inline scripts are not.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
       "frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")


def allowed_hosts(asked: str | None, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names the server answers to: the local ones, the asked host and ``extra``."""
    names = set(LOCAL_HOSTS) | {h.strip("[]").lower() for h in extra}
    if asked:
        names.add(asked.strip("[]").lower())
    return frozenset(names)


def host_name(host_header: str) -> str:
    """The name part of a ``Host`` header value (``[::1]:8000`` -> ``::1``), lower case."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def new_token() -> str:
    """A fresh random CSRF token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_ok(expected: str, given: str | None) -> bool:
    """Whether ``given`` is the token (constant-time)."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
