"""The build cache and parallel conversion change how fast a site builds, never what it is:
a cold build, a warm build and a build after an edit give the same bytes as a serial build
without the cache."""

from __future__ import annotations

import functools
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import markdown as python_markdown
import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from conftest import DEMO_NOW, epoch, run_leadpress, tree_digest
from leadpress.buildcache import markdown as md
from leadpress.buildcache.cards import CardPrefetch, write_cards
from leadpress.buildcache.helper import ForkedWork, PageClaims
from leadpress.seo.cards import CardCache, CardSpec, find_fonts, render_card

CONFIG = """\
site_name: Cache test
site_url: https://www.example.com/
docs_dir: content
theme:
  name: material
  language: en
nav:
  - Home: index.md
  - Articles: articles/index.md
plugins:
  - search
  - leadpress/content:
      timezone: UTC
  - leadpress/feeds
  - leadpress/seo
{extra}
markdown_extensions:
  - tables
  - toc:
      permalink: true
  - admonition
  - attr_list
  - pymdownx.superfences
"""


def _article(number: int) -> str:
    chinese = number % 3 == 0
    title = f"线索评分实践 第{number}期" if chinese else f"Lead scoring in practice, part {number}"
    other = (number + 1) % 12
    body = (
        f"{'我们帮助销售团队衡量线索质量。' * 8 if chinese else 'Scores route leads. ' * 20}\n\n"
        f"## Step one {{#step-one}}\n\nSee [the next part](a-{other:02d}.md#step-one) and "
        f"[the home page](../index.md).\n\n"
        f"| metric | value |\n| --- | --- |\n| win | {number}% |\n\n"
        f'!!! note "Note"\n\n    Part {number} of twelve.\n\n## Step two\n\nMore text.\n'
    )
    front = (
        f"---\ntitle: {title}\ndescription: Part {number} of a series on lead scoring "
        f"for revenue teams that want fewer, better leads.\ndate: 2026-03-{number + 1:02d}\n"
        f"tags: [lead scoring]\n" + ("lang: zh\n" if chinese else "") + "---\n\n"
    )
    return front + body


def _write_site(root: Path, *, cached: bool) -> Path:
    extra = "  - leadpress/buildcache" if cached else ""
    (root / "content" / "articles").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(CONFIG.format(extra=extra), encoding="utf-8")
    (root / "content" / "index.md").write_text(
        # A link to a page that does not exist: MkDocs warns, with or without the cache.
        "---\ntitle: Home\n---\n\n# Home\n\nWelcome. [Old page](missing.md).\n",
        "utf-8",
    )
    for number in range(12):
        path = root / "content" / "articles" / f"a-{number:02d}.md"
        path.write_text(_article(number), encoding="utf-8")
    return root


def _build(root: Path, jobs: str, *options: str) -> tuple[dict[str, bytes], str]:
    result = run_leadpress("build", *options, cwd=root, env={"LEADPRESS_JOBS": jobs})
    assert result.returncode == 0, result.stderr
    return tree_digest(root / "site"), result.stderr


def _conversions(log: str) -> tuple[int, int]:
    """(pages converted, pages from the cache), as the build reports them."""
    found = re.search(r"Markdown: (\d+) pages converted, (\d+) from the cache", log)
    assert found is not None, log
    return int(found[1]), int(found[2])


def _reuse(log: str) -> tuple[int, int]:
    """(pages built, pages reused whole), as the build reports them."""
    found = re.search(r"Pages: (\d+) built, (\d+) reused from the cache", log)
    assert found is not None, log
    return int(found[1]), int(found[2])


def _assert_same_tree(expected: dict[str, bytes], actual: dict[str, bytes]) -> None:
    assert sorted(actual) == sorted(expected)
    different = [name for name in expected if expected[name] != actual[name]]
    assert different == []


def test_cold_warm_and_edited_builds_match_a_serial_build_without_the_cache(
    tmp_path: Path,
) -> None:
    reference = _write_site(tmp_path / "reference", cached=False)
    site = _write_site(tmp_path / "cached", cached=True)
    expected, reference_log = _build(reference, jobs="1")
    assert "missing.md" in reference_log  # the fixture's broken link is reported

    cold, cold_log = _build(site, jobs="2")
    pages = _conversions(cold_log)[0]
    assert pages > 12 and _conversions(cold_log) == (pages, 0)
    assert (site / ".leadpress-cache" / md.CACHE_FILE).is_file()
    _assert_same_tree(expected, cold)

    assert _reuse(cold_log) == (pages, 0)

    warm, warm_log = _build(site, jobs="2")
    assert _conversions(warm_log) == (0, pages)
    assert _reuse(warm_log) == (0, pages)  # nothing changed: no page is built again
    assert "missing.md" in warm_log  # warnings of cached pages are replayed
    _assert_same_tree(expected, warm)

    for root in (reference, site):
        article = root / "content" / "articles" / "a-04.md"
        article.write_text(article.read_text("utf-8") + "\nA sentence added later.\n", "utf-8")
    expected_after, _ = _build(reference, jobs="1")
    edited, edited_log = _build(site, jobs="2")
    assert _conversions(edited_log) == (1, pages - 1)
    assert _reuse(edited_log) == (1, pages - 1)  # only the edited article is built
    _assert_same_tree(expected_after, edited)
    changed = [name for name in expected if expected[name] != expected_after.get(name)]
    assert any(name.endswith("index.html") for name in changed)  # the edit shows


def _edit_both(roots: tuple[Path, ...], path: str, old: str, new: str) -> None:
    for root in roots:
        file = root / "content" / path
        text = file.read_text("utf-8")
        assert old in text
        file.write_text(text.replace(old, new, 1), "utf-8")


def test_a_change_other_pages_show_rebuilds_them_and_matches_a_build_without_cache(
    tmp_path: Path,
) -> None:
    reference = _write_site(tmp_path / "reference", cached=False)
    site = _write_site(tmp_path / "cached", cached=True)
    _build(site, jobs="2")
    # A title is shown on listings, tag pages and the next article's neighbours: every
    # page that shows it must change, not only the article's own page.
    roots = (reference, site)
    _edit_both(roots, "articles/a-05.md", "part 5\n", "part five, revised\n")
    expected, _ = _build(reference, jobs="1")
    retitled, log = _build(site, jobs="2")
    built, reused = _reuse(log)
    assert reused == 0 and built > 12
    _assert_same_tree(expected, retitled)
    listing = retitled["articles/index.html"].decode("utf-8")
    assert "part five, revised" in listing

    # An image beside the pages is an input of every page that may show it.
    for root in roots:
        (root / "content" / "articles" / "chart.svg").write_text("<svg/>", "utf-8")
    _edit_both(roots, "articles/a-06.md", "More text.", "More text. ![Chart](chart.svg)")
    expected, _ = _build(reference, jobs="1")
    with_image, _ = _build(site, jobs="2")
    _assert_same_tree(expected, with_image)


WEBINAR = """\
---
type: webinar
title: Scoring leads live
description: A live session on lead scoring for revenue teams that want fewer, better leads.
start: 2026-06-01T10:00:00+00:00
speakers:
  - name: Ada Moreno
---

Join us for a live session.
"""


def test_pages_that_depend_on_the_build_clock_are_built_again_when_it_moves(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    reference = _write_site(tmp_path / "reference", cached=False)
    site = _write_site(tmp_path / "cached", cached=True)
    for root in (reference, site):
        (root / "content" / "webinars").mkdir()
        (root / "content" / "webinars" / "live.md").write_text(WEBINAR, "utf-8")
    before = datetime(2026, 5, 1, tzinfo=UTC)
    after = datetime(2026, 7, 1, tzinfo=UTC)  # the webinar is over: its page says so
    assert run_leadpress("build", cwd=site, now=before).returncode == 0
    result = run_leadpress("build", cwd=site, now=after)
    assert result.returncode == 0, result.stderr
    assert _reuse(result.stderr)[0] > 0
    expected = run_leadpress("build", cwd=reference, now=after)
    assert expected.returncode == 0, expected.stderr
    _assert_same_tree(tree_digest(reference / "site"), tree_digest(site / "site"))
    again = run_leadpress("build", cwd=site, now=after)  # the clock moved within the hour
    assert _reuse(again.stderr)[0] == 0


def test_a_setting_read_from_the_environment_is_an_input_of_every_page(tmp_path: Path) -> None:
    site = _write_site(tmp_path / "site", cached=True)
    config = site / "mkdocs.yml"
    text = config.read_text("utf-8") + 'copyright: !ENV [COPYRIGHT, "Cache test"]\n'
    config.write_text(text, "utf-8")
    first = run_leadpress("build", cwd=site, env={"COPYRIGHT": "© 2026 Tarnbrook"})
    assert first.returncode == 0, first.stderr
    second = run_leadpress("build", cwd=site, env={"COPYRIGHT": "© 2026 Tallyfold"})
    assert second.returncode == 0, second.stderr
    assert _reuse(second.stderr)[1] == 0
    home = (site / "site" / "index.html").read_text("utf-8")
    assert "Tallyfold" in home and "Tarnbrook" not in home


def test_a_failed_build_keeps_no_pages_and_strict_mode_fails_again(tmp_path: Path) -> None:
    site = _write_site(tmp_path / "site", cached=True)
    strict = run_leadpress("build", "--strict", cwd=site)  # the home page's broken link
    assert strict.returncode == 1
    assert not list((site / ".leadpress-cache" / "pages").glob("*.pickle"))
    assert run_leadpress("build", cwd=site).returncode == 0
    again = run_leadpress("build", "--strict", cwd=site)  # every page reused: still failing
    assert again.returncode == 1
    assert "missing.md" in again.stderr


def test_with_a_plugin_the_cache_does_not_know_every_page_is_built(tmp_path: Path) -> None:
    site = _write_site(tmp_path / "site", cached=True)
    config = site / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace(
            "  - leadpress/feeds\n", "  - leadpress/feeds\n  - tags\n"
        ),
        "utf-8",
    )
    for _ in range(2):
        result = run_leadpress("build", cwd=site)
        assert result.returncode == 0, result.stderr
    assert "Every page is built: the plugin material/tags" in result.stderr
    assert "reused from the cache" not in result.stderr


def test_pages_rendered_in_a_second_process_give_the_same_site(tmp_path: Path) -> None:
    reference = _write_site(tmp_path / "reference", cached=False)
    site = _write_site(tmp_path / "cached", cached=True)
    for root in (reference, site):  # enough pages to be worth a second process
        for number in range(12, 130):
            path = root / "content" / "articles" / f"a-{number:02d}.md"
            dated = f"date: 2025-{1 + number % 12:02d}-{1 + number % 28:02d}"
            text = re.sub(r"date: 2026-03-\d+", dated, _article(number))
            path.write_text(text, "utf-8")
        # The last article MkDocs renders warns: the warning is printed once, as without it.
        last = root / "content" / "articles" / "a-99.md"
        last.write_text(last.read_text("utf-8") + "\n[Gone](gone.md)\n", "utf-8")
    expected, reference_log = _build(reference, jobs="1")
    assert "in a second process" not in reference_log
    built, log = _build(site, "2", "--verbose")
    shared = re.search(r"Rendering (\d+) pages in two processes", log)
    assert shared is not None, log
    in_helper = re.search(r"reused from the cache \((\d+) built by a second process\)", log)
    assert in_helper is not None, log
    assert 0 < int(in_helper[1]) < _reuse(log)[0]  # each process rendered some
    # The two processes read the pages for the audit between them, each page once.
    audited = re.search(r"SEO audit: (\d+) pages read here, (\d+) by the second process", log)
    assert audited is not None, log
    assert int(audited[2]) > 0 and int(audited[1]) + int(audited[2]) == int(shared[1])
    _assert_same_tree(expected, built)  # the feeds too, written by a forked process
    # The cards drawn ahead from a look at the sources are the cards the site shows.
    drawn = {p.read_bytes() for p in (site / ".leadpress-cache" / "cards").glob("*.png")}
    shown = {p.read_bytes() for p in (site / "site" / "assets" / "cards").rglob("*.png")}
    assert drawn == shown
    warning = "contains a link 'gone.md'"
    assert log.count(warning) == reference_log.count(warning) == 1
    assert _reuse(log)[1] == 0
    # The feeds' results came back to the main process, which keeps the memo: the warm
    # build finds everything it asks for there and leaves the file as it was.
    memo_file = site / ".leadpress-cache" / "memo.pickle"
    _, tables = pickle.loads(memo_file.read_bytes())
    assert tables["feeds"] and tables["absolute-links"]
    kept = memo_file.stat().st_mtime_ns
    # The helper's pages are kept like the others; their warnings come back with them.
    warm, warm_log = _build(site, jobs="2")
    assert _reuse(warm_log)[0] == 0
    assert warm_log.count(warning) == 1
    _assert_same_tree(expected, warm)
    assert memo_file.stat().st_mtime_ns == kept


def test_two_processes_take_pages_from_both_ends_until_they_meet(tmp_path: Path) -> None:
    claims = PageClaims(400)

    def from_the_back(ready) -> list[int]:
        taken = []
        while (position := claims.take_back()) is not None:
            taken.append(position)
            time.sleep(0.0002)
        return taken

    helper = ForkedWork.start(tmp_path, from_the_back, "taking pages", "test")
    here = []
    for position in range(400):
        if not claims.take_front(position):
            break
        here.append(position)
        time.sleep(0.0002)
    there = helper.wait()
    # Every position once, the front's before the back's; both took some.
    assert here and there
    assert here + sorted(there) == list(range(400))
    assert there == sorted(there, reverse=True)
    assert claims.taken_from_back() == len(there)
    assert claims.take_back() is None and not claims.take_front(len(here))
    assert claims.take_next_front() is None


def test_the_front_can_take_its_next_position_itself() -> None:
    # As the audit's readers do: the front asks for its next position, the back for its.
    claims = PageClaims(5)
    assert [claims.take_next_front(), claims.take_back(), claims.take_next_front()] == [0, 4, 1]
    assert [claims.take_back(), claims.take_next_front(), claims.take_back()] == [3, 2, None]
    assert claims.take_next_front() is None


def test_a_forked_helper_returns_its_result_or_fails_the_build(tmp_path: Path) -> None:
    import gc

    from mkdocs.exceptions import PluginError

    first = ForkedWork.start(
        tmp_path, lambda ready: {"feeds": 70}, "writing feeds", "leadpress/feeds"
    )
    second = ForkedWork.start(tmp_path, lambda ready: 1 / 0, "rendering pages", "leadpress/test")
    slow = ForkedWork.start(tmp_path, lambda ready: time.sleep(60), "waiting", "leadpress/test")
    assert first.wait() == {"feeds": 70}
    assert gc.get_freeze_count() > 0  # the others still share this process's memory
    with pytest.raises(PluginError) as failed:
        second.wait()
    assert "leadpress/test: rendering pages in a helper process failed" in str(failed.value)
    assert "ZeroDivisionError" in str(failed.value)
    started = time.monotonic()
    slow.stop()  # the build failed elsewhere: it ends at once
    assert time.monotonic() - started < 10
    assert gc.get_freeze_count() == 0
    assert list(tmp_path.iterdir()) == []  # nothing left behind


def test_cache_off_by_environment_keeps_nothing(tmp_path: Path) -> None:
    site = _write_site(tmp_path / "site", cached=True)
    result = run_leadpress("build", cwd=site, env={"LEADPRESS_CACHE": "off"})
    assert result.returncode == 0, result.stderr
    assert not (site / ".leadpress-cache" / md.CACHE_FILE).exists()
    assert _conversions(result.stderr)[1] == 0


def test_a_quiet_build_and_a_normal_build_share_the_cache(tmp_path: Path) -> None:
    site = _write_site(tmp_path / "site", cached=True)
    quiet = run_leadpress("build", "-q", cwd=site)
    assert quiet.returncode == 0, quiet.stderr
    assert "missing.md" in quiet.stderr  # warnings still show when quiet
    normal = run_leadpress("build", cwd=site)
    assert normal.returncode == 0, normal.stderr
    assert _conversions(normal.stderr)[0] == 0
    assert "missing.md" in normal.stderr


def test_a_corrupt_cache_file_is_ignored(tmp_path: Path) -> None:
    site = _write_site(tmp_path / "site", cached=True)
    (site / ".leadpress-cache").mkdir()
    (site / ".leadpress-cache" / md.CACHE_FILE).write_bytes(b"not a pickle")
    result = run_leadpress("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert _conversions(result.stderr)[1] == 0


def test_a_corrupt_page_record_file_builds_every_page_and_is_kept_anew(tmp_path: Path) -> None:
    site = _write_site(tmp_path / "site", cached=True)
    expected, _ = _build(site, jobs="1")
    (site / ".leadpress-cache" / "pages" / "records.pickle").write_bytes(b"not a pickle")
    rebuilt, log = _build(site, jobs="1")
    built, reused = _reuse(log)
    assert reused == 0 and built > 12
    _assert_same_tree(expected, rebuilt)
    _, log = _build(site, jobs="1")
    assert _reuse(log) == (0, built)


def test_a_cached_page_changed_in_place_is_built_again_not_served(tmp_path: Path) -> None:
    # Reused pages are hard-linked from the cache into the site: a tool that rewrites a
    # page of the site in place also changes the cached copy, which must then not count.
    reference = _write_site(tmp_path / "reference", cached=False)
    site = _write_site(tmp_path / "cached", cached=True)
    expected, _ = _build(reference, jobs="1")
    _build(site, jobs="1")
    _build(site, jobs="1")  # warm: its pages are links to the cache
    page = site / "site" / "articles" / "lead-scoring-in-practice-part-4" / "index.html"
    if page.stat().st_nlink < 2:
        pytest.skip("this file system does not allow hard links; pages are copied")
    with open(page, "r+b") as file:  # in place, as `sed -i` would not but a script may
        file.write(b"<!-- changed -->")
    rebuilt, log = _build(site, jobs="1")
    assert _reuse(log)[0] == 1  # the changed page, and only it
    _assert_same_tree(expected, rebuilt)


def test_minifying_the_site_does_not_change_the_cached_pages(tmp_path: Path) -> None:
    # The publish step minifies every page of site/ after the build; the cache must keep
    # the pages as MkDocs wrote them.
    publish = "  - leadpress/publish:\n      minify: true"
    roots = []
    for name, cached in (("reference", False), ("cached", True)):
        root = _write_site(tmp_path / name, cached=cached)
        config = root / "mkdocs.yml"
        text = config.read_text("utf-8").replace(
            "  - leadpress/seo\n", f"  - leadpress/seo\n{publish}\n"
        )
        config.write_text(text, "utf-8")
        roots.append(root)
    expected, _ = _build(roots[0], jobs="1")
    _build(roots[1], jobs="1")
    warm, log = _build(roots[1], jobs="1")
    assert _reuse(log)[0] == 0  # minifying the last site did not spoil the cache
    _assert_same_tree(expected, warm)


def _modes(root: Path) -> dict[str, int]:
    """The permission bits of every file and folder under `root`, by relative path."""
    found = {".": root.stat().st_mode & 0o777}
    for folder, names, files in os.walk(root):
        for name in names + files:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = path.stat().st_mode & 0o777
    return found


def test_every_site_file_is_readable_by_others_cold_and_warm(tmp_path: Path) -> None:
    # A web server serving site/ does not run as the user who built it: pages and cards
    # linked from the cache, files the publish step replaced and the site folder itself
    # get the modes any new file and folder get.
    mask = os.umask(0o022)
    try:
        site = _write_site(tmp_path / "site", cached=True)
        config = site / "mkdocs.yml"
        text = config.read_text("utf-8").replace(
            "  - leadpress/seo\n", "  - leadpress/seo\n  - leadpress/publish:\n      minify: true\n"
        )
        config.write_text(text, "utf-8")
        for build in ("cold", "warm"):
            _, log = _build(site, jobs="2")
            if build == "warm":
                assert _reuse(log)[0] == 0
            modes = _modes(site / "site")
            wrong = {path: oct(mode) for path, mode in modes.items() if mode not in (0o644, 0o755)}
            assert wrong == {}, build
            assert modes["."] == 0o755
            assert modes["index.html"] == 0o644
    finally:
        os.umask(mask)


def test_bad_front_matter_is_reported_as_such_with_the_cache(tmp_path: Path) -> None:
    site = _write_site(tmp_path / "site", cached=True)
    _build(site, jobs="1")
    before = tree_digest(site / "site")
    (site / "content" / "articles" / "broken.md").write_text("No front matter.\n", "utf-8")
    result = run_leadpress("build", cwd=site)
    assert result.returncode != 0
    assert "content/articles/broken.md: title: missing" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(site / "site") == before


def test_memo_keeps_results_between_builds_and_only_those_asked_for(tmp_path: Path) -> None:
    from leadpress.buildcache import memo

    calls: list[str] = []

    @memo.remembered("test-shout")
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    try:
        memo.load(tmp_path, "fingerprint-1")
        assert [shout("a"), shout("b"), shout("a")] == ["A", "B", "A"]
        assert calls == ["a", "b"]  # once per argument within a build
        memo.save(tmp_path)

        memo.load(tmp_path, "fingerprint-1")
        assert shout("a") == "A" and calls == ["a", "b"]  # kept from the last build
        memo.save(tmp_path)  # "b" was not asked for: dropped

        memo.load(tmp_path, "fingerprint-1")
        assert shout("b") == "B" and calls == ["a", "b", "b"]
        memo.save(tmp_path)

        memo.load(tmp_path, "fingerprint-2")  # Leadpress or a library changed
        assert shout("b") == "B" and calls == ["a", "b", "b", "b"]
    finally:
        memo.stop()
    assert shout("b") == "B" and len(calls) == 5  # not loaded: computed every time


def test_a_warm_build_does_not_load_the_pinyin_dictionary(tmp_path: Path) -> None:
    # Chinese slugs need pypinyin's dictionary (a quarter of a second to load); a warm
    # build takes the slugs it needs from the cache.
    site = _write_site(tmp_path / "site", cached=True)
    _build(site, jobs="1")
    script = (
        "import sys; from leadpress.cli import main; "
        "sys.argv = ['leadpress', 'build', '-q']\n"
        "try:\n    main()\nexcept SystemExit as done:\n"
        "    print('pypinyin loaded:', 'pypinyin' in sys.modules, done.code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=site,
        env={**os.environ, "SOURCE_DATE_EPOCH": epoch(DEMO_NOW)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "pypinyin loaded: False 0" in result.stdout.splitlines(), result.stderr


def _mkdocs_page(config: MkDocsConfig, files: Files, src_uri: str, text: str) -> Page:
    page = Page(None, files.get_file_from_path(src_uri), config)
    page.markdown = text
    page.render(config, files)
    return page


def _render_settings(config: MkDocsConfig, files: Files) -> md.RenderSettings:
    return md.render_settings(
        config.markdown_extensions,
        config.mdx_configs,
        config.validation.links,
        config.use_directory_urls,
        {f.src_uri: md.LinkTarget(f.src_uri, f.url, f.inclusion) for f in files},
        20,
    )


def test_convert_gives_what_mkdocs_page_render_gives(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "guide").mkdir(parents=True)
    for name in ("index.md", "guide/setup.md", "guide/usage.md"):
        (docs / name).write_text("# x\n", encoding="utf-8")
    config = MkDocsConfig()
    config.load_dict(
        {
            "site_name": "t",
            "docs_dir": str(docs),
            "site_dir": str(tmp_path / "site"),
            "markdown_extensions": [{"toc": {"permalink": True}}, "tables", "attr_list"],
        }
    )
    errors, _ = config.validate()
    assert errors == []
    files = Files(
        [
            File(n, str(docs), str(tmp_path / "site"), True)
            for n in ("index.md", "guide/setup.md", "guide/usage.md")
        ]
    )
    text = (
        "# Using it\n\nSee [setup](setup.md#install), [home](../index.md) and "
        "![logo](../img/logo.png).\n\n## Install {#install}\n\n## 安装步骤\n"
    )
    expected = _mkdocs_page(config, files, "guide/usage.md", text)
    settings = _render_settings(config, files)
    # Workers started fresh (spawn) receive the settings pickled.
    converted = md.convert(pickle.loads(pickle.dumps(settings)), "guide/usage.md", text)
    assert converted.content == expected.content
    assert 'href="../setup/#install"' in converted.content
    assert converted.title == expected._title_from_render == "Using it"
    assert [(a.id, a.title) for a in converted.toc] == [(a.id, a.title) for a in expected.toc]
    assert converted.present_anchor_ids == expected.present_anchor_ids
    assert converted.links_to_anchors == {
        target.src_uri: anchors for target, anchors in expected.links_to_anchors.items()
    }
    assert converted.links_to_anchors["guide/setup.md"] == {"install": "setup.md#install"}
    # The missing image is reported by the conversion, to be replayed by the build.
    assert any("img/logo.png" in line.message for line in converted.logs)


# Each reusable extension at work, twice over, so that anything one page left behind in the
# converter would show on the next.
REUSE_PAGES = {
    "index.md": '# Home\n\n[Guide](guide/usage.md#install)\n\n<div id="raw">Raw HTML</div>\n',
    "guide/setup.md": (
        '# Setup\n\n!!! note "Before you start"\n    Read *this*.\n\n'
        "Term\n:   Its definition.\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n"
        "```python\nprint('x')\n```\n\n`#!python len(x)` inline.\n\n"
        '??? question "Why?"\n    Because.\n\n## Install {#install .big}\n\n## 安装步骤\n'
    ),
    "guide/usage.md": (
        "# Usage\n\n<div markdown>\n**Inside** a div.\n</div>\n\n"
        "1. one\n2. two\n\n~~~\nplain fence\n~~~\n\n## Install\n\n## Install\n"
        "See [setup](setup.md#install) and ![logo](../img/logo.png).\n"
    ),
}


def test_a_reused_converter_gives_what_mkdocs_gives_page_after_page(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    config = MkDocsConfig()
    extensions = [*sorted(md.REUSABLE_EXTENSIONS - {"toc"}), {"toc": {"permalink": True}}]
    config.load_dict(
        {
            "site_name": "t",
            "docs_dir": str(docs),
            "site_dir": str(tmp_path / "site"),
            "markdown_extensions": extensions,
        }
    )
    errors, _ = config.validate()
    assert errors == []
    assert md.reusable(config.markdown_extensions)
    site = str(tmp_path / "site")
    files = Files([File(name, str(docs), site, True) for name in REUSE_PAGES])
    settings = _render_settings(config, files)
    for _ in range(2):
        for name, text in REUSE_PAGES.items():
            expected = _mkdocs_page(config, files, name, text)
            converted = md.convert(settings, name, text)
            assert converted.content == expected.content
            assert str(converted.toc) == str(expected.toc)
            assert converted.title == expected._title_from_render
            assert converted.present_anchor_ids == expected.present_anchor_ids
            assert converted.links_to_anchors == {
                target.src_uri: anchors for target, anchors in expected.links_to_anchors.items()
            }
    assert md._converter is not None and md._converter[0] is settings  # it was reused
    # An extension that carries state from page to page gets a converter per page.
    assert not md.reusable([*config.markdown_extensions, "footnotes"])


def test_remembered_block_levels_are_python_markdowns_answers() -> None:
    own = python_markdown.Markdown(extensions=sorted(md.REUSABLE_EXTENSIONS))
    remembering = python_markdown.Markdown(extensions=sorted(md.REUSABLE_EXTENSIONS))
    md.remember_block_levels(remembering)
    tags = [*own.block_level_elements, "p", "P", "hr/", "DIV/", "a", "span", "", "x", None]
    tags.append(ElementTree.Comment)  # the tag of a comment: a function
    for _ in range(2):  # asked, then answered from memory
        assert [remembering.is_block_level(t) for t in tags] == [
            own.is_block_level(t) for t in tags
        ]
    assert sum(map(own.is_block_level, tags)) > 40


def test_page_key_changes_with_every_input(tmp_path: Path) -> None:
    targets = {"a.md": md.LinkTarget("a.md", "a/", InclusionLevel.INCLUDED)}

    def settings(**changes) -> md.RenderSettings:
        facts = {
            "markdown_extensions": ["toc"],
            "mdx_configs": {"toc": {"permalink": True}},
            "validation_links": SimpleNamespace(
                not_found=30, anchors=20, absolute_links=20, unrecognized_links=20
            ),
            "use_directory_urls": True,
            "targets": targets,
            "log_level": 20,
        }
        return md.render_settings(**(facts | changes))

    base = md.page_key(settings(), "a.md", "# A\n")
    assert md.page_key(settings(), "a.md", "# A\n") == base
    assert md.page_key(settings(), "a.md", "# B\n") != base
    assert md.page_key(settings(), "b.md", "# A\n") != base
    assert md.page_key(settings(mdx_configs={"toc": {}}), "a.md", "# A\n") != base
    assert md.page_key(settings(use_directory_urls=False), "a.md", "# A\n") != base
    assert md.page_key(settings(log_level=10), "a.md", "# A\n") != base
    assert md.page_key(settings(log_level=30), "a.md", "# A\n") == base  # `-q` shares it
    stricter = SimpleNamespace(not_found=40, anchors=20, absolute_links=20, unrecognized_links=20)
    assert md.page_key(settings(validation_links=stricter), "a.md", "# A\n") != base
    moved = {"a.md": md.LinkTarget("a.md", "elsewhere/", InclusionLevel.INCLUDED)}
    assert md.page_key(settings(targets=moved), "a.md", "# A\n") != base
    assert not md.cacheable(["toc", "pymdownx.snippets"])
    assert md.cacheable(["toc", "tables"])


def test_cards_drawn_in_parallel_are_the_cards_drawn_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fonts = find_fonts(None)
    specs = [
        CardSpec(title=f"Card {n}" if n % 2 else f"第{n}张卡片", site_name="Site", label="Article")
        for n in range(10)
    ]
    wanted = [(spec, tmp_path / "out" / f"{n}.png") for n, spec in enumerate(specs)]
    wanted.append((specs[0], tmp_path / "out" / "again.png"))  # one spec, two pages

    monkeypatch.setenv("LEADPRESS_JOBS", "2")
    parallel = CardCache(tmp_path / "cache-parallel", fonts)
    write_cards(parallel, wanted)
    drawn = {path.name: path.read_bytes() for _, path in wanted}
    assert parallel.rendered == 10

    shutil.rmtree(tmp_path / "out")
    monkeypatch.setenv("LEADPRESS_JOBS", "1")
    serial = CardCache(tmp_path / "cache-serial", fonts)
    write_cards(serial, wanted)
    assert {path.name: path.read_bytes() for _, path in wanted} == drawn
    assert drawn["again.png"] == drawn["0.png"]

    again = CardCache(tmp_path / "cache-parallel", fonts)
    write_cards(again, wanted)
    assert (again.rendered, again.reused) == (0, 10)


def _draw_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, specs: list[CardSpec]
) -> tuple[CardCache, CardPrefetch]:
    """A card cache and the process drawing `specs` into it, as a build on two CPUs has."""
    monkeypatch.setenv("LEADPRESS_JOBS", "2")
    cache = CardCache(tmp_path / "cards", find_fonts(None))
    prefetch = CardPrefetch.start(cache)
    assert prefetch is not None
    prefetch.want(specs)
    return cache, prefetch


def test_cards_drawn_ahead_are_the_cards_the_build_would_draw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = [CardSpec(title=f"Card {n}, 第{n}张", site_name="Site") for n in range(12)]
    # A spec asked twice is drawn once.
    cache, prefetch = _draw_ahead(tmp_path, monkeypatch, specs + specs[:3])
    fonts = cache.fonts
    assert prefetch.wait(timeout=120) == 0
    prefetch.stop()
    assert sorted(p.name for p in cache.directory.iterdir()) == sorted(
        cache.path(spec).name for spec in specs
    )
    for spec in specs:
        assert cache.path(spec).read_bytes() == render_card(spec, fonts)
    # The build then draws none of them.
    wanted = [(spec, tmp_path / "site" / f"{n}.png") for n, spec in enumerate(specs)]
    write_cards(cache, wanted)
    assert (cache.rendered, cache.reused) == (0, 12)
    again = CardPrefetch.start(cache)  # asked for cards it has: ends, drawing none
    assert again is not None
    again.want(specs)
    assert again.wait(timeout=60) == 0
    assert len(list(cache.directory.iterdir())) == 12


def test_cards_drawn_ahead_start_with_those_a_look_at_the_sources_promises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADPRESS_JOBS", "2")
    cache = CardCache(tmp_path / "cards", find_fonts(None))
    guessed = [CardSpec(title=f"Guessed {n}", site_name="Site") for n in range(3)]
    asked = [CardSpec(title=f"Asked {n}", site_name="Site") for n in range(3)]
    prefetch = CardPrefetch.start(cache, functools.partial(list, guessed))
    assert prefetch is not None
    deadline = time.monotonic() + 120
    while not all(cache.path(spec).exists() for spec in guessed):
        assert time.monotonic() < deadline, "the promised cards were not drawn"
        assert prefetch.process.is_alive()  # it waits for the build's own list
        time.sleep(0.05)
    prefetch.want(guessed[:1] + asked)
    assert prefetch.wait(timeout=120) == 0
    prefetch.stop()
    for spec in guessed + asked:
        assert cache.path(spec).read_bytes() == render_card(spec, cache.fonts)
    assert len(list(cache.directory.iterdir())) == 6  # and nothing else


def test_cards_drawn_ahead_end_when_the_build_does(tmp_path: Path) -> None:
    # A build killed before it could stop the drawing process leaves none behind.
    script = (
        "import os, sys; from pathlib import Path; "
        "from leadpress.buildcache.cards import CardPrefetch; "
        "from leadpress.seo.cards import CardCache, find_fonts; "
        "prefetch = CardPrefetch.start(CardCache(Path(sys.argv[1]), find_fonts(None))); "
        "print(prefetch.process.pid, flush=True); os._exit(0)"
    )
    started = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "cards")],
        capture_output=True,
        text=True,
        env={**os.environ, "LEADPRESS_JOBS": "2"},
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    pid = int(started.stdout)
    deadline = time.monotonic() + 60
    while _running(pid):
        assert time.monotonic() < deadline, "the drawing process outlived its build"
        time.sleep(0.05)


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status  # a zombie has ended; its new parent reaps it


def test_stopping_the_cards_drawn_ahead_leaves_only_whole_cards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build stops the process when it writes its cards, wherever it is.
    specs = [CardSpec(title=f"Card number {n}", site_name="Site") for n in range(400)]
    cache, prefetch = _draw_ahead(tmp_path, monkeypatch, specs)
    fonts = cache.fonts
    deadline = time.monotonic() + 60
    while not any(cache.directory.glob("*.png")) and time.monotonic() < deadline:
        time.sleep(0.01)
    prefetch.stop()
    assert prefetch.process.exitcode != 0  # stopped midway, not finished
    left = sorted(cache.directory.iterdir())
    assert left and all(path.suffix == ".png" for path in left)  # no temporary file
    drawn = {cache.path(spec).name: spec for spec in specs}
    for path in left:
        assert path.read_bytes() == render_card(drawn[path.name], fonts)
