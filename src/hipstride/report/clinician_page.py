"""``hipstride report clinician``: one self-contained page for a physiotherapist or sports physician.

The page covers the last N ISO weeks up to a day: red flags recorded (first, and prominent), what
hipstride advised for the day, the pain trend by site and side, load per week with its progression
flags, form against the runner's own baseline (with device caveats), the hip-load factors of the
runs, and the journal itself. It works offline: inline CSS and inline SVG, no scripts, fonts or
other network resource; every text the runner typed is escaped by the template (Jinja2 with
autoescape). Charts reuse the drawing helpers of :mod:`hipstride.report.trends_page`.

PDF
    :func:`write_pdf` uses WeasyPrint when it is installed and its system libraries (Pango) load,
    else headless Chromium, else raises :class:`~hipstride.errors.InputError` saying how to get one.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from markupsafe import Markup

from hipstride import __version__
from hipstride.errors import InputError
from hipstride.journal.entry import FLAG_TABLE, JournalEntry
from hipstride.journal.rules import PAIN_ACCEPTABLE_MAX
from hipstride.journal.store import list_entries
from hipstride.journal.today import decide_today
from hipstride.library.store import RunStore, RunSummary

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "DEFAULT_WEEKS",
    "FLAG_LABELS",
    "PDF_ENGINES",
    "clinician_context",
    "pdf_engine",
    "render_clinician_html",
    "write_clinician_html",
    "write_pdf",
]

DEFAULT_WEEKS = 12
#: Runs listed in the hip-load table at most (the most recent).
MAX_RUNS_LISTED = 60
#: Pain charts drawn at most (the site and side groups with the most entries).
MAX_PAIN_CHARTS = 6
#: Seconds a headless Chromium may take to print the page.
CHROMIUM_TIMEOUT_S = 120.0
PDF_ENGINES = ("weasyprint", "chromium")
PdfEngine = Literal["auto", "weasyprint", "chromium"]

#: The red flags in a clinician's words (the labels of the journal's flag table).
FLAG_LABELS: dict[str, str] = {flag.name: flag.label for flag in FLAG_TABLE}
PAIN_SERIES = (("during", "pain_during", "#c0392b"), ("after", "pain_after", "#d35400"),
               ("morning", "pain_morning", "#2c5d8a"))
FORM_LABELS = {"cadence_spm": "Step rate", "step_length_m": "Step length",
               "stance_time_ms": "Stance time", "vertical_oscillation_mm": "Vertical oscillation",
               "stance_time_balance_left_pct": "Stance-time balance (left)"}
FACTOR_NAMES = ("downhill", "uphill", "turns", "surface", "cadence")


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("hipstride.report", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


# ---------------------------------------------------------------------------------------------
# the pain chart


def _chart(svg: str) -> Markup:
    """A drawing of :mod:`hipstride.report.trends_page` with its text size set inside the SVG
    (PDF engines do not all apply the page's CSS to SVG text)."""
    head, sep, rest = svg.partition(">")
    if not sep or not rest.endswith("</svg>"):
        return Markup(svg)
    body = rest[: -len("</svg>")]
    return Markup(f'{head}><g font-size="11" font-family="sans-serif" fill="#444">'
                  f"{body}</g></svg>")


def _pain_chart(entries: list[JournalEntry], first: date, last: date, title: str) -> Markup:
    """Pain during / after / morning (0–10) over the period, one line each, as inline SVG."""
    from html import escape

    from hipstride.report.trends_page import (
        PAD_B,
        PAD_L,
        PAD_R,
        PAD_T,
        H,
        W,
        linear_scale,
        svg_chart,
    )

    lo_x, hi_x = first.toordinal(), max(last.toordinal(), first.toordinal() + 1)

    def x(day: date) -> float:
        return linear_scale(day.toordinal(), lo_x, hi_x, PAD_L + 6, W - PAD_R - 6)

    def y(pain: float) -> float:
        return linear_scale(pain, 0, 10, H - PAD_B, PAD_T)

    parts = [f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
             f'stroke="#eee"/><text x="{PAD_L - 4}" y="{y(v) + 4:.0f}" '
             f'text-anchor="end">{v}</text>' for v in range(0, 11, 2)]
    parts.append(f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{y(PAIN_ACCEPTABLE_MAX):.1f}" '
                 f'y2="{y(PAIN_ACCEPTABLE_MAX):.1f}" stroke="#c0392b" stroke-dasharray="5,4"/>'
                 f'<text x="{W - PAD_R + 4}" y="{y(PAIN_ACCEPTABLE_MAX) + 4:.0f}">'
                 f"{PAIN_ACCEPTABLE_MAX}/10</text>")
    ticks = [first + timedelta(days=7 * k) for k in range((last - first).days // 7 + 1)]
    step = max(1, len(ticks) // 7)
    parts += [f'<text x="{x(d):.0f}" y="{H - 8}" text-anchor="middle">{d.isoformat()}</text>'
              for d in ticks[::step]]
    for label, attr, colour in PAIN_SERIES:
        points = [(e.date, float(v)) for e in entries if (v := getattr(e, attr)) is not None]
        if not points:
            continue
        if len(points) > 1:
            coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                         'stroke-width="2"/>')
        parts += [f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}">'
                  f"<title>{d.isoformat()}: {label} {v:g}/10</title></circle>" for d, v in points]
    return _chart(svg_chart("".join(parts), f"pain over time: {escape(title)}"))


def _group_label(site: str, side: str | None) -> str:
    where = site.replace("-", " ")
    return f"{side} {where}" if side in ("left", "right") else (
        f"{where}, both sides" if side == "both" else f"{where}, side not given")


def _pain_groups(entries: list[JournalEntry], first: date,
                 last: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Summary rows and charts of pain by site and side (an entry counts for each of its sites)."""
    groups: dict[tuple[str, str | None], list[JournalEntry]] = {}
    for entry in entries:
        if entry.pain is None:
            continue
        for site in entry.where or ["unspecified site"]:
            groups.setdefault((site, entry.side), []).append(entry)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0][0], kv[0][1] or ""))
    rows = []
    for (site, side), group in ordered:
        row: dict[str, Any] = {"label": _group_label(site, side), "entries": len(group),
                               "first": group[0].date.isoformat(),
                               "last": group[-1].date.isoformat()}
        for label, attr, _ in PAIN_SERIES:
            values = [float(v) for e in group if (v := getattr(e, attr)) is not None]
            row[label] = (f"{sum(values) / len(values):.1f} / {max(values):g}" if values else "–")
        rows.append(row)
    charts = [{"label": _group_label(site, side),
               "svg": _pain_chart(group, first, last, _group_label(site, side))}
              for (site, side), group in ordered[:MAX_PAIN_CHARTS]]
    return rows, charts


# ---------------------------------------------------------------------------------------------
# the context


def _fmt(value: float | None, fmt: str = "g") -> str:
    return "–" if value is None else format(value, fmt)


def _signed(value: float | None) -> str:
    if value is None:
        return "–"
    return "·" if abs(value) < 0.0005 else f"{value:+.3f}"


def _run_date(run: RunSummary) -> date | None:
    if run.start_time_utc is None or run.time_is_relative:
        return None
    return run.start_time_utc.astimezone(UTC).date()


def _load_section(runs: list[RunSummary], first: date, last: date) -> dict[str, Any]:
    from hipstride.analysis.trends import progression_flags, weekly_load
    from hipstride.report.trends_page import load_chart, progression_chart

    dated = [r for r in runs if (d := _run_date(r)) is not None and d <= last]
    weeks = weekly_load(dated, until=last)
    flags = [f for f in progression_flags(weeks) if first <= f.week <= last]
    shown = [w.to_dict() for w in weeks if w.week_start >= first]
    flagged = {f.week.isoformat() for f in flags}
    rows = [{"week": w["week_start"], "km": f"{w['distance_m'] / 1000:.1f}", "runs": w["runs"],
             "hip_load": f"{w['hip_load']:.1f}",
             "wow": _fmt(w["week_over_week_pct"], "+.0f") + (" %" if w["week_over_week_pct"]
                                                            is not None else ""),
             "two": _fmt(w["two_week_pct"], "+.0f") + (" %" if w["two_week_pct"] is not None
                                                      else ""),
             "acwr": _fmt(w["acwr"], ".2f"), "flagged": w["week_start"] in flagged}
            for w in shown]
    has_running = any(w["runs"] for w in shown)
    return {
        "rows": rows,
        "chart": _chart(load_chart(shown)) if has_running else None,
        "progression_chart": _chart(progression_chart(shown)) if has_running else None,
        "flags": [{"week": f.week.isoformat(), "text": f.text, "evidence": f.evidence}
                  for f in flags],
    }


def _form_section(store: RunStore, first: date, last: date) -> dict[str, Any]:
    from hipstride.analysis.baselines import DEVICE_NOTES, SPEED_NOTE
    from hipstride.analysis.formchanges import form_history
    from hipstride.report.trends_page import form_chart

    changes, deviations = form_history(store.form_minutes())
    in_period = [c for c in changes if first <= c.confirmed_start_utc.date() <= last]
    runs = [d.to_dict() for d in deviations if first <= d.start_utc.date() <= last]
    charts = []
    for metric, label in FORM_LABELS.items():
        svg = form_chart(runs, metric)
        if svg:
            charts.append({"label": label, "svg": _chart(svg), "note": DEVICE_NOTES[metric]})
    return {
        "changes": [{"date": c.confirmed_start_utc.date().isoformat(),
                     "metric": FORM_LABELS.get(c.metric, c.metric), "text": c.text,
                     "evidence": c.evidence, "device_note": c.device_note}
                    for c in in_period],
        "charts": charts,
        "speed_note": SPEED_NOTE,
    }


def _runs_section(store: RunStore, runs: list[RunSummary], first: date,
                  last: date) -> dict[str, Any]:
    in_period = [r for r in runs if (d := _run_date(r)) is not None and first <= d <= last]
    listed = in_period[-MAX_RUNS_LISTED:]
    rows = []
    for run in reversed(listed):
        stored = store.get_analysis(run.id)
        factors = (stored[0].get("hip_load", {}).get("factors", {}) if stored else {})
        day = _run_date(run)
        rows.append({
            "id": run.id, "date": day.isoformat() if day else "–", "name": run.name or "",
            "km": "–" if run.distance_m is None else f"{run.distance_m / 1000:.2f}",
            "index": "–" if run.hip_load_index is None else f"{run.hip_load_index:.3f}",
            "factors": [_signed(factors.get(f)) for f in FACTOR_NAMES],
            "device": run.device or "",
        })
    return {"rows": rows, "total": len(in_period), "cut": len(in_period) > len(listed)}


def clinician_context(store: RunStore, *, until: date,
                      weeks: int = DEFAULT_WEEKS) -> dict[str, Any]:
    """Everything the clinician page shows, for the ``weeks`` ISO weeks up to ``until``."""
    from hipstride.analysis.trends import week_start

    if weeks < 1:
        raise InputError(f"--weeks: must be at least 1, got {weeks}")
    first = week_start(until) - timedelta(weeks=weeks - 1)
    entries = list_entries(store, since=first, until=until)
    runs = store.list_runs(sport="running")
    red_flags = [{"date": e.date.isoformat(), "flag": flag, "label": FLAG_LABELS.get(flag, flag)}
                 for e in entries for flag in e.flags]
    pain_rows, pain_charts = _pain_groups(entries, first, until)
    decision = decide_today(store, today=until)
    runs_section = _runs_section(store, runs, first, until)
    sites = Counter(site for e in entries for site in e.where)
    return {
        "version": __version__,
        "first": first.isoformat(),
        "last": until.isoformat(),
        "weeks": weeks,
        "generated": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip(),
        "summary": {"entries": len(entries), "runs": runs_section["total"],
                    "sites": ", ".join(f"{s} ({n})" for s, n in sites.most_common()) or "–"},
        "red_flags": red_flags,
        "decision": decision.to_dict(),
        "pain_rows": pain_rows,
        "pain_charts": pain_charts,
        "pain_series": [(label, colour) for label, _, colour in PAIN_SERIES],
        "pain_limit": PAIN_ACCEPTABLE_MAX,
        "load": _load_section(runs, first, until),
        "form": _form_section(store, first, until),
        "runs": runs_section,
        "factor_names": FACTOR_NAMES,
        "entries": [{"date": e.date.isoformat(), "during": _fmt(e.pain_during),
                     "after": _fmt(e.pain_after), "morning": _fmt(e.pain_morning),
                     "stiffness": _fmt(e.morning_stiffness_min),
                     "where": ", ".join(e.where) or "–", "side": e.side or "–",
                     "better": e.better or "", "worse": e.worse or "",
                     "flags": [FLAG_LABELS.get(f, f) for f in e.flags],
                     "run": "–" if e.run_id is None else str(e.run_id)}
                    for e in reversed(entries)],
    }


def render_clinician_html(store: RunStore, *, until: date, weeks: int = DEFAULT_WEEKS) -> str:
    """The clinician page as one HTML document (see the module docstring)."""
    context = clinician_context(store, until=until, weeks=weeks)
    return _environment().get_template("clinician.html.j2").render(**context)


# ---------------------------------------------------------------------------------------------
# writing


@contextlib.contextmanager
def _atomic(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out``, moved onto ``out`` when the block succeeds."""
    folder = out.parent if str(out.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is an ordinary document
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def write_clinician_html(html: str, out: str | os.PathLike[str]) -> Path:
    """Write the page to ``out`` atomically (a temporary file beside it, then a rename)."""
    path = Path(out)
    with _atomic(path) as tmp:
        tmp.write_text(html, encoding="utf-8", newline="\n")
    return path


def _weasyprint() -> Any:
    """The ``weasyprint`` module, or ``None`` when it is missing or its libraries do not load."""
    try:
        return importlib.import_module("weasyprint")
    except (ImportError, OSError):  # OSError: the package is there but Pango is not
        return None


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
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


def _weasyprint_pdf(html_path: Path, out: Path) -> None:
    weasyprint = _weasyprint()
    urls = importlib.import_module("weasyprint.urls")
    # the page needs nothing from outside; refuse anything but inline data all the same
    fetcher = (urls.URLFetcher(allowed_protocols=("data",)) if hasattr(urls, "URLFetcher")
               else _no_network)
    html = html_path.read_text(encoding="utf-8")
    weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(out)


def _chromium_pdf(html_path: Path, out: Path) -> None:
    binary = _chromium()
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="hipstride-chromium-") as profile:
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--disable-extensions", "--no-first-run",
                   "--no-pdf-header-footer", "--print-to-pdf-no-header",  # new and old name
                   f"--user-data-dir={profile}",
                   f"--print-to-pdf={out}", html_path.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=CHROMIUM_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"--pdf: Chromium did not finish within {CHROMIUM_TIMEOUT_S:g} s") \
                from None
    if done.returncode != 0 or not out.exists() or out.read_bytes()[:5] != b"%PDF-":
        detail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise InputError(f"--pdf: Chromium could not print the page ({detail[0]})")


def write_pdf(html_path: str | os.PathLike[str], out: str | os.PathLike[str], *,
              engine: PdfEngine = "auto") -> str:
    """Print the HTML page at ``html_path`` to a PDF at ``out`` (atomically); return the engine.

    WeasyPrint is used when it is installed and loads (it needs Pango), else headless Chromium.

    Raises
    ------
    InputError
        When neither is available (the message says how to get one) or printing fails.
    """
    chosen = pdf_engine(engine)
    if chosen is None:
        raise InputError(
            "--pdf: no PDF engine here; install WeasyPrint (`pip install weasyprint`, which needs "
            "Pango: `apt-get install libpango-1.0-0 libpangoft2-1.0-0` on Debian/Ubuntu) or "
            "Chromium (`apt-get install chromium`), or open the HTML report in a browser and "
            "print it to PDF")
    source, target = Path(html_path), Path(out)
    with _atomic(target) as tmp:
        if chosen == "weasyprint":
            _weasyprint_pdf(source, tmp)
        else:
            _chromium_pdf(source, tmp)
    return chosen
