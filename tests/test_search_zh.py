"""Site search finds Chinese words: the built Pagefind index, queried through the real search
dialog in Debian's Chromium (Playwright), from English and Chinese pages.

Expected pages are found by their titles in the built site, never by hard-coded URLs, so the
tests hold while the demo's pages move (e.g. Chinese pages under /zh/).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest
from bs4 import BeautifulSoup

from conftest import (
    CHROMIUM,
    E2E,
    MINIMAL_CONFIG,
    SHARED,
    copy_demo,
    front,
    run_leadpress,
    tree_digest,
)
from leadpress.search.page import add_search_box, mark_searchable

CORPUS = SHARED / "corpus"
CORPUS_ARTICLE = "002_faac1a6520c05b34.txt"  # customer relationships, told through a breakfast
CORPUS_WORD = "胡辣汤"  # a word of that article that no other page of the fixture site has

SEARCH_CONFIG = MINIMAL_CONFIG + "  - leadpress/search:\n      index_language: zh\n"

# query -> title of the page that must come first
DEMO_QUERIES = {
    "客户关系": "客户关系管理的五个常见误区",
    "ToB 运营": "用企业微信做 ToB 运营：从加好友到商机的完整路径",
    "私域": "ToB 私域运营的内容日历怎么排",
    "续约预测": "续约预测：客户成功团队的第一张报表",
    "客户成功": "续约预测：客户成功团队的第一张报表",
    "pipeline": "Five pipeline metrics your board actually reads",
    "renewal forecast": "Live: building a renewal forecast your CFO trusts",
    "lead scoring": "Lead scoring without a data team",
    "churn": "The churn signals hiding in your product usage data",
}


# Browser and server ---------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a built site on a free loopback port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def search(page_url: str, queries: list[str], deep_link: str | None = None) -> dict:
    """Type each query into the page's search dialog; the top results as the visitor sees them."""
    plan = {"chromium": CHROMIUM, "page": page_url, "queries": queries, "deep_link": deep_link}
    result = subprocess.run(
        ["node", str(E2E / "search_queries.mjs"), json.dumps(plan)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "error" not in report, report["error"]
    assert not [line for line in report["console"] if line.startswith("pageerror")], report
    return report


def url_of_title(site: Path, title: str) -> str:
    """The URL path of the built page whose heading is `title`."""
    found = []
    for path in site.rglob("index.html"):
        if "pagefind" in path.parts:
            continue
        heading = BeautifulSoup(path.read_text("utf-8"), "html.parser").find("h1")
        if heading is not None and heading.get_text(" ", strip=True).rstrip("¶").strip() == title:
            found.append("/" + str(path.parent.relative_to(site)).replace(os.sep, "/") + "/")
    assert len(found) == 1, f"{title!r} is the heading of {found or 'no page'}"
    return found[0].replace("/./", "/")


def first(report: dict, query: str) -> dict:
    results = report["results"][query]
    assert results, f"{query!r} found nothing"
    return results[0]


# The demo site -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, playwright_ready: Path) -> Iterator[dict]:
    root = copy_demo(tmp_path_factory.mktemp("search-demo"))
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    with serve(root / "site") as base:
        yield {"site": root / "site", "base": base, "output": result.stdout + result.stderr}


def test_the_build_names_the_search_engine_and_segmenter(demo: dict) -> None:
    line = next(line for line in demo["output"].splitlines() if "Search:" in line)
    assert "Pagefind" in line and "Chinese word segmentation" in line, line
    indexed = int(re.search(r"(\d+) pages indexed", line).group(1))
    entry = json.loads((demo["site"] / "pagefind/pagefind-entry.json").read_text("utf-8"))
    assert indexed == sum(lang["page_count"] for lang in entry["languages"].values())


@pytest.mark.parametrize("start", ["English home page", "Chinese article"])
def test_chinese_and_english_queries_rank_the_right_demo_page_first(demo: dict, start: str) -> None:
    site, base = demo["site"], demo["base"]
    page = ""
    if start == "Chinese article":
        page = url_of_title(site, "ToB 私域运营的内容日历怎么排").removeprefix("/")
    report = search(base + page, list(DEMO_QUERIES), deep_link="续约预测")
    for query, title in DEMO_QUERIES.items():
        top = first(report, query)
        assert (top["title"], top["href"]) == (title, url_of_title(site, title)), query
    # a search engine's sitelinks box sends visitors to ?q=...: the dialog opens with it
    assert report["deep_link"][0]["title"] == DEMO_QUERIES["续约预测"]


# A small site of our own ------------------------------------------------------------------------


def _article(title: str, body: str, **fields: str) -> str:
    return front(title=title, date="2026-03-02", **fields) + "\n" + body + "\n"


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory, playwright_ready: Path) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("search-small")
    files = {
        "index.md": front(title="Home") + "\nWelcome to the fixture site.\n",
        "articles/crm-zh.md": _article(
            "客户关系管理入门",
            "客户关系管理不是买一套系统。先把客户分层，再约定每一层的跟进节奏。\n\n"
            "每周复盘一次客户关系的变化，比堆砌字段更有用。",
            tags="[客户关系管理]",
        ),
        "articles/private-domain-zh.md": _article(
            "私域运营的第一步",
            "私域运营从企业微信开始：客户加了好友之后，第一条消息决定了后面的节奏。",
            tags="[私域运营]",
        ),
        "articles/pipeline-en.md": _article(
            "Reading your pipeline every Monday",
            "A pipeline review is a habit: the same five questions, every Monday, for every rep.",
            tags="[pipeline]",
        ),
        "thank-you.md": front(title="谢谢您", noindex="true") + "\n感谢您的耐心，我们会联系您。\n",
    }
    if (CORPUS / CORPUS_ARTICLE).is_file():
        text = (CORPUS / CORPUS_ARTICLE).read_text("utf-8")
        body = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
        files["articles/corpus-zh.md"] = _article("旧站文章：产品与客户", body)
    (root / "content").mkdir()
    (root / "mkdocs.yml").write_text(SEARCH_CONFIG, encoding="utf-8")
    for relative, text in files.items():
        path = root / "content" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    with serve(root / "site") as base:
        yield {"root": root, "site": root / "site", "base": base}


@pytest.fixture(scope="module")
def small_search(small_site: dict) -> dict:
    queries = ["客户关系", "私域", "pipeline", "客户关系管理", "耐心", "Welcome"]
    if (small_site["root"] / "content/articles/corpus-zh.md").exists():
        queries.append(CORPUS_WORD)
    return search(small_site["base"], queries)


def test_chinese_words_find_their_page_first(small_site: dict, small_search: dict) -> None:
    site = small_site["site"]
    for query, title in [
        ("客户关系", "客户关系管理入门"),
        ("私域", "私域运营的第一步"),
        ("pipeline", "Reading your pipeline every Monday"),
    ]:
        assert first(small_search, query)["href"] == url_of_title(site, title), query


def test_listing_pages_and_noindex_pages_are_not_searched(
    small_site: dict, small_search: dict
) -> None:
    # the tag page titled “客户关系管理” lists the article: the article is the answer
    hrefs = [result["href"] for result in small_search["results"]["客户关系管理"]]
    assert hrefs[0] == url_of_title(small_site["site"], "客户关系管理入门")
    assert not [href for href in hrefs if "/tag/" in href], hrefs
    # a thank-you page kept from search engines is kept from site search too
    assert small_search["results"]["耐心"] == []
    # the home page is a page like any other
    assert first(small_search, "Welcome")["href"] == "/"


def test_a_word_of_a_real_article_finds_the_page_that_carries_it(
    small_site: dict, small_search: dict
) -> None:
    if not (CORPUS / CORPUS_ARTICLE).is_file():
        pytest.skip(f"the shared corpus is not beside the repository ({CORPUS})")
    assert CORPUS_WORD in (CORPUS / CORPUS_ARTICLE).read_text("utf-8")
    top = first(small_search, CORPUS_WORD)
    assert top["href"] == url_of_title(small_site["site"], "旧站文章：产品与客户")


# Configuration and page changes ----------------------------------------------------------------


def test_materials_search_beside_leadpress_search_is_refused(
    make_site: Callable[..., Path],
) -> None:
    config = SEARCH_CONFIG.replace("plugins:\n", "plugins:\n  - search\n", 1)
    root = make_site({}, config)
    (root / "site").mkdir()
    (root / "site/index.html").write_text("previous build", encoding="utf-8")
    before = tree_digest(root / "site")
    result = run_leadpress("build", cwd=root)
    assert result.returncode != 0
    assert "plugins: `search` and `leadpress/search`" in result.stderr
    assert "remove `- search`" in result.stderr
    assert tree_digest(root / "site") == before


def test_a_bad_index_language_names_the_option_and_the_fix(
    make_site: Callable[..., Path],
) -> None:
    root = make_site({}, SEARCH_CONFIG.replace("index_language: zh", "index_language: Chinese"))
    result = run_leadpress("build", cwd=root)
    assert result.returncode != 0
    assert "index_language: 'Chinese' is not a language code" in result.stderr
    assert "`index_language: zh`" in result.stderr


HEADER = (
    '<html lang="en"><head></head><body><header class="md-header" data-md-component="header">'
    '<nav class="md-header__inner"><a href=".">Site</a></nav></header>'
    '<article class="md-content__inner md-typeset"><h1>T</h1></article></body></html>'
)


def test_only_the_main_content_is_marked_for_the_index() -> None:
    marked = mark_searchable(HEADER)
    soup = BeautifulSoup(marked, "html.parser")
    assert [tag.name for tag in soup.select("[data-pagefind-body]")] == ["article"]


def test_the_search_box_is_escaped_and_only_where_the_site_header_is() -> None:
    html = add_search_box(
        HEADER.replace('"md-header"', '"md-header md-header--shadow"'),
        site_path='/a"b/',
        lang="zh",
        label='搜"索',
        index_language="zh",
    )
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("header nav pagefind-modal-trigger")["placeholder"] == '搜"索'
    assert soup.select_one("pagefind-config")["bundle-path"] == '/a"b/pagefind/'
    assert soup.select_one("body > pagefind-modal") is not None
    landing = HEADER.replace('class="md-header"', 'class="md-header lp-header"')
    assert add_search_box(landing, site_path="/", lang="en", label="S", index_language="zh") == (
        landing
    )
