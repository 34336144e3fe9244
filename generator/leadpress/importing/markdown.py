"""Small Markdown helpers: text that must stay text, and tidying converted Markdown."""

from __future__ import annotations

import re

# Characters that would start emphasis, code, links or raw HTML inside a line.
_INLINE = re.compile(r"([\\`*_\[\]])")
# What would turn the start of a line into a heading, quote, list or rule.
_LINE_START = re.compile(r"^(\s*)(#|>|[-+*](?=\s)|\d+(?=[.)]\s)|=+\s*$|-+\s*$)")


def escape_markdown(text: str, heading: bool = False) -> str:
    """Plain text as Markdown that renders as the same text, never as markup or HTML."""
    # Python-Markdown has no backslash escape for `<`: an entity keeps a tag as text.
    text = _INLINE.sub(r"\\\1", text).replace("<", "&lt;")
    if heading:
        return text
    match = _LINE_START.match(text)
    if match:
        marker = match.group(2)
        escaped = marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker
        text = match.group(1) + escaped + text[match.end() :]
    return text


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def tidy_markdown(body: str, title: str | None) -> str:
    """Drop a first heading that repeats the title (the page shows the title as its H1),
    renumber the other headings so they start at level 2 and never skip a level, and
    collapse runs of blank lines."""
    lines = body.strip().splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and title:
        match = _HEADING.match(lines[first])
        if match and _same(match.group(2), title):
            del lines[first]
    headings: dict[int, tuple[int, str]] = {}
    in_fence = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            # `## **Heading**`: a heading is bold already.
            text = re.sub(r"^(\*\*|__)(.+)\1$", r"\2", match.group(2))
            headings[index] = (len(match.group(1)), text)
    shift = min((level for level, _ in headings.values()), default=2) - 2
    previous = 1
    for index, (level, text) in headings.items():
        level = max(2, min(level - shift, previous + 1))
        lines[index] = "#" * level + " " + text
        previous = level
    text = "\n".join(lines).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text + "\n" if text else ""


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)  # a heading that links to itself
        return re.sub(r"[\s*_`#\\]+", "", s).lower()

    return norm(a) == norm(b)
