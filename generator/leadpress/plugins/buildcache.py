"""`leadpress/buildcache`: Markdown converted in parallel before MkDocs asks, and kept between
builds in `.leadpress-cache/`.

After the nav is known, every page's source is converted in a process pool (or taken from
the cache). When MkDocs then renders a page, this plugin hands it the conversion whose key
matches the Markdown the other plugins produced; a page whose Markdown a plugin changed is
converted then, in this process. Either way the conversion is MkDocs' own code with the
same inputs, so the output is the same bytes as without this plugin.
"""

from __future__ import annotations

import logging
import os
import pickle
from functools import partial
from pathlib import Path

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import meta

from ..buildcache import markdown as md
from ..buildcache.pool import process_pool, use_pool, worker_count

log = get_plugin_logger(__name__)

CACHE_VARIABLE = "LEADPRESS_CACHE"  # "off": convert everything, keep nothing


class BuildCacheConfig(Config):
    enabled = opt.Type(bool, default=True)
    cache_dir = opt.Type(str, default=".leadpress-cache")


class BuildCachePlugin(BasePlugin[BuildCacheConfig]):
    supports_multiple_instances = False

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path or "").parent
        self.cache_dir = base / self.config.cache_dir
        self.keep = (
            self.config.enabled
            and os.environ.get(CACHE_VARIABLE, "").lower() != "off"
            and md.cacheable(config.markdown_extensions)
        )
        return config

    @event_priority(-100)  # last: after every plugin has placed, moved or added its files
    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
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
        jobs = []
        for file in files.documentation_pages():
            try:
                markdown = _body(file.content_string)
            except (OSError, ValueError):
                continue  # MkDocs reports it when it reads the page
            key = md.page_key(self.settings, file.src_uri, markdown)
            if key in stored:
                self.ready[key] = stored[key]
            else:
                jobs.append((key, file.src_uri, markdown))
        if use_pool(len(jobs)):  # else each is converted when MkDocs renders it
            with process_pool(md.init_worker, (self.settings,)) as pool:
                chunk = max(1, min(32, len(jobs) // (worker_count() * 4)))
                self.ready.update(pool.map(md.convert_in_worker, jobs, chunksize=chunk))
        self.used: dict[str, bytes] = {}
        return nav

    @event_priority(-100)  # last: the Markdown as every other plugin left it
    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files):
        key = md.page_key(self.settings, page.file.src_uri, markdown)
        # MkDocs calls page.render(config, files) next; this instance's render is ours.
        page.render = partial(self._render, page, key, markdown)  # type: ignore[method-assign]
        return markdown

    def _render(self, page: Page, key: str, markdown: str, config, files: Files) -> None:
        blob = self.ready.get(key)
        if blob is None:
            converted = md.convert(self.settings, page.file.src_uri, markdown)
            blob = pickle.dumps(converted, protocol=pickle.HIGHEST_PROTOCOL)
        self.used[key] = blob
        converted = pickle.loads(blob)  # a fresh copy: plugins may change the page's toc
        for line in converted.logs:
            logging.getLogger(line.logger).log(line.level, line.message)
        page.content = converted.content
        page.toc = converted.toc
        page._title_from_render = converted.title
        page.present_anchor_ids = converted.present_anchor_ids
        if converted.links_to_anchors is not None:
            page.links_to_anchors = {
                files.get_file_from_path(src_uri): anchors
                for src_uri, anchors in converted.links_to_anchors.items()
            }

    def on_post_build(self, config: MkDocsConfig) -> None:
        converted = sum(1 for key in self.used if key not in self.stored)
        log.info(
            "Markdown: %d pages converted, %d from the cache", converted, len(self.used) - converted
        )
        if self.keep:
            md.save_cache(self.cache_dir, self.used)


def _body(source: str) -> str:
    """The Markdown MkDocs' `meta.get_data` leaves after the front matter, without parsing
    the YAML again (the content plugin has): a wrong guess only costs a cache miss."""
    if match := meta.YAML_RE.match(source):
        return source[match.end() :].lstrip("\n")
    return meta.get_data(source)[0]
