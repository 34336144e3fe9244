"""The `_headers` file (Netlify, Cloudflare Pages): security headers with a Content-Security-
Policy that names the site's inline scripts by hash, and Cache-Control per path."""

from __future__ import annotations

import base64
import hashlib
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from .minify import INLINE_SCRIPT, has_src, is_executable
from .names import is_fingerprinted

HEADERS = "_headers"
# Cache-Control: fingerprinted files never change under their name; everything else is
# checked again on every use (a cheap 304 with the CDN's ETag), so a deploy shows at once.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"
# Cloudflare Pages reads at most this many characters of a header line, and 100 rules.
MAX_LINE = 2000
MAX_RULES = 100
NOT_SERVED = frozenset({"_headers", "_redirects"})

CSP_DIRECTIVES = (
    "default-src",
    "script-src",
    "style-src",
    "img-src",
    "font-src",
    "connect-src",
    "media-src",
    "frame-src",
    "worker-src",
    "manifest-src",
    "form-action",
    "frame-ancestors",
    "base-uri",
    "object-src",
)
SECURITY_HEADERS = (
    # Other sites (a CRM, an ad network, a partner) learn our origin but never a page's path
    # or query, which can carry a visitor's campaign codes. Our own pages still see the full
    # previous URL in document.referrer, which the form script's attribution reads, and form
    # posts keep their Origin header, which the lead service checks (`no-referrer` would
    # send `Origin: null` with a plain form post and the service would refuse the lead).
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    (
        "Permissions-Policy",
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()",
    ),
)


def script_hash(body: str) -> str:
    """The CSP source that allows an inline script with exactly this text."""
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def inline_scripts(html: str, data_blocks: bool = False) -> list[str]:
    """The text of every inline script of a page that a browser runs; with `data_blocks`,
    also JSON-LD and other data. Browsers never run data blocks, so CSP does not apply to
    them and they need no hash."""
    found = []
    for match in INLINE_SCRIPT.finditer(html):
        attributes, body = match.group(2), match.group(3)
        if not has_src(attributes) and (data_blocks or is_executable(attributes)):
            found.append(body)
    return found


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(
    script_hashes: Iterable[str],
    service_origins: Sequence[str] = (),
    image_origins: Sequence[str] = (),
    extra: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """A policy that lets the site run only its own scripts (files, and inline ones by hash),
    post forms and send submissions only to itself and the lead service, and never be framed."""
    sources: dict[str, list[str]] = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *sorted(set(script_hashes))],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *image_origins],
        "connect-src": ["'self'", *service_origins],
        "form-action": ["'self'", *service_origins],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
    for directive, values in (extra or {}).items():
        sources.setdefault(directive, ["'self'"])
        sources[directive] += [value for value in values if value not in sources[directive]]
    ordered = [d for d in CSP_DIRECTIVES if d in sources]
    return "; ".join(f"{d} {' '.join(dict.fromkeys(sources[d]))}" for d in ordered)


def _page_urls(path: str, base: str) -> list[str]:
    """The URLs that serve a file: a folder's index.html is also served at the folder."""
    urls = [base + path]
    if posixpath.basename(path) == "index.html":
        urls.insert(0, base + path[: -len("index.html")])
    return urls


def cache_rules(files: Iterable[str], base: str = "/") -> list[tuple[str, str]]:
    """(URL pattern, Cache-Control) pairs that give every file exactly one value.

    No two patterns match one file: Cloudflare Pages joins the values of every matching rule
    with commas, and `max-age=0, …, max-age=31536000` means nothing sensible. A folder whose
    files all get the same value gets one `/folder/*` rule; a mixed folder lists its own files
    and looks into its subfolders, so the number of rules follows the folders, not the pages.
    """
    served = sorted(f for f in files if posixpath.basename(f) not in NOT_SERVED)
    value = {f: IMMUTABLE if is_fingerprinted(f) else REVALIDATE for f in served}
    rules: list[tuple[str, str]] = []

    def visit(prefix: str, paths: list[str]) -> None:
        values = {value[p] for p in paths}
        if len(values) == 1:
            rules.append((base + prefix + "*", values.pop()))
            return
        folders: dict[str, list[str]] = {}
        for path in paths:
            rest = path[len(prefix) :]
            if "/" in rest:
                folders.setdefault(rest.split("/", 1)[0], []).append(path)
            else:
                rules.extend((url, value[path]) for url in _page_urls(path, base))
        for folder in sorted(folders):
            visit(prefix + folder + "/", folders[folder])

    if served:
        visit("", served)
    return rules


def headers_text(csp: str, rules: Sequence[tuple[str, str]], own: str | None = None) -> str:
    """The `_headers` file: the site's own rules first, as written, then Leadpress's."""
    lines = []
    if own and own.strip():
        lines += [*own.rstrip("\n").splitlines(), ""]
    lines += [
        "# Written by Leadpress (leadpress/publish). Referrer-Policy strict-origin-when-",
        "# cross-origin keeps attribution: our pages see the full previous URL, other sites",
        "# only our origin, and form posts keep the Origin header the lead service checks.",
        "/*",
        f"  Content-Security-Policy: {csp}",
        *(f"  {name}: {value}" for name, value in SECURITY_HEADERS),
    ]
    for pattern, value in rules:
        lines += [pattern, f"  Cache-Control: {value}"]
    return "\n".join(lines) + "\n"
