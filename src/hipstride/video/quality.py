"""The capture-quality gate: what to fix in the clip before its numbers are used to judge form.

Each check says ``ok``, ``warn`` (numbers are given, with wider tolerances) or ``fail`` (numbers are
shown as provisional and no advice is drawn from them), and a failed check says what to change:

* the runner is found in most frames, and only one person is in view: the pose tracker follows one
  person and can lock onto the wrong one (it did on the Sports2D walking clip); a sudden jump of the
  followed body between two frames is read as a switch;
* frame rate: 60 frames/s or more advised, 30 accepted (one frame is then 33 ms of a ~250 ms
  contact), below 25 refused for timing;
* resolution: a leg must span at least :data:`MIN_LEG_PX` pixels (:data:`ADVISED_LEG_PX` for the
  knee angle);
* enough contacts: at least :data:`MIN_CONTACTS` landings seen (about 10 s of running);
* camera level (the grounded feet's line within 5° of horizontal) and, for a side view,
  perpendicular (the runner's size steady across the clip, hips overlapping in the picture);
* the view, detected from how far apart the hips are in the picture, agrees with the one given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["ADVISED_LEG_PX", "MIN_CONTACTS", "MIN_LEG_PX", "Check", "detect_view", "quality_checks"]

MIN_LEG_PX = 80.0
ADVISED_LEG_PX = 200.0
MIN_CONTACTS = 8
MIN_FPS = 25.0
ADVISED_FPS = 60.0
MAX_TILT_DEG = 5.0
#: Hip separation in the picture, in leg lengths, above which a clip is a rear (or front) view.
REAR_HIP_SPREAD_LEGS = 0.2


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok", "warn" or "fail"
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "message": self.message}


def detect_view(hip_spread_legs: float) -> str:
    """"rear" when the hips stand apart in the picture, else "side"."""
    return "rear" if hip_spread_legs >= REAR_HIP_SPREAD_LEGS else "side"


def _switches(hip_mid: NDArray[np.float64], leg_px: float) -> int:
    """Frames where the followed body jumps by more than a leg length from the frame before."""
    step = np.hypot(*np.diff(hip_mid, axis=0).T)
    return int(np.sum(step > leg_px))


def quality_checks(*, frames_total: int, detected: NDArray[np.bool_], usable: NDArray[np.bool_],
                   people: NDArray[np.int64], hip_mid: NDArray[np.float64], leg_px: float,
                   fps: float | None, contacts_seen: int, tilt_deg: float, view: str,
                   view_given: str | None, hip_spread_legs: float,
                   size_change: float) -> list[Check]:
    """Run every check (see the module docstring)."""
    checks: list[Check] = []
    share = float(detected.mean()) if frames_total else 0.0
    if usable.sum() < 10 or share < 0.5:
        checks.append(Check("runner in view", "fail",
                            f"the runner's whole body is seen in {int(usable.sum())} of {frames_total} "
                            "frames; film the whole body (head to feet) for about 10 s"))
    else:
        checks.append(Check("runner in view", "ok", f"whole body in {int(usable.sum())} of "
                                                   f"{frames_total} frames"))
    known = people[people >= 0]
    crowded = int(np.sum(known > 1))
    jumps = _switches(hip_mid[usable], leg_px) if math.isfinite(leg_px) and usable.sum() > 1 else 0
    if crowded > 0.05 * max(1, len(known)) or jumps:
        what = (f"{crowded} frames show more than one person" if crowded
                else f"the followed body jumps {jumps} time(s), as if the model switched person")
        checks.append(Check("one person", "fail", f"{what}; film with only the runner in view"))
    else:
        checks.append(Check("one person", "ok", "one runner followed throughout"))
    if fps is None:
        checks.append(Check("frame rate", "warn", "the frame rate is not known: cadence and "
                                                  "contact time are not reported"))
    elif fps < MIN_FPS:
        checks.append(Check("frame rate", "fail", f"{fps:.0f} frames/s is too few for step "
                                                  f"timing; film at {ADVISED_FPS:.0f} frames/s"))
    elif fps < ADVISED_FPS - 1:
        checks.append(Check("frame rate", "warn", f"{fps:.0f} frames/s: accepted with wider "
                                                  f"tolerances; {ADVISED_FPS:.0f} is advised"))
    else:
        checks.append(Check("frame rate", "ok", f"{fps:.0f} frames/s"))
    if not math.isfinite(leg_px) or leg_px < MIN_LEG_PX:
        checks.append(Check("resolution", "fail", f"a leg spans {leg_px:.0f} px (at least "
                                                  f"{MIN_LEG_PX:.0f} needed): move closer or film "
                                                  "at a higher resolution"))
    elif leg_px < ADVISED_LEG_PX:
        checks.append(Check("resolution", "warn", f"a leg spans {leg_px:.0f} px: knee angles need "
                                                  f"{ADVISED_LEG_PX:.0f}"))
    else:
        checks.append(Check("resolution", "ok", f"a leg spans {leg_px:.0f} px"))
    if contacts_seen < MIN_CONTACTS:
        checks.append(Check("enough steps", "fail", f"{contacts_seen} foot landings seen, at least "
                                                    f"{MIN_CONTACTS} needed: film about 10 s of "
                                                    "steady running"))
    else:
        checks.append(Check("enough steps", "ok", f"{contacts_seen} foot landings"))
    level = "ok" if abs(tilt_deg) <= MAX_TILT_DEG else "fail"
    checks.append(Check("camera level", level, f"ground line tilted {tilt_deg:+.1f}°" + (
        "" if level == "ok" else "; hold the camera level, at hip height")))
    if view == "side":
        oblique = hip_spread_legs > 0.12 or not 0.8 <= size_change <= 1.25
        checks.append(Check("camera perpendicular", "warn" if oblique else "ok",
                            f"hips {hip_spread_legs:.2f} leg lengths apart, size changes "
                            f"{size_change:.2f}×" + ("; film square to the running direction"
                                                     if oblique else "")))
    detected_view = detect_view(hip_spread_legs)
    if view_given is not None and view_given != detected_view:
        checks.append(Check("view", "warn", f"given as {view_given}, but the clip looks like a "
                                            f"{detected_view} view"))
    else:
        checks.append(Check("view", "ok", f"{view} view" + (" (detected)" if view_given is None
                                                           else "")))
    return checks
