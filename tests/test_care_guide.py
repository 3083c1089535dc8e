"""``routine guide``: the timer state machine on a fake clock, and the real thing in a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import hipstride
from hipstride.care.content import get_routine
from hipstride.care.routine import format_clock
from hipstride.care.timer import Action, GuideStatus, GuideTimer
from hipstride.cli.guide_tty import KEYMAP, split_keys
from hipstride.errors import InputError


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make(clock: FakeClock, durations: list[float] | None = None, speed: float = 1.0) -> GuideTimer:
    return GuideTimer(durations or [60, 30, 90], clock=clock, speed=speed)


def status_of(timer: GuideTimer) -> GuideStatus:
    """The timer's status, read through a call so type checkers do not narrow it."""
    return timer.status


# ---------------------------------------------------------------------------------------------
# the state machine


def test_counts_down(clock: FakeClock) -> None:
    timer = make(clock)
    assert timer.status is GuideStatus.RUNNING
    assert timer.remaining_s() == 60
    clock.advance(15)
    assert timer.update() == []
    assert timer.remaining_s() == 45
    snap = timer.snapshot()
    assert (snap.index, snap.steps, snap.elapsed_s, snap.remaining_s) == (0, 3, 15, 45)
    assert snap.fraction == pytest.approx(0.25)


def test_moves_on_when_time_runs_out_and_keeps_the_overshoot(clock: FakeClock) -> None:
    timer = make(clock)
    clock.advance(70)
    assert timer.update() == [0]
    assert timer.index == 1
    assert timer.remaining_s() == 20


def test_a_slow_caller_can_pass_several_steps(clock: FakeClock) -> None:
    timer = make(clock)
    clock.advance(100)
    assert timer.update() == [0, 1]
    assert timer.index == 2
    assert timer.remaining_s() == 80
    clock.advance(500)
    assert timer.update() == [2]
    assert timer.status is GuideStatus.FINISHED
    assert timer.done
    assert timer.remaining_s() == 0


def test_pause_freezes_the_countdown(clock: FakeClock) -> None:
    timer = make(clock)
    clock.advance(10)
    timer.pause()
    assert status_of(timer) is GuideStatus.PAUSED
    clock.advance(1000)
    assert timer.update() == []
    assert timer.remaining_s() == 50
    timer.resume()
    assert status_of(timer) is GuideStatus.RUNNING
    clock.advance(5)
    assert timer.remaining_s() == 45


def test_toggle_pause(clock: FakeClock) -> None:
    timer = make(clock)
    timer.apply(Action.TOGGLE_PAUSE)
    assert status_of(timer) is GuideStatus.PAUSED
    timer.apply(Action.TOGGLE_PAUSE)
    assert status_of(timer) is GuideStatus.RUNNING


def test_pause_after_time_ran_out_moves_on_first(clock: FakeClock) -> None:
    timer = make(clock)
    clock.advance(65)
    timer.pause()
    assert timer.index == 1
    assert timer.remaining_s() == 25


def test_next_skips_to_the_start_of_the_next_step(clock: FakeClock) -> None:
    timer = make(clock)
    clock.advance(20)
    timer.apply(Action.NEXT)
    assert timer.index == 1
    assert timer.remaining_s() == 30
    clock.advance(10)
    assert timer.remaining_s() == 20


def test_next_while_paused_stays_paused(clock: FakeClock) -> None:
    timer = make(clock)
    timer.pause()
    timer.next_step()
    assert timer.index == 1
    assert timer.status is GuideStatus.PAUSED
    clock.advance(100)
    assert timer.remaining_s() == 30


def test_next_on_the_last_step_finishes(clock: FakeClock) -> None:
    timer = make(clock)
    timer.next_step()
    timer.next_step()
    timer.next_step()
    assert timer.status is GuideStatus.FINISHED
    timer.next_step()  # no effect once done
    timer.back()
    assert timer.index == 2


def test_back_goes_to_the_start_of_the_previous_step(clock: FakeClock) -> None:
    timer = make(clock)
    timer.next_step()
    clock.advance(12)
    timer.apply(Action.BACK)
    assert timer.index == 0
    assert timer.remaining_s() == 60


def test_back_on_the_first_step_restarts_it(clock: FakeClock) -> None:
    timer = make(clock)
    clock.advance(40)
    timer.back()
    assert timer.index == 0
    assert timer.remaining_s() == 60


def test_quit(clock: FakeClock) -> None:
    timer = make(clock)
    clock.advance(5)
    timer.apply(Action.QUIT)
    assert timer.status is GuideStatus.QUIT
    assert timer.done
    clock.advance(500)
    assert timer.update() == []
    assert timer.remaining_s() == 55


def test_speed_scales_routine_time(clock: FakeClock) -> None:
    timer = make(clock, speed=60)
    clock.advance(0.5)
    assert timer.remaining_s() == 30
    clock.advance(1.0)  # 90 routine seconds: exactly the end of step 2
    assert timer.update() == [0, 1]
    assert timer.index == 2
    assert timer.remaining_s() == 90


@pytest.mark.parametrize(
    ("durations", "speed"),
    [([], 1.0), ([10, 0], 1.0), ([10], 0.0), ([10], -2.0)],
)
def test_rejects_bad_setup(clock: FakeClock, durations: list[float], speed: float) -> None:
    with pytest.raises(ValueError, match=r"step|speed"):
        GuideTimer(durations, clock=clock, speed=speed)


def test_keys() -> None:
    assert split_keys(" pnb") == [" ", "p", "n", "b"]
    assert split_keys("\x1b[C\x1b[Dq") == ["\x1b[C", "\x1b[D", "q"]
    assert split_keys("N") == ["n"]
    assert [KEYMAP.get(k) for k in split_keys(" p\x1b[Cn\x1b[Dbqx")] == [
        Action.TOGGLE_PAUSE,
        Action.TOGGLE_PAUSE,
        Action.NEXT,
        Action.NEXT,
        Action.BACK,
        Action.BACK,
        Action.QUIT,
        None,
    ]


def test_format_clock() -> None:
    assert format_clock(0) == "0:00"
    assert format_clock(0.2) == "0:01"
    assert format_clock(59.5) == "1:00"
    assert format_clock(600) == "10:00"


# ---------------------------------------------------------------------------------------------
# the command without a terminal


def test_no_wait_prints_every_step() -> None:
    from hipstride.cli.care import routine

    result = CliRunner().invoke(routine, ["guide", "warm-up", "--no-wait"])
    assert result.exit_code == 0, result.output
    warm_up = get_routine("warm-up")
    for number, step in enumerate(warm_up.steps, start=1):
        assert f"Step {number}/{len(warm_up.steps)}: {step.name}" in result.output
    assert "Routine complete." in result.output


def test_without_a_terminal_the_timer_runs_through() -> None:
    from hipstride.cli.care import routine

    started = time.monotonic()
    result = CliRunner().invoke(routine, ["guide", "cool-down", "--speed", "3000"])
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 10
    cool_down = get_routine("cool-down")
    for step in cool_down.steps:
        assert f"✓ done: {step.name}" in result.output
    assert "Routine complete." in result.output


@pytest.mark.parametrize("speed", ["0", "-1", "100000"])
def test_bad_speed_is_an_input_error(speed: str) -> None:
    from hipstride.cli.care import routine

    result = CliRunner().invoke(routine, ["guide", "warm-up", "--speed", speed])
    assert isinstance(result.exception, InputError)


# ---------------------------------------------------------------------------------------------
# the command in a real pseudo-terminal

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")
FRAME = re.compile(
    r"Step (\d+)/(\d+): [^\n]*\n[^\n]*?(\d+):(\d\d) left (RUNNING|PAUSED|DONE|STOPPED)"
)


class Terminal:
    """``hipstride routine guide`` running on a pseudo-terminal, with its screen output as text."""

    def __init__(self, args: list[str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        src = str(Path(hipstride.__file__).resolve().parent.parent)
        env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
        code = (
            "import sys\n"
            "from hipstride.cli.care import routine\n"
            "routine.main(sys.argv[1:], prog_name='hipstride routine')\n"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.raw = b""

    def pump(self, seconds: float) -> None:
        """Read whatever the program writes for ``seconds``."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the program exited and closed the terminal
                    return
                if not chunk:
                    return
                self.raw += chunk

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw.decode("utf-8", errors="replace"))

    def frame(self) -> tuple[int, float, str]:
        """The latest drawn (step number, seconds left, status)."""
        frames = FRAME.findall(self.text)
        assert frames, self.text[-2000:]
        step, _, minutes, seconds, status = frames[-1]
        return int(step), int(minutes) * 60 + int(seconds), status

    def wait_for(self, predicate: object, timeout: float = 30.0) -> tuple[int, float, str]:
        """Pump until ``predicate(frame)`` holds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump(0.1)
            if FRAME.search(self.text) and predicate(self.frame()):  # type: ignore[operator]
                return self.frame()
        raise AssertionError(f"timed out; last frame {self.frame()}\n{self.text[-1500:]}")

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        os.close(self.master)


@pytest.fixture
def terminal() -> object:
    opened: list[Terminal] = []

    def start(*args: str) -> Terminal:
        opened.append(Terminal(list(args)))
        return opened[-1]

    yield start
    for term in opened:
        term.close()


def test_guide_in_a_terminal(terminal: object) -> None:
    """Countdown, pause (time stands still), resume, next, back and quit, on a real pty."""
    term: Terminal = terminal("guide", "warm-up", "--speed", "20")  # type: ignore[operator]
    # counts down: step 1 is 4:00; at 20x a real second takes 20 s off
    step, first_left, status = term.wait_for(lambda f: f[0] == 1 and f[1] <= 230)
    assert (step, status) == (1, "RUNNING")
    later = term.wait_for(lambda f: f[1] <= first_left - 20)
    assert later[0] == 1

    # pause: the status says so and the remaining time does not move
    term.press(b" ")
    paused = term.wait_for(lambda f: f[2] == "PAUSED")
    term.pump(1.5)  # 30 routine seconds would pass if it were running
    assert term.frame() == paused

    # resume with p: it counts down again
    term.press(b"p")
    resumed = term.wait_for(lambda f: f[2] == "RUNNING" and f[1] < paused[1] - 5)
    assert resumed[0] == 1

    # n skips to the start of step 2 (3:00)
    term.press(b"n")
    step2 = term.wait_for(lambda f: f[0] == 2)
    assert 150 <= step2[1] <= 180
    assert "skipped to step 2: Light jog" in term.text

    # the right arrow also skips; b and the left arrow go back
    term.press(b"\x1b[C")
    term.wait_for(lambda f: f[0] == 3)
    term.press(b"b")
    back = term.wait_for(lambda f: f[0] == 2)
    assert back[1] >= 150  # step 2 restarted from its full time
    term.press(b"\x1b[D")
    term.wait_for(lambda f: f[0] == 1)

    # q quits cleanly
    term.press(b"q")
    assert term.process.wait(10) == 0
    term.pump(0.5)
    assert "Stopped at step 1/5." in term.text


def test_guide_in_a_terminal_runs_to_the_end(terminal: object) -> None:
    term: Terminal = terminal("guide", "cool-down", "--speed", "600")  # type: ignore[operator]
    assert term.process.wait(20) == 0
    term.pump(0.5)
    text = term.text
    for step in get_routine("cool-down").steps:
        assert f"✓ done: {step.name}" in text
    assert "Routine complete." in text


def test_terminal_mode_is_restored_after_quitting(terminal: object) -> None:
    """The program leaves cbreak mode on exit, so the shell gets its line editing back."""
    term: Terminal = terminal("guide", "heat", "--speed", "10")  # type: ignore[operator]
    term.wait_for(lambda f: f[0] == 1)
    attrs_during = termios.tcgetattr(term.master)
    assert not attrs_during[3] & termios.ICANON
    term.press(b"q")
    assert term.process.wait(10) == 0
    assert termios.tcgetattr(term.master)[3] & termios.ICANON
