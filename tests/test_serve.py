"""`leadpress serve` previews the site and rebuilds it when a source changes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from conftest import DEMO_NOW, LEADPRESS, epoch, free_port

ARTICLE = "---\ntitle: {title}\ndate: 2026-01-15\n---\nBody.\n"


def _wait_for(url: str, predicate: Callable[[str], bool], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                last = response.read().decode("utf-8")
                if predicate(last):
                    return last
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never matched; last body starts {last[:200]!r}")


def test_serve_rebuilds_when_an_article_changes(make_site) -> None:
    root = make_site({"articles/story.md": ARTICLE.format(title="First title")})
    port = free_port()
    environment = {**os.environ, "SOURCE_DATE_EPOCH": epoch(DEMO_NOW)}
    server = subprocess.Popen(
        [str(LEADPRESS), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=root,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/articles/first-title/"
        page = _wait_for(url, lambda body: "First title</h1>" in body)
        assert "livereload" in page  # the script that refreshes the browser

        source = root / "content/articles/story.md"
        source.write_text(ARTICLE.format(title="First title, revised"), encoding="utf-8")
        _wait_for(
            f"http://127.0.0.1:{port}/articles/first-title-revised/",
            lambda body: "First title, revised</h1>" in body,
        )
        assert not (root / "site").exists()  # previews never touch the published output
    finally:
        server.terminate()
        server.wait(timeout=30)


def _refused(port: int, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return True
        time.sleep(0.2)
    return False


def test_stopping_serve_stops_its_lead_service(demo_copy) -> None:
    # A process manager or a CI step stops the preview with SIGTERM, not Ctrl-C: the lead
    # service it started must not stay behind, holding its port.
    port, leads_port = free_port(), free_port()
    config = demo_copy / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("127.0.0.1:8787", f"127.0.0.1:{leads_port}"), "utf-8")
    environment = {**os.environ, "SOURCE_DATE_EPOCH": epoch(DEMO_NOW)}
    server = subprocess.Popen(
        [str(LEADPRESS), "serve", "--leads", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=demo_copy,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{leads_port}/healthz", lambda body: '"ok"' in body)
        _wait_for(f"http://127.0.0.1:{port}/", lambda body: "<html" in body)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        assert _refused(leads_port), "the lead service still answers after serve stopped"
    finally:
        server.kill()
        server.wait(timeout=30)
