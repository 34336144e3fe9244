"""Forwarding to a CRM: a webhook receiver that fails at first gets every lead in the end,
each with an Idempotency-Key that lets it keep exactly one, and the outbox empties."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from leadpress.leads.outbox import OutboxWorker, RetryPolicy
from leadpress.leads.storage import Delivery, Storage, StoredLead
from leads_helpers import (
    BACKENDS,
    Service,
    database,
    demo,
    query,
    webinar,
    write_forms_json,
)


class Receiver:
    """A CRM's webhook endpoint on loopback: answers 500 to the first `failures` requests,
    then 200, and keeps every request it got."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[tuple[int, dict[str, str], dict[str, Any]]] = []  # status, ...
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    status = 500 if len(receiver.requests) < receiver.failures else 200
                    receiver.requests.append((status, dict(self.headers), body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/leads"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def accepted(self) -> list[tuple[dict[str, str], dict[str, Any]]]:
        with self.lock:
            return [(headers, body) for status, headers, body in self.requests if status == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver(failures=9)
    running.thread.start()
    yield running
    running.server.shutdown()


def _pending(db_url: str) -> int:
    return query(db_url, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL")[0][0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_lead_reaches_a_crm_that_fails_at_first(
    backend: str, tmp_path: Path, receiver: Receiver
) -> None:
    db_url = database(backend, tmp_path)
    # The CRM's URL comes from the service's environment, as a secret one would.
    forms_path = write_forms_json(tmp_path, webhooks=["env:LEADPRESS_TEST_CRM_URL"])
    # Short retries; and a short request timeout, which also bounds how long a delivery that
    # was under way when the service was killed stays claimed.
    options = ("--retry-base", "0.05", "--webhook-timeout", "0.5")
    environment = {"LEADPRESS_TEST_CRM_URL": receiver.url}
    log = tmp_path / "service.log"
    service = Service(forms_path, db_url, log, *options, env=environment).start()
    ids = []
    try:
        for number in range(3):
            response = service.submit("webinar-registration", webinar(full_name=f"Lead {number}"))
            assert response.status_code == 201
            ids.append(response.json()["id"])
        # Killed while the CRM is still failing: the outbox is in the database, so the leads
        # are forwarded after the restart.
        service.kill()
        service.start()
        for number in range(3):
            response = service.submit("demo-request", demo(full_name=f"Demo {number}"))
            ids.append(response.json()["id"])
        deadline = time.monotonic() + 30
        while (_pending(db_url) or len(receiver.accepted()) < 6) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        service.stop()

    assert _pending(db_url) == 0, service.output()
    accepted = receiver.accepted()
    # At least once: every lead arrived, by its id ...
    assert {body["id"] for _, body in accepted} == set(ids)
    # ... and a CRM that keeps one request per Idempotency-Key has exactly one of each.
    by_key = {headers["Idempotency-Key"]: body for headers, body in accepted}
    assert sorted(by_key) == sorted(ids)
    assert all(body["id"] == key for key, body in by_key.items())
    # The failures were real: nine attempts were answered 500 and retried.
    statuses = Counter(status for status, _, _ in receiver.requests)
    assert statuses[500] == 9
    attempts = query(db_url, "SELECT sum(attempts) FROM outbox")[0][0]
    assert attempts >= len(receiver.requests) - 3  # a delivery cut off by the kill is not counted
    lead = next(body for body in by_key.values() if body["values"]["full_name"] == "Lead 0")
    assert lead["form"] == "webinar-registration"
    assert lead["values"]["email"] == "ada@tarnbrook.example"
    assert lead["attribution"]["first_utm_campaign"] == "renewal-forecast-2027"
    assert lead["page_path"] == "/webinars/renewal-forecast-cfo/"
    assert lead["created_at"].endswith("Z")


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(base=2.0, cap=600.0, jitter=0.2)
    for failures, expected in [(1, 2), (2, 4), (3, 8), (6, 64), (9, 512)]:
        delays = [policy.delay(failures) for _ in range(200)]
        assert all(expected * 0.8 <= delay <= expected * 1.2 for delay in delays)
        assert len(set(delays)) > 1  # jittered
    # A CRM down for days: the delay stays at the cap, and the arithmetic does not overflow.
    assert all(policy.delay(n) <= 600 for n in (10, 11, 100, 10_000))
    assert all(policy.delay(n) >= 600 * 0.8 for n in (11, 100, 10_000))


def _delivery(url: str) -> Delivery:
    lead = StoredLead(
        id="01a20816-ebb0-7384-9175-648405cf086e",
        form="demo-request",
        created_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        values={"email": "ada@tarnbrook.example"},
        attribution={"first_ref": "northwind"},
        page_path="/book-a-demo/",
    )
    return Delivery(id=1, url=url, attempts=2, lead=lead)


def _post(
    url: str, answer: httpx.Response, env: dict[str, str], folder: Path
) -> tuple[str | None, list[httpx.Request]]:
    """What OutboxWorker sends for one delivery to a CRM that gives `answer`, and the error
    it records (None: delivered)."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer

    async def post() -> str | None:
        worker = OutboxWorker(Storage(f"sqlite:///{folder / 'unused.db'}"), clock=time.time)
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await worker._post(client, _delivery(url))

    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        patch.delenv("LEADPRESS_UNSET_CRM", raising=False)
        return asyncio.run(post()), sent


def test_a_delivery_is_the_lead_as_json_with_its_id_as_idempotency_key(tmp_path: Path) -> None:
    error, sent = _post("https://crm.example/hooks", httpx.Response(202), {}, tmp_path)
    assert error is None
    assert len(sent) == 1
    request = sent[0]
    assert str(request.url) == "https://crm.example/hooks"
    assert request.headers["Idempotency-Key"] == "01a20816-ebb0-7384-9175-648405cf086e"
    assert request.headers["X-Leadpress-Attempt"] == "3"
    assert json.loads(request.content) == {
        "id": "01a20816-ebb0-7384-9175-648405cf086e",
        "form": "demo-request",
        "created_at": "2026-11-20T09:30:00Z",
        "values": {"email": "ada@tarnbrook.example"},
        "attribution": {"first_ref": "northwind"},
        "page_path": "/book-a-demo/",
    }


def test_a_failed_delivery_says_why(tmp_path: Path) -> None:
    answer = httpx.Response(503, text="maintenance")
    error, _ = _post("https://crm.example/hooks", answer, {}, tmp_path)
    assert error == "HTTP 503: maintenance"
    error, sent = _post("env:LEADPRESS_UNSET_CRM", httpx.Response(200), {}, tmp_path)
    assert error == "the environment variable LEADPRESS_UNSET_CRM is not set"
    assert sent == []
    environment = {"LEADPRESS_SET_CRM": "https://x.example/h"}
    error, sent = _post("env:LEADPRESS_SET_CRM", httpx.Response(200), environment, tmp_path)
    assert error is None
    assert str(sent[0].url) == "https://x.example/h"
