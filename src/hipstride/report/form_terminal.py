"""The form check in the terminal: the quality gate first, then each metric with its spread.

Reads the check's JSON document only (the same one that is printed with JSON and stored), so a
stored check shows exactly as it did when it was made.
"""

from __future__ import annotations

from typing import Any

__all__ = ["STATUS_WORDS", "form_history_lines", "form_lines"]

#: How each check status is shown.
STATUS_WORDS = {"ok": "ok  ", "warn": "note", "fail": "FIX "}


def _value(m: dict[str, Any]) -> str:
    median = m.get("median")
    if median is None:
        return "not measured"
    unit = m.get("unit", "")
    return (f"{median:.3g} {unit} (± {m['noise_floor']:.2g} noise floor, confidence "
            f"{m['confidence']:.2f}, {sum(v is not None for v in m['per_step'])} steps"
            + (f", {len(m['per_stride'])} strides" if m.get("per_stride") else "") + ")")


def form_lines(doc: dict[str, Any]) -> list[str]:
    """Lines of the terminal summary of one check document."""
    fps = doc.get("fps")
    lines = [f"Form check of {doc['source']}: {doc['view']} view, "
             f"{doc['usable_frames']} of {doc['frames']} frames usable"
             + (f", {fps:g} frames/s" if fps else ""),
             "", "Capture quality:"]
    lines += [f"  {STATUS_WORDS.get(c['status'], c['status'])} {c['name']}: {c['message']}"
              for c in doc["quality"]["checks"]]
    if not doc["quality"]["passed"]:
        lines += ["", "The clip does not pass the quality gate: the numbers below are provisional "
                      "and no advice is drawn from them."]
    lines += ["", "Metrics (median over the steps):"]
    for key, m in doc["metrics"].items():
        note = f"  [{m['note']}]" if m.get("note") else ""
        lines.append(f"  {key}: {_value(m)}{note}")
    strike = doc.get("foot_strike")
    if strike and strike.get("pattern"):
        lines.append(f"  foot strike: {strike['pattern']} ({strike['share']:.0%} of steps, "
                     f"confidence {strike['confidence']:.2f})")
    trend = doc.get("trend")
    if trend and trend["changes"]:
        lines += ["", f"Since your check #{trend['since_id']} of {trend['since_utc'][:10]}:"]
        for key, c in trend["changes"].items():
            verdict = "" if c["beyond_noise"] else " (within the noise)"
            lines.append(f"  {key}: {c['before']:.3g} -> {c['now']:.3g}{verdict}")
    if doc.get("advice"):
        lines += ["", "What this may mean (education, not a diagnosis):"]
        lines += [f"  - {a['text']} ({a['source']}"
                  + (f"; because {a['because']})" if a.get("because") else ")")
                  for a in doc["advice"]]
    return lines


def form_history_lines(rows: list[dict[str, Any]]) -> list[str]:
    """One line per stored check: id, date, view, gate, main medians."""
    if not rows:
        return ["No form checks stored yet."]
    out = []
    for r in rows:
        parts = [f"{k} {v:.3g}" for k, v in r["medians"].items() if v is not None]
        gate = "passed" if r["passed"] else "provisional"
        run = f" run {r['run_id']}" if r["run_id"] is not None else ""
        out.append(f"#{r['id']} {r['checked_at_utc'][:10]} {r['view']} {gate}{run}: "
                   f"{r['source']}; " + ", ".join(parts))
    return out
