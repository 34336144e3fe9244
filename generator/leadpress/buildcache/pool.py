"""A process pool sized to the machine, and the rule for when it is worth starting."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

JOBS_VARIABLE = "LEADPRESS_JOBS"
# Starting workers costs a few hundred milliseconds; below this many items, work serially.
MIN_PARALLEL_ITEMS = 8


def worker_count() -> int:
    """CPUs this process may use, or LEADPRESS_JOBS when set (1 turns the pool off)."""
    configured = os.environ.get(JOBS_VARIABLE, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def use_pool(items: int) -> bool:
    return worker_count() > 1 and items >= MIN_PARALLEL_ITEMS


def fork_allowed() -> bool:
    """Forking is cheap (modules are already imported) and safe while this process runs a
    single thread; with other threads alive (`leadpress serve`), a fork could copy a lock
    another thread holds."""
    return threading.active_count() == 1 and hasattr(os, "fork")


@contextmanager
def process_pool(initializer=None, initargs: tuple = ()) -> Iterator[ProcessPoolExecutor]:
    """Workers forked from this process when that is allowed, else started fresh."""
    forked = fork_allowed()
    method = "fork" if forked else "spawn"
    with (
        frozen_objects(forked),
        ProcessPoolExecutor(
            max_workers=worker_count(),
            mp_context=multiprocessing.get_context(method),
            initializer=initializer,
            initargs=initargs,
        ) as pool,
    ):
        yield pool


@contextmanager
def frozen_objects(freeze: bool = True) -> Iterator[None]:
    """While forked processes share this process's memory, keep the garbage collector
    from walking the objects that existed at the fork: a walk writes to every object it
    visits, and each write copies a shared page (hundreds of MB on a large site)."""
    if not freeze:
        yield
        return
    hold_frozen()
    try:
        yield
    finally:
        release_frozen()


_holders = 0  # forks alive that want the collector kept off the shared objects


def hold_frozen() -> None:
    """`frozen_objects` for a fork that outlives a `with` block; `release_frozen` when it
    has ended. The objects stay frozen until the last holder releases them."""
    global _holders
    _holders += 1
    gc.freeze()  # also whatever was made since an earlier holder froze


def release_frozen() -> None:
    global _holders
    _holders = max(0, _holders - 1)
    if _holders == 0:
        gc.unfreeze()
