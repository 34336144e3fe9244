"""Social cards of a whole build drawn at once: cached ones reused, the rest in parallel.

Drawing a card takes a few milliseconds (text layout, then PNG compression); a site with
thousands of pages and listings would spend seconds drawing them one after another. Each
card is written once, into the site, by the process that drew it; the cache and any other
page showing the same card get a hard link to that file rather than a copy.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from pathlib import Path

from ..seo.cards import CardCache, CardSpec, Fonts, render_card
from . import link_or_copy, write_atomically
from .pool import process_pool, use_pool, worker_count


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
    shows."""

    def __init__(
        self, process: subprocess.Popen[bytes], cache: CardCache, jobs: Path, wanted: Path
    ) -> None:
        self.process = process
        self.cache = cache
        self.jobs = jobs  # what to draw first, removed by the process once read
        self.wanted = wanted  # the build's own list, when it has one

    @classmethod
    def start(cls, cache: CardCache, look_ahead: LookAhead | None = None) -> CardPrefetch | None:
        """Start the drawing process; None without a second CPU to run it on."""
        if worker_count() < 2 or not sys.executable:
            return None
        cache.directory.mkdir(parents=True, exist_ok=True)
        # The jobs go through files, not a pipe: a pipe holds 64 KB, and writing more would
        # keep the build waiting until the new interpreter has started and reads.
        jobs = cache.directory / f".prefetch-{os.getpid()}.pickle"
        wanted = cache.directory / f".prefetch-{os.getpid()}-wanted.pickle"
        wanted.unlink(missing_ok=True)
        try:
            job = (cache.directory, cache.fonts, look_ahead, wanted, os.getpid())
            jobs.write_bytes(pickle.dumps(job))
            process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(jobs)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # a card it fails on is drawn by the build
            )
        except (OSError, pickle.PicklingError):  # not started: the build draws every card
            jobs.unlink(missing_ok=True)
            return None
        return cls(process, cache, jobs, wanted)

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

    def stop(self) -> None:
        """Stop drawing (the build draws what is left) and remove a half-written card."""
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait()
        self.jobs.unlink(missing_ok=True)  # the process ended before reading them
        self.wanted.unlink(missing_ok=True)
        for leftover in self.cache.directory.glob(f".*.{self.process.pid}.tmp"):
            leftover.unlink(missing_ok=True)


def _draw_ahead(jobs: Path) -> None:
    """The drawing process: the cards `look_ahead` promises, until the build's own list
    comes; then the cards on that list. It ends when the build that started it has."""
    with suppress(OSError):
        os.nice(19)
    directory, fonts, look_ahead, wanted, build = pickle.loads(jobs.read_bytes())
    jobs.unlink(missing_ok=True)
    cache = CardCache(directory, fonts)

    def draw(specs: Iterable[CardSpec], guessed: bool) -> None:
        for spec in specs:
            if os.getppid() != build or (guessed and wanted.exists()):
                return  # the build has gone, or knows its cards: draw those instead
            if not cache.path(spec).exists():
                cache.draw_and_keep(spec)

    if look_ahead is not None:
        draw(look_ahead(), guessed=True)
    while not wanted.exists():
        if os.getppid() != build:
            return
        time.sleep(_WAIT_SECONDS)
    specs = pickle.loads(wanted.read_bytes())
    wanted.unlink(missing_ok=True)
    draw(specs, guessed=False)


if __name__ == "__main__":
    _draw_ahead(Path(sys.argv[1]))
