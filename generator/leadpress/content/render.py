"""HTML of the generated parts of pages: bylines, case-study facts, webinar boxes, listings.

Templates live in the package (`templates/leadpress/`) and a site overrides any of them by
placing a file at the same path in its theme folder. Everything is autoescaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from ..paths import TEMPLATES_DIR
from .collections import Document, Listing, Settings, SiteContent, term_slug, webinar_is_past
from .strings import format_date, format_datetime, translate
from .urls import relative_url, url_of

CARD_TEMPLATE = "leadpress/partials/card.html"
_HTML_LANG = re.compile(r'<html\b[^>]*?\blang="[^"]*"', re.IGNORECASE)
_LEADING_H1 = re.compile(r"^\s*(<h1\b[^>]*>.*?</h1>)", re.DOTALL | re.IGNORECASE)


class Renderer:
    """Renders page parts for one build; links are relative so a site works under any path."""

    def __init__(
        self,
        site: SiteContent,
        settings: Settings,
        directory_urls: bool = True,
        override_dirs: Sequence[str | Path] = (),
    ) -> None:
        self.site = site
        self.settings = settings
        self.directory_urls = directory_urls
        loaders = [FileSystemLoader([str(d) for d in override_dirs])] if override_dirs else []
        self.env = Environment(
            loader=ChoiceLoader([*loaders, PackageLoader("leadpress", "templates")]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            # A build renders with templates that do not change meanwhile: no stat of each
            # template file every time a page includes it (a new Renderer each build).
            auto_reload=False,
        )
        self.cards_rendered = self.cards_reused = 0
        self._share_cards()

    def _share_cards(self) -> None:
        """Render each card once per language and link text: an entry shows the same card
        on every page that links it the same way (the related pages of its neighbours,
        the pages of a listing and its tags), and listings show thousands of cards on a
        large site. Only Leadpress's own card is shared, which reads nothing else of the
        page; one a site overrides is rendered every time, as included."""
        template = self.env.get_template(CARD_TEMPLATE)
        own = TEMPLATES_DIR.resolve()
        if template.filename is None or not Path(template.filename).resolve().is_relative_to(own):
            return
        render = template.root_render_func
        kept: dict[tuple[str, str, str], str] = {}

        def shared(context: Context) -> Iterator[str]:
            entry, lang, link = context.get("entry"), context.get("lang"), context.get("link")
            uri = getattr(entry, "uri", None)
            if not isinstance(uri, str) or not isinstance(lang, str) or not callable(link):
                yield from render(context)
                return
            key = (uri, lang, link(uri))
            output = kept.get(key)
            if output is None:
                output = kept[key] = "".join(render(context))
                self.cards_rendered += 1
            else:
                self.cards_reused += 1
            yield output

        template.root_render_func = shared

    def document_html(self, html: str, document: Document) -> str:
        """Wrap a page's converted Markdown in its type's template."""
        heading, body = _split_heading(html)
        return self.render(
            f"leadpress/{document.kind.value}.html",
            document.uri,
            document.lang,
            document=document,
            meta=document.meta,
            heading=heading,
            body=Markup(body),
            is_past=(
                webinar_is_past(document.meta, self.settings.now)
                if document.kind.value == "webinar"
                else None
            ),
        )

    def listing_html(self, html: str, listing: Listing) -> str:
        """A listing page: its own Markdown (an intro, if any) followed by the entries."""
        heading, intro = _split_heading(html)
        return self.render(
            "leadpress/listing.html",
            listing.uri,
            listing.lang,
            listing=listing,
            heading=heading,
            intro=Markup(intro),
        )

    def render(self, template: str, uri: str, lang: str, **context: object) -> str:
        here = url_of(uri, self.directory_urls)

        def link(target_uri: str) -> str:
            return relative_url(url_of(target_uri, self.directory_urls), here)

        def lang_link(path: str) -> str:
            """Link to a page of this page's language by its path in that language's part
            of the site: `articles/tag/x/index.md` is zh/articles/tag/x/ on a Chinese page."""
            return link(self.settings.languages.prefix(lang) + path)

        def t(key: str, **values: object) -> str:
            return translate(lang, key, **values)

        def slug(name: str) -> str:
            return term_slug(name, self.settings.slug_style)

        def date(moment: datetime) -> str:
            return format_date(moment, lang)

        def date_time(moment: datetime) -> str:
            return format_datetime(moment, lang)

        return self.env.get_template(template).render(
            link=link,
            lang_link=lang_link,
            t=t,
            slug=slug,
            date=date,
            date_time=date_time,
            lang=lang,
            now=self.settings.now,
            site=self.site,
            **context,
        )


def _split_heading(html: str) -> tuple[Markup | None, str]:
    """A page's own leading H1, kept as written, and the rest of its HTML."""
    match = _LEADING_H1.match(html)
    if match is None:
        return None, html
    return Markup(match.group(1)), html[match.end() :]


_TOC_TITLE = '<label class="md-nav__title" for="__toc">'
_TOC_TOGGLE = 'id="__toc"'


def unlink_missing_toc_toggle(page_html: str) -> str:
    """Drop the table of contents title's `for="__toc"` when the page has no such toggle.

    The theme draws the toggle only inside the navigation entry of the current page; pages
    reached through listings are not in the navigation, and a label for a control that does
    not exist is invalid HTML (the Nu checker reports it on every article).
    """
    if _TOC_TOGGLE in page_html:
        return page_html
    return page_html.replace(_TOC_TITLE, '<label class="md-nav__title">')


def set_page_language(page_html: str, lang: str) -> str:
    """Give a whole page's `<html>` element the language of its content.

    Screen readers pick their voice and browsers their fonts from it; the engine's
    template only knows the site's default language.
    """
    match = _HTML_LANG.search(page_html)
    if match is None:
        return page_html
    element = re.sub(r'lang="[^"]*"', f'lang="{lang}"', match.group(0))
    return page_html[: match.start()] + element + page_html[match.end() :]
