"""Page-quality gates (scripts/check-pages): the demo passes all four, and each gate fails
on the mistake it exists to catch.

The gates use real judges: the Nu HTML checker (Java), axe-core and Lighthouse in Debian's
Chromium (Node). The small sites here are written by hand, so that each test shows one
mistake; the demo is built for a loopback origin and served by the script itself.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import REPO, copy_demo, run_leadpress

SCRIPT = REPO / "scripts" / "check-pages"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _needs(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if "chromium" in tools and Path(CHROMIUM).exists() and "chromium" in missing:
        missing.remove("chromium")
    if missing:
        message = f"{', '.join(missing)} needed (scripts/install-system-packages, Node.js)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the gates, never skip them
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_pages(*args: str | Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title>{head}</head>
<body><main><h1 id="top">{title}</h1>{body}</main></body>
</html>
"""


def write_site(root: Path, pages: dict[str, tuple[str, str] | str]) -> Path:
    """A static site: {file: body} or {file: (body, extra head)}."""
    for file, content in pages.items():
        body, head = content if isinstance(content, tuple) else (content, "")
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        title = file.removesuffix("index.html").strip("/") or "Home"
        path.write_text(PAGE.format(title=title, head=head, body=body), encoding="utf-8")
    return root


# The links gate ------------------------------------------------------------------------


def test_a_site_whose_links_all_resolve_passes_and_lists_external_links(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "index.html": '<a href="guide/">Guide</a> <a href="https://partner.invalid/x">P</a>',
            "guide/index.html": '<a href="../#top">Home</a> <a href="#top">Up</a>',
        },
    )
    result = check_pages(site, "--gate", "links")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "https://partner.invalid/x" in result.stdout  # listed, never fetched
    assert "all gates passed (links)" in result.stdout


def test_a_link_to_a_missing_page_fails_and_names_the_page_and_link(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "index.html": '<a href="guide/">Guide</a>',
            "guide/index.html": '<a href="../pricing/">$</a>',
        },
    )
    result = check_pages(site, "--gate", "links")
    assert result.returncode == 1
    assert "guide/index.html: <a> '../pricing/': no file at /pricing/" in result.stdout


def test_a_link_to_a_missing_anchor_fails(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {"index.html": '<a href="guide/#setup">Set up</a>', "guide/index.html": "<p>Text</p>"},
    )
    result = check_pages(site, "--gate", "links")
    assert result.returncode == 1
    assert "guide/index.html has no id 'setup'" in result.stdout


def test_a_missing_stylesheet_fails(tmp_path: Path) -> None:
    site = write_site(
        tmp_path, {"index.html": ("<p>Hi</p>", '<link rel="stylesheet" href="assets/site.css">')}
    )
    result = check_pages(site, "--gate", "links")
    assert result.returncode == 1
    assert "<link> 'assets/site.css'" in result.stdout


def test_a_page_no_link_reaches_fails_unless_kept_out_of_search_engines(tmp_path: Path) -> None:
    noindex = '<meta name="robots" content="noindex">'
    site = write_site(
        tmp_path,
        {
            "index.html": "<p>Home</p>",
            "orphan/index.html": '<a href="../">Home</a>',  # links out, but nothing links in
            "thanks/index.html": ("<p>Thanks</p>", noindex),
        },
    )
    result = check_pages(site, "--gate", "links")
    assert result.returncode == 1
    assert "unreachable from the home page: /orphan/" in result.stdout
    assert "/thanks/" not in re.findall(r"unreachable from the home page: (\S+)", result.stdout)


# The HTML gate -------------------------------------------------------------------------


def test_invalid_html_fails_with_the_file_and_the_checkers_message(tmp_path: Path) -> None:
    _needs("java")
    site = write_site(
        tmp_path,
        {"index.html": '<a href="broken/">x</a>', "broken/index.html": "<div><p>open</span>"},
    )
    result = check_pages(site, "--gate", "html")
    assert result.returncode == 1, result.stdout
    assert "broken/index.html: " in result.stdout
    assert "index.html: " not in result.stdout.replace("broken/index.html: ", "")


# What the gates found in the demo, checked without a browser -------------------------


def test_a_table_of_contents_title_labels_a_toggle_only_where_one_exists(demo_site: Path) -> None:
    titles = 0
    for page in demo_site.rglob("*.html"):
        tree = lxml_html.parse(str(page)).getroot()  # pages are minified: parse, don't grep
        labels = tree.xpath("//label[contains(@class, 'md-nav__title')]")
        titles += len(labels)
        if any(label.get("for") == "__toc" for label in labels):
            assert tree.xpath("//*[@id='__toc']"), page
    assert titles > 0  # the pages do have tables of contents


# The demo: all four gates --------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_for_loopback(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The demo built for http://127.0.0.1:PORT/, the origin the script will serve it on."""
    root = copy_demo(tmp_path_factory.mktemp("page-quality"))
    port = _free_port()
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        re.sub(r"(?m)^site_url:.*$", f"site_url: http://127.0.0.1:{port}/", text),
        encoding="utf-8",
    )
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root, port


def test_the_demo_passes_every_page_quality_gate(demo_for_loopback: tuple[Path, int]) -> None:
    _needs("java", "node", "npm", "chromium")
    root, port = demo_for_loopback
    result = check_pages(root / "site", "--port", str(port), "--chromium", CHROMIUM, timeout=1500)
    print(result.stdout)  # the scores, for the CI log
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "all gates passed (html, links, axe, lighthouse)" in result.stdout
    for kind in ("home page", "article", "case study", "webinar", "landing page"):
        assert re.search(rf"(?m)^  {kind} +100 +\d+ +\d+ +\d+ ", result.stdout), kind


def test_a_low_contrast_theme_fails_the_accessibility_gate(tmp_path: Path) -> None:
    _needs("node", "npm", "chromium")
    root = copy_demo(tmp_path / "demo")
    brand = root / "theme/assets/brand/brand.css"
    brand.write_text(
        brand.read_text(encoding="utf-8") + "\n.md-typeset p { color: #c4c4c4; }\n",
        encoding="utf-8",
    )
    assert run_leadpress("build", cwd=root).returncode == 0
    result = check_pages(root / "site", "--gate", "axe", "--chromium", CHROMIUM)
    assert result.returncode == 1, result.stdout
    assert "serious: color-contrast" in result.stdout
    assert "FAIL  axe" in result.stdout
