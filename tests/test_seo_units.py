"""The SEO building blocks as plain functions: text cutting, head tags, JSON-LD, FAQ, sitemap."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from conftest import sitemap_schema
from leadpress.seo import structured_data as ld
from leadpress.seo.faq import extract_faq
from leadpress.seo.head import HeadFacts, Image, head_html, og_locale, replace_head
from leadpress.seo.pages import breadcrumb_trail, card_path
from leadpress.seo.sitemap import SitemapEntry, build_sitemaps, robots_txt
from leadpress.seo.text import cut_to_width, describe, display_width, first_paragraph

SCHEMAS = Path(__file__).parent / "schemas"
HOSTILE = '</script><script>alert(1)</script> "Quoted" & <!-- more'


# Descriptions ------------------------------------------------------------------------------


def test_latin_description_is_cut_at_a_word_boundary_near_155_characters() -> None:
    text = "Pipeline coverage explained for revenue teams " * 10
    cut = cut_to_width(text, 155)
    assert cut.endswith("…")
    assert 120 <= len(cut) <= 155
    assert cut[:-1] == text[: len(cut) - 1].rstrip()  # a prefix of whole words
    assert text.split()[len(cut[:-1].split()) - 1] == cut[:-1].split()[-1]


def test_cjk_description_is_cut_by_display_width_to_about_78_characters() -> None:
    text = "客户关系管理的五个常见误区以及如何避免它们" * 8
    cut = cut_to_width(text, 155)
    assert display_width(cut) <= 155
    assert 75 <= len(cut) <= 78
    assert text.startswith(cut[:-1])


def test_short_text_is_kept_whole() -> None:
    assert cut_to_width("  Short   and\nsweet ", 155) == "Short and sweet"


def test_description_comes_from_the_first_real_paragraph() -> None:
    body = (
        '<div class="admonition note"><p>Editor note</p></div>'
        "<h2>Intro</h2><p></p><p>Renewals start <em>on day one</em>.</p><p>Second.</p>"
    )
    assert first_paragraph(body) == "Renewals start on day one."
    assert describe(body) == "Renewals start on day one."
    assert describe("") == ""


# Head tags ---------------------------------------------------------------------------------


def _facts(**overrides: object) -> HeadFacts:
    values: dict[str, object] = {
        "title": f"{HOSTILE} | Tallyfold",
        "og_title": HOSTILE,
        "description": HOSTILE,
        "canonical": "https://www.example.com/articles/a/",
        "site_name": "Tallyfold",
        "lang": "zh",
        "og_type": "article",
        "image": Image("https://www.example.com/assets/cards/a.png", 1200, 630, HOSTILE),
        "published": datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
        "authors": ["Mei Lin"],
        "tags": ["pipeline", "A&B"],
        "json_ld": [ld.script_tag({"@context": "https://schema.org", "name": HOSTILE})],
    }
    values.update(overrides)
    return HeadFacts(**values)  # type: ignore[arg-type]


def test_head_tags_escape_every_value_and_inject_nothing() -> None:
    page = f"<html><head><meta charset='utf-8'>{head_html(_facts())}</head><body></body></html>"
    soup = BeautifulSoup(page, "html.parser")
    assert soup.title.string == f"{HOSTILE} | Tallyfold"
    assert soup.find("meta", property="og:title")["content"] == HOSTILE
    assert soup.find("meta", attrs={"name": "description"})["content"] == HOSTILE
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and scripts[0]["type"] == "application/ld+json"
    assert json.loads(scripts[0].string)["name"] == HOSTILE


def test_head_has_open_graph_twitter_and_article_tags() -> None:
    soup = BeautifulSoup(head_html(_facts()), "html.parser")

    def prop(name: str) -> list[str]:
        return [m["content"] for m in soup.find_all("meta", property=name)]

    assert prop("og:type") == ["article"]
    assert prop("og:locale") == ["zh_CN"]
    assert prop("og:image:width") == ["1200"] and prop("og:image:height") == ["630"]
    assert prop("article:published_time") == ["2026-05-01T09:00:00+00:00"]
    assert prop("article:tag") == ["pipeline", "A&B"]
    assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    assert soup.find("link", rel="canonical")["href"] == "https://www.example.com/articles/a/"
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "index, follow"


def test_noindex_pages_say_so() -> None:
    soup = BeautifulSoup(head_html(_facts(noindex=True)), "html.parser")
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, follow"


@pytest.mark.parametrize(
    ("lang", "locale"), [("en", "en_US"), ("zh", "zh_CN"), ("zh-TW", "zh_TW"), ("nl-BE", "nl_BE")]
)
def test_open_graph_locale(lang: str, locale: str) -> None:
    assert og_locale(lang) == locale


def test_replace_head_swaps_the_themes_tags_for_ours() -> None:
    theme = (
        '<!doctype html><html lang="en"><head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width">\n'
        '<meta name="description" content="theme description">\n'
        '<link rel="canonical" href="https://x/old/">\n<title>Old - Site</title>\n'
        '<link rel="stylesheet" href="main.css">\n</head><body><title>not in head</title></body>'
        "</html>"
    )
    result = replace_head(theme, head_html(_facts(json_ld=())))
    soup = BeautifulSoup(result, "html.parser")
    assert [t.string for t in soup.head.find_all("title")] == [f"{HOSTILE} | Tallyfold"]
    assert len(soup.head.find_all("meta", attrs={"name": "description"})) == 1
    assert soup.head.find("link", rel="canonical")["href"].endswith("/articles/a/")
    assert soup.head.find("link", rel="stylesheet") is not None
    assert "<title>not in head</title>" in result
    # our tags come right after the viewport, before the stylesheets
    assert result.index("og:title") < result.index("main.css")


def test_replace_head_leaves_no_gaps_where_the_themes_tags_were() -> None:
    theme = (
        '<html><head>\n  <meta charset="utf-8">\n  <meta name="viewport" content="w">\n'
        '  <title>Old</title>  \n\n  <meta name="description" content="d">\n'
        '  <link rel="stylesheet" href="a.css">\n  <META PROPERTY="og:title" content="o">'
        '<link rel="canonical" href="c">\n</head><body></body></html>'
    )
    assert replace_head(theme, "<ours>") == (
        '<html><head>\n  <meta charset="utf-8">\n  <meta name="viewport" content="w">\n'
        '    <ours>\n  <link rel="stylesheet" href="a.css">\n</head><body></body></html>'
    )


# Structured data ---------------------------------------------------------------------------


def test_script_json_cannot_close_the_script_or_open_a_comment() -> None:
    text = ld.script_json({"headline": HOSTILE, "sep": "a\u2028b"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"headline": HOSTILE, "sep": "a\u2028b"}


def test_breadcrumbs_list_positions_from_the_home_page() -> None:
    titles = {"articles/": "Articles", "articles/category/guides/": "Category: Guides"}
    trail = breadcrumb_trail(
        "articles/category/guides/", "Category: Guides", titles, "Home", "https://e.com/"
    )
    assert trail == [
        ("Home", "https://e.com/"),
        ("Articles", "https://e.com/articles/"),
        ("Category: Guides", "https://e.com/articles/category/guides/"),
    ]
    # a page the titles do not know (a landing page) still ends the trail
    assert breadcrumb_trail("spring/cfo/", "For CFOs", titles, "Home", "https://e.com/") == [
        ("Home", "https://e.com/"),
        ("For CFOs", "https://e.com/spring/cfo/"),
    ]
    data = ld.breadcrumbs(trail)
    assert [item["position"] for item in data["itemListElement"]] == [1, 2, 3]


def test_card_paths() -> None:
    assert card_path("") == "assets/cards/index.png"
    assert card_path("articles/x/") == "assets/cards/articles/x.png"
    assert card_path("about.html") == "assets/cards/about.png"


# FAQ ---------------------------------------------------------------------------------------


def test_faq_from_headings_ends_at_the_next_section() -> None:
    body = (
        "<h2>Pricing</h2><p>Intro.</p>"
        '<h2 id="faq">Frequently asked questions<a class="headerlink" href="#faq">¶</a></h2>'
        "<h3>Is there a free trial?</h3><p>Yes, 14 days.</p><ul><li>No card</li></ul>"
        "<h3>Where is data hosted?</h3><p>Singapore or mainland China.</p>"
        "<h2>Next steps</h2><h3>Not a question</h3><p>Book a demo.</p>"
    )
    questions = extract_faq(body)
    assert [q.question for q in questions] == ["Is there a free trial?", "Where is data hosted?"]
    assert questions[0].answer_html == "<p>Yes, 14 days.</p><ul><li>No card</li></ul>"


def test_faq_in_chinese_with_collapsible_blocks() -> None:
    body = (
        "<h2>常见问题</h2>"
        "<details><summary>支持企业微信吗？</summary><p>支持。</p></details>"
        "<details><summary>数据存放在哪里？</summary><p>中国大陆。</p></details>"
    )
    questions = extract_faq(body)
    assert [q.question for q in questions] == ["支持企业微信吗？", "数据存放在哪里？"]
    data = ld.faq_page(questions)
    assert data["mainEntity"][1]["acceptedAnswer"]["text"] == "<p>中国大陆。</p>"


def test_page_without_faq_has_none() -> None:
    assert extract_faq("<h2>Features</h2><h3>Fast?</h3><p>Yes.</p>") == []


@pytest.mark.parametrize(
    "heading",
    [
        *("FAQ", "FAQs:", "Frequently Asked Questions", "Questions & answers", "Q&amp;A"),
        *("q &amp; a", "常见问题", "常见问题解答：", "常见问答", "问与答", "问答"),
    ],
)
def test_every_kind_of_faq_heading_is_found(heading: str) -> None:
    # Pages are only parsed when they contain a word of an FAQ heading: each one counts.
    body = f"<h2>{heading}</h2><h3>Is there a trial?</h3><p>Yes.</p>"
    assert [q.question for q in extract_faq(body)] == ["Is there a trial?"]


# Sitemap -----------------------------------------------------------------------------------


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def test_sitemap_is_valid_and_sorted_with_lastmod_and_alternates() -> None:
    entries = [
        SitemapEntry("https://e.com/b/", datetime(2026, 3, 1, 8, 30, tzinfo=UTC)),
        SitemapEntry(
            "https://e.com/a/",
            None,
            {
                "en": "https://e.com/a/",
                "zh": "https://e.com/zh/a/",
                "x-default": "https://e.com/a/",
            },
        ),
    ]
    files = build_sitemaps(entries, "https://e.com/")
    assert list(files) == ["sitemap.xml"]
    document = etree.fromstring(files["sitemap.xml"])
    sitemap_schema().assertValid(document)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert document.xpath("//s:loc/text()", namespaces=ns) == [
        "https://e.com/a/",
        "https://e.com/b/",
    ]
    assert document.xpath("//s:lastmod/text()", namespaces=ns) == ["2026-03-01T08:30:00+00:00"]


def test_large_sites_get_a_sitemap_index() -> None:
    entries = [SitemapEntry(f"https://e.com/p{n:03}/") for n in range(25)]
    files = build_sitemaps(entries, "https://e.com/", max_urls=10)
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = etree.fromstring(files["sitemap.xml"])
    _schema("siteindex.xsd").assertValid(index)
    for name in ("sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"):
        _schema("sitemap.xsd").assertValid(etree.fromstring(files[name]))
    locs = index.xpath("//*[local-name()='loc']/text()")
    assert locs == [f"https://e.com/sitemap-{n}.xml" for n in (1, 2, 3)]
    counts = [len(etree.fromstring(files[f"sitemap-{n}.xml"])) for n in (1, 2, 3)]
    assert counts == [10, 10, 5]


def test_robots_txt_points_to_the_sitemap_and_keeps_a_sites_own_rules() -> None:
    assert robots_txt("https://e.com/") == (
        "User-agent: *\nAllow: /\n\nSitemap: https://e.com/sitemap.xml\n"
    )
    own = "User-agent: *\nDisallow: /internal/\n"
    assert robots_txt("https://e.com/", own) == own + "\nSitemap: https://e.com/sitemap.xml\n"
    with_sitemap = own + "Sitemap: https://cdn.e.com/sitemap.xml\n"
    assert robots_txt("https://e.com/", with_sitemap) == with_sitemap
