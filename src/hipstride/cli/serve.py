"""``hipstride serve``: the local web app on this computer.

Binds ``127.0.0.1`` unless another host is asked for (then with a warning: anyone who can reach
that address can read the journal). Port 0 lets the system pick a free port; the URL is printed
either way. The server is Werkzeug's threaded WSGI server, which suits one runner on their own
machine (it is not meant to face a network); the app itself is :func:`hipstride.web.create_app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hipstride.cli._common import LIBRARY_OPTIONS, library_choice

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["serve", "serve_app"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (another than 127.0.0.1 only when you mean it).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@LIBRARY_OPTIONS
@click.option("--open", "open_browser", is_flag=True, help="Open the app in your web browser.")
def serve(host: str, port: int, home: Path | None, open_browser: bool) -> None:
    """Serve the local web app: today, runs, trends, journal, routines, planner, maps and form.

    Nothing is loaded from the internet and nothing leaves your computer. Stop with Ctrl+C.
    """
    from hipstride.web import create_app

    db, athlete = library_choice()
    serve_app(create_app(home, host=host, db=db, athlete=athlete), host, port, open_browser)


def serve_app(app: Flask, host: str, port: int, open_browser: bool) -> None:
    """Serve ``app`` on ``host:port`` until Ctrl+C (a warning first when the host is not local)."""
    from werkzeug.serving import make_server

    if host not in _LOOPBACK:
        click.secho(f"warning: listening on {host}: other computers that can reach this address "
                    "can see your runs and journal", fg="yellow", err=True)
    server = make_server(host, port, app, threaded=True)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_port}/"
    click.echo(f"hipstride serves {url} (Ctrl+C stops it)")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()
