"""Form checks in the run library (table ``form_checks``, migration ``0010_form_checks.sql``).

A check is stored as its JSON document (what :meth:`hipstride.video.check.FormCheck.to_dict`
gives) with the date and, when given, the run it belongs to; the main medians sit in their own
columns so that the runner's checks can be listed and trended without opening each document.
:func:`change_since_last` compares a new check with the runner's last stored one of the same view
that passed the quality gate: a change counts only when it exceeds both checks' noise floors
added together, since each median carries its own.
The library stores documents and never imports the form engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hipstride.errors import InputError
from hipstride.library._sqlite_athlete import TREND_COLUMNS
from hipstride.library.store import FormCheckRow, RunStore, now_utc

__all__ = ["TREND_METRICS", "StoredFormCheck", "add_form_check", "change_since_last", "form_checks",
           "form_trend"]

#: Metrics kept in columns for trends (the column is named as the metric key in the document).
TREND_METRICS = TREND_COLUMNS


@dataclass(frozen=True)
class StoredFormCheck:
    """A stored check as the library's readers use it: the store's row
    (:class:`~hipstride.library.store.FormCheckRow`) with its document parsed once."""

    id: int
    checked_at_utc: str
    run_id: int | None
    source: str
    view: str
    passed: bool
    medians: dict[str, float | None]
    document: dict[str, Any]


def _median(doc: dict[str, Any], key: str) -> float | None:
    metric = doc.get("metrics", {}).get(key)
    value = metric.get("median") if isinstance(metric, dict) else None
    return float(value) if isinstance(value, int | float) else None


def add_form_check(store: RunStore, document: dict[str, Any], *, run_id: int | None = None,
                   checked_at_utc: str | None = None) -> int:
    """Store one check and return its id; :class:`InputError` when ``run_id`` is not stored."""
    if run_id is not None and store.get_run(run_id) is None:
        raise InputError(f"no run with id {run_id} in the library")
    view = document.get("view")
    if view not in ("side", "rear"):
        raise InputError(f"a form check's view must be side or rear, not {view!r}")
    row = FormCheckRow(id=None, checked_at_utc=checked_at_utc or now_utc(), run_id=run_id,
                       source=str(document.get("source", "")), view=view,
                       passed=bool(document.get("quality", {}).get("passed")),
                       medians={k: _median(document, k) for k in TREND_METRICS},
                       document_json=json.dumps(document, ensure_ascii=False))
    with store.transaction():
        return store.add_form_check(row)


def form_checks(store: RunStore, *, run_id: int | None = None) -> list[StoredFormCheck]:
    """The stored checks, oldest first (only those of ``run_id`` when given)."""
    return [StoredFormCheck(r.id or 0, r.checked_at_utc, r.run_id, r.source, r.view, r.passed,
                            r.medians, json.loads(r.document_json))
            for r in store.form_check_rows(run_id=run_id)]


def change_since_last(store: RunStore, document: dict[str, Any]) -> dict[str, Any] | None:
    """How ``document``'s medians differ from the last stored passed check of the same view
    (None when there is none)."""
    earlier = [c for c in form_checks(store) if c.view == document.get("view") and c.passed]
    if not earlier:
        return None
    last = earlier[-1]
    changes: dict[str, Any] = {}
    for key, metric in document.get("metrics", {}).items():
        before = last.document.get("metrics", {}).get(key, {})
        now_v, then_v = metric.get("median"), before.get("median")
        if now_v is None or then_v is None:
            continue
        floor = float(metric.get("noise_floor") or 0.0) + float(before.get("noise_floor") or 0.0)
        changes[key] = {"before": then_v, "now": now_v, "change": round(now_v - then_v, 3),
                        "beyond_noise": abs(now_v - then_v) > floor}
    return {"since_id": last.id, "since_utc": last.checked_at_utc, "changes": changes}


def _median_of(values: list[float]) -> float | None:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def form_trend(store: RunStore, *, until_utc: str | None = None) -> list[dict[str, Any]]:
    """Per view, the latest passed check (up to ``until_utc``, an ISO time or date) against the
    runner's earlier passed checks of that view.

    For each metric of :data:`TREND_METRICS` the latest median is compared with the median of
    the earlier medians; the change counts (``beyond_noise``) only when it exceeds the latest
    check's noise floor plus the median of the earlier noise floors. Views without a passed
    check are left out; a view with a single check has ``earlier`` 0 and no changes.
    """
    passed = [c for c in form_checks(store) if c.passed
              and (until_utc is None or c.checked_at_utc[:len(until_utc)] <= until_utc)]
    out: list[dict[str, Any]] = []
    for view in ("side", "rear"):
        mine = [c for c in passed if c.view == view]
        if not mine:
            continue
        latest, earlier = mine[-1], mine[:-1]
        metrics: dict[str, Any] = {}
        for key in TREND_METRICS:
            now = latest.document.get("metrics", {}).get(key)
            if not isinstance(now, dict) or now.get("median") is None:
                continue
            floor_now = float(now.get("noise_floor") or 0.0)
            before = [m for c in earlier
                      if isinstance(m := c.document.get("metrics", {}).get(key), dict)
                      and m.get("median") is not None]
            entry: dict[str, Any] = {"unit": now.get("unit", ""), "now": now["median"],
                                     "noise_floor": floor_now, "earlier": len(before)}
            if before:
                then = _median_of([float(m["median"]) for m in before])
                floor_then = _median_of([float(m.get("noise_floor") or 0.0) for m in before])
                assert then is not None
                assert floor_then is not None
                change = float(now["median"]) - then
                entry |= {"before": round(then, 3), "change": round(change, 3),
                          "floor": round(floor_now + floor_then, 3),
                          "beyond_noise": abs(change) > floor_now + floor_then}
            metrics[key] = entry
        out.append({"view": view, "id": latest.id, "checked_at_utc": latest.checked_at_utc,
                    "source": latest.source, "earlier": len(earlier), "metrics": metrics,
                    "advice": [a.get("finding") for a in latest.document.get("advice", [])]})
    return out
