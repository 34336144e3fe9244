"""Finding and rewriting the references a built file makes to other files of the site.

References are read where a browser reads them: `href`, `src`, `srcset` and `poster` of
tags, `url()` in `style` attributes, `<style>` blocks and CSS files, `@import` in CSS, and the
icons of a web app manifest. Text inside `<script>`, `<pre>` or a code sample is never
touched: an HTML tokenizer, not a search over the text, finds the tags.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlsplit

# Given the URL as written, the URL to write instead, or None to leave it.
Rewrite = Callable[[str], str | None]

URL_ATTRIBUTES = frozenset({"href", "src", "poster"})
_ATTRIBUTE = re.compile(
    r"""(?P<name>[^\s"'>/=]+)(?P<eq>\s*=\s*)(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))"""
)
CSS_URL = re.compile(r"""url\(\s*(?P<quote>["']?)(?P<url>[^"')]+?)(?P=quote)\s*\)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?P<quote>["'])(?P<url>[^"']+)(?P=quote)""", re.I)


def site_path(url: str, from_path: str, base_path: str = "/") -> str | None:
    """The file of the site a URL written in `from_path` points to (`assets/x.css`), or None
    for another site, a page fragment, `data:` and the like. `base_path` is the path of
    site_url (`/` or `/docs/`), which a root-relative URL starts with."""
    if not url or url.startswith(("#", "//")):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        if not path.startswith(base_path):
            return None
        target = path[len(base_path) :]
    else:
        target = posixpath.join(posixpath.dirname(from_path), path)
    target = posixpath.normpath(target)
    if target.startswith("../") or target in ("..", "."):
        return None
    return target


def renamed_url(url: str, new_name: str) -> str:
    """`url` with its last path segment replaced, query and fragment kept: fingerprinting
    renames a file within its folder, so the rest of the URL stays as written."""
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    path, rest = url[:cut], url[cut:]
    folder = path.rpartition("/")[0] + "/" if "/" in path else ""
    return folder + quote(new_name) + rest


def rewrite_css(text: str, rewrite: Rewrite) -> str:
    def replace(match: re.Match[str]) -> str:
        new = rewrite(match.group("url").strip())
        if new is None:
            return match.group(0)
        start, end = match.span("url")
        offset = match.start()
        whole = match.group(0)
        return whole[: start - offset] + new + whole[end - offset :]

    return CSS_IMPORT.sub(replace, CSS_URL.sub(replace, text))


def css_references(text: str) -> list[str]:
    """Every `url()` and `@import` of a stylesheet, as written."""
    found: list[str] = []

    def collect(url: str) -> None:
        found.append(url)

    rewrite_css(text, collect)  # collects, changes nothing
    return found


def rewrite_srcset(value: str, rewrite: Rewrite) -> str:
    candidates = []
    for candidate in value.split(","):
        url, space, descriptor = candidate.strip().partition(" ")
        candidates.append((rewrite(url) or url) + space + descriptor)
    return ", ".join(candidates)


def _rewrite_tag(tag_text: str, rewrite: Rewrite) -> str:
    def attribute(match: re.Match[str]) -> str:
        name = match.group("name").lower()
        if name not in URL_ATTRIBUTES and name not in ("srcset", "style"):
            return match.group(0)
        quoted = (match.group("dq"), match.group("sq"), match.group("bare"))
        raw = next(v for v in quoted if v is not None)
        value = html.unescape(raw)
        if name == "srcset":
            new = rewrite_srcset(value, rewrite)
        elif name == "style":
            new = rewrite_css(value, rewrite)
        else:
            new = rewrite(value.strip()) or value
        if new == value:
            return match.group(0)
        # In a double-quoted value only `&` and `"` need escaping; the rest stays as written.
        escaped = new.replace("&", "&amp;").replace('"', "&quot;")
        return f'{match.group("name")}{match.group("eq")}"{escaped}"'

    name_end = re.match(r"<\s*[^\s>/]+", tag_text)
    cut = name_end.end() if name_end else 0
    return tag_text[:cut] + _ATTRIBUTE.sub(attribute, tag_text[cut:])


class _Locator(HTMLParser):
    """Where the start tags and the text of `<style>` blocks are in a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0]
        for match in re.finditer("\n", text):
            self.line_starts.append(match.end())
        self.tags: list[tuple[int, str]] = []  # (offset, raw text of the start tag)
        self.styles: list[tuple[int, str]] = []
        self.in_style = False

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        self.tags.append((self._offset(), raw))
        self.in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((self._offset(), self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.styles.append((self._offset(), data))


def rewrite_html(text: str, rewrite: Rewrite) -> str:
    """The page with every file reference passed through `rewrite`; all else byte for byte."""
    locator = _Locator(text)
    locator.feed(text)
    locator.close()
    edits: list[tuple[int, int, str]] = []
    for offset, raw in locator.tags:
        new = _rewrite_tag(raw, rewrite)
        if new != raw:
            edits.append((offset, offset + len(raw), new))
    for offset, data in locator.styles:
        new = rewrite_css(data, rewrite)
        if new != data:
            edits.append((offset, offset + len(data), new))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def html_references(text: str) -> list[str]:
    """Every file reference of a page, as written (for checks and for finding candidates)."""
    found: list[str] = []

    def collect(url: str) -> None:
        found.append(url)

    rewrite_html(text, collect)  # collects, changes nothing
    return found


class _Images(HTMLParser):
    IMAGE_TAGS = frozenset({"img", "source", "video", "input", "image"})

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.IMAGE_TAGS:
            return
        for name, value in attrs:
            if value and name in ("src", "poster"):
                self.urls.append(value.strip())
            elif value and name == "srcset":
                self.urls += [c.strip().split(" ", 1)[0] for c in value.split(",") if c.strip()]


def image_urls(text: str) -> list[str]:
    """URLs of the images a page loads (img, picture sources, video posters)."""
    parser = _Images()
    parser.feed(text)
    parser.close()
    return parser.urls


def rewrite_manifest(text: str, rewrite: Rewrite) -> str:
    """A web app manifest with its icons' and screenshots' `src` rewritten."""
    data = json.loads(text)
    changed = False
    for group in ("icons", "screenshots"):
        for item in data.get(group, []) if isinstance(data, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("src"), str):
                new = rewrite(item["src"])
                if new is not None:
                    item["src"], changed = new, True
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n" if changed else text
