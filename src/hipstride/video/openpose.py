"""OpenPose BODY_25 keypoints (one JSON file per frame) as a :class:`LandmarkSequence`.

OpenPose writes ``<name>_<frame number>_keypoints.json`` per frame, each with a ``people`` list whose
``pose_keypoints_2d`` holds 25 × (x_px, y_px, confidence); a point it did not find is (0, 0, 0).
This reader takes such files from a folder or from one ``.tar``/``.tar.gz``/``.tgz`` archive, orders
them by the frame number in the name, and maps the 21 BODY_25 points that have a BlazePose twin
(:data:`BODY25_TO_BLAZEPOSE`) onto the 33-point layout the engine reads; the rest stay NaN, and
OpenPose's confidence serves as visibility. The 2-D files carry no depth (z is NaN).

When a frame holds several people, the one nearest to the person followed in the frame before is
kept (the tallest in the first frame), and the count is recorded so that the quality gate can say
that more than one person was in view. The files state neither the frame rate nor the image size,
so the caller gives them when known.
"""

from __future__ import annotations

import json
import os
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipstride.errors import InputError
from hipstride.video.landmarks import N_LANDMARKS, LandmarkSequence, index_of

__all__ = ["BODY25_TO_BLAZEPOSE", "read_openpose"]

#: BODY_25 index -> BlazePose landmark name (the points both layouts have).
BODY25_TO_BLAZEPOSE: dict[int, str] = {
    0: "nose", 2: "right_shoulder", 3: "right_elbow", 4: "right_wrist", 5: "left_shoulder",
    6: "left_elbow", 7: "left_wrist", 9: "right_hip", 10: "right_knee", 11: "right_ankle",
    12: "left_hip", 13: "left_knee", 14: "left_ankle", 15: "right_eye", 16: "left_eye",
    17: "right_ear", 18: "left_ear", 19: "left_foot_index", 21: "left_heel",
    22: "right_foot_index", 24: "right_heel",
}
_SRC = np.array(list(BODY25_TO_BLAZEPOSE), dtype=np.int64)
_DST = np.array([index_of(n) for n in BODY25_TO_BLAZEPOSE.values()], dtype=np.int64)
_NUMBER = re.compile(r"(\d+)_keypoints\.json$")


def _frame_number(name: str, fallback: int) -> int:
    match = _NUMBER.search(name)
    return int(match.group(1)) if match else fallback


def _members(path: Path) -> Iterator[tuple[str, bytes]]:
    if path.is_dir():
        for file in sorted(path.rglob("*.json")):
            yield file.name, file.read_bytes()
        return
    try:
        with tarfile.open(path) as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.endswith(".json"):
                    handle = archive.extractfile(member)
                    if handle is not None:
                        yield member.name, handle.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise InputError(f"{path}: not a folder or tar archive of OpenPose JSON files "
                         f"({exc})") from None


def _people(name: str, raw: bytes) -> list[NDArray[np.float64]]:
    try:
        doc: Any = json.loads(raw)
        people = [np.asarray(p["pose_keypoints_2d"], dtype=np.float64).reshape(-1, 3)
                  for p in doc["people"]]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InputError(f"{name}: not an OpenPose keypoints file "
                         "(no people[].pose_keypoints_2d)") from None
    for p in people:
        if p.shape != (25, 3):
            raise InputError(f"{name}: {len(p)} keypoints per person, expected the 25 of BODY_25")
    return people


def _centre(body25: NDArray[np.float64]) -> NDArray[np.float64]:
    found = body25[body25[:, 2] > 0]
    return found[:, :2].mean(axis=0) if len(found) else np.array([np.nan, np.nan])


def _height(body25: NDArray[np.float64]) -> float:
    found = body25[body25[:, 2] > 0]
    return float(np.ptp(found[:, 1])) if len(found) > 1 else 0.0


def read_openpose(path: str | os.PathLike[str], *, fps: float | None = None, width_px: int = 0,
                  height_px: int = 0) -> LandmarkSequence:
    """Read OpenPose BODY_25 JSON frames from a folder or a tar archive (see the module docstring).

    ``width_px``/``height_px`` of 0 mean unknown. Raises :class:`InputError` naming the file when
    the input holds no OpenPose frame or a frame that is not one.
    """
    source = Path(path)
    if not source.exists():
        raise InputError(f"{source}: no such file or folder")
    frames = sorted((_frame_number(name, i), name, raw)
                    for i, (name, raw) in enumerate(_members(source)))
    if not frames:
        raise InputError(f"{source}: holds no OpenPose JSON frame (*_keypoints.json)")
    points = np.full((len(frames), N_LANDMARKS, 4), np.nan)
    counts = np.zeros(len(frames), dtype=np.int64)
    previous: NDArray[np.float64] | None = None
    for row, (_, name, raw) in enumerate(frames):
        people = _people(name, raw)
        counts[row] = len(people)
        if not people:
            continue
        if previous is None or not np.isfinite(previous).all():
            chosen = max(people, key=_height)
        else:
            before = previous
            chosen = min(people, key=lambda p: float(np.nansum((_centre(p) - before) ** 2)))
        previous = _centre(chosen)
        found = chosen[_SRC, 2] > 0
        dst = _DST[found]
        points[row, dst, 0:2] = chosen[_SRC[found], 0:2]
        points[row, dst, 3] = chosen[_SRC[found], 2]
    index = np.array([f[0] for f in frames], dtype=np.int64)
    return LandmarkSequence(points, fps, width_px, height_px, source.name, "OpenPose BODY_25",
                            index, counts)
