"""Sources in, articles out: read every source, keep going past the ones that fail."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ..content.loading import load_authors
from ..content.models import Author
from .article import Extracted
from .cleanup import pinyin_note, remove_pinyin_insertions
from .detect import Unreadable, detect_kind, read_text, walk
from .html import NoArticle, extract_html
from .report import Failure
from .text import extract_text
from .wxr import NotAnExport, extract_wxr


@dataclass
class Read:
    articles: list[Extracted] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def read_sources(sources: list[Path]) -> Read:
    read = Read()
    for source in sources:
        if not source.exists():
            read.failures.append(Failure(str(source), "no such file or folder"))
            continue
        for path in walk(source):
            try:
                read.articles += read_source(path)
            except (Unreadable, NoArticle, NotAnExport) as error:
                if path != source and isinstance(error, Unreadable):
                    continue  # a stray binary file in a walked folder is not an article
                read.failures.append(Failure(str(path), str(error)))
    return read


def read_source(path: Path) -> list[Extracted]:
    """Every article in one file (a WordPress export holds many)."""
    text = read_text(path)
    kind = detect_kind(text)
    if kind == "wxr":
        posts = extract_wxr(path, text)
        if not posts:
            raise NotAnExport("the WordPress export holds no published or draft posts")
        return posts
    if kind in ("html", "wechat"):
        return [extract_html(path, text)]
    if text.lstrip().startswith("<?xml"):
        raise NotAnExport("an XML file, but not a WordPress export (WXR)")
    # Pinyin insertions first: `營(yíng)銷(xiāo)` would hide a heading or a title line.
    text, removed = remove_pinyin_insertions(text)
    article = extract_text(path, text)
    if removed:
        article.notes.append(pinyin_note(removed))
    if not article.body.strip():
        raise Unreadable("no article text is left once the page furniture is removed")
    return [article]


def import_date() -> date:
    """Today, or the day of SOURCE_DATE_EPOCH when set, the build's own clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return datetime.now(tz=UTC).date()


def docs_dir(config: Path) -> Path:
    """The site's docs_dir as mkdocs.yml names it (read as text: the file may hold tags that a
    safe YAML loader refuses), or `content`, the folder `leadpress new` makes."""
    if config.is_file():
        match = re.search(
            r"^docs_dir:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$",
            config.read_text(encoding="utf-8"),
            re.M,
        )
        if match:
            return config.parent / match.group(1).strip()
    return config.parent / "content"


def site_languages(config: Path) -> list[str]:
    """The `languages:` of the content plugin in mkdocs.yml (read as text, like docs_dir);
    empty for a site of one language."""
    if config.is_file():
        match = re.search(r"^\s+languages:\s*\[([^\]]*)\]", config.read_text("utf-8"), re.M)
        if match:
            return [code.strip(" '\"") for code in match.group(1).split(",") if code.strip()]
    return []


def find_authors(out_dir: Path) -> dict[str, Author]:
    """The site's authors (authors.yml in the output folder or up to two levels above), so
    that an author the source names can be matched to an author id."""
    for folder in (out_dir, out_dir.parent, out_dir.parent.parent):
        candidate = folder / "authors.yml"
        if candidate.is_file():
            authors, _problems = load_authors(candidate.read_text(encoding="utf-8"), str(candidate))
            return authors
    return {}
