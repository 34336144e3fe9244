"""Inline patterns are not searched for in text that cannot match them: the HTML is the
same as Python-Markdown's own, on every kind of inline syntax and on real pages."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import markdown
import pytest

from conftest import SHARED
from leadpress.buildcache import inline

ROOT = Path(__file__).resolve().parents[1]

# Each pattern of Python-Markdown at work, alone, nested and next to the others.
SNIPPETS = [
    "Plain text with no markup at all, 中文也没有。",
    "`code` and ``double `tick` code`` and \\`not code\\`",
    "\\*not em\\* and \\[not a link\\] and a trailing backslash \\",
    '[link](https://example.com/ "title") and [ref][r] and [short] and [r]\n\n[r]: /x\n',
    "![image](a.png) and ![ref image][i] and ![short][]\n\n[i]: b.png\n[short]: c.png\n",
    "<https://example.com/path?q=1> and <someone@example.com> and <not a link>",
    "A line break  \nafter two spaces, and none here \nat all.",
    '<span class="x">inline *HTML*</span> and <br> and </em> and <!-- a comment -->',
    "&amp; &copy; &#169; &#xA9; & AT&T &notanentity",
    "*em* _em_ **strong** __strong__ ***both*** *nested **strong** em* snake_case_word",
    "[*emphasised link* with `code`](x.md) and **[link in strong](y.md)**",
    "| a | *b* |\n| - | - |\n| [c](d) | `e` |\n",
    '!!! note "Title with *em*"\n    Body with [a link](z) & an entity.\n',
    "- item with **bold**\n- item with <b>html</b>\n\n1. [x](y)\n",
    "Term *em*\n:   Definition with `code`.\n",
    "Unclosed *em and [bracket and `tick and <tag",
    "Chinese with marks：**加粗**、*斜体*、[链接](a.md)、`代码`。",
]

EXTENSION_SETS = [
    [],
    ["tables", "toc", "admonition", "attr_list", "md_in_html", "pymdownx.superfences"],
    ["def_list", "footnotes", "abbr", "pymdownx.inlinehilite", "pymdownx.mark", "pymdownx.tilde"],
    ["pymdownx.betterem", "pymdownx.caret", "pymdownx.keys", "pymdownx.magiclink", "sane_lists"],
]


def _pages() -> list[str]:
    sources = sorted((ROOT / "content").rglob("*.md"))
    corpus = SHARED / "corpus"
    sources += sorted(corpus.glob("*.txt")) if corpus.is_dir() else []
    return [source.read_text("utf-8") for source in sources]


def _convert_all(texts: list[str], extensions: list[str], skipping: bool) -> list[str]:
    converter = markdown.Markdown(extensions=extensions)
    if skipping:
        assert inline.skip_needless_searches(converter)
    out = []
    for text in texts:
        converter.reset()
        out.append(converter.convert(text))
    return out


@pytest.mark.parametrize("extensions", EXTENSION_SETS, ids=lambda e: "+".join(e) or "none")
def test_the_html_is_python_markdowns_own(extensions: list[str]) -> None:
    texts = [*SNIPPETS, "\n\n".join(SNIPPETS), *_pages()]
    assert _convert_all(texts, extensions, True) == _convert_all(texts, extensions, False)


def test_searches_that_cannot_match_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    searched: list[str] = []
    apply = markdown.treeprocessors.InlineProcessor._InlineProcessor__applyPattern

    def counting(self, pattern, data, index, start=0):
        searched.append(data)
        return apply(self, pattern, data, index, start)

    monkeypatch.setattr(
        markdown.treeprocessors.InlineProcessor, "_InlineProcessor__applyPattern", counting
    )
    texts = _pages()[:20] or SNIPPETS
    _convert_all(texts, EXTENSION_SETS[1], False)
    every = len(searched)
    searched.clear()
    _convert_all(texts, EXTENSION_SETS[1], True)
    assert len(searched) < every / 2


def test_what_each_pattern_needs_is_known_for_python_markdowns_own() -> None:
    converter = markdown.Markdown(extensions=EXTENSION_SETS[1])
    wanted = {pattern: inline.needs(pattern) for pattern in converter.inlinePatterns}
    assert all(wanted.values()), [type(p).__name__ for p, w in wanted.items() if not w]
    assert {"*", "_"} in [set(w) for w in wanted.values() if w is not None]


def test_link_brackets_close_where_python_markdowns_own_search_closes_them() -> None:
    find = markdown.inlinepatterns.LinkInlineProcessor._findBracketEnds
    # Every text of up to eight characters from these, and longer ones as pages have them.
    texts = ["".join(t) for n in range(9) for t in itertools.product("a[]", repeat=n)]
    texts += [*SNIPPETS, "[a]" * 40, "[" * 30 + "]" * 29, "x" * 300 + "[y](z)" + "]" * 3]
    assert len(texts) > 9000
    assert [inline.bracket_ends(text) for text in texts] == [find(text) for text in texts]
    page = markdown.Markdown()
    assert inline.skip_needless_searches(page)
    links = [p for p in page.treeprocessors["inline"].inlinePatterns if hasattr(p, "getText")]
    assert links and all(p._findBracketEnds is inline.bracket_ends for p in links)


def test_another_inline_processor_is_left_alone() -> None:
    converter = markdown.Markdown()

    class Own(markdown.treeprocessors.InlineProcessor):
        pass

    converter.treeprocessors.register(Own(converter), "inline", 20)
    assert not inline.skip_needless_searches(converter)
    assert type(converter.treeprocessors["inline"]) is Own


class _Pattern:
    def __init__(self, expression: str, flags: int = 0) -> None:
        self.compiled = re.compile(expression, flags)

    def getCompiledRegExp(self) -> re.Pattern[str]:  # Python-Markdown's name
        return self.compiled


@pytest.mark.parametrize(
    ("expression", "flags", "wanted"),
    [
        (r"\*|_", 0, ("*", "_")),
        (r"\=\=|\+", 0, None),  # a pair of characters: not a single one
        (r"\.", 0, (".",)),
        (".", 0, None),  # any character
        (r"\w", 0, None),
        (r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)", 0, ("&",)),
        (r"  \n", re.VERBOSE, None),  # verbose: the spaces mean nothing
        (r"\*|_", re.VERBOSE, None),
    ],
)
def test_what_a_pattern_needs(expression: str, flags: int, wanted) -> None:
    assert inline.needs(_Pattern(expression, flags)) == wanted
