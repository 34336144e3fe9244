"""Group commit: one thread writes every lead, many per transaction.

SQLite allows one writer at a time, so more writing threads would only queue on its lock;
and each commit waits for the disk. Leads that arrive while a commit is under way are
written together in the next transaction, so under load one fsync covers many leads, and no
lead is answered before its transaction is committed.

The event loop hands leads over through a lock-free queue and gets the results back with
one call per batch: per-lead thread hand-offs would cost more than the inserts.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import defaultdict
from contextlib import suppress

from .storage import NewLead, Saved, Storage

log = logging.getLogger("leadpress.leads")

_STOP = object()
_Item = tuple[NewLead, "asyncio.Future[Saved]", asyncio.AbstractEventLoop]
_Answer = tuple["asyncio.Future[Saved]", Saved | BaseException]


class WriterBusy(RuntimeError):
    """More leads are waiting than the database can take; the client should retry soon."""


class LeadWriter:
    def __init__(self, storage: Storage, *, max_batch: int = 200, max_waiting: int = 10_000):
        self.storage = storage
        self.max_batch = max_batch
        self.max_waiting = max_waiting
        self._queue: queue.SimpleQueue[_Item | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="leads-writer", daemon=True)
        self._stopping = False

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stopping

    async def save(self, lead: NewLead) -> Saved:
        """Store `lead`; returns once its transaction is committed."""
        if self._stopping:
            raise RuntimeError("the lead writer has stopped")
        if self._queue.qsize() >= self.max_waiting:
            raise WriterBusy
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Saved] = loop.create_future()
        self._queue.put((lead, future, loop))
        # Shielded: a lead handed over is stored even if its request is cancelled meanwhile.
        return await asyncio.shield(future)

    def stop(self, timeout: float = 30) -> None:
        """Write what is queued, then end the thread."""
        self._stopping = True
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def _run(self) -> None:
        stop = False
        while not stop:
            batch: list[_Item] = []
            item = self._queue.get()
            while True:
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)  # type: ignore[arg-type]
                if len(batch) >= self.max_batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._answer(batch, self._write([lead for lead, _, _ in batch]))

    def _write(self, leads: list[NewLead]) -> list[Saved | BaseException]:
        try:
            return list(self.storage.save(leads))
        except Exception as error:
            if len(leads) == 1:
                log.error("could not store lead %s: %s", leads[0].id, error)
                return [error]
        # One bad lead must not fail the others: write each on its own.
        return [result for lead in leads for result in self._write([lead])]

    def _answer(self, batch: list[_Item], results: list[Saved | BaseException]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[_Answer]] = defaultdict(list)
        for (_, future, loop), result in zip(batch, results, strict=True):
            by_loop[loop].append((future, result))
        for loop, answers in by_loop.items():
            with suppress(RuntimeError):  # the loop has closed: no one is waiting any more
                loop.call_soon_threadsafe(_resolve, answers)


def _resolve(answers: list[_Answer]) -> None:
    for future, result in answers:
        if future.done():
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)
