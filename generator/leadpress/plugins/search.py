"""`leadpress/search`: site search that understands Chinese words, with Pagefind.

Material's own search segments the index with jieba but cuts a Chinese query by a greedy
match that drops its last word (`客户关系` is searched as `客户`), so it is replaced: each
page marks what it contributes, and after the build Pagefind's extended binary indexes
the finished HTML, segmenting Chinese, into a static bundle the browser searches offline.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.pages import Page

from ..content.strings import translate
from ..search.indexing import SearchEngine, SearchIndexError, find_engine, index_site
from ..search.page import add_search_box, is_noindex, mark_searchable
from .content import ContentPlugin

log = get_plugin_logger(__name__)

CONTENT_PLUGIN = "leadpress/content"
MATERIAL_SEARCH = "material/search"
_HTML_LANG = re.compile(r'<html\b[^>]*?\blang="([^"]*)"', re.IGNORECASE)


class SearchConfig(Config):
    # One index of every page, analysed as this language, so a visitor finds Chinese and
    # English pages from any page; `zh` segments Chinese and keeps English words whole.
    # Empty: one index per page language, each page searching its own language only.
    index_language = opt.Optional(opt.Type(str))


class SearchPlugin(BasePlugin[SearchConfig]):
    supports_multiple_instances = False
    page_cache_safe = True  # nothing kept per page (see leadpress/buildcache)

    def __init__(self) -> None:
        self.engine: SearchEngine | None = None
        self.pages_indexed = 0

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if MATERIAL_SEARCH in config.plugins:
            raise ConfigurationError(
                "mkdocs.yml: plugins: `search` and `leadpress/search` would both add a search "
                "box; remove `- search` (leadpress/search finds Chinese words, it does not)"
            )
        language = self.config.index_language
        if language is not None and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]{2,4})?", language):
            raise ConfigurationError(
                f"leadpress/search: index_language: {language!r} is not a language code; "
                "use e.g. `index_language: zh`, or leave it out for one index per language"
            )
        try:
            self.engine = find_engine()
        except SearchIndexError as error:
            raise ConfigurationError(f"leadpress/search: {error}") from None
        self.site_path = urlsplit(config.site_url or "/").path or "/"
        return config

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        match = _HTML_LANG.search(output)
        lang = match.group(1) if match else "en"
        if self._searchable(page, output, config):
            output = mark_searchable(output)
        return add_search_box(
            output,
            site_path=self.site_path,
            lang=lang,
            label=translate(lang, "search"),
            index_language=self.config.index_language,
        )

    def _searchable(self, page: Page, output: str, config: MkDocsConfig) -> bool:
        """Content pages are searched; listing pages and pages kept from search engines not."""
        if is_noindex(output):
            return False
        content = config.plugins.get(CONTENT_PLUGIN)
        if isinstance(content, ContentPlugin) and content.site is not None:
            src_uri = page.file.src_uri
            document = content.site.document_for(src_uri)
            if document is not None and document.meta.noindex:
                return False
            return content.site.listing_for(src_uri) is None
        return True

    def on_post_build(self, config: MkDocsConfig) -> None:
        assert self.engine is not None
        try:
            report = index_site(Path(config.site_dir), language=self.config.index_language)
        except SearchIndexError as error:
            raise PluginError(f"leadpress/search: {error}") from None
        self.pages_indexed = report.pages
        log.info(
            "Search: %s; %d pages indexed in %.1f s",
            self.engine.describe(self.config.index_language),
            report.pages,
            report.seconds,
        )
