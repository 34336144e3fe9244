"""The demo site builds into a complete, linked marketing site."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import DEMO_NOW, REPO, run_leadpress
from leadpress.content.loading import Source, parse_source
from leadpress.content.models import ContentType
from leadpress.content.readtime import has_cjk
from leadpress.content.slugs import slugify

DEMO_TIMEZONE = ZoneInfo("Asia/Singapore")  # the demo's mkdocs.yml sets this


DEMO_LANGUAGES = ("en", "zh")  # the demo's mkdocs.yml: English at /, Chinese at /zh/


def _sources(folder: str, languages: tuple[str, ...] = DEMO_LANGUAGES):
    for lang in languages:
        for path in sorted((REPO / "content" / lang / folder).glob("*.md")):
            text = path.read_text(encoding="utf-8")
            source = Source(f"{lang}/{folder}/{path.name}", text, str(path), lang)
            parsed, problems = parse_source(source, DEMO_TIMEZONE)
            assert not problems, problems
            yield path, parsed


def _published(folder: str, languages: tuple[str, ...] = DEMO_LANGUAGES):
    return [
        (path, parsed)
        for path, parsed in _sources(folder, languages)
        if not parsed.meta.draft
        and (parsed.kind == ContentType.WEBINAR or parsed.meta.date <= DEMO_NOW)
    ]


def _prefix(parsed) -> str:
    return "" if parsed.source.lang_folder == DEMO_LANGUAGES[0] else "zh/"


def _url(folder: str, parsed) -> str:
    """Where a demo page is published: /articles/<slug>/ in English, /zh/articles/... in Chinese."""
    return f"{_prefix(parsed)}{folder}/{parsed.meta.slug or slugify(parsed.meta.title)}"


def _soup(site: Path, url_path: str) -> BeautifulSoup:
    html = (site / url_path / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def test_demo_has_the_promised_content() -> None:
    articles = _published("articles")
    assert len(articles) >= 8
    assert sum(1 for _, p in articles if has_cjk(p.meta.title)) >= 3
    assert len(_published("case-studies")) >= 3
    webinars = [p.meta for _, p in _published("webinars")]
    assert {w.end > DEMO_NOW for w in webinars} == {False, True}  # past and upcoming
    authors = yaml.safe_load((REPO / "content/authors.yml").read_text(encoding="utf-8"))
    assert len(authors) >= 2


@pytest.mark.parametrize("folder", ["articles", "case-studies", "webinars"])
def test_every_published_page_is_at_its_slug_url(demo_site: Path, folder: str) -> None:
    for path, parsed in _published(folder):
        page = demo_site / _url(folder, parsed) / "index.html"
        assert page.is_file(), f"{path} should be published at /{_url(folder, parsed)}/"
        assert _soup(demo_site, _url(folder, parsed)).h1.get_text().strip() == parsed.meta.title


def test_chinese_titles_get_pinyin_urls(demo_site: Path) -> None:
    chinese = [p for _, p in _published("articles") if has_cjk(p.meta.title) and not p.meta.slug]
    assert chinese
    for parsed in chinese:
        slug = slugify(parsed.meta.title)
        assert slug.isascii() and len(slug) > 5
        assert (demo_site / _prefix(parsed) / "articles" / slug / "index.html").is_file()


def test_drafts_and_scheduled_articles_are_left_out(demo_site: Path) -> None:
    hidden = [p for _, p in _sources("articles") if p.meta.draft or p.meta.date > DEMO_NOW]
    assert hidden, "the demo shows one draft and one scheduled article"
    for parsed in hidden:
        assert not (demo_site / _url("articles", parsed)).exists()
        listing = demo_site / _prefix(parsed) / "articles/index.html"
        assert parsed.meta.title not in listing.read_text()


def test_article_page_shows_byline_reading_time_and_related(demo_site: Path) -> None:
    _, parsed = _published("articles")[0]
    soup = _soup(demo_site, _url("articles", parsed))
    byline = soup.select_one(".lp-byline")
    assert byline is not None
    assert "min read" in byline.get_text() or "阅读约" in byline.get_text()
    assert byline.select("a[rel=author]")
    assert byline.time["datetime"].startswith(parsed.meta.date.date().isoformat())
    related = soup.select(".lp-related .lp-card__title")
    assert 1 <= len(related) <= 3


def test_articles_listing_is_paginated_newest_first(demo_site: Path) -> None:
    first = _soup(demo_site, "articles")
    dates = [t["datetime"] for t in first.select(".lp-card time")]
    assert dates == sorted(dates, reverse=True)
    assert len(dates) == 6  # listing_page_size in mkdocs.yml
    older = first.select_one(".lp-pagination a[rel=next]")
    assert older is not None and older["href"] == "page/2/"
    second = _soup(demo_site, "articles/page/2")
    assert second.select_one(".lp-pagination a[rel=prev]")["href"] == "../../"
    total = len(first.select(".lp-card")) + len(second.select(".lp-card"))
    assert total == len(_published("articles", ("en",)))  # each language lists its own


def test_category_tag_industry_and_author_pages_exist(demo_site: Path) -> None:
    for _, parsed in _published("articles"):
        articles = demo_site / _prefix(parsed) / "articles"
        for category in parsed.meta.categories:
            assert (articles / "category" / slugify(category) / "index.html").is_file()
        for tag in parsed.meta.tags:
            assert (articles / "tag" / slugify(tag) / "index.html").is_file()
    for _, parsed in _published("case-studies"):
        industry = _soup(
            demo_site,
            f"{_prefix(parsed)}case-studies/industry/{slugify(parsed.meta.industry)}",
        )
        assert parsed.meta.title in industry.get_text()
    authors = yaml.safe_load((REPO / "content/authors.yml").read_text(encoding="utf-8"))
    for author_id, details in authors.items():
        assert details["name"] in _soup(demo_site, f"authors/{author_id}").h1.get_text()


def test_webinars_show_upcoming_or_recording_by_build_time(demo_site: Path) -> None:
    listing = _soup(demo_site, "webinars")
    headings = [h.get_text() for h in listing.select("h2")]
    assert headings[:2] == ["Upcoming", "Past webinars"]
    for _, parsed in _published("webinars"):
        page = _soup(demo_site, _url("webinars", parsed))
        box = page.select_one(".lp-webinar")
        if parsed.meta.end <= DEMO_NOW:
            assert "lp-webinar--past" in box["class"]
            assert box.find("a", href=parsed.meta.recording_url)
        else:
            assert "lp-webinar--upcoming" in box["class"]
            assert box.find("a", href="#register")
            form = parsed.meta.registration_form
            assert page.select_one(f"#register form[data-leadpress-form='{form}']")


def test_webinar_turns_to_recording_after_it_ends(demo_copy: Path) -> None:
    later = DEMO_NOW.replace(year=DEMO_NOW.year + 2)
    result = run_leadpress("build", cwd=demo_copy, now=later)
    assert result.returncode == 0, result.stderr
    upcoming = _soup(demo_copy / "site", "webinars").select(".lp-listing__note")
    assert upcoming, "with every webinar past, the listing says none is scheduled"


def test_case_study_shows_customer_results_and_quote(demo_site: Path) -> None:
    for _, parsed in _published("case-studies"):
        soup = _soup(demo_site, _url("case-studies", parsed))
        assert parsed.meta.customer in soup.select_one(".lp-facts").get_text()
        values = [v.get_text() for v in soup.select(".lp-results__value")]
        assert values == [r.value for r in parsed.meta.results]
        if parsed.meta.quote:
            assert parsed.meta.quote.text in soup.select_one(".lp-quote").get_text()


def test_every_internal_link_resolves(demo_site: Path) -> None:
    broken = []
    for page in demo_site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attribute in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")):
            for element in soup.find_all(tag):
                target = element.get(attribute)
                parts = urlsplit(target or "")
                if not target or parts.scheme or parts.netloc or not parts.path:
                    continue
                # Root-relative links (the 404 page's) start from the site's root path "/".
                base = "" if parts.path.startswith("/") else str(page.relative_to(demo_site))
                resolved = posixpath.normpath(
                    posixpath.join(posixpath.dirname(base), unquote(parts.path).lstrip("/"))
                )
                file = demo_site / resolved
                if file.is_dir():
                    file = file / "index.html"
                if not file.is_file():
                    broken.append(f"{page.relative_to(demo_site)} -> {target}")
    assert not broken, "\n".join(broken[:20])


def test_authors_file_is_not_published(demo_site: Path) -> None:
    assert not (demo_site / "authors.yml").exists()
