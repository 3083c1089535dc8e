"""Side-view metrics over landmark arrays: trunk lean, overstride, foot strike, knee, timing, bounce.

Conventions: image pixels, y down; ``direction`` is +1 when the runner faces the picture's right.
Angles are positive in the running direction (trunk ahead of the hips, ankle ahead of the knee,
toes up). Lengths are in leg lengths (thigh + shank).

* **Trunk lean**: the line from the hip midpoint to the shoulder midpoint against the vertical,
  median over each stance. More forward lean moves work from the knee to the hip extensors
  (Teng & Powers 2015), so for a sore hip it is worth knowing.
* **Overstride** at initial contact: how far the landing heel is ahead of the hip midpoint, and
  the shank angle (knee to ankle against the vertical; positive = ankle ahead of the knee). A foot
  far ahead of the body with a forward-reaching shank goes with larger braking and hip loads
  (Bramah et al. 2018 link overstriding to injured runners).
* **Foot strike**: heel-to-toe angle at landing minus the same foot's angle at mid-stance (the model
  reads a flat foot a few degrees off, so the foot is its own reference). Classed with the
  thresholds of Altman & Davis (2012): above 8.1° heel, −1.6° to 8.1° midfoot, below fore.
* **Knee flexion at contact**: 180° minus the hip-knee-ankle angle, reported only when a leg spans
  at least :data:`KNEE_MIN_LEG_PX` pixels; below that it was measured to scatter by tens of degrees.
* **Cadence** from the landing times (sub-frame: where the foot height crosses the ground
  tolerance), **contact time** from landing to take-off where both were seen, and **vertical
  oscillation** as the hip midpoint's rise and fall between landings, per leg length.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipstride.video.contacts import GROUND_TOLERANCE_LEGS, Contact
from hipstride.video.metric import Metric, make_metric, nan_quiet

__all__ = ["KNEE_MIN_LEG_PX", "cadence_spm", "landing_times", "side_metrics", "strike_class",
           "strike_pattern"]

#: Knee flexion is reported only when a leg is at least this long in the picture (pixels).
KNEE_MIN_LEG_PX = 200.0
HIP, KNEE, ANKLE, HEEL, TOE = range(5)


def strike_class(angle_deg: float) -> str:
    """heel / mid / fore from the strike angle (Altman & Davis 2012)."""
    return "heel" if angle_deg > 8.1 else ("mid" if angle_deg >= -1.6 else "fore")


def strike_pattern(strike: Metric) -> dict[str, Any]:
    """The most common strike class over the steps (a tie: the median angle's class), the share
    of steps in it, and a confidence:
    that share times the angle's own confidence, lowered further when the median lies within the
    noise floor of a class boundary."""
    classes = [strike_class(v) for v in strike.per_step if v is not None]
    if not classes or strike.median is None:
        return {"pattern": None, "share": 0.0, "confidence": 0.0, "per_step": []}
    counts = {c: classes.count(c) for c in ("heel", "mid", "fore")}
    best = max(counts.values())
    tied = [c for c, n in counts.items() if n == best]
    # a tie goes to the class of the median angle
    pattern = tied[0] if len(tied) == 1 else strike_class(strike.median)
    share = classes.count(pattern) / len(classes)
    margin = min(abs(strike.median - 8.1), abs(strike.median + 1.6))
    closeness = min(1.0, margin / strike.noise_floor) if strike.noise_floor > 0 else 1.0
    return {"pattern": pattern, "share": round(share, 2),
            "confidence": round(share * strike.confidence * (0.5 + 0.5 * closeness), 2),
            "per_step": [None if v is None else strike_class(v) for v in strike.per_step]}


def landing_times(contacts: list[Contact], heights: NDArray[np.float64]) -> list[float]:
    """Sub-frame landing time (in frames) of each contact whose landing was seen."""
    times = []
    for c in contacts:
        if not c.landing_seen:
            continue
        before, at = heights[c.start - 1, c.leg], heights[c.start, c.leg]
        if math.isfinite(before) and before > at:
            times.append(c.start - 1 + (before - GROUND_TOLERANCE_LEGS) / (before - at))
        else:
            times.append(float(c.start))
    return times


def cadence_spm(times: list[float], fps: float | None) -> tuple[list[float | None], float]:
    """Steps per minute per interval between landings, and the noise floor of the median.

    An interval near twice the median is a stride with one landing missed and counts as two
    steps; anything else far from the median is dropped.
    """
    if fps is None or len(times) < 2:
        return [], float("nan")
    gaps = np.diff(times)
    typical = float(np.median(gaps))
    steps: list[float | None] = []
    for gap in gaps:
        n = 1 if 0.6 * typical <= gap <= 1.4 * typical else (2 if 1.6 * typical <= gap <= 2.4 * typical else 0)
        steps.append(60.0 * fps * n / gap if n else None)
    used = max(1, sum(1 for s in steps if s is not None))
    cadence = 60.0 * fps / typical
    return steps, cadence / typical / math.sqrt(used)  # one frame of timing error per interval


def _angle_deg(dx: NDArray[np.float64] | float, dy: NDArray[np.float64] | float) -> NDArray[np.float64]:
    return np.asarray(np.degrees(np.arctan2(dx, dy)))


@nan_quiet
def side_metrics(legs: NDArray[np.float64], shoulders: NDArray[np.float64],
                 contacts: list[Contact], heights: NDArray[np.float64], *, direction: int,
                 leg_px: float, noise_px: float, fps: float | None,
                 visibility: float) -> dict[str, Metric]:
    """All side-view metrics. ``legs`` is (frames, 2, 5, 2) from
    :func:`~hipstride.video.contacts.tracked_legs`, ``shoulders`` (frames, 2) the shoulder
    midpoint; ``visibility`` the mean visibility of the points used."""
    d = float(direction)
    hip = legs[:, :, HIP].mean(axis=1)
    trunk = _angle_deg(d * (shoulders[:, 0] - hip[:, 0]), hip[:, 1] - shoulders[:, 1])
    trunk_len = float(np.nanmedian(np.hypot(*(shoulders - hip).T)))
    seen = [c for c in contacts if c.landing_seen]
    lean, over, shank, strike, knee, contact_ms, bounce = [], [], [], [], [], [], []
    for c in seen:
        i, k = c.start, c.leg
        lean.append(float(np.nanmedian(trunk[c.start:c.end + 1])))
        over.append(float(d * (legs[i, k, HEEL, 0] - hip[i, 0]) / leg_px))
        ka = legs[i, k, ANKLE] - legs[i, k, KNEE]
        shank.append(float(_angle_deg(d * ka[0], ka[1])))
        foot = legs[:, k, TOE] - legs[:, k, HEEL]
        foot_deg = _angle_deg(legs[:, k, HEEL, 1] - legs[:, k, TOE, 1], d * foot[:, 0])
        strike.append(float(foot_deg[i] - foot_deg[c.mid]) if c.end - c.start >= 2 else None)
        thigh = legs[i, k, HIP] - legs[i, k, KNEE]
        inner = math.degrees(math.acos(np.clip(np.dot(thigh, ka) / (np.hypot(*thigh) * np.hypot(*ka)), -1, 1)))
        knee.append(180.0 - inner if leg_px >= KNEE_MIN_LEG_PX else None)
        contact_ms.append(1000.0 * (c.end - c.start + 1) / fps if fps and c.takeoff_seen else None)
    for a, b in itertools.pairwise(seen):
        y = hip[a.start:b.start + 1, 1]
        bounce.append(float((np.nanmax(y) - np.nanmin(y)) / leg_px) if np.isfinite(y).sum() > 2 else None)
    sigma = noise_px * math.sqrt(2.0)
    foot_len = float(np.nanmedian(np.hypot(*(legs[:, :, TOE] - legs[:, :, HEEL]).reshape(-1, 2).T)))
    shank_len = float(np.nanmedian(np.hypot(*(legs[:, :, ANKLE] - legs[:, :, KNEE]).reshape(-1, 2).T)))
    times = landing_times(contacts, heights)
    steps, cadence_noise = cadence_spm(times, fps)
    out = {
        "trunk_lean_deg": make_metric("trunk lean", "deg", lean, math.degrees(sigma / trunk_len),
                                      visibility, 5.0, "forward positive, median over each stance"),
        "overstride_legs": make_metric("heel ahead of hip at contact", "leg lengths", over,
                                       sigma / leg_px, visibility, 0.1),
        "shank_angle_deg": make_metric("shank angle at contact", "deg", shank,
                                       math.degrees(sigma / shank_len), visibility, 5.0,
                                       "positive: ankle ahead of the knee"),
        "foot_strike_deg": make_metric("foot strike angle", "deg", strike,
                                       math.degrees(sigma * math.sqrt(2) / foot_len), visibility, 8.0,
                                       "toes up positive, against the same foot at mid-stance"),
        "knee_flexion_contact_deg": make_metric(
            "knee flexion at contact", "deg", knee, math.degrees(2 * sigma / shank_len), visibility,
            10.0, "" if leg_px >= KNEE_MIN_LEG_PX else
            f"not reported: a leg spans {leg_px:.0f} px, under {KNEE_MIN_LEG_PX:.0f} px"),
        "cadence_spm": make_metric("cadence", "steps/min", steps, cadence_noise, visibility, 10.0,
                                   "" if fps else "frame rate unknown"),
        "contact_time_ms": make_metric("ground contact time", "ms", contact_ms,
                                       1000.0 / fps if fps else float("nan"), visibility, 30.0,
                                       "" if fps else "frame rate unknown"),
        "vertical_oscillation_legs": make_metric("vertical oscillation", "leg lengths", bounce,
                                                 sigma / leg_px, visibility, 0.03),
    }
    return out
