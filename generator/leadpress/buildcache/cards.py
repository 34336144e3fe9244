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
from collections.abc import Iterable, Sequence
from contextlib import suppress
from pathlib import Path

from ..seo.cards import CardCache, CardSpec, Fonts, render_card
from . import link_or_copy
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


class CardPrefetch:
    """A background process that draws cards into the cache while the pages are built, at
    the lowest priority: it runs on a CPU left idle (while one process reads the pages, or
    waits for the other), so by the time the build writes its cards most are there. It is
    only ever ahead of the build: a card it did not get to, or a spec the build did not ask
    for, changes nothing, since the cache is keyed by everything a card shows."""

    def __init__(self, process: subprocess.Popen[bytes], directory: Path, jobs: Path) -> None:
        self.process = process
        self.directory = directory
        self.jobs = jobs  # the specs to draw, removed by the process once read

    @classmethod
    def start(cls, cache: CardCache, specs: Iterable[CardSpec]) -> CardPrefetch | None:
        """Start drawing the cards of `specs` not in the cache yet; None when there are too
        few to be worth a process, or no second CPU to run it on."""
        missing = [spec for spec in dict.fromkeys(specs) if not cache.path(spec).exists()]
        if not use_pool(len(missing)) or not sys.executable:
            return None
        cache.directory.mkdir(parents=True, exist_ok=True)
        # The specs go through a file, not a pipe: a pipe holds 64 KB, and writing more
        # would keep the build waiting until the new interpreter has started and reads.
        jobs = cache.directory / f".prefetch-{os.getpid()}.pickle"
        try:
            jobs.write_bytes(pickle.dumps((cache.directory, cache.fonts, missing)))
            process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(jobs)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # a card it fails on is drawn by the build
            )
        except OSError:  # it did not start: the build draws every card
            jobs.unlink(missing_ok=True)
            return None
        return cls(process, cache.directory, jobs)

    def stop(self) -> None:
        """Stop drawing (the build draws what is left) and remove a half-written card."""
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait()
        self.jobs.unlink(missing_ok=True)  # the process ended before reading it
        for leftover in self.directory.glob(f".*.{self.process.pid}.tmp"):
            leftover.unlink(missing_ok=True)


def _draw_ahead(jobs: Path) -> None:
    """The prefetch process: draw the cards listed in `jobs`, one after another."""
    with suppress(OSError):
        os.nice(19)
    directory, fonts, specs = pickle.loads(jobs.read_bytes())
    jobs.unlink(missing_ok=True)
    cache = CardCache(directory, fonts)
    for spec in specs:
        if not cache.path(spec).exists():
            cache.draw_and_keep(spec)


if __name__ == "__main__":
    _draw_ahead(Path(sys.argv[1]))
