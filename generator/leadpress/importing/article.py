"""What an importer reads out of one source, before it becomes a Markdown file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

SourceKind = Literal["html", "wechat", "wxr", "text"]


@dataclass(frozen=True)
class Note:
    """Something the source did not say, or that was guessed, and how the user fixes it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass
class Extracted:
    """One article read from a source: clean Markdown and the facts the source states.

    A fact the source does not state stays None; nothing is invented at this stage.
    """

    source: Path
    kind: SourceKind
    body: str  # Markdown, without the title as a heading
    title: str | None = None
    date: date | None = None
    author: str | None = None
    description: str | None = None
    draft: bool = False
    slug: str | None = None  # a slug the source already used (a WordPress post name)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # A label when one source holds several articles (a post of a WordPress export).
    part: str | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.source} ({self.part})" if self.part else str(self.source)
