"""The summary messages of a FIT file: sessions, laps, timer events and the device.

:func:`choose_session` picks the session to read (the longest running one, else the longest) and
:func:`session_window` its records' time window in a multisport file; :func:`session_summary`, :func:`read_laps`,
:func:`timer_pauses` and :func:`device_name` read what the device summarised. Values are FIT's own
(seconds since the FIT epoch, metres); a missing or non-numeric value is ``None``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hipstride.activity import Lap, Session
from hipstride.io.fit._frames import Message, Part

__all__ = ["FOOT_SPORTS", "choose_session", "device_name", "enum", "first_value", "number",
           "optional", "read_laps", "session_summary", "session_window", "timer_pauses"]

#: Sports whose FIT cadence counts strides (one foot): doubled into steps/min.
FOOT_SPORTS = frozenset({"running", "walking", "hiking"})
#: Devices log records up to a few seconds after a session's end (2.4 s seen on an FR645M) (s).
WINDOW_SLACK_S = 5.0


def number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return np.nan
    return np.nan


def optional(value: Any) -> float | None:
    value = number(value)
    return value if np.isfinite(value) else None


def enum(value: Any) -> str | None:
    return (value.strip().lower() or None) if isinstance(value, str) else None


def first_value(session: Message | None, parts: list[Part], key: str) -> Any:
    """``key`` of the session, else of the first sport or lap message that has it."""
    if session is not None and session.get(key) is not None:
        return session[key]
    for kind in ("sport_mesgs", "lap_mesgs"):
        for part in parts:
            for message in part.messages.get(kind, []):
                if message.get(key) is not None:
                    return message[key]
    return None


def choose_session(sessions: list[Message]) -> Message | None:
    """The longest running session, else the longest session."""
    running = [s for s in sessions if enum(s.get("sport")) == "running"]
    pool = running or sessions
    if not pool:
        return None
    return max(pool, key=lambda s: optional(s.get("total_elapsed_time")) or 0.0)


def session_span(session: Message) -> tuple[float | None, float | None]:
    """Start and end of a session in FIT seconds (either may be unknown)."""
    start = optional(session.get("start_time"))
    elapsed = optional(session.get("total_elapsed_time"))
    stamp = optional(session.get("timestamp"))
    if start is None and stamp is not None and elapsed is not None:
        start = stamp - elapsed
    end = start + elapsed if start is not None and elapsed is not None else stamp
    return start, end


def session_window(session: Message | None, sessions: list[Message]) -> tuple[float, float] | None:
    """The records' time window of ``session`` among several: its span, never into the next."""
    if session is None:
        return None
    start, end = session_span(session)
    if start is None:
        return None
    upper = end + WINDOW_SLACK_S if end is not None else np.inf
    for other in sessions:
        other_start = session_span(other)[0]
        if other is not session and other_start is not None and start < other_start < upper:
            upper = other_start
    return start, float(upper)


def session_summary(session: Message | None, sport: str) -> Session:
    if session is None:
        return Session()

    def get(key: str) -> float | None:
        return optional(session.get(key))

    cadence = None
    strides = get("avg_running_cadence")
    strides = get("avg_cadence") if strides is None else strides
    if strides is not None and sport in FOOT_SPORTS:
        cadence = 2.0 * (strides + (get("avg_fractional_cadence") or 0.0))
    return Session(
        distance_m=get("total_distance"),
        elapsed_time_s=get("total_elapsed_time"),
        timer_time_s=get("total_timer_time"),
        total_ascent_m=get("total_ascent"),
        total_descent_m=get("total_descent"),
        avg_cadence_spm=cadence,
        avg_stance_time_ms=get("avg_stance_time"),
        avg_stance_time_balance_left_pct=get("avg_stance_time_balance"),
        avg_vertical_oscillation_mm=get("avg_vertical_oscillation"),
        avg_vertical_ratio_pct=get("avg_vertical_ratio"),
        avg_step_length_mm=get("avg_step_length"),
    )


_TIMER_STOPS = frozenset({"stop", "stop_all", "stop_disable", "stop_disable_all"})


def timer_pauses(parts: list[Part], t0: float, t_end: float) -> list[tuple[float, float]]:
    """Spans (seconds from ``t0``) between a timer ``stop`` event and the next ``start``."""
    events = sorted((float(e["timestamp"]), str(e.get("event_type")))
                    for part in parts for e in part.messages.get("event_mesgs", [])
                    if e.get("event") == "timer" and isinstance(e.get("timestamp"), int | float))
    pauses: list[tuple[float, float]] = []
    stopped_at: float | None = None
    for stamp, kind in events:
        if kind in _TIMER_STOPS and stopped_at is None:
            stopped_at = stamp
        elif kind == "start" and stopped_at is not None:
            if stamp > stopped_at:
                pauses.append((stopped_at - t0, stamp - t0))
            stopped_at = None
    return [(a, b) for a, b in pauses if b > 0 and a < t_end - t0]


def read_laps(parts: list[Part], window: tuple[float, float] | None, t0: float) -> list[Lap]:
    laps = []
    for part in parts:
        for lap in part.messages.get("lap_mesgs", []):
            start = session_span(lap)[0]
            if start is None or (window is not None and not window[0] <= start < window[1]):
                continue
            laps.append(Lap(start_time_s=start - t0,
                            elapsed_time_s=optional(lap.get("total_elapsed_time")),
                            distance_m=optional(lap.get("total_distance"))))
    return sorted(laps, key=lambda lap: lap.start_time_s)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def device_name(parts: list[Part]) -> str | None:
    """``"manufacturer product"`` from file_id (product names from device_info if needed)."""
    file_ids = [m for part in parts for m in part.messages.get("file_id_mesgs", [])]
    infos = [m for part in parts for m in part.messages.get("device_info_mesgs", [])]
    file_id = file_ids[0] if file_ids else {}
    maker = _text(file_id.get("manufacturer"))
    model = next((v.strip() for key in ("garmin_product", "favero_product", "product_name")
                  if isinstance(v := file_id.get(key), str) and v.strip()), None)
    if model is None:
        model = next((v.strip() for info in infos
                      if isinstance(v := info.get("product_name"), str) and v.strip()
                      and _text(info.get("manufacturer")) in (None, maker)), None)
    if model is None:
        model = _text(file_id.get("product"))
    if maker and model:
        return model if model.lower().startswith(maker.lower()) else f"{maker} {model}"
    return maker or model
