"""URLs of published pages, independent of the site engine."""

from __future__ import annotations

import functools
import posixpath
from urllib.parse import quote


@functools.cache  # a build asks for the URL of each page many times (every link to it)
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
    relative = _relative_path("/" + target, "/" + base_dir)
    if (not target or target.endswith("/")) and not relative.endswith("/"):
        relative += "/"
    return "./" if relative in (".", "./") else relative


def _relative_path(path: str, start: str) -> str:
    """`posixpath.relpath(path, start)` for two absolute paths. Pages link each other
    thousands of times a build, and site URLs have no empty, `.` or `..` segments: the
    segments are compared as they are, which gives what `relpath` gives (it normalizes both
    paths, then drops their common segments) in less than half the time. Other paths go to
    `relpath`."""
    if "//" in path or "//" in start or "/." in path or "/." in start:
        return posixpath.relpath(path, start)
    to = path.strip("/").split("/") if path != "/" else []
    frm = start.strip("/").split("/") if start != "/" else []
    common = 0
    for mine, theirs in zip(to, frm, strict=False):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(frm) - common) + to[common:]
    return "/".join(parts) if parts else "."
