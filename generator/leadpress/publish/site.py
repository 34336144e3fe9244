"""The publishing steps over a built site, in the order that keeps every hash true:
minify stylesheets and scripts, fingerprint assets (hash of the final bytes), rewrite and
minify pages (collecting the hashes of their final inline scripts), pre-compress what is
served, and last write `_headers`, whose Cache-Control rules then cover the copies too."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..buildcache import write_atomically
from .compress import MIN_SIZE, precompress
from .fingerprint import (
    Fingerprints,
    fingerprint_site,
    is_manifest,
    rewriter,
    site_files,
)
from .headers import (
    HEADERS,
    MAX_LINE,
    MAX_RULES,
    cache_rules,
    content_security_policy,
    headers_text,
    inline_scripts,
    origin,
    script_hash,
)
from .minify import minify_css, minify_js, minify_page
from .names import is_fingerprinted
from .references import image_urls, rewrite_html, rewrite_manifest

MINIFIED_FILES = {".css": minify_css, ".js": minify_js}


@dataclass(frozen=True)
class PublishSettings:
    site_url: str
    minify: bool = True
    fingerprint: bool = True
    precompress: bool = False
    headers: bool = True
    # Files whose names and bytes stay as they are (the theme's own, which its scripts load
    # by URLs computed at run time).
    keep: Callable[[str], bool] = lambda path: False
    service_urls: Sequence[str] = ()  # the lead service: forms post and send there
    csp_extra: Mapping[str, Sequence[str]] = field(default_factory=dict)
    csp_hash_data_blocks: bool = False
    own_headers: str | None = None  # the site's own content/_headers
    precompress_min_size: int = MIN_SIZE


@dataclass
class PublishReport:
    pages: int = 0
    page_bytes_before: int = 0
    page_bytes_after: int = 0
    fingerprints: Fingerprints = field(default_factory=Fingerprints)
    script_hashes: int = 0
    header_rules: int = 0
    compressed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.page_bytes_before:
            saved = 1 - self.page_bytes_after / self.page_bytes_before
            parts.append(f"{self.pages} pages minified ({saved:.0%} smaller)")
        if self.fingerprints.renamed:
            parts.append(f"{len(self.fingerprints.renamed)} assets fingerprinted")
        if self.header_rules:
            parts.append(
                f"_headers with {self.script_hashes} inline-script hashes and "
                f"{self.header_rules} rules"
            )
        if self.compressed:
            parts.append(f"{len(self.compressed)} pre-compressed copies")
        return "Publish: " + (", ".join(parts) or "nothing to do")


def _base_path(site_url: str) -> str:
    path = "/" + site_url.split("://", 1)[-1].partition("/")[2]
    return path if path.endswith("/") else path + "/"


def _image_origins(html: str, own: str) -> set[str]:
    """Origins of images a page loads from other hosts (its content chose them)."""
    return {host for url in image_urls(html) if (host := origin(url)) and host != own}


class PublishError(Exception):
    pass


def _read(file: Path, site: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        shown = file.relative_to(site).as_posix()
        raise PublishError(
            f"{shown}: is not UTF-8 text, so it cannot be minified or its references "
            "rewritten; save its source as UTF-8"
        ) from None


def _replace_text(file: Path, text: str) -> None:
    """A new file in place of the old: a page the build cache hard-linked into the site
    must not change in the cache too."""
    write_atomically(file, text.encode("utf-8"))


def publish_site(site: Path, settings: PublishSettings) -> PublishReport:
    report = PublishReport()
    base = _base_path(settings.site_url)
    own_origin = origin(settings.site_url)
    if settings.minify:
        for path in site_files(site):
            extension = posixpath.splitext(path)[1].lower()
            minify = MINIFIED_FILES.get(extension)
            # Already minified or content-hashed files are left byte for byte.
            if minify is None or ".min." in path or is_fingerprinted(path) or settings.keep(path):
                continue
            file = site / path
            _replace_text(file, minify(_read(file, site)))
    if settings.fingerprint:
        report.fingerprints = fingerprint_site(site, settings.site_url, settings.keep)
    renamed = report.fingerprints.renamed
    hashes: set[str] = set()
    image_origins: set[str] = set()
    for path in site_files(site):
        file = site / path
        if path.endswith(".html"):
            text = _read(file, site)
            new = rewrite_html(text, rewriter(renamed, path, base)) if renamed else text
            if settings.minify:
                new = minify_page(new)
                report.pages += 1
                report.page_bytes_before += len(text.encode("utf-8"))
                report.page_bytes_after += len(new.encode("utf-8"))
            if new != text:
                _replace_text(file, new)
            hashes.update(map(script_hash, inline_scripts(new, settings.csp_hash_data_blocks)))
            image_origins |= _image_origins(new, own_origin)
        elif renamed and is_manifest(path):
            text = _read(file, site)
            new = rewrite_manifest(text, rewriter(renamed, path, base))
            if new != text:
                _replace_text(file, new)
    report.script_hashes = len(hashes)
    if settings.precompress:
        report.compressed = precompress(site, site_files(site), settings.precompress_min_size)
    if settings.headers:
        services = sorted({origin(url) for url in settings.service_urls} - {"", own_origin})
        csp = content_security_policy(hashes, services, sorted(image_origins), settings.csp_extra)
        rules = cache_rules(site_files(site), base)
        (site / HEADERS).write_text(
            headers_text(csp, rules, settings.own_headers), encoding="utf-8"
        )
        report.header_rules = len(rules) + 1
        if len("  Content-Security-Policy: " + csp) > MAX_LINE:
            report.warnings.append(
                f"_headers: the Content-Security-Policy is {len(csp)} characters; Cloudflare "
                f"Pages reads at most {MAX_LINE} per line. Fewer distinct inline scripts "
                "(or `csp_hash_data_blocks: false`) make it shorter."
            )
        if report.header_rules > MAX_RULES:
            report.warnings.append(
                f"_headers has {report.header_rules} rules; Cloudflare Pages reads at most "
                f"{MAX_RULES}. Keep fingerprinted and other files in separate folders."
            )
    return report
