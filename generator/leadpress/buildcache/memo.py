"""Results of small pure functions kept between builds: slugs, reading times, feed bodies
with absolute links, rendered feeds.

Each is cheap once, but a build asks for thousands (and pinyin slugs need a dictionary that
takes a quarter of a second to import). `@remembered("table")` keys a function's result by
its arguments; while leadpress/buildcache has loaded the memo (`load`), a result stored by
the last successful build is returned as it was, and `save` keeps exactly the results this
build asked for. Without a loaded memo the function simply runs. The file is dropped
whenever Leadpress or a library it renders with changes (the caller's `fingerprint`).
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, ClassVar, ParamSpec, TypeVar

from . import DEFAULT_CACHE_DIR, dump_atomically

MEMO_FILE = "memo.pickle"

P = ParamSpec("P")
R = TypeVar("R")


class _State:
    active = False
    fingerprint = ""
    stored: ClassVar[dict[str, dict[Hashable, Any]]] = {}
    used: ClassVar[dict[str, dict[Hashable, Any]]] = {}
    computed = 0


def text_key(text: str) -> bytes:
    """A short key for a long text (a page body)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def remembered(
    table: str, key: Callable[..., Hashable] | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Keep the decorated function's results in memo table `table`, keyed by `key(*args)`
    (the positional arguments themselves by default)."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not _State.active or kwargs:
                return function(*args, **kwargs)
            found = key(*args) if key is not None else args
            used = _State.used.setdefault(table, {})
            if found in used:
                return used[found]
            stored = _State.stored.get(table, {})
            if found in stored:
                value = stored[found]
            else:
                value = function(*args)
                _State.computed += 1
            used[found] = value
            return value

        return wrapper

    return decorate


def kept_beside(config_file: str | None) -> bool:
    """Whether a build of the site configured in `config_file` (./mkdocs.yml when None)
    left results to remember in the default cache folder."""
    folder = Path(config_file or "mkdocs.yml").parent
    return (folder / DEFAULT_CACHE_DIR / MEMO_FILE).is_file()


def load(cache_dir: Path, fingerprint: str) -> None:
    """Start remembering for one build, with what the last successful build kept."""
    _State.active = True
    _State.fingerprint = fingerprint
    _State.used = {}
    _State.computed = 0
    _State.stored = {}
    try:
        with open(cache_dir / MEMO_FILE, "rb") as handle:
            kept_fingerprint, tables = pickle.load(handle)
    except Exception:  # missing, unreadable or of another version: computed again
        return
    if kept_fingerprint == fingerprint and isinstance(tables, dict):
        _State.stored = tables


def save(cache_dir: Path) -> None:
    """After a successful build: keep what it asked for (nothing else, so the file does not
    grow), unless that is exactly what was kept already."""
    if not _State.active:
        return
    unchanged = _State.computed == 0 and all(
        len(_State.used.get(table, ())) == len(entries) for table, entries in _State.stored.items()
    )
    if not unchanged:
        dump_atomically(cache_dir / MEMO_FILE, (_State.fingerprint, _State.used))


def computed() -> int:
    """How many results this process has computed this build (none came from the memo)."""
    return _State.computed


def results(tables: Iterable[str]) -> dict[str, dict[Hashable, Any]]:
    """What this process asked of `tables` this build: for a forked process to hand back to
    the one that keeps the memo (`add`)."""
    return {table: dict(_State.used.get(table, {})) for table in tables}


def add(tables: dict[str, dict[Hashable, Any]], newly_computed: int) -> None:
    """Results another process asked for (`results`), `newly_computed` of them new, kept
    as if this process had asked."""
    if not _State.active:
        return
    for table, entries in tables.items():
        _State.used.setdefault(table, {}).update(entries)
    _State.computed += newly_computed


def stop() -> None:
    """Back to computing every result (after a build, or when the cache is off)."""
    _State.active = False
    _State.stored = {}
    _State.used = {}
