"""Markdown to HTML exactly as MkDocs does it, in worker processes and from a cache.

MkDocs converts pages one by one in its populate loop (`Page.render`). Here the same
`Page.render` code runs on a stand-in page with picklable stand-ins of the file list and
config, so it can run in another process; its result (HTML, table of contents, title from
the first heading, anchors, links to anchors, and the log lines it wrote) is kept as
pickled bytes under a key that hashes every input of the conversion.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import pickle
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from types import SimpleNamespace
from typing import Any

import markdown as python_markdown
from mkdocs.structure.files import InclusionLevel
from mkdocs.structure.pages import (
    Page,
    _ExtractAnchorsTreeprocessor,
    _ExtractTitleTreeprocessor,
    _RawHTMLPreprocessor,
    _RelativePathTreeprocessor,
)
from mkdocs.structure.toc import get_toc

from . import dump_atomically, load_versioned
from .inline import skip_needless_searches

# Bump when the shape of what is stored changes.
FORMAT_VERSION = "1"
CACHE_FILE = "markdown.pickle"
PAGES_LOGGER = "mkdocs.structure.pages"  # the logger MkDocs' link checks write to
# Extensions that read other files while converting: those files are not part of the key,
# so with any of them configured nothing is stored between builds.
READS_OTHER_FILES = frozenset({"pymdownx.snippets", "markdown_include.include", "mdx_include"})
# Extensions that keep nothing from one document to the next, or clear it in
# `Markdown.reset()`: with only these configured, a process makes one converter and resets
# it for each page (making one, extensions and all, is a fifth of a page's conversion).
# Not `footnotes`: its reset numbers the next document's footnotes on.
REUSABLE_EXTENSIONS = frozenset(
    {
        "tables",
        "toc",
        "fenced_code",
        "admonition",
        "attr_list",
        "md_in_html",
        "def_list",
        "sane_lists",
        "pymdownx.superfences",
        "pymdownx.highlight",
        "pymdownx.inlinehilite",
        "pymdownx.details",
    }
)
_LINK_CHECKS = ("not_found", "anchors", "absolute_links", "unrecognized_links")
_VERSIONED = ("leadpress", "mkdocs", "markdown", "pymdown-extensions", "mkdocs-material")


@dataclass(frozen=True)
class LinkTarget:
    """What MkDocs' link processor needs of a file: where it comes from and goes to."""

    src_uri: str
    url: str
    inclusion: InclusionLevel


class TargetFiles:
    """A picklable stand-in for MkDocs' `Files`, answering `get_file_from_path`."""

    def __init__(self, targets: Mapping[str, LinkTarget]) -> None:
        self.targets = dict(targets)

    def get_file_from_path(self, path: str) -> LinkTarget | None:
        return self.targets.get(PurePath(path).as_posix())


class RenderConfig(dict):
    """The parts of MkDocs' config that `Page.render` reads: markdown extensions by key,
    link validation and directory URLs by attribute."""

    validation: Any
    use_directory_urls: bool


@dataclass
class RenderSettings:
    """Everything a conversion depends on besides the page's own source and address."""

    config: RenderConfig
    files: TargetFiles
    log_level: int  # the lowest level of the lines a conversion keeps
    fingerprint: str = ""


@dataclass(frozen=True)
class LogLine:
    logger: str
    level: int
    message: str


@dataclass
class Converted:
    content: str
    toc: Any
    title: str | None
    present_anchor_ids: set[str]
    links_to_anchors: dict[str, dict[str, str]] | None  # by the target's src_uri
    logs: list[LogLine] = field(default_factory=list)


def versions(names: tuple[str, ...] = _VERSIONED) -> dict[str, str]:
    """The installed version of each distribution ("" when it is not installed)."""
    found = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = ""
    return found


def plain(value: Any) -> Any:
    """Config values as JSON can hash them; anything else by its repr."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def render_settings(
    markdown_extensions: list[Any],
    mdx_configs: Mapping[str, Any],
    validation_links: Any,
    use_directory_urls: bool,
    targets: Mapping[str, LinkTarget],
    log_level: int,
) -> RenderSettings:
    config = RenderConfig(markdown_extensions=markdown_extensions, mdx_configs=dict(mdx_configs))
    # The values themselves (ints, or MkDocs' enum that it compares by identity), in a plain
    # namespace that pickles for workers started fresh.
    levels = {name: getattr(validation_links, name) for name in _LINK_CHECKS}
    config.validation = SimpleNamespace(links=SimpleNamespace(**levels))
    config.use_directory_urls = use_directory_urls
    files = TargetFiles(targets)
    links = {name: int(level) for name, level in levels.items()}
    facts = {
        "format": FORMAT_VERSION,
        "versions": versions(),
        "extensions": plain(markdown_extensions),
        "configs": plain(dict(mdx_configs)),
        "links": links,
        "directory_urls": use_directory_urls,
        # MkDocs records links to anchors unless it logs debug messages. Otherwise the
        # conversion keeps every line from INFO up and the replay filters them, so `-q`
        # and a normal build share the cache.
        "debug": log_level <= logging.DEBUG,
        "files": sorted((t.src_uri, t.url, t.inclusion.value) for t in files.targets.values()),
    }
    encoded = json.dumps(facts, sort_keys=True, ensure_ascii=False).encode("utf-8")
    fingerprint = hashlib.sha256(encoded).hexdigest()
    kept = logging.DEBUG if log_level <= logging.DEBUG else logging.INFO
    return RenderSettings(config, files, kept, fingerprint)


def cacheable(markdown_extensions: list[Any]) -> bool:
    """False when an extension is an object (its settings cannot be hashed reliably) or
    reads files that the key does not cover."""
    return all(isinstance(e, str) and e not in READS_OTHER_FILES for e in markdown_extensions)


def page_key(settings: RenderSettings, src_uri: str, markdown: str) -> str:
    """The cache key of one page's conversion. Its own address is among the file facts."""
    digest = hashlib.sha256(settings.fingerprint.encode())
    digest.update(b"\0" + src_uri.encode("utf-8") + b"\0")
    digest.update(markdown.encode("utf-8"))
    return digest.hexdigest()


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[LogLine] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(LogLine(record.name, record.levelno, record.getMessage()))


@contextmanager
def _captured_logs(level: int) -> Iterator[list[LogLine]]:
    """Collect what the conversion logs instead of printing it, so the lines can be
    replayed when (and each time) the page is built."""
    logger = logging.getLogger(PAGES_LOGGER)
    collector = _Collector()
    saved = logger.handlers[:], logger.propagate, logger.level
    logger.handlers[:] = [collector]
    logger.propagate = False
    logger.setLevel(level)
    try:
        yield collector.lines
    finally:
        logger.handlers[:], logger.propagate = saved[0], saved[1]
        logger.setLevel(saved[2])


def convert(settings: RenderSettings, src_uri: str, markdown: str) -> Converted:
    """Run MkDocs' own `Page.render` for the page at `src_uri` with this Markdown."""
    file = settings.files.get_file_from_path(src_uri)
    if file is None:
        raise KeyError(f"{src_uri} is not among the site's files")
    stand_in = SimpleNamespace(markdown=markdown, file=file, links_to_anchors=None)
    with _captured_logs(settings.log_level) as logs:
        if reusable(settings.config["markdown_extensions"]):
            _render_reusing(stand_in, settings)
        else:
            Page.render(stand_in, settings.config, settings.files)  # type: ignore[arg-type]
    links = stand_in.links_to_anchors
    return Converted(
        content=stand_in.content,
        toc=stand_in.toc,
        title=stand_in._title_from_render,
        present_anchor_ids=set(stand_in.present_anchor_ids),
        links_to_anchors=(
            {target.src_uri: dict(anchors) for target, anchors in links.items()}
            if links is not None
            else None
        ),
        logs=logs,
    )


def reusable(markdown_extensions: list[Any]) -> bool:
    return all(isinstance(e, str) and e in REUSABLE_EXTENSIONS for e in markdown_extensions)


_converter: tuple[RenderSettings, python_markdown.Markdown] | None = None  # this process's


def _render_reusing(page: Any, settings: RenderSettings) -> None:
    """MkDocs' `Page.render`, line for line, with the converter made once per settings and
    reset for each page (its tests compare the two), and inline patterns not searched for
    where they cannot match (`inline`)."""
    global _converter
    config = settings.config
    if _converter is None or _converter[0] is not settings:
        extensions, configs = config["markdown_extensions"], config["mdx_configs"] or {}
        made = python_markdown.Markdown(extensions=extensions, extension_configs=configs)
        skip_needless_searches(made)
        remember_block_levels(made)
        _converter = (settings, made)
    md = _converter[1]
    md.reset()
    raw_html_ext = _RawHTMLPreprocessor()
    raw_html_ext._register(md)
    extract_anchors_ext = _ExtractAnchorsTreeprocessor(page.file, settings.files, config)
    extract_anchors_ext._register(md)
    relative_path_ext = _RelativePathTreeprocessor(page.file, settings.files, config)
    relative_path_ext._register(md)
    extract_title_ext = _ExtractTitleTreeprocessor()
    extract_title_ext._register(md)
    page.content = md.convert(page.markdown)
    page.toc = get_toc(getattr(md, "toc_tokens", []))
    page._title_from_render = extract_title_ext.title
    page.present_anchor_ids = (
        extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
    )
    if logging.getLogger(PAGES_LOGGER).getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = relative_path_ext.links_to_anchors


def remember_block_levels(md: python_markdown.Markdown) -> None:
    """Answer `md.is_block_level` from what it answered before for the same tag. It looks
    the tag up in a list of some fifty names, about a hundred times a page; the list is
    set when the converter is made, and none of the extensions a converter is reused with
    changes it."""
    answers: dict[str, bool] = {}
    ask = md.is_block_level

    def is_block_level(tag: Any) -> bool:
        if type(tag) is not str:
            return ask(tag)
        known = answers.get(tag)
        if known is None:
            known = answers[tag] = ask(tag)
        return known

    md.is_block_level = is_block_level  # type: ignore[method-assign]


# Worker processes ------------------------------------------------------------------------

_worker_settings: RenderSettings | None = None


def init_worker(settings: RenderSettings) -> None:
    global _worker_settings
    _worker_settings = settings


def convert_in_worker(job: tuple[str, str, str]) -> tuple[str, bytes]:
    """(key, src_uri, markdown) -> (key, the pickled conversion)."""
    key, src_uri, markdown = job
    assert _worker_settings is not None, "init_worker was not called"
    converted = convert(_worker_settings, src_uri, markdown)
    return key, pickle.dumps(converted, protocol=pickle.HIGHEST_PROTOCOL)


# The cache file --------------------------------------------------------------------------


def load_cache(directory: Path) -> dict[str, bytes]:
    """Conversions kept by the previous build; nothing when the file is missing or from
    another version (the cache only ever saves time)."""
    stored = load_versioned(directory / CACHE_FILE, FORMAT_VERSION)
    if stored is None:
        return {}
    entries = stored.get("entries")
    return entries if isinstance(entries, dict) else {}


def save_cache(directory: Path, entries: Mapping[str, bytes]) -> None:
    """Keep this build's conversions (only these: old entries do not pile up)."""
    dump_atomically(directory / CACHE_FILE, {"format": FORMAT_VERSION, "entries": dict(entries)})
