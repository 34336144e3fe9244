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

from . import dump_atomically, link_or_copy, load_versioned
from .markdown import LogLine, versions

# Bump when the shape of a record changes.
FORMAT_VERSION = "3"  # 3: the records in one file; 2: the HTML in a file of its own
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
    the publish step rewrites the site, is a file of its own (`PageStore.html_file`)."""

    meta: dict[str, Any]
    title: str | None  # the title the page's first heading gave, if any
    present_anchor_ids: set[str]
    links_to_anchors: dict[str, dict[str, str]] | None  # by the target's src_uri
    states: dict[str, Any] = field(default_factory=dict)  # by plugin name
    logs: list[LogLine] = field(default_factory=list)


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

HtmlStat = tuple[int, int]  # size and modification time of a kept HTML file
# A kept page: its HTML file's stat when it was kept, and its pickled record.
Entry = tuple[HtmlStat, bytes]
RECORDS_FILE = "records.pickle"


class PageStore:
    """The records of kept pages in one file (`.leadpress-cache/pages/records.pickle`) and
    each page's HTML as `<key>.html` beside it, so a build reads one file to know what it
    may reuse, unpickles only the records of the pages it reuses, and links their HTML into
    the site instead of writing it again."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._entries: dict[str, Entry] | None = None

    def html_file(self, key: str) -> Path:
        return self.directory / f"{key}.html"

    def entries(self) -> dict[str, Entry]:
        if self._entries is None:
            self._entries = _load_entries(self.directory / RECORDS_FILE)
        return self._entries

    def get(self, key: str) -> PageRecord | None:
        """The record of `key` when it and its HTML file are intact, else None."""
        entry = self.entries().get(key)
        if entry is None:
            return None
        kept_stat, blob = entry
        try:
            html = os.stat(self.html_file(key))
        except OSError:
            return None  # the page is built, as without a cache
        if (html.st_size, html.st_mtime_ns) != kept_stat:
            return None  # changed in place since, through a link from the site
        return _record(blob, key)

    def adopt(self, directory: Path, new: dict[str, Entry], wanted: Iterable[str]) -> None:
        """Keep exactly the pages of `wanted`: those of `new` (a successful build's pages,
        their HTML in `directory`) and those already kept. HTML files move in before the
        records that name them are written, and go only after."""
        kept = self.entries()
        wanted = set(wanted)
        if not new and wanted == kept.keys():
            return  # nothing built, nothing dropped: the store is as it should be
        self.directory.mkdir(parents=True, exist_ok=True)
        for key in new:
            os.replace(directory / f"{key}.html", self.html_file(key))
        entries = {key: new.get(key) or kept[key] for key in wanted if key in new or key in kept}
        dump_atomically(self.directory / RECORDS_FILE, {"format": FORMAT_VERSION, "pages": entries})
        self._entries = entries
        names = {f"{key}.html" for key in entries} | {RECORDS_FILE}
        with suppress(OSError):
            for item in os.scandir(self.directory):
                if item.name not in names and item.is_file():
                    with suppress(OSError):
                        os.unlink(item.path)


class PendingPages:
    """The pages one process built in this build, kept aside in `directory` until the whole
    build has succeeded: a page built in a failed build may carry a problem that must be
    found again next time."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.records: dict[str, bytes] = {}
        self.written: dict[str, str] = {}  # where each page's HTML is in the site

    def add(self, key: str, record: PageRecord, html_path: str) -> None:
        self.records[key] = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        self.written[key] = html_path

    def link_html(self) -> dict[str, Entry]:
        """Once the pages are written: each page's HTML as MkDocs wrote it, linked from the
        site into `directory` (no bytes written; copied where links are not possible), with
        its record. A page whose file cannot be kept is left out: it is built next time."""
        self.directory.mkdir(parents=True, exist_ok=True)
        entries: dict[str, Entry] = {}
        for key, html_path in self.written.items():
            kept = self.directory / f"{key}.html"
            try:
                link_or_copy(html_path, kept)
                stat = os.stat(kept)
            except OSError:
                continue
            entries[key] = ((stat.st_size, stat.st_mtime_ns), self.records[key])
        return entries

    def save(self, name: str) -> None:
        """Link the HTML and write the records to `directory/name`, for another process."""
        entries = self.link_html()
        with open(self.directory / name, "wb") as file:  # the folder is this build's own
            pickle.dump(entries, file, protocol=pickle.HIGHEST_PROTOCOL)


def load_pending(path: Path) -> dict[str, Entry]:
    """What `PendingPages.save` wrote (by another process of this build)."""
    with open(path, "rb") as file:
        entries = pickle.load(file)
    return entries


def entry_record(entry: Entry, key: str) -> PageRecord | None:
    return _record(entry[1], key)


def _record(blob: bytes, key: str) -> PageRecord | None:
    try:
        record = pickle.loads(blob)
    except (EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    except Exception as error:  # a record of another version of a class
        logging.getLogger(__name__).debug("page record %s unusable: %s", key, error)
        return None
    return record if isinstance(record, PageRecord) else None


def _load_entries(path: Path) -> dict[str, Entry]:
    """The kept pages; none when the file is missing, unreadable or of another format (the
    cache only ever saves time)."""
    stored = load_versioned(path, FORMAT_VERSION)
    if stored is None:
        return {}
    pages = stored.get("pages")
    return pages if isinstance(pages, dict) else {}
