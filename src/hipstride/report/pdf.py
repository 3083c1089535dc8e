"""Printing an HTML page to PDF: WeasyPrint when it loads, else headless Chromium.

WeasyPrint is a Python package but needs the Pango system libraries; where they are missing the
import fails with ``OSError``, and hipstride falls back to a Chromium (or Chrome) binary on the
``PATH``, run headless with a throw-away profile and no network. Neither engine may fetch
anything: the pages are self-contained, and WeasyPrint is given a fetcher that allows inline
``data:`` URLs only. When neither is there, :func:`write_pdf` raises
:class:`~hipstride.errors.InputError` saying how to get one.

The PDF is produced in memory (or in a temporary folder) and written with
:func:`hipstride._files.write_atomic`, so a failed print never leaves half a file.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Literal

from hipstride._files import write_atomic
from hipstride.errors import InputError

__all__ = ["PDF_ENGINES", "PdfEngine", "pdf_engine", "write_pdf"]

#: Seconds a headless Chromium may take to print the page.
CHROMIUM_TIMEOUT_S = 120.0
PDF_ENGINES = ("weasyprint", "chromium")
PdfEngine = Literal["auto", "weasyprint", "chromium"]
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _weasyprint() -> Any:
    """The ``weasyprint`` module, or ``None`` when it is missing or its libraries do not load."""
    try:
        return importlib.import_module("weasyprint")
    except (ImportError, OSError):  # OSError: the package is there but Pango is not
        return None


def _chromium() -> str | None:
    for name in _CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    return None


def pdf_engine(preferred: PdfEngine = "auto") -> str | None:
    """The PDF engine that would be used: ``"weasyprint"``, ``"chromium"`` or ``None``."""
    if preferred in ("auto", "weasyprint") and _weasyprint() is not None:
        return "weasyprint"
    if preferred in ("auto", "chromium") and _chromium() is not None:
        return "chromium"
    return None


def _no_network(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"hipstride reports load nothing from outside: {url}")


def _weasyprint_pdf(html_path: Path) -> bytes:
    weasyprint = _weasyprint()
    urls = importlib.import_module("weasyprint.urls")
    # the page needs nothing from outside; refuse anything but inline data all the same
    fetcher = (urls.URLFetcher(allowed_protocols=("data",)) if hasattr(urls, "URLFetcher")
               else _no_network)
    html = html_path.read_text(encoding="utf-8")
    return bytes(weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf())


def _chromium_pdf(html_path: Path) -> bytes:
    binary = _chromium()
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="hipstride-chromium-") as work:
        out = Path(work) / "page.pdf"
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--disable-extensions", "--no-first-run",
                   "--no-pdf-header-footer", "--print-to-pdf-no-header",  # new and old name
                   f"--user-data-dir={Path(work) / 'profile'}",
                   f"--print-to-pdf={out}", html_path.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=CHROMIUM_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"Chromium did not finish printing within {CHROMIUM_TIMEOUT_S:g} s") \
                from None
        data = out.read_bytes() if out.exists() else b""
    if done.returncode != 0 or data[:5] != b"%PDF-":
        detail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise InputError(f"Chromium could not print the page ({detail[0]})")
    return data


def write_pdf(html_path: str | os.PathLike[str], out: str | os.PathLike[str], *,
              engine: PdfEngine = "auto") -> str:
    """Print the HTML page at ``html_path`` to a PDF at ``out`` (atomically); return the engine.

    Raises
    ------
    InputError
        When no engine is available (the message says how to get one) or printing fails.
    """
    chosen = pdf_engine(engine)
    if chosen is None:
        raise InputError(
            "no PDF engine here; install WeasyPrint (`pip install weasyprint`, which needs "
            "Pango: `apt-get install libpango-1.0-0 libpangoft2-1.0-0` on Debian/Ubuntu) or "
            "Chromium (`apt-get install chromium`), or open the HTML report in a browser and "
            "print it to PDF")
    source = Path(html_path)
    data = _weasyprint_pdf(source) if chosen == "weasyprint" else _chromium_pdf(source)
    write_atomic(out, data)
    return chosen
