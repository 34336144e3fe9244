"""A lead that was answered 2xx is never lost: the service is killed with SIGKILL in the
middle of a load, restarted on the same database, and every answered lead is there."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from leads_helpers import (
    BACKENDS,
    ORIGIN,
    Service,
    count_leads,
    database,
    query,
    stored_leads,
    visitor_ip,
    webinar,
    write_forms_json,
)

URL_PATH = "/v1/forms/webinar-registration/submissions"


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_answered_submission_survives_kill_9(backend: str, tmp_path: Path) -> None:
    db_url = database(backend, tmp_path)
    forms_path = write_forms_json(tmp_path)
    service = Service(forms_path, db_url, tmp_path / "service.log", "--no-outbox").start()
    answered: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(number: int) -> None:
        with httpx.Client(base_url=service.url, timeout=5) as session:
            sent = 0
            while not stop.is_set():
                sent += 1
                try:
                    response = session.post(
                        URL_PATH,
                        json=webinar(email=f"load{number}.{sent}@tarnbrook.example"),
                        headers={"Origin": ORIGIN, "X-Forwarded-For": visitor_ip()},
                    )
                except httpx.TransportError:
                    time.sleep(0.01)  # the service is gone; keep trying until told to stop
                    continue
                if response.is_success:
                    with lock:
                        answered.append(response.json()["id"])

    clients = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for thread in clients:
        thread.start()
    deadline = time.monotonic() + 20
    while len(answered) < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    service.kill()  # while the clients are still sending
    time.sleep(0.2)
    stop.set()
    for thread in clients:
        thread.join()
    assert len(answered) >= 300, service.output()

    restarted = Service(forms_path, db_url, tmp_path / "service.log", "--no-outbox").start()
    try:
        stored = stored_leads(db_url)
        lost = [lead_id for lead_id in answered if lead_id not in stored]
        assert lost == [], f"{len(lost)} of {len(answered)} answered leads were lost"
        if backend == "sqlite":
            assert query(db_url, "PRAGMA integrity_check") == [("ok",)]
        # The database takes new leads after the crash.
        before = count_leads(db_url)
        assert restarted.submit("webinar-registration", webinar()).status_code == 201
        assert count_leads(db_url) == before + 1
    finally:
        restarted.stop()
