"""The site as a whole: what is published, at which URL, and the generated listing pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from conftest import front
from conftest import parse_page as parse
from leadpress.content.collections import Listing, Settings, SiteContent, build_site
from leadpress.content.loading import Parsed, Source, parse_source
from leadpress.content.models import Author

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AUTHORS = {
    "mei-lin": Author(id="mei-lin", name="Lin Mei"),
    "dana": Author(id="dana", name="Dana Ruiz"),
}


def article(name: str, title: str, date: str = "2026-03-01", **fields: str) -> Parsed:
    return parse(f"articles/{name}.md", front(title=title, date=date, **fields) + "Body.\n")


def case_study(name: str, industry: str, date: str = "2026-03-01", **fields: str) -> Parsed:
    text = front(title=name, date=date, customer="Acme", industry=industry, **fields)
    return parse(f"case-studies/{name}.md", text)


def webinar(name: str, start: datetime, **fields: str) -> Parsed:
    text = front(title=name, start=start.isoformat(), speakers="[{name: Lin Mei}]", **fields)
    return parse(f"webinars/{name}.md", text)


def build(pages: list[Parsed], **settings: object) -> SiteContent:
    site, problems = build_site(pages, AUTHORS, Settings(**{"now": NOW, **settings}))
    assert problems == []
    return site


def titles(documents) -> list[str]:
    return [d.title for d in documents]


def listings_of(site: SiteContent, kind: str) -> list[Listing]:
    return [listing for listing in site.listings if listing.kind == kind]


def entries(listing: Listing) -> list[str]:
    return [title for _, documents in listing.sections for title in titles(documents)]


# What is published


def test_draft_is_left_out_and_listed_as_excluded() -> None:
    site = build([article("live", "Live"), article("wip", "Work in progress", draft="true")])
    assert titles(site.documents) == ["Live"]
    assert [p.meta.title for p in site.excluded] == ["Work in progress"]
    assert entries(site.listing_for("articles/index.md")) == ["Live"]


def test_future_dated_article_is_left_out_until_its_date() -> None:
    pages = [
        article("now", "Now", date=NOW.isoformat()),
        article("soon", "Soon", date=(NOW + timedelta(seconds=1)).isoformat()),
    ]
    site = build(pages)
    assert titles(site.documents) == ["Now"]
    assert [p.meta.title for p in site.excluded] == ["Soon"]
    later = build(pages, now=NOW + timedelta(days=1))
    assert sorted(titles(later.documents)) == ["Now", "Soon"]


def test_future_dated_case_study_is_left_out() -> None:
    site = build([case_study("later", "Retail", date="2027-01-01")])
    assert site.documents == []
    assert [p.meta.title for p in site.excluded] == ["later"]


def test_include_drafts_publishes_drafts_and_future_pages() -> None:
    pages = [
        article("live", "Live"),
        article("wip", "Work in progress", draft="true"),
        article("later", "Later", date="2027-01-01"),
    ]
    site = build(pages, include_drafts=True)
    assert sorted(titles(site.documents)) == ["Later", "Live", "Work in progress"]
    assert site.excluded == []


def test_draft_webinar_is_left_out() -> None:
    site = build([webinar("secret", NOW + timedelta(days=3), draft="true")])
    assert site.documents == []
    assert len(site.excluded) == 1


# Webinars: past or upcoming


def webinar_sections(site: SiteContent) -> list[tuple[str | None, list[str]]]:
    listing = site.listing_for("webinars/index.md")
    return [(heading, titles(documents)) for heading, documents in listing.sections]


def test_webinar_is_upcoming_until_it_ends() -> None:
    started = webinar("live-now", NOW - timedelta(minutes=30), duration="60")
    ended = webinar("just-ended", NOW - timedelta(minutes=90), duration="90")
    site = build([started, ended])
    assert webinar_sections(site) == [("Upcoming", ["live-now"]), ("Past webinars", ["just-ended"])]


def test_long_webinar_started_hours_ago_is_still_upcoming() -> None:
    site = build([webinar("workshop", NOW - timedelta(hours=2), duration="3h")])
    assert webinar_sections(site) == [("Upcoming", ["workshop"]), ("Past webinars", [])]


def test_future_webinar_is_published_and_upcoming() -> None:
    site = build([webinar("next-month", NOW + timedelta(days=30))])
    assert titles(site.documents) == ["next-month"]
    assert webinar_sections(site)[0] == ("Upcoming", ["next-month"])


def test_upcoming_webinars_soonest_first_and_past_newest_first() -> None:
    pages = [
        webinar("in-ten-days", NOW + timedelta(days=10)),
        webinar("tomorrow", NOW + timedelta(days=1)),
        webinar("last-year", NOW - timedelta(days=365)),
        webinar("last-week", NOW - timedelta(days=7)),
    ]
    assert webinar_sections(build(pages)) == [
        ("Upcoming", ["tomorrow", "in-ten-days"]),
        ("Past webinars", ["last-week", "last-year"]),
    ]


def test_webinars_listing_notes_when_nothing_is_scheduled() -> None:
    site = build([webinar("old", NOW - timedelta(days=7))])
    assert site.listing_for("webinars/index.md").note is not None
    site = build([webinar("new", NOW + timedelta(days=7))])
    assert site.listing_for("webinars/index.md").note is None


# Slugs and URLs


def test_two_titles_that_slug_the_same_give_one_problem_naming_both_files() -> None:
    pages = [article("a", "Same title"), article("b", "Same title!")]
    site, problems = build_site(pages, AUTHORS, Settings(now=NOW))
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.path, problem.field) == ("content/articles/b.md", "slug")
    assert "'same-title' is already used by content/articles/a.md" in problem.message
    assert "`slug:`" in problem.message
    assert [d.path for d in site.documents] == ["content/articles/a.md"]


def test_explicit_slug_equal_to_another_title_slug_is_a_duplicate() -> None:
    pages = [article("a", "Pipeline metrics"), article("b", "Other title", slug="pipeline-metrics")]
    _, problems = build_site(pages, AUTHORS, Settings(now=NOW))
    assert [(p.path, p.field) for p in problems] == [("content/articles/b.md", "slug")]
    assert "content/articles/a.md" in problems[0].message


def test_explicit_slug_wins_over_the_title() -> None:
    site = build([article("a", "Five pipeline metrics your board reads", slug="board-metrics")])
    assert site.documents[0].slug == "board-metrics"
    assert site.documents[0].uri == "articles/board-metrics/index.md"


def test_slug_from_the_title_places_the_page_in_its_type_folder() -> None:
    site = build(
        [
            article("x", "客户关系管理"),
            case_study("acme-story", "Retail"),
            webinar("Pipeline clinic", NOW + timedelta(days=1)),
        ]
    )
    assert sorted(d.uri for d in site.documents) == [
        "articles/ke-hu-guan-xi-guan-li/index.md",
        "case-studies/acme-story/index.md",
        "webinars/pipeline-clinic/index.md",
    ]


def test_same_slug_in_different_types_is_allowed() -> None:
    site = build([article("a", "Acme"), case_study("Acme", "Retail")])
    assert sorted(d.uri for d in site.documents) == [
        "articles/acme/index.md",
        "case-studies/acme/index.md",
    ]


def test_title_without_letters_falls_back_to_the_file_name() -> None:
    site = build([article("q3-review", "???")])
    assert site.documents[0].uri == "articles/q3-review/index.md"


def test_reserved_article_slugs_are_refused() -> None:
    pages = [article("a", "Page"), article("b", "X", slug="category"), article("c", "Tag")]
    site, problems = build_site(pages, AUTHORS, Settings(now=NOW))
    assert [(p.path, p.field) for p in problems] == [
        ("content/articles/a.md", "slug"),
        ("content/articles/b.md", "slug"),
        ("content/articles/c.md", "slug"),
    ]
    assert "'page' is reserved for the listing pages of articles/" in problems[0].message
    assert "`slug: page-guide`" in problems[0].message
    assert site.documents == []


def test_reserved_case_study_slug_is_refused() -> None:
    _, problems = build_site([case_study("Industry", "Retail")], AUTHORS, Settings(now=NOW))
    assert [(p.field, p.message.split(";")[0]) for p in problems] == [
        ("slug", "'industry' is reserved for the listing pages of case-studies/")
    ]


# Authors


def test_unknown_author_suggests_a_close_id() -> None:
    _, problems = build_site(
        [article("a", "A", authors="[mei-lin, mei-ln]")], AUTHORS, Settings(now=NOW)
    )
    assert [(p.path, p.field) for p in problems] == [("content/articles/a.md", "authors[1]")]
    assert "unknown author id 'mei-ln'" in problems[0].message
    assert "did you mean `mei-lin`?" in problems[0].message
    assert "authors.yml" in problems[0].message


def test_unknown_author_without_close_match_lists_the_known_ids() -> None:
    _, problems = build_site(
        [article("a", "A", authors="[zed]")], AUTHORS, Settings(now=NOW), "content/authors.yml"
    )
    assert [(p.path, p.field) for p in problems] == [("content/articles/a.md", "authors[0]")]
    assert "known ids: dana, mei-lin" in problems[0].message
    assert "content/authors.yml" in problems[0].message


def test_unknown_author_message_ends_the_id_list_before_the_next_sentence() -> None:
    _, problems = build_site([article("a", "A", authors="[zed]")], AUTHORS, Settings(now=NOW))
    # "known ids: dana, mei-lin Authors are defined in ..." runs two sentences together.
    assert re.search(r"dana, mei-lin[.;]", problems[0].message), problems[0].message


def test_unknown_author_when_no_author_is_defined() -> None:
    _, problems = build_site([article("a", "A", authors="[mei]")], {}, Settings(now=NOW))
    assert [p.field for p in problems] == ["authors[0]"]
    assert "no author is defined yet" in problems[0].message


def test_known_authors_are_attached_to_the_page() -> None:
    site = build([article("a", "A", authors="[dana, mei-lin]")])
    assert [a.name for a in site.documents[0].authors] == ["Dana Ruiz", "Lin Mei"]


# All problems at once


def test_every_problem_of_a_build_is_returned_together() -> None:
    bad_texts = {
        "articles/broken.md": front(title="Broken", date="next tuesday", draft="maybe"),
        "webinars/w.md": front(title="W", start="2026-12-10 15:00", speakers="[]"),
    }
    problems = []
    parsed_pages = []
    for src_uri, text in bad_texts.items():
        parsed, found = parse_source(Source(src_uri, text, f"content/{src_uri}"), UTC)
        assert parsed is None
        problems += found
    parsed_pages += [
        article("a", "Same", authors="[zed]"),
        article("b", "Same"),
        article("c", "Tag"),
    ]
    _, found = build_site(parsed_pages, AUTHORS, Settings(now=NOW))
    problems += found
    assert sorted((p.path, p.field) for p in problems) == [
        ("content/articles/a.md", "authors[0]"),
        ("content/articles/b.md", "slug"),
        ("content/articles/broken.md", "date"),
        ("content/articles/broken.md", "draft"),
        ("content/articles/c.md", "slug"),
        ("content/webinars/w.md", "speakers"),
        ("content/webinars/w.md", "start"),
    ]


# Listings


def test_25_articles_make_three_listing_pages_of_10_10_and_5() -> None:
    pages = [article(f"a{n:02d}", f"Article {n}", date=f"2026-01-{n:02d}") for n in range(1, 26)]
    site = build(pages, page_size=10)
    listings = listings_of(site, "articles")
    assert [listing.uri for listing in listings] == [
        "articles/index.md",
        "articles/page/2/index.md",
        "articles/page/3/index.md",
    ]
    assert [len(listing.sections[0][1]) for listing in listings] == [10, 10, 5]
    assert [(listing.page, listing.pages) for listing in listings] == [(1, 3), (2, 3), (3, 3)]


def test_listing_pages_are_newest_first_across_pages() -> None:
    pages = [article(f"a{n:02d}", f"Article {n}", date=f"2026-01-{n:02d}") for n in range(1, 26)]
    listings = listings_of(build(pages, page_size=10), "articles")
    shown = [title for listing in listings for title in entries(listing)]
    assert shown == [f"Article {n}" for n in range(25, 0, -1)]


def test_listing_pages_link_to_newer_and_older_pages() -> None:
    pages = [article(f"a{n:02d}", f"Article {n}", date=f"2026-01-{n:02d}") for n in range(1, 26)]
    listings = listings_of(build(pages, page_size=10), "articles")
    assert [(listing.newer_uri, listing.older_uri) for listing in listings] == [
        (None, "articles/page/2/index.md"),
        ("articles/index.md", "articles/page/3/index.md"),
        ("articles/page/2/index.md", None),
    ]


def test_empty_listing_is_a_single_page() -> None:
    site = build([])
    [listing] = listings_of(site, "articles")
    assert (listing.uri, listing.pages, entries(listing)) == ("articles/index.md", 1, [])


def test_one_listing_per_category_with_its_articles() -> None:
    pages = [
        article("a", "A", categories="[Revenue operations]"),
        article("b", "B", date="2026-04-01", categories="[Revenue operations, Demand gen]"),
        article("c", "C", date="2026-05-01", categories="[Demand gen]"),
    ]
    site = build(pages)
    assert {listing.uri: entries(listing) for listing in listings_of(site, "category")} == {
        "articles/category/demand-gen/index.md": ["C", "B"],
        "articles/category/revenue-operations/index.md": ["B", "A"],
    }
    terms = site.listing_for("articles/index.md").terms
    assert [(t.name, t.count) for t in terms] == [("Demand gen", 2), ("Revenue operations", 2)]


def test_tag_names_that_slug_the_same_share_one_listing() -> None:
    pages = [
        article("a", "A", tags="[Pipeline]"),
        article("b", "B", date="2026-04-01", tags="[pipeline]"),
        article("c", "C", date="2026-05-01", tags="[PIPELINE!, CRM]"),
    ]
    site = build(pages)
    assert {listing.uri: entries(listing) for listing in listings_of(site, "tag")} == {
        "articles/tag/crm/index.md": ["C"],
        "articles/tag/pipeline/index.md": ["C", "B", "A"],
    }


def test_category_with_chinese_name_gets_a_pinyin_url() -> None:
    site = build([article("a", "A", categories="[客户管理]")])
    [listing] = listings_of(site, "category")
    assert listing.uri == "articles/category/ke-hu-guan-li/index.md"
    assert listing.title == "Category: 客户管理"


def test_case_studies_are_listed_by_industry() -> None:
    pages = [
        case_study("x", "Logistics", date="2026-01-01"),
        case_study("y", "Retail", date="2026-02-01"),
        case_study("z", "logistics", date="2026-03-01"),
    ]
    site = build(pages)
    assert {listing.uri: entries(listing) for listing in listings_of(site, "industry")} == {
        "case-studies/industry/logistics/index.md": ["z", "x"],
        "case-studies/industry/retail/index.md": ["y"],
    }
    assert entries(site.listing_for("case-studies/index.md")) == ["z", "y", "x"]


def test_author_page_lists_that_authors_pages_newest_first() -> None:
    pages = [
        article("a", "A", date="2026-01-01", authors="[mei-lin]"),
        article("b", "B", date="2026-02-01", authors="[dana]"),
        case_study("c", "Retail", date="2026-03-01", authors="[mei-lin, dana]"),
        article("d", "D", date="2026-04-01"),
    ]
    site = build(pages)
    assert entries(site.listing_for("authors/mei-lin/index.md")) == ["c", "A"]
    assert entries(site.listing_for("authors/dana/index.md")) == ["c", "B"]
    assert site.listing_for("authors/mei-lin/index.md").author == AUTHORS["mei-lin"]
    index = site.listing_for("authors/index.md")
    assert [(t.name, t.uri, t.count) for t in index.terms] == [
        ("Dana Ruiz", "authors/dana/index.md", 2),
        ("Lin Mei", "authors/mei-lin/index.md", 2),
    ]


def test_author_without_pages_still_gets_a_page() -> None:
    site = build([article("a", "A", authors="[dana]")])
    assert entries(site.listing_for("authors/mei-lin/index.md")) == []


def test_no_author_pages_without_authors() -> None:
    site, _ = build_site([article("a", "A")], {}, Settings(now=NOW))
    assert listings_of(site, "authors") == []
    assert listings_of(site, "author") == []


def test_drafts_appear_in_no_listing() -> None:
    site = build(
        [
            article("a", "Live", categories="[X]", authors="[dana]"),
            article("b", "Draft", categories="[X]", authors="[dana]", draft="true"),
        ]
    )
    for listing in site.listings:
        assert "Draft" not in entries(listing)


# Related pages


def related(site: SiteContent) -> dict[str, list[str]]:
    return {d.title: titles(d.related) for d in site.documents}


def test_related_pages_are_ranked_by_shared_labels() -> None:
    pages = [
        article("a", "A", date="2026-01-01", tags="[pipeline, crm]", categories="[RevOps]"),
        article("b", "B", date="2026-01-02", tags="[pipeline]"),
        article("c", "C", date="2026-01-03", tags="[pipeline, crm]", categories="[RevOps]"),
        article("d", "D", date="2026-01-04", tags="[crm]", categories="[RevOps]"),
    ]
    assert related(build(pages))["A"] == ["C", "D", "B"]


def test_related_pages_never_include_the_page_itself() -> None:
    pages = [article(f"a{n}", f"A{n}", date=f"2026-01-0{n}", tags="[pipeline]") for n in (1, 2)]
    assert related(build(pages)) == {"A2": ["A1"], "A1": ["A2"]}


def test_related_pages_are_at_most_related_count() -> None:
    pages = [
        article(f"a{n}", f"A{n}", date=f"2026-01-0{n}", tags="[pipeline]") for n in range(1, 8)
    ]
    site = build(pages, related_count=2)
    assert all(len(d.related) == 2 for d in site.documents)
    assert related(site)["A1"] == ["A7", "A6"]  # newest first among equals


def _related_by_brute_force(site: SiteContent, count: int) -> dict[str, list[str]]:
    """Every pair of pages compared: the ranking the fast lookup must reproduce."""
    documents = site.documents

    def labels(d) -> set[str]:
        return {n.lower() for n in (*d.meta.tags, *getattr(d.meta, "categories", []))}

    expected = {}
    for document in documents:
        scored = []
        for number, other in enumerate(documents):
            shared = len(labels(document) & labels(other))
            if other is not document and shared:
                scored.append((-(2 * shared + (other.lang == document.lang)), number, other))
        expected[document.title] = [o.title for _, _, o in sorted(scored)[:count]]
    return expected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_related_pages_match_comparing_every_pair(seed: int) -> None:
    import random

    rng = random.Random(seed)
    words = ["pipeline", "crm", "churn", "pricing", "renewal", "intent", "forecast", "seo"]
    pages = []
    for n in range(80):
        # Up to eight labels: pages past six take the counting path, the rest the sets.
        tags = rng.sample(words, rng.randint(0, 6))
        categories = rng.sample(["RevOps", "Growth", "Sales"], rng.randint(0, 2))
        lang = "\nlang: zh" if rng.random() < 0.3 else ""
        day = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
        pages.append(
            article(
                f"a{n}",
                f"A{n}",
                date=day,
                tags=f"[{', '.join(tags)}]",
                categories=f"[{', '.join(categories)}]{lang}",
            )
        )
    site = build(pages, related_count=4)
    got, expected = related(site), _related_by_brute_force(site, 4)
    assert {
        title: (got[title], expected[title]) for title in got if got[title] != expected[title]
    } == {}


def test_no_related_pages_when_no_label_is_shared() -> None:
    pages = [
        article("a", "A", tags="[pipeline]"),
        article("b", "B", date="2026-01-02", tags="[hiring]"),
        article("c", "C", date="2026-01-03"),
    ]
    assert related(build(pages)) == {"C": [], "B": [], "A": []}


def test_related_pages_span_content_types() -> None:
    pages = [
        article("a", "A", tags="[logistics]"),
        case_study("story", "Logistics", date="2026-01-02", tags="[logistics]"),
    ]
    assert related(build(pages)) == {"A": ["story"], "story": ["A"]}


def test_tags_that_share_a_listing_count_as_shared_for_related_pages() -> None:
    # `Pipeline` and `pipeline` are one tag page; the same tag must also relate the pages.
    pages = [
        article("a", "A", date="2026-01-01", tags="[Pipeline]"),
        article("b", "B", date="2026-01-02", tags="[pipeline]"),
    ]
    site = build(pages)
    [tag_listing] = listings_of(site, "tag")
    assert entries(tag_listing) == ["B", "A"]
    assert related(site) == {"B": ["A"], "A": ["B"]}


# Language


def test_chinese_title_makes_a_chinese_page() -> None:
    site = build([article("a", "客户关系管理指南"), article("b", "Pipeline guide")])
    assert {d.title: d.lang for d in site.documents} == {
        "客户关系管理指南": "zh",
        "Pipeline guide": "en",
    }


def test_lang_field_wins_over_detection() -> None:
    site = build([article("a", "CRM 指南", lang="en"), article("b", "CRM", lang="zh")])
    assert {d.title: d.lang for d in site.documents} == {"CRM 指南": "en", "CRM": "zh"}


def test_default_language_applies_to_latin_titles() -> None:
    site = build([article("a", "Pipeline guide")], default_lang="de")
    assert site.documents[0].lang == "de"


def test_korean_title_is_not_labelled_chinese() -> None:
    site = build([article("a", "마케팅 가이드", slug="marketing-guide")])
    assert site.documents[0].lang != "zh"


def test_reading_time_is_computed_from_the_body() -> None:
    text = front(title="Long", date="2026-03-01") + "word " * 690
    site = build([parse("articles/long.md", text)])
    assert site.documents[0].minutes == 3
