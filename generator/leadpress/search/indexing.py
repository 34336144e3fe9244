"""Indexing a built site with Pagefind, whose extended binary segments Chinese into words.

Pagefind reads the finished HTML, so it indexes exactly what visitors see, and writes a static
bundle (`pagefind/`) that the browser searches offline: no server, no third-party request.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

BUNDLE_DIR = "pagefind"


class SearchIndexError(RuntimeError):
    """Pagefind could not be started or could not index the site."""


@dataclass(frozen=True)
class SearchEngine:
    """Which search engine and word segmenter a build uses, for the build's own report."""

    version: str
    segments_chinese: bool

    def describe(self, language: str | None) -> str:
        segmenter = (
            "Chinese word segmentation (Pagefind extended)"
            if self.segments_chinese
            else "no Chinese word segmentation (install pagefind[extended])"
        )
        scope = (
            f"one index of every page, as {language!r}"
            if language
            else "one index per page language"
        )
        return f"Pagefind {self.version}, {segmenter}, {scope}"


@dataclass(frozen=True)
class IndexReport:
    pages: int
    seconds: float


def find_engine() -> SearchEngine:
    """The installed Pagefind; the extended binary is the one that segments Chinese."""
    try:
        version = metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        raise SearchIndexError(
            "Pagefind is not installed; reinstall Leadpress (`pip install -e .`), "
            "which brings `pagefind[extended]`"
        ) from None
    try:
        metadata.version("pagefind_bin_extended")
        extended = True
    except metadata.PackageNotFoundError:
        extended = False
    return SearchEngine(version=version, segments_chinese=extended)


def index_site(site_dir: Path, *, language: str | None) -> IndexReport:
    """Index every HTML page of `site_dir` and write the bundle to `site_dir/pagefind/`.

    With `language`, all pages go into one index analysed as that language, so a visitor
    finds Chinese and English pages from any page; `zh` segments Chinese into words and
    keeps English words whole.
    """
    started = time.perf_counter()
    asyncio.run(_index(site_dir.resolve(), language))
    return IndexReport(pages=indexed_pages(site_dir), seconds=time.perf_counter() - started)


def indexed_pages(site_dir: Path) -> int:
    """Pages in the written bundle, over all its languages (files scanned but skipped,
    such as listing pages, are not counted)."""
    entry = json.loads((site_dir / BUNDLE_DIR / "pagefind-entry.json").read_text("utf-8"))
    return sum(int(language["page_count"]) for language in entry["languages"].values())


async def _index(site_dir: Path, language: str | None) -> None:
    # Imported here: the service module looks for the binary when it is imported.
    from pagefind.index import IndexConfig, PagefindIndex

    # Heading permalinks (¶) are not words of the page.
    config = IndexConfig(output_path=str(site_dir / BUNDLE_DIR), exclude_selectors=[".headerlink"])
    if language:
        config["force_language"] = language
    try:
        async with PagefindIndex(config=config) as index:
            await index.add_directory(str(site_dir))
    except FileNotFoundError as error:
        raise SearchIndexError(f"Pagefind's binary could not be started: {error}") from None
    except Exception as error:  # the service reports its failures as plain exceptions
        raise SearchIndexError(f"Pagefind could not index {site_dir}: {error}") from error
