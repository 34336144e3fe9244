"""Shared helpers: run the real `leadpress` command on sites copied into temporary folders."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lxml import etree

from leadpress.content.loading import Parsed, Source, parse_source

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
LEADPRESS = Path(sys.executable).with_name("leadpress")
E2E = Path(__file__).parent / "e2e"  # the browser tests' Node packages and scripts
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DEMO_PARTS = ("mkdocs.yml", "content", "theme", "campaigns")

# The demo site is built as of this moment, so drafts, schedules and webinars are stable.
DEMO_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def run_leadpress(
    *args: str, cwd: Path, now: datetime = DEMO_NOW, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `leadpress` command as a user would, with a fixed build clock."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": epoch(now), **(env or {})}
    environment.pop("LEADPRESS_DRAFTS", None)
    return subprocess.run(
        [str(LEADPRESS), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_demo(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for part in DEMO_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A private copy of the demo site that a test may change."""
    return copy_demo(tmp_path / "demo")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site, built once per session; tests read its site/ folder."""
    root = copy_demo(tmp_path_factory.mktemp("demo-build"))
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "site"


MINIMAL_CONFIG = """\
site_name: Test site
site_url: https://www.example.com/
docs_dir: content
theme:
  name: material
  language: en
nav:
  - Home: index.md
  - Articles: articles/index.md
plugins:
  - leadpress/content:
      timezone: UTC
"""


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write a small site: `{path under content/: text}`, plus a minimal mkdocs.yml."""

    def make(files: dict[str, str], config: str = MINIMAL_CONFIG) -> Path:
        root = tmp_path / "site-src"
        (root / "content").mkdir(parents=True, exist_ok=True)
        (root / "mkdocs.yml").write_text(config, encoding="utf-8")
        files = {"index.md": "---\ntitle: Home\n---\nWelcome.\n", **files}
        for relative, text in files.items():
            path = root / "content" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root

    return make


def tree_digest(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, to compare a folder before and after."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def parse_page(src_uri: str, text: str) -> Parsed:
    """A page's source read into its model, which must load without problems."""
    parsed, problems = parse_source(Source(src_uri, text, f"content/{src_uri}"), UTC)
    assert problems == []
    assert parsed is not None
    return parsed


def sitemap_schema() -> etree.XMLSchema:
    """The sitemaps.org schema, with the xhtml:link (hreflang) schema loaded beside it:
    sitemap.xsd accepts other namespaces strictly."""
    schemas = Path(__file__).parent / "schemas"
    wrapper = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
      <xsd:import namespace="http://www.sitemaps.org/schemas/sitemap/0.9"
                  schemaLocation="{(schemas / "sitemap.xsd").as_uri()}"/>
      <xsd:import namespace="http://www.w3.org/1999/xhtml"
                  schemaLocation="{(schemas / "xhtml-link.xsd").as_uri()}"/>
    </xsd:schema>"""
    return etree.XMLSchema(etree.fromstring(wrapper.encode()))


def front(**fields: str) -> str:
    """Front matter with one `key: value` line per field."""
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in fields.items()) + "---\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def needs_browser() -> None:
    """Chromium, Node.js and npm, or a skip that names what is missing (a failure in CI,
    which must run the browser tests, never skip them)."""
    problems = []
    if not Path(CHROMIUM).exists():
        problems.append("Chromium is not installed (scripts/install-system-packages installs it)")
    if shutil.which("node") is None or shutil.which("npm") is None:
        problems.append("Node.js and npm are needed to run Playwright")
    if problems:
        if os.environ.get("CI"):
            pytest.fail("; ".join(problems))
        pytest.skip("; ".join(problems))


@pytest.fixture(scope="session")
def playwright_ready() -> Path:
    """tests/e2e/ with its Node packages installed from the lock file; installed again when
    package.json names a package node_modules lacks (a dependency added since)."""
    needs_browser()
    declared = json.loads((E2E / "package.json").read_text(encoding="utf-8"))["dependencies"]
    if any(not (E2E / "node_modules" / name).is_dir() for name in declared):
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=E2E, check=True, capture_output=True
        )
    return E2E


@contextmanager
def lead_service(forms_json: Path, database: Path, port: int, cwd: Path) -> Iterator[None]:
    """`leadpress leads serve` on 127.0.0.1:port with a SQLite file, answering /healthz
    before the body runs, and stopped after it."""
    service = subprocess.Popen(
        [
            str(LEADPRESS), "leads", "serve", "--forms", str(forms_json),
            "--db", f"sqlite:///{database}", "--port", str(port), "--no-outbox",
        ],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert service.poll() is None, service.stdout.read() if service.stdout else ""
        assert time.monotonic() < deadline, "the lead service did not start"
        time.sleep(0.2)
    try:
        yield
    finally:
        service.terminate()
        service.wait(timeout=10)
