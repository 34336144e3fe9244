"""Reading time for mixed Chinese and Latin text."""

from __future__ import annotations

import math
import re

from ..buildcache.memo import remembered, text_key

CJK_CHARS_PER_MINUTE = 400
LATIN_WORDS_PER_MINUTE = 230

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['’.-][A-Za-z0-9\u00c0-\u024f]+)*")
_MARKUP = re.compile(
    r"```.*?```|~~~.*?~~~"  # fenced code is skimmed, not read
    r"|<[^>]+>"  # HTML tags
    r"|!\[[^\]]*\]\([^)]*\)"  # images
    r"|\]\([^)]*\)",  # link targets (the link text stays)
    re.DOTALL,
)


def count_words(text: str) -> tuple[int, int]:
    """Return (CJK characters, Latin words) of Markdown or plain text."""
    text, cjk = _CJK.subn(" ", _MARKUP.sub(" ", text))
    return cjk, len(_LATIN_WORD.findall(text))


@remembered("reading-minutes", key=text_key)
def reading_minutes(text: str) -> int:
    """Minutes to read `text`: CJK at ~400 characters and Latin at ~230 words a minute."""
    cjk, latin = count_words(text)
    minutes = cjk / CJK_CHARS_PER_MINUTE + latin / LATIN_WORDS_PER_MINUTE
    return max(1, math.ceil(minutes))


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


def guess_language(text: str) -> str | None:
    """`zh`, `ja` or `ko` from the script of `text`; None when it has no CJK script."""
    if _HANGUL.search(text):
        return "ko"
    if _KANA.search(text):
        return "ja"
    if _HAN.search(text):
        return "zh"
    return None
