"""An SEO audit over built HTML pages, the way a marketer's SEO plug-in checks a site.

`audit_site` reads the finished site folder only, so it checks what visitors and search
engines actually get, whatever produced the pages. Every finding names what is wrong and
says how to fix it in the words of someone who edits Markdown and front matter.

It works in two steps. `page_facts` reads one page on its own: the findings about that page
alone, and what the checks across pages need of it (title, description, anchors, the links
that stay on the site). Those facts are plain, picklable data, so pages are read in a
process pool and their facts kept between builds under a hash of everything they depend
on. The checks across pages (broken links and anchors, duplicates, orphans) then run on
the facts and the folder's files only.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple
from urllib.parse import quote, unquote, urljoin, urlsplit

import selectolax
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..buildcache import dump_atomically, load_versioned
from ..buildcache.pool import process_pool, use_pool, worker_count
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
_BLOCK_SELECTOR = ",".join(sorted(_BLOCKS))
# Ideographs and kana: languages written without spaces, where one character is about
# half a word.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_WORD_TOKEN = re.compile(r"\w\S*")
_QUOTE_WIDTH = 80
# Bump when a check, a message or what `PageFacts` holds changes: facts kept by builds of
# an older version are then worked out again.
AUDIT_VERSION = "4"  # 4: read by lexbor; 3: the files' stats and the findings in an index
CACHE_FILE = "audit.pickle"
INDEX_FILE = "audit-index.pickle"  # the files' stats, and the findings they gave


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


def page_files(site_dir: Path, listing: Sequence[str] | None = None) -> list[Path]:
    """The built pages the audit reads: every HTML file but the not-found page, sorted.
    `listing` (from `site_listing`) saves walking the folder again."""
    files = site_listing(site_dir) if listing is None else listing
    return sorted(
        site_dir / file
        for file in files
        if file.endswith(".html") and posixpath.basename(file) != NOT_FOUND_PAGE
    )


def site_listing(site_dir: Path) -> list[str]:
    """Every file under `site_dir`, site-relative, sorted: one walk of the folder."""
    root = str(site_dir)
    listing: list[str] = []
    for folder, _, names in os.walk(root):
        # os.walk's folders start with `root` as given: cut it off (a relpath per file
        # took 0.17 s against 0.10 s for the 12,470 files of a 5,000-page site).
        inner = folder[len(root) + 1 :].replace(os.sep, "/")
        listing += (f"{inner}/{name}" for name in names) if inner else names
    return sorted(listing)


# Reading pages ------------------------------------------------------------------------------


class SiteTarget(NamedTuple):
    """Where an address on the site leads, before anyone looks for a file there."""

    path: str  # the target's decoded URL path, e.g. "/docs/pricing/"
    relative: str  # the same path inside the site folder, e.g. "pricing/"
    fragment: str  # decoded, "" when there is none


@dataclass(frozen=True)
class PageFacts:
    """One page as the audit needs it: the findings about the page alone, and what the
    checks across pages need of it. Plain data, so it crosses processes and is cached."""

    file: str  # path inside the site folder, with "/" separators
    path: str  # the page's URL path, as findings name it
    indexable: bool
    findings: frozenset[Finding]
    title: str  # "" when the page has none or is kept out of search engines
    description: str
    anchors: frozenset[str]  # ids and `<a name>`s, the targets of `#fragment` links
    links: tuple[tuple[str, SiteTarget], ...]  # (href as written, where it leads), each once
    social_image: tuple[str, SiteTarget] | None  # `og:image` when it points into the site


@dataclass
class _Page:
    file: str  # path inside the site folder, with "/" separators
    url: str  # absolute, percent-encoded: the base for the page's relative links
    path: str  # URL path as people read it (decoded)
    tree: LexborHTMLParser
    head: LexborNode
    body: LexborNode
    metas: dict[tuple[str, str], str]  # ("name" or "property", key): content, the first of each
    indexable: bool = True


def _url_path(file: str) -> str:
    """Site-relative URL of a built file: `x/index.html` is `x/`, `index.html` is ``."""
    if file == "index.html":
        return ""
    if file.endswith("/index.html"):
        return file[: -len("index.html")]
    return file


def _parse(data: bytes) -> LexborHTMLParser:
    """A built page as a browser reads it (lexbor parses by the HTML standard, which also
    supplies the `<head>` and `<body>` a page leaves out). Built pages are UTF-8, with or
    without a charset tag; an empty file is a page with nothing in it."""
    return LexborHTMLParser(data.decode("utf-8", "replace"))


def _collapse(text: str) -> str:
    return " ".join(text.split())  # runs of whitespace as one space: str.split's is re's \s


def _take_text(element: LexborNode) -> str:
    """Text a reader sees in `element`: no scripts or styles, no `¶` permalinks beside
    headings; a space around each block element, so words of a minified page do not run
    together. It takes `element` apart to find it: the last thing read of a page."""
    for permalink in element.css("a.headerlink"):
        permalink.decompose()
    element.strip_tags(list(_SKIPPED_TAGS))
    for block in element.css(_BLOCK_SELECTOR):
        block.insert_before(" ")
        block.insert_after(" ")
    return _collapse(element.text(deep=True))


def _visible_text(element: LexborNode) -> str:
    """`_take_text` of a copy of `element`, which stays as it is."""
    return _take_text(element.clone())


def _head_metas(head: LexborNode) -> dict[tuple[str, str], str]:
    """The content of the first `<meta name>` and `<meta property>` of each key (trimmed,
    in lower case) in `head`, as written."""
    metas: dict[tuple[str, str], str] = {}
    for meta in head.css("meta"):
        attributes = meta.attributes
        for attribute in ("name", "property"):
            key = attributes.get(attribute)
            if key:
                metas.setdefault((attribute, key.strip().lower()), attributes.get("content") or "")
    return metas


def _meta(page: _Page, attribute: str, key: str) -> str | None:
    """The content of the first `<meta {attribute}="{key}">`, None when there is none."""
    content = page.metas.get((attribute, key))
    return None if content is None else _collapse(content)


def _is_noindex(page: _Page) -> bool:
    directives = {d.strip() for d in (_meta(page, "name", "robots") or "").lower().split(",")}
    return bool(directives & {"noindex", "none"})


def _anchors(tree: LexborHTMLParser) -> frozenset[str]:
    """The targets of `#fragment` links: ids, and the names of `<a name>`."""
    ids = {node.attrs.get("id") for node in tree.css("[id]")}
    names = {node.attrs.get("name") for node in tree.css("a[name]")}
    return frozenset(value for value in ids | names if value)


# A relative path that `urljoin` resolves against the base's folder alone: it starts with
# none of the characters `urlsplit` strips (controls, space), nor `/`, `?`, `#` or `;` (an
# empty path with parameters), and no scheme can hide in its first segment (no `:` before
# the first `/`, `?` or `#`).
_PLAIN_RELATIVE = re.compile(r"[^\x00-\x20/?#:;][^/?#:]*(?:[/?#]|\Z)")
# Resolved the same from every page of the site: a URL with a host (and maybe a scheme),
# or a path from the host's root. Not `//` alone, whose empty host means the page itself.
_FROM_ANY_PAGE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#\t\r\n]|/(?:[^/\t\r\n]|\Z)")
# Characters `urlsplit` removes wherever they are.
_UNSAFE = str.maketrans("", "", "\t\r\n")


class _Addresses:
    """How URLs under `site_url` map to paths in the site folder.

    Every page links the same navigation, listings and tags, each written relative to the
    page (`../../tags/crm/`): `locate` works each target out once per (folder, href) after
    moving `../` steps from the href into the folder, so all pages share the work.
    """

    def __init__(self, site_url: str) -> None:
        self.url = site_url if site_url.endswith("/") else site_url + "/"
        parts = urlsplit(self.url)
        self.host = parts.netloc.lower()
        self.prefix = unquote(parts.path) or "/"  # e.g. "/docs/" for a site in a sub-folder
        self._targets: dict[tuple[str, str], SiteTarget | None] = {}
        self._by_folder: dict[tuple[str, str], SiteTarget | None] = {}

    def page_url(self, file: str) -> str:
        return urljoin(self.url, quote(_url_path(file)))

    def page_path(self, file: str) -> str:
        return self.prefix + _url_path(file)

    def locate(self, base: str, href: str) -> SiteTarget | None:
        """Where `href` (stripped) on the page at `base` leads; None when it leaves the site."""
        key = self.scope(base, href)
        try:
            return self._targets[key]
        except KeyError:
            pass
        if href[:1] == "#":  # a section of the page itself
            page = self.locate(base, "")
            fragment = unquote(href[1:].translate(_UNSAFE))
            target = None if page is None else page._replace(fragment=fragment)
        else:
            target = self._locate(*key)
        self._targets[key] = target
        return target

    def locator(self, base: str) -> Callable[[str], SiteTarget | None]:
        """`locate` for the links of the page at `base`. An href that starts with neither
        `#` nor `?` (nor a character `urlsplit` strips) resolves from the page's folder
        alone (RFC 3986's merge of paths), so it is first looked up by (folder, href): the
        navigation every page of a folder shares is worked out once."""
        folder = base[: base.rindex("/") + 1]
        by_folder = self._by_folder

        def locate(href: str) -> SiteTarget | None:
            if not href or href[0] in "#?" or href[0] <= " ":
                return self.locate(base, href)
            key = (folder, href)
            try:
                return by_folder[key]
            except KeyError:
                target = by_folder[key] = self.locate(base, href)
                return target

        return locate

    def scope(self, base: str, href: str) -> tuple[str, str]:
        """A (base, href) that `urljoin` resolves to the same URL as these two, shared by
        as many pages as possible. `base` is a page of this site: no query, no fragment."""
        if _FROM_ANY_PAGE.match(href):
            return self.url, href
        if not _PLAIN_RELATIVE.match(href):  # "", "#top", "?q=1", "mailto:…": as they are
            return base, href
        folder = base[: base.rindex("/") + 1]
        while href.startswith("../") and folder.count("/") > 3:  # not at the host's root
            rest = href[3:]
            if rest and rest[0] not in "?#" and not _PLAIN_RELATIVE.match(rest):
                break  # e.g. `..//x` or `../mailto:x`, which `..` does not simply shorten
            folder, href = folder[: folder.rindex("/", 0, -1) + 1], rest
        return folder, href

    def _locate(self, base: str, href: str) -> SiteTarget | None:
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
        return SiteTarget(path, path[len(self.prefix) :], unquote(parts.fragment))


class _Folder:
    """The built site folder: which files exist, and the anchors of the pages in it."""

    def __init__(self, site_dir: Path, pages: Mapping[str, PageFacts]) -> None:
        self.dir = site_dir
        self.pages = pages
        self._files: dict[str, str | None] = {}
        self._existing: dict[str, bool] = {}  # the folder does not change during an audit
        self._anchors: dict[str, frozenset[str]] = {}

    def file(self, relative: str) -> str | None:
        """The existing file a site-relative path reaches, None when there is none."""
        if relative not in self._files:
            self._files[relative] = self._find(relative)
        return self._files[relative]

    def _find(self, relative: str) -> str | None:
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
        if relative not in self._existing:
            self._existing[relative] = (self.dir / relative).is_file()
        return self._existing[relative]

    def anchors(self, file: str) -> frozenset[str]:
        page = self.pages.get(file)
        if page is not None:
            return page.anchors
        if file not in self._anchors:  # not an audited page, e.g. the not-found page
            self._anchors[file] = _anchors(_parse((self.dir / file).read_bytes()))
        return self._anchors[file]


# Checks ---------------------------------------------------------------------------------------


@dataclass
class _Audit:
    rules: AuditRules
    findings: set[Finding] = field(default_factory=set)

    def add(self, page: str, check: str, severity: Severity, message: str, fix: str) -> None:
        self.findings.add(Finding(page, check, severity, message, fix))


def _quote(text: str) -> str:
    """A value short enough to quote in a one-line message; long descriptions are cut."""
    return cut_to_width(text, _QUOTE_WIDTH)


def _width_note(text: str, width: int, unit: str = "characters") -> str:
    if width == len(text):
        return f"{width} {unit} long"
    return f"{width} {unit} wide (Chinese, Japanese and Korean characters count as two)"


def _check_title(audit: _Audit, page: _Page) -> str:
    rules = audit.rules
    element = next((child for child in page.head.iter() if child.tag == "title"), None)
    title = _collapse(element.text(deep=True)) if element is not None else ""
    if not title:
        audit.add(
            page.path,
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
            page.path,
            "title-long",
            "warning",
            f'Title "{_quote(title)}" is {_width_note(title, width)}; search results cut titles '
            f"after about {rules.title_max}.",
            f"Shorten `title:` in the page's front matter to fit {rules.title_max} characters "
            "together with the site name added after it.",
        )
    elif width < rules.title_min:
        audit.add(
            page.path,
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
    description = _meta(page, "name", "description") or ""
    span = f"{rules.description_min}–{rules.description_max} characters"
    if not description:
        audit.add(
            page.path,
            "description-missing",
            "error",
            "The page has no meta description, so search engines pick a snippet themselves.",
            f"Add `description:` to the page's front matter ({span}).",
        )
        return ""
    width = display_width(description)
    if width > rules.description_max:
        audit.add(
            page.path,
            "description-long",
            "warning",
            f'Description "{_quote(description)}" is {_width_note(description, width)}; search '
            f"results cut it after about {rules.description_max}.",
            f"Shorten `description:` in the page's front matter ({span}).",
        )
    elif width < rules.description_min:
        audit.add(
            page.path,
            "description-short",
            "warning",
            f'Description "{_quote(description)}" is {_width_note(description, width)}; too short '
            "to make searchers click.",
            f"Write a fuller `description:` in the page's front matter ({span}).",
        )
    return description


def _check_h1(audit: _Audit, page: _Page) -> None:
    h1s = page.body.css("h1")
    if not h1s:
        audit.add(
            page.path,
            "h1-missing",
            "error",
            "The page has no main heading (H1).",
            "Give the page one main heading: a `# Heading` line at the top of its Markdown.",
        )
    elif len(h1s) > 1:
        texts = ", ".join(f'"{_visible_text(h1)}"' for h1 in h1s)
        audit.add(
            page.path,
            "h1-multiple",
            "error",
            f"The page has {len(h1s)} main headings (H1): {texts}.",
            "Keep one `# Heading` and turn the others into `## Subheadings`.",
        )


def _check_images(audit: _Audit, page: _Page) -> None:
    for image in page.body.css("img"):
        if "alt" not in image.attrs:  # alt="" marks a decorative image on purpose
            src = (image.attrs.get("src") or "").strip()
            audit.add(
                page.path,
                "image-alt-missing",
                "error",
                f'Image "{src}" has no alt text.' if src else "An image has no alt text.",
                "Say what the image shows: `![Pipeline chart](chart.png)` in Markdown or "
                '`alt="..."` on an HTML `<img>`; use `alt=""` only for pure decoration.',
            )


def _check_headings(audit: _Audit, page: _Page) -> None:
    previous: tuple[int, LexborNode] | None = None
    for heading in page.body.css(",".join(_HEADINGS)):  # in the order of the page
        level = int(heading.tag[1])
        if previous is not None and level > previous[0] + 1:
            # The texts only for the message: most pages skip no level.
            text, before = _visible_text(heading), _visible_text(previous[1])
            audit.add(
                page.path,
                "heading-skip",
                "warning",
                f'Heading h{level} "{text}" follows h{previous[0]} "{before}", skipping '
                f"h{previous[0] + 1}.",
                f"Make it a level-{previous[0] + 1} heading (`{'#' * (previous[0] + 1)} ...` "
                "in Markdown) so the outline stays in order.",
            )
        previous = (level, heading)


def _main_text(page: _Page) -> str:
    """The text of the page's article, else its main part, else its body; the page is
    taken apart to find it."""
    for tag in ("article", "main"):
        element = page.body.css_first(tag)
        if element is not None:
            return _take_text(element)
    return _take_text(page.body)


def count_words(text: str) -> float:
    """Words in `text`: Latin words by spaces, each CJK character as half a word."""
    latin_only, cjk = _CJK.subn(" ", text)
    # A token between spaces is a word when it has a word character: one match per such
    # token, from its first word character to its end.
    latin = len(_WORD_TOKEN.findall(latin_only))
    return latin + cjk / 2


def _check_thin(audit: _Audit, page: _Page) -> None:
    if (_meta(page, "property", "og:type") or "").lower() != "article":
        return
    words = count_words(_main_text(page))
    if words < audit.rules.thin_words:
        audit.add(
            page.path,
            "thin-content",
            "warning",
            f"The article has about {int(words)} words; search engines favour pages with at "
            f"least {audit.rules.thin_words}.",
            f"Expand the article with useful detail ({audit.rules.thin_words}+ words), or "
            "merge it into a related one.",
        )


def _check_social_image(
    audit: _Audit, page: _Page, addresses: _Addresses
) -> tuple[str, SiteTarget] | None:
    """Warn when the page has no social image; return it when it points into the site, for
    `_check_social_image_exists` to look for."""
    image = _meta(page, "property", "og:image")
    if not image:
        audit.add(
            page.path,
            "social-image-missing",
            "warning",
            "The page has no social image (og:image) for link previews.",
            "Add `image:` to the page's front matter, or keep social cards enabled so one is "
            "drawn for it.",
        )
        return None
    target = addresses.locate(page.url, image)
    return None if target is None else (image, target)


def _site_links(page: _Page, addresses: _Addresses) -> tuple[tuple[str, SiteTarget], ...]:
    """The page's links that stay on the site, each (href, target) once, in page order."""
    links: dict[tuple[str, SiteTarget], None] = {}
    locate = addresses.locator(page.url)
    for link in page.body.css("a[href]"):
        href = (link.attrs.get("href") or "").strip()
        target = locate(href)
        if target is not None:
            links[(href, target)] = None
    return tuple(links)


class PageAuditor:
    """Reads pages of one site with one set of rules; remembers where links lead, so pages
    read by the same auditor share that work."""

    def __init__(self, site_url: str, rules: AuditRules) -> None:
        self.addresses = _Addresses(site_url)
        self.rules = rules

    def facts(self, file: str, data: bytes) -> PageFacts:
        """The facts of the built page `file` (its path in the site folder), whose bytes are
        `data`."""
        tree = _parse(data)
        head, body = tree.head, tree.body
        assert head is not None and body is not None  # the parser supplies both
        page = _Page(
            file=file,
            url=self.addresses.page_url(file),
            path=self.addresses.page_path(file),
            tree=tree,
            head=head,
            body=body,
            metas=_head_metas(head),
        )
        page.indexable = not _is_noindex(page)
        anchors = _anchors(tree)
        # Every page's links count, noindex or not: a visitor can still follow them.
        links = _site_links(page, self.addresses)
        audit = _Audit(self.rules)
        title = description = ""
        social_image = None
        if page.indexable:
            title = _check_title(audit, page)
            description = _check_description(audit, page)
            _check_h1(audit, page)
            _check_images(audit, page)
            _check_headings(audit, page)
            social_image = _check_social_image(audit, page, self.addresses)
            _check_thin(audit, page)  # last: finding the text takes the page apart
        return PageFacts(
            file=file,
            path=page.path,
            indexable=page.indexable,
            findings=frozenset(audit.findings),
            title=title,
            description=description,
            anchors=anchors,
            links=links,
            social_image=social_image,
        )


def page_facts(data: bytes, file: str, site_url: str, rules: AuditRules) -> PageFacts:
    """What the audit finds on one built page alone, and what the checks across pages need
    of it: a function of its bytes, its path in the site folder, the site's URL and the
    rules only."""
    return PageAuditor(site_url, rules).facts(file, data)


# Checks across pages --------------------------------------------------------------------------


def _check_social_image_exists(audit: _Audit, folder: _Folder, page: PageFacts) -> None:
    if page.social_image is None:
        return
    image, target = page.social_image
    if folder.file(target.relative) is None:
        audit.add(
            page.path,
            "social-image-missing",
            "error",
            f'Social image "{image}" is not in the built site.',
            "Fix `image:` in the page's front matter so it points to an image that is "
            "published with the site.",
        )


def _check_links(audit: _Audit, folder: _Folder, page: PageFacts, prefix: str) -> set[str]:
    """Report broken links and anchors; return the other files this page links to."""
    linked: set[str] = set()
    for href, target in page.links:
        file = folder.file(target.relative)
        if file is None:
            audit.add(
                page.path,
                "broken-link",
                "error",
                f'Link "{href}" leads to {target.path}, which does not exist.',
                "Correct or remove the link; if the page moved, link to its new address.",
            )
            continue
        if file != page.file:
            linked.add(file)
        if (
            target.fragment
            and file.endswith(".html")
            and target.fragment not in folder.anchors(file)
        ):
            where = "this page" if file == page.file else prefix + _url_path(file)
            audit.add(
                page.path,
                "broken-anchor",
                "error",
                f'Link "{href}" leads to section "#{target.fragment}" on {where}, which '
                "has no such heading or anchor.",
                "Link to a heading that exists (its anchor is in the page's table of "
                "contents), or correct the part after `#`.",
            )
    return linked


def _check_duplicates(audit: _Audit, pages: Sequence[PageFacts], what: str) -> None:
    by_value: defaultdict[str, list[PageFacts]] = defaultdict(list)
    for page in pages:
        value = getattr(page, what)
        if page.indexable and value:
            by_value[value].append(page)
    for value, sharing in by_value.items():
        if len(sharing) < 2:
            continue
        for page in sharing:
            others = ", ".join(sorted(p.path for p in sharing if p is not page))
            audit.add(
                page.path,
                f"{what}-duplicate",
                "warning",
                f'{what.capitalize()} "{_quote(value)}" is also used by {others}.',
                f"Give each page its own `{what}:` in its front matter, so search engines "
                "can tell the pages apart.",
            )


def _check_orphans(audit: _Audit, pages: Sequence[PageFacts], linked: set[str]) -> None:
    for page in pages:
        if page.indexable and page.file != "index.html" and page.file not in linked:
            audit.add(
                page.path,
                "orphan",
                "warning",
                "No other page links to this page, so visitors and search engines hardly find it.",
                "Link to it from a related page, a listing or the navigation.",
            )


def check_across_pages(
    site_dir: Path, site_url: str, rules: AuditRules, pages: Sequence[PageFacts]
) -> set[Finding]:
    """The findings of the pages' own checks, and of those that compare pages and look
    for the files links lead to."""
    audit = _Audit(rules)
    folder = _Folder(site_dir, {page.file: page for page in pages})
    prefix = _Addresses(site_url).prefix
    linked: set[str] = set()
    for page in pages:
        audit.findings.update(page.findings)
        linked |= _check_links(audit, folder, page, prefix)
        _check_social_image_exists(audit, folder, page)
    _check_duplicates(audit, pages, "title")
    _check_duplicates(audit, pages, "description")
    _check_orphans(audit, pages, linked)
    return audit.findings


# Facts of many pages: a process pool and a cache ----------------------------------------------


class _Reader:
    """Reads pages from the folder, one at a time, into their cache key and facts."""

    def __init__(self, site_url: str, rules: AuditRules) -> None:
        self.auditor = PageAuditor(site_url, rules)
        self.fingerprint = _fingerprint(site_url, rules)

    def read(self, job: tuple[str, str]) -> tuple[str, PageFacts]:
        """(file in the site folder, its path on disk) -> (key of the bytes read, facts)."""
        file, path = job
        data = Path(path).read_bytes()
        return facts_key(self.fingerprint, file, data), self.auditor.facts(file, data)


_worker: _Reader | None = None


def _init_worker(site_url: str, rules: AuditRules) -> None:
    global _worker
    _worker = _Reader(site_url, rules)


def _read_in_worker(job: tuple[str, str]) -> tuple[str, PageFacts]:
    assert _worker is not None, "_init_worker was not called"
    return _worker.read(job)


def _fingerprint(site_url: str, rules: AuditRules) -> bytes:
    """Everything a page's facts depend on besides the page itself."""
    facts = {
        "version": AUDIT_VERSION,
        "selectolax": selectolax.__version__,  # and the lexbor it is built with
        "site_url": site_url,
        "rules": asdict(rules),
    }
    return json.dumps(facts, sort_keys=True).encode("utf-8")


def facts_key(fingerprint: bytes, file: str, data: bytes) -> str:
    digest = hashlib.sha256(fingerprint)
    digest.update(b"\0" + file.encode("utf-8") + b"\0")
    digest.update(data)
    return digest.hexdigest()


# A page file's identity on disk: (inode, size, modification time), and the key of its
# bytes when it had that identity. A page reused by leadpress/buildcache is the same
# hard-linked file build after build, so its bytes need not be read again to be known.
FileStats = dict[str, tuple[int, int, int, str]]


def _identity(stat: os.stat_result) -> tuple[int, int, int]:
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def load_facts(cache_dir: Path) -> dict[str, PageFacts]:
    """Facts kept by the previous audit; nothing when the file is missing, unreadable or
    from another version (the cache only ever saves time)."""
    stored = load_versioned(cache_dir / CACHE_FILE, AUDIT_VERSION)
    entries = stored.get("entries") if stored is not None else None
    if not isinstance(entries, dict):
        return {}
    return {k: v for k, v in entries.items() if isinstance(v, PageFacts)}


def save_facts(cache_dir: Path, entries: Mapping[str, PageFacts]) -> None:
    """Keep this audit's facts (only these: old entries do not pile up)."""
    dump_atomically(cache_dir / CACHE_FILE, {"format": AUDIT_VERSION, "entries": dict(entries)})


@dataclass
class AuditIndex:
    """What the last audit with the same rules saw: each page file's stats and key, a
    signature of the whole site folder, and the findings it gave."""

    stats: FileStats = field(default_factory=dict)
    signature: str = ""
    findings: list[Finding] = field(default_factory=list)


def load_index(cache_dir: Path, fingerprint: bytes) -> AuditIndex:
    stored = load_versioned(cache_dir / INDEX_FILE, AUDIT_VERSION)
    if stored is None or stored.get("fingerprint") != fingerprint:
        return AuditIndex()
    index = stored.get("index")
    return index if isinstance(index, AuditIndex) else AuditIndex()


def save_index(cache_dir: Path, fingerprint: bytes, index: AuditIndex) -> None:
    dump_atomically(
        cache_dir / INDEX_FILE,
        {"format": AUDIT_VERSION, "fingerprint": fingerprint, "index": index},
    )


@dataclass
class ReadAhead:
    """Facts of some pages read before the audit (by the process that rendered them, while
    this one finishes the build): each file's stats and key, and the facts by key."""

    stats: FileStats = field(default_factory=dict)
    facts: dict[str, PageFacts] = field(default_factory=dict)

    @classmethod
    def joined(cls, parts: Iterable[ReadAhead]) -> ReadAhead | None:
        """What several processes read ahead, as one; None for none."""
        joined = None
        for part in parts:
            joined = joined or cls()
            joined.stats.update(part.stats)
            joined.facts.update(part.facts)
        return joined


def read_ahead(
    site_dir: Path, pages: Iterable[Path], site_url: str, rules: AuditRules
) -> ReadAhead:
    """The facts of `pages`, read one after another in this process (as an iterator gives
    them: it may stop early). A page changed on disk by the time of the audit has other
    stats, and is read again then."""
    site_url = site_url if site_url.endswith("/") else site_url + "/"
    reader = _Reader(site_url, rules)
    ahead = ReadAhead()
    for path in pages:
        file = path.relative_to(site_dir).as_posix()
        identity = _identity(os.stat(path))
        key, facts = reader.read((file, str(path)))
        if _identity(os.stat(path)) != identity:
            continue  # written again while it was read
        ahead.stats[file] = (*identity, key)
        ahead.facts[key] = facts
    return ahead


def _page_keys(
    site_dir: Path,
    pages: Sequence[Path],
    fingerprint: bytes,
    stats: FileStats,
    hash_unknown: bool = True,
) -> tuple[list[str], FileStats]:
    """Each page's key, from `stats` (of the last audit, or of pages read ahead) for a file
    that has not changed on disk since, else from its bytes ("" without `hash_unknown`: the
    pool hashes what it reads); and the stats of this audit."""
    keys: list[str] = []
    seen: FileStats = {}
    for path in pages:
        file = path.relative_to(site_dir).as_posix()
        identity = _identity(os.stat(path))
        known = stats.get(file)
        if known is not None and known[:3] == identity:
            key = known[3]  # the very file audited last time, or read ahead
        elif hash_unknown:
            key = facts_key(fingerprint, file, path.read_bytes())
        else:
            keys.append("")
            continue
        seen[file] = (*identity, key)
        keys.append(key)
    return keys, seen


def _signature(site_dir: Path, keys: Sequence[str], listing: Sequence[str]) -> str:
    """The cross-page checks look at the pages' facts (their keys), at which files exist
    (links and images), and at the anchors of HTML files that are not audited pages."""
    digest = hashlib.sha256()
    for value in (*keys, "\0", *listing):
        digest.update(value.encode("utf-8") + b"\0")
    for file in listing:
        if posixpath.basename(file) == NOT_FOUND_PAGE:
            digest.update((site_dir / file).read_bytes())
    return digest.hexdigest()


def site_facts(
    site_dir: Path,
    site_url: str,
    rules: AuditRules,
    cache_dir: Path | None = None,
    keys: Sequence[str] | None = None,
    pages: Sequence[Path] | None = None,
) -> list[PageFacts]:
    """The facts of every page `page_files` lists, in its order: from the cache in
    `cache_dir` when a page is unchanged, else read in a process pool. Pages are held in
    memory one at a time, here and in each worker, however large the site. `keys` are the
    pages' keys and `pages` the page files when the caller has them (`_page_keys`)."""
    return _read_site(site_dir, site_url, rules, cache_dir, keys, pages)[1]


def _read_site(
    site_dir: Path,
    site_url: str,
    rules: AuditRules,
    cache_dir: Path | None,
    keys: Sequence[str] | None,
    pages: Sequence[Path] | None,
    ahead: ReadAhead | None = None,
) -> tuple[list[str], list[PageFacts]]:
    """`site_facts`, and the key of each page's bytes."""
    fingerprint = _fingerprint(site_url, rules)
    cached = load_facts(cache_dir) if cache_dir is not None else {}
    stored = {**cached, **ahead.facts} if ahead is not None else cached
    pages = page_files(site_dir) if pages is None else pages
    if keys is None and cached:
        keys = _page_keys(site_dir, pages, fingerprint, ahead.stats if ahead else {})[0]
    elif keys is None and ahead is not None:
        keys = _page_keys(site_dir, pages, fingerprint, ahead.stats, hash_unknown=False)[0]
    # With nothing stored, every page is read, and the reader hashes the bytes it reads.
    keys = [""] * len(pages) if keys is None else list(keys)
    jobs: list[tuple[str, str]] = []
    positions: list[int] = []
    for position, (path, key) in enumerate(zip(pages, keys, strict=True)):
        if key not in stored:
            jobs.append((path.relative_to(site_dir).as_posix(), str(path)))
            positions.append(position)
    if use_pool(len(jobs)):
        with process_pool(_init_worker, (site_url, rules)) as pool:
            chunk = max(1, len(jobs) // (worker_count() * 4))
            read = list(pool.map(_read_in_worker, jobs, chunksize=chunk))
    else:
        reader = _Reader(site_url, rules)
        read = [reader.read(job) for job in jobs]
    found = {key: stored[key] for key in keys if key in stored}
    for position, (key, facts) in zip(positions, read, strict=True):
        keys[position] = key  # the bytes the facts come from, should the page have changed
        found[key] = facts
    if cache_dir is not None and (jobs or cached.keys() != set(keys)):  # read here or ahead
        save_facts(cache_dir, {key: found[key] for key in keys})
    return keys, [found[key] for key in keys]


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


def audit_site(
    site_dir: Path,
    site_url: str,
    rules: AuditRules = AuditRules(),
    cache_dir: Path | None = None,
    listing: Sequence[str] | None = None,
    ahead: ReadAhead | None = None,
) -> list[Finding]:
    """Check every built page under `site_dir`, published at `site_url`; with `cache_dir`,
    the facts of pages unchanged since the last audit there are not read again, nor those
    of pages read `ahead` unchanged since. `listing` (from `site_listing`) saves walking the
    folder again."""
    site_url = site_url if site_url.endswith("/") else site_url + "/"
    if cache_dir is None:
        pages = site_facts(site_dir, site_url, rules)
        return sort_findings(check_across_pages(site_dir, site_url, rules, pages))
    # A site whose every page file and every other file is as the last audit saw it has
    # that audit's findings: the facts of thousands of pages need not even be loaded.
    fingerprint = _fingerprint(site_url, rules)
    index = load_index(cache_dir, fingerprint)
    listing = site_listing(site_dir) if listing is None else listing
    files = page_files(site_dir, listing)
    if index.signature:
        keys, stats = _page_keys(site_dir, files, fingerprint, index.stats)
        signature = _signature(site_dir, keys, listing)
        if signature == index.signature:
            return list(index.findings)
        keys, pages = _read_site(site_dir, site_url, rules, cache_dir, keys, files, ahead)
    else:  # no audit to compare with (a first build): pages are hashed as they are read
        identities = [_identity(os.stat(path)) for path in files]
        keys, pages = _read_site(site_dir, site_url, rules, cache_dir, None, files, ahead)
        stats = {
            path.relative_to(site_dir).as_posix(): (*identity, key)
            for path, identity, key in zip(files, identities, keys, strict=True)
        }
        signature = _signature(site_dir, keys, listing)
    findings = sort_findings(check_across_pages(site_dir, site_url, rules, pages))
    save_index(cache_dir, fingerprint, AuditIndex(stats, signature, findings))
    return findings


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
