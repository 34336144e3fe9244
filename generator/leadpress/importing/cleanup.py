"""Text repairs shared by every kind of source: pinyin a converter inserted, traditional
characters, and the page furniture that survives as whole lines of text."""

from __future__ import annotations

import functools
import re
import unicodedata

from ..content.readtime import count_words
from .article import Note

_TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_SYLLABLE_CHARS = f"a-zü{_TONE_MARKS}ê"
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
# `營銷(yíng xiāo)`; a converter that lost the opening bracket left `?yíng)` instead.
_PINYIN_INSERTION = re.compile(
    rf"(?<={_HAN})(?:[(（]|\?)([{_SYLLABLE_CHARS}]+(?:\s+[{_SYLLABLE_CHARS}]+)*)[)）]"
)


@functools.cache
def _syllables() -> frozenset[str]:
    """Every pinyin syllable with its tone marks, from pypinyin's character dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict

    found: set[str] = set()
    for readings in pinyin_dict.values():
        found.update(unicodedata.normalize("NFC", r) for r in readings.split(","))
    return frozenset(found)


def _is_pinyin(inside: str) -> bool:
    """True when the bracket holds only pinyin syllables, at least one with a tone mark,
    so that `方案(a)` or `(IM)` are never taken for pinyin."""
    tokens = unicodedata.normalize("NFC", inside).split()
    return (
        bool(tokens)
        and all(token in _syllables() for token in tokens)
        and any(ch in _TONE_MARKS for ch in inside)
    )


def remove_pinyin_insertions(text: str) -> tuple[str, int]:
    """Drop the pinyin a converter put in brackets after characters: `營銷(yíng xiāo)` ->
    `營銷`. Returns the text and how many insertions were removed."""
    removed = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal removed
        if not _is_pinyin(match.group(1)):
            return match.group(0)
        removed += 1
        return ""

    return _PINYIN_INSERTION.sub(replace, text), removed


def lost_characters(text: str) -> int:
    """Question marks that stand for characters an encoding lost: a run of them, or one
    between a Chinese character and a digit (`钉钉?00万`). A single `?` before a Chinese
    character is an ordinary question mark in text typed with ASCII punctuation."""
    return len(re.findall(rf"\?{{2,}}|(?<={_HAN})\?(?=\d)", text))


def pinyin_note(removed: int) -> Note:
    plural = "insertion" if removed == 1 else "insertions"
    return Note("body", f"removed {removed} pinyin {plural} such as `營銷(yíng xiāo)`")


@functools.cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters and phrases to simplified (OpenCC, `t2s`)."""
    return _converter().convert(text)


def looks_traditional(text: str) -> bool:
    """True when a sizeable share of the Chinese characters change in simplified script."""
    han = re.findall(_HAN, text)
    if len(han) < 20:
        return False
    changed = sum(
        a != b for a, b in zip(text, to_simplified(text), strict=False) if re.match(_HAN, a)
    )
    return changed / len(han) > 0.05


def detect_language(text: str) -> str:
    """`zh` when Chinese characters outweigh Latin words, else `en`."""
    cjk, latin = count_words(text)
    return "zh" if cjk and cjk >= latin else "en"


# Furniture lines are made only of these tokens: counters with their number (`阅读(3116)`),
# the blog's action links, and at most one short name before them (`阿蜜果 阅读(3116)`).
_COUNTER_TOKEN = re.compile(
    r"^(?:阅读|閱讀|浏览|瀏覽|评论|評論|点赞|點贊|赞|讚|收藏|转发|轉發|分享|阅读数|浏览量"
    r"|views?|comments?|likes?|shares?)\s*[(（:：]?\s*\d+\s*[)）]?$",
    re.IGNORECASE,
)
_ACTION_TOKEN = re.compile(
    r"^(?:编辑|編輯|收藏|举报|舉報|打赏|打賞|分享|点赞|點贊|所属分类|所屬分類|分类|分類)[:：]?$"
)
_FURNITURE_LINE = re.compile(
    r"^(?:"
    r"(?:分享到|分享至|share(?: this)?(?: on)?)\s*[:：].{0,40}|(?:分享到|分享至|share this)"
    r"|(?:阅读全文|閱讀全文|阅读原文|閱讀原文|查看原文|read more|continue reading)\s*[>»›→.…]*"
    r"|(?:上一篇|下一篇|previous post|next post)\s*[:：].{0,80}"
    r"|(?:返回顶部|返回首頁|返回首页|back to top)"
    r")$",
    re.IGNORECASE,
)


def is_furniture_line(line: str) -> bool:
    """True for a line of counters and action links, a share prompt or a read-more link."""
    line = line.strip()
    if _FURNITURE_LINE.match(line):
        return True
    tokens = line.split()
    if not tokens:
        return False
    kinds = [
        "counter" if _COUNTER_TOKEN.match(t) else "action" if _ACTION_TOKEN.match(t) else ""
        for t in tokens
    ]
    if kinds[0] == "" and len(tokens) > 1 and len(tokens[0]) <= 12 and "counter" in kinds:
        kinds[0] = "name"
    return all(kinds)


# Lines after which nothing belongs to the article: footers, comment prompts, related lists.
_TAIL_START = re.compile(
    r"^(?:"
    r"posted on\b.*|posted @.*|发表于\s*\d.*|發表於\s*\d.*"
    r"|.{0,10}有\s*\d+\s*条评论.*|.{0,10}有\s*\d+\s*條評論.*|\d+\s*(?:comments?|responses?)"
    r"|(?:留下一个回复|留下一個回覆|发表评论|發表評論|我要评论|写评论|评论列表|網友評論|网友评论"
    r"|暂无评论|leave a (?:reply|comment)|add a comment)\s*[:：]?"
    r"|(?:相关文章|相關文章|相关阅读|相關閱讀|推荐阅读|推薦閱讀|猜你喜欢|热门文章|熱門文章"
    r"|related (?:posts|articles|reading)|you may also like|more from)\s*[:：]?"
    r"|(?:热门标签|熱門標籤|热门关键词|相关搜索|tags?\s*[:：]).*"
    r")$",
    re.IGNORECASE,
)


def tail_start(lines: list[str]) -> int | None:
    """Index of the first line of trailing furniture (a "posted on" footer, a comment
    prompt, a related list), searched in the last third of the text only, so that an
    article that merely mentions comments keeps its words."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return None
    earliest = content[len(content) * 2 // 3] if len(content) > 3 else content[0]
    for index in content:
        if index >= earliest and _TAIL_START.match(lines[index].strip()):
            return index
    return None
