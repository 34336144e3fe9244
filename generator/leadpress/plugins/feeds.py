"""`leadpress/feeds`: RSS 2.0 and Atom feeds, and the head links that let readers find them."""

from __future__ import annotations

import re
import shutil
import tempfile
from html import escape
from pathlib import Path

from jinja2 import Environment
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from ..buildcache import memo
from ..buildcache.helper import ForkedWork
from ..buildcache.pool import fork_allowed, worker_count
from ..feeds.build import MEMO_TABLES, absolutize, render_feeds
from ..feeds.sources import (
    FEED_LISTINGS,
    FeedLink,
    SiteFacts,
    discovery_links,
    feed_specs,
    site_feed_title,
)
from .content import ContentPlugin

log = get_plugin_logger(__name__)

PLUGIN_NAME = "leadpress/feeds"
CONTENT_PLUGIN = "leadpress/content"
_LATER_PAGE = re.compile(r"/page/\d+/index\.md$")


class FeedsConfig(Config):
    # How many of the newest entries each feed carries.
    limit = opt.Type(int, default=20)


class FeedsPlugin(BasePlugin[FeedsConfig]):
    supports_multiple_instances = False
    page_cache_safe = True  # nothing kept per page (see leadpress/buildcache)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.config.limit < 1:
            raise ConfigurationError(
                f"leadpress/feeds: limit: {self.config.limit} is too small; "
                "feeds need at least one entry, e.g. `limit: 20`"
            )
        if not config.site_url:
            raise ConfigurationError(
                "leadpress/feeds: site_url: feeds need absolute links; add e.g. "
                "`site_url: https://www.example.com/`"
            )
        url = config.site_url if config.site_url.endswith("/") else config.site_url + "/"
        self.facts = SiteFacts(
            url=url,
            name=config.site_name,
            description=config.site_description or config.site_name,
            lang=config.theme.get("language") or "en",
            directory_urls=config.use_directory_urls,
        )
        # The feed files the build wrote (site-relative), for its summary.
        self.written: list[str] = []
        return config

    def _content(self, config: MkDocsConfig) -> ContentPlugin:
        plugin = config.plugins.get(CONTENT_PLUGIN)
        if not isinstance(plugin, ContentPlugin) or plugin.site is None:
            raise PluginError("leadpress/feeds needs `- leadpress/content` in `plugins:` too")
        return plugin

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """Every page links the site's feeds; a listing page also links its own."""
        site = self._content(config).site
        lang = site.lang_of(page.file.src_uri, page.meta.get("lang"))
        languages = site.languages
        links = self._links(
            languages.prefix(languages.group(lang)),
            site_feed_title(self.facts.name, languages.group(lang), languages),
        )
        listing = site.listing_for(page.file.src_uri)
        if listing is not None and listing.kind in FEED_LISTINGS:
            first = site.listing_for(_LATER_PAGE.sub("/index.md", listing.uri)) or listing
            folder = first.uri.removesuffix("index.md")
            links += self._links(folder, f"{first.title} · {self.facts.name}")
        tags = "".join(
            f'\n    <link rel="alternate" type="{link.media_type}" '
            f'title="{escape(link.title)}" href="{escape(link.url)}">'
            for link in links
        )
        return output.replace("</head>", f"{tags}\n  </head>", 1)

    def _links(self, folder: str, title: str) -> list[FeedLink]:
        return discovery_links(folder, title, self.facts.url)

    @event_priority(-950)  # after leadpress/buildcache has stopped its threads: a fork needs none
    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        """Every page is read, and a feed shows nothing that rendering adds: with a second
        CPU, a forked process writes the feeds while the pages are rendered. Not when a
        page's body is still to come from the build cache (handed back as it renders)."""
        self.writer: ForkedWork | None = None
        plugin = self._content(config)
        documents = plugin.site.documents
        if (
            fork_allowed()
            and worker_count() > 1
            and all(d.parsed.source.src_uri in plugin.bodies for d in documents)
        ):
            folder = Path(tempfile.mkdtemp(prefix="leadpress-feeds-"))
            self.writer = ForkedWork.start(
                folder, lambda ready: self._write_elsewhere(config), "writing feeds", PLUGIN_NAME
            )
        return env

    def _write_elsewhere(self, config: MkDocsConfig) -> tuple[list[str], dict, int]:
        """In the forked process: the feeds written, and the memo's results for the next
        build (the process that keeps the memo is the main one)."""
        computed = memo.computed()
        written = self._write_feeds(config)
        return written, memo.results(MEMO_TABLES), memo.computed() - computed

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.writer is not None:
            try:
                self.written, tables, computed = self.writer.wait()
            finally:
                shutil.rmtree(self.writer.directory, ignore_errors=True)
                self.writer = None
            memo.add(tables, computed)
        else:
            self.written = self._write_feeds(config)
        log.info("Feeds: %d RSS and %d Atom feeds", len(self.written) // 2, len(self.written) // 2)

    def _write_feeds(self, config: MkDocsConfig) -> list[str]:
        """Write every feed into the site; the files written (site-relative)."""
        plugin = self._content(config)
        specs = feed_specs(plugin.site, plugin.bodies, self.facts, self.config.limit, absolutize)
        site_dir = Path(config.site_dir)
        written = []
        for spec in specs:
            for path, data in render_feeds(
                spec, self.facts.url, self.facts.name, plugin.settings.now
            ).items():
                target = site_dir / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                written.append(path)
        return written

    def on_build_error(self, error: Exception) -> None:
        writer = getattr(self, "writer", None)
        if writer is not None:
            writer.stop()
            shutil.rmtree(writer.directory, ignore_errors=True)
            self.writer = None
