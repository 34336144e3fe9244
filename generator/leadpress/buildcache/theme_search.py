"""Material's search index, with the HTML of each page read by a faster tokenizer.

Material's search plugin reads every page with Python's `HTMLParser`, whose tokenizer is
written in Python: on a site of a thousand articles that takes as long as rendering them.
Markdown's HTML is regular (quoted attributes, no scripts, no stray `<`), so a page is cut
into tags and text by one regular expression, and the pieces are read as Material's own
parser callbacks read them when `HTMLParser` hands them over: tag and attribute names in
lower case, attribute values and text with their character references resolved, `<x/>` as
a start and an end. A page with anything else (a script or style element, a declaration, a
comment with `--` inside, a `<` that starts no tag) is read by `HTMLParser` itself, from the
start.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Any

from material.plugins.search.plugin import Element, Parser, SearchIndex, Section, void

# Material's index, to tell its search plugin from MkDocs' own (both are `search`).
MaterialSearchIndex = SearchIndex

# One token of a page: a run of text, a tag, a comment, or a `<` that starts none of them.
_TOKEN = re.compile(
    r"([^<]+)"  # text
    r"|<(?:"
    r"([a-zA-Z][-.a-zA-Z0-9:_]*)"  # a start tag's name
    r"((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`/]+(?=[\s>])))?)*)"
    r"\s*(/?)>"  # an unquoted value ends before a space or `>`: `<a href=x/>` is ambiguous
    r"|/([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>"  # an end tag
    r"|(!--)((?:[^-]|-(?!-))*)-->"  # a comment without `--` inside
    r")"
    r"|(<)"  # a `<` that starts no tag
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
    be sure of them. The page is cut into tokens in one call (`findall`; a group that took
    no part is empty, and each group that matters is never empty when it does)."""
    events: list[Event] = []
    append = events.append
    for token in _TOKEN.findall(html):
        text, name, attributes, self_closing, closing, comment_start, comment, _stray = token
        if text:
            append((_DATA, unescape(text) if "&" in text else text, None))
        elif name:
            name = name.lower()
            if name in _RAW_TEXT:
                return None
            pairs = (
                [_attribute(found) for found in _ATTRIBUTE.finditer(attributes)]
                if attributes
                else []
            )
            append((_START_END if self_closing else _START, name, pairs))
        elif closing:
            append((_END, closing.lower(), None))
        elif not comment_start or comment.startswith((">", "->")) or comment.endswith("-"):
            return None  # a stray `<`, or a comment different Python versions read differently
    return events


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


def read_sections(events: list[Event]) -> list[Section]:
    """The sections Material's `Parser` (search plugin, 9.x) makes of these callbacks, step
    for step, in one loop over plain data: a page makes hundreds of callbacks, and calling
    a method for each, as `HTMLParser` does, took a third of the time of reading a page.

    Its elements compare and hash by tag name alone, so wherever it asks whether an element
    is in its context or skip list it asks whether an element of that tag is: here a count
    of the open elements of each tag answers. Everything it appends, and when, is the same.
    """
    context: list[str] = []  # tags of the open elements
    open_: dict[str, int] = {}  # how many of each tag are open
    permalinks = 0  # open `<a class="headerlink">`, among them
    permalink_flags: list[bool] = []  # per open element
    skip = set(_ALWAYS_SKIPPED)  # tags: an open element of any is skipped
    section: Section | None = None
    data: list[Section] = []
    for kind, item, pairs in events:
        if kind == _DATA:
            text = item
            # Skipped while an element of a tag in `skip` is open. Until an element asks
            # to be left out that is only `object`: scripts and styles go to HTMLParser.
            if open_.get("object") if len(skip) == 3 else any(open_.get(t) for t in skip):
                continue
            in_pre = open_.get("pre")
            if not in_pre:
                text = text.replace("\n", " ") if not text.isspace() else " "
            if section is None:
                section = Section(Element("hx"))
                data.append(section)
            if open_.get(section.el.tag):  # in the section's title
                if not permalinks:
                    section.title.append(escape(text, quote=False))
            elif text.isspace():
                kept = section.text
                if not kept or not kept[-1].isspace() or in_pre:
                    kept.append(text)
            else:
                section.text.append(escape(text, quote=False))
            continue
        tag = item
        if kind != _END and tag not in void:  # a start tag, or the start of `<x/>`
            attrs = dict(pairs or ())
            context.append(tag)
            open_[tag] = open_.get(tag, 0) + 1
            permalink = tag == "a" and attrs.get("class") == "headerlink"
            permalink_flags.append(permalink)
            permalinks += permalink
            if tag in _HEADINGS and "id" in attrs:
                depth = len(context)
                if tag != "h1" and not data:
                    section = Section(Element("hx"), depth)
                    data.append(section)
                section = Section(Element(tag, attrs), depth)
                if data:
                    section.id = attrs["id"]
                data.append(section)
            if section is None:
                section = Section(Element("hx"))
                data.append(section)
            if "data-search-exclude" in attrs or attrs.get("class") == "linenodiv":
                skip.add(tag)
            elif tag in _KEPT and not (
                open_.get("object") if len(skip) == 3 else any(open_.get(t) for t in skip)
            ):
                target = section.title if open_.get(section.el.tag) else section.text
                target.append(f"<{tag}>")
        if kind == _START or not context or context[-1] != tag:
            continue
        # An end tag, or the end of `<x/>`, that closes the innermost open element.
        assert section is not None  # made when that element opened
        depth = len(context)
        if section.depth > depth:
            for earlier in reversed(data):
                if earlier.depth <= depth:
                    section.depth = float("inf")
                    section = earlier
                    break
        context.pop()
        open_[tag] -= 1
        permalinks -= permalink_flags.pop()
        if tag in skip:
            if tag not in _ALWAYS_SKIPPED:
                skip.remove(tag)
            continue
        if tag in _KEPT and not (
            open_.get("object") if len(skip) == 3 else any(open_.get(t) for t in skip)
        ):
            target = section.title if open_.get(section.el.tag) else section.text
            index = target.index(f"<{tag}>")
            for i in range(index + 1, len(target)):
                if not target[i].isspace():
                    index = len(target)
                    break
            if len(target) > index:
                del target[index:]
            else:
                target.append(f"</{tag}>")
    return data


class _SectionParser(Parser):
    read_fast = False

    def feed(self, data: str) -> None:
        events = html_events(data)
        if events is None:
            super().feed(data)
            return
        self.read_fast = True
        self.data = read_sections(events)


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


# What Material's `on_page_context` (9.x) refers to: its `enabled` setting, the index it adds
# the page to, and the substitution that removes `data-search-*` attributes from the page.
_MATERIAL_PAGE_CONTEXT = (
    ("config", "enabled", "search_index", "add_entry_from_context", "re", "sub", "content"),
    (None, '\\s?data-search-\\w+=\\"[^\\"]+\\"', ""),
)


def substitute_only_where_found(plugins: Any, search_plugin: Any) -> bool:
    """Have Material's search plugin remove `data-search-*` attributes from a page only
    when the page has one. Its pattern starts with an optional space, so it was tried at
    every character of every page (0.13 ms a page) to find nothing on nearly all of them.
    A page with such an attribute goes through Material's own method; a page without gets
    what that method does to it, which is to index it. Only done when the method is the one
    described by `_MATERIAL_PAGE_CONTEXT`; False (nothing changed) otherwise."""
    code = type(search_plugin).on_page_context.__code__
    if (code.co_names, code.co_consts) != _MATERIAL_PAGE_CONTEXT:
        return False
    events = plugins.events["page_context"]
    own = [
        i for i, method in enumerate(events) if getattr(method, "__self__", None) is search_plugin
    ]
    if len(own) != 1:
        return False
    materials = events[own[0]]

    def on_page_context(context: Any, *, page: Any, config: Any, nav: Any) -> None:
        if "data-search-" in page.content:  # text every match of the pattern has
            return materials(context, page=page, config=config, nav=nav)
        if search_plugin.config.enabled:
            search_plugin.search_index.add_entry_from_context(page)
        return None

    events[own[0]] = on_page_context
    plugins._event_origins[on_page_context] = plugins._event_origins.get(materials)
    return True


def read_pages_faster(search_plugin: Any) -> FastSearchIndex | None:
    """Give Material's search plugin the faster index, before any page is indexed."""
    index = getattr(search_plugin, "search_index", None)
    if type(index) is not SearchIndex or index.entries:
        return None
    faster = FastSearchIndex(**index.config)
    search_plugin.search_index = faster
    return faster
