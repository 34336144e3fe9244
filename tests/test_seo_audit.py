"""The SEO audit over built pages: each check finds what it should and nothing else."""

from __future__ import annotations

import json
import os
import pickle
import random
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest

import leadpress.seo.audit as audit_module
from leadpress.seo.audit import (
    CACHE_FILE,
    AuditRules,
    Finding,
    PageAuditor,
    ReadAhead,
    audit_site,
    count_words,
    format_table,
    page_facts,
    page_files,
    read_ahead,
    report_json,
)

SITE_URL = "https://example.com/"
CARD = "assets/card.png"
# The pages of the clean fixture site, by site-relative URL; each links to all of them.
CLEAN_PAGES = ("", "about/", "articles/first/", "articles/second/")
SENTENCE = ("Revenue", "teams", "review", "pipeline", "coverage", "every", "Monday", "before")


def prose(words: int) -> str:
    return " ".join(SENTENCE[i % len(SENTENCE)] for i in range(words)) + "."


def _file(path: str) -> str:
    """The built file for a site-relative URL: `x/` is `x/index.html`."""
    return path + "index.html" if path == "" or path.endswith("/") else path


@dataclass
class Site:
    """A built site folder written by hand, published at `url`."""

    root: Path
    url: str = SITE_URL
    nav: tuple[str, ...] = CLEAN_PAGES
    pages: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return urlsplit(self.url).path

    def page(
        self,
        path: str,
        *,
        title: str | None = None,
        description: str | None = None,
        og_type: str | None = None,
        og_image: str | None = "default",
        robots: str | None = None,
        h1: str | None = None,
        content: str | None = None,
        nav: tuple[str, ...] | None = None,
        extra: str = "",
    ) -> None:
        """Write a well-formed page at `path`; each keyword replaces one part of it.

        Defaults make every page's title and description unique and the right length, give
        articles (`articles/...`) `og:type` article and enough words, and link every page
        of the clean site from a navigation menu.
        """
        name = path.strip("/") or "home"
        title = f"Leadpress page {name} for revenue teams" if title is None else title
        if description is None:
            description = f"Everything a revenue team needs to know about {name}, in one page."
        og_type = og_type or ("article" if path.startswith("articles/") else "website")
        og_image = self.url + CARD if og_image == "default" else og_image
        head = ['<meta charset="utf-8">']
        if title:
            head.append(f"<title>{escape(title)}</title>")
        if description:
            head.append(f'<meta name="description" content="{escape(description)}">')
        head.append(f'<meta property="og:type" content="{og_type}">')
        if og_image:
            head.append(f'<meta property="og:image" content="{escape(og_image)}">')
        if robots:
            head.append(f'<meta name="robots" content="{robots}">')
        menu = "".join(
            f'<a href="{self.prefix}{quote(target)}">{target or "Home"}</a>'
            for target in (self.nav if nav is None else nav)
        )
        h1 = (title or name) if h1 is None else h1
        heading = f"<h1>{escape(h1)}</h1>" if h1 else ""
        if content is None:
            content = f'<h2 id="overview">Overview</h2><p>{prose(320)}</p>'
        main = heading + content + extra
        if og_type == "article":
            main = f"<article>{main}</article>"
        self.raw(
            _file(path),
            f"<!doctype html><html><head>{''.join(head)}</head>"
            f"<body><header><nav>{menu}</nav></header><main>{main}</main></body></html>",
        )

    def raw(self, file: str, html: str) -> None:
        target = self.root / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")

    def audit(self, rules: AuditRules | None = None) -> list[Finding]:
        return audit_site(self.root, self.url, rules or AuditRules())


def clean_site(root: Path, url: str = SITE_URL) -> Site:
    site = Site(root, url)
    for path in CLEAN_PAGES:
        site.page(path)
    (root / CARD).parent.mkdir(parents=True)
    (root / CARD).write_bytes(b"\x89PNG\r\n\x1a\n")
    # The not-found page is skipped entirely, however bare it is.
    site.raw("404.html", '<html><body><a href="/nowhere/">Lost?</a></body></html>')
    return site


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return clean_site(tmp_path / "site")


def found(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.check, f.severity, f.page) for f in findings]


# The clean site ---------------------------------------------------------------------------------


def test_a_clean_site_has_no_findings(site: Site) -> None:
    assert site.audit() == []
    assert [p.relative_to(site.root).as_posix() for p in page_files(site.root)] == [
        "about/index.html",
        "articles/first/index.html",
        "articles/second/index.html",
        "index.html",
    ]


def test_every_finding_says_what_and_how_to_fix(site: Site) -> None:
    site.page("about/", title="", description="", h1="", og_image=None, content="<h3>Skip</h3>")
    findings = site.audit()
    assert findings
    for finding in findings:
        assert finding.page == "/about/"
        assert finding.message and finding.fix
        assert finding.message != finding.fix


# Titles -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["", " \n "], ids=["no-element", "blank"])
def test_a_page_without_a_title_is_an_error(site: Site, title: str) -> None:
    site.page("about/", title=title, h1="About us")
    findings = site.audit()
    assert found(findings) == [("title-missing", "error", "/about/")]
    assert "`title:`" in findings[0].fix


def test_title_length_limits_are_inclusive(site: Site) -> None:
    site.page("about/", title="x" * 60)
    site.page("articles/first/", title="y" * 10)
    assert site.audit() == []


def test_long_and_short_titles_are_warnings_that_name_the_title(site: Site) -> None:
    long_title = "How revenue teams forecast renewals without a data team today"  # 61
    site.page("about/", title=long_title)
    site.page("articles/first/", title="Pipeline")
    findings = site.audit()
    assert found(findings) == [
        ("title-long", "warning", "/about/"),
        ("title-short", "warning", "/articles/first/"),
    ]
    assert long_title in findings[0].message and "61" in findings[0].message
    assert '"Pipeline"' in findings[1].message and "8" in findings[1].message


def test_a_chinese_character_counts_twice_toward_the_title_width(site: Site) -> None:
    site.page("articles/first/", title="客" * 31)  # width 62
    site.page("articles/second/", title="户" * 29)  # width 58
    site.page("about/", title="关" * 30)  # width 60: exactly the limit
    findings = site.audit()
    assert found(findings) == [("title-long", "warning", "/articles/first/")]
    assert "62" in findings[0].message


def test_custom_title_rules_are_used(site: Site) -> None:
    site.page("about/", title="Pricing for teams")  # 17 characters
    assert found(site.audit(AuditRules(title_min=18))) == [("title-short", "warning", "/about/")]
    assert site.audit(AuditRules(title_min=17)) == []


# Descriptions -----------------------------------------------------------------------------------


def test_a_page_without_a_description_is_an_error(site: Site) -> None:
    site.page("about/", description="")
    findings = site.audit()
    assert found(findings) == [("description-missing", "error", "/about/")]
    assert "`description:`" in findings[0].fix and "50–160" in findings[0].fix


def test_an_empty_description_tag_is_missing(site: Site) -> None:
    site.page("about/", description="placeholder description")
    page = site.root / "about/index.html"
    page.write_text(page.read_text().replace("placeholder description", " "), encoding="utf-8")
    assert found(site.audit()) == [("description-missing", "error", "/about/")]


def test_long_and_short_descriptions_are_warnings(site: Site) -> None:
    site.page("about/", description="d" * 161)
    site.page("articles/first/", description="Too short to earn a click.")
    site.page("articles/second/", description="e" * 160)
    assert found(site.audit()) == [
        ("description-long", "warning", "/about/"),
        ("description-short", "warning", "/articles/first/"),
    ]


def test_description_width_counts_chinese_characters_twice(site: Site) -> None:
    site.page("about/", description="客户关系管理" * 13 + "误区")  # 80 characters, width 160
    site.page("articles/first/", description="客户关系管理" * 13 + "误区们")  # width 162
    site.page("articles/second/", description="客户关系管理的五个常见误区" + "x" * 24)  # width 50
    findings = site.audit()
    assert found(findings) == [("description-long", "warning", "/articles/first/")]
    assert "162" in findings[0].message


# Duplicates -------------------------------------------------------------------------------------


def test_a_shared_title_is_reported_on_each_page_naming_the_others(site: Site) -> None:
    for path in ("about/", "articles/first/", "articles/second/"):
        site.page(path, title="Pipeline coverage for revenue teams")
    findings = site.audit()
    assert found(findings) == [
        ("title-duplicate", "warning", "/about/"),
        ("title-duplicate", "warning", "/articles/first/"),
        ("title-duplicate", "warning", "/articles/second/"),
    ]
    assert "/articles/first/, /articles/second/" in findings[0].message
    assert "/about/, /articles/second/" in findings[1].message


def test_a_shared_description_is_reported_on_each_page(site: Site) -> None:
    shared = "Everything a revenue team needs to know about pipeline, in one page."
    site.page("articles/first/", description=shared)
    site.page("articles/second/", description=shared)
    findings = site.audit()
    assert found(findings) == [
        ("description-duplicate", "warning", "/articles/first/"),
        ("description-duplicate", "warning", "/articles/second/"),
    ]
    assert "/articles/second/" in findings[0].message
    assert "/articles/first/" in findings[1].message


# Headings ---------------------------------------------------------------------------------------


def test_a_page_without_an_h1_is_an_error(site: Site) -> None:
    site.page("about/", h1="")
    assert found(site.audit()) == [("h1-missing", "error", "/about/")]


def test_an_h1_anywhere_in_the_body_counts(site: Site) -> None:
    site.page("about/", extra="<aside><h1>Newsletter</h1></aside>")
    findings = site.audit()
    assert found(findings) == [("h1-multiple", "error", "/about/")]
    assert "2" in findings[0].message and '"Newsletter"' in findings[0].message


def test_a_heading_that_skips_a_level_is_a_warning_naming_both(site: Site) -> None:
    site.page(
        "about/",
        content=(
            '<h2 id="team">Our team</h2><h4>Founders</h4><h2>Values</h2><h3>Focus</h3>'
            f"<h4>Depth</h4><p>{prose(50)}</p>"
        ),
    )
    findings = site.audit()
    assert found(findings) == [("heading-skip", "warning", "/about/")]
    assert '"Founders"' in findings[0].message and '"Our team"' in findings[0].message


def test_heading_permalinks_are_not_part_of_the_heading_text(site: Site) -> None:
    site.page(
        "about/",
        content='<h2 id="a">Plans<a class="headerlink" href="#a">¶</a></h2><h4>Details</h4>',
    )
    (finding,) = site.audit()
    assert 'h2 "Plans"' in finding.message and "¶" not in finding.message


# Images -----------------------------------------------------------------------------------------


def test_an_image_without_alt_is_an_error_naming_its_src(site: Site) -> None:
    site.page(
        "about/",
        extra='<img src="/assets/team.jpg"><img src="/assets/divider.svg" alt="">'
        '<img src="/assets/map.png" alt="Office map">',
    )
    findings = site.audit()
    assert found(findings) == [("image-alt-missing", "error", "/about/")]
    assert "/assets/team.jpg" in findings[0].message


# Links ------------------------------------------------------------------------------------------


def test_broken_internal_links_are_errors_in_every_form(site: Site) -> None:
    site.page(
        "articles/first/",
        extra=(
            '<a href="../gone/">relative</a>'
            '<a href="/pricing/">root-relative</a>'
            '<a href="https://example.com/webinars/">absolute</a>'
            '<a href="/assets/brochure.pdf?utm_source=site">file</a>'
        ),
    )
    findings = site.audit()
    assert found(findings) == [("broken-link", "error", "/articles/first/")] * 4
    messages = " ".join(f.message for f in findings)
    for target in ("/articles/gone/", "/pricing/", "/webinars/", "/assets/brochure.pdf"):
        assert target in messages


def test_links_that_reach_a_file_are_fine(site: Site) -> None:
    site.page("pricing.html")
    site.page(
        "articles/first/",
        extra=(
            '<a href="../second/">sibling</a>'
            '<a href="/about">folder without slash</a>'
            '<a href="/about/index.html">index file</a>'
            '<a href="/assets/card.png">image</a>'
            '<a href="/?ref=nav">home with a query</a>'
            '<a href="">this page</a>'
        ),
    )
    site.page("", extra='<a href="pricing.html">Pricing</a>')
    assert site.audit() == []


def test_links_off_the_site_are_not_checked(site: Site) -> None:
    site.page(
        "about/",
        extra=(
            '<a href="mailto:sales@example.com">mail</a>'
            '<a href="tel:+15550100">call</a>'
            '<a href="javascript:void(0)">menu</a>'
            '<a href="data:text/plain,hi">data</a>'
            '<a href="https://other.example/missing/">partner</a>'
            '<a href="//cdn.example.net/missing.js">cdn</a>'
            "<a>no href</a>"
        ),
    )
    assert site.audit() == []


def test_the_same_broken_link_twice_on_a_page_is_one_finding(site: Site) -> None:
    site.page("about/", extra='<a href="/gone/">a</a><p><a href="/gone/">again</a></p>')
    assert found(site.audit()) == [("broken-link", "error", "/about/")]


def test_percent_encoded_chinese_paths_are_decoded(site: Site) -> None:
    chinese = "文章/客户关系/"
    site.nav = (*CLEAN_PAGES, chinese)
    for path in site.nav:
        site.page(path)
    site.page("about/", extra=f'<a href="/{quote("文章/不存在/")}">gone</a>')
    findings = site.audit()
    assert found(findings) == [("broken-link", "error", "/about/")]
    assert "/文章/不存在/" in findings[0].message
    # A problem on the Chinese page is reported under its readable path.
    site.page(chinese, description="")
    assert found(site.audit()) == [
        ("broken-link", "error", "/about/"),
        ("description-missing", "error", "/文章/客户关系/"),
    ]


def test_pages_outside_folders_are_named_by_their_file(site: Site) -> None:
    site.nav = (*CLEAN_PAGES, "pricing.html")
    for path in site.nav:
        site.page(path)
    site.page("pricing.html", h1="Pricing", title="")
    assert found(site.audit()) == [("title-missing", "error", "/pricing.html")]


# Anchors ----------------------------------------------------------------------------------------


def test_anchors_are_checked_on_the_same_page_and_across_pages(site: Site) -> None:
    site.page("articles/second/", extra='<p id="appendix">Appendix</p><a name="legacy"></a>')
    site.page(
        "articles/first/",
        extra=(
            '<a href="#overview">ok</a>'
            '<a href="#">top</a>'
            '<a href="../second/#appendix">ok</a>'
            '<a href="/articles/second/#legacy">ok</a>'
            '<a href="#nowhere">bad here</a>'
            '<a href="/articles/second/#annex">bad there</a>'
        ),
    )
    findings = site.audit()
    assert found(findings) == [("broken-anchor", "error", "/articles/first/")] * 2
    here, there = (f.message for f in findings)
    assert '"#nowhere"' in here and "this page" in here
    assert '"#annex"' in there and "/articles/second/" in there


def test_an_href_shared_by_pages_of_one_folder_resolves_from_each_page(site: Site) -> None:
    # Pages of one folder share where their folder-relative links lead, never where a
    # fragment, a query or an empty href leads: those are the page itself.
    shared = '<a href="#appendix">a</a><a href="?q=1">q</a><a href="">me</a><a href="c.html">c</a>'
    site.page("articles/a.html", extra='<p id="appendix">Appendix</p>' + shared)
    site.page("articles/b.html", extra=shared)
    site.page("articles/c.html")
    site.page("other/b.html", extra=shared)
    broken = [f for f in site.audit() if f.check.startswith("broken")]
    assert sorted(found(broken)) == [
        ("broken-anchor", "error", "/articles/b.html"),
        ("broken-anchor", "error", "/other/b.html"),
        ("broken-link", "error", "/other/b.html"),
    ]
    assert all("/other/c.html" in f.message for f in broken if f.check == "broken-link")


def test_anchor_to_a_chinese_heading_id(site: Site) -> None:
    site.page("articles/second/", extra='<h2 id="误区一">误区一</h2>')
    site.page("articles/first/", extra=f'<a href="/articles/second/#{quote("误区一")}">1</a>')
    assert site.audit() == []
    site.page("articles/first/", extra=f'<a href="/articles/second/#{quote("误区二")}">2</a>')
    (finding,) = site.audit()
    assert finding.check == "broken-anchor" and "误区二" in finding.message


def test_an_anchor_on_a_missing_page_is_a_broken_link_only(site: Site) -> None:
    site.page("about/", extra='<a href="/gone/#part">gone</a>')
    assert found(site.audit()) == [("broken-link", "error", "/about/")]


# Orphans ----------------------------------------------------------------------------------------


def test_a_page_no_other_page_links_to_is_an_orphan(site: Site) -> None:
    site.page("articles/hidden/", extra='<a href="/articles/hidden/#overview">self</a>')
    findings = site.audit()
    assert found(findings) == [("orphan", "warning", "/articles/hidden/")]


def test_one_link_from_any_page_part_saves_a_page_from_being_an_orphan(site: Site) -> None:
    site.page("articles/hidden/")
    site.page("about/", extra='<footer><a href="../articles/hidden/#overview">x</a></footer>')
    assert site.audit() == []


def test_the_home_page_is_never_an_orphan(site: Site) -> None:
    for path in CLEAN_PAGES:
        site.page(path, nav=tuple(p for p in CLEAN_PAGES if p))
    assert site.audit() == []


# Thin content -----------------------------------------------------------------------------------


def test_a_short_article_is_thin_content(site: Site) -> None:
    site.page("articles/first/", h1="Short", content=f"<p>{prose(120)}</p>")
    findings = site.audit()
    assert found(findings) == [("thin-content", "warning", "/articles/first/")]
    assert "121" in findings[0].message  # the h1 counts as part of the article


def test_only_articles_are_checked_for_thin_content(site: Site) -> None:
    site.page("about/", content=f"<p>{prose(20)}</p>")
    site.page("articles/first/", og_type="website", content=f"<p>{prose(20)}</p>")
    assert site.audit() == []


def test_words_outside_the_article_element_do_not_count(site: Site) -> None:
    site.page("articles/first/", h1="Short", content=f"<p>{prose(290)}</p>")
    page = site.root / "articles/first/index.html"
    sidebar = f"<aside>{prose(400)}</aside><script>{prose(400)}</script>"
    page.write_text(page.read_text().replace("</main>", sidebar + "</main>"), encoding="utf-8")
    assert found(site.audit()) == [("thin-content", "warning", "/articles/first/")]
    assert found(site.audit(AuditRules(thin_words=291))) == []


def test_each_chinese_character_is_half_a_word(site: Site) -> None:
    # 596 characters with the heading: 298 words; 602 characters: 301 words.
    site.page("articles/first/", h1="标题", content=f"<p>{'客户关系管理。' * 99}</p>")
    site.page("articles/second/", h1="标题", content=f"<p>{'客户关系管理。' * 100}</p>")
    findings = site.audit()
    assert found(findings) == [("thin-content", "warning", "/articles/first/")]
    assert "298 words" in findings[0].message
    assert count_words("CRM 客户关系 pipeline, — 2026") == 5


# Social images ----------------------------------------------------------------------------------


def test_a_page_without_a_social_image_is_a_warning(site: Site) -> None:
    site.page("about/", og_image=None)
    findings = site.audit()
    assert found(findings) == [("social-image-missing", "warning", "/about/")]
    assert "`image:`" in findings[0].fix


@pytest.mark.parametrize("image", [SITE_URL + "assets/gone.png", "../assets/gone.png"])
def test_a_social_image_missing_from_the_site_is_an_error(site: Site, image: str) -> None:
    site.page("about/", og_image=image)
    findings = site.audit()
    assert found(findings) == [("social-image-missing", "error", "/about/")]
    assert image in findings[0].message


def test_a_social_image_on_another_host_is_not_checked(site: Site) -> None:
    site.page("about/", og_image="https://cdn.example.net/card.png")
    site.page("articles/first/", og_image="/assets/card.png")
    assert site.audit() == []


# Pages kept out of search engines ---------------------------------------------------------------


def test_a_noindex_page_gets_only_the_link_checks(site: Site) -> None:
    site.page(
        "thanks/",
        robots="noindex, follow",
        title="Leadpress page about for revenue teams",  # the about page's title
        description="short",
        og_image=None,
        h1="",
        content=f"<h3>Skipped</h3><img src='x.png'><p>{prose(5)}</p>",
        extra=(
            '<a href="/gone/">bad</a><a href="#nowhere">bad</a><a href="/articles/hidden/">ok</a>'
        ),
    )
    site.page("articles/hidden/")  # linked only from the noindex page: not an orphan
    assert found(site.audit()) == [
        ("broken-anchor", "error", "/thanks/"),
        ("broken-link", "error", "/thanks/"),
    ]


def test_a_noindex_article_is_not_thin_and_not_an_orphan(site: Site) -> None:
    site.page("articles/draft/", robots="NOINDEX,NOFOLLOW", content=f"<p>{prose(10)}</p>")
    assert site.audit() == []


# Sites in a sub-folder --------------------------------------------------------------------------


def test_a_site_under_a_path_resolves_pages_and_links_under_it(tmp_path: Path) -> None:
    site = clean_site(tmp_path / "site", "https://example.com/docs/")
    assert site.audit() == []
    site.page(
        "about/",
        title="",
        extra=(
            '<a href="/docs/articles/first/#overview">ok</a>'
            '<a href="https://example.com/docs/webinars/">bad</a>'
            '<a href="/docs/pricing/">bad</a>'
            '<a href="/blog/">another app on the host</a>'
        ),
    )
    site.page("articles/hidden/")
    findings = site.audit()
    assert found(findings) == [
        ("broken-link", "error", "/docs/about/"),
        ("broken-link", "error", "/docs/about/"),
        ("title-missing", "error", "/docs/about/"),
        ("orphan", "warning", "/docs/articles/hidden/"),
    ]
    assert "/docs/webinars/" in findings[1].message
    assert "/docs/pricing/" in findings[0].message


def test_a_site_url_without_a_trailing_slash_means_the_same(tmp_path: Path) -> None:
    site = clean_site(tmp_path / "site", "https://example.com/docs/")
    site.page("articles/first/", og_image=None)
    assert found(audit_site(site.root, "https://example.com/docs", AuditRules())) == [
        ("social-image-missing", "warning", "/docs/articles/first/")
    ]


# Reports ----------------------------------------------------------------------------------------


def _problem_site(site: Site) -> list[Finding]:
    site.page("about/", title="Hi", h1="", description="Too short.", extra='<a href="/gone/">x</a>')
    site.page("articles/first/", og_image=None, content=f"<p>客户 {prose(10)}</p>")
    return site.audit()


def test_findings_are_sorted_by_page_then_errors_first(site: Site) -> None:
    findings = _problem_site(site)
    assert found(findings) == [
        ("broken-link", "error", "/about/"),
        ("h1-missing", "error", "/about/"),
        ("description-short", "warning", "/about/"),
        ("title-short", "warning", "/about/"),
        ("social-image-missing", "warning", "/articles/first/"),
        ("thin-content", "warning", "/articles/first/"),
    ]


def test_the_json_report_is_complete_and_deterministic(site: Site) -> None:
    findings = _problem_site(site)
    text = report_json(findings, 4)
    assert text == report_json(list(reversed(findings)), 4)
    assert text == report_json(site.audit(), 4)
    report = json.loads(text)
    assert report["pages_audited"] == 4
    assert (report["errors"], report["warnings"]) == (2, 4)
    assert report["findings"][0] == {
        "page": "/about/",
        "check": "broken-link",
        "severity": "error",
        "message": findings[0].message,
        "fix": findings[0].fix,
    }
    assert [Finding(**f) for f in report["findings"]] == findings
    assert text.startswith('{\n  "pages_audited": 4,')


def test_the_json_report_keeps_chinese_readable(site: Site) -> None:
    site.page("about/", title="客户")
    text = report_json(site.audit(), 4)
    assert "客户" in text and "\\u" not in text


def test_the_table_groups_findings_under_each_page(site: Site) -> None:
    findings = _problem_site(site)
    table = format_table(list(reversed(findings)), 4)
    lines = table.splitlines()
    assert lines.count("/about/") == 1 and lines.count("/articles/first/") == 1
    about, articles = lines.index("/about/"), lines.index("/articles/first/")
    assert about < articles
    about_rows = [line.split()[:2] for line in lines[about + 1 : articles] if "fix:" not in line]
    assert about_rows == [
        ["error", "broken-link"],
        ["error", "h1-missing"],
        ["warning", "description-short"],
        ["warning", "title-short"],
        [],
    ]
    for finding in findings:
        row = next(i for i, line in enumerate(lines) if finding.message in line)
        assert lines[row + 1].strip() == f"fix: {finding.fix}"
        assert lines[row + 1].startswith(" ")
    assert lines[-1] == "4 pages audited: 2 errors, 4 warnings"


def test_the_table_of_a_clean_site_is_one_summary_line() -> None:
    assert format_table([], 12) == "12 pages audited: no findings"
    finding = Finding("/", "orphan", "warning", "m", "f")
    assert format_table([finding], 1).splitlines()[-1] == "1 page audited: 0 errors, 1 warning"


# Pages read in parallel and kept between audits -------------------------------------------------


def _troubled_site(root: Path) -> Site:
    """More pages than the pool's threshold, with a problem of every kind across pages."""
    site = clean_site(root)
    site.nav = (*CLEAN_PAGES, *(f"articles/a{i}/" for i in range(8)))
    for path in site.nav:
        site.page(path)
    site.page("articles/a0/", extra='<a href="../gone/">x</a><a href="#nowhere">y</a>')
    site.page("articles/a1/", extra='<a href="/articles/a2/#annex">x</a><a href="/404.html#x">')
    site.page("articles/a2/", title="Leadpress page about for revenue teams")  # as about/
    site.page("articles/a3/", description="", og_image="/assets/gone.png")
    site.page("articles/hidden/")  # an orphan
    site.page("thanks/", robots="noindex", extra='<a href="/articles/hidden/#overview">x</a>')
    site.page("articles/lonely/", nav=())  # an orphan that links nowhere
    return site


EXPECTED_TROUBLES = [
    ("title-duplicate", "warning", "/about/"),
    ("broken-anchor", "error", "/articles/a0/"),
    ("broken-link", "error", "/articles/a0/"),
    ("broken-anchor", "error", "/articles/a1/"),
    ("broken-anchor", "error", "/articles/a1/"),
    ("title-duplicate", "warning", "/articles/a2/"),
    ("description-missing", "error", "/articles/a3/"),
    ("social-image-missing", "error", "/articles/a3/"),
    ("orphan", "warning", "/articles/lonely/"),
]


def _count_pool_starts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    started: list[int] = []
    real = audit_module.process_pool

    def counting(*args, **kwargs):
        started.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(audit_module, "process_pool", counting)
    return started


def _count_pages_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Files read in this process (not in pool workers) by the audit."""
    read: list[str] = []
    real = PageAuditor.facts

    def counting(self, file, data):
        read.append(file)
        return real(self, file, data)

    monkeypatch.setattr(PageAuditor, "facts", counting)
    return read


def _count_file_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Files read with `Path.read_bytes` in this process (pages, for their facts or keys)."""
    reads: list[Path] = []
    read_bytes = Path.read_bytes

    def counting(path: Path) -> bytes:
        reads.append(path)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return reads


def test_findings_are_the_same_serially_in_a_pool_and_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _troubled_site(tmp_path / "site")
    cache = tmp_path / "cache"
    monkeypatch.setenv("LEADPRESS_JOBS", "1")
    serial = site.audit()
    assert found(serial) == EXPECTED_TROUBLES
    # An anchor on a page the audit does not list is looked for all the same.
    assert any("on /404.html" in f.message for f in serial)

    monkeypatch.setenv("LEADPRESS_JOBS", "2")
    started = _count_pool_starts(monkeypatch)
    assert site.audit() == serial
    assert audit_site(site.root, site.url, AuditRules(), cache) == serial
    assert len(started) == 2

    read = _count_pages_read(monkeypatch)
    assert audit_site(site.root, site.url, AuditRules(), cache) == serial
    assert read == [] and len(started) == 2  # every page's facts came from the cache


def test_pages_read_ahead_are_not_read_again_unless_changed_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A build's two rendering processes read the pages written, each from its own end of
    # the list; the audit reads only the others, and any page written again meanwhile.
    monkeypatch.setenv("LEADPRESS_JOBS", "1")
    site = _troubled_site(tmp_path / "site")
    pages = page_files(site.root)
    half = len(pages) // 2
    from_the_back = iter(reversed(pages[half:-1]))  # the helper's part: as it takes them
    parts = [
        read_ahead(site.root, pages[:2], site.url, AuditRules()),
        read_ahead(site.root, from_the_back, site.url, AuditRules()),
    ]
    ahead = ReadAhead.joined(parts)
    assert ahead is not None and len(ahead.facts) == 2 + len(pages[half:-1])
    assert ReadAhead.joined([]) is None
    changed = pages[half]
    changed.write_text(changed.read_text("utf-8").replace("<h1>", "<h1>New "), "utf-8")
    os.utime(changed, ns=(1, 1))  # a new modification time, as a rewrite gives
    expected = site.audit()
    read = _count_pages_read(monkeypatch)
    findings = audit_site(site.root, site.url, AuditRules(), tmp_path / "cache", ahead=ahead)
    assert findings == expected
    relative = [p.relative_to(site.root).as_posix() for p in pages]
    unread = [*relative[2:half], relative[-1]]
    assert sorted(read) == sorted([relative[half], *unread])


@pytest.mark.parametrize("read_first", ["by the audit", "ahead"])
def test_a_changed_page_is_audited_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_first: str
) -> None:
    # The first audit read every page itself, or was handed them all read ahead (a first
    # build whose two rendering processes read every page): either way it keeps their
    # facts, and the next audit reads only the pages that changed.
    monkeypatch.setenv("LEADPRESS_JOBS", "1")
    site = _troubled_site(tmp_path / "site")
    cache = tmp_path / "cache"
    ahead = None
    if read_first == "ahead":
        ahead = read_ahead(site.root, page_files(site.root), site.url, AuditRules())
    read = _count_pages_read(monkeypatch)
    audit_site(site.root, site.url, AuditRules(), cache, ahead=ahead)
    assert (read == []) == (ahead is not None)
    site.page("articles/a3/")  # fixed
    site.page("articles/a4/", title="")  # broken
    read.clear()
    findings = audit_site(site.root, site.url, AuditRules(), cache)
    assert sorted(read) == ["articles/a3/index.html", "articles/a4/index.html"]
    assert findings == site.audit()
    assert ("title-missing", "error", "/articles/a4/") in found(findings)
    assert not any(f.page == "/articles/a3/" for f in findings)


def test_a_file_unchanged_on_disk_is_not_read_again_and_one_changed_in_place_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages the build cache reuses are the same hard-linked files build after build: the
    # audit knows them by inode, size and time. A file rewritten in place, even to the same
    # size, has a new time and is read again.
    monkeypatch.setenv("LEADPRESS_JOBS", "1")
    site = _troubled_site(tmp_path / "site")
    cache = tmp_path / "cache"
    expected = audit_site(site.root, site.url, AuditRules(), cache)
    page = site.root / "articles/a1/index.html"
    html = page.read_bytes()
    reads = _count_file_reads(monkeypatch)
    assert audit_site(site.root, site.url, AuditRules(), cache) == expected
    assert page not in reads

    assert b"<title>" in html
    with open(page, "r+b") as file:  # same length: a missing title instead of a title
        file.write(html.replace(b"<title>", b"<xitle>", 1).replace(b"</title>", b"</xitle>", 1))
    findings = audit_site(site.root, site.url, AuditRules(), cache)
    assert page in reads
    assert ("title-missing", "error", "/articles/a1/") in found(findings)


def test_a_first_audit_reads_each_page_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no audit to compare with, a page's key is hashed from the bytes its facts are
    # read from, not from a reading of its own; the next audit still knows the files.
    monkeypatch.setenv("LEADPRESS_JOBS", "1")
    site = _troubled_site(tmp_path / "site")
    cache = tmp_path / "cache"
    reads = _count_file_reads(monkeypatch)
    expected = audit_site(site.root, site.url, AuditRules(), cache)
    pages = [p for p in reads if p.suffix == ".html" and p.name != "404.html"]
    assert pages and len(pages) == len(set(pages))
    reads.clear()
    assert audit_site(site.root, site.url, AuditRules(), cache) == expected
    assert not [p for p in reads if p.suffix == ".html" and p.name != "404.html"]


def test_an_unchanged_site_keeps_its_findings_and_a_removed_file_is_noticed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADPRESS_JOBS", "1")
    site = _troubled_site(tmp_path / "site")
    cache = tmp_path / "cache"
    expected = audit_site(site.root, site.url, AuditRules(), cache)
    loads: list[Path] = []
    load_facts = audit_module.load_facts
    monkeypatch.setattr(audit_module, "load_facts", lambda d: loads.append(d) or load_facts(d))
    assert audit_site(site.root, site.url, AuditRules(), cache) == expected
    assert loads == []  # nothing changed: not even the pages' facts were loaded

    card = site.root / CARD.lstrip("/")
    assert card.is_file()
    card.unlink()  # no page changes, but the image every page shares is gone
    findings = audit_site(site.root, site.url, AuditRules(), cache)
    assert findings == site.audit() and findings != expected
    assert loads != []


def test_the_cache_depends_on_the_rules_and_the_site_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADPRESS_JOBS", "1")
    site = _troubled_site(tmp_path / "site")
    cache = tmp_path / "cache"
    audit_site(site.root, site.url, AuditRules(), cache)
    strict = AuditRules(title_max=20)
    assert audit_site(site.root, site.url, strict, cache) == site.audit(strict)
    other = "https://other.example/"
    assert audit_site(site.root, other, AuditRules(), cache) == audit_site(site.root, other)


def test_the_cache_keeps_only_the_pages_of_the_last_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADPRESS_JOBS", "1")
    site = _troubled_site(tmp_path / "site")
    cache = tmp_path / "cache"
    audit_site(site.root, site.url, AuditRules(), cache)
    (site.root / "articles/lonely/index.html").unlink()
    audit_site(site.root, site.url, AuditRules(), cache)
    stored = pickle.loads((cache / CACHE_FILE).read_bytes())["entries"]
    assert sorted(f.file for f in stored.values()) == [
        p.relative_to(site.root).as_posix() for p in page_files(site.root)
    ]


@pytest.mark.parametrize(
    "content",
    [b"", b"not a pickle", pickle.dumps({"format": "0", "entries": {}})[:-3], b"\x80\x05K"],
    ids=["empty", "garbage", "truncated", "half-an-opcode"],
)
def test_an_unreadable_cache_is_an_empty_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    monkeypatch.setenv("LEADPRESS_JOBS", "1")
    site = _troubled_site(tmp_path / "site")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / CACHE_FILE).write_bytes(content)
    assert audit_site(site.root, site.url, AuditRules(), cache) == site.audit()
    stored = pickle.loads((cache / CACHE_FILE).read_bytes())  # written anew
    assert len(stored["entries"]) == len(page_files(site.root))


def test_cache_entries_of_another_kind_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADPRESS_JOBS", "1")
    site = _troubled_site(tmp_path / "site")
    cache = tmp_path / "cache"
    audit_site(site.root, site.url, AuditRules(), cache)
    stored = pickle.loads((cache / CACHE_FILE).read_bytes())
    stored["entries"] = dict.fromkeys(stored["entries"], "not facts")
    (cache / CACHE_FILE).write_bytes(pickle.dumps(stored))
    assert audit_site(site.root, site.url, AuditRules(), cache) == site.audit()


def test_page_facts_depend_on_the_page_alone(site: Site) -> None:
    data = (site.root / "about/index.html").read_bytes()
    facts = page_facts(data, "about/index.html", SITE_URL, AuditRules())
    assert facts == page_facts(data, "about/index.html", SITE_URL, AuditRules())
    assert pickle.loads(pickle.dumps(facts)) == facts
    assert facts.path == "/about/" and facts.indexable and "overview" in facts.anchors
    assert {target.relative for _, target in facts.links} == set(CLEAN_PAGES)


def _resolve_directly(site_url: str, base: str, href: str) -> tuple[str, str] | None:
    """Where a link leads, worked out from scratch with `urljoin` for every link."""
    prefix = unquote(urlsplit(site_url).path) or "/"
    try:
        parts = urlsplit(urljoin(base, href))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != urlsplit(site_url).netloc:
        return None
    path = unquote(parts.path)
    path = prefix if path + "/" == prefix else path
    return (path, unquote(parts.fragment)) if path.startswith(prefix) else None


@pytest.mark.parametrize("site_url", ["https://example.com/", "https://example.com/docs/"])
def test_links_shared_between_pages_resolve_as_urljoin_does(site_url: str) -> None:
    """The audit works each link target out once for many pages; odd hrefs (`..//x`,
    `../mailto:x`, `;`, `//`, tabs) must still land where `urljoin` puts them."""
    pieces = ["..", "../", ".", "./", "/", "//", "a", "文", "%2F", ":", "x:y", "https:", "?q", "#"]
    pieces += ["#s", ";", " ", "\t", "\x01", "//example.com", "mailto:", "index.html", "@", "["]
    files = ["index.html", "about/index.html", "a/b/c/index.html", "pricing.html", "文章/x.html"]
    auditor = PageAuditor(site_url, AuditRules())
    addresses = auditor.addresses
    generator = random.Random(7)
    for _ in range(20_000):
        href = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 6))).strip()
        base = addresses.page_url(generator.choice(files))
        target = addresses.locate(base, href)
        expected = _resolve_directly(site_url, base, href)
        assert (None if target is None else (target.path, target.fragment)) == expected, href
