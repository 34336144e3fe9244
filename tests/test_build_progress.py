"""`leadpress build` on a long build: progress lines every few seconds, and a summary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG, run_leadpress
from leadpress.progress import DEFAULT_EVERY, EVERY_VARIABLE, Progress, parse_every

CONFIG = MINIMAL_CONFIG + "  - leadpress/feeds\n"
ARTICLE = """---
title: Pipeline review number {n}
date: 2026-01-{n:02d}
categories: [Guides]
tags: [pipeline]
---
Body text of article {n}.
"""
PROGRESS = re.compile(r"leadpress: (Reading|Rendering) pages: (\d+)/(\d+)")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_phase_shorter_than_the_interval_says_nothing() -> None:
    said: list[str] = []
    clock = FakeClock()
    progress = Progress(said.append, every=2.0, clock=clock)
    progress.begin("Rendering pages", 500)
    for _ in range(500):
        clock.now += 0.003
        progress.step()
    progress.end()
    assert said == []
    assert not progress.long


def test_a_long_phase_says_how_far_it_is_at_most_once_per_interval() -> None:
    said: list[str] = []
    clock = FakeClock()
    progress = Progress(said.append, every=2.0, clock=clock)
    progress.begin("Rendering pages", 1479)
    for _ in range(1479):
        clock.now += 1 / 128  # exact in binary; 11.6 s in all: a line every 2 s, then the total
        progress.step()
    progress.end()
    assert said == [
        "Rendering pages: 256/1479",
        "Rendering pages: 512/1479",
        "Rendering pages: 768/1479",
        "Rendering pages: 1024/1479",
        "Rendering pages: 1280/1479",
        "Rendering pages: 1479/1479 in 11.6 s",
    ]
    assert progress.long


def test_the_interval_comes_from_the_environment() -> None:
    assert parse_every(None) == parse_every("") == DEFAULT_EVERY
    assert parse_every("0") == 0.0
    assert parse_every("0.5") == 0.5
    for wrong in ("soon", "-1", "nan"):
        with pytest.raises(ValueError, match=EVERY_VARIABLE):
            parse_every(wrong)


@pytest.fixture
def blog(make_site) -> Path:
    """Five articles in one category and tag, with feeds: long enough at a zero interval."""
    articles = {f"articles/a{n}.md": ARTICLE.format(n=n) for n in range(1, 6)}
    return make_site(articles, CONFIG)


def _feed_files(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.xml") if p.name in {"feed.xml", "atom.xml"}]


def test_a_long_build_shows_progress_and_ends_with_a_summary(blog: Path) -> None:
    built = run_leadpress("build", cwd=blog, env={EVERY_VARIABLE: "0"})
    assert built.returncode == 0, built.stderr

    seen = PROGRESS.findall(built.stderr)
    pages = {int(total) for _, _, total in seen}
    assert len(pages) == 1, seen  # both phases count the same pages
    (total,) = pages
    for phase in ("Reading", "Rendering"):
        counts = [int(done) for name, done, _ in seen if name == phase]
        # One line per page at a zero interval; the last names the total and the time.
        assert counts == list(range(1, total + 1)), (phase, counts)
        assert re.search(rf"{phase} pages: {total}/{total} in \d+\.\d s", built.stderr)
    assert "leadpress: Writing feeds, the sitemap" not in built.stderr  # no seo plugin
    assert "leadpress: Writing feeds…" in built.stderr

    feeds = _feed_files(blog / "site")
    # RSS and Atom: the site, each content type, the category and the tag.
    assert len(feeds) == 12
    summary = built.stdout.splitlines()[0]
    html = len(list((blog / "site").rglob("*.html")))
    assert re.fullmatch(
        rf"Built {html} pages \(5 articles, 1 other page, \d+ listing pages\), plus 12 feeds "
        rf"into {re.escape(str(blog / 'site'))} in \d+\.\d s\.",
        summary,
    ), summary


def test_a_short_build_and_a_quiet_build_show_no_progress(blog: Path) -> None:
    short = run_leadpress("build", cwd=blog)  # the default interval: longer than this build
    assert short.returncode == 0, short.stderr
    assert not PROGRESS.search(short.stderr)
    assert "Writing feeds" not in short.stderr
    assert "plus 12 feeds" in short.stdout

    quiet = run_leadpress("build", "--quiet", cwd=blog, env={EVERY_VARIABLE: "0"})
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    assert "plus 12 feeds" in quiet.stdout


def test_a_wrong_interval_is_explained(blog: Path) -> None:
    result = run_leadpress("build", cwd=blog, env={EVERY_VARIABLE: "often"})
    assert result.returncode != 0
    assert f"{EVERY_VARIABLE}='often' is not a number of seconds" in result.stderr
