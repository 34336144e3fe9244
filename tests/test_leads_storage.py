"""The storage layer on SQLite and PostgreSQL: migrations that can be repeated, the unique
constraint deciding between racing submissions with one key, durable SQLite settings, and a
bad lead that does not take its batch down with it."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadpress.leads.storage import NewLead, Saved, Storage, new_lead_id
from leadpress.leads.writer import LeadWriter
from leads_helpers import BACKENDS, database, query


def _lead(key: str | None, email: str = "ada@tarnbrook.example", **changes: object) -> NewLead:
    now = datetime.now(UTC)
    lead_id = new_lead_id(now)
    fields: dict[str, object] = {
        "id": lead_id,
        "form": "webinar-registration",
        "created_at": now,
        "values": {"email": email},
        "attribution": {"first_utm_source": "newsletter"},
        "page_path": "/webinars/x/",
        "client_hash": "0" * 64,
        "idempotency_key": key,
        "response": {"id": lead_id, "thank_you": {"url": None, "message": "Thanks"}},
        "webhooks": ("http://127.0.0.1:9/crm",),
    }
    fields.update(changes)
    return NewLead(**fields)  # type: ignore[arg-type]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database(request.param, tmp_path)


def test_migration_can_run_twice_and_from_two_processes_at_once(db_url: str) -> None:
    stores = [Storage(db_url) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda store: store.migrate(), stores))
    stores[0].migrate()
    assert query(db_url, "SELECT version FROM schema_version") == [(1,)]
    assert query(db_url, "SELECT count(*) FROM settings") == [(1,)]
    # The salt of client hashes is the database's: every process hashes an address alike.
    assert len({store.client_hash("203.0.113.9") for store in stores}) == 1
    assert stores[0].client_hash("203.0.113.9") != stores[0].client_hash("203.0.113.10")
    for store in stores:
        store.close()


def test_racing_submissions_with_one_key_store_one_lead(db_url: str) -> None:
    stores = [Storage(db_url), Storage(db_url)]  # as two service processes would
    stores[0].migrate()
    start = threading.Barrier(8)

    def save(number: int) -> Saved:
        lead = _lead("double-submit", email=f"racer{number}@tarnbrook.example")
        start.wait()
        return stores[number % 2].save([lead])[0]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(save, range(8)))
    assert sum(result.created for result in results) == 1
    assert len({result.response["id"] for result in results}) == 1
    assert query(db_url, "SELECT count(*) FROM leads") == [(1,)]
    assert query(db_url, "SELECT count(*) FROM outbox") == [(1,)]
    for store in stores:
        store.close()


def test_repeated_key_within_one_batch(db_url: str) -> None:
    store = Storage(db_url)
    store.migrate()
    first, retry, other = _lead("k1"), _lead("k1"), _lead(None)
    results = store.save([first, retry, other])
    assert [result.created for result in results] == [True, False, True]
    assert results[1].response == first.response
    assert query(db_url, "SELECT count(*) FROM leads") == [(2,)]
    assert query(db_url, "SELECT count(*) FROM outbox") == [(2,)]  # none for the retry
    store.close()


def test_a_lead_that_cannot_be_stored_fails_alone(db_url: str) -> None:
    store = Storage(db_url)
    store.migrate()
    existing = _lead(None)
    store.save([existing])
    writer = LeadWriter(store)
    writer.start()

    async def save_three() -> list[Saved | BaseException]:
        clash = _lead(None, id=existing.id)  # the same primary key: the database refuses it
        leads = [_lead(None), clash, _lead(None)]
        return await asyncio.gather(*(writer.save(lead) for lead in leads), return_exceptions=True)

    results = asyncio.run(save_three())
    writer.stop()
    assert isinstance(results[0], Saved) and isinstance(results[2], Saved)
    assert isinstance(results[1], Exception)
    assert query(db_url, "SELECT count(*) FROM leads") == [(3,)]
    store.close()


def test_sqlite_commits_durably(tmp_path: Path) -> None:
    store = Storage(database("sqlite", tmp_path))
    store.migrate()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    store.close()
