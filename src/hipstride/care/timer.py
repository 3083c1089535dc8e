"""The timer of a guided routine: which step is on, how much time it has left, whether it is paused.

:class:`GuideTimer` is a pure state machine. It never reads a clock of its own; the clock is
injected (``time.monotonic`` in the terminal, a fake one in tests), so every transition can be
driven and checked without waiting. ``speed`` scales routine time (60 makes a routine minute last
a real second). The terminal face around it (keys, drawing) is :mod:`hipstride.cli.guide_tty`;
another face (a web page) would drive the same timer with the same :class:`Action` values.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Action", "GuideSnapshot", "GuideStatus", "GuideTimer"]


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
