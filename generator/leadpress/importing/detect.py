"""What a source is, read from its content rather than its name: a WordPress export, an HTML
page (a WeChat article among them) or plain text."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from .article import SourceKind

# Files a saved page drags along, never articles themselves; skipped when walking a folder.
_ASSET_SUFFIXES = frozenset(
    [
        ".css",
        ".js",
        ".mjs",
        ".map",
        ".json",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".avif",
        ".svg",
        ".ico",
        ".bmp",
        ".tif",
        ".tiff",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".mp3",
        ".mp4",
        ".webm",
        ".mov",
        ".pdf",
        ".zip",
        ".gz",
        ".md",
        ".yml",
        ".yaml",
    ]
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w-]+)""", re.I)
_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html\b|<head\b|<body\b)", re.I | re.S
)
_TAG = re.compile(r"</?(?:p|div|span|a|h[1-6]|article|section|br|li|table|img)\b[^>]*>", re.I)


class Unreadable(Exception):
    """The source cannot be read as text at all."""


def walk(source: Path) -> Iterator[Path]:
    """The source itself, or every file under a folder (hidden files and page assets left out),
    in a stable order."""
    if not source.is_dir():
        yield source
        return
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() not in _ASSET_SUFFIXES:
            yield path


def read_text(path: Path) -> str:
    """The file's text, in the encoding it declares, else UTF-8, else GB18030 (older
    Chinese sites)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Unreadable("no such file") from None
    except IsADirectoryError:
        raise Unreadable("is a folder") from None
    except OSError as error:
        raise Unreadable(error.strerror or str(error)) from None
    if not data.strip():
        raise Unreadable("the file is empty")
    if b"\x00" in data[:8000] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Unreadable("a binary file, not text, HTML or a WordPress export")
    declared = _CHARSET.search(data[:4000]) or _XML_ENCODING.search(data[:400])
    encodings = ["utf-8-sig"]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif declared:
        encodings.insert(0, declared.group(1).decode("ascii").lower())
    encodings.append("gb18030")
    for encoding in encodings:
        try:
            return data.decode("gb18030" if encoding in ("gb2312", "gbk") else encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise Unreadable("not text in UTF-8 or a Chinese encoding")


def detect_kind(text: str) -> SourceKind:
    from .html import is_wechat
    from .wxr import is_wxr

    if is_wxr(text):
        return "wxr"
    if _HTML_START.match(text) or len(_TAG.findall(text[:20000])) >= 3:
        return "wechat" if is_wechat(text) else "html"
    return "text"
