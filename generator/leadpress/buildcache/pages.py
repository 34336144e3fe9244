"""Whole pages kept between builds: the HTML MkDocs wrote for a page, and what the plugins
collected while building it, under a key that covers every input of the page.

A page's key hashes the site's fingerprint (configuration, theme, data files, assets, the
versions of Leadpress and the libraries it renders with, and every page's metadata as the
content plugin read it, including facts that depend on the build clock) with the page's own
address and source. A change to one article's text changes only that article's key; a
change to anything other pages show (a title, a tag, a date, a file added) changes the
fingerprint, and every page is built again.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import logging
import os
import pickle
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel

from . import dump_atomically, write_atomically
from .markdown import LogLine, versions

# Bump when the shape of a record changes.
FORMAT_VERSION = "2"  # 2: the HTML in a file of its own
PAGES_DIR = "pages"
_VERSIONED = (
    "leadpress",
    "mkdocs",
    "mkdocs-material",
    "markdown",
    "pymdown-extensions",
    "jinja2",
    "babel",
    "minify-html",
)
_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # generator/leadpress


@dataclass
class PageRecord:
    """One built page's facts that other stages read; its HTML, as MkDocs wrote it before
    the publish step rewrites the site, is a file beside the record (`PageStore.html_file`)."""

    meta: dict[str, Any]
    title: str | None  # the title the page's first heading gave, if any
    present_anchor_ids: set[str]
    links_to_anchors: dict[str, dict[str, str]] | None  # by the target's src_uri
    states: dict[str, Any] = field(default_factory=dict)  # by plugin name
    logs: list[LogLine] = field(default_factory=list)
    # The HTML file's size and modification time when it was stored: a file rewritten in
    # place since (through a hard link from the site) no longer matches.
    html_stat: tuple[int, int] = (-1, -1)


# Fingerprints --------------------------------------------------------------------------------


def facts_of(value: Any, _inside: bool = False) -> Any:
    """`value` as plain JSON data for hashing. Dataclasses give their fields; a dataclass met
    inside another one gives only its address (`uri`) when it has one, so pages that point
    at each other (related pages, translations) do not recurse. A parsed source's Markdown
    body is left out: a page's own source is part of its own key only."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if _inside and hasattr(value, "uri"):
            return {"uri": value.uri}
        return {
            f.name: facts_of(getattr(value, f.name), True)
            for f in dataclasses.fields(value)
            if f.name != "body"
        }
    if isinstance(value, dict):
        return {str(k): facts_of(v, _inside) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [facts_of(v, _inside) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def digest(*parts: Any) -> str:
    encoded = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def hash_files(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """(path, sha256 of the bytes) of every file under `paths`, sorted. Contents, not
    modification times: a CI checkout gives every file a new time."""
    found: list[tuple[str, str]] = []
    for path in paths:
        for file in _walk(path.resolve()):
            with suppress(OSError):
                found.append((file.as_posix(), hashlib.sha256(file.read_bytes()).hexdigest()))
    return sorted(found)


def _walk(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
    elif path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            yield from (Path(root) / name for name in sorted(files))


def tool_fingerprint() -> list[Any]:
    """The versions of what renders pages, and Leadpress's own files (its templates and
    code change between releases and in a working copy alike)."""
    return [FORMAT_VERSION, versions(_VERSIONED), hash_files([_PACKAGE_DIR])]


def page_key(fingerprint: str, src_uri: str, url: str, source: str, extra: Any = None) -> str:
    return digest(fingerprint, src_uri, url, source, extra)


# The store -------------------------------------------------------------------------------------


class PageStore:
    """Records as `<directory>/<key>.pickle` (`.leadpress-cache/pages/`) and the page's HTML
    as `<key>.html`, one pair per page, so a build reads only the records of the pages it
    reuses, links their HTML into the site instead of writing it again, and writes only the
    pages it built."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def html_file(self, key: str) -> Path:
        return self.directory / f"{key}.html"

    def get(self, key: str) -> PageRecord | None:
        """The record of `key` when it and its HTML file are intact, else None."""
        try:
            with open(self.directory / f"{key}.pickle", "rb") as handle:
                record = pickle.load(handle)
            html = os.stat(self.html_file(key))
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None  # missing or unreadable: the page is built, as without a cache
        except Exception as error:  # a record of another version of a class
            logging.getLogger(__name__).debug("page record %s unusable: %s", key, error)
            return None
        if not isinstance(record, PageRecord):
            return None
        return record if record.html_stat == (html.st_size, html.st_mtime_ns) else None

    def put(self, key: str, record: PageRecord, html: bytes) -> None:
        """Keep the page's HTML, then its record (a record is never without its HTML)."""
        path = self.html_file(key)
        with suppress(OSError):  # a record that cannot be kept: the page is built next time
            write_atomically(path, html)
            stat = os.stat(path)
            record.html_stat = (stat.st_size, stat.st_mtime_ns)
            dump_atomically(self.directory / f"{key}.pickle", record)

    def adopt(self, other: PageStore) -> None:
        """Move every record of `other` (a build's pending records) into this store."""
        if not other.directory.is_dir():
            return
        entries = sorted(os.scandir(other.directory), key=lambda e: e.name.endswith(".pickle"))
        for entry in entries:  # HTML files first: a record is never without its HTML
            if entry.name.endswith((".pickle", ".html")):
                os.replace(entry.path, self.directory / entry.name)

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove the records this build did not use, so the cache does not grow."""
        wanted = {f"{key}{suffix}" for key in keys for suffix in (".pickle", ".html")}
        with suppress(OSError):
            for entry in os.scandir(self.directory):
                if entry.name not in wanted and entry.is_file():
                    with suppress(OSError):
                        os.unlink(entry.path)
