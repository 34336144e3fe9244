"""leadpress/publish: minified pages that mean the same, fingerprinted assets whose every
reference resolves, byte-reproducible output, pre-compressed copies, `_headers` with a hash
for each inline script, one `_redirects`, and the demo in Chromium under its own CSP."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import mimetypes
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import ClassVar
from urllib.parse import unquote, urlsplit

import brotli
import pytest
from lxml import html as lxml_html

from conftest import (
    CHROMIUM,
    E2E,
    MINIMAL_CONFIG,
    copy_demo,
    free_port,
    lead_service,
    run_leadpress,
    tree_digest,
)
from leadpress.deploy import headers_for
from leadpress.publish import fingerprinted_name, is_fingerprinted
from leadpress.publish.fingerprint import fingerprint_site
from leadpress.publish.headers import IMMUTABLE, cache_rules
from leadpress.publish.minify import minify_page
from leadpress.publish.redirects import redirects_text
from test_e2e_forms import VALUES

SITE_URL = "https://www.tallyfold.example/"
OWN_REDIRECT = "/old-pricing /pricing/ 301"
OWN_HEADER = ("/downloads/*", "X-Robots-Tag: noindex")
URL_ATTRIBUTES = ("href", "src", "srcset", "action", "poster")
# Elements whose start and end separate words on screen; everything else is inline.
# fmt: off
INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark",
    "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "img",
    "input", "label", "button", "select", "svg", "path", "use", "wbr",
})
# fmt: on


def _configure(root: Path, options: str = "", site_url: str | None = None) -> None:
    """Give the demo copy's leadpress/publish these options (YAML lines under it)."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    entry = "  - leadpress/publish" + (":\n" + options if options else "")
    text, count = re.subn(r"^  - leadpress/publish\b.*$", entry.rstrip("\n"), text, flags=re.M)
    assert count == 1
    if site_url:
        text = text.replace(SITE_URL, site_url, 1)
    config.write_text(text, encoding="utf-8")


def _build(root: Path, *args: str) -> Path:
    result = run_leadpress("build", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "site"


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with every publishing step off: the reference the others are compared to."""
    root = copy_demo(tmp_path_factory.mktemp("plain"))
    _configure(root, "      minify: false\n      fingerprint: false\n      headers: false\n")
    return _build(root)


@pytest.fixture(scope="module")
def minified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("minified"))
    _configure(root, "      fingerprint: false\n      headers: false\n")
    return _build(root)


def _published_build(root: Path) -> Path:
    (root / "content/_redirects").write_text(OWN_REDIRECT + "\n", encoding="utf-8")
    own_headers = f"{OWN_HEADER[0]}\n  {OWN_HEADER[1]}\n"
    (root / "content/_headers").write_text(own_headers, encoding="utf-8")
    return _build(root, "--precompress", "--strict")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo as published: every step on, pre-compressed, with the site's own
    content/_redirects and content/_headers."""
    return _published_build(copy_demo(tmp_path_factory.mktemp("published")))


def _pages(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(site.rglob("*.html"))
    }


def _words(element: lxml_html.HtmlElement) -> list[str]:
    """The words a reader sees, with block boundaries as word breaks."""
    parts: list[str] = []

    def walk(node: lxml_html.HtmlElement) -> None:
        if not isinstance(node.tag, str):  # a comment: nothing shown, but its tail is
            return
        block = node.tag not in INLINE
        parts.append(" " if block else "")
        if node.tag not in ("script", "style", "template"):
            parts.append(node.text or "")
            for child in node:
                walk(child)
                parts.append(child.tail or "")
        parts.append(" " if block else "")

    walk(element)
    return "".join(parts).split()


def _meaning(text: str) -> dict[str, object]:
    tree = lxml_html.document_fromstring(text)
    links, elements = [], []
    for element in tree.iter():
        if isinstance(element.tag, str):
            for name in URL_ATTRIBUTES:
                value = element.get(name)
                if value is not None:
                    links.append((element.tag, name, " ".join(value.split())))
            # Every attribute, which selectors may match (inline CSS is minified: only kept).
            attributes = {
                name: "" if name == "style" else " ".join(value.split())
                for name, value in element.attrib.items()
            }
            elements.append((element.tag, attributes))
    return {
        "words": _words(tree),
        "links": links,
        "elements": elements,
        "json_ld": [
            json.loads(s.text)
            for s in tree.iter("script")
            if s.get("type") == "application/ld+json"
        ],
        "verbatim": [e.text_content() for e in tree.iter("pre", "textarea", "code")],
        "meta": sorted(
            (m.get("name") or m.get("property") or m.get("http-equiv") or "", m.get("content"))
            for m in tree.iter("meta")
        ),
        "title": tree.findtext(".//title"),
        "lang": tree.get("lang"),
    }


def test_minified_pages_are_smaller_and_mean_the_same(plain: Path, minified: Path) -> None:
    before, after = _pages(plain), _pages(minified)
    assert set(before) == set(after) and len(before) > 50
    for path, text in before.items():
        assert _meaning(after[path]) == _meaning(text), path
        assert len(after[path]) <= len(text), path
    total_before = sum(len(t.encode()) for t in before.values())
    total_after = sum(len(t.encode()) for t in after.values())
    assert total_after < 0.9 * total_before
    # the site has code, forms and JSON-LD to keep, so the comparison above tested them
    samples = [_meaning(t) for t in before.values()]
    assert any(m["verbatim"] for m in samples) and any(m["json_ld"] for m in samples)


def test_stylesheets_and_scripts_of_the_site_are_minified(plain: Path, minified: Path) -> None:
    for name in ("assets/leadpress/leadpress.css", "assets/leadpress/forms.js"):
        original, smaller = (plain / name).read_text(), (minified / name).read_text()
        assert len(smaller) < 0.9 * len(original), name
        assert "/*" not in smaller
    # the theme's bundles are already minified and named by hash: left byte for byte
    for path in (plain / "assets/javascripts").rglob("*.js"):
        relative = path.relative_to(plain)
        assert (minified / relative).read_bytes() == path.read_bytes(), relative


def test_minifying_keeps_whitespace_where_it_shows_and_data_blocks_as_written() -> None:
    page = (
        "<!doctype html><html><head><title>T</title>"
        '<script type="application/ld+json">{"name":  "a  </b>"}</script></head><body>'
        "<p>Run   <code>make   all</code>  now</p><pre>  two\n    lines  </pre>"
        "<textarea name=m>  keep\n me </textarea></body></html>"
    )
    smaller = minify_page(page)
    assert '{"name":  "a  </b>"}' in smaller
    assert "<code>make   all</code>" in smaller
    assert "<pre>  two\n    lines  </pre>" in smaller
    assert ">  keep\n me </textarea>" in smaller
    assert "Run <code>" in smaller  # ordinary text is collapsed


def test_minifying_keeps_attributes_that_selectors_match() -> None:
    page = (
        '<!doctype html><html><head><title>T</title></head><body><form method="get">'
        '<input type="text" name="q"><button type="submit" class="go">Go</button></form>'
        '<a href="/x?a=1&amp;b=2" target="_self">x</a></body></html>'
    )
    tree = lxml_html.document_fromstring(minify_page(page))
    assert tree.xpath("//form[@method='get']/button[@type='submit']")
    assert tree.xpath("//input[@type='text']") and tree.xpath("//a[@target='_self']")
    assert tree.xpath("//a/@href") == ["/x?a=1&b=2"]


def _resolve(site: Path, page: str, url: str) -> Path | None:
    """The file a relative or root-relative URL of a page points to; None for other sites."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    target = site / path.lstrip("/") if path.startswith("/") else (site / page).parent / path
    return target / "index.html" if path.endswith("/") or target.is_dir() else target


def _references(text: str) -> list[str]:
    tree = lxml_html.document_fromstring(text)
    urls = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ("href", "src", "poster"):
            if element.get(name):
                urls.append(element.get(name))
        if element.get("srcset"):
            urls += [c.split()[0] for c in element.get("srcset").split(",") if c.strip()]
        urls += re.findall(r"url\(['\"]?([^'\")]+)", element.get("style") or "")
        if element.tag == "style":
            urls += re.findall(r"url\(['\"]?([^'\")]+)", element.text or "")
    return urls


def test_every_reference_of_every_page_resolves(published: Path) -> None:
    missing = []
    checked = 0
    for page, text in _pages(published).items():
        for url in _references(text):
            target = _resolve(published, page, url)
            if target is not None:
                checked += 1
                if not target.is_file():
                    missing.append(f"{page}: {url}")
    for sheet in published.rglob("*.css"):
        for url in re.findall(r"url\(['\"]?([^'\")]+)", sheet.read_text(encoding="utf-8")):
            target = _resolve(published, sheet.relative_to(published).as_posix(), url)
            if target is not None and not url.startswith("data:") and not target.is_file():
                missing.append(f"{sheet.name}: {url}")
    assert missing == []
    assert checked > 1000


def test_the_sites_own_assets_are_named_by_their_content(published: Path) -> None:
    home = (published / "index.html").read_text(encoding="utf-8")
    own = [
        url
        for url in _references(home)
        if re.search(r"assets/(leadpress|brand)/[^/]+\.(css|js)$", url)
    ]
    assert len(own) >= 3, own
    for url in own:
        path = published / url
        assert is_fingerprinted(path.name), url
        digest = re.search(r"\.([0-9a-f]{8,})\.[a-z]+$", path.name).group(1)
        assert hashlib.sha256(path.read_bytes()).hexdigest().startswith(digest), url
        assert not (published / re.sub(r"\.[0-9a-f]{8,}(\.[a-z]+)$", r"\1", url)).exists()


def test_files_named_by_absolute_url_keep_their_names(published: Path) -> None:
    """Social cards, the JSON-LD logo and feed images are fetched by their absolute URL."""
    absolute = set()
    for path in [*published.rglob("*.html"), *published.rglob("*.xml")]:
        text = path.read_text(encoding="utf-8")
        absolute |= set(re.findall(re.escape(SITE_URL) + r"(assets/[^\"'<>\s?#]+)", text))
    assert any(a.startswith("assets/cards/") for a in absolute)
    assert "assets/brand/logo.svg" in absolute  # the Organization logo
    for path in absolute:
        assert (published / unquote(path)).is_file(), path


def test_two_builds_of_the_same_sources_are_identical(published: Path, tmp_path: Path) -> None:
    again = _published_build(copy_demo(tmp_path / "again"))
    first, second = tree_digest(published), tree_digest(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_precompressed_copies_decompress_to_the_original(published: Path) -> None:
    copies = sorted([*published.rglob("*.gz"), *published.rglob("*.br")])
    assert any(c.name == "index.html.gz" for c in copies)
    assert any(c.name.endswith(".css.br") for c in copies)
    for copy in copies:
        original = copy.with_suffix("")
        data = copy.read_bytes()
        unpacked = gzip.decompress(data) if copy.suffix == ".gz" else brotli.decompress(data)
        assert unpacked == original.read_bytes(), copy
        if copy.suffix == ".gz":
            assert data[4:8] == b"\0\0\0\0"  # no time stamp: reproducible
    small = [p for p in published.rglob("*.txt") if p.stat().st_size < 1024]
    assert small and not [p for p in small if p.with_name(p.name + ".gz").exists()]
    assert not (published / "_headers.gz").exists()


def parse_headers(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Netlify / Cloudflare Pages `_headers`: a path line, then indented `Name: value` lines."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            assert line.startswith("/"), f"line {number}: a rule starts with a path: {line!r}"
            rules.append((line.strip(), []))
            continue
        name, colon, value = line.strip().partition(":")
        assert rules and colon and name and value.strip(), f"line {number}: {line!r}"
        assert len(line) <= 2000, f"line {number} is longer than Cloudflare reads"
        rules[-1][1].append((name.strip(), value.strip()))
    return rules


def _matches(pattern: str, path: str) -> bool:
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


def headers_for_path(rules: list[tuple[str, list[tuple[str, str]]]], path: str) -> dict:
    """All matching rules' headers; a header set twice is joined with commas (as Cloudflare
    Pages does), so a conflict shows."""
    merged: dict[str, list[str]] = {}
    for pattern, headers in rules:
        if _matches(pattern, path):
            for name, value in headers:
                merged.setdefault(name, []).append(value)
    return {name: ", ".join(values) for name, values in merged.items()}


def _csp(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _inline_scripts(text: str) -> list[str]:
    tree = lxml_html.document_fromstring(text)
    return [
        s.text or ""
        for s in tree.iter("script")
        if not s.get("src") and s.get("type") in (None, "", "text/javascript", "module")
    ]


def test_headers_hash_every_inline_script_and_set_the_security_headers(published: Path) -> None:
    rules = parse_headers((published / "_headers").read_text(encoding="utf-8"))
    assert rules[0] == (OWN_HEADER[0], [tuple(OWN_HEADER[1].split(": "))])  # the site's own
    home = headers_for_path(rules, "/")
    policy = _csp(home["Content-Security-Policy"])
    hashes = set(policy["script-src"])
    scripts = 0
    for page, text in _pages(published).items():
        for body in _inline_scripts(text):
            scripts += 1
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in hashes, page
    assert scripts > 100
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in hashes and "'unsafe-eval'" not in hashes
    assert policy["connect-src"] == ["'self'", "http://127.0.0.1:8787"]  # the demo's service
    assert policy["form-action"] == ["'self'", "http://127.0.0.1:8787"]
    assert policy["img-src"][:2] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert home["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert home["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert home["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in home["Permissions-Policy"]


def test_every_file_gets_one_cache_control_the_same_as_deploy_gives_it(published: Path) -> None:
    rules = parse_headers((published / "_headers").read_text(encoding="utf-8"))
    immutable = 0
    for file in sorted(published.rglob("*")):
        key = file.relative_to(published).as_posix()
        if not file.is_file() or key in ("_headers", "_redirects"):
            continue
        value = headers_for_path(rules, "/" + key).get("Cache-Control")
        assert value is not None and value.count("max-age") == 1, (key, value)
        if is_fingerprinted(key):
            immutable += 1
            assert value == IMMUTABLE == headers_for(key).cache_control, key
        else:
            assert "max-age=0" in value, key
    for page in ("/", "/articles/", "/feed.xml", "/articles/feed.xml"):
        assert "max-age=0" in headers_for_path(rules, page)["Cache-Control"], page
    assert immutable > 10


def test_one_redirects_file_with_the_sites_own_rules_first(published: Path) -> None:
    lines = (published / "_redirects").read_text(encoding="utf-8").splitlines()
    assert lines[0] == OWN_REDIRECT
    short = [line for line in lines if line.startswith("/go/")]
    assert len(short) == len(lines) - 1 == 22  # 11 short links, with and without a slash
    assert short == sorted(short, key=lambda line: line.split()[0].rstrip("/"))


def test_redirect_rules_are_assembled_in_a_stable_order() -> None:
    contributed = {"leadpress/zeta": ["/z /y/ 302"], "leadpress/campaigns": ["/go/a /x/ 302"]}
    text = redirects_text("/own /elsewhere/ 301\n\n", contributed)
    assert text == "/own /elsewhere/ 301\n/go/a /x/ 302\n/z /y/ 302\n"
    assert redirects_text(None, dict(reversed(contributed.items()))) == text.split("\n", 1)[1]
    assert redirects_text(None, {}) == ""


def test_a_fingerprinted_name_is_what_deploy_caches_for_a_year() -> None:
    for index in range(3000):
        name = fingerprinted_name("assets/x/style.css", f"body{{order:{index}}}".encode())
        assert is_fingerprinted(name), name
        assert headers_for(name).cache_control == IMMUTABLE
    assert not is_fingerprinted("assets/brand/logo.svg")
    assert headers_for("assets/brand/logo.svg").cache_control != IMMUTABLE


def test_fingerprinting_rewrites_every_kind_of_reference(tmp_path: Path) -> None:
    site = tmp_path / "site"
    files = {
        "assets/img/hero.png": b"\x89PNG hero",
        "assets/img/hero-2x.png": b"\x89PNG hero 2x",
        "assets/img/bg.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "assets/img/unused.png": b"\x89PNG nobody links me",
        "assets/img/card.png": b"\x89PNG shared on social networks",
        "assets/css/base.css": b"body{background:url(../img/bg.svg)}",
        "assets/css/site.css": b'@import "base.css";.hero{background:url("../img/hero.png")}',
        "assets/app.webmanifest": b'{"icons": [{"src": "img/hero.png", "sizes": "1x1"}]}',
        "docs/page/index.html": (
            b'<html><head><link rel="stylesheet" href="../../assets/css/site.css?v=1">'
            b'<meta property="og:image" content="https://example.com/assets/img/card.png">'
            b"<style>.a{background:url(/assets/img/bg.svg)}</style></head><body>"
            b'<img src="/assets/img/hero.png" srcset="../../assets/img/hero.png 1x, '
            b'../../assets/img/hero-2x.png 2x" alt="">'
            b"<div style=\"background: url('../../assets/img/bg.svg')\"></div>"
            b'<a href="../../assets/img/card.png">card</a>'
            b'<pre>&lt;img src="/assets/img/hero.png"&gt;</pre>'
            b'<script>var s = "/assets/img/hero.png";</script></body></html>'
        ),
    }
    for name, data in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
    result = fingerprint_site(site, "https://example.com/")
    renamed = result.renamed
    assert set(renamed) == {
        "assets/img/hero.png",
        "assets/img/hero-2x.png",
        "assets/img/bg.svg",
        "assets/css/base.css",
        "assets/css/site.css",
    }
    assert result.public == ["assets/img/card.png"]  # named by an absolute URL: kept
    assert (site / "assets/img/unused.png").is_file()
    # a stylesheet's name follows its final bytes, which name the renamed files it uses
    site_css = (site / renamed["assets/css/site.css"]).read_bytes()
    assert renamed["assets/css/site.css"] == fingerprinted_name("assets/css/site.css", site_css)
    assert Path(renamed["assets/css/base.css"]).name.encode() in site_css
    base_css = (site / renamed["assets/css/base.css"]).read_text()
    assert Path(renamed["assets/img/bg.svg"]).name in base_css

    from leadpress.publish.fingerprint import rewriter
    from leadpress.publish.references import rewrite_html

    page = (site / "docs/page/index.html").read_text()
    new = rewrite_html(page, rewriter(renamed, "docs/page/index.html", "/"))
    hero, hero2x, bg = (
        Path(renamed[f"assets/img/{n}"]).name for n in ("hero.png", "hero-2x.png", "bg.svg")
    )
    assert f'href="../../assets/css/{Path(renamed["assets/css/site.css"]).name}?v=1"' in new
    assert f'src="/assets/img/{hero}"' in new
    assert f"../../assets/img/{hero} 1x, ../../assets/img/{hero2x} 2x" in new
    assert f"url(/assets/img/{bg})" in new and f"url('../../assets/img/{bg}')" in new
    # text that only shows or holds a URL is not a reference: left as written
    assert '<pre>&lt;img src="/assets/img/hero.png"&gt;</pre>' in new
    assert 'var s = "/assets/img/hero.png";' in new


def test_cache_rules_never_overlap() -> None:
    files = [
        "index.html",
        "feed.xml",
        "articles/index.html",
        "articles/a/index.html",
        "assets/app.1a2b3c4d.css",
        "assets/logo.svg",
        "assets/js/app.9f8e7d6c.js",
        "assets/js/app.9f8e7d6c.js.gz",
    ]
    rules = cache_rules(files)
    as_headers = [(pattern, [("Cache-Control", value)]) for pattern, value in rules]
    for file in files:
        value = headers_for_path(as_headers, "/" + file)["Cache-Control"]
        assert value == (
            IMMUTABLE if is_fingerprinted(file) else "public, max-age=0, must-revalidate"
        )
    assert ("/assets/js/*", IMMUTABLE) in rules
    assert len(rules) < len(files) + 2


PUBLISH_SITE = MINIMAL_CONFIG + "  - leadpress/publish:\n      csp_extra: {frame_src: [x]}\n"


def test_a_bad_csp_option_is_a_clear_error_and_site_is_unchanged(make_site) -> None:
    root = make_site({}, config=PUBLISH_SITE)
    (root / "site").mkdir()
    (root / "site/old.txt").write_text("previous build")
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 1
    assert "csp_extra: 'frame_src' is not a CSP directive" in result.stderr
    assert "frame-src" in result.stderr  # the fix
    assert tree_digest(root / "site") == {"old.txt": b"previous build"}


# ---- in Chromium, served with the _headers rules applied ---------------------------------


class _HeadersHandler(SimpleHTTPRequestHandler):
    rules: ClassVar[list] = []

    def end_headers(self) -> None:
        for name, value in headers_for_path(self.rules, urlsplit(self.path).path).items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _find_pages(site: Path) -> dict[str, str]:
    """Pages by what they are, found by their content rather than their paths."""
    found: dict[str, str] = {}
    for page, text in _pages(site).items():
        url = page.removesuffix("index.html")
        tree = lxml_html.document_fromstring(text)
        types = [
            json.loads(s.text).get("@type")
            for s in tree.iter("script")
            if s.get("type") == "application/ld+json"
        ]
        if "BlogPosting" in types:
            found.setdefault("article", url)
        if "Event" in types:
            found.setdefault("webinar", url)
        if tree.find_class("lp-landing") and not url.startswith("go/"):
            found.setdefault("landing", url)
        forms = tree.xpath("//form[@data-leadpress-form='demo-request']")
        if forms and not tree.find_class("lp-landing"):
            found.setdefault("form", url)
    assert set(found) == {"article", "webinar", "landing", "form"}, found
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, playwright_ready: Path) -> Iterator[dict]:
    """The demo published for loopback addresses, served with its _headers, and the lead
    service beside it."""
    root = copy_demo(tmp_path_factory.mktemp("csp"))
    site_port, service_port = free_port(), free_port()
    site_url = f"http://127.0.0.1:{site_port}/"
    _configure(root, site_url=site_url)
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("http://127.0.0.1:8787/", f"http://127.0.0.1:{service_port}/")
    )
    site = _build(root)
    mimetypes.add_type("application/manifest+json", ".webmanifest")
    handler = type("Handler", (_HeadersHandler,), {})
    handler.rules = parse_headers((site / "_headers").read_text(encoding="utf-8"))
    server = ThreadingHTTPServer(("127.0.0.1", site_port), partial(handler, directory=str(site)))
    Thread(target=server.serve_forever, daemon=True).start()
    database = root / "leads.db"
    try:
        with lead_service(site / "forms.json", database, service_port, root):
            yield {"site": site_url, "root": site, "database": database, "pages": _find_pages(site)}
    finally:
        server.shutdown()


def _node(script: str, plan: dict) -> dict:
    result = subprocess.run(
        ["node", str(E2E / script), json.dumps(plan)], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "error" not in report, report
    return report


def test_pages_run_under_their_csp_without_a_violation(served: dict) -> None:
    pages = served["pages"]
    urls = [served["site"] + path for path in ("", pages["article"], pages["webinar"])]
    urls += [served["site"] + pages["landing"], served["site"] + pages["form"]]
    report = _node("csp_check.mjs", {"chromium": CHROMIUM, "urls": urls, "search_query": "renewal"})
    for url in urls:
        seen = report["pages"][url]
        assert seen["csp_header"] and "script-src 'self' 'sha256-" in seen["csp_header"], url
        assert seen["violations"] == [], (url, seen["violations"])
        assert seen["errors"] == [], (url, seen["errors"])
    assert report["pages"][urls[0]]["search_results"] > 0  # site search ran


def test_the_form_still_posts_to_the_lead_service_under_the_csp(served: dict) -> None:
    pages = served["pages"]
    plan = {
        "chromium": CHROMIUM,
        "site": served["site"],
        "arrival": pages["landing"] + "?utm_source=newsletter&utm_medium=email&ref=cspok1",
        "reading": pages["article"],
        "form_page": pages["form"],
        "form": "demo-request",
        "javascript": True,
        "values": VALUES,
        "min_fill_ms": 2600,
        "expect_thank_you_page": None,
        "fail_first_send": False,
    }
    report = _node("form_journey.mjs", plan)
    assert not [step for step in report["steps"] if "Content Security Policy" in step]
    assert "A consultant will write within one working day" in report["status"]
    with sqlite3.connect(served["database"]) as connection:
        rows = connection.execute("SELECT attribution FROM leads").fetchall()
    assert len(rows) == 1
    assert json.loads(rows[0][0])["first_ref"] == "cspok1"


def test_a_site_published_under_a_path_rewrites_its_root_relative_urls(tmp_path: Path) -> None:
    from leadpress.publish.fingerprint import rewriter
    from leadpress.publish.references import rewrite_html

    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "assets/app.js").write_text("run()")
    page = '<script src="/docs/assets/app.js"></script><a href="/elsewhere/app.js">x</a>'
    (site / "index.html").write_text(page)
    renamed = fingerprint_site(site, "https://example.com/docs/").renamed
    new = rewrite_html(page, rewriter(renamed, "index.html", "/docs/"))
    name = Path(renamed["assets/app.js"]).name
    assert new == f'<script src="/docs/assets/{name}"></script><a href="/elsewhere/app.js">x</a>'


def test_the_web_app_manifest_names_the_fingerprinted_icons(tmp_path: Path) -> None:
    from leadpress.publish.site import PublishSettings, publish_site

    site = tmp_path / "site"
    (site / "assets/icons").mkdir(parents=True)
    (site / "assets/icons/icon-192.png").write_bytes(b"\x89PNG icon")
    manifest = {"name": "T", "icons": [{"src": "assets/icons/icon-192.png", "sizes": "192x192"}]}
    (site / "site.webmanifest").write_text(json.dumps(manifest))
    (site / "index.html").write_text(
        '<!doctype html><html><head><title>T</title><link rel="manifest" href="site.webmanifest">'
        '<link rel="icon" href="assets/icons/icon-192.png"></head><body></body></html>'
    )
    publish_site(site, PublishSettings(site_url="https://example.com/", headers=False))
    icon = json.loads((site / "site.webmanifest").read_text())["icons"][0]["src"]
    assert is_fingerprinted(icon) and (site / icon).is_file()
    page = lxml_html.parse(str(site / "index.html")).getroot()
    assert page.xpath("//link[@rel='icon']/@href") == [icon]
