"""Run a routine in the terminal: a countdown, a progress bar and the cues for each step.

Two layers:

- :class:`GuideTimer` is the pure state machine: which step is on, how much time it has left,
  whether it is paused. It never reads a clock of its own; the clock is injected, so tests drive it
  with a fake one. ``speed`` scales routine time (60 makes a routine minute last a real second).
- :func:`run_guide` is the terminal I/O around it: it draws with ``rich`` and reads keys without
  blocking (cbreak mode and ``select`` on stdin when stdin is a terminal).

Keys: space or ``p`` pause/resume, ``n`` or → next step, ``b`` or ← previous step, ``q`` quit.
"""

from __future__ import annotations

import enum
import os
import select
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from hipstride.care.routines import Routine

__all__ = [
    "KEYMAP",
    "Action",
    "GuideSnapshot",
    "GuideStatus",
    "GuideTimer",
    "format_clock",
    "print_routine",
    "run_guide",
    "split_keys",
]

#: How often the terminal view redraws and polls the keyboard, in real seconds.
POLL_INTERVAL_S = 0.1


class Action(enum.Enum):
    """What a key press asks the timer to do."""

    TOGGLE_PAUSE = "toggle-pause"
    NEXT = "next"
    BACK = "back"
    QUIT = "quit"


class GuideStatus(enum.Enum):
    """State of a guided session."""

    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    QUIT = "quit"


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


def format_clock(seconds: float) -> str:
    """Seconds as ``m:ss`` (rounded up, so a countdown shows 0:00 only when it is done)."""
    whole = max(0, int(-(-seconds // 1)))
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True, slots=True)
class GuideSnapshot:
    """What the view shows at one moment (times in routine seconds)."""

    index: int
    steps: int
    status: GuideStatus
    duration_s: float
    elapsed_s: float
    remaining_s: float

    @property
    def fraction(self) -> float:
        """Share of the current step done, 0 to 1."""
        return min(1.0, self.elapsed_s / self.duration_s) if self.duration_s > 0 else 1.0


class GuideTimer:
    """The timing and state machine of a guided routine.

    Parameters
    ----------
    durations_s
        Planned duration of each step, in routine seconds (each > 0).
    clock
        A monotonic clock in real seconds (``time.monotonic`` in the terminal, a fake in tests).
    speed
        Routine seconds per real second (> 0); 1 is real time.

    The timer starts running on step 0. :meth:`update` moves past steps whose time has run out,
    carrying the overshoot into the next step, so a slow caller never loses routine time.
    """

    def __init__(
        self,
        durations_s: Sequence[float],
        *,
        clock: Callable[[], float] = time.monotonic,
        speed: float = 1.0,
    ) -> None:
        if not durations_s:
            raise ValueError("a guided routine needs at least one step")
        if any(not d > 0 for d in durations_s):
            raise ValueError("every step needs a duration above 0 s")
        if not speed > 0:
            raise ValueError(f"speed must be above 0, got {speed}")
        self._durations = tuple(float(d) for d in durations_s)
        self._clock = clock
        self._speed = float(speed)
        self._index = 0
        self._status = GuideStatus.RUNNING
        self._banked_s = 0.0
        self._since: float | None = clock()

    # -- reading -------------------------------------------------------------------------------

    @property
    def index(self) -> int:
        """0-based index of the current step."""
        return self._index

    @property
    def status(self) -> GuideStatus:
        """Current :class:`GuideStatus`."""
        return self._status

    @property
    def done(self) -> bool:
        """True once the routine finished or was quit."""
        return self._status in (GuideStatus.FINISHED, GuideStatus.QUIT)

    def elapsed_s(self) -> float:
        """Routine seconds spent in the current step (not counting pauses)."""
        if self._since is None:
            return self._banked_s
        return self._banked_s + (self._clock() - self._since) * self._speed

    def remaining_s(self) -> float:
        """Routine seconds left in the current step (never below 0)."""
        return max(0.0, self._durations[self._index] - self.elapsed_s())

    def snapshot(self) -> GuideSnapshot:
        """The current state as one immutable value."""
        elapsed = min(self.elapsed_s(), self._durations[self._index])
        return GuideSnapshot(
            index=self._index,
            steps=len(self._durations),
            status=self._status,
            duration_s=self._durations[self._index],
            elapsed_s=elapsed,
            remaining_s=self._durations[self._index] - elapsed,
        )

    # -- changing ------------------------------------------------------------------------------

    def update(self) -> list[int]:
        """Advance past every step whose time ran out; return their indices, oldest first."""
        completed: list[int] = []
        if self._status is not GuideStatus.RUNNING:
            return completed
        now = self._clock()
        assert self._since is not None
        elapsed = self._banked_s + (now - self._since) * self._speed
        while elapsed >= self._durations[self._index]:
            completed.append(self._index)
            if self._index == len(self._durations) - 1:
                self._finish()
                return completed
            elapsed -= self._durations[self._index]
            self._index += 1
        self._banked_s = elapsed
        self._since = now
        return completed

    def pause(self) -> None:
        """Freeze the countdown (no effect unless running)."""
        if self._status is GuideStatus.RUNNING:
            self.update()
            if self._status is GuideStatus.RUNNING:
                self._banked_s = self.elapsed_s()
                self._since = None
                self._status = GuideStatus.PAUSED

    def resume(self) -> None:
        """Continue the countdown (no effect unless paused)."""
        if self._status is GuideStatus.PAUSED:
            self._since = self._clock()
            self._status = GuideStatus.RUNNING

    def toggle_pause(self) -> None:
        """Pause when running, resume when paused."""
        if self._status is GuideStatus.PAUSED:
            self.resume()
        else:
            self.pause()

    def next_step(self) -> None:
        """Skip to the start of the next step; skipping the last step finishes the routine."""
        if self.done:
            return
        if self._index == len(self._durations) - 1:
            self._finish()
            return
        self._goto(self._index + 1)

    def back(self) -> None:
        """Go to the start of the previous step (the first step restarts itself)."""
        if self.done:
            return
        self._goto(max(0, self._index - 1))

    def quit(self) -> None:
        """Stop the routine for good."""
        if not self.done:
            self._banked_s = self.elapsed_s()
            self._since = None
            self._status = GuideStatus.QUIT

    def apply(self, action: Action) -> None:
        """Carry out a key's :class:`Action`."""
        {
            Action.TOGGLE_PAUSE: self.toggle_pause,
            Action.NEXT: self.next_step,
            Action.BACK: self.back,
            Action.QUIT: self.quit,
        }[action]()

    def _goto(self, index: int) -> None:
        self._index = index
        self._banked_s = 0.0
        self._since = self._clock() if self._status is GuideStatus.RUNNING else None

    def _finish(self) -> None:
        self._banked_s = self._durations[self._index]
        self._since = None
        self._status = GuideStatus.FINISHED


# ---------------------------------------------------------------------------------------------
# terminal I/O


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
