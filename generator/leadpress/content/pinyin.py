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
        if os.getpid() != self.owner:
            return None
        try:
            pickle.dump(texts, self.requests)
            self.requests.flush()
            answer = pickle.load(self.answers)
        except (OSError, EOFError, pickle.UnpicklingError):
            stop_loading()
            return None
        return answer if isinstance(answer, list) and len(answer) == len(texts) else None


_helper: _Helper | None = None
_answered: dict[str, list[str]] = {}  # syllables the helper gave ahead of the asking


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
    if helper is None or os.getpid() != helper.owner:
        return
    for pipe in (helper.requests, helper.answers):
        with suppress(OSError):
            pipe.close()
    with suppress(ChildProcessError):
        os.waitpid(helper.pid, 0)


def ask_ahead(texts: Iterable[str]) -> None:
    """Get the syllables of all of `texts` from the helper in one exchange, for the calls
    of `syllables` that follow. Without a helper, nothing is done ahead."""
    if _helper is None:
        return
    wanted = [text for text in dict.fromkeys(texts) if text not in _answered]
    answers = _helper.ask(wanted) if wanted else None
    if answers is not None:
        _answered.update(zip(wanted, answers, strict=True))


def syllables(text: str) -> list[str]:
    """The toneless pinyin of each Chinese character of `text`; other text unchanged."""
    if text in _answered and _helper is not None and os.getpid() == _helper.owner:
        return list(_answered[text])
    if _helper is not None:
        answer = _helper.ask([text])
        if answer is not None:
            return answer[0]
    from pypinyin import Style, lazy_pinyin  # a large dictionary: loaded when needed

    return _syllables(lazy_pinyin, Style, text)
