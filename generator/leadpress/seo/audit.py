"""An SEO audit over built HTML pages, the way a marketer's SEO plug-in checks a site.

`audit_site` reads the finished site folder only, so it checks what visitors and search
engines actually get, whatever produced the pages. Every finding names what is wrong and
says how to fix it in the words of someone who edits Markdown and front matter.
"""

from __future__ import annotations

import copy
import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from .text import cut_to_width, display_width

Severity = Literal["error", "warning"]

NOT_FOUND_PAGE = "404.html"  # served for missing URLs: not a page anyone should find
_SKIPPED_TAGS = ("script", "style", "template", "noscript")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Elements that end a word even when the HTML has no space around them (minified pages).
_BLOCKS = frozenset(
    {
        *_HEADINGS,
        *("address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl"),
        *("dt", "figcaption", "figure", "footer", "form", "header", "hr", "li", "main"),
        *("nav", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul"),
    }
)
_SPACE = re.compile(r"\s+")
# Ideographs and kana: languages written without spaces, where one character is about
# half a word.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_WORD = re.compile(r"\w")
_QUOTE_WIDTH = 80
# Built pages are written as UTF-8; a page without a charset tag must not be read as Latin-1.
_PARSER = lxml.html.HTMLParser(encoding="utf-8")


@dataclass(frozen=True)
class Finding:
    page: str  # the page's URL path, "/" for the home page
    check: str  # short id, e.g. "title-missing"
    severity: Severity
    message: str  # what is wrong, naming the value
    fix: str  # how to fix it, for whoever edits the page


@dataclass(frozen=True)
class AuditRules:
    # Widths are display widths: a Chinese, Japanese or Korean character counts as two.
    title_min: int = 10
    title_max: int = 60
    description_min: int = 50
    description_max: int = 160
    thin_words: int = 300


def page_files(site_dir: Path) -> list[Path]:
    """The built pages the audit reads: every HTML file but the not-found page, sorted."""
    return sorted(p for p in site_dir.rglob("*.html") if p.name != NOT_FOUND_PAGE and p.is_file())


# Reading pages ------------------------------------------------------------------------------


@dataclass
class _Page:
    file: str  # path inside the site folder, with "/" separators
    url: str  # absolute, percent-encoded: the base for the page's relative links
    path: str  # URL path as people read it (decoded)
    doc: lxml.html.HtmlElement
    head: lxml.html.HtmlElement
    body: lxml.html.HtmlElement
    indexable: bool = True


@dataclass(frozen=True)
class _Link:
    href: str  # as written in the page
    path: str  # the target's decoded URL path
    file: str | None  # the existing file it reaches, None when there is none
    fragment: str


def _url_path(file: str) -> str:
    """Site-relative URL of a built file: `x/index.html` is `x/`, `index.html` is ``."""
    if file == "index.html":
        return ""
    if file.endswith("/index.html"):
        return file[: -len("index.html")]
    return file


def _parse(data: bytes) -> lxml.html.HtmlElement:
    try:
        doc = lxml.html.document_fromstring(data, parser=_PARSER)
    except etree.ParserError:  # an empty file: audited as a page with nothing in it
        doc = lxml.html.document_fromstring(b"<html><head></head><body></body></html>")
    for tag in ("head", "body"):
        if doc.find(tag) is None:
            doc.insert(0 if tag == "head" else len(doc), doc.makeelement(tag, {}))
    return doc


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _classes(element: lxml.html.HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def _visible_text(element: lxml.html.HtmlElement) -> str:
    """Text a reader sees: no scripts or styles, no `¶` permalinks beside headings."""
    clone = copy.deepcopy(element)
    clone.tail = None
    for hidden in list(clone.iter(*_SKIPPED_TAGS, "a")):
        if hidden.tag != "a" or "headerlink" in _classes(hidden):
            hidden.drop_tree()
    for block in clone.iter(*_BLOCKS):
        block.text = " " + (block.text or "")
        block.tail = " " + (block.tail or "")
    return _collapse(clone.text_content())


def _meta(head: lxml.html.HtmlElement, attribute: str, key: str) -> str | None:
    """The content of the first `<meta {attribute}="{key}">`, None when there is none."""
    for meta in head.iter("meta"):
        if (meta.get(attribute) or "").strip().lower() == key:
            return _collapse(meta.get("content") or "")
    return None


def _is_noindex(head: lxml.html.HtmlElement) -> bool:
    directives = {d.strip() for d in (_meta(head, "name", "robots") or "").lower().split(",")}
    return bool(directives & {"noindex", "none"})


def _anchors(doc: lxml.html.HtmlElement) -> frozenset[str]:
    ids = {e.get("id") for e in doc.iter() if isinstance(e.tag, str) and e.get("id")}
    ids |= {a.get("name") for a in doc.iter("a") if a.get("name")}
    return frozenset(i for i in ids if i)


class _Site:
    """The built site folder, and how URLs under `site_url` map to its files."""

    def __init__(self, site_dir: Path, site_url: str) -> None:
        self.dir = site_dir
        self.url = site_url if site_url.endswith("/") else site_url + "/"
        parts = urlsplit(self.url)
        self.host = parts.netloc.lower()
        self.prefix = unquote(parts.path) or "/"  # e.g. "/docs/" for a site in a sub-folder
        self._anchors: dict[str, frozenset[str]] = {}
        self._existing: dict[str, bool] = {}  # the folder does not change during an audit

    def load(self, file: Path) -> _Page:
        relative = file.relative_to(self.dir).as_posix()
        doc = _parse(file.read_bytes())
        head, body = doc.find("head"), doc.find("body")
        page = _Page(
            file=relative,
            url=urljoin(self.url, quote(_url_path(relative))),
            path=self.page_path(relative),
            doc=doc,
            head=head,
            body=body,
            indexable=not _is_noindex(head),
        )
        self._anchors[relative] = _anchors(doc)
        return page

    def page_path(self, file: str) -> str:
        return self.prefix + _url_path(file)

    def resolve(self, base: str, href: str) -> _Link | None:
        """Where `href` on the page at `base` leads; None when it leaves the site."""
        href = href.strip()
        try:
            parts = urlsplit(urljoin(base, href))
        except ValueError:  # e.g. a malformed IPv6 host: not an address on this site
            return None
        # mailto:, tel:, javascript: and data: have other schemes; other hosts are not ours.
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != self.host:
            return None
        path = unquote(parts.path)
        if path + "/" == self.prefix:
            path = self.prefix
        if not path.startswith(self.prefix):
            return None  # same host, outside the site's folder: nothing to check it against
        return _Link(href, path, self._file(path[len(self.prefix) :]), unquote(parts.fragment))

    def _file(self, relative: str) -> str | None:
        if relative == "" or relative.endswith("/"):
            candidates = [relative + "index.html"]
        else:
            candidates = [relative]
            if not posixpath.splitext(relative)[1]:
                candidates.append(relative + "/index.html")  # a folder linked without its "/"
        for candidate in candidates:
            if ".." in candidate.split("/"):
                continue
            if self._is_file(candidate):
                return candidate
        return None

    def _is_file(self, relative: str) -> bool:
        # Every page links the same nav and listings: look each file up once, not per link.
        if relative not in self._existing:
            self._existing[relative] = (self.dir / relative).is_file()
        return self._existing[relative]

    def anchors(self, file: str) -> frozenset[str]:
        if file not in self._anchors:
            self._anchors[file] = _anchors(_parse((self.dir / file).read_bytes()))
        return self._anchors[file]


# Checks ---------------------------------------------------------------------------------------


@dataclass
class _Audit:
    site: _Site
    rules: AuditRules
    findings: set[Finding] = field(default_factory=set)

    def add(self, page: _Page, check: str, severity: Severity, message: str, fix: str) -> None:
        self.findings.add(Finding(page.path, check, severity, message, fix))


def _quote(text: str) -> str:
    """A value short enough to quote in a one-line message; long descriptions are cut."""
    return cut_to_width(text, _QUOTE_WIDTH)


def _width_note(text: str, width: int, unit: str = "characters") -> str:
    if width == len(text):
        return f"{width} {unit} long"
    return f"{width} {unit} wide (Chinese, Japanese and Korean characters count as two)"


def _check_title(audit: _Audit, page: _Page) -> str:
    rules = audit.rules
    element = page.head.find("title")
    title = _collapse(element.text_content()) if element is not None else ""
    if not title:
        audit.add(
            page,
            "title-missing",
            "error",
            "The page has no title.",
            f"Add `title:` to the page's front matter ({rules.title_min}–{rules.title_max} "
            "characters).",
        )
        return ""
    width = display_width(title)
    if width > rules.title_max:
        audit.add(
            page,
            "title-long",
            "warning",
            f'Title "{_quote(title)}" is {_width_note(title, width)}; search results cut titles '
            f"after about {rules.title_max}.",
            f"Shorten `title:` in the page's front matter to fit {rules.title_max} characters "
            "together with the site name added after it.",
        )
    elif width < rules.title_min:
        audit.add(
            page,
            "title-short",
            "warning",
            f'Title "{_quote(title)}" is {_width_note(title, width)}; at least {rules.title_min} '
            "tell searchers what the page is about.",
            f"Write a more descriptive `title:` in the page's front matter ({rules.title_min}–"
            f"{rules.title_max} characters).",
        )
    return title


def _check_description(audit: _Audit, page: _Page) -> str:
    rules = audit.rules
    description = _meta(page.head, "name", "description") or ""
    span = f"{rules.description_min}–{rules.description_max} characters"
    if not description:
        audit.add(
            page,
            "description-missing",
            "error",
            "The page has no meta description, so search engines pick a snippet themselves.",
            f"Add `description:` to the page's front matter ({span}).",
        )
        return ""
    width = display_width(description)
    if width > rules.description_max:
        audit.add(
            page,
            "description-long",
            "warning",
            f'Description "{_quote(description)}" is {_width_note(description, width)}; search '
            f"results cut it after about {rules.description_max}.",
            f"Shorten `description:` in the page's front matter ({span}).",
        )
    elif width < rules.description_min:
        audit.add(
            page,
            "description-short",
            "warning",
            f'Description "{_quote(description)}" is {_width_note(description, width)}; too short '
            "to make searchers click.",
            f"Write a fuller `description:` in the page's front matter ({span}).",
        )
    return description


def _check_h1(audit: _Audit, page: _Page) -> None:
    h1s = list(page.body.iter("h1"))
    if not h1s:
        audit.add(
            page,
            "h1-missing",
            "error",
            "The page has no main heading (H1).",
            "Give the page one main heading: a `# Heading` line at the top of its Markdown.",
        )
    elif len(h1s) > 1:
        texts = ", ".join(f'"{_visible_text(h1)}"' for h1 in h1s)
        audit.add(
            page,
            "h1-multiple",
            "error",
            f"The page has {len(h1s)} main headings (H1): {texts}.",
            "Keep one `# Heading` and turn the others into `## Subheadings`.",
        )


def _check_images(audit: _Audit, page: _Page) -> None:
    for image in page.body.iter("img"):
        if image.get("alt") is None:  # alt="" marks a decorative image on purpose
            src = (image.get("src") or "").strip()
            audit.add(
                page,
                "image-alt-missing",
                "error",
                f'Image "{src}" has no alt text.' if src else "An image has no alt text.",
                "Say what the image shows: `![Pipeline chart](chart.png)` in Markdown or "
                '`alt="..."` on an HTML `<img>`; use `alt=""` only for pure decoration.',
            )


def _check_headings(audit: _Audit, page: _Page) -> None:
    previous: tuple[int, str] | None = None
    for heading in page.body.iter(*_HEADINGS):
        level, text = int(heading.tag[1]), _visible_text(heading)
        if previous is not None and level > previous[0] + 1:
            audit.add(
                page,
                "heading-skip",
                "warning",
                f'Heading h{level} "{text}" follows h{previous[0]} "{previous[1]}", skipping '
                f"h{previous[0] + 1}.",
                f"Make it a level-{previous[0] + 1} heading (`{'#' * (previous[0] + 1)} ...` "
                "in Markdown) so the outline stays in order.",
            )
        previous = (level, text)


def _main_text(page: _Page) -> str:
    for tag in ("article", "main"):
        element = page.body.find(f".//{tag}")
        if element is not None:
            return _visible_text(element)
    return _visible_text(page.body)


def count_words(text: str) -> float:
    """Words in `text`: Latin words by spaces, each CJK character as half a word."""
    cjk = len(_CJK.findall(text))
    latin = sum(1 for token in _CJK.sub(" ", text).split() if _WORD.search(token))
    return latin + cjk / 2


def _check_thin(audit: _Audit, page: _Page) -> None:
    if (_meta(page.head, "property", "og:type") or "").lower() != "article":
        return
    words = count_words(_main_text(page))
    if words < audit.rules.thin_words:
        audit.add(
            page,
            "thin-content",
            "warning",
            f"The article has about {int(words)} words; search engines favour pages with at "
            f"least {audit.rules.thin_words}.",
            f"Expand the article with useful detail ({audit.rules.thin_words}+ words), or "
            "merge it into a related one.",
        )


def _check_social_image(audit: _Audit, page: _Page) -> None:
    image = _meta(page.head, "property", "og:image")
    if not image:
        audit.add(
            page,
            "social-image-missing",
            "warning",
            "The page has no social image (og:image) for link previews.",
            "Add `image:` to the page's front matter, or keep social cards enabled so one is "
            "drawn for it.",
        )
        return
    target = audit.site.resolve(page.url, image)
    if target is not None and target.file is None:
        audit.add(
            page,
            "social-image-missing",
            "error",
            f'Social image "{image}" is not in the built site.',
            "Fix `image:` in the page's front matter so it points to an image that is "
            "published with the site.",
        )


def _check_links(audit: _Audit, page: _Page) -> Iterator[str]:
    """Report broken links and anchors; yield the files this page links to."""
    for anchor in page.body.iter("a"):
        href = anchor.get("href")
        if href is None:
            continue
        link = audit.site.resolve(page.url, href)
        if link is None:
            continue
        if link.file is None:
            audit.add(
                page,
                "broken-link",
                "error",
                f'Link "{link.href}" leads to {link.path}, which does not exist.',
                "Correct or remove the link; if the page moved, link to its new address.",
            )
            continue
        yield link.file
        if (
            link.fragment
            and link.file.endswith(".html")
            and link.fragment not in audit.site.anchors(link.file)
        ):
            target = audit.site.page_path(link.file)
            where = "this page" if link.file == page.file else target
            audit.add(
                page,
                "broken-anchor",
                "error",
                f'Link "{link.href}" leads to section "#{link.fragment}" on {where}, which '
                "has no such heading or anchor.",
                "Link to a heading that exists (its anchor is in the page's table of "
                "contents), or correct the part after `#`.",
            )


def _check_duplicates(
    audit: _Audit, pages: dict[str, _Page], values: dict[str, str], what: str
) -> None:
    by_value: defaultdict[str, list[str]] = defaultdict(list)
    for file, value in values.items():
        if value:
            by_value[value].append(file)
    for value, files in by_value.items():
        if len(files) < 2:
            continue
        for file in files:
            others = ", ".join(sorted(pages[f].path for f in files if f != file))
            audit.add(
                pages[file],
                f"{what}-duplicate",
                "warning",
                f'{what.capitalize()} "{_quote(value)}" is also used by {others}.',
                f"Give each page its own `{what}:` in its front matter, so search engines "
                "can tell the pages apart.",
            )


def _check_orphans(audit: _Audit, pages: dict[str, _Page], linked: set[str]) -> None:
    for file, page in pages.items():
        if page.indexable and file != "index.html" and file not in linked:
            audit.add(
                page,
                "orphan",
                "warning",
                "No other page links to this page, so visitors and search engines hardly find it.",
                "Link to it from a related page, a listing or the navigation.",
            )


# Entry points ---------------------------------------------------------------------------------


def _sort_key(finding: Finding) -> tuple[str, int, str, str, str]:
    return (
        finding.page,
        0 if finding.severity == "error" else 1,
        finding.check,
        finding.message,
        finding.fix,
    )


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """By page, errors first, then by check and message: the same site gives the same list."""
    return sorted(findings, key=_sort_key)


_EMPTY = _parse(b"<html><head></head><body></body></html>")
_EMPTY_HEAD, _EMPTY_BODY = _EMPTY.find("head"), _EMPTY.find("body")


def audit_site(site_dir: Path, site_url: str, rules: AuditRules = AuditRules()) -> list[Finding]:
    """Check every built page under `site_dir`, published at `site_url`."""
    audit = _Audit(_Site(site_dir, site_url), rules)
    pages: dict[str, _Page] = {}
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    linked: set[str] = set()
    for path in page_files(site_dir):
        page = audit.site.load(path)
        file = page.file
        # Every page's links count, noindex or not: a visitor can still follow them.
        linked.update(target for target in _check_links(audit, page) if target != file)
        if page.indexable:
            titles[file] = _check_title(audit, page)
            descriptions[file] = _check_description(audit, page)
            _check_h1(audit, page)
            _check_images(audit, page)
            _check_headings(audit, page)
            _check_thin(audit, page)
            _check_social_image(audit, page)
        # The checks across pages need only its address: let its parsed tree go, so a large
        # site is audited in the memory of one page, not of all of them.
        pages[file] = replace(page, doc=_EMPTY, head=_EMPTY_HEAD, body=_EMPTY_BODY)
    _check_duplicates(audit, pages, titles, "title")
    _check_duplicates(audit, pages, descriptions, "description")
    _check_orphans(audit, pages, linked)
    return sort_findings(audit.findings)


def _counts(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity == "error")
    return errors, len(findings) - errors


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def summary_line(findings: list[Finding], pages_audited: int) -> str:
    audited = f"{_plural(pages_audited, 'page')} audited"
    if not findings:
        return f"{audited}: no findings"
    errors, warnings = _counts(findings)
    return f"{audited}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def format_table(findings: list[Finding], pages_audited: int) -> str:
    """The findings for a terminal: a heading line per page, then one line per finding."""
    ordered = sort_findings(findings)
    check_width = max((len(f.check) for f in ordered), default=0)
    indent = " " * (2 + 7 + 2 + check_width + 2)
    lines: list[str] = []
    page = None
    for finding in ordered:
        if finding.page != page:
            if page is not None:
                lines.append("")
            page = finding.page
            lines.append(page)
        lines.append(f"  {finding.severity:<7}  {finding.check:<{check_width}}  {finding.message}")
        lines.append(f"{indent}fix: {finding.fix}")
    if lines:
        lines.append("")
    lines.append(summary_line(ordered, pages_audited))
    return "\n".join(lines)


def report_json(findings: list[Finding], pages_audited: int) -> str:
    """The report as JSON, for `seo-report.json` and for tools that read it."""
    ordered = sort_findings(findings)
    errors, warnings = _counts(ordered)
    report = {
        "pages_audited": pages_audited,
        "errors": errors,
        "warnings": warnings,
        "findings": [asdict(f) for f in ordered],
    }
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
