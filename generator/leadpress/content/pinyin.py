"""Chinese characters as pinyin syllables (pypinyin), its dictionary loaded beside start-up.

pypinyin's phrase dictionary takes about 0.2 s to load, and a build needs it while it
reads the content, on the one CPU its start-up keeps busy. `leadpress build` therefore
forks, before anything else, a process that loads the dictionary on the idle CPU and
then answers requests over a pipe; the build asks it for the syllables of each Chinese
title or tag it makes a slug of, all of a site's titles in one exchange (one exchange
each costs a pair of context switches). Any other process (a forked worker, a test, `serve`), or
a build whose helper is gone, loads the dictionary itself: the answer is the same.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Iterable
from contextlib import suppress
from typing import IO, Any


class _Helper:
    def __init__(self, pid: int, requests: IO[bytes], answers: IO[bytes]) -> None:
        self.pid = pid
        self.owner = os.getpid()  # forked children share the pipes: only this process asks
        self.requests = requests
        self.answers = answers

    def ask(self, texts: list[str]) -> list[list[str]] | None:
        """The syllables of each of `texts`; None when the helper cannot answer."""
        return self.receive(len(texts)) if self.send(texts) else None

    def send(self, texts: list[str]) -> bool:
        """Ask for the syllables of `texts`, to be read with `receive` (one request at a
        time: the helper writes no answer while the one before is unread)."""
        if os.getpid() != self.owner:
            return False
        try:
            pickle.dump(texts, self.requests)
            self.requests.flush()
        except OSError:
            stop_loading()
            return False
        return True

    def receive(self, count: int) -> list[list[str]] | None:
        """The answer to the request sent last, of `count` texts."""
        try:
            answer = pickle.load(self.answers)
        except (OSError, EOFError, pickle.UnpicklingError):
            stop_loading()
            return None
        return answer if isinstance(answer, list) and len(answer) == count else None


_helper: _Helper | None = None
_answered: dict[str, list[str]] = {}  # syllables the helper gave ahead of the asking
_awaited: list[str] = []  # texts asked ahead whose answer is not read yet


def start_loading() -> None:
    """Fork the process that loads the dictionary (only where forking is safe: a process
    with one thread). Call `stop_loading` when done."""
    global _helper
    if _helper is not None or not hasattr(os, "fork") or threading.active_count() != 1:
        return
    try:
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()
        pid = os.fork()
    except OSError:  # no process to spare: the build loads the dictionary itself
        return
    if pid == 0:  # the helper: answer until the build closes its end of the pipe
        status = 0
        try:
            os.close(parent_writes)
            os.close(parent_reads)
            _serve(os.fdopen(child_reads, "rb"), os.fdopen(child_writes, "wb"))
        except BaseException:
            status = 1
        finally:
            os._exit(status)  # never the build's own clean-up, which belongs to the parent
    os.close(child_reads)
    os.close(child_writes)
    _helper = _Helper(pid, os.fdopen(parent_writes, "wb"), os.fdopen(parent_reads, "rb"))


def _forget_in_child() -> None:
    """A process forked from the build closes its copy of the pipes at once: were it to
    keep the build's end open, the helper would never see the end of its requests, and
    `stop_loading` would wait for it as long as that process lives."""
    global _helper
    helper, _helper = _helper, None
    _answered.clear()
    _awaited.clear()
    if helper is not None:
        for pipe in (helper.requests, helper.answers):
            with suppress(OSError):
                pipe.close()  # nothing to flush: every request is flushed as it is sent


os.register_at_fork(after_in_child=_forget_in_child)


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    from pypinyin import Style, lazy_pinyin

    while True:
        try:
            texts = pickle.load(requests)
        except EOFError:
            return
        pickle.dump([_syllables(lazy_pinyin, Style, text) for text in texts], answers)
        answers.flush()


def _syllables(lazy_pinyin: Any, style: Any, text: str) -> list[str]:
    # Runs of non-Han text come back unchanged, Han characters one syllable each.
    return list(lazy_pinyin(text, style=style.NORMAL, v_to_u=False))


def stop_loading() -> None:
    global _helper
    helper, _helper = _helper, None
    _answered.clear()
    _awaited.clear()
    if helper is None or os.getpid() != helper.owner:
        return
    for pipe in (helper.requests, helper.answers):
        with suppress(OSError):
            pipe.close()
    with suppress(ChildProcessError):
        os.waitpid(helper.pid, 0)


def ask_ahead(texts: Iterable[str]) -> None:
    """Ask the helper for the syllables of all of `texts` in one exchange, for the calls of
    `syllables` that follow; the build goes on while the helper works, and the answer is
    read when the first of them comes. Without a helper, nothing is done ahead."""
    if _helper is None:
        return
    _receive()  # the answer to an earlier request first
    wanted = [text for text in dict.fromkeys(texts) if text not in _answered]
    if wanted and _helper is not None and _helper.send(wanted):
        _awaited.extend(wanted)


def _receive() -> None:
    """Read the answer to the request sent ahead, if any (only the asking process can)."""
    if not _awaited or _helper is None or os.getpid() != _helper.owner:
        return
    answers = _helper.receive(len(_awaited))
    if answers is not None:
        _answered.update(zip(_awaited, answers, strict=True))
    _awaited.clear()


def syllables(text: str) -> list[str]:
    """The toneless pinyin of each Chinese character of `text`; other text unchanged."""
    _receive()
    if text in _answered and _helper is not None and os.getpid() == _helper.owner:
        return list(_answered[text])
    if _helper is not None:
        answer = _helper.ask([text])
        if answer is not None:
            return answer[0]
    from pypinyin import Style, lazy_pinyin  # a large dictionary: loaded when needed

    return _syllables(lazy_pinyin, Style, text)
