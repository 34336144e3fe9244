"""Pre-compressed copies (`.gz`, `.br`) beside the text files of the site, for servers and
CDNs that send a stored copy instead of compressing each response.

Both are byte-reproducible: gzip without a file name or time stamp, brotli at a fixed
quality, so two builds of the same site give the same bytes.
"""

from __future__ import annotations

import gzip
import io
import posixpath
from pathlib import Path

import brotli

# Files that compress well; images and fonts are compressed already.
COMPRESSIBLE = frozenset(
    {".html", ".css", ".js", ".mjs", ".json", ".xml", ".svg", ".txt", ".map", ".webmanifest"}
)
MIN_SIZE = 1024  # bytes: below this, headers and a round trip cost more than the saving
# Served by the CDN itself, never to visitors.
NOT_SERVED = frozenset({"_headers", "_redirects"})


def gzip_bytes(data: bytes) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=out, mtime=0) as file:
        file.write(data)
    return out.getvalue()


def brotli_bytes(data: bytes) -> bytes:
    return brotli.compress(data, quality=11)


def should_compress(path: str, size: int, min_size: int = MIN_SIZE) -> bool:
    name = posixpath.basename(path)
    extension = posixpath.splitext(name)[1].lower()
    return name not in NOT_SERVED and extension in COMPRESSIBLE and size >= min_size


def precompress(site: Path, files: list[str], min_size: int = MIN_SIZE) -> list[str]:
    """Write `<file>.gz` and `<file>.br` beside each compressible file of at least
    `min_size` bytes; a copy that would not be smaller is left out. Returns what was written."""
    written = []
    for path in files:
        data = (site / path).read_bytes()
        if not should_compress(path, len(data), min_size):
            continue
        for suffix, compress in ((".gz", gzip_bytes), (".br", brotli_bytes)):
            packed = compress(data)
            if len(packed) < len(data):
                (site / (path + suffix)).write_bytes(packed)
                written.append(path + suffix)
    return written
