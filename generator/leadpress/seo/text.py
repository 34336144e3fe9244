"""Plain text out of HTML, measured and cut the way search engines show it."""

from __future__ import annotations

import re
import unicodedata

import lxml.html
from lxml import etree

# Search results show about 155 Latin characters of a description; a CJK character takes
# the room of two, so about 78 of them fit.
DESCRIPTION_WIDTH = 155
_SKIPPED_TAGS = ("script", "style", "template", "noscript")
_SPACE = re.compile(r"\s+")


def char_width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    if text.isascii():  # no ASCII character is wide
        return len(text)
    return sum(char_width(char) for char in text)


def cut_to_width(text: str, width: int, ellipsis: str = "…") -> str:
    """`text` cut at a character boundary to at most `width` display columns.

    Latin text is cut at the last space that keeps most of it, so no word is split;
    CJK text has no spaces and is cut between characters.
    """
    text = _SPACE.sub(" ", text).strip()
    if display_width(text) <= width:
        return text
    budget = width - display_width(ellipsis)
    used, end = 0, 0
    for index, char in enumerate(text):
        used += char_width(char)
        if used > budget:
            break
        end = index + 1
    cut = text[:end]
    space = cut.rfind(" ")
    next_char = text[end : end + 1]
    if next_char and not next_char.isspace() and char_width(next_char) == 1 and space > end * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—、，；：") + ellipsis


def _fragment(html: str) -> etree._Element | None:
    if not html.strip():
        return None
    return lxml.html.fragment_fromstring(html, create_parent="div")


def html_to_text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    root = _fragment(html)
    if root is None:
        return ""
    for skipped in list(root.iter(*_SKIPPED_TAGS)):
        skipped.drop_tree()
    return _SPACE.sub(" ", root.text_content()).strip()


def first_paragraph(html: str) -> str:
    """The text of the first non-empty paragraph of a page body, for its description."""
    root = _fragment(html)
    if root is None:
        return ""
    for paragraph in root.iter("p"):
        # A paragraph inside an admonition or a table is an aside, not the introduction.
        if any(
            ancestor.tag in ("table", "details", "aside", "blockquote", "figure")
            or "admonition" in (ancestor.get("class") or "")
            for ancestor in paragraph.iterancestors()
        ):
            continue
        text = _SPACE.sub(" ", paragraph.text_content()).strip()
        if text:
            return text
    return ""


def describe(html: str, width: int = DESCRIPTION_WIDTH) -> str:
    """A meta description made from a page body: its first paragraph, cut to fit."""
    return cut_to_width(first_paragraph(html) or html_to_text(html), width)
