"""Forked processes that do part of a build's work while the main process does the rest.

Forked once every page is read, a helper shares this process's memory (the site as read)
and runs what it is given: rendering some of the pages (then reading them for the audit),
writing the feeds. What it makes it writes to files, and what it returns reaches the main
process when that waits for it; its failure, with the traceback, becomes the build's
failure then.

`PageClaims` splits the pages to render between the main process and a helper as they
go: each takes the next page from its own end of the list until they meet, so each renders
as many as it can while the other renders the rest, whatever each page costs.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from .pool import hold_frozen, release_frozen


class ForkedWork:
    """A forked process doing `work`; `wait` returns what it returned, or fails the build
    with its traceback. The work is handed a `ready` callable: calling it lets `wait_ready`
    return while the process goes on (with what it made so far on disk)."""

    def __init__(self, pid: int, directory: Path, what: str, plugin: str, signal_fd: int) -> None:
        self.pid: int | None = pid
        self.directory = directory
        self.what = what  # "rendering pages", for the error message
        self.plugin = plugin
        self.result_file = directory / f"forked-{pid}-result.pickle"
        self.error_file = directory / f"forked-{pid}-error.txt"
        self.signal_fd: int | None = signal_fd  # reads a byte once the work says it is ready
        self.result: Any = None

    @classmethod
    def start(
        cls, directory: Path, work: Callable[[Callable[[], None]], Any], what: str, plugin: str
    ) -> ForkedWork:
        directory.mkdir(parents=True, exist_ok=True)
        sys.stdout.flush()
        sys.stderr.flush()
        read_end, write_end = os.pipe()
        hold_frozen()  # see pool.frozen_objects; released once the process has ended
        pid = os.fork()
        if pid == 0:  # the helper: do the work, leave its result or what went wrong
            os.close(read_end)
            status = 1
            own = directory / f"forked-{os.getpid()}"

            def ready() -> None:
                with suppress(OSError):
                    os.write(write_end, b"r")

            try:
                result = pickle.dumps(work(ready), protocol=pickle.HIGHEST_PROTOCOL)
                Path(f"{own}-result.pickle").write_bytes(result)
                status = 0
            except BaseException:
                with suppress(BaseException):
                    Path(f"{own}-error.txt").write_text(traceback.format_exc(), encoding="utf-8")
            finally:
                os._exit(status)  # never back into the build's own code
        os.close(write_end)
        return cls(pid, directory, what, plugin, read_end)

    def wait_ready(self) -> None:
        """Wait until the work says it is ready, or has ended (failing the build if it
        failed)."""
        if self.signal_fd is None:
            return
        signalled = os.read(self.signal_fd, 1)
        os.close(self.signal_fd)
        self.signal_fd = None
        if not signalled:  # it ended without saying so: done, or failed
            self.wait()

    def wait(self) -> Any:
        """Wait for the process to end: what its work returned."""
        if self.pid is None:
            return self.result
        if self.signal_fd is not None:
            os.close(self.signal_fd)
            self.signal_fd = None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        release_frozen()
        try:
            if os.waitstatus_to_exitcode(status) == 0:
                self.result = pickle.loads(self.result_file.read_bytes())
                return self.result
            try:
                detail = self.error_file.read_text(encoding="utf-8")
            except OSError:
                detail = f"it ended with status {os.waitstatus_to_exitcode(status)}"
            raise PluginError(f"{self.plugin}: {self.what} in a helper process failed:\n{detail}")
        finally:
            self.result_file.unlink(missing_ok=True)
            self.error_file.unlink(missing_ok=True)

    def stop(self) -> None:
        """End the process (the build failed elsewhere); what it leaves is not read."""
        if self.signal_fd is not None:
            os.close(self.signal_fd)
            self.signal_fd = None
        if self.pid is None:
            return
        with suppress(OSError):
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        self.pid = None
        release_frozen()
        self.result_file.unlink(missing_ok=True)
        self.error_file.unlink(missing_ok=True)


class PageClaims:
    """Positions 0..count-1, taken one at a time from the front by this process and from
    the back by a forked one, never both taking the same. Made before the fork: the two
    cursors and their lock live in memory both processes share."""

    def __init__(self, count: int) -> None:
        self.count = count
        context = multiprocessing.get_context("fork")
        self._lock = context.Lock()
        self._cursors = context.RawArray("q", [0, count])  # next front, one past last back

    def take_front(self, position: int) -> bool:
        """Take `position` from the front (the front takes positions in order) unless the
        back has taken it."""
        with self._lock:
            if position >= self._cursors[1]:
                return False
            self._cursors[0] = max(self._cursors[0], position + 1)
            return True

    def take_next_front(self) -> int | None:
        """The next position from the front, or None once the two ends have met."""
        with self._lock:
            front, back = self._cursors
            if front >= back:
                return None
            self._cursors[0] = front + 1
            return front

    def take_back(self) -> int | None:
        """The next position from the back, or None once the two ends have met."""
        with self._lock:
            front, back = self._cursors
            if back - 1 < front:
                return None
            self._cursors[1] = back - 1
            return back - 1

    def taken_from_back(self) -> int:
        """How many positions the back has taken so far."""
        with self._lock:
            return self.count - self._cursors[1]
