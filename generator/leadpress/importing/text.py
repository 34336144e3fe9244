"""Plain text, as scraped or pasted: the article's lines kept, the page furniture around them
(breadcrumb, bylines, dates split over lines, counters, footers, comment prompts) dropped."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from ..seo.text import cut_to_width, display_width
from .article import Extracted, Note
from .cleanup import is_furniture_line, tail_start
from .dates import date_line, find_date, split_date
from .markdown import escape_markdown, tidy_markdown

# `首页 > 资讯 > 正文`, `当前位置：首页 » 博客`, `Home / Blog / Post`.
_BREADCRUMB = re.compile(
    r"^(?:(?:当前位置|當前位置|您的位置|你的位置|位置|you are here)\s*[:：]\s*)?"
    r"(?:首页|首頁|主页|主頁|网站首页|home)\s*(?:[>»›/|]|&gt;)\s*\S.*$",
    re.IGNORECASE,
)
_CRUMB_SEPARATOR = re.compile(r"\s*(?:[>»›|]|&gt;|\s/\s)\s*")
_BYLINE = re.compile(
    r"^(?:文|作者|撰文|撰稿|by|author)\s*[/:：|]\s*(?P<name>[^\s/:：|].{0,29})$|^by\s+(?P<en>.{1,40})$",
    re.IGNORECASE,
)
_SOURCE_LINE = re.compile(r"^(?:来源|來源|出处|出處|source)\s*[:：/].{0,60}$", re.IGNORECASE)
_SENTENCE_END = tuple("。．.！!；;，,：:、")
_TITLE_WIDTH = 80
# Numbered section lines: `1、企业信息化是大势所趋`, `2.1 如何选择产品?`, `三、结语`, `(1)前期选择`.
_SECTION = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:[、.．]\s*|\s+)(?P<text>\S.*)$")
_SUBSECTION = re.compile(r"^\d{1,2}[.．]\d{1,2}[、.．]?\s*(?P<text>\S.*)$")
_POINT = re.compile(r"^[(（](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]\s*(?P<text>\S.*)$")
_HEADING_WIDTH = 44
# A scrape that starts inside a word: `ail,處理辦公文檔…`.
_BROKEN_START = re.compile(r"^[a-z]{1,12}[,，.;；:：]\s*(?=[^\x00-\x7f])")
_HEAD_LINES = 8
# Last crumbs that name the kind of page, not the article.
_GENERIC_CRUMBS = frozenset({"正文", "内容", "內容", "详情", "詳情", "文章", "article", "post"})
_CATEGORIES_LABEL = re.compile(
    r"(?:所属分类|所屬分類|分类|分類|categories|filed under)\s*[:：]", re.I
)


def extract_text(source: Path, text: str) -> Extracted:
    """Read one plain-text article: title, date and author from its head and footer, and
    its paragraphs (numbered section lines become headings) as Markdown."""
    lines = [
        line.replace("\u3000", " ").replace("\xa0", " ").rstrip() for line in text.splitlines()
    ]
    result = Extracted(source=source, kind="text", body="")

    footer: list[str] = []
    tail = tail_start(lines)
    if tail is not None:
        lines, footer = lines[:tail], lines[tail:]
    lines = [line for line in lines if not is_furniture_line(line)]

    lines, crumb = _read_head(lines, result)
    _read_footer(footer, result)
    lines = _without_repeated_title(lines, result.title)

    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and _BROKEN_START.match(lines[first].strip()):
        fragment = _BROKEN_START.match(lines[first].strip())
        assert fragment is not None
        lines[first] = lines[first].strip()[fragment.end() :]
        result.notes.append(
            Note(
                "body",
                f"the text starts inside a word ({fragment.group(0).strip()!r}, now removed); "
                "the beginning of the article is missing from the source, add it by hand",
            )
        )

    paragraphs = _paragraphs(lines)
    result.body = tidy_markdown(_to_markdown(paragraphs), None)
    if result.title is None:
        result.title = _fallback_title(paragraphs, crumb, result)
    return result


def _read_head(lines: list[str], result: Extracted) -> tuple[list[str], str | None]:
    """Take title, date and author from the first lines; return the rest and the breadcrumb's
    last crumb (the title as the page's own navigation named it)."""
    kept: list[str] = []
    crumb: str | None = None
    seen = 0
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            kept.append(lines[index])
            index += 1
            continue
        if seen >= _HEAD_LINES or display_width(line) > _TITLE_WIDTH:
            kept.extend(lines[index:])
            break
        seen += 1
        following = next((lines[j] for j in range(index + 1, len(lines)) if lines[j].strip()), "")
        if _BREADCRUMB.match(line):
            crumb = _CRUMB_SEPARATOR.split(line)[-1].strip() or None
        elif (found := split_date(line, following)) and result.date is None:
            result.date = found
            index = lines.index(following, index + 1)
        elif (found := date_line(line)) and result.date is None:
            result.date = found
        elif (byline := _BYLINE.match(line)) and result.author is None:
            result.author = (byline["name"] or byline["en"]).strip()
        elif _SOURCE_LINE.match(line):
            pass
        elif result.title is None and (crumb == line or _title_like(line)) and not _kept_text(kept):
            result.title = line
        else:
            kept.append(lines[index])
        index += 1
    return kept, crumb


def _kept_text(lines: list[str]) -> bool:
    return any(line.strip() for line in lines)


def _without_repeated_title(lines: list[str], title: str | None) -> list[str]:
    """Pages often print the title twice (in the breadcrumb and above the text); drop a
    repeat among the first lines only, so a later line that happens to match stays."""
    content = [i for i, line in enumerate(lines) if line.strip()][:_HEAD_LINES]
    repeat = next((i for i in content if title and lines[i].strip() == title), None)
    return lines if repeat is None else lines[:repeat] + lines[repeat + 1 :]


def _title_like(line: str) -> bool:
    return (
        display_width(line) <= _TITLE_WIDTH
        and not line.endswith(_SENTENCE_END)
        and not _SECTION.match(line)
        and not _POINT.match(line)
    )


def _read_footer(footer: list[str], result: Extracted) -> None:
    """A blog footer states the date it was posted and the post's categories."""
    text = "\n".join(footer)
    if result.date is None and footer:
        found = find_date(text)
        if found:
            result.date = found
    label = _CATEGORIES_LABEL.search(text)
    if label:
        rest = text[label.end() :]
        names = [n.strip() for n in re.split(r"[、,，;；\n]+", rest)]
        result.categories = [n for n in names if n and display_width(n) <= 30][:5]


def _paragraphs(lines: list[str]) -> list[str]:
    """Each line is a paragraph, unless the text is wrapped at a fixed width with blank lines
    between paragraphs; then the lines of each block are joined."""
    content = [line for line in lines if line.strip()]
    if not content:
        return []
    followed = sum(1 for a, b in itertools.pairwise(lines) if a.strip() and b.strip())
    wrapped = (
        any(not line.strip() for line in lines)
        and followed >= len(content) / 2
        and max(display_width(line) for line in content) <= 100
    )
    if not wrapped:
        return [line.strip() for line in content]
    paragraphs: list[str] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            block.append(line.strip())
            continue
        if block:
            paragraphs.append(_join(block))
            block = []
    return paragraphs


def _join(lines: list[str]) -> str:
    joined = lines[0]
    for line in lines[1:]:
        # Chinese has no spaces between words, so a wrapped line joins without one.
        glue = "" if ord(joined[-1]) > 0x2E80 and ord(line[0]) > 0x2E80 else " "
        joined += glue + line
    return joined


def _heading_level(paragraph: str, current: int) -> int | None:
    """The heading level of a numbered section line, or None for a paragraph."""
    if display_width(paragraph) > _HEADING_WIDTH or paragraph.endswith(tuple("。.，,；;：:")):
        return None
    if _SUBSECTION.match(paragraph):
        return 3
    if _SECTION.match(paragraph) and not paragraph.replace(" ", "").isdigit():
        return 2
    if _POINT.match(paragraph):
        return min(current + 1, 4)
    return None


def _to_markdown(paragraphs: list[str]) -> str:
    blocks: list[str] = []
    level = 1
    for paragraph in paragraphs:
        heading = _heading_level(paragraph, level)
        if heading:
            level = heading
            blocks.append("#" * heading + " " + escape_markdown(paragraph, heading=True))
        else:
            blocks.append(escape_markdown(paragraph))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _fallback_title(paragraphs: list[str], crumb: str | None, result: Extracted) -> str | None:
    """No title line: the breadcrumb's last crumb, else the first section heading, else the
    first sentence, each reported so the user can write a better one."""
    if crumb and display_width(crumb) <= _TITLE_WIDTH and crumb.lower() not in _GENERIC_CRUMBS:
        result.notes.append(Note("title", "taken from the breadcrumb; check it"))
        return crumb
    for paragraph in paragraphs:
        for pattern in (_SECTION, _SUBSECTION):
            match = pattern.match(paragraph)
            if match and _heading_level(paragraph, 1):
                result.notes.append(
                    Note(
                        "title",
                        f"the source has no title line; used its first section heading "
                        f"{match['text']!r}: write the article's real title",
                    )
                )
                return match["text"].strip()
    if paragraphs:
        sentence = re.split(r"(?<=[。！？!?])|(?<=\.)\s", paragraphs[0])[0]
        result.notes.append(
            Note("title", "the source has no title line; used its first sentence: write a title")
        )
        return cut_to_width(sentence.rstrip("。.!！?？"), 60)
    return None
