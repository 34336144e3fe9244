"""The engine side of a multilingual site: one nav per language, the theme's strings in the
page's language, and a language switcher that leads to the same page in another language.

The content plugin decides which page is in which language and which pages translate each
other (`leadpress.content.languages`, `collections`); this module only dresses MkDocs'
per-page template context accordingly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..content.collections import SiteContent
from ..content.languages import Languages, display_name
from ..content.strings import translate
from ..content.urls import url_of

# The theme's script fetches `sitemap.xml` beside every `<link rel="alternate">` to move a
# reader between language roots. Leadpress's hreflang links name each page's translation
# (so those fetches would 404 on every translated page), and its switcher already links to
# the translation: the script's selector is narrowed to links no page has.
THEME_ALTERNATES = '"link[rel=alternate]"'
NO_ALTERNATES = '"link[rel=alternate][data-leadpress-none]"'

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")

NavItem = Page | Section | Link


def translation_file(site: SiteContent, files: Files, src_uri: str, lang: str) -> File | None:
    """The source file of the page at `src_uri` in language `lang`, if it has one."""
    if (document := site.document_for(src_uri)) and (other := document.translations.get(lang)):
        return files.get_file_from_path(other.parsed.source.src_uri)
    if (listing := site.listing_for(src_uri)) and (twin := listing.translations.get(lang)):
        return files.get_file_from_path(twin.source_uri) or files.get_file_from_path(twin.uri)
    return None


class PageLanguages:
    """Per-build state: the nav of each language and what the current page changed."""

    def __init__(self, languages: Languages, config: MkDocsConfig) -> None:
        self.languages = languages
        self.config = config
        self.navs: dict[str, Navigation] = {}
        self.files: Files | None = None
        self.default_alternate = config.extra.get("alternate")
        # Material ships its interface strings per language; a language it lacks keeps
        # the default's strings (the page's <html lang> is still set after rendering).
        self.theme_languages = {
            lang
            for lang in languages.codes
            if any(
                Path(folder, "partials", "languages", f"{lang}.html").is_file()
                for folder in config.theme.dirs
            )
        }

    def nav_paths_in_default_language(self, files: Files) -> None:
        """`nav:` names the default language's pages by their path inside its folder
        (`about.md` for content/en/about.md); point MkDocs at the files themselves."""
        default = self.languages.default

        def rewrite(entry: Any) -> Any:
            if isinstance(entry, list):
                return [rewrite(item) for item in entry]
            if isinstance(entry, dict):
                return {key: rewrite(value) for key, value in entry.items()}
            if (
                isinstance(entry, str)
                and "://" not in entry
                and files.get_file_from_path(entry) is None
                and files.get_file_from_path(f"{default}/{entry}") is not None
            ):
                return f"{default}/{entry}"
            return entry

        if self.config.nav:
            self.config.nav = rewrite(self.config.nav)

    def translate_nav(self, nav: Navigation, site: SiteContent, files: Files) -> None:
        """Give every other language the site's nav with each page's translation in its place
        (the page itself where it has none)."""
        self.files = files
        self.navs = {self.languages.default: nav}
        for lang in self.languages.codes[1:]:
            pages: list[Page] = []
            items = [self._translated(item, None, lang, site, pages) for item in nav.items]
            own = Navigation(items, pages)
            home = files.get_file_from_path(self.languages.home_uri(lang))
            if home is None:
                home = files.get_file_from_path(f"{lang}/index.md")
            own.homepage = home.page if home is not None and isinstance(home.page, Page) else None
            self.navs[lang] = own

    def _translated(
        self, item: NavItem, parent: Section | None, lang: str, site: SiteContent, pages: list
    ) -> NavItem:
        assert self.files is not None
        if isinstance(item, Page):
            file = translation_file(site, self.files, item.file.src_uri, lang)
            page = file.page if file is not None else None
            if not isinstance(page, Page):
                return item
            if file is not None and file.src_uri == self.languages.home_uri(lang):
                # As `nav:` names the default's home (Home), not by its long page title.
                page.title = translate(lang, "home")
            page.parent = parent
            pages.append(page)
            return page
        if isinstance(item, Section):
            section = Section(item.title, [])
            section.parent = parent
            section.children = [
                self._translated(child, section, lang, site, pages) for child in item.children
            ]
            return section
        return item

    def dress(self, context: TemplateContext, page: Page, lang: str, site: SiteContent) -> None:
        """Set the page's nav, theme language and switcher before its template renders.

        The theme reads its language and `extra.alternate` from the shared config; MkDocs
        renders one page at a time, and `undress` puts both back after each page.
        """
        if lang in self.navs:
            context["nav"] = self.navs[lang]
        if lang in self.theme_languages:
            self.config.theme["language"] = lang
        self.config.extra["alternate"] = self.switcher(page, lang, site)

    def undress(self) -> None:
        self.config.theme["language"] = self.languages.default
        self.config.extra["alternate"] = self.default_alternate

    def switcher(self, page: Page, lang: str, site: SiteContent) -> list[dict[str, str]]:
        """One entry per language: this page in it where a translation exists, else that
        language's home page."""
        assert self.files is not None
        entries = []
        for code in self.languages.codes:
            if code == lang:
                url = page.url
            elif file := translation_file(site, self.files, page.file.src_uri, code):
                url = file.url
            else:
                url = url_of(self.languages.home_uri(code), self.config.use_directory_urls)
            entries.append({"name": display_name(code), "link": url or "./", "lang": code})
        return entries


def quiet_theme_alternates(site_dir: Path) -> int:
    """Turn off the theme's sitemap lookups of alternate links; returns the scripts changed."""
    changed = 0
    for bundle in sorted(Path(site_dir, "assets", "javascripts").glob("bundle.*.js")):
        text = bundle.read_text(encoding="utf-8")
        if text.count(THEME_ALTERNATES) == 1:
            bundle.write_text(text.replace(THEME_ALTERNATES, NO_ALTERNATES), encoding="utf-8")
            changed += 1
    return changed
