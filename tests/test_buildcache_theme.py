"""The theme's work done faster, never differently: its navigation, tabs and search box are
rendered once for the pages that share them, and its search index reads pages with a
faster tokenizer. Every page and the search index come out byte for byte as the theme
makes them alone, whatever the nav's shape, the page's folder or its language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from material.plugins.search.plugin import Parser

from conftest import SHARED, front, run_leadpress, tree_digest
from leadpress.buildcache.theme_search import _SectionParser, html_events

CONFIG = """\
site_name: Partials test
site_url: https://www.example.com/
docs_dir: content
use_directory_urls: {directory_urls}
theme:
  name: material
  language: en
  logo: assets/logo.svg
  features: [navigation.tabs, navigation.indexes, navigation.top]
nav:
  - Home: index.md
  - Articles:
      - articles/index.md
      - Pinned: articles/a-03.md
  - Guides:
      - Install: guides/setup/install.md
      - Status page: https://status.example.com/
  - About: about.md
plugins:
  - search
  - leadpress/content:
      timezone: UTC
      languages: [en, zh]
  - leadpress/seo:
      cards: {{enabled: false}}
{extra}
markdown_extensions:
  - toc:
      permalink: true
"""

PAGES = {
    "index.md": ("Home", "Welcome."),
    # Material's search plugin takes `data-search-*` attributes out of the pages it indexes.
    "about.md": ("About us", 'Who we are.\n\n<div data-search-exclude="yes">Internal note.</div>'),
    "guides/setup/install.md": ("Install", "Install it."),
    # Its folder holds a page of the nav: its links to that page differ from its neighbours'.
    "guides/setup.md": ("Setup overview", "Read [the install guide](setup/install.md)."),
    "guides/other.md": ("Another guide", "More."),
    "guides/more.md": ("A third guide", "Even more."),
}


def _write_site(root: Path, *, cached: bool, directory_urls: bool) -> Path:
    extra = "  - leadpress/buildcache" if cached else ""
    config = CONFIG.format(extra=extra, directory_urls=str(directory_urls).lower())
    root.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    content = root / "content"
    (content / "en" / "assets").mkdir(parents=True)
    (content / "en" / "assets" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    for lang in ("en", "zh"):
        for path, (title, body) in PAGES.items():
            _write(content / lang / path, front(title=f"{title} {lang}") + f"\n{body}\n")
        for number in range(6):
            title = f"线索评分 第{number}期" if lang == "zh" else f"Lead scoring, part {number}"
            page = front(title=title, date=f"2026-03-{number + 1:02d}", tags="[scoring]")
            _write(content / lang / "articles" / f"a-{number:02d}.md", page + "\nText.\n")
    return root


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("directory_urls", [True, False])
def test_pages_sharing_the_theme_partials_are_the_pages_the_theme_renders(
    tmp_path: Path, directory_urls: bool
) -> None:
    reference = _write_site(tmp_path / "alone", cached=False, directory_urls=directory_urls)
    site = _write_site(tmp_path / "shared", cached=True, directory_urls=directory_urls)
    for root in (reference, site):
        result = run_leadpress("build", "--verbose", cwd=root, env={"LEADPRESS_JOBS": "1"})
        assert result.returncode == 0, result.stderr
    found = re.search(r"search box: (\d+) rendered, (\d+) reused", result.stderr)
    assert found is not None, result.stderr
    assert int(found[2]) > int(found[1])  # most pages shared them
    assert "translations imported once for en, zh" in result.stderr
    assert "data-search attributes looked for only where present" in result.stderr
    found = re.search(r"(\d+) pages read by the fast tokenizer, (\d+) by", result.stderr)
    assert found is not None, result.stderr
    assert int(found[1]) > 0 and int(found[2]) == 0

    expected, actual = tree_digest(reference / "site"), tree_digest(site / "site")
    assert sorted(actual) == sorted(expected)
    assert [name for name in expected if expected[name] != actual[name]] == []
    about = expected["about/index.html" if directory_urls else "about.html"].decode()
    assert "<div>Internal note.</div>" in about and "data-search" not in about
    index = expected["search/search_index.json"].decode()
    assert "Who we are" in index and "Internal note" not in index

    if directory_urls:
        # What the key must tell apart: the nav of a page whose folder holds a nav page
        # links to it differently from the nav of the page's neighbours.
        def install_links(page: str) -> set[str]:
            html = expected[f"guides/{page}/index.html"].decode()
            return set(re.findall(r'href="([^"]*install[^"]*)"', html))

        assert install_links("setup") != install_links("other") == install_links("more")


# How the theme's search parser is called, recorded ----------------------------------------


class _Recorder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[object, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, attrs))
        self.events.append(("end", tag))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.events.append(("data", data))


def _recorded(html: str) -> list[tuple[object, ...]]:
    recorder = _Recorder()
    recorder.feed(html)
    recorder.close()
    return recorder.events


def _tokenized(html: str) -> list[tuple[object, ...]] | None:
    events = html_events(html)
    if events is None:
        return None
    names = {0: "data", 1: "start", 2: "end"}
    out: list[tuple[object, ...]] = []
    for kind, text, attributes in events:
        if kind == 3:
            out += [("start", text, attributes), ("end", text)]
        elif kind == 2:
            out.append(("end", text))
        else:
            out.append((names[kind], text) + ((attributes,) if kind == 1 else ()))
    return out


# What Markdown and the theme write: read by the tokenizer.
PLAIN = [
    '<h2 id="step-one">Step one<a class="headerlink" href="#step-one" title="Permanent link">'
    "&para;</a></h2>",
    "<p>Fish &amp; chips, 5 &lt; 6, &quot;quoted&quot;, &#x4e2d;&#25991;, AT&T, &copy 2026</p>",
    '<p>Line one<br />\nline two<br>three<img alt="A &lt;b&gt;" src="x.png"/></p>',
    '<table>\n<thead>\n<tr>\n<th style="text-align: left;">A</th>\n</tr>\n</thead></table>',
    "<div class='single' data-x=unquoted hidden>text</div >",
    '<!-- a comment --><P CLASS="Upper">Mixed Case</P>',
    '<pre><code class="language-py">if a &lt; b:\n    pass\n</code></pre>',
    '<div class="admonition note">\n<p class="admonition-title">Note</p>\n</div>',
    "text with no tag at all & an ampersand",
    "",
]
# Anything else: read by HTMLParser, so the tokenizer must give it up.
OTHER = [
    "<p>5 < 6 and 7 > 3</p>",
    "<script>if (a < b && c) {}</script><p>after</p>",
    "<style>p > a { color: red }</style>",
    "<!DOCTYPE html><p>x</p>",
    "<?xml version='1.0'?><p>x</p>",
    "<!-- a -- b --><p>x</p>",
    "<!--> odd --><p>x</p>",
    "<p>unclosed <b",
    "<a href=x/>slash</a>",
    '<a / href="x">slash before</a>',
    '<a href="x"class="y">no space</a>',
    "</ p>",
]


@pytest.mark.parametrize("html", PLAIN)
def test_the_tokenizer_makes_the_callbacks_htmlparser_makes(html: str) -> None:
    assert _tokenized(html) == _recorded(html)


@pytest.mark.parametrize("html", OTHER)
def test_html_the_tokenizer_is_not_sure_of_is_left_to_htmlparser(html: str) -> None:
    assert _tokenized(html) is None


def _markdown_pages() -> list[str]:
    """HTML as sites have it: the demo's pages and the real-world corpus, converted."""
    sources = sorted((Path(__file__).parent.parent / "content").rglob("*.md"))
    corpus = SHARED / "corpus"
    sources += sorted(corpus.glob("*.txt")) if corpus.is_dir() else []
    extensions = ["tables", "toc", "admonition", "attr_list", "md_in_html", "pymdownx.superfences"]
    pages = []
    for source in sources:
        text = source.read_text("utf-8")
        body = text.split("---", 2)[2] if text.startswith("---") else text
        pages.append(markdown.markdown(body, extensions=extensions))
    return pages


def test_pages_of_real_sites_are_read_as_htmlparser_reads_them() -> None:
    pages = _markdown_pages()
    tokenized = [_tokenized(page) for page in pages]
    assert sum(events is not None for events in tokenized) > 0.9 * len(pages)
    for page, events in zip(pages, tokenized, strict=True):
        if events is not None:
            assert events == _recorded(page)


# What Material's search parser makes of a page: its sections ---------------------------

SECTIONS = [
    '<p>Before any heading.</p><h1 id="title">Title</h1><p>Intro <code>x</code></p>'
    '<h2 id="a">A<a class="headerlink" href="#a">&para;</a></h2><ul><li>one</li><li> </li></ul>'
    '<h3>No id</h3><p>under it</p><h2 id="b">B <sup>2</sup></h2><pre><code>x\n\n  y</code></pre>',
    '<h2 id="first">Not an h1 first</h2><p>text</p>',
    # Excluded blocks: the parser's skip list matches every open element of the same tag.
    "<div data-search-exclude><div>inner</div><p>hidden</p></div><p>shown</p>"
    "<div><span data-search-exclude>x</span><p>after a span</p></div>",
    '<h2 id="gone" data-search-exclude>Excluded heading</h2><p>its text</p><h2 id="next">N</h2>',
    '<table class="linenodiv"><tr><td>1</td></tr></table><p>code</p>',
    # A heading nested in an element, and text after the element closes.
    '<div><h2 id="inner">Inner</h2><p>in</p></div><p>after the div</p>',
    '<p>a<br>b<img src="x.png" alt="y"></p><p>  </p><p></p><ol><li><p>x</p></li></ol>',
    "<div><p>unclosed paragraph</div><p>next</p></span>",
    "<p>&lt;escaped&gt; &amp; quoted</p>\n\n<p>\n</p>",
]


def _sections(parser: Parser, html: str) -> list[tuple[object, ...]]:
    parser.feed(html)
    parser.close()
    return [
        (s.el.tag, s.el.attrs, s.id, s.depth, s.title, s.text, s.is_excluded()) for s in parser.data
    ]


@pytest.mark.parametrize("html", SECTIONS + PLAIN)
def test_the_search_sections_are_those_of_materials_parser(html: str) -> None:
    fast = _SectionParser()
    assert _sections(fast, html) == _sections(Parser(), html)
    assert fast.read_fast


def test_the_search_sections_of_real_pages_are_those_of_materials_parser() -> None:
    for page in _markdown_pages():
        assert _sections(_SectionParser(), page) == _sections(Parser(), page)


# Sites the key does not cover ------------------------------------------------------------


def _small_site(root: Path, theme: str) -> Path:
    root.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(
        f"site_name: Small\n{theme}\nnav:\n  - Home: index.md\n"  # the notes stay out of it
        "plugins:\n  - search\n  - leadpress/buildcache\n",
        encoding="utf-8",
    )
    for number in range(4):
        _write(root / "docs" / "notes" / f"n{number}.md", f"# Note {number}\n\nText.\n")
    _write(root / "docs" / "index.md", "# Home\n")
    return root


def test_a_site_with_another_theme_and_mkdocs_search_builds_cold_and_warm(
    tmp_path: Path,
) -> None:
    # MkDocs' own search plugin keeps its entries its own way: the cache builds every page.
    site = _small_site(tmp_path / "site", "theme:\n  name: mkdocs")
    result = run_leadpress("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "Note 3" in (site / "site" / "notes" / "n3" / "index.html").read_text("utf-8")
    cold = tree_digest(site / "site")
    result = run_leadpress("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "Every page is built: the plugin search" in result.stderr
    assert tree_digest(site / "site") == cold


def test_a_partial_the_site_overrides_is_rendered_for_every_page(tmp_path: Path) -> None:
    site = _small_site(tmp_path / "site", "theme:\n  name: material\n  custom_dir: overrides")
    _write(site / "overrides" / "partials" / "nav.html", '<nav id="own">{{ page.title }}</nav>')
    result = run_leadpress("build", cwd=site)
    assert result.returncode == 0, result.stderr
    for number in range(4):
        html = (site / "site" / "notes" / f"n{number}" / "index.html").read_text("utf-8")
        assert f'<nav id="own">Note {number}</nav>' in html


def test_theme_translations_the_site_overrides_are_imported_for_every_page(
    tmp_path: Path,
) -> None:
    # Material imports its translations with the page's context: an override may read it.
    site = _small_site(tmp_path / "site", "theme:\n  name: material\n  custom_dir: overrides")
    _write(
        site / "overrides" / "partials" / "language.html",
        '{% import "partials/languages/en.html" as lang %}'
        "{% macro t(key) %}{{ page.title if key == 'action.skip' else lang.t(key) }}{% endmacro %}",
    )
    result = run_leadpress("build", "--verbose", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "translations imported once for no language" in result.stderr
    for number in range(4):
        html = (site / "site" / "notes" / f"n{number}" / "index.html").read_text("utf-8")
        assert re.search(rf'class="md-skip">\s*Note {number}\s*</a>', html), html[:3000]
