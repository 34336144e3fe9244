"""RSS 2.0 and Atom documents from plain feed data, written with feedgen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

import lxml.html
from lxml import etree

from ..buildcache.memo import remembered, text_key

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

RSS_FILE = "feed.xml"
ATOM_FILE = "atom.xml"
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Enclosure:
    url: str
    media_type: str
    length: int = 0  # unknown for a recording hosted elsewhere; RSS readers accept 0


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str
    summary: str
    content_html: str  # with absolute URLs only: readers show it away from the site
    published: datetime
    updated: datetime
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    enclosure: Enclosure | None = None


@dataclass(frozen=True)
class FeedSpec:
    folder: str  # site-relative folder of the feed files, as on disk: "" or "articles/"
    title: str
    description: str
    page_url: str  # the HTML page that lists the same entries
    lang: str
    items: Sequence[FeedItem]

    def url(self, site_url: str, file_name: str) -> str:
        return f"{site_url}{quote(self.folder)}{file_name}"


ABSOLUTE_LINKS, FEEDS = "absolute-links", "feeds"  # memo tables
MEMO_TABLES = (ABSOLUTE_LINKS, FEEDS)


@remembered(ABSOLUTE_LINKS, key=lambda html, base_url: (text_key(html), base_url))
def absolutize(html: str, base_url: str) -> str:
    """`html` with every relative link and image source made absolute against `base_url`."""
    if not html.strip():
        return html
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    root.make_links_absolute(base_url, resolve_base_href=False)
    inner = (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return inner


def _generator(
    spec: FeedSpec, site_url: str, site_name: str, now: datetime, self_url: str
) -> FeedGenerator:
    from feedgen.feed import FeedGenerator  # slow to import: only when a feed is written

    feed = FeedGenerator()
    feed.id(spec.page_url)
    feed.title(spec.title)
    feed.description(spec.description)
    feed.subtitle(spec.description)
    # RSS keeps only the last link given as the channel's <link>: the page, not the feed.
    feed.link(href=self_url, rel="self")
    feed.link(href=spec.page_url, rel="alternate")
    feed.language(spec.lang)
    feed.author({"name": site_name, "uri": site_url})
    feed.generator("Leadpress")
    # The newest entry's time, never the clock: the same content gives the same feed.
    newest = max((item.updated for item in spec.items), default=now)
    feed.updated(newest)
    feed.lastBuildDate(newest)
    for item in spec.items:
        entry = feed.add_entry(order="append")
        entry.id(item.url)
        entry.guid(item.url, permalink=True)
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate")
        entry.summary(item.summary or item.title)
        entry.description(item.summary or item.title)
        if item.content_html:
            entry.content(item.content_html, type="html")
        entry.published(item.published)
        entry.updated(item.updated)
        for author in item.authors:
            entry.author({"name": author})
        for category in item.categories:
            entry.category(term=category)
        if item.enclosure:
            enclosure = item.enclosure
            entry.enclosure(enclosure.url, str(enclosure.length), enclosure.media_type)
    return feed


def _feed_key(spec: FeedSpec, site_url: str, site_name: str, now: datetime) -> bytes:
    # The clock dates only a feed without entries. repr, not pickle: a pickle also
    # records which equal values happen to be the same object.
    return text_key(repr((spec, site_url, site_name, None if spec.items else now)))


@remembered(FEEDS, key=_feed_key)
def render_feeds(spec: FeedSpec, site_url: str, site_name: str, now: datetime) -> dict[str, bytes]:
    """Site-relative path -> content of the RSS and the Atom feed for `spec`."""
    rss = _generator(spec, site_url, site_name, now, spec.url(site_url, RSS_FILE))
    atom = _generator(spec, site_url, site_name, now, spec.url(site_url, ATOM_FILE))
    return {
        f"{spec.folder}{RSS_FILE}": rss.rss_str(pretty=True),
        f"{spec.folder}{ATOM_FILE}": _restore_entry_links(atom.atom_str(pretty=True), spec.items),
    }


def _restore_entry_links(atom: bytes, items: Sequence[FeedItem]) -> bytes:
    """Put back the rel and type of each Atom entry's links.

    feedgen (1.0) writes an Atom entry's links with their href only, so a recording's
    enclosure would read as a second "alternate" page. Leadpress knows what each link is:
    the page first, then the recording.
    """
    root = etree.fromstring(atom)
    entries = root.findall(f"{{{ATOM_NS}}}entry")
    for entry, item in zip(entries, items, strict=True):
        links = entry.findall(f"{{{ATOM_NS}}}link")
        links[0].set("rel", "alternate")
        links[0].set("type", "text/html")
        if item.enclosure and len(links) > 1:
            links[1].set("rel", "enclosure")
            links[1].set("type", item.enclosure.media_type)
            links[1].set("length", str(item.enclosure.length))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
