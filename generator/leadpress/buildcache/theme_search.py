"""Material's search index, with the HTML of each page read by a faster tokenizer.

Material's search plugin reads every page with Python's `HTMLParser`, whose tokenizer is
written in Python: on a site of a thousand articles that takes as long as rendering them.
Markdown's HTML is regular (quoted attributes, no scripts, no stray `<`), so a page is cut
into tags and text by one regular expression, and the pieces are handed to Material's own
parser callbacks exactly as `HTMLParser` hands them: tag and attribute names in lower case,
attribute values and text with their character references resolved, `<x/>` as a start and
an end. A page with anything else (a script or style element, a declaration, a comment
with `--` inside, a `<` that starts no tag) is read by `HTMLParser` itself, from the start.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from material.plugins.search.plugin import Parser, SearchIndex

_TAG = re.compile(
    r"<(?:"
    r"([a-zA-Z][-.a-zA-Z0-9:_]*)"  # a start tag's name
    r"((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`/]+(?=[\s>])))?)*)"
    r"\s*(/?)>"  # an unquoted value ends before a space or `>`: `<a href=x/>` is ambiguous
    r"|/([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>"  # an end tag
    r"|!--((?:[^-]|-(?!-))*)-->"  # a comment without `--` inside
    r")"
)
_ATTRIBUTE = re.compile(
    r"([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`/]+)))?"
)
# Their content is not HTML (`HTMLParser` reads it raw, up to the end tag).
_RAW_TEXT = frozenset(("script", "style"))

_DATA, _START, _END, _START_END = range(4)
Event = tuple[int, str, list[tuple[str, str | None]] | None]


def html_events(html: str) -> list[Event] | None:
    """The callbacks `HTMLParser` makes for `html`, or None when it is not plain enough to
    be sure of them."""
    events: list[Event] = []
    position = 0
    length = len(html)
    while True:
        opening = html.find("<", position)
        end = length if opening < 0 else opening
        if end > position:
            text = html[position:end]
            events.append((_DATA, unescape(text) if "&" in text else text, None))
        if opening < 0:
            return events
        tag = _TAG.match(html, opening)
        if tag is None:
            return None
        name, attributes, self_closing, closing, comment = tag.groups()
        if name is not None:
            name = name.lower()
            if name in _RAW_TEXT:
                return None
            pairs = [_attribute(found) for found in _ATTRIBUTE.finditer(attributes)]
            events.append((_START_END if self_closing else _START, name, pairs))
        elif closing is not None:
            events.append((_END, closing.lower(), None))
        elif comment is not None and (comment.startswith((">", "->")) or comment.endswith("-")):
            return None  # read differently by different Python versions
        position = tag.end()


def _attribute(found: re.Match[str]) -> tuple[str, str | None]:
    value = found.group(2)
    if value is None:
        value = found.group(3)
    if value is None:
        value = found.group(4)
    if value and "&" in value:
        value = unescape(value)
    return found.group(1).lower(), value


class _SectionParser(Parser):
    read_fast = False

    def feed(self, data: str) -> None:
        events = html_events(data)
        if events is None:
            super().feed(data)
            return
        self.read_fast = True
        for kind, text, attributes in events:
            if kind == _DATA:
                self.handle_data(text)
            elif kind == _START:
                self.handle_starttag(text, attributes)
            elif kind == _END:
                self.handle_endtag(text)
            else:  # as HTMLParser.handle_startendtag
                self.handle_starttag(text, attributes)
                self.handle_endtag(text)


class FastSearchIndex(SearchIndex):
    """Material's `SearchIndex`, reading pages with the tokenizer above."""

    def __init__(self, **config: Any) -> None:
        super().__init__(**config)
        self.pages_read = {True: 0, False: 0}  # by the tokenizer above, by HTMLParser

    def add_entry_from_context(self, page: Any) -> None:
        # Material's own method, with the parser swapped.
        search = page.meta.get("search") or {}
        if search.get("exclude"):
            return
        parser = _SectionParser()
        parser.feed(page.content)
        parser.close()
        self.pages_read[parser.read_fast] += 1
        for section in parser.data:
            if not section.is_excluded():
                self.create_entry_for_section(section, page.toc, page.url, page)


def read_pages_faster(search_plugin: Any) -> FastSearchIndex | None:
    """Give Material's search plugin the faster index, before any page is indexed."""
    index = getattr(search_plugin, "search_index", None)
    if type(index) is not SearchIndex or index.entries:
        return None
    faster = FastSearchIndex(**index.config)
    search_plugin.search_index = faster
    return faster
