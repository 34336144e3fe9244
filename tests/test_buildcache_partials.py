"""The theme's navigation, tabs and search box are rendered once for the pages that share
them: every page still comes out byte for byte as the theme renders it alone, whatever the
nav's shape, the page's folder or its language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import front, run_leadpress, tree_digest

CONFIG = """\
site_name: Partials test
site_url: https://www.example.com/
docs_dir: content
use_directory_urls: {directory_urls}
theme:
  name: material
  language: en
  logo: assets/logo.svg
  features: [navigation.tabs, navigation.indexes, navigation.top]
nav:
  - Home: index.md
  - Articles:
      - articles/index.md
      - Pinned: articles/a-03.md
  - Guides:
      - Install: guides/setup/install.md
      - Status page: https://status.example.com/
  - About: about.md
plugins:
  - search
  - leadpress/content:
      timezone: UTC
      languages: [en, zh]
  - leadpress/seo:
      cards: {{enabled: false}}
{extra}
markdown_extensions:
  - toc:
      permalink: true
"""

PAGES = {
    "index.md": ("Home", "Welcome."),
    "about.md": ("About us", "Who we are."),
    "guides/setup/install.md": ("Install", "Install it."),
    # Its folder holds a page of the nav: its links to that page differ from its neighbours'.
    "guides/setup.md": ("Setup overview", "Read [the install guide](setup/install.md)."),
    "guides/other.md": ("Another guide", "More."),
    "guides/more.md": ("A third guide", "Even more."),
}


def _write_site(root: Path, *, cached: bool, directory_urls: bool) -> Path:
    extra = "  - leadpress/buildcache" if cached else ""
    config = CONFIG.format(extra=extra, directory_urls=str(directory_urls).lower())
    root.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    content = root / "content"
    (content / "en" / "assets").mkdir(parents=True)
    (content / "en" / "assets" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    for lang in ("en", "zh"):
        for path, (title, body) in PAGES.items():
            _write(content / lang / path, front(title=f"{title} {lang}") + f"\n{body}\n")
        for number in range(6):
            title = f"线索评分 第{number}期" if lang == "zh" else f"Lead scoring, part {number}"
            page = front(title=title, date=f"2026-03-{number + 1:02d}", tags="[scoring]")
            _write(content / lang / "articles" / f"a-{number:02d}.md", page + "\nText.\n")
    return root


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("directory_urls", [True, False])
def test_pages_sharing_the_theme_partials_are_the_pages_the_theme_renders(
    tmp_path: Path, directory_urls: bool
) -> None:
    reference = _write_site(tmp_path / "alone", cached=False, directory_urls=directory_urls)
    site = _write_site(tmp_path / "shared", cached=True, directory_urls=directory_urls)
    for root in (reference, site):
        result = run_leadpress("build", "--verbose", cwd=root, env={"LEADPRESS_JOBS": "1"})
        assert result.returncode == 0, result.stderr
    found = re.search(r"search box: (\d+) rendered, (\d+) reused", result.stderr)
    assert found is not None, result.stderr
    assert int(found[2]) > int(found[1])  # most pages shared them

    expected, actual = tree_digest(reference / "site"), tree_digest(site / "site")
    assert sorted(actual) == sorted(expected)
    assert [name for name in expected if expected[name] != actual[name]] == []

    if directory_urls:
        # What the key must tell apart: the nav of a page whose folder holds a nav page
        # links to it differently from the nav of the page's neighbours.
        def install_links(page: str) -> set[str]:
            html = expected[f"guides/{page}/index.html"].decode()
            return set(re.findall(r'href="([^"]*install[^"]*)"', html))

        assert install_links("setup") != install_links("other") == install_links("more")
