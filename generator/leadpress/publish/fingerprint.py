"""Content hashes in the names of the site's own assets, and every reference rewritten.

A file is renamed `name.<hash>.ext` when it is under `assets/`, is a stylesheet, script,
image or font, has no hash in its name yet, and pages or stylesheets refer to it by a
relative or root-relative URL. It keeps its name when anything in the site refers to it by
its absolute URL: a social card in `og:image`, the logo in JSON-LD, an image in a feed
entry or the sitemap. Those URLs are copied and cached outside the site (by social
networks, search engines, feed readers) and must keep working after the next deploy, when a
fingerprinted old name would be gone. Files the caller marks as kept (the theme's own, which
its scripts load by computed URLs) and files nothing refers to keep theirs too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from ..buildcache import write_atomically
from .names import fingerprinted_name, is_fingerprinted
from .references import (
    Rewrite,
    css_references,
    html_references,
    renamed_url,
    rewrite_css,
    site_path,
)

ASSET_EXTENSIONS = frozenset(
    {
        ".css", ".js", ".mjs", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif",
        ".ico", ".woff", ".woff2", ".ttf", ".otf",
    }
)  # fmt: skip
# Outputs that may name a file by its absolute URL.
TEXT_EXTENSIONS = frozenset(
    {".html", ".xml", ".json", ".txt", ".css", ".js", ".webmanifest", ".csv", ".svg"}
)
MANIFEST_NAMES = ("manifest.webmanifest", "site.webmanifest", "manifest.json")


class FingerprintError(Exception):
    pass


@dataclass
class Fingerprints:
    renamed: dict[str, str] = field(default_factory=dict)  # old path -> new path
    public: list[str] = field(default_factory=list)  # kept: named by an absolute URL


def site_files(site: Path) -> list[str]:
    """Every file of the built site as a `/`-separated path, in a stable order."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def is_manifest(path: str) -> bool:
    name = posixpath.basename(path)
    return name.endswith(".webmanifest") or name in MANIFEST_NAMES


def rewriter(renamed: Mapping[str, str], from_path: str, base_path: str) -> Rewrite:
    """Rewrites URLs written in `from_path` that point at a renamed file."""

    def rewrite(url: str) -> str | None:
        target = site_path(url, from_path, base_path)
        new = renamed.get(target) if target else None
        return renamed_url(url, posixpath.basename(new)) if new else None

    return rewrite


def absolute_references(texts: Iterable[str], site_url: str) -> set[str]:
    """Site files named by an absolute URL (site_url + path) anywhere in these texts."""
    if "://" not in site_url:  # no site_url: the site has no absolute URLs of its own
        return set()
    pattern = re.compile(re.escape(site_url) + r"""([^\s"'<>()\\]*)""")
    found: set[str] = set()
    for text in texts:
        for match in pattern.finditer(text):
            path = unquote(match.group(1).split("?", 1)[0].split("#", 1)[0])
            found.add(posixpath.normpath(path) if path else "")
    return found


def fingerprint_site(
    site: Path, site_url: str, keep: Callable[[str], bool] = lambda path: False
) -> Fingerprints:
    """Rename the site's own assets by content and rewrite CSS that refers to them.

    Pages and manifests are not rewritten here: the caller passes each page through
    `rewriter(result.renamed, ...)` while it reads it anyway (to minify it), so every page
    is read and written once.
    """
    base_path = "/" + site_url.split("://", 1)[-1].partition("/")[2]
    base_path = base_path if base_path.endswith("/") else base_path + "/"
    files = site_files(site)
    texts = {
        path: (site / path).read_text(encoding="utf-8", errors="replace")
        for path in files
        if posixpath.splitext(path)[1].lower() in TEXT_EXTENSIONS or is_manifest(path)
    }
    public = absolute_references(texts.values(), site_url)
    candidates = {
        path
        for path in files
        if path.startswith("assets/")
        and posixpath.splitext(path)[1].lower() in ASSET_EXTENSIONS
        and not is_fingerprinted(path)
        and not keep(path)
    }
    referenced: set[str] = set()
    css_refs: dict[str, set[str]] = {}
    for path, text in texts.items():
        if path.endswith(".html"):
            urls = html_references(text)
        elif path.endswith(".css"):
            urls = css_references(text)
        else:
            continue
        targets = {site_path(url, path, base_path) for url in urls} - {None}
        referenced |= targets  # type: ignore[arg-type]
        if path.endswith(".css"):
            css_refs[path] = {t for t in targets if t in candidates}  # type: ignore[misc]
    result = Fingerprints(public=sorted(candidates & public))
    chosen = sorted((candidates & referenced) - public)

    visiting: set[str] = set()

    def rename(path: str) -> str:
        if path in result.renamed:
            return result.renamed[path]
        if path in visiting:
            raise FingerprintError(f"{path}: stylesheets import each other in a loop")
        visiting.add(path)
        data = (site / path).read_bytes()
        if path.endswith(".css"):
            for dependency in sorted(css_refs.get(path, ())):
                if dependency in chosen:
                    rename(dependency)
            text = rewrite_css(data.decode("utf-8"), rewriter(result.renamed, path, base_path))
            data = text.encode("utf-8")
        new = fingerprinted_name(path, data)
        (site / new).write_bytes(data)
        (site / path).unlink()
        result.renamed[path] = new
        return new

    for path in chosen:
        rename(path)
    # Stylesheets that keep their names may still point at renamed files.
    for path in texts:
        if path.endswith(".css") and path not in result.renamed and (site / path).is_file():
            text = texts[path]
            new_text = rewrite_css(text, rewriter(result.renamed, path, base_path))
            if new_text != text:
                write_atomically(site / path, new_text.encode("utf-8"))
    return result
