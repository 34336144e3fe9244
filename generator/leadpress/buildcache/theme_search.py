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
from html import escape, unescape
from typing import Any

from material.plugins.search.plugin import Element, Parser, SearchIndex, Section, void

# Material's index, to tell its search plugin from MkDocs' own (both are `search`).
MaterialSearchIndex = SearchIndex

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
            pairs = (
                [_attribute(found) for found in _ATTRIBUTE.finditer(attributes)]
                if attributes
                else []
            )
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


# Material's parser: what it keeps of the page's markup, and the tags whose content it drops.
_HEADINGS = frozenset(f"h{level}" for level in range(1, 7))
_KEPT = frozenset(("p", "code", "pre", "li", "ol", "ul", "sub", "sup"))
_ALWAYS_SKIPPED = frozenset(("object", "script", "style"))


class _Sections:
    """Material's `Parser` callbacks (search plugin, 9.x), step for step, on plain data.

    Its elements compare and hash by tag name alone, so wherever it asks whether an element
    is in its context or skip list it asks whether an element of that tag is: here a count
    of the open elements of each tag answers. Everything it appends, and when, is the same.
    """

    def __init__(self) -> None:
        self.context: list[str] = []  # tags of the open elements
        self.open: dict[str, int] = {}  # how many of each tag are open
        self.permalinks = 0  # open `<a class="headerlink">`, among them
        self.permalink_flags: list[bool] = []  # per open element
        self.skip = set(_ALWAYS_SKIPPED)  # tags: an open element of any is skipped
        self.section: Section | None = None
        self.data: list[Section] = []

    def _skipping(self) -> bool:
        open_ = self.open
        return any(open_.get(tag) for tag in self.skip)

    def _in_title(self) -> bool:
        assert self.section is not None
        return bool(self.open.get(self.section.el.tag))

    def start(self, tag: str, pairs: list[tuple[str, str | None]]) -> None:
        attrs = dict(pairs)
        if tag in void:
            return
        self.context.append(tag)
        self.open[tag] = self.open.get(tag, 0) + 1
        permalink = tag == "a" and attrs.get("class") == "headerlink"
        self.permalink_flags.append(permalink)
        self.permalinks += permalink
        if tag in _HEADINGS:
            depth = len(self.context)
            if "id" in attrs:
                if tag != "h1" and not self.data:
                    self.section = Section(Element("hx"), depth)
                    self.data.append(self.section)
                self.section = Section(Element(tag, attrs), depth)
                if self.data:
                    self.section.id = attrs["id"]
                self.data.append(self.section)
        if self.section is None:
            self.section = Section(Element("hx"))
            self.data.append(self.section)
        for key, value in attrs.items():
            if key == "data-search-exclude" or (key == "class" and value == "linenodiv"):
                self.skip.add(tag)
                return
        if tag in _KEPT and not self._skipping():
            target = self.section.title if self._in_title() else self.section.text
            target.append(f"<{tag}>")

    def end(self, tag: str) -> None:
        if not self.context or self.context[-1] != tag:
            return
        assert self.section is not None
        depth = len(self.context)
        if self.section.depth > depth:
            for section in reversed(self.data):
                if section.depth <= depth:
                    self.section.depth = float("inf")
                    self.section = section
                    break
        self.context.pop()
        self.open[tag] -= 1
        self.permalinks -= self.permalink_flags.pop()
        if tag in self.skip:
            if tag not in _ALWAYS_SKIPPED:
                self.skip.remove(tag)
            return
        if tag in _KEPT and not self._skipping():
            target = self.section.title if self._in_title() else self.section.text
            index = target.index(f"<{tag}>")
            for i in range(index + 1, len(target)):
                if not target[i].isspace():
                    index = len(target)
                    break
            if len(target) > index:
                del target[index:]
            else:
                target.append(f"</{tag}>")

    def text(self, data: str) -> None:
        if self._skipping():
            return
        in_pre = bool(self.open.get("pre"))
        if not in_pre:
            data = data.replace("\n", " ") if not data.isspace() else " "
        if self.section is None:
            self.section = Section(Element("hx"))
            self.data.append(self.section)
        section = self.section
        if self._in_title():
            if not self.permalinks:
                section.title.append(escape(data, quote=False))
        elif data.isspace():
            if not section.text or not section.text[-1].isspace() or in_pre:
                section.text.append(data)
        else:
            section.text.append(escape(data, quote=False))


class _SectionParser(Parser):
    read_fast = False

    def feed(self, data: str) -> None:
        events = html_events(data)
        if events is None:
            super().feed(data)
            return
        self.read_fast = True
        sections = _Sections()
        for kind, text, attributes in events:
            if kind == _DATA:
                sections.text(text)
            elif kind == _START:
                sections.start(text, attributes or [])
            elif kind == _END:
                sections.end(text)
            else:  # as HTMLParser.handle_startendtag
                sections.start(text, attributes or [])
                sections.end(text)
        self.data = sections.data


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
