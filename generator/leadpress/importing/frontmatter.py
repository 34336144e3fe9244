"""Front matter for an imported article: the facts the source states, the fields its content
type requires, and a note for everything that had to be left open or guessed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import markdown

from ..content.loading import TYPE_BY_FOLDER
from ..content.models import Author, ContentType
from ..content.slugs import SlugStyle, slugify
from ..seo.text import cut_to_width, describe
from .article import Extracted, Note
from .cleanup import (
    detect_language,
    looks_traditional,
    lost_characters,
    pinyin_note,
    remove_pinyin_insertions,
    to_simplified,
)

Language = Literal["zh", "en", "auto"]
# A required field the source cannot fill gets this value, and the file stays a draft.
PLACEHOLDER = "TODO"
FOLDER_BY_TYPE = {kind: folder for folder, kind in TYPE_BY_FOLDER.items()}


@dataclass(frozen=True)
class Settings:
    content_type: ContentType
    today: date
    lang: Language = "auto"
    to_simplified: bool = False
    slug_style: SlugStyle = "pinyin"
    authors: dict[str, Author] = field(default_factory=dict)


@dataclass
class Prepared:
    """An article ready to write: its front matter, Markdown body and open questions."""

    extracted: Extracted
    front: dict[str, Any]
    body: str
    slug: str
    notes: list[Note]


def prepare(item: Extracted, settings: Settings) -> Prepared:
    notes = list(item.notes)
    title, body, description = item.title, item.body, item.description
    author, categories, tags = item.author, list(item.categories), list(item.tags)

    removed = 0
    title, n = remove_pinyin_insertions(title) if title else (title, 0)
    removed += n
    body, n = remove_pinyin_insertions(body)
    removed += n
    if description:
        description, n = remove_pinyin_insertions(description)
    if removed:
        notes.append(pinyin_note(removed))
    lost = lost_characters(body)
    if lost:
        notes.append(
            Note(
                "body",
                f"{lost} {'character was' if lost == 1 else 'characters were'} lost to a broken "
                "encoding in the source (shown as `?`); compare with the original",
            )
        )
    if settings.to_simplified:
        title = to_simplified(title) if title else title
        body = to_simplified(body)
        description = to_simplified(description) if description else description
        author = to_simplified(author) if author else author
        categories = [to_simplified(c) for c in categories]
        tags = [to_simplified(t) for t in tags]
    elif looks_traditional(body):
        notes.append(
            Note("lang", "written in traditional characters; add --to-simplified to convert")
        )

    lang = settings.lang if settings.lang != "auto" else detect_language(f"{title or ''}\n{body}")
    draft = item.draft
    front: dict[str, Any] = {"type": settings.content_type.value}

    if not title:
        title = item.source.stem.replace("-", " ").replace("_", " ").strip() or "Untitled"
        notes.append(Note("title", f"not found in the source; used the file name {title!r}"))
    front["title"] = title

    if description:
        description = cut_to_width(description, 155)
    else:
        description = describe(markdown.markdown(body)) or None
    if description:
        front["description"] = description
    else:
        notes.append(Note("description", "the article has no text to describe it; write one"))

    when = item.date
    if when is None:
        when = settings.today
        draft = True
        notes.append(
            Note(
                "date",
                f"not stated in the source; written as a draft dated {when.isoformat()}: "
                "set the real date and remove `draft: true`",
            )
        )
    if settings.content_type != ContentType.WEBINAR:
        front["date"] = when

    front["lang"] = lang
    slug = slugify(item.slug or title, settings.slug_style) or slugify(
        item.source.stem, settings.slug_style
    )
    front["slug"] = slug or "imported-article"

    author_id = _author_id(author, settings.authors)
    if author_id:
        front["authors"] = [author_id]
    elif author:
        front["extra"] = {"source_author": author}
        suggested = slugify(author) or "author-id"
        notes.append(
            Note(
                "authors",
                f"{author!r} is not in authors.yml; add `{suggested}: {{name: {author}}}` "
                f"there and set `authors: [{suggested}]`",
            )
        )
    else:
        notes.append(Note("authors", "no author is stated; add `authors: [author-id]`"))
    if categories:
        front["categories"] = categories
    if tags:
        front["tags"] = tags

    if settings.content_type == ContentType.CASE_STUDY:
        for name, fix in (
            ("customer", "write the customer's name"),
            ("industry", "write the customer's industry"),
        ):
            front[name] = PLACEHOLDER
            notes.append(Note(name, f"not in the source; written as {PLACEHOLDER}: {fix}"))
        draft = True
    if settings.content_type == ContentType.WEBINAR:
        offset = "+08:00" if lang == "zh" else "+00:00"
        front["start"] = f"{when.isoformat()}T00:00:00{offset}"
        front["speakers"] = [{"name": author or PLACEHOLDER}]
        notes.append(
            Note("start", "the time of the session is not in the source; set it with its offset")
        )
        if not author:
            notes.append(Note("speakers", f"written as {PLACEHOLDER}: name the speakers"))
        draft = True
    if draft:
        front["draft"] = True
    return Prepared(item, _in_reading_order(front), body, front["slug"], notes)


_ORDER = ("type", "title", "description", "date", "draft", "lang", "slug", "authors")


def _in_reading_order(front: dict[str, Any]) -> dict[str, Any]:
    """The fields a marketer checks first come first; `extra` comes last."""
    ordered = {key: front[key] for key in _ORDER if key in front}
    ordered.update({k: v for k, v in front.items() if k not in ordered and k != "extra"})
    if "extra" in front:
        ordered["extra"] = front["extra"]
    return ordered


def _author_id(name: str | None, authors: dict[str, Author]) -> str | None:
    """The id of a known author whose id or name is `name`."""
    if not name:
        return None
    wanted = name.strip().lower()
    for author_id, author in authors.items():
        if wanted in (author_id.lower(), author.name.strip().lower()):
            return author_id
    return None
