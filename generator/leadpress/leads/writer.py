"""Group commit: one thread writes every lead, many per transaction.

SQLite allows one writer at a time, so more writing threads only queue on its lock; and each
commit waits for the disk. Leads that arrive while a commit is under way are written together
in the next transaction, so under load one fsync covers many leads, and no lead is answered
before its transaction is committed.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future

from .storage import NewLead, Saved, Storage

log = logging.getLogger("leadpress.leads")

_STOP = object()


class WriterBusy(RuntimeError):
    """More leads are waiting than the database can take; the client should retry soon."""


class LeadWriter:
    def __init__(self, storage: Storage, *, max_batch: int = 200, max_waiting: int = 10_000):
        self.storage = storage
        self.max_batch = max_batch
        self._queue: queue.Queue[tuple[NewLead, Future[Saved]] | object] = queue.Queue(max_waiting)
        self._thread = threading.Thread(target=self._run, name="leads-writer", daemon=True)
        self._stopping = False

    def start(self) -> None:
        self._thread.start()

    def submit(self, lead: NewLead) -> Future[Saved]:
        if self._stopping:
            raise RuntimeError("the lead writer has stopped")
        future: Future[Saved] = Future()
        try:
            self._queue.put_nowait((lead, future))
        except queue.Full:
            raise WriterBusy from None
        return future

    def stop(self, timeout: float = 30) -> None:
        """Write what is queued, then end the thread."""
        self._stopping = True
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch: list[tuple[NewLead, Future[Saved]]] = []
            while item is not _STOP:
                lead, future = item  # type: ignore[misc]
                # A request cancelled before its lead was picked up is dropped: its client got
                # no answer and retries with the same key. Once picked up, it is stored.
                if future.set_running_or_notify_cancel():
                    batch.append((lead, future))
                if len(batch) >= self.max_batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._write(batch)
            if item is _STOP:
                return

    def _write(self, batch: list[tuple[NewLead, Future[Saved]]]) -> None:
        try:
            results = self.storage.save([lead for lead, _ in batch])
        except Exception as error:
            if len(batch) > 1:
                # One bad lead must not fail the others: write each on its own.
                for one in batch:
                    self._write([one])
                return
            log.error("could not store lead %s: %s", batch[0][0].id, error)
            batch[0][1].set_exception(error)
            return
        for (_, future), saved in zip(batch, results, strict=True):
            future.set_result(saved)
