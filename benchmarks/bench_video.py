#!/usr/bin/env python
"""Benchmark: frames per second and peak memory of the form check's pose step and its engine.

Standalone (no pytest)::

    python benchmarks/bench_video.py [--frames 120]

For each real clip in ``../shared/data/video`` (or ``$HIPSTRIDE_SHARED_DATA/video``) the script
runs, in a child process of its own so that the peak resident memory (``ru_maxrss`` from
:func:`os.wait4`) belongs to that step alone:

* the pose step: :func:`hipstride.video.pose.extract_landmarks` over the first ``--frames``
  frames (decoding with OpenCV and BlazePose full, one frame at a time);
* the engine: :func:`hipstride.video.check.analyze_form` over those landmarks, repeated until a
  second has passed.

It prints frames/s (model start-up included, and without the first frame's set-up) and the peak
memory, beside the targets of issue 12: at least 20 frames/s at 720p, under 500 MB. It reports and
never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("HIPSTRIDE_SHARED_DATA", REPO.parent / "shared" / "data"))
CLIPS = ["sports2d__demo3_running_sideview.mp4", "zzzhushi__male_side.mp4",
         "tfjs-models__pose_squats.mp4", "sports2d__demo.mp4"]
TARGET_FPS = 20.0
TARGET_MB = 500.0

POSE = """
import json, sys, time
from hipstride.video.pose import extract_landmarks
from hipstride.video.landmarks import write_landmark_file
marks = []
start = time.perf_counter()
seq = extract_landmarks(sys.argv[1], stop=int(sys.argv[2]),
                        progress=lambda n: marks.append(time.perf_counter()))
total = time.perf_counter() - start
write_landmark_file(seq, sys.argv[3])
steady = (len(marks) - 1) / (marks[-1] - marks[0]) if len(marks) > 1 else float("nan")
print(json.dumps({"frames": seq.n_frames, "size": f"{seq.width_px}x{seq.height_px}",
                  "fps_overall": seq.n_frames / total, "fps_steady": steady}))
"""

ENGINE = """
import json, sys, time
from hipstride.video.check import analyze_form
from hipstride.video.landmarks import read_landmark_file
seq = read_landmark_file(sys.argv[1])
runs, start = 0, time.perf_counter()
while runs == 0 or time.perf_counter() - start < 1.0:
    analyze_form(seq)
    runs += 1
print(json.dumps({"fps": runs * seq.n_frames / (time.perf_counter() - start)}))
"""


def _child(code: str, *args: str) -> tuple[dict[str, float], float]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), GLOG_minloglevel="2")
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"child failed on {args[0]}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--frames", type=int, default=120, help="frames per clip (default 120)")
    args = parser.parse_args()
    print(f"{'clip':40} {'size':>10} {'frames':>6} {'pose f/s':>9} {'steady':>7} {'peak MB':>8} "
          f"{'engine f/s':>11} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in CLIPS:
            clip = SHARED_DATA / "video" / name
            if not clip.exists():
                print(f"{name:40} missing ({clip})")
                continue
            marks = str(Path(tmp) / f"{name}.json")
            pose, pose_mb = _child(POSE, str(clip), str(args.frames), marks)
            engine, engine_mb = _child(ENGINE, marks)
            print(f"{name:40} {pose['size']:>10} {pose['frames']:>6.0f} "
                  f"{pose['fps_overall']:>9.1f} {pose['fps_steady']:>7.1f} {pose_mb:>8.0f} "
                  f"{engine['fps']:>11.0f} {engine_mb:>8.0f}")
    print(f"targets: pose >= {TARGET_FPS:.0f} frames/s at 720p, peak < {TARGET_MB:.0f} MB")


if __name__ == "__main__":
    main()
