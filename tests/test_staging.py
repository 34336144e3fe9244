"""The folders of an atomic build: the previous site is emptied in the background and its
folders reused by the next build, which must still give exactly its own site."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import MINIMAL_CONFIG, run_leadpress, tree_digest
from leadpress import building
from leadpress.staging import (
    EMPTIED_SUFFIX,
    STALE_SECONDS,
    prune_empty_folders,
    staging_folder,
    swap_in,
)

ARTICLE = """\
---
title: {title}
description: An article on revenue operations for teams that want fewer, better leads.
date: 2026-03-0{day}
tags: [{tag}]
---

Text about {title}.
"""


def _folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def _wait_for(path: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.is_dir():
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.05)


def test_prune_removes_folders_without_files_at_any_depth(tmp_path: Path) -> None:
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "a" / "kept" / "deep").mkdir(parents=True)
    (tmp_path / "a" / "kept" / "deep" / "index.html").write_text("x")
    (tmp_path / "empty").mkdir()
    prune_empty_folders(tmp_path)
    assert _folders(tmp_path) == {"a", "a/kept", "a/kept/deep"}


def test_a_staging_folder_takes_the_emptied_tree_once(tmp_path: Path) -> None:
    final = tmp_path / "site"
    emptied = tmp_path / f".site{EMPTIED_SUFFIX}"
    (emptied / "articles" / "one").mkdir(parents=True)
    first = staging_folder(final)
    assert _folders(first) == {"articles", "articles/one"}
    assert not emptied.exists()
    second = staging_folder(final)
    assert second != first and _folders(second) == set()


def test_builds_on_a_reused_tree_give_exactly_their_own_site(make_site) -> None:
    files = {
        f"articles/a{day}.md": ARTICLE.format(title=f"Pipeline review {day}", day=day, tag="ops")
        for day in range(1, 5)
    }
    # With leadpress/buildcache MkDocs builds "dirty", into the folder as it finds it.
    root = make_site(files, MINIMAL_CONFIG + "  - leadpress/buildcache\n")
    first = run_leadpress("build", cwd=root)
    assert first.returncode == 0, first.stderr
    first_folders = _folders(root / "site")
    assert "articles/pipeline-review-4" in first_folders

    # Remove an article and change a tag: their folders must not survive in the next site.
    (root / "content" / "articles" / "a4.md").unlink()
    renamed = ARTICLE.format(title="Pipeline review 3", day=3, tag="forecasting")
    (root / "content" / "articles" / "a3.md").write_text(renamed, "utf-8")
    second = run_leadpress("build", cwd=root)
    assert second.returncode == 0, second.stderr
    _wait_for(root / f".site{EMPTIED_SUFFIX}")  # the first site, emptied in the background
    assert not any((root / f".site{EMPTIED_SUFFIX}").rglob("*.*"))  # folders only

    third = run_leadpress("build", cwd=root)  # built into that tree
    assert third.returncode == 0, third.stderr
    built = root / "site"
    assert "articles/pipeline-review-4" not in _folders(built)
    assert "articles/tag/forecasting" in _folders(built)
    assert "articles/tag/ops" in _folders(built)  # still on the other articles
    assert not any(not any(p.iterdir()) for p in built.rglob("*") if p.is_dir())

    # The same sources built from nothing give the same files and folders.
    fresh = root.parent / "fresh"
    fresh.mkdir()
    for path in (root / "content").rglob("*.md"):
        target = fresh / "content" / path.relative_to(root / "content")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    (fresh / "mkdocs.yml").write_bytes((root / "mkdocs.yml").read_bytes())
    reference = run_leadpress("build", cwd=fresh)
    assert reference.returncode == 0, reference.stderr
    assert tree_digest(built) == tree_digest(fresh / "site")
    assert _folders(built) == _folders(fresh / "site")


def test_swap_empties_the_old_site_and_deletes_only_stale_leftovers(tmp_path: Path) -> None:
    final, staging = tmp_path / "site", tmp_path / ".site-build-1"
    (final / "old-page").mkdir(parents=True)
    (final / "old-page" / "index.html").write_text("old")
    (staging / "new-page").mkdir(parents=True)
    (staging / "new-page" / "index.html").write_text("new")
    stale, recent = tmp_path / ".site-old-1", tmp_path / ".site-old-2"
    for leftover in (stale, recent):
        (leftover / "page").mkdir(parents=True)
        (leftover / "page" / "index.html").write_text("left over")
    an_hour_ago = time.time() - STALE_SECONDS - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))

    swap_in(staging, final)
    assert (final / "new-page" / "index.html").read_text() == "new"
    emptied = tmp_path / f".site{EMPTIED_SUFFIX}"
    _wait_for(emptied)
    assert _folders(emptied) == {"old-page"} and not any(emptied.rglob("*.html"))
    deadline = time.monotonic() + 30
    while stale.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not stale.exists()  # cut short long ago: deleted
    assert (recent / "page" / "index.html").is_file()  # may still be some job's: left


def test_the_collector_runs_less_often_while_building_and_as_before_after(
    make_site, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({"articles/a.md": "---\ntitle: A\ndate: 2026-01-05\n---\nText.\n"})
    monkeypatch.chdir(root)
    during: list[int] = []
    build = building.mkdocs_build

    def recording(config, dirty: bool = False) -> None:
        during.append(gc.get_threshold()[0])
        build(config, dirty=dirty)

    monkeypatch.setattr(building, "mkdocs_build", recording)
    before = gc.get_threshold()
    building.build_atomically(building.load_site_config("mkdocs.yml"))
    assert during == [building.BUILD_GC_THRESHOLD] and gc.get_threshold() == before
    (root / "content" / "articles" / "b.md").write_text("---\ntitle: [\n---\n", "utf-8")
    with pytest.raises(Abort):  # MkDocs' own, after it has logged the bad front matter
        building.build_atomically(building.load_site_config("mkdocs.yml"))
    assert len(during) == 2 and gc.get_threshold() == before
