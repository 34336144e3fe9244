"""`leadpress/buildcache`: pages kept between builds in `.leadpress-cache/`, and Markdown
converted in parallel before MkDocs asks.

Whole pages. When `leadpress build` runs, every page whose inputs are unchanged since a
successful build is not built at all: its HTML is written as it was, and what the plugins
collected from it (its feed body, sitemap entry, social card, search entries, warnings) is
handed back to them, in the order MkDocs would have built it. The key of a page is
explained in `leadpress.buildcache.pages`. A plugin takes part by offering any of:

    cache_facts() -> data          inputs of every page it adds (its data files, say)
    page_cache_facts(file) -> data inputs of one page besides the page's source
    page_state(page) -> data       what it collected while that page was built
    restore_page_state(page, data) the same, handed back when the page is reused
    page_cache_safe = True         it keeps nothing per page
    read_written_pages(files, take) -> data  run on the pages either process rendered,
                                   once written, in both processes: each reads
                                   `files[take()]` until `take()` gives None, the helper
                                   below from the end of the list while the main process
                                   finishes the build, the main process from the start
                                   when it wants the data (`read_with_helper(name, read)`)

With any other plugin configured, every page is built (a plugin we do not know may collect
things from pages that could not be handed back).

A second process. With two CPUs or more, the pages still to build are rendered by this
process and a forked one, each taking the next page from its own end of the list until
they meet; the helper keeps each page's record as above, and its pages' facts are handed
back the same way. Then it does what plugins ask of the pages written (`read_written_pages`:
the SEO audit reads them), its own first, while this process finishes the build, and this
process joins in from the other end when the plugin wants the data.

Markdown. After the nav is known, every page still to build is converted in a process pool
(or taken from the cache), in the order MkDocs reads them, while it reads them. When MkDocs
renders a page, this plugin hands it the
conversion whose key matches the Markdown the other plugins produced; a page whose Markdown
a plugin changed is converted then, in this process. Either way the conversion is MkDocs'
own code with the same inputs, so the output is the same bytes as without this plugin.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache
from mkdocs.commands.build import _build_page
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import meta

from ..buildcache import DEFAULT_CACHE_DIR, cache_wanted, link_or_copy, memo
from ..buildcache import markdown as md
from ..buildcache.fragments import SharedPartials
from ..buildcache.helper import ForkedWork, PageClaims
from ..buildcache.pages import (
    PAGES_DIR,
    Entry,
    PageRecord,
    PageStore,
    PendingPages,
    digest,
    entry_record,
    hash_files,
    load_pending,
    page_key,
    tool_fingerprint,
)
from ..buildcache.pool import fork_allowed, process_pool, use_pool, worker_count
from ..buildcache.theme_search import (
    FastSearchIndex,
    MaterialSearchIndex,
    read_pages_faster,
    substitute_only_where_found,
)

log = get_plugin_logger(__name__)

PLUGIN_NAME = "leadpress/buildcache"
# Material's search keeps one list of entries; the cache hands a page's entries back.
THEME_SEARCH = ("search", "material/search")
_DIRTY_WARNING = "A 'dirty' build is being performed"
# Fewer pages than this each are rendered in one process: a fork costs more than they do.
MIN_HELPER_PAGES = 50
_WAIT_SECONDS = 0.005  # between looks for whether this process has written its pages


def reuse_unchanged_pages(config: MkDocsConfig) -> bool:
    """Ask the build-cache plugin, if configured, to skip the pages it can reuse. MkDocs
    skips a page when it runs `dirty` and the page's file says it is not modified; the
    plugin answers that per page. True when MkDocs is to run that way."""
    plugin = config.plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, BuildCachePlugin):
        return False
    plugin.reuse_pages = True
    logging.getLogger("mkdocs.commands.build").addFilter(_quiet_dirty_warning)
    return True


def _quiet_dirty_warning(record: logging.LogRecord) -> bool:
    # MkDocs warns that a dirty build may leave stale pages: here every page is either
    # built or reused whole, into an empty folder.
    return not record.getMessage().startswith(_DIRTY_WARNING)


JINJA_DIR = "jinja"  # compiled theme templates
HELPER_PAGES = "helper-pages.pickle"  # the second process's pages, in the pending folder


class BuildCacheConfig(Config):
    enabled = opt.Type(bool, default=True)
    cache_dir = opt.Type(str, default=DEFAULT_CACHE_DIR)


class BuildCachePlugin(BasePlugin[BuildCacheConfig]):
    supports_multiple_instances = False
    page_cache_safe = True
    reuse_pages = False  # set by `reuse_unchanged_pages` for `leadpress build`
    theme_search: Any = None  # Material's search plugin, when configured
    theme_search_entries_from = 0  # where the entries of the page being built start

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Set again in on_nav; a build can fail before it (bad front matter).
        self.helper: ForkedWork | None = None
        self.claims: PageClaims | None = None
        self.partials: SharedPartials | None = None
        self.search_index: FastSearchIndex | None = None
        self.page_keys: dict[str, str] = {}
        base = Path(config.config_file_path or "").parent
        self.cache_dir = base / self.config.cache_dir
        self.keep = (
            self.config.enabled and cache_wanted() and md.cacheable(config.markdown_extensions)
        )
        # Leadpress's own files and its libraries' versions, hashed once per build.
        self.tool = tool_fingerprint()
        if self.keep:
            memo.load(self.cache_dir, digest(self.tool))
        else:
            memo.stop()
        return config

    @event_priority(-100)  # last: after every plugin has placed, moved or added its files
    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        self.hits: dict[str, PageRecord] = {}
        self.page_keys: dict[str, str] = {}
        # Pages reused or built by the helper process, not yet handed back, in build order.
        self.pending: deque[str] = deque()
        self.helper: ForkedWork | None = None
        self.start_helper: Callable[[], ForkedWork] | None = None  # once this one has begun
        self.claims: PageClaims | None = None  # the pages either process may render
        self.shared: list[File] = []  # those pages, in build order
        self.reading: dict[str, PageClaims] = {}  # the same, for each plugin reading them
        self.helper_pages: set[str] = set()  # those the helper rendered, once known
        self.built = 0
        self.reused = 0
        self._stop_converting()
        sources: dict[str, str] = {}  # each page's source, read once
        for file in files.documentation_pages():
            try:
                sources[file.src_uri] = file.content_string
            except (OSError, ValueError):
                continue  # MkDocs reports it when it reads the page
        if self.keep and self.reuse_pages:
            self._plan_pages(config, files, sources)
        targets = {f.src_uri: md.LinkTarget(f.src_uri, f.url, f.inclusion) for f in files}
        self.settings = md.render_settings(
            config.markdown_extensions,
            config.mdx_configs,
            config.validation.links,
            config.use_directory_urls,
            targets,
            logging.getLogger(md.PAGES_LOGGER).getEffectiveLevel(),
        )
        stored = md.load_cache(self.cache_dir) if self.keep else {}
        self.stored = stored.keys()
        self.ready: dict[str, bytes] = {}  # conversions of this build, by key
        self.used: dict[str, bytes] = {}
        jobs = []
        for file in files.documentation_pages():
            if file.src_uri not in sources:
                continue
            markdown = _body(sources[file.src_uri])
            key = md.page_key(self.settings, file.src_uri, markdown)
            if key in stored:
                self.ready[key] = stored[key]
                if file.src_uri in self.hits:  # kept for a build that needs it again
                    self.used[key] = stored[key]
            elif file.src_uri not in self.hits:
                jobs.append((key, file.src_uri, markdown))
        if use_pool(len(jobs)):  # else each is converted when MkDocs renders it
            # MkDocs reads the pages in this order while the pool converts them: each page
            # waits for its own conversion only, not for the last one.
            pool = self.converting.enter_context(process_pool(md.init_worker, (self.settings,)))
            chunk = max(1, min(32, len(jobs) // (worker_count() * 4)))
            self.conversions = pool.map(md.convert_in_worker, jobs, chunksize=chunk)
            self.coming = {key for key, _, _ in jobs}
        return nav

    def _conversion(self, key: str) -> bytes | None:
        """The pool's conversion of `key`, waiting for it if it is still coming."""
        while key in self.coming and key not in self.ready:
            done, blob = next(self.conversions)
            self.ready[done] = blob
            self.coming.discard(done)
        if not self.coming:
            self._stop_converting()
        return self.ready.get(key)

    def _stop_converting(self) -> None:
        """Close the conversion pool (its workers go, and the thread that feeds them)."""
        self.coming: set[str] = set()
        self.conversions: Iterator[tuple[str, bytes]] = iter(())
        converting = getattr(self, "converting", None)
        if converting is not None:
            converting.close()
        self.converting = ExitStack()

    # Whole pages ---------------------------------------------------------------------------

    def _plan_pages(self, config: MkDocsConfig, files: Files, sources: dict[str, str]) -> None:
        """Decide which pages are reused, and prepare them as MkDocs would have left them
        after reading them: their metadata, title and anchors (other pages' links to them
        are checked), so the nav and the link checks see the same site."""
        plugins = dict(config.plugins.items())
        unknown = [
            name
            for name, plugin in plugins.items()
            if not _is_theme_search(name, plugin) and not _takes_part(plugin)
        ]
        if unknown:
            log.info(
                "Every page is built: the plugin %s may keep facts from pages that the "
                "cache cannot hand back",
                ", ".join(unknown),
            )
            return
        self.store = PageStore(self.cache_dir / PAGES_DIR)
        self.files = files
        self.pending_dir = self.store.directory / f".build-{os.getpid()}"
        shutil.rmtree(self.pending_dir, ignore_errors=True)
        self.pending_pages = PendingPages(self.pending_dir)  # built here, kept on success
        self.new_entries: dict[str, Entry] = {}
        self.helper_entries: dict[str, Entry] | None = None
        self.participants = {n: p for n, p in plugins.items() if hasattr(p, "page_state")}
        self.theme_search = next((p for n, p in plugins.items() if _is_theme_search(n, p)), None)
        expected = set(self.participants) | ({"theme-search"} if self.theme_search else set())
        fingerprint = self._fingerprint(config, files)
        self.order = [file.src_uri for file in files.documentation_pages()]
        self.folders: set[str] = set()  # made in the site folder by this build
        for file in files.documentation_pages():
            source = sources.get(file.src_uri)
            if source is None:
                continue
            extra = {
                name: plugin.page_cache_facts(file)
                for name, plugin in plugins.items()
                if hasattr(plugin, "page_cache_facts")
            }
            key = page_key(fingerprint, file.src_uri, file.url, source, extra)
            self.page_keys[file.src_uri] = key
            record = self.store.get(key)
            hit = record is not None and set(record.states) == expected
            # MkDocs, running dirty, builds exactly the pages whose file says it changed.
            file.is_modified = _unmodified if hit else _modified  # type: ignore[method-assign]
            if record is None or not hit:
                continue
            self.hits[file.src_uri] = record
            page = file.page if file.page is not None else Page(None, file, config)
            page.meta = record.meta
            _set_rendered(
                page, record.title, record.present_anchor_ids, record.links_to_anchors, files
            )
        self.position = {src_uri: number for number, src_uri in enumerate(self.order)}
        self.pending = deque(src_uri for src_uri in self.order if src_uri in self.hits)
        self.logs: dict[str, list[md.LogLine]] = {}
        self.replaying = False
        self.recorder = _PageLogRecorder(self, config)
        logging.getLogger("mkdocs").addHandler(self.recorder)

    def _fingerprint(self, config: MkDocsConfig, files: Files) -> str:
        """Everything besides a page's own source that any page may show."""
        base = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        docs = Path(config.docs_dir)
        assets = [
            Path(file.abs_src_path)
            for file in files
            if not file.is_documentation_page() and file.abs_src_path and not file.generated_by
        ]
        custom_dir = config.theme.custom_dir
        return digest(
            self.tool,
            _config_facts(config),
            hash_files([Path(custom_dir)] if custom_dir else []),
            hash_files([p for p in assets if docs.resolve() in p.resolve().parents]),
            sorted((f.src_uri, f.url, f.inclusion.value) for f in files),
            {
                name: plugin.cache_facts()
                for name, plugin in config.plugins.items()
                if hasattr(plugin, "cache_facts")
            },
            str(base),
        )

    @event_priority(100)  # first: reused pages that come before this one are handed back
    def on_page_context(self, context, page: Page, config: MkDocsConfig, nav: Navigation):
        if self.pending:
            self._hand_back(until=page.file.src_uri)
        if self.theme_search is not None:  # where this page's search entries will start
            self.theme_search_entries_from = len(self.theme_search.search_index.entries)
        return context

    @event_priority(-1000)  # last: the page as every plugin left it
    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        key = self.page_keys.get(page.file.src_uri)
        if key is None:
            return output
        self.built += 1
        links = page.links_to_anchors
        states = {name: p.page_state(page) for name, p in self.participants.items()}
        if self.theme_search is not None:
            entries = self.theme_search.search_index.entries
            states["theme-search"] = entries[self.theme_search_entries_from :]
        record = PageRecord(
            meta=page.meta,
            title=page._title_from_render,
            present_anchor_ids=set(getattr(page, "present_anchor_ids", ())),
            links_to_anchors=(
                {target.src_uri: dict(anchors) for target, anchors in links.items()}
                if links is not None
                else None
            ),
            states=states,
            logs=self.logs.pop(page.file.src_uri, []),
        )
        # MkDocs writes the HTML next; it is linked into the cache once written.
        self.pending_pages.add(key, record, page.file.abs_dest_path)
        return output

    def _hand_back(self, until: str | None) -> None:
        """Write the reused pages that MkDocs would have built before `until` (all of them
        when None) and return their facts to the plugins, in build order. Pages the helper
        process built are on disk already; their facts are handed back the same way."""
        position = self.position[until] if until is not None else len(self.order)
        while self.pending and self.position[self.pending[0]] < position:
            src_uri = self.pending.popleft()
            file = self.files.get_file_from_path(src_uri)
            assert file is not None and file.page is not None
            if src_uri in self.hits:
                record = self.hits.pop(src_uri)
                self.reused += 1
                self._place_html(self.store.html_file(self.page_keys[src_uri]), file)
                replay = record.logs
            else:
                record = self._helper_record(src_uri)
                # Its record starts with what reading it wrote here, already shown.
                replay = record.logs[len(self.logs.pop(src_uri, [])) :]
            for name, plugin in self.participants.items():
                plugin.restore_page_state(file.page, record.states[name])
            if self.theme_search is not None:
                self.theme_search.search_index.entries.extend(record.states["theme-search"])
            self.replaying = True
            try:
                for line in replay:
                    logging.getLogger(line.logger).log(line.level, line.message)
            finally:
                self.replaying = False

    def _place_html(self, stored: Path, file: File) -> None:
        """A reused page's HTML, hard-linked from the cache: no bytes written. (The publish
        step replaces files rather than rewriting them, and a cached file changed in place
        anyway no longer matches its record, so the cache is never served altered.)"""
        target = file.abs_dest_path
        folder = os.path.dirname(target)
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        link_or_copy(stored, target)

    # A second process for rendering -----------------------------------------------------

    @event_priority(-900)  # after the other plugins' on_env, before progress counts pages
    def on_env(self, env, config: MkDocsConfig, files: Files):
        """Every page is read; MkDocs renders them one by one next. With a second CPU, a
        forked helper renders the last part of the pages still to build, each exactly as
        MkDocs would (its own `_build_page`), keeping each page's record as a reused page
        has one; MkDocs skips those pages here, and their facts are handed back in order."""
        self._stop_converting()  # every page is read: no thread left when the helper forks
        # Templates do not change during a build: Jinja need not look at their files each
        # time a page includes one (tens of thousands of times on a large site).
        env.auto_reload = False
        if self.keep:  # and the theme's templates need not be compiled again every build
            with suppress(OSError):
                (self.cache_dir / JINJA_DIR).mkdir(parents=True, exist_ok=True)
                env.bytecode_cache = FileSystemBytecodeCache(str(self.cache_dir / JINJA_DIR))
        self.partials = SharedPartials()  # after the bytecode cache: it loads templates
        self.partials.install(env)
        self.search_index = None  # Material's, when its search plugin is configured
        for name in THEME_SEARCH:
            plugin = config.plugins.get(name)
            if plugin is not None and self.search_index is None:
                self.search_index = read_pages_faster(plugin)
                if self.search_index is not None and substitute_only_where_found(
                    config.plugins, plugin
                ):
                    log.debug("Search: data-search attributes looked for only where present")
        if not self.page_keys or not fork_allowed() or worker_count() < 2:
            return env
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        to_build = [  # in the order MkDocs renders them
            file
            for file in doc_files
            if file.src_uri in self.page_keys and file.is_modified() and file.page is not None
        ]
        if len(to_build) < 2 * MIN_HELPER_PAGES:
            return env
        self.claims = PageClaims(len(to_build))
        shared = multiprocessing.get_context("fork")
        self.stop_reading = shared.RawValue("b", 0)  # set: the helper reads no more
        self.rendered_here = shared.RawValue("b", 0)  # set once its pages are written
        self.reading = {  # the written pages each plugin reads, shared the same way
            name: PageClaims(len(to_build))
            for name, plugin in config.plugins.items()
            if hasattr(plugin, "read_written_pages")
        }
        self.shared = to_build
        for position, file in enumerate(to_build):
            file.is_modified = partial(self._render_here, position, file, config)  # type: ignore[method-assign]
        # Forked once this process has rendered its first page (and the theme's 404 page
        # before it): the templates a page needs are compiled by then, once for both.
        self.start_helper = partial(
            ForkedWork.start,
            self.pending_dir,
            lambda ready: self._render_in_helper(to_build, config, doc_files, env, ready),
            "rendering pages",
            PLUGIN_NAME,
        )
        log.info("Rendering %d pages in two processes", len(to_build))
        return env

    def _render_here(self, position: int, file: File, config: MkDocsConfig) -> bool:
        """`is_modified` of a page either process may render. MkDocs asks it just before
        rendering the page: this process takes the page, unless the helper has taken it
        (and with it every page after). Asked at any other time (a plugin counting the
        pages to render), it says the page is to be rendered."""
        if getattr(config, "_current_page", None) is not file.page or self.claims is None:
            return True
        if position > 0 and self.start_helper is not None:
            self.helper, self.start_helper = self.start_helper(), None
        if self.claims.take_front(position):
            return True
        if not self.helper_pages:  # the helper has this page and the rest: hand them back
            self.helper_pages = {f.src_uri for f in self.shared[position:]}
            self.pending = deque(
                sorted({*self.pending, *self.helper_pages}, key=self.position.__getitem__)
            )
        return False

    def rendered_elsewhere(self) -> int:
        """Pages the helper process has taken to render so far (for progress)."""
        return self.claims.taken_from_back() if self.claims is not None else 0

    def _render_in_helper(
        self, to_build: list[File], config: MkDocsConfig, doc_files, env, ready
    ) -> dict[str, Any]:
        for file in to_build:  # this process renders what it takes; it asks nobody
            file.is_modified = _modified  # type: ignore[method-assign]
        # Its warnings reach the user once, replayed by the main process with the page.
        mkdocs_logger = logging.getLogger("mkdocs")
        mkdocs_logger.handlers[:] = [self.recorder] if self.recorder else []
        mkdocs_logger.propagate = False
        self.pending_pages = PendingPages(self.pending_dir)
        assert self.claims is not None
        own_from = len(to_build)  # the first of the pages rendered here
        while (position := self.claims.take_back()) is not None:
            file = to_build[position]
            _build_page(file.page, config, doc_files, self.nav, env)
            own_from = position
        self.pending_pages.save(HELPER_PAGES)
        ready()  # the main process can hand the pages back; what follows it asks for later
        return {
            name: plugin.read_written_pages(to_build, self._take_from_back(name, own_from))
            for name, plugin in config.plugins.items()
            if name in self.reading
        }

    def _take_from_back(self, plugin_name: str, own_from: int) -> Callable[[], int | None]:
        """`take` for the helper: positions from the end of the list, its own pages first,
        the main process's once it has written them all; None once the two ends meet, or
        once nobody wants more."""
        claims, stop, written = self.reading[plugin_name], self.stop_reading, self.rendered_here

        def take() -> int | None:
            position = None if stop.value else claims.take_back()
            while position is not None and position < own_from and not written.value:
                if stop.value:
                    return None
                time.sleep(_WAIT_SECONDS)
            return position

        return take

    def read_with_helper(
        self, plugin_name: str, read: Callable[[list[File], Callable[[], int | None]], Any]
    ) -> list[Any] | None:
        """The plugin's `read_written_pages` data from both processes, [this one's, the
        helper's]: `read` runs here on the pages from the start of the list while the
        helper goes on from the end, until they meet. None without a helper."""
        if self.helper is None or plugin_name not in self.reading:
            return None
        here = read(self.shared, self.reading[plugin_name].take_next_front)
        results = self.helper.wait()
        return [here, results.get(plugin_name) if isinstance(results, dict) else None]

    def _helper_record(self, src_uri: str) -> PageRecord:
        entries = self._helper_done()
        key = self.page_keys[src_uri]
        entry = entries.get(key)
        record = entry_record(entry, key) if entry is not None else None
        if record is None:
            raise PluginError(
                f"leadpress/buildcache: the second process built {src_uri} but kept no record"
            )
        self.built += 1
        return record

    def _helper_done(self) -> dict[str, Entry]:
        """The records of the pages the helper rendered, once it has saved them."""
        if self.helper_entries is None:
            assert self.helper is not None
            self.helper.wait_ready()
            self.helper_entries = load_pending(self.pending_dir / HELPER_PAGES)
        return self.helper_entries

    @event_priority(-100)  # last: the Markdown as every other plugin left it
    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files):
        key = md.page_key(self.settings, page.file.src_uri, markdown)
        # MkDocs calls page.render(config, files) next; this instance's render is ours.
        page.render = partial(self._render, page, key, markdown)  # type: ignore[method-assign]
        return markdown

    def _render(self, page: Page, key: str, markdown: str, config, files: Files) -> None:
        blob = self._conversion(key)
        if blob is None:
            converted = md.convert(self.settings, page.file.src_uri, markdown)
            blob = pickle.dumps(converted, protocol=pickle.HIGHEST_PROTOCOL)
        self.used[key] = blob
        converted = pickle.loads(blob)  # a fresh copy: plugins may change the page's toc
        for line in converted.logs:
            logging.getLogger(line.logger).log(line.level, line.message)
        page.content = converted.content
        page.toc = converted.toc
        _set_rendered(
            page, converted.title, converted.present_anchor_ids, converted.links_to_anchors, files
        )

    @event_priority(100)  # first: every reused page in place before feeds, search and audit
    def _hand_back_the_rest(self, config: MkDocsConfig) -> None:
        if self.helper is not None:
            self.rendered_here.value = 1  # every page is written: the helper may read them
        if self.pending:
            self._hand_back(until=None)
        if self.helper is not None:
            self._helper_done()
        if self.page_keys:  # every page is written: the built ones are linked into the cache
            self.new_entries = {**self.pending_pages.link_html(), **(self.helper_entries or {})}
        self._stop_recording()
        converted = sum(1 for key in self.used if key not in self.stored)
        log.info(
            "Markdown: %d pages converted, %d from the cache", converted, len(self.used) - converted
        )
        if self.keep:
            md.save_cache(self.cache_dir, self.used)
        if self.page_keys:
            elsewhere = f" ({len(self.helper_pages)} built by a second process)"
            log.info(
                "Pages: %d built, %d reused from the cache%s",
                self.built,
                self.reused,
                elsewhere if self.helper_pages else "",
            )
        if self.partials is not None:  # the pages rendered here, not the second process's
            log.debug(
                "Theme navigation, tabs and search box: %d rendered, %d reused; "
                "translations imported once for %s",
                self.partials.rendered,
                self.partials.shared,
                ", ".join(sorted(self.partials.translations)) or "no language",
            )
        if self.search_index is not None:
            log.debug(
                "Theme search index: %d pages read by the fast tokenizer, %d by HTMLParser",
                self.search_index.pages_read[True],
                self.search_index.pages_read[False],
            )

    @event_priority(-1000)  # last: the helper has ended, and ended well, before the swap
    def _helper_ended(self, config: MkDocsConfig) -> None:
        if self.helper is not None:
            self.stop_reading.value = 1  # whatever it still reads, nobody asks for it now
            self.helper.wait()

    on_post_build = CombinedEvent(_hand_back_the_rest, _helper_ended)

    def keep_built_pages(self) -> None:
        """After the whole build succeeded: keep the pages it built for the next one, and
        drop the records it did not use."""
        if self.keep:
            memo.save(self.cache_dir)
        memo.stop()
        if not self.page_keys:
            return
        # The site is in place: a cache that cannot be kept only costs the next build time
        # (a record never names HTML that is not there, or that changed since).
        with suppress(OSError):
            self.store.adopt(self.pending_dir, self.new_entries, self.page_keys.values())
        shutil.rmtree(self.pending_dir, ignore_errors=True)

    def on_build_error(self, error: Exception) -> None:
        self._stop_converting()
        memo.stop()
        if self.helper is not None:
            self.helper.stop()
        self._stop_recording()
        if self.page_keys:
            shutil.rmtree(self.pending_dir, ignore_errors=True)

    def _stop_recording(self) -> None:
        recorder = getattr(self, "recorder", None)
        if recorder is not None:
            logging.getLogger("mkdocs").removeHandler(recorder)
            self.recorder = None


def keep_built_pages(config: MkDocsConfig) -> None:
    """Called once the build has succeeded (see `reuse_unchanged_pages`)."""
    plugin = config.plugins.get(PLUGIN_NAME)
    if isinstance(plugin, BuildCachePlugin):
        plugin.keep_built_pages()


def _set_rendered(
    page: Page,
    title: str | None,
    anchor_ids: set[str],
    links_to_anchors: dict[str, dict[str, str]] | None,
    files: Files,
) -> None:
    """What rendering its Markdown tells MkDocs about a page: the title its first heading
    gives, its anchors, and its links to other pages' anchors (checked after the build)."""
    page._title_from_render = title
    page.present_anchor_ids = anchor_ids
    if links_to_anchors is not None:
        page.links_to_anchors = {
            files.get_file_from_path(src_uri): anchors
            for src_uri, anchors in links_to_anchors.items()
        }


def _config_facts(config: MkDocsConfig) -> Any:
    """The configuration as loaded, so values that come from the environment (`!ENV`)
    count too; not the output folder, which is a new temporary folder each build."""
    facts = {
        key: md.plain(value)
        for key, value in config.items()
        if key not in ("site_dir", "plugins", "theme")
    }
    facts["plugins"] = {name: md.plain(dict(p.config)) for name, p in config.plugins.items()}
    facts["theme"] = [config.theme.name, md.plain(dict(config.theme)), config.theme.dirs]
    return facts


def _modified() -> bool:
    return True


def _unmodified() -> bool:
    return False


def _is_theme_search(name: str, plugin: BasePlugin) -> bool:
    """Material's search plugin, whose entries the cache hands back; MkDocs' own (the
    `search` of other themes) keeps its entries otherwise, so its pages are all built."""
    return name in THEME_SEARCH and isinstance(
        getattr(plugin, "search_index", None), MaterialSearchIndex
    )


def _takes_part(plugin: BasePlugin) -> bool:
    return getattr(plugin, "page_cache_safe", False) or hasattr(plugin, "page_state")


class _PageLogRecorder(logging.Handler):
    """Keeps the warnings written while a page is read or built, to replay them when the
    page is reused (strict mode counts them again)."""

    def __init__(self, plugin: BuildCachePlugin, config: MkDocsConfig) -> None:
        super().__init__(logging.WARNING)
        self.plugin = plugin
        self.config = config

    def emit(self, record: logging.LogRecord) -> None:
        page = getattr(self.config, "_current_page", None)
        if page is None or self.plugin.replaying:
            return
        line = md.LogLine(record.name, record.levelno, record.getMessage())
        self.plugin.logs.setdefault(page.file.src_uri, []).append(line)


def _body(source: str) -> str:
    """The Markdown MkDocs' `meta.get_data` leaves after the front matter, without parsing
    the YAML again (the content plugin has): a wrong guess only costs a cache miss."""
    if match := meta.YAML_RE.match(source):
        return source[match.end() :].lstrip("\n")
    return meta.get_data(source)[0]
