"""How far a long build has got: a line every few seconds, and nothing on a short build.

Engine-independent: the `leadpress/progress` adapter tells a `Progress` when a phase
begins, when each of its steps is done and when it ends; this module decides what, if
anything, is worth saying.
"""

from __future__ import annotations

import time
from collections.abc import Callable

EVERY_VARIABLE = "LEADPRESS_PROGRESS_EVERY"  # seconds between lines; 0: a line per step
DEFAULT_EVERY = 2.0


class Progress:
    """Counts the steps of one phase at a time (`Rendering pages: 500/1479`).

    A line is said at most once every `every` seconds, the first only once the phase has
    lasted that long, so a phase shorter than `every` says nothing at all. A phase that said
    something ends with a line of its total and its time.
    """

    def __init__(
        self,
        say: Callable[[str], None],
        every: float = DEFAULT_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.say = say
        self.every = every
        self.clock = clock
        self.started = clock()  # of the whole build, for `long`
        self.phase = ""
        self.total = 0
        self.done = 0
        self.phase_started = self.last = self.started
        self.spoke = False  # in this phase

    def begin(self, phase: str, total: int) -> None:
        self.phase, self.total, self.done = phase, total, 0
        self.phase_started = self.last = self.clock()
        self.spoke = False

    def step(self, done: int | None = None) -> None:
        """One more step done, or `done` steps in all (some done elsewhere)."""
        self.done = self.done + 1 if done is None else done
        if self.done >= self.total:
            return  # `end` says the total
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.spoke = True
            self.say(f"{self.phase}: {self.done}/{self.total}")

    def end(self, done: int | None = None) -> None:
        """The phase is over, after `done` steps in all when given."""
        if done is not None:
            self.done = done
        if self.spoke:
            seconds = self.clock() - self.phase_started
            self.say(f"{self.phase}: {self.done}/{self.total} in {seconds:.1f} s")
        self.phase, self.spoke = "", False

    @property
    def long(self) -> bool:
        """Whether the build has already lasted longer than one interval."""
        return self.clock() - self.started >= self.every


def parse_every(value: str | None) -> float:
    """Seconds between progress lines from the environment's `LEADPRESS_PROGRESS_EVERY`."""
    if value is None or not value.strip():
        return DEFAULT_EVERY
    try:
        every = float(value)
    except ValueError:
        every = -1.0
    if not every >= 0:  # also NaN
        raise ValueError(
            f"{EVERY_VARIABLE}={value!r} is not a number of seconds; "
            f"write e.g. {EVERY_VARIABLE}=2 (0 prints a line per page)"
        )
    return every
