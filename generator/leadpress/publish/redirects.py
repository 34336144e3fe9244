"""The one `_redirects` file (Netlify, Cloudflare Pages) of a site.

Rules come from the site's own `content/_redirects` first (a CDN applies the first rule
that matches, so the site's hand-written rules win), then from each contributor (the
campaigns' short links, and any other part of Leadpress that moves URLs), in the order of
the contributors' names, so the file is the same whatever the order of `plugins:`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

REDIRECTS = "_redirects"


def redirects_text(own: str | None, contributed: Mapping[str, Sequence[str]]) -> str:
    """The file's text: the site's own lines, then each contributor's, one rule a line."""
    lines = [line for line in (own or "").splitlines()]
    while lines and not lines[-1].strip():
        lines.pop()
    for name in sorted(contributed):
        lines += [line for line in contributed[name] if line.strip()]
    return "\n".join(lines) + "\n" if lines else ""


def duplicate_sources(text: str) -> list[str]:
    """Source paths that more than one rule redirects: only the first of them ever applies."""
    seen: set[str] = set()
    duplicates: list[str] = []
    for line in text.splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if fields[0] in seen and fields[0] not in duplicates:
            duplicates.append(fields[0])
        seen.add(fields[0])
    return duplicates


def write_redirects(
    site: Path, own_file: Path | None, contributed: Mapping[str, Iterable[str]]
) -> str:
    """Write (or remove, when there is no rule) `site/_redirects`; returns its text."""
    own = own_file.read_text(encoding="utf-8") if own_file and own_file.is_file() else None
    text = redirects_text(own, {name: list(lines) for name, lines in contributed.items()})
    target = site / REDIRECTS
    if text:
        target.write_text(text, encoding="utf-8")
    elif target.exists():
        target.unlink()
    return text
