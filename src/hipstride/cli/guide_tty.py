"""``hipstride routine guide`` in the terminal: keys, the live view, and the loop around the timer.

The face of :class:`hipstride.care.timer.GuideTimer`: it draws with ``rich`` and reads keys
without blocking (cbreak mode and ``select`` on stdin when stdin is a terminal). When stdin is
not a terminal, one line per step is printed and the routine runs through on its timer.

Keys: space or ``p`` pause/resume, ``n`` or → next step, ``b`` or ← previous step, ``q`` quit.
"""

from __future__ import annotations

import os
import select
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from hipstride.care.routine import format_clock
from hipstride.care.timer import Action, GuideSnapshot, GuideStatus, GuideTimer

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from hipstride.care.routine import Routine

__all__ = ["KEYMAP", "print_routine", "run_guide", "split_keys"]

#: How often the terminal view redraws and polls the keyboard, in real seconds.
POLL_INTERVAL_S = 0.1

_RIGHT = "\x1b[C"
_LEFT = "\x1b[D"

#: Keys (as read from the terminal, arrows as their escape sequences) and their actions.
KEYMAP: dict[str, Action] = {
    " ": Action.TOGGLE_PAUSE,
    "p": Action.TOGGLE_PAUSE,
    "n": Action.NEXT,
    _RIGHT: Action.NEXT,
    "\x1bOC": Action.NEXT,
    "b": Action.BACK,
    _LEFT: Action.BACK,
    "\x1bOD": Action.BACK,
    "q": Action.QUIT,
}


def split_keys(data: str) -> list[str]:
    """Split raw terminal input into keys, keeping escape sequences (arrows) whole.

    >>> split_keys("n\\x1b[Dq")
    ['n', '\\x1b[D', 'q']
    """
    keys: list[str] = []
    i = 0
    while i < len(data):
        if data[i] == "\x1b" and i + 2 < len(data) and data[i + 1] in "[O":
            j = i + 2
            while j < len(data) and not (data[j].isalpha() or data[j] == "~"):
                j += 1
            keys.append(data[i : j + 1])
            i = j + 1
        else:
            keys.append(data[i].lower() if data[i].isalpha() else data[i])
            i += 1
    return keys


@contextmanager
def _keyboard(stream: IO[str]) -> Iterator[Callable[[float], list[str]]]:
    """Yield ``read(timeout_s) -> keys``: non-blocking key reads in cbreak mode on a terminal.

    When ``stream`` is not a terminal (or termios is missing) the reader just waits and returns
    no keys, so the routine runs through on its timer.
    """
    try:
        fd = stream.fileno()
        interactive = os.isatty(fd)
    except (AttributeError, OSError, ValueError):
        interactive = False
    try:
        import termios
        import tty
    except ImportError:  # pragma: no cover - not on POSIX
        interactive = False

    if not interactive:

        def wait(timeout_s: float) -> list[str]:
            time.sleep(timeout_s)
            return []

        yield wait
        return

    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)

    def read(timeout_s: float) -> list[str]:
        ready, _, _ = select.select([fd], [], [], timeout_s)
        if not ready:
            return []
        data = os.read(fd, 64)
        return split_keys(data.decode("utf-8", errors="ignore"))

    try:
        yield read
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _step_heading(routine: Routine, index: int) -> str:
    step = routine.steps[index]
    return f"Step {index + 1}/{len(routine.steps)}: {step.name} ({step.dose_text()})"


def _view(routine: Routine, snap: GuideSnapshot) -> RenderableType:
    from rich.console import Group
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from rich.text import Text

    step = routine.steps[snap.index]
    status = {
        GuideStatus.RUNNING: Text("RUNNING", style="bold green"),
        GuideStatus.PAUSED: Text("PAUSED", style="bold yellow"),
        GuideStatus.FINISHED: Text("DONE", style="bold cyan"),
        GuideStatus.QUIT: Text("STOPPED", style="bold red"),
    }[snap.status]
    bar = Table.grid(padding=(0, 1))
    bar.add_row(
        ProgressBar(total=snap.duration_s, completed=snap.elapsed_s, width=40),
        Text(f"{format_clock(snap.remaining_s)} left", style="bold"),
        status,
    )
    lines: list[RenderableType] = [
        Text(_step_heading(routine, snap.index), style="bold"),
        bar,
    ]
    lines.extend(Text(f"  • {cue}") for cue in step.cues)
    lines.extend(Text(f"  ! {note}", style="yellow") for note in step.safety)
    if step.is_rep_based:
        lines.append(
            Text("  (the time is a guide; press n when you have done the reps)", style="dim")
        )
    lines.append(Text("space/p pause · n/→ next · b/← back · q quit", style="dim"))
    return Group(*lines)


def _handle_keys(timer: GuideTimer, keys: list[str], routine: Routine, console: Console) -> None:
    for key in keys:
        action = KEYMAP.get(key)
        if action is None or timer.done:
            continue
        before = timer.index
        timer.apply(action)
        if action in (Action.NEXT, Action.BACK) and not timer.done:
            verb = (
                "back to"
                if timer.index < before
                else "skipped to"
                if timer.index > before
                else "restarted"
            )
            console.print(
                f"↷ {verb} step {timer.index + 1}: {routine.steps[timer.index].name}", markup=False
            )


def _report_completed(completed: list[int], routine: Routine, console: Console) -> None:
    for index in completed:
        console.print(f"✓ done: {routine.steps[index].name}", markup=False)


def print_routine(routine: Routine, console: Console) -> None:
    """Print every step at once (``--no-wait``): dose, cues, why, evidence and safety notes."""
    console.print(
        f"{routine.title} — {format_clock(routine.total_s)} planned", style="bold", markup=False
    )
    for index, step in enumerate(routine.steps):
        console.print(_step_heading(routine, index), style="bold", highlight=False, markup=False)
        for cue in step.cues:
            console.print(f"  • {cue}", highlight=False, markup=False)
        console.print(f"  why: {step.why}", highlight=False, markup=False)
        if step.evidence:
            console.print(f"  evidence: {step.evidence}", highlight=False, markup=False)
        for note in step.safety:
            console.print(f"  ! {note}", highlight=False, markup=False)
    console.print("Routine complete.")


def run_guide(
    routine: Routine,
    *,
    speed: float = 1.0,
    console: Console | None = None,
    stdin: IO[str] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> GuideStatus:
    """Guide the runner through ``routine`` in the terminal; return how it ended.

    On a terminal the view redraws in place (``rich.live``) and keys act at once; otherwise one
    line per step is printed and the routine runs on its timer.
    """
    from rich.console import Console
    from rich.live import Live

    console = console or Console(highlight=False, markup=False)
    stdin = stdin if stdin is not None else sys.stdin
    timer = GuideTimer([step.planned_s for step in routine.steps], clock=clock, speed=speed)
    console.print(
        f"{routine.title} — {format_clock(routine.total_s)} planned", style="bold", markup=False
    )

    with _keyboard(stdin) as read_keys:
        if console.is_terminal:
            with Live(
                _view(routine, timer.snapshot()), console=console, auto_refresh=False
            ) as live:
                while not timer.done:
                    _handle_keys(timer, read_keys(POLL_INTERVAL_S), routine, console)
                    _report_completed(timer.update(), routine, console)
                    live.update(_view(routine, timer.snapshot()), refresh=True)
        else:
            shown = -1
            while not timer.done:
                if timer.index != shown:
                    shown = timer.index
                    console.print(_step_heading(routine, shown), markup=False)
                _handle_keys(timer, read_keys(POLL_INTERVAL_S), routine, console)
                for index in timer.update():
                    if index != shown:
                        shown = index
                        console.print(_step_heading(routine, shown), markup=False)
                    _report_completed([index], routine, console)

    if timer.status is GuideStatus.FINISHED:
        console.print("Routine complete.")
    else:
        console.print(f"Stopped at step {timer.index + 1}/{len(routine.steps)}.")
    return timer.status
