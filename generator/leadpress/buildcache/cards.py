"""Social cards of a whole build drawn at once: cached ones reused, the rest in parallel.

Drawing a card takes about ten milliseconds (text layout, then PNG compression); a site
with thousands of pages and listings would spend seconds drawing them one after another.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from ..seo.cards import CardCache, CardSpec, Fonts, render_card
from .pool import process_pool, use_pool, worker_count


def _draw(job: tuple[CardSpec, Fonts]) -> bytes:
    spec, fonts = job
    return render_card(spec, fonts)


def write_cards(cache: CardCache, wanted: Sequence[tuple[CardSpec, Path]]) -> None:
    """Write the card of each spec to its path; draw each missing card once. A card in the
    cache is linked into the site rather than copied where the file system allows."""
    images: dict[CardSpec, bytes | Path] = {}
    missing: dict[CardSpec, None] = {}  # ordered, without repeats
    for spec, _ in wanted:
        if spec in images or spec in missing:
            continue
        cached = cache.cached_file(spec)
        if cached is None:
            missing[spec] = None
        else:
            images[spec] = cached
    jobs = [(spec, cache.fonts) for spec in missing]
    if use_pool(len(jobs)):
        with process_pool() as pool:
            chunk = max(1, len(jobs) // (worker_count() * 4))
            drawn = list(pool.map(_draw, jobs, chunksize=chunk))
    else:
        drawn = [_draw(job) for job in jobs]
    for spec, data in zip(missing, drawn, strict=True):
        cache.store(spec, data)
        images[spec] = data
    for spec, target in wanted:
        target.parent.mkdir(parents=True, exist_ok=True)
        _place(images[spec], target)


def _place(image: bytes | Path, target: Path) -> None:
    if isinstance(image, bytes):
        target.write_bytes(image)
        return
    try:
        target.unlink(missing_ok=True)
        os.link(image, target)
    except OSError:  # another file system, or links not allowed: a copy
        shutil.copyfile(image, target)
