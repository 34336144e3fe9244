"""URLs of published pages, independent of the site engine."""

from __future__ import annotations

import posixpath
from urllib.parse import quote


def url_of(uri: str, directory_urls: bool = True) -> str:
    """Site-relative URL of a docs-relative Markdown path (`articles/x/index.md`: `articles/x/`)."""
    stem, _ = posixpath.splitext(uri)
    parent, name = posixpath.split(stem)
    if name in ("index", "README"):
        path = f"{parent}/" if parent else ""
        if not directory_urls:
            path += "index.html"
    else:
        path = f"{stem}/" if directory_urls else f"{stem}.html"
    return quote(path)


def relative_url(target: str, base: str) -> str:
    """Link from the page at site-relative URL `base` to `target`; works under any prefix."""
    base_dir = base if base.endswith("/") or not base else posixpath.dirname(base) + "/"
    target_path = "/" + target
    relative = posixpath.relpath(target_path, "/" + base_dir)
    if (not target or target.endswith("/")) and not relative.endswith("/"):
        relative += "/"
    return "./" if relative in (".", "./") else relative
