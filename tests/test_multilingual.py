"""A site in Chinese and English: folders, URLs, translations, hreflang, per-language listings,
feeds, interface strings, dates, the language switcher, and mistakes in any of them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from conftest import REPO, front, run_leadpress, sitemap_schema, tree_digest

SITE_URL = "https://www.example.com/"

BILINGUAL_CONFIG = """\
site_name: Test site
site_url: https://www.example.com/
docs_dir: content
theme:
  name: material
  features: [navigation.tabs]
nav:
  - 首页: index.md
  - 文章: articles/index.md
  - 关于: about.md
plugins:
  - leadpress/content:
      timezone: Asia/Shanghai
      languages: [zh, en]
  - leadpress/feeds
  - leadpress/seo:
      cards: {enabled: false}
"""

CHINESE_BODY = "客户关系管理的第一步，是让市场和销售对线索的定义达成一致。" * 12
ENGLISH_BODY = "The first step of customer relationship management is one shared definition. " * 12


def _article(title: str, day: str, body: str, **extra: str) -> str:
    return front(title=title, date=day, **extra) + "\n" + body + "\n"


@pytest.fixture
def bilingual(tmp_path: Path) -> Callable[..., Path]:
    def make(extra: dict[str, str] | None = None, config: str = BILINGUAL_CONFIG) -> Path:
        files = {
            "zh/index.md": front(title="首页") + "\n欢迎来到测试站点。\n",
            "en/index.md": front(title="Home") + "\nWelcome to the test site.\n",
            "zh/about.md": front(title="关于我们") + "\n我们是一家测试公司。\n",
            "en/about.md": front(title="About us") + "\nWe are a test company.\n",
            # Translations by path.
            "zh/articles/crm.md": _article("客户关系管理入门", "2026-01-15", CHINESE_BODY),
            "en/articles/crm.md": _article("CRM basics", "2026-01-15", ENGLISH_BODY),
            # Translations by key, with different file names.
            "zh/articles/pipeline-zh.md": _article(
                "销售漏斗指标", "2026-02-01", CHINESE_BODY, translation_key="pipeline"
            ),
            "en/articles/pipeline-metrics.md": _article(
                "Pipeline metrics", "2026-02-01", ENGLISH_BODY, translation_key="pipeline"
            ),
            # Only in Chinese.
            "zh/articles/wecom.md": _article("企业微信运营", "2026-03-01", CHINESE_BODY),
            **(extra or {}),
        }
        root = tmp_path / "src"
        for relative, text in files.items():
            path = root / "content" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (root / "mkdocs.yml").write_text(config, encoding="utf-8")
        return root

    return make


@pytest.fixture
def built(bilingual: Callable[..., Path]) -> Path:
    root = bilingual()
    result = run_leadpress("build", "--strict", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def _soup(site: Path, url_path: str) -> BeautifulSoup:
    page = site / url_path / "index.html"
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def _hreflang(soup: BeautifulSoup) -> dict[str, str]:
    return {
        link["hreflang"]: link["href"]
        for link in soup.head.find_all("link", rel="alternate")
        if link.get("hreflang")
    }


def test_default_language_at_the_root_and_the_other_under_its_code(built: Path) -> None:
    assert (built / "index.html").is_file()
    assert (built / "en/index.html").is_file()
    assert (built / "articles/ke-hu-guan-xi-guan-li-ru-men/index.html").is_file()
    assert (built / "en/articles/crm-basics/index.html").is_file()
    assert (built / "about/index.html").is_file()
    assert (built / "en/about/index.html").is_file()
    assert _soup(built, "").html["lang"] == "zh"
    assert _soup(built, "en/articles/crm-basics").html["lang"] == "en"


def test_translations_link_each_other_with_x_default(built: Path) -> None:
    zh_url = SITE_URL + "articles/ke-hu-guan-xi-guan-li-ru-men/"
    en_url = SITE_URL + "en/articles/crm-basics/"
    expected = {"zh": zh_url, "en": en_url, "x-default": zh_url}
    assert _hreflang(_soup(built, "articles/ke-hu-guan-xi-guan-li-ru-men")) == expected
    assert _hreflang(_soup(built, "en/articles/crm-basics")) == expected
    # By translation_key, though the file names differ.
    assert _hreflang(_soup(built, "en/articles/pipeline-metrics"))["zh"] == (
        SITE_URL + "articles/xiao-shou-lou-dou-zhi-biao/"
    )
    # The home pages and the listings are translations of each other too.
    assert _hreflang(_soup(built, "en"))["zh"] == SITE_URL
    assert _hreflang(_soup(built, "en/articles"))["zh"] == SITE_URL + "articles/"
    # A page without a translation claims no alternates.
    assert _hreflang(_soup(built, "articles/qi-ye-wei-xin-yun-ying")) == {}


def test_open_graph_locales_come_from_cldr(built: Path) -> None:
    head = _soup(built, "en/articles/crm-basics").head
    assert head.find("meta", property="og:locale")["content"] == "en_US"
    assert head.find("meta", property="og:locale:alternate")["content"] == "zh_CN"
    zh_head = _soup(built, "articles/ke-hu-guan-xi-guan-li-ru-men").head
    assert zh_head.find("meta", property="og:locale")["content"] == "zh_CN"


def test_sitemap_carries_the_alternates_and_is_valid(built: Path) -> None:
    schema = sitemap_schema()
    sitemap = etree.parse(str(built / "sitemap.xml"))
    schema.assertValid(sitemap)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    entry = sitemap.xpath(
        "//s:url[s:loc='https://www.example.com/en/articles/crm-basics/']", namespaces=ns
    )[0]
    links = {
        link.get("hreflang"): link.get("href") for link in entry.xpath("x:link", namespaces=ns)
    }
    assert links == {
        "en": SITE_URL + "en/articles/crm-basics/",
        "zh": SITE_URL + "articles/ke-hu-guan-xi-guan-li-ru-men/",
        "x-default": SITE_URL + "articles/ke-hu-guan-xi-guan-li-ru-men/",
    }


def test_each_language_lists_only_its_own_pages(built: Path) -> None:
    def titles(url_path: str) -> set[str]:
        soup = _soup(built, url_path)
        return {a.get_text(strip=True) for a in soup.select(".lp-card__title a, .lp-entry a")}

    zh_listing = _soup(built, "articles").get_text()
    en_listing = _soup(built, "en/articles").get_text()
    assert "企业微信运营" in zh_listing and "客户关系管理入门" in zh_listing
    assert "CRM basics" not in zh_listing and "Pipeline metrics" not in zh_listing
    assert "CRM basics" in en_listing and "Pipeline metrics" in en_listing
    assert "企业微信运营" not in en_listing
    # Listing pages speak their language.
    assert _soup(built, "articles").h1.get_text(strip=True) == "文章"
    assert _soup(built, "en/articles").h1.get_text(strip=True) == "Articles"


def test_each_language_has_its_own_feeds(built: Path) -> None:
    zh = feedparser.parse((built / "feed.xml").read_bytes())
    en = feedparser.parse((built / "en/feed.xml").read_bytes())
    en_atom = feedparser.parse((built / "en/atom.xml").read_bytes())
    assert not zh.bozo and not en.bozo and not en_atom.bozo
    assert zh.feed.language == "zh" and en.feed.language == "en"
    assert {e.title for e in zh.entries} == {"客户关系管理入门", "销售漏斗指标", "企业微信运营"}
    assert {e.title for e in en.entries} == {"CRM basics", "Pipeline metrics"}
    assert {e.title for e in en_atom.entries} == {"CRM basics", "Pipeline metrics"}
    # Each page points readers at the feed of its language.
    feeds = _soup(built, "en/about").head.find_all("link", type="application/rss+xml")
    assert [link["href"] for link in feeds] == [SITE_URL + "en/feed.xml"]


def test_interface_and_dates_in_the_page_language(built: Path) -> None:
    zh = _soup(built, "articles/ke-hu-guan-xi-guan-li-ru-men")
    en = _soup(built, "en/articles/crm-basics")
    # The theme's own strings follow the page (its header's name), and ours do too.
    assert zh.select_one("nav.md-header__inner")["aria-label"] == "页眉"
    assert en.select_one("nav.md-header__inner")["aria-label"] == "Header"
    assert "2026年1月15日" in zh.get_text()
    assert "January 15, 2026" in en.get_text()
    # The tabs of a Chinese page lead to Chinese pages; of an English page, to English ones.
    zh_tabs = [a.get_text(strip=True) for a in zh.select(".md-tabs__link")]
    en_tabs = [a.get_text(strip=True) for a in en.select(".md-tabs__link")]
    assert zh_tabs == ["首页", "文章", "关于"]
    assert en_tabs == ["Home", "Articles", "About us"]


def test_language_switcher_goes_to_the_same_page_in_the_other_language(built: Path) -> None:
    def switcher(url_path: str) -> dict[str, str]:
        soup = _soup(built, url_path)
        return {a["hreflang"]: a["href"] for a in soup.select("a.md-select__link")}

    assert switcher("articles/ke-hu-guan-xi-guan-li-ru-men") == {
        "zh": "./",
        "en": "../../en/articles/crm-basics/",
    }
    assert switcher("en/about")["zh"] == "../../about/"
    # Untranslated: the switcher leads to the other language's home page.
    assert switcher("articles/qi-ye-wei-xin-yun-ying")["en"] == "../../en/"
    names = [a.get_text(strip=True) for a in _soup(built, "").select("a.md-select__link")]
    assert names == ["中文", "English"]


def test_lang_that_contradicts_the_folder_is_an_error(bilingual: Callable[..., Path]) -> None:
    root = bilingual(
        {"zh/articles/wrong.md": _article("Wrong", "2026-01-01", ENGLISH_BODY, lang="en")}
    )
    before = {"old.html": b"old"}
    (root / "site").mkdir()
    (root / "site/old.html").write_bytes(b"old")
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 1
    assert "content/zh/articles/wrong.md: lang:" in result.stderr
    assert "move the file to the en/ folder" in result.stderr
    assert tree_digest(root / "site") == before


def test_two_pages_of_one_language_with_one_key_is_an_error(
    bilingual: Callable[..., Path],
) -> None:
    root = bilingual(
        {
            "zh/articles/other.md": _article(
                "另一篇", "2026-01-02", CHINESE_BODY, translation_key="pipeline"
            )
        }
    )
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 1
    assert "content/zh/articles/pipeline-zh.md: translation_key:" in result.stderr
    assert "content/zh/articles/other.md" in result.stderr


def test_a_bad_language_code_is_named(bilingual: Callable[..., Path]) -> None:
    root = bilingual(config=BILINGUAL_CONFIG.replace("[zh, en]", "[zh, English]"))
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 1
    assert "languages[1]: 'English' is not a language code" in result.stderr


def _built_pages(site: Path) -> dict[str, BeautifulSoup]:
    return {
        str(page.relative_to(site).parent): BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for page in site.rglob("index.html")
        if page.relative_to(site).parts[0] not in ("go", "assets", "search")
    }


def test_demo_is_bilingual(demo_site: Path) -> None:
    """Every demo article exists in at least one language; at least three exist in both."""
    articles = [
        soup
        for path, soup in _built_pages(demo_site).items()
        if soup.find("meta", property="og:type", content="article")
    ]
    languages = {soup.html["lang"] for soup in articles}
    assert languages == {"en", "zh"}
    in_both = [soup for soup in articles if set(_hreflang(soup)) == {"en", "zh", "x-default"}]
    # Each pair is counted from both sides.
    assert len(in_both) >= 2 * 3
    sources = list((REPO / "content").glob("*/articles/*.md"))
    assert {path.parent.parent.name for path in sources} == {"en", "zh"}


def test_the_themes_root_language_lookup_is_turned_off(built: Path) -> None:
    """The theme would fetch sitemap.xml beside every hreflang link (404s in the console on
    every translated page); the switcher links to translations itself."""
    bundles = list((built / "assets/javascripts").glob("bundle.*.js"))
    assert bundles
    for bundle in bundles:
        text = bundle.read_text(encoding="utf-8")
        assert '"link[rel=alternate]"' not in text
        assert "link[rel=alternate][data-leadpress-none]" in text
