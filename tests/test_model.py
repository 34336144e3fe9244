"""The content model as plain functions over files: no MkDocs involved."""

from __future__ import annotations

import itertools
import posixpath
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import parse_page as parse
from leadpress.content.collections import Settings, build_site
from leadpress.content.loading import Parsed, Source, load_authors, parse_source
from leadpress.content.models import Author
from leadpress.content.readtime import reading_minutes
from leadpress.content.slugs import slugify
from leadpress.content.urls import relative_url, url_of

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def article(path: str, title: str, day: int = 1, **fields: str) -> Parsed:
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return parse(path, f"---\ntitle: {title}\ndate: 2026-03-{day:02d}\n{extra}---\nBody.\n")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("客户关系管理", "ke-hu-guan-xi-guan-li"),
        ("银行的线索管理", "yin-hang-de-xian-suo-guan-li"),  # 行 read as hang in 银行
        ("2026 年 ToB 增长指南", "2026-nian-tob-zeng-zhang-zhi-nan"),
        ("R&D <b>notes</b>: café", "r-d-b-notes-b-cafe"),
    ],
)
def test_titles_become_readable_slugs(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_unicode_slug_style_keeps_chinese() -> None:
    assert slugify("客户 关系", style="unicode") == "客户-关系"


def test_long_titles_are_cut_at_a_word_boundary() -> None:
    slug = slugify("pipeline " * 30, max_length=40)
    assert len(slug) <= 40 and slug.endswith("pipeline")


def test_reading_time_counts_chinese_characters_and_latin_words() -> None:
    assert reading_minutes("客" * 2000) == 5  # 400 characters a minute
    assert reading_minutes("word " * 2300) == 10  # 230 words a minute
    assert reading_minutes("客" * 400 + " word" * 230) == 2
    assert reading_minutes("```\n" + "code " * 5000 + "\n```\nshort") == 1


def test_urls_are_relative_between_pages() -> None:
    assert url_of("articles/x/index.md") == "articles/x/"
    assert url_of("articles/x/index.md", directory_urls=False) == "articles/x/index.html"
    assert relative_url("articles/y/", "articles/x/") == "../y/"
    assert relative_url("", "articles/page/2/") == "../../../"


def _relative_url_by_relpath(target: str, base: str) -> str:
    """What `relative_url` gives, worked out by `posixpath.relpath` as it once was."""
    base_dir = base if base.endswith("/") or not base else posixpath.dirname(base) + "/"
    relative = posixpath.relpath("/" + target, "/" + base_dir)
    if (not target or target.endswith("/")) and not relative.endswith("/"):
        relative += "/"
    return "./" if relative in (".", "./") else relative


def test_relative_urls_are_those_relpath_gives() -> None:
    # Every path of up to three segments from these, with and without slashes around it:
    # site URLs, and the empty, `.` and `..` segments the quick comparison leaves to relpath.
    segments = ["", "a", "b.html", ".", ".."]
    paths = {
        form
        for count in range(4)
        for combination in itertools.product(segments, repeat=count)
        for joined in ["/".join(combination)]
        for form in (joined, joined + "/", "/" + joined)
    }
    differing = [
        (target, base)
        for target in paths
        for base in paths
        if relative_url(target, base) != _relative_url_by_relpath(target, base)
    ]
    assert len(paths) == 380 and differing == []


def test_folder_decides_the_type_and_type_field_overrides() -> None:
    assert article("articles/a.md", "A").kind.value == "article"
    page = parse("articles/index.md", "---\ntitle: Intro\n---\n")
    assert page.kind.value == "page"
    moved = parse("stories/x.md", "---\ntype: article\ntitle: X\ndate: 2026-01-01\n---\n")
    assert moved.kind.value == "article"


def test_date_without_time_is_read_in_the_site_time_zone() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    parsed, _ = parse_source(
        Source("articles/a.md", "---\ntitle: A\ndate: 2026-03-01\n---\n", "a.md"), zone
    )
    assert parsed.meta.date == datetime(2026, 3, 1, tzinfo=zone)


def test_case_study_results_accept_the_one_line_shorthand() -> None:
    parsed = parse(
        "case-studies/c.md",
        "---\ntitle: C\ndate: 2026-01-01\ncustomer: Acme\nindustry: Retail\nresults:\n"
        '  - Lead-to-demo rate: "+38%"\n  - metric: Demos\n    value: 120\n---\n',
    )
    assert [(r.metric, r.value) for r in parsed.meta.results] == [
        ("Lead-to-demo rate", "+38%"),
        ("Demos", "120"),
    ]


@pytest.mark.parametrize(("written", "minutes"), [("60", 60), ("1h 30m", 90), ("PT45M", 45)])
def test_webinar_duration_forms(written: str, minutes: int) -> None:
    parsed = parse(
        "webinars/w.md",
        f"---\ntitle: W\nstart: 2027-01-01T10:00:00+08:00\nduration: {written}\n"
        "speakers: [{name: A}]\n---\n",
    )
    assert parsed.meta.duration == minutes


def test_unknown_field_suggests_the_known_one() -> None:
    _, problems = parse_source(
        Source("articles/a.md", "---\ntittle: A\ndate: 2026-01-01\n---\n", "content/a.md")
    )
    assert [(p.field, p.message.split(";")[0]) for p in problems] == [
        ("title", "missing"),
        ("tittle", "unknown field for an article"),
    ]
    assert "did you mean `title`?" in problems[1].message


def test_field_of_another_type_says_where_it_belongs() -> None:
    _, problems = parse_source(
        Source("articles/w.md", "---\ntitle: W\ndate: 2026-01-01\nduration: 60\n---\n", "w.md")
    )
    assert [str(p) for p in problems] == [
        "w.md: duration: is a webinar field, not an article's; move the file to webinars/ "
        "or set `type: webinar`"
    ]


def test_authors_file_problems_name_the_author_and_field() -> None:
    authors, problems = load_authors("mei:\n  name: Lin Mei\nbob: 3\n", "content/authors.yml")
    assert list(authors) == ["mei"]
    assert [str(p) for p in problems] == [
        "content/authors.yml: bob: must be a mapping with at least `name:`, "
        "e.g. `bob: {name: Lin Mei, title: Head of Growth}`"
    ]


def test_unicode_slugs_can_be_written_back_as_slug() -> None:
    for title in ("Пример статьи", "마케팅 가이드", "客户 关系"):
        slug = slugify(title, style="unicode")
        parsed, problems = parse_source(
            Source("articles/a.md", f"---\ntitle: T\ndate: 2026-01-01\nslug: {slug}\n---\n", "a")
        )
        assert problems == [] and parsed.meta.slug == slug


def test_drafts_and_future_pages_are_left_out_unless_asked() -> None:
    pages = [
        article("articles/live.md", "Live"),
        article("articles/draft.md", "Draft", draft="true"),
        parse("articles/later.md", "---\ntitle: Later\ndate: 2027-01-01\n---\n"),
    ]
    site, _ = build_site(pages, {}, Settings(now=NOW))
    assert [d.title for d in site.documents] == ["Live"]
    assert sorted(p.meta.title for p in site.excluded) == ["Draft", "Later"]
    with_drafts, _ = build_site(pages, {}, Settings(now=NOW, include_drafts=True))
    assert len(with_drafts.documents) == 3


def test_duplicate_slugs_are_reported_with_both_files() -> None:
    pages = [article("articles/a.md", "Same title"), article("articles/b.md", "Same title!")]
    _, problems = build_site(pages, {}, Settings(now=NOW))
    assert [str(p) for p in problems] == [
        "content/articles/b.md: slug: 'same-title' is already used by content/articles/a.md; "
        "give one of them another `slug:` so that each has its own URL"
    ]


def test_explicit_slug_wins_and_sets_the_url() -> None:
    site, _ = build_site([article("articles/a.md", "A title", slug="short")], {}, Settings(NOW))
    assert site.documents[0].uri == "articles/short/index.md"


def test_a_page_cannot_take_a_listing_pages_url() -> None:
    pages = [article("articles/a.md", "A"), parse("authors.md", "---\ntitle: Our team\n---\n")]
    _, problems = build_site(pages, {"mei": Author(id="mei", name="Mei")}, Settings(NOW))
    assert [str(p) for p in problems] == [
        "content/authors.md: its URL /authors/ is taken by the generated page “Authors”; "
        "rename the file or set another `slug:`"
    ]


def test_listing_is_paginated_newest_first() -> None:
    pages = [article(f"articles/a{n}.md", f"Article {n}", day=n) for n in range(1, 26)]
    site, _ = build_site(pages, {}, Settings(now=NOW, page_size=10))
    listings = [listing for listing in site.listings if listing.kind == "articles"]
    assert [listing.uri for listing in listings] == [
        "articles/index.md",
        "articles/page/2/index.md",
        "articles/page/3/index.md",
    ]
    assert [len(listing.sections[0][1]) for listing in listings] == [10, 10, 5]
    assert listings[0].sections[0][1][0].title == "Article 25"
    assert (listings[1].newer_uri, listings[1].older_uri) == (listings[0].uri, listings[2].uri)


def test_related_pages_share_the_most_labels() -> None:
    pages = [
        article("articles/a.md", "A", 1, tags="[x, y]"),
        article("articles/b.md", "B", 2, tags="[x, y]"),
        article("articles/c.md", "C", 3, tags="[x]"),
        article("articles/d.md", "D", 4, tags="[z]"),
    ]
    site, _ = build_site(pages, {}, Settings(now=NOW, related_count=3))
    related = {d.title: [r.title for r in d.related] for d in site.documents}
    assert related["A"] == ["B", "C"]
    assert related["D"] == []


def test_webinars_split_into_upcoming_and_past() -> None:
    def webinar(name: str, start: datetime) -> Parsed:
        return parse(
            f"webinars/{name}.md",
            f"---\ntitle: {name}\nstart: {start.isoformat()}\nspeakers: [{{name: A}}]\n---\n",
        )

    pages = [webinar("past", NOW - timedelta(days=3)), webinar("soon", NOW + timedelta(days=3))]
    site, _ = build_site(pages, {}, Settings(now=NOW))
    listing = site.listing_for("webinars/index.md")
    assert [(h, [d.title for d in docs]) for h, docs in listing.sections] == [
        ("Upcoming", ["soon"]),
        ("Past webinars", ["past"]),
    ]


def test_demo_files_load_without_problems() -> None:
    root = Path(__file__).resolve().parent.parent / "content"
    for path in sorted(root.rglob("*.md")):
        src_uri = path.relative_to(root).as_posix()
        lang = src_uri.split("/")[0]  # the demo keeps each language in its folder
        source = Source(src_uri, path.read_text(encoding="utf-8"), str(path), lang)
        assert parse_source(source, UTC)[1] == []
