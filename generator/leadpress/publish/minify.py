"""Smaller HTML, CSS and JavaScript with the same meaning.

HTML goes through minify-html, with the settings that keep a page parsed the same by every
parser (closing tags, `<html>` and `<head>`, `type="text"`), its inline CSS minified too.
JavaScript, inline or in files, goes through rjsmin, which only removes comments and
whitespace: minify-html's own JS minifier rewrites code, and a page's inline scripts share
globals with the theme's bundle, so renaming or dropping a `var` there could break it. CSS
files go through rcssmin. `<pre>`, `<textarea>` and `<code>` keep their whitespace, and
JSON-LD and other data blocks are left exactly as they are.

minify-html removes whitespace between two inline elements inside a block
(`<div><span>a</span> <span>b</span></div>` would read "ab"); such spaces are marked before
and turned back into one space after. It also drops attributes whose value is the default
(`<button type="submit">`, `<form method="get">`). The page means the same, but selectors in
stylesheets and scripts (`button[type=submit]`) would no longer match, so those attributes
are put back.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import minify_html
import rcssmin
import rjsmin

# An inline script: no src, and a JavaScript type (or none). Data blocks (JSON-LD, Material's
# __config) and external scripts do not match. Script text cannot contain "</script".
INLINE_SCRIPT = re.compile(r"(<script\b([^>]*)>)(.*?)(</script\s*>)", re.IGNORECASE | re.DOTALL)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_SRC = re.compile(r"\bsrc\s*=", re.IGNORECASE)
JAVASCRIPT_TYPES = frozenset(
    {"", "module", "text/javascript", "application/javascript", "text/ecmascript"}
)


def minify_css(text: str) -> str:
    return rcssmin.cssmin(text)


def minify_js(text: str) -> str:
    return rjsmin.jsmin(text).strip()


def has_src(attributes: str) -> bool:
    return bool(_SRC.search(attributes))


def is_executable(attributes: str) -> bool:
    """Whether a `<script>` with these attributes runs inline code (not src, not data)."""
    if has_src(attributes):
        return False
    match = _TYPE.search(attributes)
    return (match.group(1).lower() if match else "") in JAVASCRIPT_TYPES


# Elements laid out in a line of text: the whitespace between two of them shows.
INLINE_ELEMENTS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "button", "cite", "code", "data", "dfn", "em", "i",
        "img", "input", "kbd", "label", "mark", "q", "s", "samp", "select", "small", "span",
        "strong", "sub", "sup", "time", "u", "var",
    }
)  # fmt: skip
# Text whose whitespace is the content, or not text at all.
VERBATIM_ELEMENTS = frozenset({"pre", "textarea", "script", "style", "title"})
SPACE_MARK = "\ue000"  # a private-use character no page has: "a space that shows"


class _InlineSpaces(HTMLParser):
    """Whitespace-only text between two inline elements: where it is in the page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.spans: list[tuple[int, int]] = []
        self.previous = ""  # the tag just before the pending whitespace
        self.pending: tuple[int, int] | None = None
        self.verbatim = 0

    def _tag(self, tag: str) -> None:
        if self.pending and self.previous in INLINE_ELEMENTS and tag in INLINE_ELEMENTS:
            self.spans.append(self.pending)
        self.previous, self.pending = tag, None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag)
        self.verbatim += tag in VERBATIM_ELEMENTS

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag)

    def handle_endtag(self, tag: str) -> None:
        self._tag(tag)
        if tag in VERBATIM_ELEMENTS and self.verbatim:
            self.verbatim -= 1

    def handle_data(self, data: str) -> None:
        if data.strip() or self.verbatim:
            self.previous, self.pending = "", None
            return
        line, column = self.getpos()
        start = self.line_starts[line - 1] + column
        self.pending = (start, start + len(data))

    def _other(self, *args: object) -> None:
        self.previous, self.pending = "", None

    handle_comment = handle_charref = handle_entityref = handle_decl = handle_pi = _other


def _mark_inline_spaces(html: str) -> str:
    if SPACE_MARK in html:
        return html
    parser = _InlineSpaces(html)
    parser.feed(html)
    parser.close()
    for start, end in reversed(parser.spans):
        html = html[:start] + SPACE_MARK + html[end:]
    return html


class _StartTags(HTMLParser):
    """Every start tag of a page: where it ends in the text, its name and attributes."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.tags: list[tuple[int, str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, column = self.getpos()
        raw = self.get_starttag_text() or ""
        end = self.line_starts[line - 1] + column + len(raw)
        self.tags.append((end - (2 if raw.endswith("/>") else 1), tag, attrs))

    handle_startendtag = handle_starttag


def _start_tags(text: str) -> list[tuple[int, str, list[tuple[str, str | None]]]]:
    parser = _StartTags(text)
    parser.feed(text)
    parser.close()
    return parser.tags


def restore_attributes(original: str, smaller: str) -> str | None:
    """`smaller` with the attributes the minifier dropped put back, or None when its tags do
    not line up with the original's (then the original is the safe choice)."""
    before, after = _start_tags(original), _start_tags(smaller)
    if [tag for _, tag, _ in before] != [tag for _, tag, _ in after]:
        return None
    inserts = []
    for (_, _, attrs), (end, _, kept) in zip(before, after, strict=True):
        names = {name for name, _ in kept}
        missing = [(name, value) for name, value in attrs if name not in names]
        if missing:
            text = "".join(
                f" {name}" if value is None else f' {name}="{_attribute(value)}"'
                for name, value in missing
            )
            inserts.append((end, text))
    for position, text in reversed(inserts):
        smaller = smaller[:position] + text + smaller[position:]
    return smaller


def _attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;")


def minify_page(html: str) -> str:
    """A page with the same meaning and fewer bytes (the page itself if the minifier's
    result cannot be checked against it)."""
    smaller = minify_html.minify(
        _mark_inline_spaces(html),
        keep_closing_tags=True,
        keep_html_and_head_opening_tags=True,
        keep_input_type_text_attr=True,
        minify_css=True,
        minify_js=False,
    )

    def script(match: re.Match[str]) -> str:
        opening, attributes, body, closing = match.groups()
        if not body.strip() or not is_executable(attributes):
            return match.group(0)
        return opening + minify_js(body) + closing

    smaller = smaller.replace(SPACE_MARK, " ")
    restored = restore_attributes(html, smaller)
    return html if restored is None else INLINE_SCRIPT.sub(script, restored)
