"""WordPress export files (WXR): one article per post; drafts stay drafts."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from .article import Extracted, Note
from .markdown import tidy_markdown

_BLOCK = re.compile(
    r"^\s*</?(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|table|figure|img|hr|section|!--)", re.I
)
_GUTENBERG = re.compile(r"<!--\s*/?wp:.*?-->", re.S)
_CAPTION = re.compile(r"\[caption[^\]]*\](.*?)\[/caption\]", re.S)
_SHORTCODE = re.compile(r"\[/?[a-zA-Z][\w-]*(?:\s[^\]]*)?\]")
# Published, scheduled and draft-like states; anything else (trash, auto-draft) is skipped.
_DRAFT_STATES = {"draft", "pending", "private"}
_KEPT_STATES = {"publish", "future", *_DRAFT_STATES}


class NotAnExport(Exception):
    """The file is XML but not a WordPress export."""


def is_wxr(text: str) -> bool:
    head = text[:4000]
    return "<rss" in head and "wordpress.org/export/" in head


def extract_wxr(source: Path, text: str) -> list[Extracted]:
    """Every post of the export, in the export's order."""
    from .html import NoArticle, extract_html

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        raise NotAnExport(f"the WordPress export is not well-formed XML ({error})") from None
    channel = root.find("channel")
    if channel is None:
        raise NotAnExport("a WordPress export without its <channel>")
    authors = {
        _text(a, "{*}author_login"): _text(a, "{*}author_display_name")
        for a in channel.findall("{*}author")
    }
    site = _text(channel, "link")
    posts: list[Extracted] = []
    for item in channel.findall("item"):
        if _text(item, "{*}post_type") != "post":
            continue
        status = _text(item, "{*}status")
        if status not in _KEPT_STATES:
            continue
        title = _text(item, "title") or None
        label = f"post {_text(item, '{*}post_id') or len(posts) + 1}: {title or 'untitled'}"
        page = (
            "<html><body><article>"
            + (f"<h1>{_escape(title)}</h1>" if title else "")
            + _autop(_text(item, "{*}encoded"))
            + "</article></body></html>"
        )
        try:
            post = extract_html(source, page, base_url=_text(item, "link") or site or None)
        except NoArticle:
            post = Extracted(source=source, kind="wxr", body="")
            post.notes.append(Note("body", "the post has no text"))
        post.kind = "wxr"
        post.part = label
        post.title = title
        post.draft = status in _DRAFT_STATES
        post.body = tidy_markdown(post.body, title)
        login = _text(item, "{*}creator")
        post.author = authors.get(login) or login or None
        excerpt = next(
            (_text(e) for e in item.findall("{*}encoded") if "excerpt" in (e.tag or "")), ""
        )
        post.description = excerpt or None
        post.date = _post_date(item)
        name = unquote(_text(item, "{*}post_name"))
        post.slug = name or None
        post.categories = _terms(item, "category")
        post.tags = _terms(item, "post_tag")
        post.notes = [n for n in post.notes if n.field != "images"]
        if status == "private":
            post.notes.append(Note("draft", "the post was private in WordPress; kept as a draft"))
        posts.append(post)
    return posts


def _text(element: etree._Element, path: str | None = None) -> str:
    if path is not None:
        found = [e for e in element.findall(path) if "excerpt" not in (e.tag or "")]
        element = found[0] if found else None  # type: ignore[assignment]
    return (element.text or "").strip() if element is not None else ""


def _post_date(item: etree._Element) -> date | None:
    """The publication date; a draft's `0000-00-00` GMT date means none was set."""
    if _text(item, "{*}post_date_gmt").startswith("0000"):
        return None
    for path in ("{*}post_date", "{*}post_date_gmt"):
        try:
            return datetime.strptime(_text(item, path)[:10], "%Y-%m-%d").date()
        except ValueError:
            continue
    return None


def _terms(item: etree._Element, domain: str) -> list[str]:
    return [
        (c.text or "").strip()
        for c in item.findall("category")
        if c.get("domain") == domain and (c.text or "").strip()
    ]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _autop(content: str) -> str:
    """WordPress stores classic posts without <p>: blank lines separate paragraphs. Also
    drop block-editor comments and shortcodes (a caption's image and text are kept)."""
    content = _GUTENBERG.sub("", content)
    content = _CAPTION.sub(r"<figure>\1</figure>", content)
    content = _SHORTCODE.sub("", content)
    blocks = [b.strip() for b in re.split(r"\n\s*\n", content.replace("\r\n", "\n")) if b.strip()]
    return "\n".join(
        b if _BLOCK.match(b) else f"<p>{b.replace(chr(10), '<br>')}</p>" for b in blocks
    )
