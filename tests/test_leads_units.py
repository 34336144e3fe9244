"""Small parts of the lead service on their own: the rate limiter, database URLs, lead ids,
languages and content negotiation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leadpress.leads.app import _quality
from leadpress.leads.pages import accept_language, origin_of
from leadpress.leads.ratelimit import RateLimit, RateLimiter, client_key
from leadpress.leads.storage import DatabaseError, database_url, new_lead_id


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_the_burst_then_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimit(per_minute=10, burst=20), clock)
    assert [limiter.take("a") for _ in range(20)] == [0.0] * 20
    assert limiter.take("a") == pytest.approx(6.0)  # one token every 6 s
    assert limiter.take("b") == 0.0  # another client has its own bucket
    clock.now += 6
    assert limiter.take("a") == 0.0
    assert limiter.take("a") > 0
    clock.now += 3600  # refilled, but never above the burst
    assert sum(limiter.take("a") == 0.0 for _ in range(25)) == 20


def test_rate_limiter_memory_stays_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimit(per_minute=10, burst=20), clock, max_clients=1000)
    for number in range(10_000):
        clock.now += 0.001
        limiter.take(f"client{number}")
    assert len(limiter._buckets) <= 1000


@pytest.mark.parametrize(
    ("text", "per_minute", "burst"),
    [("10/minute", 10, 20), ("600/hour", 10, 20), ("5/second", 300, 600), ("30", 30, 60)],
)
def test_rate_parsing(text: str, per_minute: float, burst: int) -> None:
    assert RateLimit.parse(text) == RateLimit(per_minute, burst)


@pytest.mark.parametrize("text", ["lots", "10/fortnight", "0/minute", "-1/minute"])
def test_bad_rate(text: str) -> None:
    with pytest.raises(ValueError):
        RateLimit.parse(text)


def test_ipv6_clients_are_limited_by_their_64() -> None:
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9")
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("198.51.100.7") == "198.51.100.7"


def test_database_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert str(database_url("sqlite:///leads.db")) == f"sqlite:///{tmp_path / 'leads.db'}"
    assert str(database_url("leads.db")) == f"sqlite:///{tmp_path / 'leads.db'}"
    postgres = database_url("postgresql://crm:secret@db.internal:5433/leads")
    assert postgres.drivername == "postgresql+psycopg"
    assert (postgres.host, postgres.port, postgres.database) == ("db.internal", 5433, "leads")
    assert database_url("postgres://db/leads").drivername == "postgresql+psycopg"
    for bad in ("sqlite://", "sqlite:///:memory:", "mysql://db/leads", "oracle+cx://x"):
        with pytest.raises(DatabaseError):
            database_url(bad)


def test_lead_ids_are_uuid7_in_time_order_and_unique() -> None:
    start = datetime(2026, 11, 20, tzinfo=UTC)
    ids = [new_lead_id(start + timedelta(milliseconds=n)) for n in range(1000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 1000
    assert all(lead_id[14] == "7" and lead_id[19] in "89ab" for lead_id in ids)
    same_moment = {new_lead_id(start) for _ in range(1000)}
    assert len(same_moment) == 1000


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-GB,en;q=0.9,zh;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,zh-TW;q=0.5", "zh"),
        ("de", None),
        ("", None),
        ("en;q=0.2,zh;q=0.9", "zh"),
        ("zh;q=0,en", "en"),
    ],
)
def test_accept_language(header: str, lang: str | None) -> None:
    assert accept_language(header) == lang


def test_browser_navigation_prefers_html_and_fetch_does_not() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert _quality(browser, "text/html") > _quality(browser, "application/json")
    assert _quality("*/*", "text/html") == _quality("*/*", "application/json")
    assert _quality("application/json", "text/html") == 0.0


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://www.tallyfold.example/webinars/x/?a=1", "https://www.tallyfold.example"),
        ("HTTPS://WWW.Tallyfold.example:8443/", "https://www.tallyfold.example:8443"),
        ("javascript:alert(1)", None),
        ("/relative/path", None),
        ("http://[::1", None),
    ],
)
def test_origin_of(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin
