"""The `leadpress` command: help, scaffolding, building, and failing safely."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import run_leadpress, tree_digest

ARTICLE = """---
title: {title}
date: 2026-01-15
categories: [Guides]
---
Body text.
"""


@pytest.mark.parametrize("verb", ["new", "build", "serve"])
def test_each_verb_explains_itself(verb: str, tmp_path: Path) -> None:
    result = run_leadpress(verb, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Usage: leadpress " + verb in result.stdout
    assert len(result.stdout.splitlines()) > 8  # a description and the options


def test_new_site_builds_at_once(tmp_path: Path) -> None:
    created = run_leadpress("new", "my-site", "--site-name", 'Acme "Cloud": CRM', cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    site = tmp_path / "my-site"
    for expected in (
        "mkdocs.yml",
        "content/zh/articles",
        "content/zh/case-studies",
        "content/zh/webinars",
        "content/en/articles",
        "content/authors.yml",
        "campaigns",
        "theme",
        ".github/workflows/publish.yml",
        ".gitignore",
    ):
        assert (site / expected).exists(), expected

    built = run_leadpress("build", cwd=site)
    assert built.returncode == 0, built.stderr
    # The quotes in the name are escaped for each context: the parsed page reads it intact
    # (the minified page may quote an attribute with ' rather than escape its ").
    home = lxml_html.parse(str(site / "site/index.html")).getroot()
    names = home.xpath("//meta[@property='og:site_name']/@content")
    assert names == ['Acme "Cloud": CRM']
    # Chinese at the root, English under /en/.
    assert (site / "site/articles/ni-de-di-yi-pian-wen-zhang/index.html").is_file()
    assert (site / "site/en/articles/your-first-article/index.html").is_file()
    assert (site / "site/case-studies/index.html").is_file()
    assert (site / "site/webinars/index.html").is_file()


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_leadpress("new", "taken", cwd=tmp_path)
    assert result.returncode != 0
    assert "not empty" in result.stderr and "--force" in result.stderr
    assert (tmp_path / "taken" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_failed_build_keeps_previous_site_and_lists_every_problem(make_site) -> None:
    root = make_site({"articles/good.md": ARTICLE.format(title="A good one")})
    first = run_leadpress("build", cwd=root)
    assert first.returncode == 0, first.stderr
    before = tree_digest(root / "site")

    (root / "content/articles/no-title.md").write_text("---\ndate: 2026-01-01\n---\nx\n")
    (root / "content/articles/bad-date.md").write_text("---\ntitle: T\ndate: 2026-13-45\n---\n")
    second = run_leadpress("build", cwd=root)

    assert second.returncode == 1
    assert "content/articles/no-title.md: title: missing" in second.stderr
    assert "content/articles/bad-date.md: date: '2026-13-45' is not a date" in second.stderr
    assert "site/ was left unchanged" in second.stderr
    assert tree_digest(root / "site") == before
    assert sorted(p.name for p in root.iterdir()) == ["content", "mkdocs.yml", "site"]


def test_duplicate_slug_fails_the_build_naming_both_files(make_site) -> None:
    root = make_site(
        {
            "articles/one.md": ARTICLE.format(title="Pipeline reviews that work"),
            "articles/two.md": ARTICLE.format(title="Pipeline reviews that work!"),
        }
    )
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 1
    assert (
        "content/articles/two.md: slug: 'pipeline-reviews-that-work' is already used by "
        "content/articles/one.md" in result.stderr
    )
    assert not (root / "site").exists()


def test_drafts_and_scheduled_articles_only_with_drafts_flag(make_site) -> None:
    root = make_site(
        {
            "articles/live.md": ARTICLE.format(title="Live now"),
            "articles/draft.md": "---\ntitle: Not yet\ndate: 2026-01-01\ndraft: true\n---\nx\n",
            "articles/later.md": "---\ntitle: Scheduled\ndate: 2027-06-01\n---\nx\n",
        }
    )
    plain = run_leadpress("build", cwd=root)
    assert plain.returncode == 0, plain.stderr
    published = {p.parent.name for p in (root / "site/articles").glob("*/index.html")}
    assert "live-now" in published
    assert not {"not-yet", "scheduled"} & published
    assert "2 left out" in plain.stdout

    with_drafts = run_leadpress("build", "--drafts", cwd=root)
    assert with_drafts.returncode == 0, with_drafts.stderr
    published = {p.parent.name for p in (root / "site/articles").glob("*/index.html")}
    assert {"live-now", "not-yet", "scheduled"} <= published


def test_odd_bodies_still_build(make_site) -> None:
    odd = (
        "---\ntitle: R&D <b>odd</b> bodies\ndate: 2026-01-15\n---\n"
        'Fish & chips < 5 > 3, an unclosed <div class="x"> and a stray </span>.\n\n'
        + "很长的一行中文ToB运营" * 800
        + "\n\n<script>alert('x')</script> <!-- a comment\n\nمرحبا Ελληνικά русский 😀\n"
    )
    root = make_site({"articles/odd.md": odd})
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    page = (root / "site/articles/r-d-b-odd-b-bodies/index.html").read_text(encoding="utf-8")
    assert "R&amp;D &lt;b&gt;odd&lt;/b&gt; bodies</h1>" in page


def test_plain_mkdocs_build_uses_the_plugins(make_site) -> None:
    root = make_site({"articles/a.md": ARTICLE.format(title="Plain MkDocs works")})
    mkdocs = Path(sys.executable).with_name("mkdocs")
    result = subprocess.run([str(mkdocs), "build"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (root / "site/articles/plain-mkdocs-works/index.html").is_file()
    assert (root / "site/articles/category/guides/index.html").is_file()
