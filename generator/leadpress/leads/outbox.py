"""Forwarding leads to CRM webhooks: the outbox, sent in the background until delivered.

A lead's outbox rows are written in the lead's own transaction, so a stored lead is always
forwarded, however long the CRM is down: failed attempts are retried with exponential
backoff, forever. Delivery is at least once (a CRM that answers slowly may get a lead
twice), so every request carries the lead's id as its Idempotency-Key.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from starlette.concurrency import run_in_threadpool

from .. import __version__
from ..forms.models import resolve_webhook
from .storage import Delivery, Storage

log = logging.getLogger("leadpress.leads")


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 2.0  # seconds before the first retry; doubles each time
    cap: float = 600.0
    jitter: float = 0.2  # ± this fraction, so retries to one CRM do not come in waves
    timeout: float = 10.0  # per request

    def delay(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th failed attempt."""
        exponent = min(max(failures - 1, 0), 40)  # 2**40 * base is past any cap
        delay = min(self.cap, self.base * 2**exponent)
        return min(self.cap, delay * random.uniform(1 - self.jitter, 1 + self.jitter))


class OutboxWorker:
    """Sends due outbox rows, several at a time; sleeps until the next is due or a new lead
    arrives (`wake`)."""

    def __init__(
        self,
        storage: Storage,
        policy: RetryPolicy = RetryPolicy(),
        *,
        clock: Callable[[], float],
        concurrency: int = 8,
        idle_poll: float = 30.0,
    ) -> None:
        self.storage = storage
        self.policy = policy
        self.clock = clock
        self.concurrency = concurrency
        self.idle_poll = idle_poll
        self._wake: asyncio.Event | None = None

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    async def run(self) -> None:
        self._wake = asyncio.Event()
        headers = {"User-Agent": f"Leadpress-Leads/{__version__}"}
        # Held past one request's timeout, so a slow CRM's row is not sent twice meanwhile.
        lease = timedelta(seconds=self.policy.timeout * 3)
        async with httpx.AsyncClient(timeout=self.policy.timeout, headers=headers) as client:
            while True:
                # Cleared before looking, so that a lead stored meanwhile still wakes us.
                self._wake.clear()
                try:
                    due = await run_in_threadpool(
                        self.storage.claim_due, self._now(), lease, self.concurrency * 4
                    )
                    if due:
                        limit = asyncio.Semaphore(self.concurrency)
                        sent = (self._send(client, d, limit) for d in due)
                        for result in await asyncio.gather(*sent, return_exceptions=True):
                            if isinstance(result, Exception):  # retried once its lease ends
                                log.warning("outbox: %s", result)
                        continue
                    wait = await run_in_threadpool(self._seconds_to_next)
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # the database is down: try again later
                    log.warning("outbox: %s", error)
                    wait = min(self.idle_poll, 5.0)
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)

    def _seconds_to_next(self) -> float:
        due = self.storage.next_due()
        if due is None:
            return self.idle_poll
        return min(self.idle_poll, max(0.0, (due - self._now()).total_seconds()))

    async def _send(
        self, client: httpx.AsyncClient, delivery: Delivery, limit: asyncio.Semaphore
    ) -> None:
        async with limit:
            error = await self._post(client, delivery)
        if error is None:
            await run_in_threadpool(self.storage.mark_delivered, delivery.id, self._now())
            return
        failures = delivery.attempts + 1
        retry_at = self._now() + timedelta(seconds=self.policy.delay(failures))
        log.warning(
            "outbox: lead %s to %s failed (attempt %d: %s); next try at %s",
            delivery.lead.id,
            delivery.url,
            failures,
            error,
            retry_at.isoformat(timespec="seconds"),
        )
        await run_in_threadpool(self.storage.mark_failed, delivery.id, error, retry_at)

    async def _post(self, client: httpx.AsyncClient, delivery: Delivery) -> str | None:
        """None when the CRM took the lead (any 2xx), else what went wrong."""
        # An env:NAME webhook is looked up at each attempt: setting the variable (and
        # restarting) is enough for the leads waiting in the outbox to go out.
        url = resolve_webhook(delivery.url, os.environ)
        if url is None:
            return f"the environment variable {delivery.url.removeprefix('env:')} is not set"
        headers = {
            "Idempotency-Key": delivery.lead.id,
            "X-Leadpress-Attempt": str(delivery.attempts + 1),
        }
        try:
            response = await client.post(url, json=delivery.lead.payload(), headers=headers)
        except (httpx.HTTPError, ValueError) as error:  # ValueError: a malformed URL
            return f"{type(error).__name__}: {error}"[:500]
        if response.is_success:
            return None
        return f"HTTP {response.status_code}: {response.text[:200]}"
