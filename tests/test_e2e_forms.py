"""End to end in a real browser: Playwright drives Debian's Chromium through the demo site,
served on loopback, to the real lead service on a real SQLite file.

A visitor arrives from a tracked link, reads an article, then fills in the demo form: the
stored lead must say where they first came from. Then the same without JavaScript.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest

from conftest import CHROMIUM, E2E, copy_demo, free_port, lead_service, run_leadpress

VALUES = [
    ("email", "mei.lin@ferncastle.example"),
    ("full_name", "Lin Mei"),
    ("company", "Ferncastle Payments"),
    ("phone", "+65 6123 4567"),
    ("message", "Renewal forecasting for 40 customer-success managers."),
    ("consent", "on"),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, playwright_ready: Path) -> Iterator[dict]:
    """The demo built for loopback addresses, a static server for it, and the lead service."""
    root = copy_demo(tmp_path_factory.mktemp("e2e"))
    site_port, service_port = free_port(), free_port()
    site_url = f"http://127.0.0.1:{site_port}/"
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("https://www.tallyfold.example/", site_url, 1)
    text = text.replace("http://127.0.0.1:8787/", f"http://127.0.0.1:{service_port}/")
    config.write_text(text, encoding="utf-8")
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr

    handler = partial(SimpleHTTPRequestHandler, directory=str(root / "site"))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", site_port), handler)
    Thread(target=server.serve_forever, daemon=True).start()

    database = root / "leads.db"
    try:
        with lead_service(root / "site/forms.json", database, service_port, root):
            yield {"root": root, "site": site_url, "database": database}
    finally:
        server.shutdown()


def _journey(stack: dict, *, javascript: bool, code: str, fail_first_send: bool = False) -> dict:
    plan = {
        "chromium": CHROMIUM,
        "site": stack["site"],
        "arrival": f"renewal-forecast-webinar/?utm_source=newsletter&utm_medium=email&ref={code}",
        "reading": "articles/lead-scoring-without-a-data-team/",
        "form_page": "book-a-demo/",
        "form": "demo-request",
        "javascript": javascript,
        "values": VALUES,
        "min_fill_ms": 2600,
        "expect_thank_you_page": None,
        "fail_first_send": fail_first_send,
    }
    result = subprocess.run(
        ["node", str(E2E / "form_journey.mjs"), json.dumps(plan)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "error" not in report, report
    return report


def _leads(database: Path) -> list[dict]:
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("SELECT * FROM leads ORDER BY id").fetchall()
    leads = []
    for row in rows:
        lead = dict(row)
        for key in ("values", "attribution"):
            if isinstance(lead.get(key), str):
                lead[key] = json.loads(lead[key])
        leads.append(lead)
    return leads


def test_a_tracked_visitor_becomes_one_attributed_lead(stack: dict) -> None:
    before = len(_leads(stack["database"]))
    report = _journey(stack, javascript=True, code="7ha3bn")

    # inline checks ran before anything was sent
    assert report["invalid_after_empty_submit"] == "true"
    assert report["email_error"] == "Please fill in Work email."
    assert report["focused_after_empty_submit"] == "email"
    assert "A consultant will write within one working day" in report["status"]

    leads = _leads(stack["database"])
    assert len(leads) == before + 1
    lead = leads[-1]
    assert lead["form"] == "demo-request"
    assert lead["values"]["email"] == "mei.lin@ferncastle.example"
    assert lead["values"]["consent"] == "true"
    attribution = lead["attribution"]
    assert attribution["first_utm_source"] == "newsletter"
    assert attribution["first_ref"] == "7ha3bn"
    assert attribution["first_landing_path"] == "/renewal-forecast-webinar/"
    assert lead["page_path"] == "/book-a-demo/"


def test_without_javascript_the_form_still_makes_a_lead(stack: dict) -> None:
    before = len(_leads(stack["database"]))
    report = _journey(stack, javascript=False, code="ferncastle")
    assert "A consultant will write within one working day" in report["final_text"]
    leads = _leads(stack["database"])
    assert len(leads) == before + 1
    assert leads[-1]["values"]["company"] == "Ferncastle Payments"
    # without JavaScript nothing records the visit: no attribution, and no failure either
    assert not leads[-1]["attribution"].get("first_utm_source")


def test_a_send_that_fails_is_queued_and_retried_once(stack: dict) -> None:
    before = len(_leads(stack["database"]))
    report = _journey(stack, javascript=True, code="qkzh5k", fail_first_send=True)
    assert report["queued_status"].startswith("Saved. We will send it")
    assert report["queue_emptied"]
    assert report["first_send_status"] == 201  # the service had stored it already
    leads = _leads(stack["database"])
    # the first send reached the service; the retry carried the same key: one lead, not two
    assert len(leads) == before + 1
    assert leads[-1]["attribution"]["first_ref"] == "qkzh5k"


def test_form_pages_have_no_serious_accessibility_violations(stack: dict) -> None:
    pages = ["book-a-demo/", "webinars/live-building-a-renewal-forecast-your-cfo-trusts/"]
    plan = {"chromium": CHROMIUM, "urls": [stack["site"] + page for page in pages]}
    result = subprocess.run(
        ["node", str(E2E / "axe_check.mjs"), json.dumps(plan)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == set(plan["urls"])
    serious = {
        url: [v for v in violations if v["impact"] in ("serious", "critical")]
        for url, violations in report.items()
    }
    assert serious == {url: [] for url in report}, serious
