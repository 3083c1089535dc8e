"""Body scale, usable frames and foot contacts found without trusting left/right labels.

Why label-free: in a side view the pose model cannot always tell the near leg from the far one; on
the Sports2D running clip BlazePose swapped the two legs in 4 of 33 frames (research notes, §A.2).
So the two legs are first followed by continuity, not by name: in each frame the two labelled legs
(knee, ankle, heel, toe) are compared with the midpoint of the frame before and the frame after,
and a frame whose swapped pairing fits that better is swapped back. Each followed leg then has
its own ground level (the 90th percentile of its lowest foot point: in a side view the far foot
touches the ground higher in the picture than the near one), and a stance is a run of frames in
which that foot stays within a small height of its ground level, with one-frame gaps closed.

Every length is divided by the runner's leg length (hip to knee plus knee to ankle, median over the
clip) so that the numbers do not depend on the camera distance. The landmark noise floor is read
from the clip itself: the median absolute second difference of the hip, shoulder and foot points
(for white noise its size is about 2.45 σ), an upper bound because it also holds real motion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hipstride.video.landmarks import LandmarkSequence, index_of
from hipstride.video.metric import nan_quiet

__all__ = ["LEG_JOINTS", "Contact", "facing", "find_contacts", "foot_heights", "ground_tilt_deg",
           "leg_length_px", "noise_px", "tracked_legs", "usable_frames"]

#: A foot counts as on the ground below this height, in leg lengths, above the fitted ground line.
GROUND_TOLERANCE_LEGS = 0.06
#: Points with a visibility below this are treated as not seen.
MIN_VISIBILITY = 0.3

_KEY = ["left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee",
        "left_ankle", "right_ankle"]
_FEET = {"left": ("left_heel", "left_foot_index", "left_ankle", "left_knee", "left_hip"),
         "right": ("right_heel", "right_foot_index", "right_ankle", "right_knee", "right_hip")}


def _xy(seq: LandmarkSequence, name: str) -> NDArray[np.float64]:
    out = seq.point(name).copy()
    out[seq.visibility[:, index_of(name)] < MIN_VISIBILITY] = np.nan
    return out


def _dist(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1]))


@nan_quiet
def leg_length_px(seq: LandmarkSequence) -> float:
    """Median over frames of thigh + shank (both legs), in pixels; NaN when never seen."""
    legs = [_dist(_xy(seq, f"{s}_hip"), _xy(seq, f"{s}_knee"))
            + _dist(_xy(seq, f"{s}_knee"), _xy(seq, f"{s}_ankle")) for s in ("left", "right")]
    values = np.concatenate(legs)
    values = values[np.isfinite(values)]
    return float(np.median(values)) if len(values) else float("nan")


@nan_quiet
def usable_frames(seq: LandmarkSequence, margin_px: float = 2.0) -> NDArray[np.bool_]:
    """Frames whose key points are all seen, inside the picture, and not a frozen repeat.

    A tracker that loses the runner may repeat the last pose for a few frames; such a frame (all
    key points within 0.2 px of the frame before) carries no new information and is dropped.
    """
    pts = np.stack([_xy(seq, n) for n in _KEY], axis=1)  # (frames, k, 2)
    ok = np.isfinite(pts).all(axis=(1, 2))
    if seq.width_px > 0 and seq.height_px > 0:
        inside = ((pts[..., 0] >= margin_px) & (pts[..., 0] <= seq.width_px - margin_px)
                  & (pts[..., 1] >= margin_px) & (pts[..., 1] <= seq.height_px - margin_px))
        ok &= inside.all(axis=1)
    if len(pts) > 1:
        motion = np.nanmedian(np.hypot(*np.moveaxis(np.diff(pts, axis=0), -1, 0)), axis=1)
        frozen = np.concatenate([[False], motion < 0.2])
        ok &= ~frozen
    return np.asarray(ok)


@nan_quiet
def noise_px(seq: LandmarkSequence, frames: NDArray[np.bool_]) -> float:
    """Landmark jitter in pixels (see the module docstring); NaN with fewer than 5 frames."""
    names = ["left_hip", "right_hip", "left_shoulder", "right_shoulder", "left_heel", "right_heel"]
    pts = np.stack([_xy(seq, n) for n in names], axis=1)
    pts[~frames] = np.nan
    if frames.sum() < 5:
        return float("nan")
    second = np.diff(pts, n=2, axis=0)
    values = np.abs(second[np.isfinite(second)])
    return float(np.median(values) / 0.6745 / np.sqrt(6.0)) if len(values) else float("nan")



@nan_quiet
def facing(seq: LandmarkSequence) -> int:
    """+1 when the runner faces the picture's right (toes ahead of heels to the right), else -1."""
    ahead = np.concatenate([_xy(seq, f"{s}_foot_index")[:, 0] - _xy(seq, f"{s}_heel")[:, 0]
                            for s in ("left", "right")])
    ahead = ahead[np.isfinite(ahead)]
    return 1 if len(ahead) == 0 or np.median(ahead) >= 0 else -1


@dataclass(frozen=True)
class Contact:
    """One stance of one followed leg (0 or 1): the row where the foot lands, the last row on the
    ground, and whether the landing and the take-off were seen (a usable frame before/after)."""

    start: int
    end: int
    leg: int
    landing_seen: bool
    takeoff_seen: bool

    @property
    def mid(self) -> int:
        return (self.start + self.end) // 2


#: Joints of one leg as followed: hip, knee, ankle, heel, toe.
LEG_JOINTS = ("hip", "knee", "ankle", "heel", "foot_index")


def _gap(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    return float(np.nansum(np.hypot(a[..., 0] - b[..., 0], a[..., 1] - b[..., 1])))


@nan_quiet
def tracked_legs(seq: LandmarkSequence, frames: NDArray[np.bool_]) -> NDArray[np.float64]:
    """(frames, 2, 5, 2): the two legs' joints (:data:`LEG_JOINTS`) followed by continuity.

    Column 0 starts as the model's left leg; a frame whose legs fit the prediction better swapped
    is swapped back. Rows outside ``frames`` are NaN.
    """
    legs = np.stack([np.stack([_xy(seq, f"{side}_{j}") for j in LEG_JOINTS], axis=1)
                     for side in ("left", "right")], axis=1)
    legs[~frames] = np.nan
    out = legs.copy()
    n = seq.n_frames
    for i in range(1, n):
        if not (frames[i] and frames[i - 1]):
            continue
        # interpolate between the frame before (already put right) and the frame after: a swap
        # the model makes in one frame stands out against both neighbours
        after = legs[i + 1] if i + 1 < n and frames[i + 1] else out[i - 1]
        pred = (out[i - 1] + after) / 2
        if _gap(legs[i, ::-1, 1:], pred[:, 1:]) < _gap(legs[i, :, 1:], pred[:, 1:]):
            out[i] = legs[i, ::-1]
    return out


@nan_quiet
def foot_heights(legs: NDArray[np.float64], leg_px: float) -> NDArray[np.float64]:
    """(frames, 2) height of each followed foot's lowest point above its own ground level, in
    leg lengths (see the module docstring)."""
    low = np.fmax(legs[:, :, 3, 1], legs[:, :, 4, 1])
    out = np.full(low.shape, np.nan)
    for k in range(2):
        seen = low[:, k][np.isfinite(low[:, k])]
        if len(seen):
            out[:, k] = (np.percentile(seen, 90) - low[:, k]) / leg_px
    return out


@nan_quiet
def ground_tilt_deg(legs: NDArray[np.float64], heights: NDArray[np.float64],
                    leg_px: float) -> float:
    """Slope of the line through the feet on the ground, in degrees (0 when the grounded feet
    span under two leg lengths, as on a treadmill, or are too few to tell)."""
    on = np.isfinite(heights) & (heights < GROUND_TOLERANCE_LEGS)
    x = ((legs[:, :, 3, 0] + legs[:, :, 4, 0]) / 2)[on]
    y = np.fmax(legs[:, :, 3, 1], legs[:, :, 4, 1])[on]
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 6 or np.ptp(x) < 2.0 * leg_px:
        return 0.0
    return float(np.degrees(np.arctan(np.polyfit(x, y, 1)[0])))


def find_contacts(legs: NDArray[np.float64], frames: NDArray[np.bool_],
                  leg_px: float) -> tuple[list[Contact], NDArray[np.float64]]:
    """Stances of both followed legs in time order, and the feet's heights (leg lengths)."""
    heights = foot_heights(legs, leg_px)
    n = len(heights)
    contacts: list[Contact] = []
    for k in range(2):
        on = np.isfinite(heights[:, k]) & (heights[:, k] < GROUND_TOLERANCE_LEGS)
        if n > 2:
            on[1:-1] |= on[:-2] & on[2:] & frames[1:-1]  # close one-frame gaps
        i = 0
        while i < n:
            if not on[i]:
                i += 1
                continue
            j = i
            while j + 1 < n and on[j + 1]:
                j += 1
            if j > i:  # a single low frame is a touch of noise, not a stance
                contacts.append(Contact(i, j, k, i > 0 and bool(frames[i - 1]),
                                        j + 1 < n and bool(frames[j + 1])))
            i = j + 1
    contacts.sort(key=lambda c: c.start)
    # running has no double support: of two stances that overlap, the longer one is the real one
    kept: list[Contact] = []
    for c in contacts:
        if kept and c.start <= kept[-1].end:
            if c.end - c.start > kept[-1].end - kept[-1].start:
                kept[-1] = c
            continue
        kept.append(c)
    return kept, heights
