"""`leadpress/seo`: head tags, structured data, social cards, sitemap, robots.txt, the audit.

A thin adapter: the content plugin knows what each page is; `leadpress.seo` decides what
to say about it; this module only moves facts between MkDocs events and those functions.
"""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from PIL import Image as PILImage

from ..buildcache import DEFAULT_CACHE_DIR, cache_wanted
from ..buildcache.cards import CardPrefetch, write_cards
from ..content.collections import Document, Listing, SiteContent
from ..content.models import ContentType
from ..content.readtime import has_cjk
from ..content.urls import url_of
from ..seo import structured_data as ld
from ..seo.audit import (
    AuditRules,
    Finding,
    ReadAhead,
    audit_site,
    format_table,
    page_files,
    read_ahead,
    report_json,
    site_listing,
)
from ..seo.card_specs import DocumentCards, card_spec
from ..seo.cards import CARD_SIZE, CardCache, CardSpec, FontsNotFound, find_fonts, parse_colour
from ..seo.head import Image, head_html, replace_head
from ..seo.pages import PageInput, SeoSite, card_path, page_seo
from ..seo.sitemap import SitemapEntry, build_sitemaps, last_commit_dates, robots_txt
from .content import ContentPlugin

log = get_plugin_logger(__name__)

PLUGIN_NAME = "leadpress/seo"
CONTENT_PLUGIN = "leadpress/content"
BUILDCACHE_PLUGIN = "leadpress/buildcache"
REPORT_FILE = "seo-report.json"
# The switch leadpress/buildcache reads too: "off" keeps nothing between builds.


class CardsConfig(Config):
    enabled = opt.Type(bool, default=True)
    colour = opt.Type(str, default="#1f4bd8")
    font = opt.Optional(opt.File(exists=True))


class AuditConfig(Config):
    enabled = opt.Type(bool, default=True)
    title_min = opt.Type(int, default=AuditRules.title_min)
    title_max = opt.Type(int, default=AuditRules.title_max)
    description_min = opt.Type(int, default=AuditRules.description_min)
    description_max = opt.Type(int, default=AuditRules.description_max)
    thin_words = opt.Type(int, default=AuditRules.thin_words)


class SeoConfig(Config):
    title_template = opt.Type(str, default="{title} | {site}")
    twitter_site = opt.Optional(opt.Type(str))
    logo = opt.Optional(opt.Type(str))  # default: the theme's logo
    same_as = opt.ListOfItems(opt.Type(str), default=[])
    currency = opt.Type(str, default="USD")
    cache_dir = opt.Type(str, default=DEFAULT_CACHE_DIR)
    sitemap_max_urls = opt.Type(int, default=50_000)
    cards = opt.SubConfig(CardsConfig)
    audit = opt.SubConfig(AuditConfig)


class SeoPlugin(BasePlugin[SeoConfig]):
    supports_multiple_instances = False
    prefetch: CardPrefetch | None = None  # cards drawn ahead (a build can fail before on_nav)

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.pages_audited = 0
        self.json_ld_types: set[str] = set()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not config.site_url:
            raise ConfigurationError(
                "leadpress/seo: site_url: canonical URLs, social cards and the sitemap need the "
                "address the site is published at; add e.g. `site_url: https://www.example.com/`"
            )
        try:
            self.config.title_template.format(title="T", site="S")
        except (KeyError, IndexError, ValueError):
            raise ConfigurationError(
                f"leadpress/seo: title_template: {self.config.title_template!r} may use only "
                '{title} and {site}; e.g. `title_template: "{title} | {site}"`'
            ) from None
        # Leadpress writes a sitemap with real lastmod dates; MkDocs' own would overwrite it.
        config.theme.static_templates.discard("sitemap.xml")
        base = Path(config.config_file_path or "").parent
        self.cache_dir = base / self.config.cache_dir
        try:
            parse_colour(self.config.cards.colour)
        except ValueError:
            raise ConfigurationError(
                f"leadpress/seo: cards.colour: {self.config.cards.colour!r} is not a colour; "
                'write it as hex, e.g. `colour: "#1f4bd8"`'
            ) from None
        self.cards: CardCache | None = None
        self.cards_cover_cjk = False
        if self.config.cards.enabled:
            try:
                font = self.config.cards.font
                fonts = find_fonts(Path(font) if font else None)
            except FontsNotFound as error:
                log.warning("Social cards are off: %s", error)
            else:
                self.cards = CardCache(self.cache_dir / "cards", fonts)
                self.cards_cover_cjk = fonts.covers_cjk
        self.warned_cjk = False
        return config

    def on_pre_build(self, config: MkDocsConfig) -> None:
        self.site_dir = config.site_dir
        self.sitemap: list[SitemapEntry] = []
        self.findings = []
        self.json_ld_types = set()
        self.committed = last_commit_dates(Path(config.docs_dir))
        self.pending_cards: list[tuple[CardSpec, Path]] = []  # drawn together after the pages
        self.prefetch = None
        self._start_drawing_ahead(config)  # after every plugin's on_config
        self.page_facts: dict[str, Any] = {}  # what each page added, for leadpress/buildcache

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        # After every plugin's on_files, so the order of `plugins:` does not matter.
        site: SiteContent = _content_plugin(config).site
        site_url = _site_url(config)
        self.titles: dict[str, str] = {}
        for document in site.documents:
            self.titles[url_of(document.uri, config.use_directory_urls)] = document.title
        for listing in site.listings:
            self.titles[url_of(listing.uri, config.use_directory_urls)] = listing.title
        logo = self.config.logo or config.theme.get("logo")
        self.site = SeoSite(
            url=site_url,
            name=config.site_name,
            description=config.site_description or "",
            lang=config.theme.get("language") or "en",
            organization=ld.Organization(
                name=config.site_name,
                url=site_url,
                logo=_absolute(logo, site_url) if logo else None,
                same_as=tuple(self.config.same_as),
            ),
            now=_content_plugin(config).settings.now,
            title_template=self.config.title_template,
            title_max=self.config.audit.title_max,
            twitter_site=self.config.twitter_site,
            # Each of these opens its search for `?q=`, as the SearchAction promises.
            search=any(
                name in config.plugins for name in ("search", "material/search", "leadpress/search")
            ),
            currency=self.config.currency,
        )
        self._draw_cards_ahead(site)
        return nav

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        self.last_card: tuple[CardSpec, str] | None = None  # the card and its path in the site
        content = _content_plugin(config)
        site: SiteContent = content.site
        src_uri = page.file.src_uri
        document = site.document_for(src_uri)
        listing = site.listing_for(src_uri)
        title = document.title if document else listing.title if listing else ""
        if not title and not page.is_homepage:
            title = unescape(page.title or "")  # the content plugin escaped it for the theme
        body = content.bodies.get(src_uri, "")
        # Commit dates are known by resolved path; without git history there are none.
        source = Path(config.docs_dir, src_uri).resolve() if self.committed else None
        languages = site.languages
        lang = site.lang_of(src_uri, page.meta.get("lang"))
        versions = {
            code: self.site.url + url_of(uri, config.use_directory_urls)
            for code, uri in site.versions_of(src_uri).items()
        }
        page_input = PageInput(
            path=page.url,
            title=title,
            body_html=body,
            # Each language's home page is a home page: its own site name, WebSite data.
            is_home=page.is_homepage or page.url == languages.prefix(lang),
            home_path=languages.prefix(lang),
            alternates=versions,
            document=document,
            listing=listing,
            image=self._image(page, document, listing, title, site, config),
            titles=self.titles,
            committed=self.committed.get(source) if source else None,
            description=unescape(str(page.meta.get("description") or "")) or None,
            noindex=page.meta.get("noindex") is True,
        )
        seo = page_seo(self.site, page_input)
        self.json_ld_types.update(seo.json_ld_types)
        if seo.sitemap:
            self.sitemap.append(seo.sitemap)
        self.page_facts[src_uri] = (seo.sitemap, set(seo.json_ld_types), self.last_card)
        return replace_head(output, head_html(seo.head))

    # Taking part in the page cache of leadpress/buildcache -----------------------------------

    def page_cache_facts(self, file: File) -> Any:
        """A page's last commit date (its dateModified and sitemap lastmod)."""
        if file.abs_src_path is None or not self.committed:  # no git history: no dates
            return None
        committed = self.committed.get(Path(file.abs_src_path).resolve())
        return committed.isoformat() if committed else None

    def page_state(self, page: Page) -> Any:
        return self.page_facts.get(page.file.src_uri)

    def restore_page_state(self, page: Page, state: Any) -> None:
        sitemap, json_ld_types, card = state
        if sitemap:
            self.sitemap.append(sitemap)
        self.json_ld_types.update(json_ld_types)
        if card is not None:
            spec, path = card
            self.pending_cards.append((spec, Path(self.site_dir, path)))

    def _image(
        self,
        page: Page,
        document: Document | None,
        listing: Listing | None,
        title: str,
        site: SiteContent,
        config: MkDocsConfig,
    ) -> Image | None:
        """The page's own `image:` (a path in the content folder, or a URL) when it has one,
        else its social card. Every page of a paginated listing shows its first page's card:
        the same picture, drawn and published once."""
        if document is not None and document.meta.image:
            image = document.meta.image
            size = _image_size(Path(config.docs_dir, image.lstrip("/")))
            return Image(_absolute(image, self.site.url), *size, alt=document.title)
        if self.cards is None:
            return None
        spec = self._card_spec(title, document)
        if not self.cards_cover_cjk and not self.warned_cjk and has_cjk(spec.title):
            self.warned_cjk = True
            log.warning(
                "Social cards: no font with Chinese characters was found, so Chinese titles "
                "will not render on cards. Install Noto Sans CJK (Debian: fonts-noto-cjk) or "
                "set `cards: {font: path/to/font.otf}` under leadpress/seo."
            )
        if listing is not None and listing.page > 1:
            first = _first_page(listing, site)
            path = card_path(url_of(first.uri, config.use_directory_urls))
            return Image(self.site.url + path, *CARD_SIZE, alt=first.title)
        path = card_path(page.url)
        self.last_card = (spec, path)
        self.pending_cards.append((spec, Path(config.site_dir, path)))
        return Image(self.site.url + path, *CARD_SIZE, alt=spec.title)

    def _card_spec(self, title: str, document: Document | None) -> CardSpec:
        kind = document.kind if document else ContentType.PAGE
        lang = document.lang if document else self.site.lang
        return card_spec(title, kind, lang, self.site.name, self.config.cards.colour)

    def _start_drawing_ahead(self, config: MkDocsConfig) -> None:
        """With no card kept yet (a first build, or CI without the cache), start a process
        drawing cards at once: those of the documents it finds in the Markdown itself while
        the build starts up, then those the build asks for. (With cards kept, a look at
        the sources would only cost a warm build the time to find them all there.)"""
        if self.cards is None or any(self.cards.directory.glob("*.png")):
            return
        content = config.plugins.get(CONTENT_PLUGIN)
        if not isinstance(content, ContentPlugin):
            return  # the build says what is missing when it needs the content
        look_ahead = DocumentCards(
            docs_dir=config.docs_dir,
            settings=content.settings,
            timezone=content.zone,
            site_name=config.site_name,
            colour=self.config.cards.colour,
        )
        self.prefetch = CardPrefetch.start(self.cards, look_ahead)

    def _draw_cards_ahead(self, site: SiteContent) -> None:
        """Have the cards the pages will ask for (documents without an image of their own,
        first pages of listings) drawn while the pages are built: by the process started
        at the start, or by one started now if any is missing."""
        if self.cards is None:
            return
        specs = [
            self._card_spec(document.title, document)
            for document in site.documents
            if not document.meta.image
        ]
        specs += [self._card_spec(page.title, None) for page in site.listings if page.page == 1]
        if self.prefetch is None:
            self.prefetch = CardPrefetch.start_drawing(self.cards, specs)
        else:
            self.prefetch.want(specs)

    def _stop_drawing_ahead(self) -> None:
        if self.prefetch is not None:
            self.prefetch.stop()
            self.prefetch = None

    def on_build_error(self, error: Exception) -> None:
        self._stop_drawing_ahead()

    @event_priority(-100)  # last: the audit reads every file the other plugins wrote
    def on_post_build(self, config: MkDocsConfig) -> None:
        site_dir = Path(config.site_dir)
        sitemaps = build_sitemaps(self.sitemap, self.site.url, self.config.sitemap_max_urls)
        for name, data in sitemaps.items():
            (site_dir / name).write_bytes(data)
        own_robots = Path(config.docs_dir, "robots.txt")
        existing = own_robots.read_text(encoding="utf-8") if own_robots.is_file() else None
        (site_dir / "robots.txt").write_text(robots_txt(self.site.url, existing), "utf-8")
        log.debug("JSON-LD types: %s", ", ".join(sorted(self.json_ld_types)))
        self._stop_drawing_ahead()
        if self.cards is not None:
            write_cards(self.cards, self.pending_cards)  # before the audit looks for them
            drawn, reused = self.cards.rendered, self.cards.reused
            log.debug("Social cards: %d drawn, %d from the cache", drawn, reused)
        if self.config.audit.enabled:
            self._audit(site_dir, config)

    def _rules(self) -> AuditRules:
        audit = self.config.audit
        return AuditRules(
            title_min=audit.title_min,
            title_max=audit.title_max,
            description_min=audit.description_min,
            description_max=audit.description_max,
            thin_words=audit.thin_words,
        )

    def read_written_pages(
        self, files: list[File], take: Callable[[], int | None]
    ) -> ReadAhead | None:
        """The audit facts of `files[take()]` until `take()` gives None: in
        leadpress/buildcache's helper process once the pages are written, while the main
        process finishes the build, and in the main process as the audit starts."""
        if not self.config.audit.enabled or not cache_wanted():
            return None
        pages = (Path(files[position].abs_dest_path) for position in iter(take, None))
        return read_ahead(Path(self.site_dir), pages, self.site.url, self._rules())

    def _audit(self, site_dir: Path, config: MkDocsConfig) -> None:
        rules = self._rules()
        # Facts of pages unchanged since the last build come from the cache folder, those
        # of the pages a helper process rendered from that process.
        keep = cache_wanted()
        cache_dir = self.cache_dir if keep else None
        listing = site_listing(site_dir)
        buildcache = config.plugins.get(BUILDCACHE_PLUGIN)
        read = None
        if hasattr(buildcache, "read_with_helper"):
            read = buildcache.read_with_helper(PLUGIN_NAME, self.read_written_pages)
        ahead = [part for part in read or () if isinstance(part, ReadAhead)]
        if read is not None:
            counts = [len(part.facts) if isinstance(part, ReadAhead) else 0 for part in read]
            log.debug("SEO audit: %d pages read here, %d by the second process", *counts)
        self.findings = audit_site(
            site_dir, self.site.url, rules, cache_dir, listing, ReadAhead.joined(ahead)
        )
        self.pages_audited = len(page_files(site_dir, listing))
        (site_dir / REPORT_FILE).write_text(
            report_json(self.findings, self.pages_audited), encoding="utf-8"
        )
        errors = [f for f in self.findings if f.severity == "error"]
        warnings = len(self.findings) - len(errors)
        summary = (
            f"SEO audit: {self.pages_audited} pages, {len(errors)} errors, {warnings} warnings"
        )
        if errors:
            table = format_table(errors, self.pages_audited)
            if config.strict:
                raise PluginError(f"{summary}; in strict mode errors stop the build:\n{table}")
            log.warning("%s:\n%s", summary, table)
        else:
            log.info("%s (`leadpress audit` lists them; %s has all)", summary, REPORT_FILE)


def _content_plugin(config: MkDocsConfig) -> ContentPlugin:
    plugin = config.plugins.get(CONTENT_PLUGIN)
    if not isinstance(plugin, ContentPlugin) or plugin.site is None:
        raise PluginError("leadpress/seo needs `- leadpress/content` in `plugins:` too")
    return plugin


def _first_page(listing: Listing, site: SiteContent) -> Listing:
    """Page 1 of the paginated listing `listing` is a page of."""
    while listing.newer_uri is not None:
        newer = site.listing_for(listing.newer_uri)
        if newer is None:
            break
        listing = newer
    return listing


def _site_url(config: MkDocsConfig) -> str:
    url = config.site_url or ""
    return url if url.endswith("/") else url + "/"


def _absolute(path: str, site_url: str) -> str:
    """A URL for `path`, which is a full URL already or a path from the site's root."""
    return path if "://" in path else site_url + quote(path.lstrip("/"))


def _image_size(path: Path) -> tuple[int | None, int | None]:
    try:
        with PILImage.open(path) as image:
            return image.size
    except (OSError, ValueError):
        return None, None  # not a local raster image: the tags go without a size
