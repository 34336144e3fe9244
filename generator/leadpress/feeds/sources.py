"""Which feeds a site has and what is in each: the whole site, each content type, each
category, tag and industry, newest entries first."""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from ..content.collections import Document, Listing, SiteContent
from ..content.languages import Languages, display_name
from ..content.models import LISTED_TYPES, Webinar
from ..content.urls import url_of
from ..seo.text import describe
from .build import ATOM_FILE, ATOM_TYPE, RSS_FILE, RSS_TYPE, Enclosure, FeedItem, FeedSpec

FEED_LISTINGS = ("articles", "case-studies", "webinars", "category", "tag", "industry")


@dataclass(frozen=True)
class SiteFacts:
    url: str  # with a trailing slash
    name: str
    description: str
    lang: str
    directory_urls: bool = True


def _published(document: Document):
    meta = document.meta
    if isinstance(meta, Webinar):
        return meta.date or meta.start
    return meta.date


def _recording(document: Document) -> Enclosure | None:
    meta = document.meta
    if not isinstance(meta, Webinar) or not meta.recording_url:
        return None
    media_type, _ = mimetypes.guess_type(meta.recording_url.split("?")[0])
    return Enclosure(meta.recording_url, media_type or "text/html")


def feed_item(
    document: Document, body_html: str, site: SiteFacts, absolutize: Callable[[str, str], str]
) -> FeedItem:
    url = site.url + url_of(document.uri, site.directory_urls)
    published = _published(document)
    meta = document.meta
    return FeedItem(
        url=url,
        title=document.title,
        summary=meta.description or describe(body_html),
        content_html=absolutize(body_html, url),
        published=published,
        updated=getattr(meta, "updated", None) or published,
        authors=tuple(author.name for author in document.authors),
        categories=tuple(dict.fromkeys([*getattr(meta, "categories", []), *meta.tags])),
        enclosure=_recording(document),
    )


def _chain(site: SiteContent, first: Listing) -> list[Document]:
    """Every document of a paginated listing, across its pages."""
    documents: list[Document] = []
    listing: Listing | None = first
    while listing is not None:
        for _, entries in listing.sections:
            documents += entries
        listing = site.listing_for(listing.older_uri) if listing.older_uri else None
    return documents


def _newest(documents: list[Document], limit: int) -> list[Document]:
    ordered = sorted(documents, key=lambda d: (_published(d), d.uri), reverse=True)
    return ordered[:limit]


def feed_specs(
    site: SiteContent,
    bodies: dict[str, str],
    facts: SiteFacts,
    limit: int,
    absolutize: Callable[[str, str], str],
) -> list[FeedSpec]:
    """All feeds of the site. `bodies` maps a document's source path to its body HTML."""
    items: dict[int, FeedItem] = {}

    def item(document: Document) -> FeedItem:
        if id(document) not in items:
            body = bodies.get(document.parsed.source.src_uri, "")
            items[id(document)] = feed_item(document, body, facts, absolutize)
        return items[id(document)]

    languages = site.languages
    specs = []
    for lang in languages.codes:
        # One site feed per language: readers subscribe to the language they read.
        everything = [
            d for d in site.documents if d.kind in LISTED_TYPES and languages.group(d.lang) == lang
        ]
        if not languages.multilingual:
            everything = [d for d in site.documents if d.kind in LISTED_TYPES]
        prefix = languages.prefix(lang)
        specs.append(
            FeedSpec(
                folder=prefix,
                title=site_feed_title(facts.name, lang, languages),
                description=facts.description,
                page_url=facts.url + prefix,
                lang=lang,
                items=[item(d) for d in _newest(everything, limit)],
            )
        )
    for listing in site.listings:
        if listing.kind not in FEED_LISTINGS or listing.page != 1:
            continue
        folder = posixpath.dirname(listing.uri) + "/"
        specs.append(
            FeedSpec(
                folder=folder,
                title=f"{listing.title} · {facts.name}",
                description=listing.description,
                page_url=facts.url + url_of(listing.uri, facts.directory_urls),
                lang=listing.lang,
                items=[item(d) for d in _newest(_chain(site, listing), limit)],
            )
        )
    return specs


def site_feed_title(name: str, lang: str, languages: Languages) -> str:
    """`Tallyfold`, and `Tallyfold (中文)` for the feed of another language than the default."""
    if lang == languages.default:
        return name
    return f"{name} ({display_name(lang)})"


@dataclass(frozen=True)
class FeedLink:
    title: str
    url: str
    media_type: str


def discovery_links(folder: str, title: str, site_url: str) -> list[FeedLink]:
    """The `<link rel="alternate">` targets of the feeds in `folder` ("" for the site's)."""
    base = site_url + quote(folder)
    return [
        FeedLink(f"{title} (RSS)", base + RSS_FILE, RSS_TYPE),
        FeedLink(f"{title} (Atom)", base + ATOM_FILE, ATOM_TYPE),
    ]
