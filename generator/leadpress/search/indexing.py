"""Indexing a built site with Pagefind, whose extended binary segments Chinese into words.

Pagefind reads the finished HTML, so it indexes exactly what visitors see, and writes a static
bundle (`pagefind/`) that the browser searches offline: no server, no third-party request.
"""

from __future__ import annotations

import json
import subprocess
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
    _index(site_dir.resolve(), language)
    return IndexReport(pages=indexed_pages(site_dir), seconds=time.perf_counter() - started)


def indexed_pages(site_dir: Path) -> int:
    """Pages in the written bundle, over all its languages (files scanned but skipped,
    such as listing pages, are not counted)."""
    entry = json.loads((site_dir / BUNDLE_DIR / "pagefind-entry.json").read_text("utf-8"))
    return sum(int(language["page_count"]) for language in entry["languages"].values())


def _index(site_dir: Path, language: str | None) -> None:
    """Run Pagefind's own binary over the site until it exits.

    Its Python service API writes the bundle and then stops the binary; under load that
    stop came before the binary had finished writing, and left truncated scripts (a build
    that was not reproducible). The command-line run ends only when every file is written.
    """
    # Imported here: the module looks for the binary when it is imported.
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise SearchIndexError(
            "Pagefind's binary could not be found; reinstall Leadpress (pagefind[extended])"
        )
    command = [
        str(binary),
        "--site",
        str(site_dir),
        "--output-path",
        str(site_dir / BUNDLE_DIR),
        # Heading permalinks (¶) are not words of the page.
        "--exclude-selectors",
        ".headerlink",
        "--quiet",
    ]
    if language:
        command += ["--force-language", language]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except OSError as error:
        raise SearchIndexError(f"Pagefind's binary could not be started: {error}") from None
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()[-2000:]
        raise SearchIndexError(f"Pagefind could not index {site_dir}: {output}")
