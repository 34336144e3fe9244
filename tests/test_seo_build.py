"""SEO behaviour of whole builds through the real `leadpress` command: escaping of hostile
titles, noindex, git dates in the sitemap, sitemap index, card cache and the audit."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import extruct
import feedparser
from bs4 import BeautifulSoup
from lxml import etree

from conftest import MINIMAL_CONFIG, front, run_leadpress

SEO_CONFIG = MINIMAL_CONFIG + "  - leadpress/feeds\n  - leadpress/seo\n"
HOSTILE = '</script><script>alert(1)</script> "Quoted" & <!-- more'
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BODY = "A paragraph that introduces the article in one or two plain sentences.\n"


def _article(title: str, body: str = BODY, **fields: str) -> str:
    values = {"title": json.dumps(title), "date": "2026-03-02", **fields}
    return front(**values) + "\n" + body


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_hostile_title_breaks_neither_html_nor_json_ld_nor_feed(make_site) -> None:
    root = make_site({"articles/hostile.md": _article(HOSTILE, slug="hostile")}, SEO_CONFIG)
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    page = root / "site/articles/hostile/index.html"
    html = page.read_text(encoding="utf-8")
    soup = _soup(page)

    assert soup.h1.get_text(strip=True) == HOSTILE  # visible text unchanged
    assert soup.head.title.string == HOSTILE  # too long with the site name: the title alone
    assert soup.head.find("meta", property="og:title")["content"] == HOSTILE
    header = soup.find(class_="md-header__topic", attrs={"data-md-component": "header-topic"})
    assert header is not None and HOSTILE in header.get_text()
    # no element was injected: every script is one the theme or Leadpress meant to write
    for script in soup.find_all("script"):
        assert "alert(1)" not in (script.string or "") or (
            script.get("type") == "application/ld+json"
        )
    assert "<script>alert(1)</script>" not in html

    data = extruct.extract(html, syntaxes=["json-ld"], uniform=True)["json-ld"]
    post = next(item for item in data if item["@type"] == "BlogPosting")
    assert post["headline"] == HOSTILE

    feed = feedparser.parse((root / "site/feed.xml").read_bytes())
    assert not feed.bozo
    assert feed.entries[0].title == HOSTILE


def test_noindex_pages_are_marked_and_left_out_of_the_sitemap(make_site) -> None:
    root = make_site(
        {
            "articles/kept.md": _article("An article for search engines"),
            "thank-you.md": front(title="Thank you") + "\nWe will be in touch.\n",
            "private.md": front(title="Partner price list", noindex="true") + "\nPrices.\n",
            "articles/draft.md": _article("A draft article", draft="true"),
            "articles/later.md": _article("A scheduled article", date="2099-01-01"),
        },
        SEO_CONFIG,
    )
    result = run_leadpress("build", "--drafts", cwd=root)
    assert result.returncode == 0, result.stderr
    kept_out = [
        "thank-you/",
        "private/",
        "articles/a-draft-article/",
        "articles/a-scheduled-article/",
    ]
    for path in kept_out:
        robots = _soup(root / "site" / path / "index.html").head.find(
            "meta", attrs={"name": "robots"}
        )
        assert robots["content"] == "noindex, follow", path
    locs = etree.parse(str(root / "site/sitemap.xml")).xpath("//s:loc/text()", namespaces=NS)
    assert not {f"https://www.example.com/{path}" for path in kept_out} & set(locs)
    assert "https://www.example.com/articles/an-article-for-search-engines/" in locs


def test_pages_without_a_date_take_lastmod_from_their_last_commit(make_site) -> None:
    root = make_site({"about.md": front(title="About us") + "\nWho we are.\n"}, SEO_CONFIG)
    when = "2026-04-05T06:07:08+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "."],
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "x"],
    ):
        subprocess.run(command, cwd=root, env=env, check=True)
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    sitemap = etree.parse(str(root / "site/sitemap.xml"))
    lastmod = sitemap.xpath(
        "//s:url[s:loc='https://www.example.com/about/']/s:lastmod/text()", namespaces=NS
    )
    assert lastmod == [when]


def test_large_sites_get_a_sitemap_index(make_site) -> None:
    articles = {f"articles/a{n}.md": _article(f"Article number {n}") for n in range(12)}
    config = SEO_CONFIG.replace(
        "  - leadpress/seo\n", "  - leadpress/seo:\n      sitemap_max_urls: 5\n"
    )
    root = make_site(articles, config)
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    index = etree.parse(str(root / "site/sitemap.xml")).getroot()
    assert etree.QName(index).localname == "sitemapindex"
    parts = index.xpath("//s:loc/text()", namespaces=NS)
    total = 0
    for url in parts:
        part = etree.parse(str(root / "site" / url.rsplit("/", 1)[1])).getroot()
        assert 1 <= len(part) <= 5
        total += len(part)
    assert total >= 12 + 3  # the articles, the home page and listing pages


def test_unchanged_pages_reuse_their_cached_cards(make_site) -> None:
    root = make_site(
        {"articles/one.md": _article("First title"), "articles/two.md": _article("Second title")},
        SEO_CONFIG,
    )
    assert run_leadpress("build", cwd=root).returncode == 0
    cache = root / ".leadpress-cache/cards"
    first = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(first) >= 4
    card = root / "site/assets/cards/articles/first-title.png"
    before = card.read_bytes()

    assert run_leadpress("build", cwd=root).returncode == 0
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == first
    assert card.read_bytes() == before

    (root / "content/articles/one.md").write_text(_article("First title, revised"), "utf-8")
    assert run_leadpress("build", cwd=root).returncode == 0
    added = {p.name for p in cache.iterdir()} - set(first)
    assert len(added) == 1


def test_every_page_of_a_listing_shows_its_first_pages_card(make_site) -> None:
    # Page 2 and later of a listing would get the same picture as page 1 but for "(2)":
    # they share page 1's card, drawn and published once.
    articles = {f"articles/a{n}.md": _article(f"Article number {n}") for n in range(12)}
    config = SEO_CONFIG.replace(
        "      timezone: UTC\n", "      timezone: UTC\n      listing_page_size: 5\n"
    )
    root = make_site(articles, config)
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    pages = [
        site / "articles/index.html",
        *(site / f"articles/page/{n}/index.html" for n in (2, 3)),
    ]
    images = [_soup(page).head.find("meta", property="og:image")["content"] for page in pages]
    assert images == ["https://www.example.com/assets/cards/articles.png"] * 3
    assert (site / "assets/cards/articles.png").read_bytes().startswith(b"\x89PNG")
    assert not (site / "assets/cards/articles/page").exists()
    alts = {_soup(page).head.find("meta", property="og:image:alt")["content"] for page in pages}
    assert alts == {"Articles"}


def test_missing_site_url_is_a_clear_error(make_site) -> None:
    config = SEO_CONFIG.replace("site_url: https://www.example.com/\n", "")
    root = make_site({}, config)
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 1
    assert "site_url" in result.stderr and "https://www.example.com/" in result.stderr
    assert not (root / "site").exists()


PLANTED = {
    "articles/two-h1.md": _article("Two top headings here", BODY + "\n# A second H1\n\nMore.\n"),
    "articles/no-alt.md": _article("Image without alt text", BODY + '\n<img src="x.png">\n'),
    "articles/broken.md": _article(
        "Broken link and anchor",
        BODY + "\n[gone](https://www.example.com/nowhere/) [anchor](#nope)\n",
    ),
    "articles/skip.md": _article("Heading levels skipped", BODY + "\n## Two\n\n#### Four\n"),
    "articles/long.md": _article("A title that goes on and on " * 4),
    "articles/dup-a.md": _article("The same title twice", slug="dup-a"),
    "articles/dup-b.md": _article("The same title twice", slug="dup-b"),
    "orphan.md": front(title="A page nobody links to") + "\n" + BODY,
}


def test_audit_finds_each_planted_problem_with_a_fix(make_site) -> None:
    root = make_site(PLANTED, SEO_CONFIG)
    result = run_leadpress("audit", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    found = {(f["page"], f["check"]) for f in report["findings"]}
    found |= {("long", c) for p, c in found if p.startswith("/articles/a-title-that-goes-on")}
    expected = {
        ("/articles/two-top-headings-here/", "h1-multiple"),
        ("/articles/image-without-alt-text/", "image-alt-missing"),
        ("/articles/broken-link-and-anchor/", "broken-link"),
        ("/articles/broken-link-and-anchor/", "broken-anchor"),
        ("/articles/heading-levels-skipped/", "heading-skip"),
        ("long", "title-long"),
        ("/articles/dup-a/", "title-duplicate"),
        ("/articles/dup-b/", "title-duplicate"),
        ("/orphan/", "orphan"),
        ("/articles/two-top-headings-here/", "thin-content"),
    }
    assert expected <= found, expected - found
    assert all(f["fix"] for f in report["findings"])
    assert report == json.loads((root / "site/seo-report.json").read_text(encoding="utf-8"))

    table = run_leadpress("audit", cwd=root)
    assert table.returncode == 0
    assert "/articles/broken-link-and-anchor/" in table.stdout
    assert "broken-anchor" in table.stdout and "fix" in table.stdout.lower()


def test_the_audit_keeps_page_facts_between_builds_unless_the_cache_is_off(make_site) -> None:
    root = make_site(PLANTED, SEO_CONFIG)
    kept = root / ".leadpress-cache/audit.pickle"
    report = root / "site/seo-report.json"
    off = run_leadpress("build", cwd=root, env={"LEADPRESS_CACHE": "off"})
    assert off.returncode == 0, off.stderr
    assert not kept.exists()
    expected = report.read_bytes()
    for _ in ("cold", "warm"):
        result = run_leadpress("build", cwd=root)
        assert result.returncode == 0, result.stderr
        assert kept.is_file()
        assert report.read_bytes() == expected


def test_strict_audit_fails_on_errors_and_keeps_the_previous_site(make_site) -> None:
    root = make_site({"articles/ok.md": _article("A clean article")}, SEO_CONFIG)
    assert run_leadpress("build", cwd=root).returncode == 0
    before = (root / "site/sitemap.xml").read_bytes()
    (root / "content/articles/no-alt.md").write_text(PLANTED["articles/no-alt.md"], "utf-8")
    for command in (("audit", "--strict"), ("build", "--strict")):
        result = run_leadpress(*command, cwd=root)
        assert result.returncode == 1, command
        assert "image-alt-missing" in result.stderr
        assert (root / "site/sitemap.xml").read_bytes() == before
    relaxed = run_leadpress("build", cwd=root)
    assert relaxed.returncode == 0
    assert "SEO audit: 1 error," in relaxed.stdout


def test_plugins_work_in_any_order_but_need_the_content_plugin(make_site) -> None:
    reordered = MINIMAL_CONFIG.replace(
        "plugins:\n", "plugins:\n  - leadpress/seo\n  - leadpress/feeds\n"
    )
    root = make_site({"articles/a.md": _article("Order does not matter")}, reordered)
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "site/sitemap.xml").is_file() and (root / "site/feed.xml").is_file()

    alone = reordered.split("  - leadpress/content:")[0]
    root = make_site({}, alone)
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 1
    assert "needs `- leadpress/content` in `plugins:`" in result.stderr
