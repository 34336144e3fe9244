"""What search engines and social networks are told about each page, from the content model.

`page_seo` turns one page's facts (its document or listing, body HTML and social image)
into its head tags, its structured data and its sitemap entry. No site engine involved.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote

from ..content.collections import Document, Listing, webinar_is_past
from ..content.models import Article, CaseStudy, ContentType, Webinar
from ..content.strings import translate
from . import structured_data as ld
from .faq import extract_faq
from .head import HeadFacts, Image
from .sitemap import SitemapEntry
from .text import DESCRIPTION_WIDTH, cut_to_width, describe, display_width


@dataclass(frozen=True)
class SeoSite:
    url: str  # absolute, with a trailing slash
    name: str
    description: str
    lang: str
    organization: ld.Organization
    now: datetime
    title_template: str = "{title} | {site}"
    title_max: int = 60  # display width search results show; the site suffix goes first
    twitter_site: str | None = None
    search: bool = False
    currency: str = "USD"


@dataclass(frozen=True)
class PageInput:
    path: str  # site-relative URL as published, "" for the home page
    title: str
    body_html: str = ""
    is_home: bool = False
    document: Document | None = None
    listing: Listing | None = None
    image: Image | None = None
    # Titles of the site's pages by site-relative URL, for breadcrumbs.
    titles: Mapping[str, str] = field(default_factory=dict)
    # The source file's last commit, for pages whose front matter has no date.
    committed: datetime | None = None
    # For pages other plugins make (landing pages): their own description and robots.
    description: str | None = None
    noindex: bool = False
    # The page's language versions (itself included) as language -> absolute URL; the first
    # is the site's default language, which `x-default` points at.
    alternates: Mapping[str, str] = field(default_factory=dict)
    # Where the home page of the page's language is ("zh/"), for breadcrumbs.
    home_path: str = ""


@dataclass(frozen=True)
class PageSeo:
    head: HeadFacts
    sitemap: SitemapEntry | None  # None for pages kept out of search engines
    json_ld_types: tuple[str, ...]


def _published(document: Document) -> datetime | None:
    return getattr(document.meta, "date", None)


def _modified(document: Document) -> datetime | None:
    return getattr(document.meta, "updated", None) or _published(document)


def _listing_lastmod(listing: Listing) -> datetime | None:
    dates = [
        moment
        for _, documents in listing.sections
        for document in documents
        if (moment := _modified(document))
    ]
    return max(dates, default=None)


# Pages a visitor reaches only after a form: never a search result.
THANK_YOU = re.compile(r"(^|[/_-])(thank-?you|thanks|谢谢|感谢)([/_.-]|$)", re.IGNORECASE)


def keep_out_of_search(document: Document, now: datetime) -> bool:
    """`noindex: true`, drafts, pages dated in the future (seen only in a `--drafts`
    preview) and thank-you pages stay out of search engines."""
    meta = document.meta
    if meta.noindex or meta.draft:
        return True
    if document.kind in (ContentType.ARTICLE, ContentType.CASE_STUDY) and meta.date > now:
        return True
    return document.kind == ContentType.PAGE and bool(
        THANK_YOU.search(document.parsed.source.src_uri)
    )


def _listing_description(listing: Listing) -> str:
    """A listing's generated text (or an author's bio) cut to fit a search result; later
    pages of a list say which page they are, so no two pages share a description."""
    suffix = ""
    if listing.page > 1:
        suffix = " " + translate(listing.lang, "page_of", page=listing.page, pages=listing.pages)
    return cut_to_width(listing.description, DESCRIPTION_WIDTH - display_width(suffix)) + suffix


def breadcrumb_trail(
    path: str,
    title: str,
    titles: Mapping[str, str],
    home: str,
    site_url: str,
    home_path: str = "",
) -> list[tuple[str, str]]:
    """Home (of the page's language), then each parent folder that is itself a page, then
    the page."""
    trail = [(home, site_url + home_path)]
    parts = [p for p in path.split("/") if p]
    for depth in range(len([p for p in home_path.split("/") if p]) + 1, len(parts)):
        parent = "/".join(parts[:depth]) + "/"
        if parent in titles:
            trail.append((titles[parent], site_url + parent))
    if path and title:
        trail.append((title, site_url + path))
    return trail


def hreflang_links(versions: Mapping[str, str]) -> dict[str, str]:
    """hreflang -> URL for a page's language versions, with `x-default` (the default
    language's version) for searchers in other languages; none for an untranslated page."""
    if len(versions) < 2:
        return {}
    return {**versions, "x-default": next(iter(versions.values()))}


def card_path(path: str) -> str:
    """Where a page's social card is published: `articles/x/` -> `assets/cards/articles/x.png`."""
    stem = unquote(path).strip("/") or "index"
    stem = posixpath.splitext(stem)[0] if stem.endswith(".html") else stem
    return f"assets/cards/{stem}.png"


def _people(document: Document, site_url: str) -> list[ld.Person]:
    return [
        ld.Person(author.name, author.url or f"{site_url}authors/{author.id}/", author.title)
        for author in document.authors
    ]


def _document_json_ld(site: SeoSite, document: Document, facts: ld.PageFacts) -> list[ld.Json]:
    meta = document.meta
    org = site.organization
    objects: list[ld.Json] = []
    if isinstance(meta, CaseStudy):
        objects.append(ld.case_study(facts, org, meta.customer, meta.industry))
    elif isinstance(meta, Article):
        objects.append(ld.blog_posting(facts, org))
    elif isinstance(meta, Webinar):
        upcoming = not webinar_is_past(meta, site.now)
        event = ld.EventFacts(
            start=meta.start,
            end=meta.end,
            performers=[ld.Person(s.name, job_title=s.title) for s in meta.speakers],
            registration_open=bool(meta.registration_form) and upcoming,
            currency=site.currency,
            registration_url=f"{facts.url}#register" if meta.registration_form else None,
            offer_from=meta.date,
        )
        objects.append(ld.event(facts, event, org))
        if meta.recording_url:
            objects.append(ld.video(facts, meta.recording_url, meta.end, meta.duration))
    return objects


def page_seo(site: SeoSite, page: PageInput) -> PageSeo:
    document, listing = page.document, page.listing
    meta = document.meta if document else None
    url = site.url + page.path
    lang = document.lang if document else listing.lang if listing else site.lang
    description = (
        (meta.description if meta else None)
        or (_listing_description(listing) if listing else None)
        or page.description
        or describe(page.body_html)
        or site.description
    )
    if page.is_home:
        full_title = page.title or site.name
    else:
        full_title = site.title_template.format(title=page.title, site=site.name)
        if display_width(full_title) > site.title_max:
            full_title = page.title  # search engines cut the end: keep the words that matter
    noindex = page.noindex or bool(document and keep_out_of_search(document, site.now))

    is_article = bool(document and document.kind in (ContentType.ARTICLE, ContentType.CASE_STUDY))
    published = _published(document) if document else None
    modified = _modified(document) if document else _listing_lastmod(listing) if listing else None
    section = None
    if isinstance(meta, CaseStudy):
        section = meta.industry
    elif isinstance(meta, Article) and meta.categories:
        section = meta.categories[0]
    authors = [a.name for a in document.authors] if document else []
    facts = ld.PageFacts(
        url=url,
        title=page.title or site.name,
        description=description,
        lang=lang,
        image=page.image.url if page.image else None,
        published=published,
        modified=modified,
        authors=_people(document, site.url) if document else (),
        keywords=list(meta.tags) if meta else (),
        section=section,
    )

    objects: list[ld.Json] = []
    if page.is_home:
        search_url = f"{url}?q={{search_term_string}}" if site.search else None
        objects += [
            ld.organization(site.organization),
            ld.website(site.organization, site.name, url, lang, search_url),
        ]
    elif document:
        objects += _document_json_ld(site, document, facts)
    if not page.is_home:
        home = translate(lang, "home")
        trail = breadcrumb_trail(page.path, page.title, page.titles, home, site.url, page.home_path)
        if len(trail) > 1:
            objects.append(ld.breadcrumbs(trail))
    questions = extract_faq(page.body_html)
    if questions:
        objects.append(ld.faq_page(questions))

    head = HeadFacts(
        title=full_title,
        og_title=page.title or site.name,
        description=description,
        canonical=url,
        site_name=site.name,
        lang=lang,
        og_type="article" if is_article else "website",
        noindex=noindex,
        image=page.image,
        published=published,
        modified=modified,
        authors=authors,
        tags=list(meta.tags) if meta else [],
        section=section,
        twitter_site=site.twitter_site,
        json_ld=[ld.script_tag(o) for o in objects],
        alternates=hreflang_links(page.alternates),
    )
    lastmod = modified or published or page.committed
    sitemap = None if noindex else SitemapEntry(url, lastmod, hreflang_links(page.alternates))
    return PageSeo(head, sitemap, tuple(str(o["@type"]) for o in objects))
