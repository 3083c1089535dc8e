"""Any form-check input -> :class:`LandmarkSequence`: a video, a landmark file, OpenPose frames.

What a path is, is decided by what it holds, not only by its name: a folder or a tar archive is
read as OpenPose BODY_25 frames, a ``.json`` file as a hipstride landmark file, anything else as a
video (decoded by OpenCV, landmarks from :mod:`hipstride.video.pose`). Each reader raises an
:class:`~hipstride.errors.InputError` naming the file when the input is not what it should be.
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Callable
from pathlib import Path

from hipstride.errors import InputError
from hipstride.video.landmarks import LandmarkSequence, read_landmark_file

__all__ = ["is_video", "read_landmarks", "read_source"]


def is_video(path: str | os.PathLike[str]) -> bool:
    """True when :func:`read_source` would decode ``path`` as a video."""
    source = Path(path)
    return (source.is_file() and not tarfile.is_tarfile(source)
            and source.suffix.lower() != ".json")


def read_source(path: str | os.PathLike[str], *, fps: float | None = None,
                progress: Callable[[int], None] | None = None) -> LandmarkSequence:
    """Landmarks from a video, a hipstride landmark file or OpenPose JSON frames.

    ``fps`` gives the frame rate where the input does not state it (OpenPose frames); for a
    video or a landmark file that states one, a different ``fps`` is an error.
    """
    source = Path(path)
    if not source.exists():
        raise InputError(f"{source}: no such file or folder")
    if source.is_dir() or (source.is_file() and tarfile.is_tarfile(source)):
        from hipstride.video.openpose import read_openpose

        return read_openpose(source, fps=fps)
    if is_video(source):
        from hipstride.video.pose import extract_landmarks

        seq = extract_landmarks(source, progress=progress)
    else:
        seq = read_landmark_file(source)
    if fps is not None:
        if seq.fps is not None and abs(seq.fps - fps) > 0.01 * fps:
            raise InputError(f"{source}: states {seq.fps:.2f} frames/s, not the {fps:g} given")
        seq = LandmarkSequence(seq.points, fps, seq.width_px, seq.height_px, seq.source,
                               seq.model, seq.frame_index, seq.people)
    return seq


def read_landmarks(path: str | os.PathLike[str], *, fps: float | None = None) -> LandmarkSequence:
    """Landmarks for a form check (``hipstride.read_landmarks``): from a video (the pose model
    runs on it, frame by frame), a hipstride landmark file, or OpenPose BODY_25 JSON frames in a
    folder or a tar archive. ``fps`` gives the frame rate where the input does not state it.

    Raises :class:`~hipstride.errors.InputError` naming the file when it cannot be read."""
    return read_source(path, fps=fps)
