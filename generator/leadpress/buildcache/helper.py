"""A forked process that renders part of a build's pages while this one renders the rest.

Forked once every page is read, it shares this process's memory (the site as read) and
runs what it is given; what it produces it writes to files. Its failure, with the traceback,
becomes the build's failure when the main process waits for it.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import traceback
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from mkdocs.exceptions import PluginError


class RenderHelper:
    """A forked process rendering some of the pages; its failure fails the build."""

    def __init__(self, pid: int, error_file: Path) -> None:
        self.pid: int | None = pid
        self.error_file = error_file

    @classmethod
    def start(cls, directory: Path, work: Callable[[], None]) -> RenderHelper:
        directory.mkdir(parents=True, exist_ok=True)
        error_file = directory / "helper-error.txt"
        error_file.unlink(missing_ok=True)
        sys.stdout.flush()
        sys.stderr.flush()
        gc.freeze()  # see pool.frozen_objects; undone once the helper has ended
        pid = os.fork()
        if pid == 0:  # the helper: do the work, say what went wrong, never return
            status = 1
            try:
                work()
                status = 0
            except BaseException:
                error_file.write_text(traceback.format_exc(), encoding="utf-8")
            finally:
                os._exit(status)
        return cls(pid, error_file)

    def wait(self) -> None:
        if self.pid is None:
            return
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        gc.unfreeze()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            try:
                detail = self.error_file.read_text(encoding="utf-8")
            except OSError:
                detail = f"it ended with status {code}"
            raise PluginError(
                f"leadpress/buildcache: rendering pages in a helper process failed:\n{detail}"
            )

    def stop(self) -> None:
        if self.pid is None:
            return
        with suppress(OSError):
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        self.pid = None
        gc.unfreeze()
