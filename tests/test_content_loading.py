"""Front matter and authors.yml: every mistake is one Problem that says what is wrong and how
to write it right."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadpress.content.loading import Parsed, Source, load_authors, parse_source
from leadpress.content.models import ContentType
from leadpress.problems import Problem

AUTHORS = "content/authors.yml"
WEBINAR_START = "start: 2027-02-04T10:00:00+08:00"


def parse(src_uri: str, text: str, timezone=UTC) -> tuple[Parsed | None, list[Problem]]:
    return parse_source(Source(src_uri, text, f"content/{src_uri}"), timezone)


def parsed_ok(src_uri: str, text: str, timezone=UTC) -> Parsed:
    parsed, problems = parse(src_uri, text, timezone)
    assert problems == []
    assert parsed is not None
    return parsed


def only_problem(src_uri: str, text: str) -> Problem:
    parsed, problems = parse(src_uri, text)
    assert parsed is None
    assert len(problems) == 1, problems
    assert problems[0].path == f"content/{src_uri}"
    assert problems[0].severity == "error"
    return problems[0]


def example_in(message: str, field: str) -> str:
    """The `field: ...` example a message quotes in backquotes."""
    match = re.search(rf"`({re.escape(field)}: [^`]+)`", message)
    assert match, f"no example for {field!r} in: {message}"
    return match.group(1)


def front_matter(*lines: str) -> str:
    return "---\n" + "".join(f"{line}\n" for line in lines) + "---\nBody.\n"


def article_with(line: str) -> str:
    """A valid article with one front-matter line added or replaced."""
    fields = {"title": "title: A", "date": "date: 2026-03-01"}
    fields[line.split(":")[0]] = line
    return front_matter(*fields.values())


def webinar(start: str, *lines: str) -> str:
    return front_matter(
        "title: Pipeline clinic", f"start: {start}", "speakers: [{name: Lin Mei}]", *lines
    )


def case_study(*lines: str) -> str:
    return front_matter(
        "title: Tarnbrook doubles demos",
        "date: 2026-03-01",
        "customer: Tarnbrook Freight",
        "industry: Logistics",
        *lines,
    )


# Missing and malformed values


def test_missing_title_is_reported_with_an_example() -> None:
    problem = only_problem("articles/a.md", front_matter("date: 2026-03-01"))
    assert problem.field == "title"
    assert problem.message.startswith("missing")
    assert "every article needs it" in problem.message
    example = example_in(problem.message, "title")
    parsed_ok("articles/a.md", front_matter(example, "date: 2026-03-01"))


def test_missing_date_on_an_article_is_reported() -> None:
    problem = only_problem("articles/a.md", front_matter("title: A"))
    assert (problem.field, problem.message.split(";")[0]) == ("date", "missing")
    parsed_ok("articles/a.md", front_matter("title: A", example_in(problem.message, "date")))


@pytest.mark.parametrize("written", ["2026-13-45", "next tuesday", "03/14/2026"])
def test_unparsable_date_is_reported_with_the_expected_format(written: str) -> None:
    problem = only_problem("articles/a.md", front_matter("title: A", f"date: {written}"))
    assert problem.field == "date"
    assert f"'{written}' is not a date" in problem.message
    assert "YYYY-MM-DD" in problem.message
    parsed_ok("articles/a.md", front_matter("title: A", example_in(problem.message, "date")))


def test_webinar_start_without_time_zone_asks_for_the_utc_offset() -> None:
    problem = only_problem("webinars/w.md", webinar("2026-12-10 15:00"))
    assert problem.field == "start"
    assert "'2026-12-10 15:00' has no time zone" in problem.message
    assert "UTC offset" in problem.message
    assert example_in(problem.message, "start") == WEBINAR_START
    parsed_ok("webinars/w.md", webinar(WEBINAR_START.removeprefix("start: ")))


def test_webinar_start_that_is_a_plain_date_says_the_time_is_missing() -> None:
    problem = only_problem("webinars/w.md", webinar("2026-12-10"))
    assert problem.field == "start"
    assert "'2026-12-10'" in problem.message
    # A plain date lacks the time as well as the offset; the message must not call it a
    # zone-less time (it is read as midnight, which the author never wrote).
    assert "without a time" in problem.message
    assert example_in(problem.message, "start") == WEBINAR_START


def test_webinar_start_that_is_not_a_date_is_reported() -> None:
    problem = only_problem("webinars/w.md", webinar("tomorrow at ten"))
    assert problem.field == "start"
    assert "'tomorrow at ten' is not a date and time" in problem.message
    assert example_in(problem.message, "start") == WEBINAR_START


def test_webinar_start_with_an_offset_is_accepted() -> None:
    parsed = parsed_ok("webinars/w.md", webinar("2026-12-10T15:00:00+08:00"))
    assert parsed.meta.start.utcoffset() == timedelta(hours=8)
    assert parsed.meta.start.hour == 15


@pytest.mark.parametrize(
    ("line", "field", "says", "fix"),
    [
        ("tags: 42", "tags", "expected a list, got a number 42", None),
        ("draft: maybe", "draft", "expected true or false, got 'maybe'", None),
        ("title: 2026", "title", "expected text, got a number 2026", None),
        ("lang: Chinese", "lang", "'Chinese' is not valid here", "lang: zh"),
        ("slug: Five Metrics", "slug", "'Five Metrics' is not a valid slug", "slug: five-metrics"),
    ],
)
def test_wrong_type_is_reported_with_an_example(
    line: str, field: str, says: str, fix: str | None
) -> None:
    problem = only_problem("articles/a.md", article_with(line))
    assert problem.field == field
    assert says in problem.message
    example = example_in(problem.message, field)
    parsed_ok("articles/a.md", article_with(fix or example))


def test_results_written_as_text_must_be_a_list() -> None:
    problem = only_problem("case-studies/c.md", case_study("results: +38% more demos"))
    assert problem.field == "results"
    assert "expected a list, got text '+38% more demos'" in problem.message
    example = example_in(problem.message, "results")
    parsed = parsed_ok("case-studies/c.md", case_study(example))
    assert [(r.metric, r.value) for r in parsed.meta.results] == [("Lead-to-demo rate", "+38%")]


def test_empty_title_is_reported() -> None:
    problem = only_problem("articles/a.md", front_matter("title: '  '", "date: 2026-03-01"))
    assert problem.field == "title"
    assert problem.message.startswith("is empty")
    example_in(problem.message, "title")


# YAML syntax and shape


def test_invalid_yaml_gives_the_line_number_in_the_file() -> None:
    text = "---\ntitle: Pipeline\ndescription: Tips: read this\ndate: 2026-03-01\n---\nBody\n"
    problem = only_problem("articles/a.md", text)
    assert problem.field == "front matter"
    assert "invalid YAML at line 3," in problem.message  # the opening --- is line 1
    assert 'put quotes around values that contain ": "' in problem.message


def test_invalid_yaml_line_number_counts_blank_lines_at_the_top() -> None:
    text = "---\n\n\ntitle: A: b\n---\n"
    problem = only_problem("articles/a.md", text)
    assert "at line 4," in problem.message


def test_unclosed_list_in_yaml_names_where_it_started() -> None:
    text = "---\ntitle: A\ndate: 2026-03-01\ntags: [pipeline, crm\n---\n"
    problem = only_problem("articles/a.md", text)
    assert problem.field == "front matter"
    assert "started at line 4" in problem.message


def test_front_matter_that_is_a_list_is_reported() -> None:
    problem = only_problem("articles/a.md", "---\n- title: A\n- date: 2026-03-01\n---\nBody\n")
    assert problem.field == "front matter"
    assert "`key: value` lines between two `---` lines" in problem.message


def test_unknown_field_suggests_the_closest_known_field() -> None:
    _, problems = parse("articles/a.md", front_matter("tittle: Pipeline", "date: 2026-03-01"))
    unknown = [p for p in problems if p.field == "tittle"]
    assert len(unknown) == 1
    assert unknown[0].path == "content/articles/a.md"
    assert "unknown field for an article" in unknown[0].message
    assert "did you mean `title`?" in unknown[0].message
    # The misspelt key also leaves the real one missing: both are reported at once.
    assert sorted(p.field for p in problems) == ["title", "tittle"]


def test_unknown_field_without_a_close_match_lists_the_known_fields() -> None:
    problem = only_problem("articles/a.md", front_matter("title: A", "date: 2026-03-01", "zzz: 1"))
    assert problem.field == "zzz"
    assert "known fields: authors, categories" in problem.message
    assert "custom data goes under `extra:`" in problem.message


def test_extra_takes_custom_data() -> None:
    parsed = parsed_ok(
        "articles/a.md", front_matter("title: A", "date: 2026-03-01", "extra: {zzz: 1}")
    )
    assert parsed.meta.extra == {"zzz": 1}


def test_unknown_field_inside_a_speaker_suggests_a_speaker_field() -> None:
    text = front_matter(
        "title: Pipeline clinic",
        "start: 2027-02-04T10:00:00+08:00",
        "speakers: [{nmae: Lin Mei}]",
    )
    _, problems = parse("webinars/w.md", text)
    unknown = [p for p in problems if p.field == "speakers[0].nmae"]
    assert len(unknown) == 1
    assert "did you mean `name`?" in unknown[0].message


def test_field_of_another_type_says_which_folder_it_belongs_in() -> None:
    problem = only_problem(
        "articles/a.md", front_matter("title: A", "date: 2026-03-01", "duration: 60")
    )
    assert problem.field == "duration"
    assert "is a webinar field" in problem.message
    assert "move the file to webinars/" in problem.message
    assert "set `type: webinar`" in problem.message


# Case-study results


def test_case_study_result_with_metric_and_value_keys() -> None:
    parsed = parsed_ok(
        "case-studies/c.md",
        case_study("results:", "  - metric: Lead-to-demo rate", '    value: "+38%"'),
    )
    assert [(r.metric, r.value) for r in parsed.meta.results] == [("Lead-to-demo rate", "+38%")]


def test_case_study_result_one_key_shorthand() -> None:
    parsed = parsed_ok("case-studies/c.md", case_study("results:", '  - Lead-to-demo rate: "+38%"'))
    assert [(r.metric, r.value) for r in parsed.meta.results] == [("Lead-to-demo rate", "+38%")]


def test_case_study_numeric_value_is_read_as_text() -> None:
    parsed = parsed_ok(
        "case-studies/c.md",
        case_study("results:", "  - metric: Demos booked", "    value: 120"),
    )
    assert parsed.meta.results[0].value == "120"


@pytest.mark.parametrize("number", ["120", "0.25"])
def test_case_study_shorthand_numeric_value_is_read_as_text(number: str) -> None:
    parsed = parsed_ok("case-studies/c.md", case_study("results:", f"  - Demos booked: {number}"))
    assert [(r.metric, r.value) for r in parsed.meta.results] == [("Demos booked", number)]


def test_case_study_result_without_value_is_reported() -> None:
    problem = only_problem("case-studies/c.md", case_study("results:", "  - metric: Demos"))
    assert problem.field == "results[0].value"
    assert problem.message.startswith("missing")
    assert example_in(problem.message, "value") == 'value: "+38%"'


def test_case_study_without_customer_is_reported() -> None:
    text = front_matter("title: T", "date: 2026-03-01", "industry: Logistics")
    problem = only_problem("case-studies/c.md", text)
    assert problem.field == "customer"
    assert "every case study needs it" in problem.message
    example_in(problem.message, "customer")


# Webinar durations


@pytest.mark.parametrize(
    ("written", "minutes"),
    [
        ("60", 60),
        ('"90"', 90),
        ("90 min", 90),
        ("90 minutes", 90),
        ("1h 30m", 90),
        ("2h", 120),
        ("45m", 45),
        ("PT1H30M", 90),
        ("PT45M", 45),
    ],
)
def test_webinar_duration_forms(written: str, minutes: int) -> None:
    parsed = parsed_ok(
        "webinars/w.md", webinar("2027-01-01T10:00:00+08:00", f"duration: {written}")
    )
    assert parsed.meta.duration == minutes


def test_webinar_duration_defaults_to_an_hour() -> None:
    parsed = parsed_ok("webinars/w.md", webinar("2027-01-01T10:00:00+08:00"))
    assert parsed.meta.duration == 60
    assert parsed.meta.end == parsed.meta.start + timedelta(hours=1)


@pytest.mark.parametrize("written", ["an hour", "1.5h", "0", "-5", "true", "2000", "PT", "[60]"])
def test_bad_webinar_duration_is_reported(written: str) -> None:
    problem = only_problem(
        "webinars/w.md", webinar("2027-01-01T10:00:00+08:00", f"duration: {written}")
    )
    assert problem.field == "duration"
    assert "is not a duration" in problem.message
    assert "duration: 1h 30m" in problem.message


def test_webinar_without_speakers_is_reported() -> None:
    text = front_matter("title: Clinic", "start: 2027-01-01T10:00:00+08:00", "speakers: []")
    problem = only_problem("webinars/w.md", text)
    assert problem.field == "speakers"
    assert "needs at least one entry" in problem.message
    example_in(problem.message, "speakers")


# Content type


@pytest.mark.parametrize(
    ("src_uri", "text", "kind"),
    [
        ("articles/a.md", front_matter("title: A", "date: 2026-03-01"), ContentType.ARTICLE),
        ("articles/2026/a.md", front_matter("title: A", "date: 2026-03-01"), ContentType.ARTICLE),
        ("case-studies/c.md", case_study(), ContentType.CASE_STUDY),
        ("webinars/w.md", webinar("2027-01-01T10:00:00+08:00"), ContentType.WEBINAR),
        ("articles/index.md", front_matter("title: All articles"), ContentType.PAGE),
        ("case-studies/index.md", front_matter("title: Our customers"), ContentType.PAGE),
        ("webinars/index.md", front_matter("title: Webinars"), ContentType.PAGE),
        ("index.md", front_matter("title: Home"), ContentType.PAGE),
        ("about.md", front_matter("title: About"), ContentType.PAGE),
        ("stories/x.md", front_matter("title: A story"), ContentType.PAGE),
    ],
)
def test_type_comes_from_the_folder(src_uri: str, text: str, kind: ContentType) -> None:
    assert parsed_ok(src_uri, text).kind == kind


def test_type_field_overrides_the_folder() -> None:
    moved = parsed_ok("stories/x.md", front_matter("type: article", "title: X", "date: 2026-03-01"))
    assert moved.kind == ContentType.ARTICLE
    page = parsed_ok("articles/x.md", front_matter("type: page", "title: X"))
    assert page.kind == ContentType.PAGE


def test_unknown_type_value_lists_the_types() -> None:
    problem = only_problem("articles/a.md", front_matter("type: blogpost", "title: A"))
    assert problem.field == "type"
    assert "'blogpost' is not a content type" in problem.message
    assert "article, case-study, webinar, page" in problem.message


def test_page_without_front_matter_is_accepted() -> None:
    parsed = parsed_ok("about.md", "# About us\n\nWe sell software.\n")
    assert parsed.kind == ContentType.PAGE
    assert parsed.body.startswith("# About us")


# Dates and time zones


def test_date_without_time_is_placed_in_the_site_time_zone() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    parsed = parsed_ok("articles/a.md", front_matter("title: A", "date: 2026-03-01"), zone)
    assert parsed.meta.date == datetime(2026, 3, 1, tzinfo=zone)
    assert parsed.meta.date == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)


def test_date_without_time_zone_defaults_to_utc() -> None:
    parsed = parsed_ok("articles/a.md", front_matter("title: A", "date: 2026-03-01"), None)
    assert parsed.meta.date == datetime(2026, 3, 1, tzinfo=UTC)


def test_date_with_an_offset_keeps_it() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    text = front_matter("title: A", "date: 2026-03-01T10:00:00+02:00")
    parsed = parsed_ok("articles/a.md", text, zone)
    assert parsed.meta.date == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_single_tag_written_as_text_is_a_list_of_one() -> None:
    parsed = parsed_ok(
        "articles/a.md",
        front_matter("title: A", "date: 2026-03-01", "tags: pipeline", "authors: mei"),
    )
    assert parsed.meta.tags == ["pipeline"]
    assert parsed.meta.authors == ["mei"]


# authors.yml


def test_authors_file_loads_every_author_by_id() -> None:
    authors, problems = load_authors(
        "mei-lin:\n  name: Lin Mei\n  title: Head of Growth\n  url: https://example.com/mei\n"
        "dana:\n  name: Dana Ruiz\n",
        AUTHORS,
    )
    assert problems == []
    assert {key: (a.id, a.name) for key, a in authors.items()} == {
        "mei-lin": ("mei-lin", "Lin Mei"),
        "dana": ("dana", "Dana Ruiz"),
    }


def test_author_without_name_is_reported() -> None:
    authors, problems = load_authors("mei-lin:\n  title: Head of Growth\n", AUTHORS)
    assert authors == {}
    assert [(p.path, p.field) for p in problems] == [(AUTHORS, "mei-lin.name")]
    assert "missing; every author needs it" in problems[0].message
    assert example_in(problems[0].message, "name") == "name: Lin Mei"


def test_unknown_author_key_suggests_the_known_one() -> None:
    _, problems = load_authors("mei-lin:\n  name: Lin Mei\n  tilte: Head\n", AUTHORS)
    assert [(p.path, p.field) for p in problems] == [(AUTHORS, "mei-lin.tilte")]
    assert "did you mean `title`?" in problems[0].message


def test_unknown_author_key_advice_can_be_followed() -> None:
    _, problems = load_authors("mei-lin:\n  name: Lin Mei\n  email: lin@example.com\n", AUTHORS)
    assert [p.field for p in problems] == ["mei-lin.email"]
    message = problems[0].message
    assert "unknown field for an author" in message
    # If the message sends custom data to `extra:`, an author must accept `extra:`.
    _, following = load_authors(
        "mei-lin:\n  name: Lin Mei\n  extra:\n    email: lin@example.com\n", AUTHORS
    )
    assert "`extra:`" not in message or following == [], message


@pytest.mark.parametrize("entry", ["Lin Mei", "[Lin Mei]", "42"])
def test_author_entry_that_is_not_a_mapping_is_reported(entry: str) -> None:
    authors, problems = load_authors(f"mei-lin: {entry}\ndana:\n  name: Dana\n", AUTHORS)
    assert list(authors) == ["dana"]  # the good entries still load
    assert [(p.path, p.field) for p in problems] == [(AUTHORS, "mei-lin")]
    assert "must be a mapping with at least `name:`" in problems[0].message


def test_authors_file_that_is_a_list_shows_the_expected_shape() -> None:
    authors, problems = load_authors("- mei-lin\n- dana\n", AUTHORS)
    assert authors == {}
    assert [(p.path, p.field) for p in problems] == [(AUTHORS, "")]
    assert "`mei-lin: {name: Lin Mei, title: Head of Growth}`" in problems[0].message


def test_invalid_yaml_in_authors_file_gives_the_line() -> None:
    authors, problems = load_authors("mei-lin:\n  name: Lin Mei\n dana: 2\n", AUTHORS)
    assert authors == {}
    assert [(p.path, p.field) for p in problems] == [(AUTHORS, "")]
    assert "invalid YAML at line 3," in problems[0].message


def test_bad_author_url_is_reported() -> None:
    _, problems = load_authors("mei-lin:\n  name: Lin Mei\n  url: www.example.com\n", AUTHORS)
    assert [p.field for p in problems] == ["mei-lin.url"]
    assert "'www.example.com' is not a web address" in problems[0].message
    assert example_in(problems[0].message, "url").startswith("url: https://")


def test_empty_authors_file_has_no_authors_and_no_problems() -> None:
    assert load_authors("", AUTHORS) == ({}, [])
