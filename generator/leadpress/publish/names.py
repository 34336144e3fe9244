"""What a fingerprinted file name is: the one definition that publishing (which makes such
names) and deploying (which caches them for a year) share."""

from __future__ import annotations

import hashlib
import posixpath
import re

# A content hash between dots: main.57a0d79d.min.css, card.3f2a9c1b.png. At least one digit,
# so an ordinary hex-letter word between dots ("facade") is not mistaken for one.
FINGERPRINT = re.compile(r"\.(?=[0-9a-f]*[0-9])[0-9a-f]{8,}\.", re.IGNORECASE)
HASH_LENGTH = 8  # as Material's own bundles: enough to tell a site's versions apart


def is_fingerprinted(name: str) -> bool:
    """Whether a file name (or path) carries a content hash, so its content never changes."""
    return bool(FINGERPRINT.search(posixpath.basename(name)))


def content_hash(data: bytes) -> str:
    """The hash that goes into a name: the first 8 hex digits of the SHA-256, longer only
    when those 8 happen to be letters, so that the name always reads as fingerprinted."""
    digest = hashlib.sha256(data).hexdigest()
    length = HASH_LENGTH
    while not any(character.isdigit() for character in digest[:length]):
        length += 1
    return digest[:length]


def fingerprinted_name(path: str, data: bytes) -> str:
    """`assets/brand/brand.css` -> `assets/brand/brand.1f2e3d4c.css`: same folder, the hash
    before the extension, so the type of the file is still read from its name."""
    folder, name = posixpath.split(path)
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:  # no extension (or a dot file): the hash goes at the end
        stem, extension = name, ""
    renamed = f"{stem}.{content_hash(data)}" + (f".{extension}" if extension else "")
    return posixpath.join(folder, renamed) if folder else renamed
