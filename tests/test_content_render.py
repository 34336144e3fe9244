"""HTML of the generated parts of pages: headings, bylines, webinar boxes, listings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Comment

from conftest import front
from conftest import parse_page as parse
from leadpress.content.collections import Document, Settings, SiteContent, build_site
from leadpress.content.loading import Parsed
from leadpress.content.models import Author
from leadpress.content.render import Renderer
from leadpress.content.urls import url_of
from leadpress.paths import TEMPLATES_DIR

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SITE = "https://www.example.com/"
AUTHORS = {
    "mei-lin": Author(id="mei-lin", name="Lin Mei"),
    "dana": Author(id="dana", name="Dana Ruiz"),
}
CARD = TEMPLATES_DIR / "leadpress" / "partials" / "card.html"
NASTY_TITLE = "R&D </script><script>alert(1)</script> <!-- \"quoted\" & 'single' -->"


def article(name: str, title: str, date: str = "2026-03-01", body: str = "Body.", **fields):
    return parse(f"articles/{name}.md", front(title=title, date=date, **fields) + body + "\n")


def webinar(name: str, start: datetime, **fields: str) -> Parsed:
    text = front(
        title=name,
        start=start.isoformat(),
        speakers="[{name: Lin Mei, title: Head of Growth, company: Tallyfold}]",
        **fields,
    )
    return parse(f"webinars/{name}.md", text)


def render_site(
    pages: list[Parsed], directory_urls: bool = True, **settings: object
) -> tuple[SiteContent, Renderer]:
    config = Settings(**{"now": NOW, **settings})
    site, problems = build_site(pages, AUTHORS, config)
    assert problems == []
    return site, Renderer(site, config, directory_urls=directory_urls)


def only_document(site: SiteContent) -> Document:
    [document] = site.documents
    return document


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(html: str) -> str:
    return " ".join(soup(html).get_text(" ").split())


def page_url(uri: str, directory_urls: bool = True) -> str:
    return urljoin(SITE, url_of(uri, directory_urls))


def targets(
    html: str, base_uri: str, directory_urls: bool = True, selector: str = "a"
) -> list[str]:
    """Absolute addresses of the links in `html`, as a browser on `base_uri` resolves them."""
    base = page_url(base_uri, directory_urls)
    return [urljoin(base, a["href"]) for a in soup(html).select(selector)]


# Headings


def test_article_gets_its_title_as_the_one_h1() -> None:
    site, renderer = render_site([article("a", "Five pipeline metrics")])
    html = renderer.document_html("<p>Body.</p>", only_document(site))
    assert [h1.get_text() for h1 in soup(html).find_all("h1")] == ["Five pipeline metrics"]


def test_article_whose_body_starts_with_an_h1_keeps_a_single_h1() -> None:
    site, renderer = render_site([article("a", "Five pipeline metrics")])
    body = '<h1 id="five-pipeline-metrics">Five pipeline metrics</h1>\n<p>Body.</p>'
    html = renderer.document_html(body, only_document(site))
    h1s = soup(html).find_all("h1")
    assert [h1.get_text() for h1 in h1s] == ["Five pipeline metrics"]
    assert h1s[0].get("id") == "five-pipeline-metrics"  # the anchor of the body's own h1
    assert html.index("<h1") < html.index("lp-byline")


def test_webinar_and_case_study_get_exactly_one_h1() -> None:
    pages = [
        webinar("Pipeline clinic", NOW + timedelta(days=3)),
        parse(
            "case-studies/c.md",
            front(title="Acme story", date="2026-01-01", customer="Acme", industry="Retail"),
        ),
    ]
    site, renderer = render_site(pages)
    for document in site.documents:
        for body in ("<p>Body.</p>", f"<h1>{document.title}</h1><p>Body.</p>"):
            h1s = soup(renderer.document_html(body, document)).find_all("h1")
            assert [h1.get_text() for h1 in h1s] == [document.title]


def test_title_with_html_characters_is_escaped_everywhere() -> None:
    title = NASTY_TITLE.replace("'", "''")
    site, renderer = render_site([article("a", f"'{title}'", tags="[x]")])
    document = only_document(site)
    assert document.title == NASTY_TITLE
    for html in (
        renderer.document_html("<p>Body.</p>", document),
        renderer.listing_html("", site.listing_for("articles/index.md")),
        renderer.listing_html("", site.listing_for("articles/tag/x/index.md")),
    ):
        parsed = soup(html)
        assert parsed.find("script") is None
        assert parsed.find_all(string=lambda s: isinstance(s, Comment)) == []
        shown = [a.get_text() for a in parsed.select("h1, .lp-card__title")]
        assert NASTY_TITLE in shown
        assert "</script>" not in html and "<!--" not in html


def test_escaped_title_h1_text_equals_the_title() -> None:
    title = NASTY_TITLE.replace("'", "''")
    site, renderer = render_site([article("a", f"'{title}'")])
    html = renderer.document_html("<p>Body.</p>", only_document(site))
    assert [h1.get_text() for h1 in soup(html).find_all("h1")] == [NASTY_TITLE]


def test_author_name_with_html_is_escaped_in_the_byline() -> None:
    pages = [article("a", "A", authors="[evil]")]
    config = Settings(now=NOW)
    authors = {"evil": Author(id="evil", name="<img src=x onerror=alert(1)>")}
    site, problems = build_site(pages, authors, config)
    assert problems == []
    html = Renderer(site, config).document_html("<p>Body.</p>", only_document(site))
    parsed = soup(html)
    assert parsed.find("img") is None
    assert parsed.select_one(".lp-byline__authors a").get_text() == authors["evil"].name


# Byline


def test_byline_shows_author_links_date_and_reading_time() -> None:
    page = article("a", "A", date="2026-03-14", authors="[mei-lin, dana]", body="word " * 460)
    site, renderer = render_site([page])
    html = renderer.document_html("<p>Body.</p>", only_document(site))
    byline = soup(html).select_one(".lp-byline")
    links = byline.select(".lp-byline__authors a")
    assert [a.get_text() for a in links] == ["Lin Mei", "Dana Ruiz"]
    assert targets(str(byline), "articles/a/index.md", selector=".lp-byline__authors a") == [
        SITE + "authors/mei-lin/",
        SITE + "authors/dana/",
    ]
    assert byline.select_one(".lp-byline__date").get_text(" ", strip=True) == (
        "Published March 14, 2026"
    )
    assert byline.select_one(".lp-byline__date time")["datetime"].startswith("2026-03-14")
    assert byline.select_one(".lp-byline__readtime").get_text() == "2 min read"


def test_byline_shows_the_updated_date_when_given() -> None:
    site, renderer = render_site([article("a", "A", updated="2026-04-02")])
    html = renderer.document_html("<p>Body.</p>", only_document(site))
    assert soup(html).select_one(".lp-byline__updated").get_text(" ", strip=True) == (
        "Updated April 2, 2026"
    )


def test_byline_without_authors_has_no_author_links() -> None:
    site, renderer = render_site([article("a", "A")])
    html = renderer.document_html("<p>Body.</p>", only_document(site))
    assert soup(html).select(".lp-byline__authors") == []
    assert soup(html).select_one(".lp-byline__readtime").get_text() == "1 min read"


def test_article_tags_and_categories_link_to_their_listings() -> None:
    page = article("a", "A", tags="[Pipeline]", categories="[Revenue operations]")
    site, renderer = render_site([page])
    html = renderer.document_html("<p>Body.</p>", only_document(site))
    assert targets(html, "articles/a/index.md", selector=".lp-chip") == [
        SITE + "articles/category/revenue-operations/",
        SITE + "articles/tag/pipeline/",
    ]
    for uri in ("articles/category/revenue-operations/index.md", "articles/tag/pipeline/index.md"):
        assert site.listing_for(uri) is not None


# Webinars


def test_past_webinar_shows_the_recording_link() -> None:
    recording = "https://video.example.com/recording"
    page = webinar("Pipeline clinic", NOW - timedelta(days=3), recording_url=recording)
    site, renderer = render_site([page])
    html = renderer.document_html("<p>About.</p>", only_document(site))
    parsed = soup(html)
    links = [a for a in parsed.find_all("a") if a.get("href") == recording]
    assert [a.get_text() for a in links] == ["Watch the recording"]
    assert parsed.find(id="register") is None
    assert "Register for free" not in text_of(html)
    assert "On demand" in text_of(html)


def test_past_webinar_without_recording_says_it_is_coming() -> None:
    site, renderer = render_site([webinar("Pipeline clinic", NOW - timedelta(days=3))])
    html = renderer.document_html("<p>About.</p>", only_document(site))
    assert "The recording will be available here soon." in text_of(html)
    assert soup(html).find(id="register") is None


def test_upcoming_webinar_shows_a_register_call_to_action_and_no_recording() -> None:
    recording = "https://video.example.com/recording"
    page = webinar(
        "Pipeline clinic",
        NOW + timedelta(days=3),
        recording_url=recording,
        registration_form="webinar-registration",
    )
    site, renderer = render_site([page])
    html = renderer.document_html("<p>About.</p>", only_document(site))
    parsed = soup(html)
    assert [a.get_text() for a in parsed.select('a[href="#register"]')] == ["Register for free"]
    register = parsed.find(id="register")
    assert register is not None
    slot = register.select_one(".lp-form-slot")
    assert slot is not None and slot["data-leadpress-form"] == "webinar-registration"
    assert parsed.select(f'a[href="{recording}"]') == []
    assert "Watch the recording" not in text_of(html)


def test_webinar_that_has_started_but_not_ended_still_invites_registration() -> None:
    page = webinar("Live now", NOW - timedelta(minutes=30), duration="60")
    site, renderer = render_site([page])
    html = renderer.document_html("<p>About.</p>", only_document(site))
    assert soup(html).find(id="register") is not None


def test_webinar_shows_time_with_offset_duration_and_speakers() -> None:
    page = parse(
        "webinars/w.md",
        front(
            title="Clinic",
            start="2026-12-10T15:00:00+08:00",
            duration="1h 30m",
            speakers="[{name: Lin Mei, title: Head of Growth, company: Tallyfold}]",
        ),
    )
    site, renderer = render_site([page])
    html = renderer.document_html("", only_document(site))
    shown = text_of(html)
    assert "December 10, 2026, 15:00 (UTC+08:00)" in shown
    assert "90 minutes" in shown
    assert "Lin Mei Head of Growth, Tallyfold" in shown


# Case studies


def test_case_study_shows_its_results_and_quote() -> None:
    text = (
        "---\ntitle: Tarnbrook doubles demos\ndate: 2026-01-01\ncustomer: Tarnbrook Freight\n"
        "industry: Logistics\ncompany_size: 200-500 employees\nresults:\n"
        '  - Lead-to-demo rate: "+38%"\n  - metric: Demos booked\n    value: "2x"\n'
        "quote:\n  text: We finally trust our pipeline.\n  author: Dana Ruiz\n"
        "  role: VP Marketing\n---\nStory.\n"
    )
    site, renderer = render_site([parse("case-studies/tarnbrook.md", text)])
    html = renderer.document_html("<p>Story.</p>", only_document(site))
    parsed = soup(html)
    results = [
        (
            li.select_one(".lp-results__metric").get_text(),
            li.select_one(".lp-results__value").get_text(),
        )
        for li in parsed.select(".lp-results li")
    ]
    assert results == [("Lead-to-demo rate", "+38%"), ("Demos booked", "2x")]
    assert parsed.select_one(".lp-quote blockquote").get_text(strip=True) == (
        "We finally trust our pipeline."
    )
    assert parsed.select_one(".lp-quote figcaption").get_text() == "Dana Ruiz, VP Marketing"
    facts = text_of(str(parsed.select_one(".lp-facts")))
    assert "Customer Tarnbrook Freight" in facts
    assert "Company size 200-500 employees" in facts
    assert targets(
        html, "case-studies/tarnbrook-doubles-demos/index.md", selector=".lp-facts a"
    ) == [SITE + "case-studies/industry/logistics/"]


def test_case_study_without_results_or_quote_shows_neither() -> None:
    text = front(title="Quiet story", date="2026-01-01", customer="Acme", industry="Retail")
    site, renderer = render_site([parse("case-studies/quiet.md", text)])
    parsed = soup(renderer.document_html("<p>Story.</p>", only_document(site)))
    assert parsed.select(".lp-results") == []
    assert parsed.select(".lp-quote") == []


# Listings


def test_listing_links_are_relative_and_point_to_the_pages() -> None:
    pages = [article(f"a{n:02d}", f"Article {n}", date=f"2026-01-{n:02d}") for n in range(1, 26)]
    site, renderer = render_site(pages, page_size=10)
    uri = "articles/page/2/index.md"
    html = renderer.listing_html("", site.listing_for(uri))
    hrefs = [a["href"] for a in soup(html).find_all("a")]
    assert all(not h.startswith(("/", "http")) for h in hrefs), hrefs
    cards = targets(html, uri, selector=".lp-card__title")
    assert cards == [SITE + f"articles/article-{n}/" for n in range(15, 5, -1)]
    assert targets(html, uri, selector=".lp-pagination a") == [
        SITE + "articles/",
        SITE + "articles/page/3/",
    ]
    assert "Page 2 of 3" in text_of(html)


def test_listing_links_without_directory_urls_point_to_html_files() -> None:
    pages = [article(f"a{n:02d}", f"Article {n}", date=f"2026-01-{n:02d}") for n in range(1, 26)]
    site, renderer = render_site(pages, directory_urls=False, page_size=10)
    uri = "articles/page/2/index.md"
    html = renderer.listing_html("", site.listing_for(uri))
    assert targets(html, uri, directory_urls=False, selector=".lp-card__title")[0] == (
        SITE + "articles/article-15/index.html"
    )
    assert targets(html, uri, directory_urls=False, selector=".lp-pagination a") == [
        SITE + "articles/index.html",
        SITE + "articles/page/3/index.html",
    ]


def test_first_listing_page_links_only_to_older_entries() -> None:
    pages = [article(f"a{n:02d}", f"Article {n}", date=f"2026-01-{n:02d}") for n in range(1, 26)]
    site, renderer = render_site(pages, page_size=10)
    html = renderer.listing_html("", site.listing_for("articles/index.md"))
    links = soup(html).select(".lp-pagination a")
    assert [(a["rel"], a["href"]) for a in links] == [(["next"], "page/2/")]


def test_articles_listing_links_to_category_pages() -> None:
    pages = [article("a", "A", categories="[Revenue operations]")]
    site, renderer = render_site(pages)
    html = renderer.listing_html("", site.listing_for("articles/index.md"))
    assert targets(html, "articles/index.md", selector=".lp-terms a") == [
        SITE + "articles/category/revenue-operations/"
    ]


def test_listing_own_intro_heading_replaces_the_generated_one() -> None:
    site, renderer = render_site([article("a", "A")])
    html = renderer.listing_html(
        "<h1>Our writing</h1><p>Intro.</p>", site.listing_for("articles/index.md")
    )
    assert [h1.get_text() for h1 in soup(html).find_all("h1")] == ["Our writing"]
    assert "Intro." in text_of(html)


def test_webinars_listing_shows_upcoming_and_past_sections() -> None:
    pages = [
        webinar("Soon", NOW + timedelta(days=2)),
        webinar("Gone", NOW - timedelta(days=2)),
    ]
    site, renderer = render_site(pages)
    html = renderer.listing_html("", site.listing_for("webinars/index.md"))
    parsed = soup(html)
    assert [h2.get_text() for h2 in parsed.find_all("h2")] == ["Upcoming", "Past webinars"]
    assert [a.get_text() for a in parsed.select(".lp-card__title")] == ["Soon", "Gone"]
    assert targets(html, "webinars/index.md", selector=".lp-card__title") == [
        SITE + "webinars/soon/",
        SITE + "webinars/gone/",
    ]


def test_author_listing_links_to_the_authors_pages() -> None:
    site, renderer = render_site([article("a", "A", authors="[mei-lin]")])
    html = renderer.listing_html("", site.listing_for("authors/mei-lin/index.md"))
    assert targets(html, "authors/mei-lin/index.md", selector=".lp-card__title") == [
        SITE + "articles/a/"
    ]


# Chinese pages


def test_chinese_article_gets_chinese_interface_strings() -> None:
    page = article("a", "客户关系管理指南", date="2026-03-03", authors="[mei-lin]", body="正文。")
    site, renderer = render_site([page])
    document = only_document(site)
    assert document.lang == "zh"
    html = renderer.document_html("<p>正文。</p>", document)
    parsed = soup(html)
    assert parsed.select_one(".lp-byline__readtime").get_text() == "阅读约 1 分钟"
    assert parsed.select_one(".lp-byline__date").get_text(" ", strip=True) == "发布于 2026年3月3日"
    assert parsed.select_one(".lp-byline__authors").get_text(" ", strip=True).startswith("作者")
    assert "min read" not in html


def test_chinese_webinar_gets_chinese_call_to_action() -> None:
    page = webinar("增长研讨会", NOW + timedelta(days=3))
    site, renderer = render_site([page])
    text = text_of(renderer.document_html("", only_document(site)))
    assert "即将开始的研讨会" in text
    assert "免费报名" in text
    assert "Register" not in text


def test_chinese_site_listing_gets_chinese_pagination() -> None:
    pages = [article(f"a{n:02d}", f"Article {n}", date=f"2026-01-{n:02d}") for n in range(1, 13)]
    site, renderer = render_site(pages, page_size=10, default_lang="zh")
    html = renderer.listing_html("", site.listing_for("articles/page/2/index.md"))
    text = text_of(html)
    assert "第 2 页，共 2 页" in text
    assert "较新" in text
    assert "阅读约 1 分钟" in text


# Cards shared between pages


def _every_page(site: SiteContent, renderer: Renderer) -> dict[str, str]:
    pages = {d.uri: renderer.document_html("<p>Body.</p>", d) for d in site.documents}
    pages.update({lst.uri: renderer.listing_html("", lst) for lst in site.listings})
    return pages


def _related_site(override_dirs: list[Path] = ()) -> tuple[SiteContent, Renderer]:
    pages = [
        article(
            f"a{n:02d}",
            f"Article {n}",
            date=f"2026-01-{n:02d}",
            tags=f"[pipeline, {'crm' if n % 2 else 'forecast'}]",
            lang="zh" if n % 5 == 0 else "en",
        )
        for n in range(1, 26)
    ]
    config = Settings(now=NOW, page_size=4)
    site, problems = build_site(pages, AUTHORS, config)
    assert problems == []
    return site, Renderer(site, config, override_dirs=override_dirs)


def test_a_card_is_rendered_once_for_the_pages_that_link_it_alike(tmp_path: Path) -> None:
    site, renderer = _related_site()
    shared = _every_page(site, renderer)
    assert renderer.cards_reused > 0  # related pages and listings show the same cards
    # A site's own copy of the card is rendered every time, as included: the same pages.
    override = tmp_path / "theme" / "leadpress" / "partials"
    override.mkdir(parents=True)
    (override / "card.html").write_text(CARD.read_text("utf-8"), "utf-8")
    site, again = _related_site([tmp_path / "theme"])
    assert _every_page(site, again) == shared
    assert again.cards_rendered == again.cards_reused == 0


def test_an_overridden_card_may_show_what_its_page_knows(tmp_path: Path) -> None:
    override = tmp_path / "theme" / "leadpress" / "partials"
    override.mkdir(parents=True)
    (override / "card.html").write_text(
        '<li class="lp-card">{{ entry.title }} on {{ listing.uri if listing else "-" }}</li>',
        "utf-8",
    )
    site, renderer = _related_site([tmp_path / "theme"])
    checked = 0
    for listing in site.listings:
        html = renderer.listing_html("", listing)
        shown = [li.get_text() for li in soup(html).select(".lp-card")]
        assert all(text.endswith(f" on {listing.uri}") for text in shown)
        checked += bool(shown)
    assert checked > 5  # pages of the articles listing and of its tags
