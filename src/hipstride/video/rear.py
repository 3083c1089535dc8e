"""Rear-view metrics over landmark arrays: pelvic drop, arm crossing, step width, trunk sway.

In a rear view the runner's left is on the picture's left. Sides are taken from the picture (the
hip further left is the left hip), so a model that mirrors its labels changes nothing.

* **Stances**: the runner may move away from the camera, so there is no fixed ground level. In each
  frame the leg whose foot is lower in the picture by more than :data:`STANCE_GAP_LEGS` leg lengths
  is the stance leg; a run of such frames (gaps of one or two frames closed) is a stance and its
  middle frame is mid-stance.
* **Contralateral pelvic drop**: the tilt of the line through the hips at mid-stance, positive when
  the hip of the swinging leg is lower, measured against the runner's own median tilt over the
  clip. The pose model carries a constant tilt of several degrees (about +7.8° on the tfjs squat
  clip, the same in the published reference), so an absolute angle would mostly be that bias.
  Bramah et al. (2018) found more drop in injured runners.
* **Arm crossing**: how far a wrist passes the body's midline (the midpoint of the shoulders)
  toward the other side, in shoulder widths; positive = across. Largest per stance.
* **Step width**: the stance heel's distance from the pelvis midline toward its own side, in hip
  widths; negative means the foot lands across the midline (crossover), which is reported as such.
* **Lateral trunk sway**: side-to-side range of the hip-to-shoulder line's angle per stride.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hipstride.video.metric import Metric, make_metric, nan_quiet

__all__ = ["STANCE_GAP_LEGS", "RearStance", "rear_metrics", "rear_stances"]

#: A foot this much lower than the other (leg lengths) marks its leg as the stance leg.
STANCE_GAP_LEGS = 0.03
HIP, KNEE, ANKLE, HEEL, TOE = range(5)


@dataclass(frozen=True)
class RearStance:
    """A stance in a rear view: first and last row, and the picture side ("left"/"right")."""

    start: int
    end: int
    side: str
    complete: bool

    @property
    def mid(self) -> int:
        return (self.start + self.end) // 2


def _by_picture_side(legs: NDArray[np.float64]) -> NDArray[np.float64]:
    """Reorder the two legs so that column 0 is the leg whose hip is further left."""
    swap = legs[:, 0, HIP, 0] > legs[:, 1, HIP, 0]
    out = legs.copy()
    out[swap] = legs[swap, ::-1]
    return out


def _foot_y(legs: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(np.fmax(np.fmax(legs[:, :, HEEL, 1], legs[:, :, TOE, 1]), legs[:, :, ANKLE, 1]))


@nan_quiet
def rear_stances(legs: NDArray[np.float64], frames: NDArray[np.bool_]) -> list[RearStance]:
    """Stances from which foot is lower (see the module docstring), sides by picture position."""
    sided = _by_picture_side(legs)
    hip_y = sided[:, :, HIP, 1].mean(axis=1)
    leg = np.nanmedian(np.abs(_foot_y(sided) - hip_y[:, None]), axis=1)
    diff = (_foot_y(sided)[:, 0] - _foot_y(sided)[:, 1]) / leg  # > 0: left foot lower
    state = np.where(~frames | ~np.isfinite(diff), 0,
                     np.where(diff > STANCE_GAP_LEGS, 1, np.where(diff < -STANCE_GAP_LEGS, 2, 0)))
    n = len(state)
    for gap in (1, 2):  # a stance interrupted by a frame or two of noise is still one stance
        for i in range(1, n - gap):
            if state[i - 1] and state[i - 1] == state[i + gap] and (state[i:i + gap] == 0).all():
                state[i:i + gap] = state[i - 1]
    stances: list[RearStance] = []
    i = 0
    while i < n:
        if state[i] == 0:
            i += 1
            continue
        j = i
        while j + 1 < n and state[j + 1] == state[i]:
            j += 1
        if j > i:
            complete = i > 0 and bool(frames[i - 1]) and j + 1 < n and bool(frames[j + 1])
            stances.append(RearStance(i, j, "left" if state[i] == 1 else "right", complete))
        i = j + 1
    return stances


@nan_quiet
def rear_metrics(legs: NDArray[np.float64], shoulders_lr: NDArray[np.float64],
                 wrists_lr: NDArray[np.float64], stances: list[RearStance], *, noise_px: float,
                 visibility: float) -> dict[str, Metric]:
    """All rear-view metrics. ``shoulders_lr`` and ``wrists_lr`` are (frames, 2, 2): the model's
    left and right shoulder / wrist, paired so that each wrist goes with its own shoulder."""
    sided = _by_picture_side(legs)
    lhip, rhip = sided[:, 0, HIP], sided[:, 1, HIP]
    tilt = np.degrees(np.arctan2(rhip[:, 1] - lhip[:, 1], rhip[:, 0] - lhip[:, 0]))
    own = float(np.nanmedian(tilt)) if np.isfinite(tilt).any() else float("nan")
    hip_mid = (lhip + rhip) / 2
    hip_w = float(np.nanmedian(np.hypot(*(rhip - lhip).T)))
    sh_mid = shoulders_lr.mean(axis=1)
    sh_w = float(np.nanmedian(np.hypot(*(shoulders_lr[:, 1] - shoulders_lr[:, 0]).T)))
    trunk = np.degrees(np.arctan2(sh_mid[:, 0] - hip_mid[:, 0], hip_mid[:, 1] - sh_mid[:, 1]))
    cross_side = np.sign(shoulders_lr[:, :, 0] - sh_mid[:, None, 0])  # each wrist's own side
    crossing = (sh_mid[:, None, 0] - wrists_lr[:, :, 0]) * cross_side / sh_w  # > 0: past midline
    drop, arms, width, sway = [], [], [], []
    done = [s for s in stances if s.complete]
    for s in done:
        m = s.mid
        # the stance side's opposite hip is the swinging one; positive = it sits lower
        sign = 1.0 if s.side == "left" else -1.0
        drop.append(float(sign * (tilt[m] - own)))
        arms.append(float(np.nanmax(crossing[s.start:s.end + 1])))
        col = 0 if s.side == "left" else 1
        heel = sided[m, col, HEEL, 0] if np.isfinite(sided[m, col, HEEL, 0]) else sided[m, col, ANKLE, 0]
        toward_own = -1.0 if s.side == "left" else 1.0
        width.append(float(toward_own * (heel - hip_mid[m, 0]) / hip_w))
    for a, b in itertools.pairwise(done):
        window = trunk[a.start:b.start + 1]
        sway.append(float(np.nanmax(window) - np.nanmin(window)) if np.isfinite(window).sum() > 2 else None)
    sigma = noise_px * math.sqrt(2.0)
    crossover = sum(1 for w in width if w < 0)
    trunk_len = float(np.nanmedian(np.hypot(*(sh_mid - hip_mid).T)))
    return {
        "pelvic_drop_deg": make_metric("contralateral pelvic drop at mid-stance", "deg", drop,
                                       math.degrees(sigma / hip_w), visibility, 3.0,
                                       f"against the runner's own median hip tilt ({own:+.1f}°)"),
        "arm_crossing_shoulder_widths": make_metric(
            "wrist past the body's midline", "shoulder widths", arms, sigma / sh_w, visibility, 0.2,
            "positive: the wrist crosses the midline"),
        "step_width_hip_widths": make_metric(
            "stance foot from the pelvis midline", "hip widths", width, sigma / hip_w, visibility,
            0.2, f"{crossover} of {len(width)} steps land across the midline (crossover)"),
        "trunk_sway_deg": make_metric("lateral trunk sway per stride", "deg", sway,
                                      math.degrees(sigma / trunk_len), visibility, 3.0),
    }
