"""A whole form check: landmarks -> usable frames, contacts, metrics, quality gate, advice.

:func:`analyze_form` is the one entry point (the CLI and the Python API call it); it reads only a
:class:`~hipstride.video.landmarks.LandmarkSequence`, so the engine runs the same on the pose
model's output, on an OpenPose export and on a landmark file. The result's :meth:`FormCheck.to_dict`
is the JSON document that is printed and stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from hipstride.errors import DataError, InputError
from hipstride.video.advice import form_advice
from hipstride.video.contacts import (
    Contact,
    facing,
    find_contacts,
    ground_tilt_deg,
    leg_length_px,
    noise_px,
    tracked_legs,
    usable_frames,
)
from hipstride.video.landmarks import LandmarkSequence, index_of
from hipstride.video.metric import Metric, nan_quiet, stride_values, strides
from hipstride.video.quality import Check, detect_view, quality_checks
from hipstride.video.rear import rear_metrics, rear_stances
from hipstride.video.side import side_metrics, strike_pattern

__all__ = ["VIEWS", "FormCheck", "analyze_form"]

VIEWS = ("side", "rear")
_USED = ["left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee",
         "left_ankle", "right_ankle", "left_heel", "right_heel", "left_foot_index",
         "right_foot_index"]


@dataclass(frozen=True)
class FormCheck:
    """The outcome of one form check (see :meth:`to_dict` for the document)."""

    source: str
    model: str
    view: str
    view_given: bool
    fps: float | None
    frames: int
    usable_frames: int
    leg_length_px: float
    noise_px: float
    contacts: list[dict[str, Any]]
    metrics: dict[str, Metric]
    checks: list[Check]
    advice: list[dict[str, Any]] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)
    key_frames: list[dict[str, Any]] = field(default_factory=list)
    #: Each stride: the indices of its two contacts among the measured ones, and their frames.
    strides: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no quality check failed: the numbers can be used to judge form."""
        return all(c.status != "fail" for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None or not math.isfinite(v) else round(v, 2)

        return {
            "source": self.source, "model": self.model, "view": self.view,
            "view_given": self.view_given, "fps": r(self.fps), "frames": self.frames,
            "usable_frames": self.usable_frames, "leg_length_px": r(self.leg_length_px),
            "noise_px": r(self.noise_px),
            "quality": {"passed": self.passed, "checks": [c.to_dict() for c in self.checks],
                        "fix": [c.message for c in self.checks if c.status == "fail"]},
            "contacts": self.contacts, "strides": self.strides,
            "metrics": {k: m.to_dict() for k, m in self.metrics.items()},
            "foot_strike": (strike_pattern(self.metrics["foot_strike_deg"])
                            if "foot_strike_deg" in self.metrics else None),
            "advice": self.advice if self.passed else [],
            "series": self.series, "key_frames": self.key_frames,
        }


def _listed(values: np.ndarray[Any, Any], decimals: int = 2) -> list[float | None]:
    return [None if not math.isfinite(float(v)) else round(float(v), decimals) for v in values]


def _key_frame(seq: LandmarkSequence, row: int, label: str) -> dict[str, Any]:
    """A frame to show: its number, what it is, and its 33 points (x_px, y_px)."""
    points = [[None if not math.isfinite(float(v)) else round(float(v), 1) for v in p]
              for p in seq.xy_px[row]]
    return {"label": label, "frame": int(seq.frame_index[row]), "points": points}


def _middle(rows: list[tuple[int, int]], n: int) -> tuple[int, int] | None:
    """Of (start, mid) pairs, the one nearest the middle of the clip."""
    return min(rows, key=lambda r: abs(r[0] - n / 2)) if rows else None


def _contact_doc(c: Contact, seq: LandmarkSequence) -> dict[str, Any]:
    fps = seq.fps
    frame = int(seq.frame_index[c.start])
    return {"frame": frame, "end_frame": int(seq.frame_index[c.end]), "leg": c.leg,
            "time_s": None if not fps else round(frame / fps, 3),
            "landing_seen": c.landing_seen, "takeoff_seen": c.takeoff_seen}


@nan_quiet
def analyze_form(seq: LandmarkSequence, view: str | None = None) -> FormCheck:
    """Run the form check on a landmark sequence; ``view`` is "side", "rear" or None (detect).

    Raises :class:`DataError` when no frame shows the runner's whole body.
    """
    if view is not None and view not in VIEWS:
        raise InputError(f"view {view!r} is not one of {', '.join(VIEWS)}")
    frames = usable_frames(seq)
    if not frames.any():
        raise DataError(f"{seq.source}: no frame shows the runner's whole body "
                        f"({int(seq.detected().sum())} of {seq.n_frames} frames have a person)")
    leg_px = leg_length_px(seq)
    noise = noise_px(seq, frames)
    if not math.isfinite(noise):
        noise = 1.0  # too few frames to measure jitter; the gate fails such a clip anyway
    hips = np.stack([seq.point("left_hip"), seq.point("right_hip")], axis=1)
    hip_mid = hips.mean(axis=1)
    spread = float(np.nanmedian(np.abs(hips[frames, 0, 0] - hips[frames, 1, 0]))) / leg_px
    chosen = view or detect_view(spread)
    vis_idx = [index_of(n) for n in _USED]
    vis = seq.visibility[frames][:, vis_idx]
    visibility = float(np.nanmean(vis)) if np.isfinite(vis).any() else 0.0
    legs = tracked_legs(seq, frames)
    shoulders = np.stack([seq.point("left_shoulder"), seq.point("right_shoulder")], axis=1)
    contacts, heights = find_contacts(legs, frames, leg_px)
    tilt = ground_tilt_deg(legs, heights, leg_px)
    contact_docs: list[dict[str, Any]] = []
    if chosen == "side":
        metrics = side_metrics(legs, shoulders.mean(axis=1), contacts, heights,
                               direction=facing(seq), leg_px=leg_px, noise_px=noise, fps=seq.fps,
                               visibility=visibility)
        seen = sum(1 for c in contacts if c.landing_seen)
        contact_docs = [_contact_doc(c, seq) for c in contacts]
    else:
        stances = rear_stances(legs, frames)
        wrists = np.stack([seq.point("left_wrist"), seq.point("right_wrist")], axis=1)
        metrics = rear_metrics(legs, shoulders, wrists, stances, noise_px=noise,
                               visibility=visibility)
        seen = sum(1 for s in stances if s.complete)
        contact_docs = [{"frame": int(seq.frame_index[s.start]),
                         "end_frame": int(seq.frame_index[s.end]), "side": s.side,
                         "complete": s.complete} for s in stances]
    measured: list[tuple[object, int]]
    if chosen == "side":
        measured = [(c.leg, int(seq.frame_index[c.start])) for c in contacts if c.landing_seen]
    else:
        measured = [(s.side, int(seq.frame_index[s.start])) for s in stances if s.complete]
    metrics, stride_docs = _by_stride(metrics, measured)
    hip_c, sh_c = legs[:, :, 0].mean(axis=1), shoulders.mean(axis=1)
    series: dict[str, Any] = {"frame": [int(f) for f in seq.frame_index]}
    if chosen == "side":
        d = facing(seq)
        lean = np.degrees(np.arctan2(d * (sh_c[:, 0] - hip_c[:, 0]), hip_c[:, 1] - sh_c[:, 1]))
        series |= {"trunk_lean_deg": _listed(lean),
                   "foot_height_legs": [_listed(heights[:, k], 3) for k in range(2)]}
        pick = _middle([(c.start, c.mid) for c in contacts if c.landing_seen], seq.n_frames)
        labels = ("initial contact", "mid-stance")
    else:
        sway = np.degrees(np.arctan2(sh_c[:, 0] - hip_c[:, 0], hip_c[:, 1] - sh_c[:, 1]))
        series |= {"trunk_sway_deg": _listed(sway)}
        pick = _middle([(s.start, s.mid) for s in stances if s.complete], seq.n_frames)
        labels = ("landing", "mid-stance")
    keys = [] if pick is None else [_key_frame(seq, pick[0], labels[0]),
                                    _key_frame(seq, pick[1], labels[1])]
    scale = leg_size_change(seq, frames)
    checks = quality_checks(frames_total=seq.n_frames, detected=seq.detected(), usable=frames,
                            people=seq.people, hip_mid=hip_mid, leg_px=leg_px, fps=seq.fps,
                            contacts_seen=seen, tilt_deg=tilt, view=chosen, view_given=view,
                            hip_spread_legs=spread, size_change=scale)
    check = FormCheck(seq.source, seq.model, chosen, view is not None, seq.fps, seq.n_frames,
                      int(frames.sum()), leg_px, noise, contact_docs, metrics, checks,
                      series=series, key_frames=keys, strides=stride_docs)
    if check.passed:
        check = FormCheck(**{**check.__dict__, "advice": form_advice(metrics)})
    return check


def _by_stride(metrics: dict[str, Metric], measured: list[tuple[object, int]]
               ) -> tuple[dict[str, Metric], list[dict[str, Any]]]:
    """Group the per-contact metrics by stride (``measured``: each measured contact's foot and
    landing frame, in the order of the metrics' per-step values)."""
    pairs = strides([foot for foot, _ in measured])
    grouped = {key: (replace(m, per_stride=stride_values(m.per_step, pairs))
                     if len(m.per_step) == len(measured) else m) for key, m in metrics.items()}
    docs = [{"contacts": [a, b], "frames": [measured[a][1], measured[b][1]]} for a, b in pairs]
    return grouped, docs


def leg_size_change(seq: LandmarkSequence, frames: np.ndarray[Any, Any]) -> float:
    """Ratio of the runner's leg length in the last third of the usable frames to the first third
    (1.0 when the camera distance stays the same)."""
    rows = np.flatnonzero(frames)
    if len(rows) < 6:
        return 1.0
    third = len(rows) // 3
    first = leg_length_px(seq.slice(int(rows[0]), int(rows[third]) + 1))
    last = leg_length_px(seq.slice(int(rows[-third]), int(rows[-1]) + 1))
    return last / first if first > 0 and math.isfinite(last) else 1.0
