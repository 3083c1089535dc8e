"""Landmark sequences: the one array form the form-check engine reads, and the file hipstride writes.

Every source of body landmarks (the pose model run on a video, OpenPose BODY_25 JSON, a landmark file
written earlier) becomes a :class:`LandmarkSequence`: 33 points per frame in the BlazePose topology
(:data:`LANDMARK_NAMES`), in image pixels with y pointing down, plus a visibility in 0..1. A point
that a source does not provide, or a frame without a person, holds NaN. The engine therefore never
needs to know which tool produced the points.

The file format (``.json``) is plain JSON so that any tool can read it::

    {"format": "hipstride-landmarks", "version": 1, "source": "clip.mp4", "model": "…",
     "fps": 29.97, "width_px": 480, "height_px": 352, "landmarks": ["nose", …],
     "frames": [{"index": 0, "people": 1, "points": [[x_px, y_px, z_px, visibility], …]},
                {"index": 1, "people": 0, "points": null}, …]}

``people`` is how many persons the source saw in the frame (-1 when it cannot tell, as with a
single-person tracker); ``z_px`` is the model's depth estimate scaled like x and is not used by the
metrics. ``fps`` may be null when the source does not know it.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipstride._files import write_atomic
from hipstride.errors import InputError

__all__ = ["LANDMARK_NAMES", "N_LANDMARKS", "LandmarkSequence", "index_of", "read_landmark_file",
           "write_landmark_file"]

FORMAT = "hipstride-landmarks"
VERSION = 1

#: The 33 BlazePose landmarks, in the model's order.
LANDMARK_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)
N_LANDMARKS = len(LANDMARK_NAMES)
_INDEX = {name: i for i, name in enumerate(LANDMARK_NAMES)}


def index_of(name: str) -> int:
    """Position of a landmark by name (``"left_heel"`` -> 29)."""
    return _INDEX[name]


@dataclass(frozen=True)
class LandmarkSequence:
    """Landmarks of one person over the frames of a clip.

    ``points`` has shape (frames, 33, 4): x_px, y_px, z_px, visibility. ``frame_index`` is each
    row's frame number in the source and ``people`` how many persons the source saw there (-1:
    unknown). ``fps`` is None when the source does not say.
    """

    points: NDArray[np.float64]
    fps: float | None
    width_px: int
    height_px: int
    source: str
    model: str
    frame_index: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    people: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        if self.points.ndim != 3 or self.points.shape[1:] != (N_LANDMARKS, 4):
            raise ValueError(f"landmark points must have shape (frames, {N_LANDMARKS}, 4), "
                             f"got {self.points.shape}")
        n = len(self.points)
        if len(self.frame_index) != n:
            object.__setattr__(self, "frame_index", np.arange(n, dtype=np.int64))
        if len(self.people) != n:
            seen = np.isfinite(self.points[:, :, 0]).any(axis=1)
            object.__setattr__(self, "people", np.where(seen, -1, 0).astype(np.int64))

    @property
    def n_frames(self) -> int:
        return len(self.points)

    @property
    def xy_px(self) -> NDArray[np.float64]:
        """(frames, 33, 2) image coordinates in pixels (y down)."""
        return self.points[:, :, :2]

    @property
    def visibility(self) -> NDArray[np.float64]:
        return self.points[:, :, 3]

    def point(self, name: str) -> NDArray[np.float64]:
        """(frames, 2) x_px, y_px of one landmark."""
        return self.points[:, _INDEX[name], :2]

    def detected(self) -> NDArray[np.bool_]:
        """Frames in which the source found a person."""
        return np.asarray(np.isfinite(self.points[:, :, 0]).any(axis=1))

    def slice(self, start: int, stop: int) -> LandmarkSequence:
        """Rows ``start:stop`` as a new sequence."""
        return LandmarkSequence(self.points[start:stop], self.fps, self.width_px, self.height_px,
                                self.source, self.model, self.frame_index[start:stop],
                                self.people[start:stop])


def _round(value: float) -> float | None:
    return None if not math.isfinite(value) else round(value, 2)


def write_landmark_file(sequence: LandmarkSequence, path: str | os.PathLike[str]) -> Path:
    """Write ``sequence`` as a hipstride landmark file (JSON, see the module docstring)."""
    frames: list[dict[str, Any]] = []
    for row, index, people in zip(sequence.points, sequence.frame_index, sequence.people,
                                  strict=True):
        points = None
        if np.isfinite(row[:, 0]).any():
            points = [[_round(float(v)) for v in p[:3]] + [_round(float(p[3]))] for p in row]
        frames.append({"index": int(index), "people": int(people), "points": points})
    doc = {"format": FORMAT, "version": VERSION, "source": sequence.source, "model": sequence.model,
           "fps": sequence.fps, "width_px": sequence.width_px, "height_px": sequence.height_px,
           "landmarks": list(LANDMARK_NAMES), "frames": frames}
    return write_atomic(path, json.dumps(doc, separators=(",", ":")) + "\n")


def _as_points(raw: Any, name: str, frame: int) -> NDArray[np.float64]:
    if raw is None:
        return np.full((N_LANDMARKS, 4), np.nan)
    try:
        arr = np.array([[np.nan if v is None else float(v) for v in p] for p in raw])
    except (TypeError, ValueError):
        raise InputError(f"{name}: frame {frame} holds points that are not numbers") from None
    if arr.shape != (N_LANDMARKS, 4):
        raise InputError(f"{name}: frame {frame} has points of shape {arr.shape}, "
                         f"expected {N_LANDMARKS} points of [x, y, z, visibility]")
    return arr


def read_landmark_file(path: str | os.PathLike[str]) -> LandmarkSequence:
    """Read a hipstride landmark file; :class:`InputError` naming the file when it is not one."""
    name = str(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{name}: cannot read the landmark file ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"{name}: not a hipstride landmark file (not JSON)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f"{name}: not a hipstride landmark file (no \"format\": \"{FORMAT}\")")
    if doc.get("version") != VERSION:
        raise InputError(f"{name}: landmark file version {doc.get('version')!r} is not supported "
                         f"(this hipstride reads version {VERSION})")
    if doc.get("landmarks") != list(LANDMARK_NAMES):
        raise InputError(f"{name}: the landmark names differ from the 33 BlazePose landmarks")
    frames = doc.get("frames")
    if not isinstance(frames, list) or not frames:
        raise InputError(f"{name}: the landmark file holds no frames")
    try:
        fps = None if doc.get("fps") is None else float(doc["fps"])
        width, height = int(doc["width_px"]), int(doc["height_px"])
        index = np.array([int(f["index"]) for f in frames], dtype=np.int64)
        people = np.array([int(f.get("people", -1)) for f in frames], dtype=np.int64)
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{name}: fps, width_px, height_px or a frame's index is missing "
                         "or not a number") from None
    points = np.stack([_as_points(f.get("points"), name, i) for i, f in enumerate(frames)])
    return LandmarkSequence(points, fps, width, height, str(doc.get("source", name)),
                            str(doc.get("model", "unknown")), index, people)
