"""Key frames of a clip as small JPEG pictures with the landmarks drawn on them (for the report).

The frames are decoded again, one at a time, up to the last one wanted (never the whole clip in
memory), scaled to at most :data:`MAX_WIDTH_PX` wide, the skeleton drawn with OpenCV, and encoded
as JPEG. Only the HTML report uses them; the engine never sees a picture.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from hipstride.video.landmarks import index_of
from hipstride.video.pose import _cv2, iter_frames

__all__ = ["BONES", "MAX_WIDTH_PX", "key_frame_jpegs"]

MAX_WIDTH_PX = 480
#: Segments drawn between landmarks.
_LIMB = (("shoulder", "elbow"), ("elbow", "wrist"), ("shoulder", "hip"), ("hip", "knee"),
         ("knee", "ankle"), ("ankle", "heel"), ("heel", "foot_index"), ("ankle", "foot_index"))
BONES: tuple[tuple[str, str], ...] = (
    *((f"{s}_{a}", f"{s}_{b}") for s in ("left", "right") for a, b in _LIMB),
    ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"))


def key_frame_jpegs(video: str | os.PathLike[str],
                    key_frames: list[dict[str, Any]]) -> dict[int, bytes]:
    """JPEG bytes per frame number for the ``key_frames`` of a check document."""
    cv2 = _cv2()
    wanted = {int(k["frame"]): k["points"] for k in key_frames}
    if not wanted:
        return {}
    out: dict[int, bytes] = {}
    for number, rgb in iter_frames(video, min(wanted), max(wanted) + 1):
        if number not in wanted:
            continue
        scale = min(1.0, MAX_WIDTH_PX / rgb.shape[1])
        image = cv2.resize(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), None, fx=scale, fy=scale)
        pts = np.array([[np.nan if v is None else v * scale for v in p] for p in wanted[number]])
        for a, b in BONES:
            pa, pb = pts[index_of(a)], pts[index_of(b)]
            if np.isfinite(pa).all() and np.isfinite(pb).all():
                colour = (60, 160, 230) if a.startswith("left") else (40, 90, 220)
                cv2.line(image, (int(pa[0]), int(pa[1])), (int(pb[0]), int(pb[1])), colour, 2)
        for p in pts:
            if np.isfinite(p).all():
                cv2.circle(image, (int(p[0]), int(p[1])), 3, (255, 255, 255), -1)
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
        if ok:
            out[number] = jpeg.tobytes()
    return out
