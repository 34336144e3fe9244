"""What a deploy has to do: the built files, the bucket's objects, and the difference.

Keys here are relative to the site folder and to the destination prefix (`blog/index.html`),
with `/` separators, so a plan reads the same on every machine and for every prefix.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import unicodedata
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..publish.names import is_fingerprinted

# Cache-Control values. Fingerprinted files never change under their name; pages must be
# re-checked on every visit so a deploy shows at once; the rest may be a few minutes stale.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"
SHORT = "public, max-age=300"

# Upload phases: assets first, then the pages that use them, then the feeds and sitemaps
# that list the pages, so no published file points at one that is not there yet.
ASSETS, PAGES, INDEXES = 0, 1, 2

TEXT = "text/plain; charset=utf-8"
XML = "application/xml"


@dataclass(frozen=True)
class Rule:
    content_type: str
    cache_control: str = SHORT
    phase: int = ASSETS


# By file name first (feeds and CDN config files have generic extensions), then by extension.
RULES_BY_NAME: dict[str, Rule] = {
    "feed.xml": Rule("application/rss+xml", phase=INDEXES),
    "atom.xml": Rule("application/atom+xml", phase=INDEXES),
    "_redirects": Rule(TEXT),
    "_headers": Rule(TEXT),
}
RULES_BY_EXTENSION: dict[str, Rule] = {
    ".html": Rule("text/html; charset=utf-8", REVALIDATE, PAGES),
    ".htm": Rule("text/html; charset=utf-8", REVALIDATE, PAGES),
    ".xml": Rule(XML, phase=INDEXES),  # sitemap.xml, sitemap-N.xml
    ".css": Rule("text/css; charset=utf-8"),
    ".js": Rule("text/javascript; charset=utf-8"),
    ".mjs": Rule("text/javascript; charset=utf-8"),
    ".json": Rule("application/json"),
    ".map": Rule("application/json"),
    ".webmanifest": Rule("application/manifest+json"),
    ".txt": Rule(TEXT),
    ".svg": Rule("image/svg+xml"),
    ".png": Rule("image/png"),
    ".jpg": Rule("image/jpeg"),
    ".jpeg": Rule("image/jpeg"),
    ".gif": Rule("image/gif"),
    ".webp": Rule("image/webp"),
    ".avif": Rule("image/avif"),
    ".ico": Rule("image/x-icon"),
    ".woff2": Rule("font/woff2"),
    ".woff": Rule("font/woff"),
    ".ttf": Rule("font/ttf"),
    ".pdf": Rule("application/pdf"),
    # Compressed files that are not copies of a known type (a tarball a page links to): served
    # as they are, without Content-Encoding, so the visitor gets them still compressed.
    ".gz": Rule("application/gzip"),
    ".br": Rule("application/octet-stream"),
}
# Pre-compressed copies (`main.css.gz`) are served with the original's type.
ENCODINGS = {".gz": "gzip", ".br": "br"}
# Folder metadata that desktop file managers drop into the site folder.
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class Headers:
    content_type: str
    cache_control: str
    content_encoding: str | None = None
    phase: int = ASSETS


def _rule(name: str) -> Rule | None:
    if name in RULES_BY_NAME:
        return RULES_BY_NAME[name]
    suffix = Path(name).suffix.lower()
    if suffix in RULES_BY_EXTENSION:
        return RULES_BY_EXTENSION[suffix]
    return None


def headers_for(key: str) -> Headers:
    """Content-Type, Content-Encoding, Cache-Control and upload phase of one key."""
    name = key.rsplit("/", 1)[-1]
    stem, suffix = os.path.splitext(name)
    rule, encoding = _rule(name), None
    if suffix.lower() in ENCODINGS and (original := _rule(stem)) is not None:
        rule, encoding, name = original, ENCODINGS[suffix.lower()], stem
    if rule is None:
        guessed, compressed = mimetypes.guess_type(name, strict=False)
        rule = Rule(guessed if guessed and not compressed else "application/octet-stream")
    cache = rule.cache_control
    if cache == SHORT and is_fingerprinted(name):
        cache = IMMUTABLE
    return Headers(rule.content_type, cache, encoding, rule.phase)


@dataclass(frozen=True)
class LocalFile:
    path: Path
    md5: str
    sha256: str
    size: int
    content_type: str
    cache_control: str
    content_encoding: str | None = None
    phase: int = ASSETS


@dataclass(frozen=True)
class RemoteObject:
    etag: str  # without quotes; the MD5 of the content only for single-part, unencrypted uploads
    size: int
    sha256: str | None = None  # from x-amz-meta-sha256, when it was read


@dataclass(frozen=True)
class Plan:
    uploads: tuple[str, ...]  # in upload order: by phase, then by key
    unchanged: tuple[str, ...]
    deletions: tuple[str, ...]

    @property
    def changes(self) -> int:
        return len(self.uploads) + len(self.deletions)


def _hashes(path: Path) -> tuple[str, str, int]:
    md5, sha256, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return md5.hexdigest(), sha256.hexdigest(), size


def site_key(site_dir: Path, path: Path) -> str:
    # NFC: macOS writes decomposed names, but browsers request composed ones (银行, café).
    return unicodedata.normalize("NFC", path.relative_to(site_dir).as_posix())


def local_files(site_dir: Path) -> dict[str, LocalFile]:
    """Every file of the built site by key, with its hashes and the headers it is served with."""
    found: dict[str, LocalFile] = {}
    for path in sorted(site_dir.rglob("*")):
        if not path.is_file() or path.name in IGNORED_NAMES:
            continue
        key = site_key(site_dir, path)
        md5, sha256, size = _hashes(path)
        headers = headers_for(key)
        found[key] = LocalFile(
            path=path,
            md5=md5,
            sha256=sha256,
            size=size,
            content_type=headers.content_type,
            cache_control=headers.cache_control,
            content_encoding=headers.content_encoding,
            phase=headers.phase,
        )
    return dict(sorted(found.items()))


def _settled_by_listing(remote: RemoteObject, local: LocalFile | None) -> bool:
    """Whether the listing alone decides if the object matches the local file."""
    if local is None:
        return True  # about to be deleted: its hash does not matter
    return remote.size != local.size or remote.etag == local.md5


def remote_objects(
    client: Any,
    bucket: str,
    prefix: str,
    *,
    compare_with: Mapping[str, LocalFile] | None = None,
    workers: int = 8,
) -> dict[str, RemoteObject]:
    """The objects under `prefix`, by key relative to it.

    A listing has no metadata, so objects are HEADed for x-amz-meta-sha256 only when their
    ETag cannot settle the comparison: with `compare_with`, when the size matches but the
    ETag is not the local MD5 (a multipart upload, or an encrypted bucket); without it, when
    the ETag is a multipart one.
    """
    found: dict[str, RemoteObject] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"][len(prefix) :]
            if not key or key.endswith("/"):
                continue  # the prefix itself, or a console-made "folder" marker
            found[key] = RemoteObject(etag=item["ETag"].strip('"'), size=item["Size"])

    def needs_head(key: str) -> bool:
        if compare_with is None:
            return "-" in found[key].etag
        return not _settled_by_listing(found[key], compare_with.get(key))

    def head(key: str) -> tuple[str, RemoteObject]:
        metadata = client.head_object(Bucket=bucket, Key=prefix + key).get("Metadata", {})
        return key, RemoteObject(found[key].etag, found[key].size, metadata.get("sha256"))

    unsettled = [key for key in found if needs_head(key)]
    if unsettled:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            found.update(pool.map(head, unsettled))
    return dict(sorted(found.items()))


def is_same(local: LocalFile, remote: RemoteObject) -> bool:
    if remote.size != local.size:
        return False
    if remote.sha256 is not None:
        return remote.sha256 == local.sha256
    return remote.etag == local.md5


def make_plan(
    local: Mapping[str, LocalFile], remote: Mapping[str, RemoteObject], *, delete: bool = True
) -> Plan:
    """Upload what is new or changed, keep what is equal, delete what the site no longer has."""
    changed = {key for key in local if key not in remote or not is_same(local[key], remote[key])}
    unchanged = sorted(key for key in local if key not in changed)
    deletions = sorted(key for key in remote if key not in local) if delete else []
    return Plan(
        uploads=tuple(sorted(changed, key=lambda key: (local[key].phase, key))),
        unchanged=tuple(unchanged),
        deletions=tuple(deletions),
    )
