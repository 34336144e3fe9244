"""Saved web pages and WeChat articles: the article found by trafilatura (or, in a WeChat
page, the known article container), as Markdown, with the title, author and date the page
states."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import lxml.html
from lxml import etree

from ..content.readtime import count_words
from .article import Extracted, Note
from .cleanup import is_furniture_line, tail_start
from .dates import find_date
from .markdown import tidy_markdown

# WeChat states publication times in China Standard Time.
_WECHAT_ZONE = timezone(timedelta(hours=8))
_WECHAT_TIME = re.compile(r"""\bvar\s+ct\s*=\s*["']?(\d{9,11})["']?""")
_WECHAT_MARKERS = ("js_content", "rich_media_content", "mp.weixin.qq.com", "var ct =")
# Images get stand-in addresses trafilatura accepts (it keeps only URLs that end like an image
# file, which WeChat's `...?wx_fmt=png` do not); the real ones are put back afterwards.
_STAND_IN = "https://image.leadpress.invalid/{}.png"
_STAND_IN_PATTERN = re.compile(r"https://image\.leadpress\.invalid/(\d+)\.png")
_FIRST_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.M)
_LINK_TEXT = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# A Markdown link or image whose target is neither a full URL nor an anchor.
_RELATIVE_LINK = re.compile(r"\]\((?!https?:|mailto:|tel:|#)([^)\s]+)")


# Fewer words than this is a menu or a login wall, not an article (a CJK character = ½ word).
_MIN_WORDS = 10


class NoArticle(Exception):
    """The page has no text that reads as an article."""


def is_wechat(html: str) -> bool:
    return any(marker in html for marker in _WECHAT_MARKERS) and "js_content" in html


def extract_html(source: Path, html: str, base_url: str | None = None) -> Extracted:
    """Read one saved web page (a WeChat article when it has WeChat's markers).

    Links and images are made absolute against the page's own address (`base_url`, else its
    canonical or og:url), so that they still lead to the old site once imported.
    """
    import trafilatura  # heavy; only `leadpress import` needs it

    document = lxml.html.document_fromstring(html)
    base_url = base_url or _page_address(document)
    if base_url:
        document.make_links_absolute(base_url, resolve_base_href=True, handle_failures="ignore")
    images = _stand_in_images(document)
    wechat = is_wechat(html)
    if wechat:
        result = Extracted(source=source, kind="wechat", body="")
        container = document.get_element_by_id("js_content", None)
        if container is None:
            raise NoArticle("a WeChat page without its article (#js_content)")
        inner = lxml.html.tostring(container, encoding="unicode")
        page = f"<html><body><article>{inner}</article></body></html>"
        _read_wechat_meta(document, html, result)
    else:
        result = Extracted(source=source, kind="html", body="")
        page = lxml.html.tostring(document, encoding="unicode")
    markdown = trafilatura.extract(
        page,
        output_format="markdown",
        include_links=True,
        include_images=True,
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        favor_recall=wechat,  # the container is known: keep all of it
    )
    cjk, latin = count_words(markdown or "")
    if cjk / 2 + latin < _MIN_WORDS:
        shown = " ".join((markdown or "").split())[:60]
        raise NoArticle(f"no text that reads as an article (only {shown!r})")
    if not wechat:
        _read_page_meta(trafilatura, page, result)
    markdown = _STAND_IN_PATTERN.sub(lambda m: images[int(m.group(1))], markdown)
    result.title = _title_without_site_name(result.title, markdown)
    result.body = tidy_markdown(_drop_furniture_lines(markdown), result.title)
    relative = _RELATIVE_LINK.findall(result.body)
    if relative:
        result.notes.append(
            Note(
                "links",
                f"{len(relative)} {'link keeps' if len(relative) == 1 else 'links keep'} the old "
                f"site's relative address (e.g. {relative[0]}); make it a full URL or point it "
                "at a page of this site",
            )
        )
    if wechat and "](https://mmbiz." in result.body:
        result.notes.append(
            Note(
                "images",
                "WeChat's image host refuses other sites; save the images into content/ "
                "and change their addresses",
            )
        )
    return result


def _page_address(document: lxml.html.HtmlElement) -> str | None:
    """The page's own URL as it states it: <base>, the canonical link or og:url."""
    for query in (
        "//base/@href",
        "//link[@rel='canonical']/@href",
        "//meta[@property='og:url']/@content",
    ):
        found = [v.strip() for v in document.xpath(query) if v.strip().startswith("http")]
        if found:
            return found[0]
    return None


def _title_without_site_name(title: str | None, markdown: str) -> str | None:
    """`Post title - Author - Blog` from <title> becomes `Post title` when the article's own
    first heading says so."""
    match = _FIRST_HEADING.search(markdown)
    if not title or not match:
        return title
    heading = _LINK_TEXT.sub(r"\1", match.group(1)).strip(" *_")
    rest = title[len(heading) :]
    if heading and title.startswith(heading) and re.match(r"^\s*[-|_–—·:]\s", rest):
        return heading
    return title


def _stand_in_images(document: lxml.html.HtmlElement) -> list[str]:
    """Give every image its real address (lazy pages keep it in data-src) under a stand-in."""
    real: list[str] = []
    for image in document.iter("img"):
        candidates = [image.get(a) for a in ("data-src", "data-original", "data-lazy-src", "src")]
        url = next((c.strip() for c in candidates if c and not c.startswith("data:")), None)
        for attribute in list(image.attrib):
            if attribute.startswith("data-") or attribute == "src":
                del image.attrib[attribute]
        if url:
            image.set("src", _STAND_IN.format(len(real)))
            real.append(url)
    return real


def _read_page_meta(trafilatura, page: str, result: Extracted) -> None:
    meta = trafilatura.bare_extraction(
        page,
        with_metadata=True,
        only_with_metadata=False,
        include_comments=False,
        # Only a date the page states (meta tags, <time>, the URL), never one guessed from
        # numbers in its text.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if meta is None:
        return
    result.title = (meta.title or "").strip() or None
    result.author = (meta.author or "").strip() or None
    result.description = (meta.description or "").strip() or None
    if meta.date:
        try:
            result.date = date.fromisoformat(meta.date[:10])
        except ValueError:
            result.notes.append(Note("date", f"the page's date {meta.date!r} could not be read"))
    result.categories = [c for c in (meta.categories or []) if c][:5]
    result.tags = [t for t in (meta.tags or []) if t][:10]


def _read_wechat_meta(document: lxml.html.HtmlElement, html: str, result: Extracted) -> None:
    """WeChat keeps the title in #activity-name (and og:title), the author in
    #js_author_name or meta[name=author], the account in #js_name and the time in `var ct`."""

    def text_of(element_id: str) -> str | None:
        element = document.get_element_by_id(element_id, None)
        text = " ".join(element.text_content().split()) if element is not None else ""
        return text or None

    def meta(attribute: str, name: str) -> str | None:
        found = document.xpath(f"//meta[@{attribute}=$name]/@content", name=name)
        return (found[0].strip() or None) if found else None

    result.title = text_of("activity-name") or meta("property", "og:title")
    result.description = meta("property", "og:description") or meta("name", "description")
    result.author = text_of("js_author_name") or meta("name", "author")
    account = text_of("js_name")
    if result.author is None and account:
        result.author = account
        result.notes.append(
            Note("author", f"only the account name {account!r} is given; check who wrote it")
        )
    stamp = _WECHAT_TIME.search(html)
    if stamp:
        moment = datetime.fromtimestamp(int(stamp.group(1)), tz=UTC)
        result.date = moment.astimezone(_WECHAT_ZONE).date()
    else:
        # A page saved after its scripts ran shows the time in #publish_time instead.
        result.date = find_date(text_of("publish_time") or "")


def _drop_furniture_lines(markdown: str) -> str:
    lines = markdown.splitlines()
    tail = tail_start(lines)
    if tail is not None:
        lines = lines[:tail]
    return "\n".join(line for line in lines if not is_furniture_line(line))


def parse_error(error: Exception) -> str:
    if isinstance(error, etree.ParserError | etree.XMLSyntaxError):
        return f"not readable as HTML ({error})"
    return str(error)
