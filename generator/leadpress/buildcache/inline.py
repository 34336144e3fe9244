"""Python-Markdown's inline processor, without the searches that cannot find anything.

Each piece of text of a page is searched for every inline pattern in turn (code, escapes,
links, images, autolinks, line breaks, HTML, entities, emphasis): about 400 searches for a
4 KB page, nearly all of them in text that lacks the one character the pattern starts
with, and a third of the conversion. Here a pattern whose regular expression matches only
text containing one of a few strings (a link needs "[", an entity "&") is not searched for
in a text that contains none of them: its search would have found nothing, so the result is
the same. The patterns of other extensions are searched for as before.

A link's text ends at the bracket that closes its `[`: Python-Markdown works that out for
every character of a piece of text in a Python loop (a tenth of a millisecond for each
text with a link, a tenth of the conversion); here the same answer comes from the brackets
alone.
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Markdown, inlinepatterns, treeprocessors, util

# Python-Markdown's regular expressions, and strings one of which every match contains.
_NEEDS: dict[str, tuple[str, ...]] = {
    inlinepatterns.BACKTICK_RE: ("`",),
    inlinepatterns.ESCAPE_RE: ("\\",),
    inlinepatterns.REFERENCE_RE: ("[",),
    inlinepatterns.LINK_RE: ("[",),
    inlinepatterns.IMAGE_LINK_RE: ("![",),
    inlinepatterns.IMAGE_REFERENCE_RE: ("![",),
    inlinepatterns.AUTOLINK_RE: ("<",),
    inlinepatterns.AUTOMAIL_RE: ("<",),
    inlinepatterns.LINE_BREAK_RE: ("  \n",),
    inlinepatterns.HTML_RE: ("<",),
    inlinepatterns.ENTITY_RE: ("&",),
}
# Emphasis and its kin: alternatives of single characters, as `re.escape` wrote them.
# Punctuation or "_": escaped, or not special to regular expressions.
_ONE_CHARACTER = r"(?:\\[^\w\s]|[^\w\s.^$*+?{}\[\]()|\\]|_)"
_SINGLE_CHARACTERS = re.compile(rf"{_ONE_CHARACTER}(?:\|{_ONE_CHARACTER})*")


def needs(pattern: Any) -> tuple[str, ...] | None:
    """Strings one of which any match of `pattern` contains; None when that is not known."""
    try:
        compiled = pattern.getCompiledRegExp()
    except AttributeError:
        return None
    expression = compiled.pattern
    if not isinstance(expression, str) or compiled.flags & re.VERBOSE:
        return None  # verbose: spaces and "#" mean something else
    if expression in _NEEDS:
        return _NEEDS[expression]
    if _SINGLE_CHARACTERS.fullmatch(expression):
        return tuple(part.removeprefix("\\") for part in expression.split("|"))
    return None


_BRACKET = re.compile(r"[\[\]]")
_findBracketEnds = getattr(inlinepatterns.LinkInlineProcessor, "_findBracketEnds", None)


def bracket_ends(data: str) -> list[int | None]:
    """What `LinkInlineProcessor._findBracketEnds` gives: for each index of `data` (and its
    end), the index just past the `]` that closes a bracket opened before it, else None.

    The depth of brackets before an index changes only after a bracket, so the indexes
    between two brackets share their answer: the start of the first later run of indexes
    with less depth before them."""
    starts = [0]  # runs of indexes with the same depth before them
    depths = [0]
    depth = 0
    for bracket in _BRACKET.finditer(data):
        depth += 1 if bracket.group() == "[" else -1
        starts.append(bracket.end())
        depths.append(depth)
    starts.append(len(data) + 1)
    ends: list[int | None] = [None] * (len(data) + 1)
    waiting: list[int] = []  # runs still looking for less depth, their depths increasing
    for run, run_depth in enumerate(depths):
        while waiting and run_depth < depths[waiting[-1]]:
            closed = waiting.pop()
            ends[starts[closed] : starts[closed + 1]] = [starts[run]] * (
                starts[closed + 1] - starts[closed]
            )
        waiting.append(run)
    return ends


class SkippingInlineProcessor(treeprocessors.InlineProcessor):
    """`InlineProcessor` whose handling of a text skips the patterns it cannot match."""

    _tries: list[tuple[Any, tuple[str, ...] | None]]

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        self._tries = [(pattern, needs(pattern)) for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    # Python-Markdown's private `__handleInline`, line for line but for the skipping.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        tries = self._tries
        start = 0
        while patternIndex < len(tries):
            pattern, wanted = tries[patternIndex]
            if wanted is not None:
                for text in wanted:  # a loop, not any(): this runs ~800 times a page
                    if text in data:
                        break
                else:
                    patternIndex += 1  # what a search that finds nothing does
                    start = 0
                    continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def skip_needless_searches(md: Markdown) -> bool:
    """Make `md`'s inline processor skip searches that cannot find anything; False (and
    nothing changed) when it is not Python-Markdown's own or its internals differ."""
    if "inline" not in md.treeprocessors:
        return False
    processor = md.treeprocessors["inline"]
    if type(processor) is not treeprocessors.InlineProcessor:
        return False
    if not hasattr(processor, "_InlineProcessor__applyPattern"):
        return False
    processor.__class__ = SkippingInlineProcessor
    if _findBracketEnds is not None:
        for pattern in processor.inlinePatterns:
            if getattr(type(pattern), "_findBracketEnds", None) is _findBracketEnds:
                pattern._findBracketEnds = bracket_ends  # its own, called for each text
    return True
