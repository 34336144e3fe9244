"""What a page's social card shows, and the cards a site will want, found before it is read.

Drawing a thousand cards takes a couple of CPU seconds. The build knows which cards it
needs once it has read the content, but a process drawing ahead can start sooner: it reads
the Markdown itself, while the build starts up on another CPU, and draws the cards of the
documents it finds. A card it guessed wrong is only a card the build does not use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import tzinfo

from ..content.collections import Settings, likely_documents, markdown_sources
from ..content.models import ContentType
from ..content.strings import translate
from .cards import CardSpec


def card_spec(title: str, kind: ContentType, lang: str, site_name: str, colour: str) -> CardSpec:
    """The card of a page: its title (the site's name when it has none) under a label of
    its type, in its language."""
    return CardSpec(
        title=title or site_name,
        site_name=site_name,
        label=translate(lang, f"label_{kind}"),
        brand_colour=colour,
    )


@dataclass(frozen=True)
class DocumentCards:
    """The cards of the documents in `docs_dir` that show no image of their own, as the
    build will ask for them; called in the process that draws them."""

    docs_dir: str
    settings: Settings
    timezone: tzinfo | None
    site_name: str
    colour: str

    def __call__(self) -> Iterator[CardSpec]:
        sources = markdown_sources(self.docs_dir, self.settings.languages)
        for parsed, lang in likely_documents(sources, self.settings, self.timezone):
            if not parsed.meta.image:
                title = parsed.meta.title or ""
                yield card_spec(title, parsed.kind, lang, self.site_name, self.colour)
