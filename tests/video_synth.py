"""Synthetic landmark sequences of a runner with known answers, for the form engine's tests.

A side view: a runner on a treadmill facing right, legs of two 150 px segments, stance 35 % of each
stride with the foot sliding back on the ground, swing with the foot lifted; the trunk leans by a
given angle. A rear view: hips 80 px apart tilted by a constant model bias plus a given drop of the
swinging side at each mid-stance, the stance foot lower in the picture, and each wrist crossing the
midline by a given share of the shoulder width during the other leg's stance. Small seeded noise is added to every point.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from hipstride.video.landmarks import N_LANDMARKS, LandmarkSequence, index_of

THIGH_PX = SHANK_PX = 150.0
LEG_PX = THIGH_PX + SHANK_PX
GROUND_Y = 900.0
STANCE = 0.35


def _set(points: NDArray[np.float64], i: int, name: str, x: float, y: float) -> None:
    points[i, index_of(name)] = (x, y, 0.0, 0.95)


def _knee(hip: NDArray[np.float64], ankle: NDArray[np.float64], forward: float) -> NDArray[np.float64]:
    d = float(np.hypot(*(ankle - hip)))
    d = min(d, THIGH_PX + SHANK_PX - 1e-6)
    along = d / 2
    off = math.sqrt(max(THIGH_PX**2 - along**2, 0.0))
    u = (ankle - hip) / d
    normal = np.array([u[1], -u[0]]) * forward  # toward the running direction
    if normal[0] * forward < 0:
        normal = -normal
    return np.asarray(hip + u * along + normal * off)


def side_runner(*, fps: float = 60.0, cadence_spm: float = 170.0, lean_deg: float = 10.0,
                seconds: float = 6.0, reach_px: float = 90.0, seed: int = 1,
                swap_frames: tuple[int, ...] = ()) -> LandmarkSequence:
    """A side view; the landing heel is ``reach_px - 15`` px ahead of the hips."""
    rng = np.random.default_rng(seed)
    n = int(seconds * fps)
    stride_s = 2 * 60.0 / cadence_spm
    points = np.full((n, N_LANDMARKS, 4), np.nan)
    for i in range(n):
        t = i / fps
        hip = np.array([600.0, GROUND_Y - 270.0 - 8.0 * math.cos(4 * math.pi * t / stride_s)])
        lean = math.radians(lean_deg)
        sh = hip + 250.0 * np.array([math.sin(lean), -math.cos(lean)])
        for side, phase in (("left", 0.0), ("right", 0.5)):
            s = ((t / stride_s) + phase) % 1.0
            if s < STANCE:  # on the ground, sliding back from +reach to -reach
                u = s / STANCE
                ax, lift = reach_px - 2 * reach_px * u, 0.0
            else:  # swing forward with the foot lifted
                u = (s - STANCE) / (1 - STANCE)
                ax, lift = -reach_px + 2 * reach_px * u, 120.0 * math.sin(math.pi * u)
            ankle = np.array([hip[0] + ax, GROUND_Y - 10.0 - lift])
            knee = _knee(hip, ankle, 1.0)
            _set(points, i, f"{side}_hip", hip[0] + (3 if side == "left" else -3), hip[1])
            _set(points, i, f"{side}_knee", *knee)
            _set(points, i, f"{side}_ankle", *ankle)
            _set(points, i, f"{side}_heel", ankle[0] - 15.0, ankle[1] + 10.0)
            _set(points, i, f"{side}_foot_index", ankle[0] + 45.0, ankle[1] + 10.0)
            _set(points, i, f"{side}_shoulder", sh[0] + (3 if side == "left" else -3), sh[1])
            _set(points, i, f"{side}_wrist", sh[0] + 20.0, sh[1] + 200.0)
        _set(points, i, "nose", sh[0] + 30.0, sh[1] - 60.0)
    points[:, :, :2] += rng.normal(0.0, 0.5, size=(n, N_LANDMARKS, 2))
    _swap(points, swap_frames)
    return LandmarkSequence(points, fps, 1280, 1080, "synthetic-side", "synthetic")


def _swap(points: NDArray[np.float64], frames: tuple[int, ...]) -> None:
    pairs = [("left_hip", "right_hip"), ("left_knee", "right_knee"), ("left_ankle", "right_ankle"),
             ("left_heel", "right_heel"), ("left_foot_index", "right_foot_index")]
    for i in frames:
        for a, b in pairs:
            ia, ib = index_of(a), index_of(b)
            points[i, [ia, ib]] = points[i, [ib, ia]]


def rear_runner(*, fps: float = 60.0, cadence_spm: float = 170.0, drop_deg: float = 5.0,
                bias_deg: float = 7.0, cross_share: float = 0.2, seconds: float = 6.0,
                seed: int = 2) -> LandmarkSequence:
    """A rear view (the runner's left on the picture's left)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * fps)
    stride_s = 2 * 60.0 / cadence_spm
    points = np.full((n, N_LANDMARKS, 4), np.nan)
    for i in range(n):
        t = i / fps
        mid = np.array([640.0, GROUND_Y - 280.0])
        s_left = (t / stride_s) % 1.0
        # +1 through the left stance (right hip drops), -1 through the right stance
        if s_left < 0.5:
            stance, u = "left", s_left / 0.5
        else:
            stance, u = "right", (s_left - 0.5) / 0.5
        shape = math.sin(math.pi * u)
        tilt = math.radians(bias_deg + (drop_deg if stance == "left" else -drop_deg) * shape)
        half = np.array([math.cos(tilt), math.sin(tilt)]) * 40.0
        lhip, rhip = mid - half, mid + half
        sh_mid = mid + np.array([0.0, -250.0])
        _set(points, i, "left_hip", *lhip)
        _set(points, i, "right_hip", *rhip)
        _set(points, i, "left_shoulder", sh_mid[0] - 50.0, sh_mid[1])
        _set(points, i, "right_shoulder", sh_mid[0] + 50.0, sh_mid[1])
        _set(points, i, "nose", sh_mid[0], sh_mid[1] - 60.0)
        # each wrist swings across the midline during the other leg's stance
        reach = (40.0 + cross_share * 100.0) * shape
        _set(points, i, "left_wrist", sh_mid[0] - 40.0 + (reach if stance == "right" else 0.0),
             sh_mid[1] + 180.0)
        _set(points, i, "right_wrist", sh_mid[0] + 40.0 - (reach if stance == "left" else 0.0),
             sh_mid[1] + 180.0)
        for side, hip in (("left", lhip), ("right", rhip)):
            lift = 0.0 if side == stance else 60.0 * shape
            ankle = np.array([hip[0] * 0.9 + mid[0] * 0.1, GROUND_Y - 10.0 - lift])
            knee = (hip + ankle) / 2 + np.array([0.0, -lift / 3])
            _set(points, i, f"{side}_knee", *knee)
            _set(points, i, f"{side}_ankle", *ankle)
            _set(points, i, f"{side}_heel", ankle[0], ankle[1] + 10.0)
            _set(points, i, f"{side}_foot_index", ankle[0], ankle[1] + 5.0)
    points[:, :, :2] += rng.normal(0.0, 0.3, size=(n, N_LANDMARKS, 2))
    return LandmarkSequence(points, fps, 1280, 1080, "synthetic-rear", "synthetic")
