"""Building a site with MkDocs into a temporary folder and swapping it in whole.

A failed build (bad front matter, a crash, a strict-mode warning) leaves the previous
`site/` exactly as it was, so CI never publishes half a site.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from .content.collections import SiteContent
from .plugins.buildcache import keep_built_pages, reuse_unchanged_pages
from .plugins.progress import with_progress
from .staging import prune_empty_folders, staging_folder, swap_in

CONTENT_PLUGIN = "leadpress/content"
SEO_PLUGIN = "leadpress/seo"
CAMPAIGNS_PLUGIN = "leadpress/campaigns"
FEEDS_PLUGIN = "leadpress/feeds"
# Objects made, less those freed, between two collections of the youngest generation while
# a site builds (Python's default is 700).
BUILD_GC_THRESHOLD = 20_000


@dataclass
class BuildReport:
    site_dir: Path
    seconds: float
    html_pages: int
    contents: str = ""  # pages by type
    left_out: int = 0
    audit: str = ""  # the SEO audit's one-line summary
    campaigns: str = ""  # landing pages and short links
    feeds: int = 0  # RSS and Atom files

    def summary(self) -> str:
        detail = f" ({self.contents})" if self.contents else ""
        plus = [self.campaigns] if self.campaigns else []
        if self.feeds:
            plus.append(_count(self.feeds, "feed"))
        if plus:
            detail += ", plus " + ", ".join(plus)
        extra = f"; {self.left_out} left out (drafts or scheduled)" if self.left_out else ""
        return (
            f"Built {self.html_pages} pages{detail} into {self.site_dir} "
            f"in {self.seconds:.1f} s{extra}."
        )


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage less often while the site builds. A build makes millions of objects
    (Markdown trees, template contexts) and keeps much of what it makes until the end, so
    the collector, run after every 700, mostly walked objects still in use: its processes
    spent about 0.45 CPU s collecting at 1,000 pages, a quarter less with this threshold.
    The older generations keep their own thresholds, so garbage in cycles is still
    collected."""
    saved = gc.get_threshold()
    gc.set_threshold(BUILD_GC_THRESHOLD, *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def load_site_config(
    config_file: str | None, *, strict: bool = False, site_dir: str | None = None
) -> MkDocsConfig:
    return load_config(config_file, strict=strict or None, site_dir=site_dir)


def build_atomically(config: MkDocsConfig, *, progress_every: float | None = None) -> BuildReport:
    """Build into a sibling temporary folder, then replace `site_dir` with it.

    With `progress_every` (seconds), a long build says how far it has got that often.
    """
    started = time.perf_counter()
    if progress_every is not None:
        with_progress(config, progress_every)
    final = Path(config.site_dir).resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(final)
    config.site_dir = str(staging)
    try:
        with _fewer_collections():
            mkdocs_build(config, dirty=reuse_unchanged_pages(config))
        prune_empty_folders(staging)
        swap_in(staging, final)
        keep_built_pages(config)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        config.site_dir = str(final)
    report = BuildReport(
        site_dir=final,
        seconds=time.perf_counter() - started,
        html_pages=count_files(final, ".html"),
    )
    campaigns = config.plugins.get(CAMPAIGNS_PLUGIN)
    if campaigns is not None and (getattr(campaigns, "pages", None) or campaigns.links):
        # Short-link redirect pages are not pages anyone reads: count them apart.
        report.html_pages -= len(campaigns.links)
        report.campaigns = (
            f"{_count(len(campaigns.pages), 'campaign landing page')}, "
            f"{_count(len(campaigns.links), 'short link')}"
        )
    feeds = config.plugins.get(FEEDS_PLUGIN)
    report.feeds = len(getattr(feeds, "written", ()))
    content = config.plugins.get(CONTENT_PLUGIN)
    site: SiteContent | None = getattr(content, "site", None)
    if site is not None:
        report.contents = site.describe()
        report.left_out = len(site.excluded)
    seo = config.plugins.get(SEO_PLUGIN)
    if seo is not None and getattr(seo, "pages_audited", 0):
        errors = sum(1 for f in seo.findings if f.severity == "error")
        warnings = len(seo.findings) - errors
        report.audit = (
            f"SEO audit: {_count(errors, 'error')}, {_count(warnings, 'warning')} on "
            f"{seo.pages_audited} pages (`leadpress audit` lists them)."
        )
    return report


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def count_files(root: Path, suffix: str) -> int:
    """Files under `root` whose name ends in `suffix` (scandir: no Path per file)."""
    return sum(1 for _, _, names in os.walk(root) for name in names if name.endswith(suffix))
