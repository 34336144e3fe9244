"""Social cards of a whole build drawn at once: cached ones reused, the rest in parallel.

Drawing a card takes a few milliseconds (text layout, then PNG compression); a site with
thousands of pages and listings would spend seconds drawing them one after another. Each
card is written once, into the site, by the process that drew it; the cache and any other
page showing the same card get a hard link to that file rather than a copy.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from multiprocessing.process import BaseProcess
from pathlib import Path

from ..seo.cards import CardCache, CardSpec, Fonts, render_card
from . import link_or_copy, write_atomically
from .pool import (
    fork_allowed,
    hold_frozen,
    process_pool,
    release_frozen,
    use_pool,
    worker_count,
)


def _draw(job: tuple[CardSpec, Fonts, Path]) -> None:
    spec, fonts, target = job
    data = render_card(spec, fonts)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as file:  # a new file in the build's own folder
        file.write(data)


def write_cards(cache: CardCache, wanted: Sequence[tuple[CardSpec, Path]]) -> None:
    """Write the card of each spec to its path; draw each missing card once."""
    sources: dict[CardSpec, Path] = {}  # where each card's bytes are: the cache or the site
    jobs: list[tuple[CardSpec, Fonts, Path]] = []
    for spec, target in wanted:
        if spec in sources:
            continue
        cached = cache.cached_file(spec)
        if cached is None:
            jobs.append((spec, cache.fonts, target))
            sources[spec] = target
        else:
            sources[spec] = cached
    if use_pool(len(jobs)):
        with process_pool() as pool:
            chunk = max(1, len(jobs) // (worker_count() * 4))
            list(pool.map(_draw, jobs, chunksize=chunk))
    else:
        for job in jobs:
            _draw(job)
    for spec, _, target in jobs:
        cache.keep(spec, target)
    folders: set[Path] = set()
    for spec, target in wanted:
        source = sources[spec]
        if source == target:
            continue  # drawn here
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        link_or_copy(source, target)


# Drawing ahead ---------------------------------------------------------------------------------

LookAhead = Callable[[], Iterable[CardSpec]]
_WAIT_SECONDS = 0.02  # between looks for the build's list of cards


class CardPrefetch:
    """A background process that draws cards into the cache while the build runs, at the
    lowest priority: it runs on a CPU left idle (while the build starts up and reads the
    content, while one process waits for another), so by the time the build writes its
    cards most are there. Started as the build starts, it first draws the cards a look at
    the sources promises (`look_ahead`), then those the build asks for once it knows them
    (`want`). It is only ever ahead of the build: a card it did not get to, or a spec the
    build did not ask for, changes nothing, since the cache is keyed by everything a card
    shows.

    The process is forked: it has the modules it needs already, where a new interpreter
    would spend a third of a CPU second importing them on a CPU the build shares."""

    def __init__(self, process: BaseProcess, cache: CardCache, wanted: Path) -> None:
        self.process = process
        self.cache = cache
        self.wanted = wanted  # the build's own list, when it has one
        self._holding_frozen = True  # until the process has ended

    @classmethod
    def start(cls, cache: CardCache, look_ahead: LookAhead | None = None) -> CardPrefetch | None:
        """Start the drawing process; None without a second CPU to run it on, or where
        this process may not fork (the build then draws every card itself)."""
        if worker_count() < 2 or not fork_allowed():
            return None
        cache.directory.mkdir(parents=True, exist_ok=True)
        wanted = cache.directory / f".prefetch-{os.getpid()}-wanted.pickle"
        wanted.unlink(missing_ok=True)
        process = multiprocessing.get_context("fork").Process(
            target=_draw_ahead,
            args=(cache, look_ahead, wanted, os.getpid()),
            name="leadpress-cards",
            daemon=True,  # never waited for at exit: it ends when the build does
        )
        hold_frozen()  # the fork shares this process's objects; see pool.frozen_objects
        try:
            process.start()
        except OSError:  # no process to spare: the build draws every card
            release_frozen()
            return None
        return cls(process, cache, wanted)

    @classmethod
    def start_drawing(cls, cache: CardCache, specs: Iterable[CardSpec]) -> CardPrefetch | None:
        """Start a process drawing the cards of `specs` not in the cache yet; None when
        there are too few to be worth one."""
        missing = [spec for spec in dict.fromkeys(specs) if not cache.path(spec).exists()]
        if not use_pool(len(missing)):
            return None
        prefetch = cls.start(cache)
        if prefetch is not None:
            prefetch.want(missing)
        return prefetch

    def want(self, specs: Iterable[CardSpec]) -> None:
        """The cards the build will write: those not in the cache yet are drawn next."""
        missing = [spec for spec in dict.fromkeys(specs) if not self.cache.path(spec).exists()]
        with suppress(OSError):  # not handed over: the build draws them
            write_atomically(self.wanted, pickle.dumps(missing))

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the process to end by itself: its exit status (0: all drawn), or None
        if it still runs after `timeout` seconds."""
        self.process.join(timeout)
        if self.process.exitcode is not None:
            self._ended()
        return self.process.exitcode

    def stop(self) -> None:
        """Stop drawing (the build draws what is left) and remove a half-written card."""
        if self.process.exitcode is None:
            self.process.terminate()
            self.process.join()
        self._ended()
        self.wanted.unlink(missing_ok=True)
        for leftover in self.cache.directory.glob(f".*.{self.process.pid}.tmp"):
            leftover.unlink(missing_ok=True)

    def _ended(self) -> None:
        if self._holding_frozen:
            self._holding_frozen = False
            release_frozen()


def _draw_ahead(cache: CardCache, look_ahead: LookAhead | None, wanted: Path, build: int) -> None:
    """The drawing process: the cards `look_ahead` promises, until the build's own list
    comes; then the cards on that list. It ends when the build that started it has."""
    with suppress(OSError):
        os.nice(19)

    def draw(specs: Iterable[CardSpec], guessed: bool) -> None:
        for spec in specs:
            if os.getppid() != build or (guessed and wanted.exists()):
                return  # the build has gone, or knows its cards: draw those instead
            if not cache.path(spec).exists():
                cache.draw_and_keep(spec)

    try:
        if look_ahead is not None:
            draw(look_ahead(), guessed=True)
        while not wanted.exists():
            if os.getppid() != build:
                return
            time.sleep(_WAIT_SECONDS)
        specs = pickle.loads(wanted.read_bytes())
        wanted.unlink(missing_ok=True)
        draw(specs, guessed=False)
    except Exception:  # quietly: a card it could not draw is drawn, or reported, by the build
        os._exit(1)
