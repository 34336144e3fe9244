"""`leadpress/content`: typed front matter, clean URLs, listing pages, bylines and related pages."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..buildcache.pages import facts_of
from ..content.collections import (
    Listing,
    Settings,
    SiteContent,
    build_clock,
    build_site,
    webinar_is_past,
)
from ..content.languages import Languages
from ..content.loading import Parsed, Source, load_authors, parse_source
from ..content.models import LISTED_TYPES, ContentType
from ..content.render import Renderer, set_page_language, unlink_missing_toc_toggle
from ..paths import STYLESHEET, TEMPLATES_DIR
from ..problems import Problem, format_problems
from .languages import LANGUAGE_CODE, PageLanguages, quiet_theme_alternates

log = get_plugin_logger(__name__)


class ContentConfig(Config):
    # Settings for sources
    authors_file = opt.Type(str, default="authors.yml")
    timezone = opt.Type(str, default="UTC")
    slug_style = opt.Choice(("pinyin", "unicode"), default="pinyin")
    # Two or more (the first is the default): each language's pages in content/<code>/.
    languages = opt.ListOfItems(opt.Type(str), default=[])

    # Settings for drafts and scheduled pages (also LEADPRESS_DRAFTS=1)
    drafts = opt.Type(bool, default=False)

    # Settings for listing pages and related pages
    listing_page_size = opt.Type(int, default=10)
    related_count = opt.Type(int, default=3)


class ContentPlugin(BasePlugin[ContentConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.site: SiteContent | None = None
        self.renderer: Renderer | None = None
        # Each page's body as Markdown made it, before templates wrap it: the SEO and feed
        # plugins read descriptions, FAQs and feed entries from it.
        self.bodies: dict[str, str] = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            self.zone = ZoneInfo(self.config.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(
                f"leadpress/content: timezone: {self.config.timezone!r} is not a time zone; "
                "use a name such as Asia/Shanghai, Europe/Berlin or UTC"
            ) from None
        # The package's templates come last, so a site's custom_dir overrides them.
        config.theme.dirs.append(str(TEMPLATES_DIR))
        if STYLESHEET not in config.extra_css:
            config.extra_css.insert(0, STYLESHEET)
        languages = self._languages(config)
        self.settings = Settings(
            now=build_clock(),
            site_name=config.site_name,
            include_drafts=self.config.drafts or os.environ.get("LEADPRESS_DRAFTS") == "1",
            page_size=self.config.listing_page_size,
            related_count=self.config.related_count,
            slug_style=self.config.slug_style,
            default_lang=languages.default,
            languages=languages,
        )
        self.pages = PageLanguages(languages, config) if languages.multilingual else None
        return config

    def _languages(self, config: MkDocsConfig) -> Languages:
        codes = tuple(self.config.languages)
        for index, code in enumerate(codes):
            if not LANGUAGE_CODE.fullmatch(code):
                raise ConfigurationError(
                    f"leadpress/content: languages[{index}]: {code!r} is not a language code; "
                    "write codes such as zh, en or zh-Hant, e.g. `languages: [zh, en]`"
                )
        if len(set(codes)) != len(codes):
            raise ConfigurationError(
                "leadpress/content: languages: a language is listed twice; list each once, "
                "the default first, e.g. `languages: [zh, en]`"
            )
        if len(codes) > 1:
            # The theme's own strings (search, skip links) start in the default language.
            config.theme["language"] = codes[0]
            return Languages(codes)
        return Languages(codes or (config.theme.get("language") or "en",))

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        def shown(src_uri: str) -> str:
            return _display_path(config, src_uri)

        problems: list[Problem] = []
        pages: list[Parsed] = []
        languages = self.settings.languages
        for file in files.documentation_pages():
            if file.generated_by:
                continue  # another plugin's page (a landing page), not a source to check
            folder, _ = languages.split(file.src_uri)
            source = Source(file.src_uri, file.content_string, shown(file.src_uri), folder)
            parsed, found = parse_source(source, self.zone)
            problems += found
            if parsed:
                pages.append(parsed)

        authors = {}
        authors_file = files.get_file_from_path(self.config.authors_file)
        if authors_file is not None:
            authors, found = load_authors(authors_file.content_string, shown(authors_file.src_uri))
            problems += found
            files.remove(authors_file)  # data, not a page or an asset to publish

        site, found = build_site(pages, authors, self.settings, shown(self.config.authors_file))
        problems += found
        if any(p.severity == "error" for p in problems):
            raise PluginError(format_problems(problems))
        for problem in problems:
            log.warning(str(problem))

        for parsed in site.excluded:
            files.remove(files.get_file_from_path(parsed.source.src_uri))
        for document in site.documents:
            file = files.get_file_from_path(document.parsed.source.src_uri)
            if document.uri != file.src_uri:
                _move(file, document.uri, config)
            if document.kind in LISTED_TYPES:
                # Content is reached through listings; a nav of every post grows quadratically.
                file.inclusion = InclusionLevel.NOT_IN_NAV
        for listing in site.listings:
            # Generated in its language's folder, so links written there find it.
            intro = files.get_file_from_path(listing.source_uri)
            if intro is None:
                intro = File.generated(
                    config,
                    listing.source_uri,
                    content=_listing_source(listing),
                    inclusion=InclusionLevel.NOT_IN_NAV,
                )
                files.append(intro)
            if listing.source_uri != listing.uri:
                _move(intro, listing.uri, config)

        self.site = site
        self.renderer = Renderer(
            site,
            self.settings,
            directory_urls=config.use_directory_urls,
            override_dirs=[d for d in config.theme.dirs if d != str(TEMPLATES_DIR)],
        )
        if self.pages is not None:
            self.pages.nav_paths_in_default_language(files)
        log.info("%s; %d left out (drafts or scheduled)", site.describe(), len(site.excluded))
        return files

    def find_page(self, path: str, files: Files, lang: str | None = None) -> File | None:
        """A page named by its Markdown path as a user writes it in configuration: on a
        multilingual site the path is inside a language's folder (`thank-you.md` is
        content/zh/thank-you.md for a Chinese page), falling back to the default language."""
        path = path.lstrip("/")
        languages = self.settings.languages
        candidates = [path]
        if languages.multilingual:
            candidates = [f"{code}/{path}" for code in (lang, languages.default) if code]
            candidates.append(path)
        for candidate in candidates:
            if (file := files.get_file_from_path(candidate)) is not None:
                return file
        return None

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        if self.pages is not None:
            assert self.site is not None
            self.pages.translate_nav(nav, self.site, files)
        return nav

    def on_page_context(
        self, context: TemplateContext, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        assert self.site is not None
        if self.pages is not None:
            lang = self.site.lang_of(page.file.src_uri, page.meta.get("lang"))
            self.pages.dress(context, page, lang, self.site)
        return context

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        # The theme prints titles and descriptions unescaped (in the header, the nav and the
        # search index); hand it text that is already HTML-safe.
        for key in ("title", "description"):
            if isinstance(page.meta.get(key), str):
                page.meta[key] = escape(page.meta[key], quote=True)
        return markdown

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        assert self.site is not None and self.renderer is not None
        src_uri = page.file.src_uri
        self.bodies[src_uri] = html
        if listing := self.site.listing_for(src_uri):
            return self.renderer.listing_html(html, listing)
        document = self.site.document_for(src_uri)
        if document is not None and document.kind in LISTED_TYPES:
            return self.renderer.document_html(html, document)
        return html

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.renderer is not None:
            rendered, reused = self.renderer.cards_rendered, self.renderer.cards_reused
            log.debug("Cards of entries in pages: %d rendered, %d reused", rendered, reused)
        if self.pages is not None and not quiet_theme_alternates(Path(config.site_dir)):
            log.warning(
                "The theme's script no longer matches what Leadpress expects; its language "
                "links may fetch missing sitemap.xml files (harmless 404s in the console)"
            )

    # Taking part in the page cache of leadpress/buildcache -----------------------------------

    def cache_facts(self) -> Any:
        """What any page may show of the site: every page's metadata as read, the settings,
        and the facts that follow from the build clock (not the clock itself, which moves
        on every build): whether a page is dated in the future, a webinar over."""
        assert self.site is not None
        settings = facts_of(self.settings)
        settings.pop("now", None)
        now = self.settings.now
        clock = []
        for document in self.site.documents:
            moment = getattr(document.meta, "date", None)
            is_webinar = document.kind == ContentType.WEBINAR
            past = webinar_is_past(document.meta, now) if is_webinar else None
            clock.append((document.uri, moment is not None and moment > now, past))
        return {"site": facts_of(self.site), "settings": settings, "clock": clock}

    def page_state(self, page: Page) -> Any:
        return self.bodies.get(page.file.src_uri)

    def restore_page_state(self, page: Page, state: Any) -> None:
        if state is not None:
            self.bodies[page.file.src_uri] = state

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        assert self.site is not None
        lang = self.site.lang_of(page.file.src_uri, page.meta.get("lang"))
        if self.pages is not None:
            self.pages.undress()
        output = unlink_missing_toc_toggle(output)
        if lang != self.settings.default_lang:
            return set_page_language(output, lang)
        return output


def _display_path(config: MkDocsConfig, src_uri: str) -> str:
    """A source path as the user sees it from the config's folder, e.g. content/articles/x.md."""
    base = os.path.dirname(config.config_file_path or "") or os.getcwd()
    return os.path.relpath(os.path.join(config.docs_dir, src_uri), base).replace(os.sep, "/")


def _move(file: File, uri: str, config: MkDocsConfig) -> None:
    """Publish `file` where `uri` would be published, keeping its source (and links to it)."""
    target = File(uri, config.docs_dir, config.site_dir, config.use_directory_urls)
    file.dest_uri = target.dest_uri
    file.abs_dest_path = target.abs_dest_path
    file.url = target.url


def _listing_source(listing: Listing) -> str:
    # Listings repeat their entries' titles and summaries: in the search index they would only
    # duplicate hits, and make the index every page downloads and parses a fifth larger.
    front = {
        "title": listing.title,
        "description": listing.description,
        "search": {"exclude": True},
    }
    # libyaml's emitter where installed: hundreds of listing pages on a large site.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(front, Dumper=dumper, allow_unicode=True, sort_keys=False)
    return "---\n" + text + "---\n"
