"""Readable, URL-safe slugs; Chinese titles become pinyin by default."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Literal

from ..buildcache.memo import remembered
from .pinyin import ask_ahead, syllables

SlugStyle = Literal["pinyin", "unicode"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_SLUG = re.compile(r"[^\w]+", re.UNICODE)
# Letters that NFKD does not split into a base letter and an accent.
_LATIN_FOLDS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "ł": "l",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "Ø": "o",
        "Ł": "l",
        "Æ": "ae",
        "Œ": "oe",
        "Đ": "d",
        "Ð": "d",
        "Þ": "th",
    }
)
# Lowercase letters and digits of any script, in words joined by single dashes.
SLUG_PATTERN = re.compile(r"^[^\W_]+(?:-[^\W_]+)*$")


@remembered("slugs")
def slugify(text: str, style: SlugStyle = "pinyin", max_length: int = 80) -> str:
    """Make a slug: lowercase words joined by dashes.

    With `pinyin`, each Chinese character becomes its toneless pinyin syllable
    (`客户关系管理` -> `ke-hu-guan-xi-guan-li`); with `unicode`, Chinese is kept as is.
    Latin letters lose their accents either way. The result is cut at a word boundary.
    """
    if style == "pinyin" and _HAN.search(text):
        text = " ".join(syllables(text))
    text = unicodedata.normalize("NFKD", text.translate(_LATIN_FOLDS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    words = [w for w in _NOT_SLUG.split(text.lower().replace("_", " ")) if w]
    if style == "pinyin":
        words = [w.encode("ascii", "ignore").decode() for w in words]
        words = [w for w in words if w]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length and slug:
            break
        slug = candidate[:max_length]
    return slug


def slugify_ahead(texts: Iterable[str], style: SlugStyle = "pinyin") -> None:
    """Before making the slugs of many texts: fetch the pinyin of the Chinese ones at once."""
    if style == "pinyin":
        ask_ahead(text for text in texts if _HAN.search(text))


def is_valid_slug(slug: str) -> bool:
    return slug == slug.lower() and bool(SLUG_PATTERN.match(slug))
