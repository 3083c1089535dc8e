"""The clinician page's form checks from video: the latest per view, its trend, and the list.

Reads only the stored check documents (:func:`hipstride.library.form_checks.form_trend` and
:func:`~hipstride.library.form_checks.form_checks`), so the page shows each check as it was made.
A change is worded as beyond or within the noise: the noise floor is the latest check's own plus
the median of the earlier ones (each median carries its own jitter), and the page prints it beside
the change so a reader can judge it. A check that failed the capture-quality gate is listed in the
details, marked provisional, and never enters the trend.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hipstride.library.form_checks import TREND_METRICS, form_checks, form_trend
from hipstride.library.store import RunStore

__all__ = ["VIDEO_LABELS", "video_form_section"]

#: How the trended metrics are named on the page.
VIDEO_LABELS = {"cadence_spm": "cadence", "trunk_lean_deg": "trunk lean",
                "overstride_legs": "heel ahead of hip", "pelvic_drop_deg": "pelvic drop"}


def _number(value: float, unit: str) -> str:
    return f"{value:.2f} {unit}" if abs(value) < 1 else f"{value:.1f} {unit}"


def _change_text(key: str, m: dict[str, Any]) -> str:
    label, unit = VIDEO_LABELS.get(key, key), m["unit"]
    now = _number(float(m["now"]), unit)
    if "change" not in m:
        return f"{label} {now} (± {m['noise_floor']:.2g}; first check)"
    verdict = "beyond the noise" if m["beyond_noise"] else "within the noise"
    return (f"{label} {now}, {m['change']:+.2g} against the median of {m['earlier']} earlier "
            f"(± {m['floor']:.2g}, {verdict})")


def _metric_cells(doc: dict[str, Any]) -> list[str]:
    cells = []
    for key in TREND_METRICS:
        m = doc.get("metrics", {}).get(key)
        value = m.get("median") if isinstance(m, dict) else None
        cells.append("–" if value is None else
                     f"{_number(float(value), m.get('unit', ''))} ± {m['noise_floor']:.2g}")
    return cells


def video_form_section(store: RunStore, first: date, last: date) -> dict[str, Any]:
    """The latest check per view with its trend (``latest``, for page one) and every check of
    the period (``checks``, for the details)."""
    latest = [{"view": t["view"], "date": t["checked_at_utc"][:10], "id": t["id"],
               "source": t["source"], "earlier": t["earlier"],
               "changes": [_change_text(k, m) for k, m in t["metrics"].items()],
               "beyond": [VIDEO_LABELS.get(k, k) for k, m in t["metrics"].items()
                          if m.get("beyond_noise")],
               "findings": [f for f in t["advice"] if f]}
              for t in form_trend(store, until_utc=last.isoformat())]
    checks = [{"id": c.id, "date": c.checked_at_utc[:10], "view": c.view, "source": c.source,
               "passed": c.passed, "cells": _metric_cells(c.document),
               "findings": ", ".join(a.get("finding", "") for a in c.document.get("advice", [])
                                     if c.passed) or "–"}
              for c in form_checks(store) if first.isoformat() <= c.checked_at_utc[:10]
              <= last.isoformat()]
    return {"latest": latest, "checks": list(reversed(checks)),
            "labels": [VIDEO_LABELS[k] for k in TREND_METRICS]}
