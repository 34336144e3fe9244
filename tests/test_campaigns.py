"""Campaigns: landing pages, tracked links, short redirects, the links report, bad input.

Short links are followed the way a browser without JavaScript would: the redirect page is
parsed with a real HTML parser and its target must be a built page with exactly the
parameters of the links report.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from conftest import copy_demo, front, run_leadpress, tree_digest
from leadpress.campaigns.links import derive_code, target_problem, with_query

SITE_URL = "https://www.tallyfold.example/"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _report(root: Path, *args: str) -> list[dict[str, str]]:
    result = run_leadpress("links", "--format", "json", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("campaigns-demo"))
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


# Plain functions ---------------------------------------------------------------------------


def test_query_parameters_go_before_the_fragment_and_keep_existing_ones() -> None:
    assert with_query("https://e.com/a/#register", {"utm_source": "x", "ref": ""}) == (
        "https://e.com/a/?utm_source=x#register"
    )
    assert with_query("/a/?lang=zh", {"utm_medium": "a b"}) == "/a/?lang=zh&utm_medium=a+b"


def test_codes_are_short_url_safe_stable_and_distinct() -> None:
    code = derive_code("spring", "partner", "northwind")
    assert code == derive_code("spring", "partner", "northwind")
    assert len(code) == 6 and code.isalnum() and code == code.lower()
    assert code != derive_code("spring", "channel", "northwind")
    assert code != derive_code("autumn", "partner", "northwind")


def test_only_site_paths_and_allowed_hosts_may_be_targets() -> None:
    site = "https://www.e.com/"
    assert target_problem("/webinars/x/", site, []) is None
    assert target_problem("https://www.e.com/x/", site, []) is None
    assert target_problem("https://events.partner.com/x", site, ["events.partner.com"]) is None
    assert "allowed_hosts" in (target_problem("https://evil.example/", site, []) or "")
    assert target_problem("//evil.example/x", site, []) is not None
    assert target_problem("javascript:alert(1)", site, []) is not None


# The demo site's campaigns -----------------------------------------------------------------


def test_links_report_lists_every_channel_and_partner(demo: Path) -> None:
    rows = _report(demo)
    assert len(rows) == 11
    by_id = {(row["campaign"], row["id"]): row for row in rows}
    newsletter = by_id[("renewal-forecast-webinar", "newsletter")]
    assert newsletter["kind"] == "channel"
    assert newsletter["short_url"] == f"{SITE_URL}go/{newsletter['code']}/"
    query = dict(parse_qsl(urlsplit(newsletter["url"]).query))
    assert query == {
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "renewal-forecast-2027",
        "utm_content": "december-issue",
    }
    partner = by_id[("zhan-hui-xian-suo", "lanyue")]
    assert dict(parse_qsl(urlsplit(partner["url"]).query))["ref"] == partner["code"]
    assert partner["reward"].startswith("成功推荐")
    assert by_id[("renewal-forecast-webinar", "ferncastle")]["code"] == "ferncastle"
    assert urlsplit(by_id[("renewal-forecast-webinar", "linkedin-cs")]["url"]).path == (
        "/renewal-forecast-webinar/customer-success/"
    )
    codes = [row["code"] for row in rows]
    assert len(set(codes)) == len(codes)


def test_links_report_formats_and_campaign_filter(demo: Path) -> None:
    only = _report(demo, "--campaign", "zhan-hui-xian-suo")
    assert {row["campaign"] for row in only} == {"zhan-hui-xian-suo"} and len(only) == 5
    table = run_leadpress("links", cwd=demo)
    assert table.returncode == 0
    assert "Renewal forecast webinar, February 2027 (renewal-forecast-webinar)" in table.stdout
    assert "2027 春季工业展线索管理专题" in table.stdout
    as_csv = run_leadpress("links", "--format", "csv", cwd=demo)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["code"] for r in rows] == [r["code"] for r in _report(demo)]
    unknown = run_leadpress("links", "--campaign", "nope", cwd=demo)
    assert unknown.returncode == 1 and "renewal-forecast-webinar" in unknown.stderr


def test_every_short_link_leads_to_a_built_page_with_the_exact_parameters(demo: Path) -> None:
    site = demo / "site"
    rows = _report(demo)
    for row in rows:
        page = site / "go" / row["code"] / "index.html"
        soup = _soup(page)
        refresh = soup.find("meta", attrs={"http-equiv": "refresh"})["content"]
        target = refresh.split("url=", 1)[1]
        assert target == row["url"]
        assert soup.find("link", rel="canonical")["href"] == row["url"]
        assert soup.find("a")["href"] == row["url"]
        assert "noindex" in soup.find("meta", attrs={"name": "robots"})["content"]
        parts = urlsplit(target)
        assert target.startswith(SITE_URL)
        landed = site / unquote(parts.path).lstrip("/") / "index.html"
        assert landed.is_file(), target
        expected = dict(parse_qsl(urlsplit(row["url"]).query))
        assert dict(parse_qsl(parts.query)) == expected
    redirects = (site / "_redirects").read_text(encoding="utf-8").splitlines()
    assert f"/go/{rows[0]['code']}/ {rows[0]['url']} 302" in redirects
    assert len(redirects) == 2 * len(rows)


def test_short_links_are_not_in_the_sitemap(demo: Path) -> None:
    locs = etree.parse(str(demo / "site/sitemap.xml")).xpath("//s:loc/text()", namespaces=NS)
    assert not [loc for loc in locs if "/go/" in loc]
    assert f"{SITE_URL}renewal-forecast-webinar/" in locs


def test_codes_are_stable_across_builds(demo: Path, tmp_path: Path) -> None:
    again = copy_demo(tmp_path / "again")
    assert run_leadpress("build", cwd=again).returncode == 0
    first = {k: v for k, v in tree_digest(demo / "site").items() if k.startswith("go/")}
    second = {k: v for k, v in tree_digest(again / "site").items() if k.startswith("go/")}
    assert first == second and len(first) == 11
    assert (demo / "site/_redirects").read_bytes() == (again / "site/_redirects").read_bytes()


def test_published_links_report_and_qr_codes(demo: Path) -> None:
    folder = demo / "site/campaigns/renewal-forecast-webinar"
    rows = list(csv.DictReader((folder / "links.csv").open(encoding="utf-8")))
    assert len(rows) == 6
    for row in rows:
        svg = etree.parse(str(folder / "qr" / f"{row['code']}.svg")).getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"


def test_landing_page_has_one_path_and_no_site_navigation(demo: Path) -> None:
    page = demo / "site/renewal-forecast-webinar/index.html"
    soup = _soup(page)
    assert soup.h1.get_text(strip=True) == "Build a renewal forecast your CFO will sign off"
    assert soup.find(class_="md-tabs") is None
    assert soup.find("nav", class_="md-nav--primary") is None
    assert soup.find("footer", class_="md-footer") is None
    header_links = [a["href"] for a in soup.find("header").find_all("a")]
    assert header_links == [".."]  # the logo, home
    buttons = soup.select(".lp-landing a.md-button")
    assert {b["href"] for b in buttons} == {
        "../webinars/live-building-a-renewal-forecast-your-cfo-trusts/#register"
    }
    proof = soup.select(".lp-proof__item")
    assert len(proof) == 1 and "Ferncastle" in proof[0].get_text()
    types = [
        json.loads(s.string)["@type"] for s in soup.find_all("script", type="application/ld+json")
    ]
    assert "FAQPage" in types
    assert soup.find("link", rel="canonical")["href"] == SITE_URL + "renewal-forecast-webinar/"


def test_chinese_landing_page_before_its_start(demo: Path) -> None:
    soup = _soup(demo / "site/zhan-hui-xian-suo/index.html")
    assert soup.html["lang"] == "zh"
    assert "本活动将于2027年3月1日开始" in soup.get_text()
    assert not soup.select(".lp-landing a.md-button")  # no action before it opens
    assert soup.find(class_="lp-proof__item") is not None


def test_ended_campaign_points_to_the_newest_content(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "later")
    result = run_leadpress("build", cwd=root, now=datetime(2027, 2, 10, tzinfo=UTC))
    assert result.returncode == 0, result.stderr
    soup = _soup(root / "site/renewal-forecast-webinar/index.html")
    assert "This offer has ended." in soup.get_text()
    assert not soup.select(".lp-landing a.md-button")
    cards = soup.select(".lp-landing .lp-card__title")
    assert len(cards) == 3
    for card in cards:
        target = (root / "site/renewal-forecast-webinar" / card["href"]).resolve()
        assert (target / "index.html").is_file()


def test_campaign_shorthand_in_markdown_becomes_a_tracked_link(demo: Path) -> None:
    page = demo / "site/articles/the-72-hour-webinar-follow-up-playbook/index.html"
    links = [a["href"] for a in _soup(page).select("article a[href*='utm_']")]
    assert len(links) == 1
    href = links[0]
    assert href.startswith("../../renewal-forecast-webinar/?")
    assert dict(parse_qsl(urlsplit(href).query)) == {
        "utm_source": "tallyfold",
        "utm_medium": "banner",
        "utm_campaign": "renewal-forecast-2027",
        "utm_content": "the-72-hour-webinar-follow-up-playbook",
    }
    # links to the site's own pages carry no tracking
    others = [a["href"] for a in _soup(page).select("article a[href]") if a["href"] != href]
    assert others and not [h for h in others if "utm_" in h]


def test_markdown_landing_page_gets_the_landing_layout(demo: Path) -> None:
    soup = _soup(demo / "site/book-a-demo/index.html")
    assert soup.h1.get_text(strip=True).rstrip("¶") == "See Tallyfold with your own numbers"
    assert soup.find("nav", class_="md-nav--primary") is None
    assert soup.find(class_="md-tabs") is None


# Bad input ---------------------------------------------------------------------------------

CAMPAIGN = """\
name: Test campaign
slug: test-campaign
start: 2026-11-01
end: 2026-12-31
landing:
  - headline: A headline for the test
    cta: {label: Go, url: /about/}
channels:
  - {id: newsletter, name: Newsletter, utm_source: newsletter, utm_medium: email}
partners:
  - {id: partner-one, name: Partner one}
"""

BAD_INPUT = [
    (
        CAMPAIGN.replace("end: 2026-12-31", "end: 2026-10-01"),
        "end",
        "before start",
    ),
    (
        CAMPAIGN.replace("cta: {label: Go, url: /about/}", "form: no-such-form"),
        "landing[0].form",
        "unknown form 'no-such-form'",
    ),
    (
        CAMPAIGN.replace(
            "cta: {label: Go, url: /about/}",
            "cta: {label: Go, url: /about/}\n    proof: {tags: [no-such-tag]}",
        ),
        "landing[0].proof.tags[0]",
        "no case study has the tag 'no-such-tag'",
    ),
    (
        CAMPAIGN.replace(
            "{id: partner-one, name: Partner one}", "{id: partner-one, name: P, code: Bad_Code}"
        ),
        "partners[0].code",
        "not a valid code",
    ),
    (
        CAMPAIGN.replace(
            "{id: partner-one, name: Partner one}",
            "{id: partner-one, name: P, code: same}\n  - {id: partner-two, name: Q, code: same}",
        ),
        "partners[1].code",
        "already used",
    ),
    (
        CAMPAIGN.replace(
            "utm_medium: email}", "utm_medium: email, url: 'https://evil.example/phish'}"
        ),
        "channels[0].url",
        "evil.example is not one of the site's hosts",
    ),
    (
        CAMPAIGN.replace("url: /about/}", "url: 'https://evil.example/x'}"),
        "landing[0].cta.url",
        "evil.example is not one of the site's hosts",
    ),
    (
        CAMPAIGN.replace("utm_medium: email}", "utm_medum: email}"),
        "channels[0].utm_medum",
        "did you mean `utm_medium`?",
    ),
    (
        CAMPAIGN.replace("    cta: {label: Go, url: /about/}\n", ""),
        "landing[0].cta",
        "needs a `form:` or a `cta:`",
    ),
]


@pytest.fixture
def built_copy(demo: Path, tmp_path: Path) -> Path:
    """A private copy of the built demo, site/ included, that a test may change."""
    return Path(shutil.copytree(demo, tmp_path / "built", symlinks=True))


@pytest.mark.parametrize(("text", "field", "message"), BAD_INPUT)
def test_bad_campaign_files_are_clear_errors_and_write_nothing(
    built_copy: Path, text: str, field: str, message: str
) -> None:
    demo_copy = built_copy
    before = tree_digest(demo_copy / "site")
    (demo_copy / "campaigns/test.yml").write_text(text, encoding="utf-8")
    result = run_leadpress("build", cwd=demo_copy)
    assert result.returncode == 1
    assert f"campaigns/test.yml: {field}: " in result.stderr
    assert message in result.stderr
    assert tree_digest(demo_copy / "site") == before


def test_bad_campaign_files_fail_the_links_report_too(demo_copy: Path) -> None:
    (demo_copy / "campaigns/test.yml").write_text(BAD_INPUT[0][0], encoding="utf-8")
    result = run_leadpress("links", cwd=demo_copy)
    assert result.returncode == 1
    assert "campaigns/test.yml: end: " in result.stderr


def test_unknown_campaign_in_a_markdown_link_names_the_page(demo_copy: Path) -> None:
    article = demo_copy / "content/en/articles/webinar-follow-up-playbook.md"
    text = article.read_text(encoding="utf-8").replace(
        "campaign:renewal-forecast-webinar/blog-banner", "campaign:no-such-campaign"
    )
    article.write_text(text, encoding="utf-8")
    result = run_leadpress("build", cwd=demo_copy)
    assert result.returncode == 1
    assert "content/en/articles/webinar-follow-up-playbook.md" in result.stderr
    assert "no campaign has the slug 'no-such-campaign'" in result.stderr
    assert not (demo_copy / "site").exists()


def test_campaign_slug_on_an_existing_page_is_an_error(demo_copy: Path) -> None:
    shutil.copy(demo_copy / "content/en/about.md", demo_copy / "content/en/test-campaign.md")
    (demo_copy / "campaigns/test.yml").write_text(CAMPAIGN, encoding="utf-8")
    result = run_leadpress("build", cwd=demo_copy)
    assert result.returncode == 1
    assert "campaigns/test.yml: slug: /test-campaign/ is already the address" in result.stderr


def test_noindex_campaigns_stay_out_of_search(demo_copy: Path) -> None:
    (demo_copy / "campaigns/test.yml").write_text("noindex: true\n" + CAMPAIGN, "utf-8")
    (demo_copy / "content/en/articles/x.md").write_text(
        front(title="Tracked", date="2026-01-05") + "\n[Go](campaign:test-campaign)\n", "utf-8"
    )
    result = run_leadpress("build", cwd=demo_copy)
    assert result.returncode == 0, result.stderr
    robots = _soup(demo_copy / "site/test-campaign/index.html").find(
        "meta", attrs={"name": "robots"}
    )
    assert robots["content"].startswith("noindex")
    locs = etree.parse(str(demo_copy / "site/sitemap.xml")).xpath("//s:loc/text()", namespaces=NS)
    assert f"{SITE_URL}test-campaign/" not in locs


def test_demo_builds_in_strict_mode(built_copy: Path) -> None:
    # Strict mode fails on any MkDocs warning, e.g. a generated link MkDocs cannot resolve.
    result = run_leadpress("build", "--strict", cwd=built_copy)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
