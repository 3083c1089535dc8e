"""Surface under each metre of a course: soft, hard or unknown, with a confidence.

Version 1 knows the surface only from the recording's sub-sport (treadmill, track, trail, street)
or from what the runner says (``--surface``). The map (OpenStreetMap, matched to the track) is a
further :class:`SurfaceTrack` source with the same shape: ``source="map"`` and the raw OSM values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.errors import InputError

__all__ = ["SURFACE_CLASSES", "SURFACE_WORDS", "SurfaceTrack", "surface_from_sub_sport",
           "surface_from_word", "unknown_surface"]

#: Surface classes by code, as stored in :attr:`SurfaceTrack.classes`.
SURFACE_CLASSES: tuple[str, ...] = ("unknown", "soft", "hard")
UNKNOWN, SOFT, HARD = 0, 1, 2

#: Words accepted by ``--surface`` and found in FIT sub-sports: (class, confidence, raw label).
SURFACE_WORDS: dict[str, tuple[int, float, str]] = {
    "soft": (SOFT, 1.0, "soft"),
    "hard": (HARD, 1.0, "hard"),
    "unknown": (UNKNOWN, 0.0, "unknown"),
    # a treadmill belt gives under the foot; an indoor session is usually a belt or a track. A
    # track counts as soft on the physician's guidance (even ground), not on Tessutti 2012, where
    # a rubber track's plantar pressures matched asphalt's
    "treadmill": (SOFT, 0.8, "treadmill belt"),
    "indoor_running": (SOFT, 0.6, "indoor"),
    "track": (SOFT, 0.9, "running track"),
    "trail": (SOFT, 0.6, "trail"),
    "grass": (SOFT, 1.0, "grass"),
    "dirt": (SOFT, 1.0, "dirt"),
    "gravel": (SOFT, 0.8, "gravel"),
    "street": (HARD, 0.8, "street"),
    "road": (HARD, 0.9, "road"),
    "asphalt": (HARD, 1.0, "asphalt"),
    "concrete": (HARD, 1.0, "concrete"),
}


@dataclass(frozen=True)
class SurfaceTrack:
    """Surface per course sample.

    Attributes
    ----------
    source
        Where the surface comes from: ``"sub_sport"``, ``"option"``, ``"map"`` or ``"none"``.
    classes
        Class code per sample (index into :data:`SURFACE_CLASSES`).
    confidence
        Confidence 0–1 per sample that the class is right; the model scales weights by it.
    raw
        Raw label per sample (e.g. OSM ``surface=compacted``), or ``None``.
    matched_share
        For ``source="map"``: share (0–1) of the course's distance matched to a way; else ``None``.
    way_ids
        For ``source="map"``: the OSM way ids the course used, in order; else ``None``.
    map_name, map_created_utc
        For ``source="map"``: the stored map used and when it was imported (so that a stored
        analysis can tell that another map now covers the run); else ``None``.
    matched_path
        For a recorded run with ``source="map"``: the path along the ways it was matched to
        (``way_ids``, ``length_m``, ``parts`` and a GeoJSON ``geometry``; see
        :mod:`hipstride.map.matched_path`); else ``None``.
    """

    source: str
    classes: NDArray[np.int8]
    confidence: FloatArray
    raw: list[str] | None = None
    matched_share: float | None = None
    way_ids: list[int] | None = None
    map_name: str | None = None
    map_created_utc: str | None = None
    matched_path: dict[str, Any] | None = None

    def shares(self, weights_m: FloatArray) -> dict[str, float]:
        """Share (0–1) of the distance on each class, weighted by per-sample lengths in metres."""
        total = float(weights_m.sum())
        if total <= 0:
            return dict.fromkeys(SURFACE_CLASSES, 0.0)
        return {name: round(float(weights_m[self.classes == code].sum()) / total, 4)
                for code, name in enumerate(SURFACE_CLASSES)}

    def raw_shares(self, weights_m: FloatArray) -> dict[str, float]:
        """Share of distance by raw label (empty when there are none)."""
        if self.raw is None:
            return {}
        total = float(weights_m.sum())
        out: dict[str, float] = {}
        for label, w in zip(self.raw, weights_m.tolist(), strict=True):
            out[label] = out.get(label, 0.0) + w
        return {k: round(v / total, 4) for k, v in sorted(out.items(), key=lambda kv: -kv[1])} if total else {}


def _uniform(source: str, n: int, code: int, confidence: float, raw: str) -> SurfaceTrack:
    return SurfaceTrack(source, np.full(n, code, dtype=np.int8), np.full(n, confidence), [raw] * n)


def unknown_surface(n: int) -> SurfaceTrack:
    """Surface unknown everywhere (neutral in the model)."""
    return SurfaceTrack("none", np.zeros(n, dtype=np.int8), np.zeros(n), None)


def surface_from_sub_sport(sub_sport: str | None, n: int) -> SurfaceTrack:
    """Surface implied by a FIT sub-sport (treadmill, track, trail, street…), else unknown."""
    if sub_sport and sub_sport in SURFACE_WORDS and sub_sport not in ("soft", "hard", "unknown"):
        code, conf, raw = SURFACE_WORDS[sub_sport]
        return _uniform("sub_sport", n, code, conf, raw)
    return unknown_surface(n)


def surface_from_word(word: str, n: int) -> SurfaceTrack:
    """Surface from the runner's own word (``--surface``), trusted fully where it names a class."""
    key = word.strip().lower().replace("-", "_")
    if key not in SURFACE_WORDS:
        raise InputError(f"unknown surface '{word}' (use one of: {', '.join(SURFACE_WORDS)})")
    code, conf, raw = SURFACE_WORDS[key]
    return _uniform("option", n, code, conf, raw)
