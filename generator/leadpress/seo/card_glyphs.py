"""Card titles drawn from glyphs rasterised once per font, size and script.

Rasterising a glyph of a CFF font (Noto Sans CJK) at title size is most of what drawing a
card costs, and a site's titles use the same few hundred glyphs again and again. Pillow
places every glyph of a line at a whole pixel (its pen position, rounded) and rasterises it
there from the glyph's origin, so a glyph's pixels are the same wherever it stands: they
are drawn once, kept, and pasted at the pen positions Pillow would use. The result is the
line Pillow draws, pixel for pixel (tests compare the two on real titles).

That holds where a line is shaped glyph by glyph. A glyph can depend on its neighbours: a
digit or punctuation mark takes the script of the letters around it (Noto draws the digits
of Latin and of Chinese text differently), and some letter pairs form one glyph (`fi`). So
a line of Latin letters, or of Chinese characters, with digits, punctuation and symbols, is
drawn here, digits and punctuation as they look beside a letter of that script, and
ligatures as one piece; any other line (mixed scripts, combining marks, kana, Hangul…) is
left to Pillow.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

_LATIN = re.compile(
    r"[A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
# A letter of each script, drawn before a digit or punctuation mark to give it that script.
_SCRIPT_LETTERS = {"latin": "a", "han": "中"}
_GAP = "    "  # between that letter and the glyph: no pixel of one reaches the other
# Sequences a font may draw otherwise than glyph by glyph, longest first; each font is
# asked which it does. Letters that join make one glyph (a ligature), drawn as one piece;
# marks may be set closer or further (a dash joined to the next), so a line with marks
# that join is left to Pillow.
_JOINING_CANDIDATES = {
    "latin": ("ffi", "ffl", "ff", "fi", "fl", "fj", "ft", "tt", "Th", "...", "--", "——", "……"),
    "han": ("——", "……", "──", "...", "--", "!!", "??", "!?"),
    "": ("...", "--", "——", "……"),
}
# Pillow's layout (raqm) gives a digit or mark the script of the character before it, and
# a closing bracket the script its opening one had. An opening bracket after the first
# character but before the first letter has none yet, so its closing bracket and what
# follows keep none: "2024 (Q3) — 12%" draws "— 12%" as if alone. Lines with such a
# bracket are left to Pillow. These are the brackets and quotes raqm pairs.
_UNRESOLVED_OPENINGS = frozenset("(<[{«‘“‹〈《「『【〔〖〘〚")
_KEPT_GLYPHS = 4096  # about 20 MB at title sizes, however many characters a site uses

Glyph = tuple[Image.Image, int, int]  # pixels, and their offset from the pen and the middle


def _pixel(position: float) -> int:
    """The whole pixel Pillow puts a glyph at: its pen position (in 1/64 px) rounded."""
    return (round(position * 64) + 32) >> 6


@functools.cache
def _char_class(char: str) -> str:
    """ "latin" or "han" for a letter of those scripts, "common" for a digit, punctuation
    mark, symbol or space, "" for anything else (this module does not draw it)."""
    if char.isalpha():
        return "latin" if _LATIN.match(char) else "han" if _HAN.match(char) else ""
    category = unicodedata.category(char)
    return "common" if category[0] in "NPS" or category == "Zs" else ""


def line_script(text: str) -> str | None:
    """The script of a line drawn from glyphs: "latin", "han", "" when it has no letters,
    or None when Pillow must shape the whole line."""
    script = ""
    for char in set(text):
        kind = _char_class(char)
        if not kind:
            return None
        if kind != "common":
            if script and script != kind:
                return None
            script = kind
    for char in text[1:]:
        if char.isalpha():
            break
        if char in _UNRESOLVED_OPENINGS:
            return None
    return script


@functools.lru_cache(maxsize=_KEPT_GLYPHS)
def _glyph(font: ImageFont.FreeTypeFont, unit: str, script: str) -> Glyph | None:
    """`unit` (a character or a ligature) as Pillow draws it in a line of `script`, cut to
    its ink; None when it has none (a space)."""
    letter = "" if any(char.isalpha() for char in unit) else _SCRIPT_LETTERS.get(script, "")
    prefix = letter + _GAP if letter else ""
    size = int(font.size)
    margin = 2 * size
    width = math.ceil(font.getlength(prefix + unit)) + 2 * margin
    middle = 2 * size
    canvas = Image.new("L", (width, 2 * middle), 0)
    ImageDraw.Draw(canvas).text((margin, middle), prefix + unit, 255, font, anchor="lm")
    pen = margin + _pixel(font.getlength(prefix))  # spaces do not kern
    left = pen - (math.ceil(font.getlength(_GAP) / 2) if prefix else margin)
    ink = canvas.crop((left, 0, width, canvas.height)).getbbox()
    if ink is None:
        return None
    box = (left + ink[0], ink[1], left + ink[2], ink[3])
    return canvas.crop(box), box[0] - pen, box[1] - middle


def _paste(
    image: Image.Image,
    xy: tuple[int, int],
    pieces: Sequence[str],
    font: ImageFont.FreeTypeFont,
    script: str,
    ink: int,
) -> None:
    """Draw `pieces` (characters and ligatures) one after another from `xy`."""
    x, y = xy
    draw = ImageDraw.Draw(image)
    pen = 0.0
    for index, piece in enumerate(pieces):
        glyph = None if piece.isspace() else _glyph(font, piece, script)
        if glyph is not None:
            pixels, dx, dy = glyph
            # Blended as Pillow blends a line's mask into the image, glyph after glyph.
            draw.bitmap((x + _pixel(pen) + dx, y + dy), pixels, ink)
        if index + 1 < len(pieces):
            pen += _advance(font, piece, pieces[index + 1], script)


@functools.lru_cache(maxsize=4 * _KEPT_GLYPHS)
def _advance(font: ImageFont.FreeTypeFont, piece: str, following: str, script: str) -> float:
    """How far the pen moves from `piece` to the `following` one in a line of `script`: its
    advance, kerned against that piece (ideographs do not kern). Measured after a letter
    of the script, which gives digits and marks their widths there ("…" is wider beside
    Latin letters than alone)."""
    if _HAN.fullmatch(piece) and _HAN.fullmatch(following):
        return _advance(font, piece, "", script)
    letter = _SCRIPT_LETTERS.get(script)
    context = letter + " " if letter else ""
    return font.getlength(context + piece + following) - font.getlength(context + following)


@functools.cache
def _joined(font: ImageFont.FreeTypeFont, script: str) -> tuple[str, ...]:
    """The candidate sequences `font` draws otherwise than glyph by glyph."""
    found = []
    for sequence in _JOINING_CANDIDATES[script]:
        size = int(font.size)
        shape = (math.ceil(font.getlength(sequence)) + 4 * size, 4 * size)
        whole, pieces = Image.new("L", shape, 0), Image.new("L", shape, 0)
        ImageDraw.Draw(whole).text((2 * size, 2 * size), sequence, 255, font, anchor="lm")
        _paste(pieces, (2 * size, 2 * size), sequence, font, script, 255)
        if whole.tobytes() != pieces.tobytes():
            found.append(sequence)
    return tuple(found)


def _pieces(text: str, ligatures: Sequence[str]) -> list[str]:
    """`text` as the characters and ligatures it is drawn with."""
    pieces = []
    index = 0
    while index < len(text):
        piece = next((seq for seq in ligatures if text.startswith(seq, index)), text[index])
        pieces.append(piece)
        index += len(piece)
    return pieces


def draw_line(
    image: Image.Image, xy: tuple[int, int], text: str, font: ImageFont.FreeTypeFont, ink: int
) -> bool:
    """Draw `text` as `ImageDraw.text(xy, text, ink, font, anchor="lm")` draws it on the
    8-bit `image`. False, with nothing drawn, when the line must be shaped whole."""
    script = line_script(text)
    if script is None:
        return False
    joined = _joined(font, script)
    if any(not sequence.isalpha() and sequence in text for sequence in joined):
        return False
    ligatures = [sequence for sequence in joined if sequence.isalpha()]
    _paste(image, xy, _pieces(text, ligatures), font, script, ink)
    return True
