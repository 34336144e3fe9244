"""Every front-matter mistake fails the build, naming the file, the field and the fix."""

from __future__ import annotations

import pytest

from conftest import run_leadpress

GOOD_ARTICLE = "---\ntitle: Fine\ndate: 2026-01-15\nauthors: [mei]\n---\nBody.\n"
AUTHORS = "mei:\n  name: Lin Mei\n"

CASES = {
    "missing title": (
        "articles/a.md",
        "---\ndate: 2026-01-15\n---\nBody.\n",
        "content/articles/a.md: title: missing; every article needs it, e.g. `title:",
    ),
    "unparsable date": (
        "articles/a.md",
        "---\ntitle: T\ndate: next tuesday\n---\n",
        "content/articles/a.md: date: 'next tuesday' is not a date; write it as YYYY-MM-DD",
    ),
    "webinar start without time zone": (
        "webinars/w.md",
        "---\ntitle: W\nstart: 2027-02-04 10:00:00\nspeakers: [{name: Lin Mei}]\n---\n",
        "content/webinars/w.md: start: '2027-02-04 10:00:00' has no time zone",
    ),
    "unknown author id": (
        "articles/a.md",
        "---\ntitle: T\ndate: 2026-01-15\nauthors: [meii]\n---\n",
        "content/articles/a.md: authors[0]: unknown author id 'meii'; did you mean `mei`?",
    ),
    "wrong type for a field": (
        "articles/a.md",
        "---\ntitle: T\ndate: 2026-01-15\ncategories: {a: 1}\n---\n",
        "content/articles/a.md: categories: expected a list, got a mapping",
    ),
    "invalid YAML": (
        "articles/a.md",
        "---\ntitle: T\ndate: 2026-01-15\ndescription: Pipeline: the basics\n---\n",
        "content/articles/a.md: front matter: invalid YAML at line 4",
    ),
    "duplicate slug": (
        "articles/b.md",
        "---\ntitle: Other\nslug: fine\ndate: 2026-01-15\n---\n",
        "content/articles/b.md: slug: 'fine' is already used by content/articles/a-good.md",
    ),
    "invalid authors file": (
        "authors.yml",
        "mei:\n  nam: Lin Mei\n",
        "content/authors.yml: mei.name: missing",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_and_nothing_is_written(case: str, make_site) -> None:
    path, text, expected = CASES[case]
    files = {"authors.yml": AUTHORS, "articles/a-good.md": GOOD_ARTICLE, path: text}
    root = make_site(files)
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 1
    assert expected in result.stderr
    assert not (root / "site").exists()


def test_all_problems_of_a_build_are_listed_together(make_site) -> None:
    files = {"authors.yml": AUTHORS}
    for number, (case, (path, text, _)) in enumerate(sorted(CASES.items())):
        if case not in ("duplicate slug", "invalid authors file"):
            files[path.replace(".md", f"-{number}.md")] = text
    root = make_site(files)
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 1
    assert "Leadpress found 6 problems" in result.stderr
    for line in (
        "title: missing",
        "date: 'next tuesday'",
        "start: '2027-02-04 10:00:00'",
        "authors[0]: unknown author id",
        "categories: expected a list",
        "front matter: invalid YAML",
    ):
        assert line in result.stderr
