"""Social card images (Open Graph / Twitter, 1200×630 PNG), drawn at build time and cached.

A card shows the site name, an optional label ("Case study", "网络研讨会") and the page title
on the brand colour. Titles are wrapped for Latin and CJK text alike and shrunk until they
fit. Drawing never fails a build: a title the fonts cannot show still renders (as boxes) and
the caller decides whether to warn.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from isal import isal_zlib
from PIL import Image, ImageDraw, ImageFont

from ..buildcache import link_or_copy, write_atomically
from . import card_glyphs

CARD_SIZE = (1200, 630)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Part of every cache key: bump it whenever the drawing changes, so old cards are redrawn.
# 6: titles from kept glyphs; 5: deflated in bands; 4: deflated by ISA-L; 3: a 256-colour
# palette PNG; 2: RGB
RENDERER_VERSION = "6"

DEFAULT_BRAND_COLOUR = "#1f4bd8"
BLACK = "#000000"
WHITE = "#ffffff"

MARGIN_X = 80
TITLE_WIDTH = CARD_SIZE[0] - 2 * MARGIN_X
TITLE_SIZES = tuple(range(72, 39, -4))  # 72, 68, … 40 px: tried from large to small
MAX_LINES = 4
LINE_SPACING = 1.25  # CJK glyphs fill the whole em box and need the extra room

_HEADER_Y = 72  # centre of the site name
_BODY_TOP = 140
_BODY_BOTTOM = 560
_FOOTER_HEIGHT = 12
_SITE_NAME_SIZE = 30
_LABEL_SIZE = 24
_LABEL_HEIGHT = 44
_LABEL_PADDING = 18
_LABEL_GAP = 28

CardFont = ImageFont.FreeTypeFont | ImageFont.ImageFont
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class CardSpec:
    title: str
    site_name: str
    label: str = ""  # small text above the title, e.g. "Case study" or "网络研讨会"
    brand_colour: str = DEFAULT_BRAND_COLOUR  # background: "#rgb" or "#rrggbb"
    text_colour: str | None = None  # None: black or white, whichever contrasts more


@dataclass(frozen=True)
class Fonts:
    regular: Path
    bold: Path
    covers_cjk: bool


class FontsNotFound(Exception):
    """No usable font for social cards; the message says what to install or configure."""


# Colours --------------------------------------------------------------------------------------


def parse_colour(value: str) -> RGB:
    """`#rgb` or `#rrggbb` as an (r, g, b) tuple; ValueError for anything else."""
    digits = value.strip().removeprefix("#")
    if len(digits) == 3:
        digits = "".join(2 * digit for digit in digits)
    try:
        if len(digits) != 6:
            raise ValueError
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    except ValueError:
        raise ValueError(f"{value!r} is not a colour; use #rgb or #rrggbb, e.g. #1f4bd8") from None


def relative_luminance(colour: RGB) -> float:
    """WCAG 2 relative luminance, 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def readable_text_colour(background: str) -> str:
    """Black or white, whichever has the higher WCAG contrast ratio on `background`."""
    return BLACK if _black_reads_better(parse_colour(background)) else WHITE


def _black_reads_better(background: RGB) -> bool:
    luminance = relative_luminance(background)
    on_black = (luminance + 0.05) / 0.05
    on_white = 1.05 / (luminance + 0.05)
    return on_black > on_white


def _mix(foreground: RGB, background: RGB, amount: float) -> RGB:
    """`foreground` laid over `background` at `amount` opacity, in whole numbers."""
    pairs = zip(foreground, background, strict=True)
    r, g, b = (round(f * amount + b * (1 - amount)) for f, b in pairs)
    return (r, g, b)


def _palette(spec: CardSpec) -> tuple[RGB, RGB]:
    """(background, text). A colour that does not parse falls back rather than failing a
    build; callers validate configuration with `parse_colour` to tell the user."""
    try:
        background = parse_colour(spec.brand_colour)
    except ValueError:
        background = parse_colour(DEFAULT_BRAND_COLOUR)
    try:
        text = parse_colour(spec.text_colour) if spec.text_colour else None
    except ValueError:
        text = None
    if text is None:
        text = parse_colour(BLACK if _black_reads_better(background) else WHITE)
    return background, text


# Fonts ----------------------------------------------------------------------------------------

# Any codepoint that no font maps draws the font's .notdef box; U+0378 is unassigned.
_MISSING = "\u0378"
_HOME = Path.home()
_NOTO_NAMES = (
    ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"),
    ("NotoSansCJKsc-Regular.otf", "NotoSansCJKsc-Bold.otf"),
    ("NotoSansSC-Regular.otf", "NotoSansSC-Bold.otf"),
)
_DEJAVU_NAMES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


def _font_dirs(*unix: str) -> list[Path]:
    """Where Debian/Ubuntu, Fedora, Arch, Homebrew, macOS and Windows keep fonts."""
    windows = Path(os.environ.get("WINDIR", r"C:\Windows"), "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    user_windows = [Path(local, "Microsoft", "Windows", "Fonts")] if local else []
    return [
        *(Path(directory) for directory in unix),
        Path("/opt/homebrew/share/fonts"),
        Path("/usr/local/share/fonts"),
        _HOME / ".local/share/fonts",
        _HOME / "Library/Fonts",
        Path("/Library/Fonts"),
        windows,
        *user_windows,
    ]


def _noto_pairs() -> list[tuple[Path, Path]]:
    dirs = _font_dirs(
        "/usr/share/fonts/opentype/noto",
        "/usr/share/fonts/noto-cjk",
        "/usr/share/fonts/google-noto-cjk",
        "/usr/share/fonts/opentype/noto-cjk",
    )
    return [(d / regular, d / bold) for d in dirs for regular, bold in _NOTO_NAMES]


def _dejavu_pairs() -> list[tuple[Path, Path]]:
    dirs = _font_dirs(
        "/usr/share/fonts/truetype/dejavu",
        "/usr/share/fonts/dejavu-sans-fonts",
        "/usr/share/fonts/dejavu",
        "/usr/share/fonts/TTF",
    )
    return [(d / _DEJAVU_NAMES[0], d / _DEJAVU_NAMES[1]) for d in dirs]


@functools.cache
def _face_index(path: str) -> int:
    """The Simplified Chinese face of a font collection (.ttc), else the first face: Noto's
    collections start with Japanese, whose glyph shapes differ for many Chinese characters."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    for index in range(32):
        try:
            family, _style = ImageFont.truetype(path, 12, index=index).getname()
        except OSError:
            break
        if family and family.endswith(" SC"):
            return index
    return 0


@functools.cache
def _font(path: str, size: int) -> CardFont:
    """A font at `size` px; Pillow's own font when the file cannot be read, so a card is
    still drawn."""
    try:
        return ImageFont.truetype(path, size, index=_face_index(path))
    except OSError:
        return ImageFont.load_default(size)


def _glyph(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    image = Image.new("L", (2 * int(font.size), 2 * int(font.size)))
    ImageDraw.Draw(image).text((0, 0), char, font=font, fill=255)
    return image.tobytes()


def _covers_cjk(path: Path) -> bool:
    """True when the font draws real Chinese glyphs, not its missing-glyph box."""
    font = ImageFont.truetype(str(path), 48, index=_face_index(str(path)))
    unusable = {_glyph(font, _MISSING), _glyph(font, " ")}
    return all(_glyph(font, char) not in unusable for char in "中文")


def _fc_match(pattern: str) -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(found) if found and Path(found).is_file() else None


def _safe_covers_cjk(path: Path) -> bool:
    try:
        return _covers_cjk(path)
    except OSError:
        return False


def _fontconfig_cjk() -> Fonts | None:
    """fontconfig's choice for Simplified Chinese; it answers even without a CJK font,
    so the answer is checked."""
    regular = _fc_match(":lang=zh-cn")
    if regular is None or not _safe_covers_cjk(regular):
        return None
    bold = _fc_match(":lang=zh-cn:weight=bold")
    if bold is None or not _safe_covers_cjk(bold):
        bold = regular
    return Fonts(regular, bold, covers_cjk=True)


def _first_pair(pairs: list[tuple[Path, Path]]) -> tuple[Path, Path] | None:
    for regular, bold in pairs:
        if regular.is_file():
            return regular, bold if bold.is_file() else regular
    return None


def _configured(path: Path) -> Fonts:
    if not path.is_file():
        raise FontsNotFound(
            f"The social card font {path} does not exist; set the path of a .ttf, .otf or "
            ".ttc file, or remove the setting to use an installed Noto Sans CJK."
        )
    try:
        covers = _covers_cjk(path)
    except OSError:
        raise FontsNotFound(
            f"The social card font {path} cannot be read as a font; use a .ttf, .otf or .ttc file."
        ) from None
    return Fonts(path, path, covers_cjk=covers)


def find_fonts(configured: Path | None = None) -> Fonts:
    """The fonts for social cards: the configured file, else Noto Sans CJK (Chinese titles
    need it), else DejaVu Sans (Latin only)."""
    if configured is not None:
        return _configured(configured)
    noto = _first_pair(_noto_pairs())
    if noto:
        return Fonts(*noto, covers_cjk=True)
    fontconfig = _fontconfig_cjk()
    if fontconfig:
        return fontconfig
    dejavu = _first_pair(_dejavu_pairs())
    if dejavu:
        return Fonts(*dejavu, covers_cjk=False)
    raise FontsNotFound(
        "No font for social cards was found. Install Noto Sans CJK (Debian/Ubuntu: "
        "`apt-get install fonts-noto-cjk`; macOS: `brew install --cask font-noto-sans-cjk`) "
        "or set the path of a .ttf, .otf or .ttc file as `cards: {font: ...}` of leadpress/seo."
    )


# Line breaking --------------------------------------------------------------------------------

# Never at the start of a line (Chinese and Japanese rules, plus Latin closers after CJK).
_CLOSING = frozenset(
    "，。！？；：、）》」』】〕〉〗〙〛｝］〞”’,.!?;:)]}%…‥・ー々〜～"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
)
# Never at the end of a line.
_OPENING = frozenset("（《「『【〔〈〖〘〚｛［〝“‘([{")
# Scripts written without spaces: a line may break between any two of their characters.
_BREAK_ANYWHERE = (
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x30FF),  # CJK punctuation, kana
    (0x3100, 0x312F),  # bopomofo
    (0x3190, 0x31FF),  # kanbun, CJK strokes, katakana extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF00, 0xFFEF),  # full-width forms
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)


_BREAKS_ANYWHERE = re.compile(
    "[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _BREAK_ANYWHERE) + "]"
)


def _breaks_anywhere(char: str) -> bool:
    return _BREAKS_ANYWHERE.match(char) is not None


def _joins(token: str, char: str) -> bool:
    """Whether `char` must stay on the same line as the `token` before it."""
    if char in _CLOSING or token[-1] in _OPENING:
        return True
    return not (_breaks_anywhere(char) or _breaks_anywhere(token[-1]))


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Unbreakable pieces of `text`, each with whether a space came before it."""
    tokens: list[tuple[str, bool]] = []
    space = False
    for char in text:
        if char.isspace():
            space = True
        elif tokens and not space and _joins(tokens[-1][0], char):
            tokens[-1] = (tokens[-1][0] + char, tokens[-1][1])
        else:
            tokens.append((char, space and bool(tokens)))
            space = False
    return tokens


def _split_chars(word: str, width: Callable[[str], float], max_width: float) -> list[str]:
    """A word wider than a line, cut between characters (at least one per piece)."""
    pieces = [""]
    for char in word:
        if pieces[-1] and width(pieces[-1] + char) > max_width:
            pieces.append("")
        pieces[-1] += char
    return pieces


def wrap_title(text: str, font: CardFont, max_width: float) -> list[str]:
    """`text` in lines no wider than `max_width`: Latin breaks at spaces (a word too long
    for a line breaks between characters), CJK between characters, never with closing
    punctuation at a line start nor opening punctuation at a line end."""
    width = _measure(font)
    lines: list[str] = []
    line = ""
    for token, space in _tokens(text):
        candidate = f"{line}{' ' if space else ''}{token}" if line else token
        if width(candidate) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = token
        if width(token) > max_width:
            *full, line = _split_chars(token, width, max_width)
            lines.extend(full)
    if line:
        lines.append(line)
    return lines


def _ellipsize(text: str, font: CardFont, max_width: float) -> str:
    """`text` cut to end in "…" within `max_width`."""
    width = _measure(font)
    while text and width(text + "…") > max_width:
        text = text[:-1]
    return text.rstrip(" ,;:-–—、，；：") + "…"


def _fit_line(text: str, font: CardFont, max_width: float) -> str:
    return text if _measure(font)(text) <= max_width else _ellipsize(text, font, max_width)


def _line_height(size: int) -> int:
    return round(size * LINE_SPACING)


def fit_title(
    text: str, font_path: Path, max_width: float = TITLE_WIDTH, max_height: int = 10_000
) -> tuple[CardFont, list[str]]:
    """The largest title font (72 down to 40 px) at which `text` wraps to at most four lines
    within `max_height`; at the smallest size the last line that fits is cut with "…"."""
    text = " ".join(text.split())
    for size in TITLE_SIZES:
        font = _font(str(font_path), size)
        lines = wrap_title(text, font, max_width)
        if len(lines) <= MAX_LINES and len(lines) * _line_height(size) <= max_height:
            return font, lines
    keep = max(1, min(MAX_LINES, max_height // _line_height(TITLE_SIZES[-1])))
    return font, [*lines[: keep - 1], _ellipsize(lines[keep - 1], font, max_width)]


# Measuring ------------------------------------------------------------------------------------

# Fitting a title measures it a dozen times, and Pillow shapes the whole text for each
# measure. Its width is the sum of its glyphs' advances, each corrected by the kerning with
# the next glyph, so it is summed here from the advance of each character and the kerning of
# each pair, measured once per font and size: the same few hundred of them recur on every
# card of a site. Titles are still drawn by Pillow.
# Where shaping depends on more than a pair, Pillow measures the whole text: a script that
# joins its letters (Arabic, Indic), and text that mixes CJK with letters of another script,
# where a punctuation mark or digit takes the script of its neighbours (a comma after 們 in
# "們,V" is six pixels wider at 72 px than in ",V"). Three characters shaped at once (the
# "ffi" of some fonts) still differ by a fraction of a pixel.

# Ideographs neither kern nor ligate with each other, and a Chinese site has many thousands
# of pairs of them.
_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_ALPHABETS_END = 0x0530  # Latin, Greek, Cyrillic and their extensions come before it


@functools.cache
def _script_kind(char: str) -> str:
    """ "cjk", "alphabet" (Latin, Greek, Cyrillic), "other" letters, or "" for the rest."""
    if _breaks_anywhere(char):
        return "cjk"
    if not char.isalpha():
        return ""
    return "alphabet" if ord(char) < _ALPHABETS_END else "other"


def _summable(text: str) -> bool:
    kinds = set(map(_script_kind, text))
    return "other" not in kinds and not {"cjk", "alphabet"} <= kinds


class _Widths:
    """Widths of text in one font at one size, from the widths of characters and pairs."""

    def __init__(self, font: ImageFont.FreeTypeFont) -> None:
        self.font = font
        self._advances: dict[str, float] = {}
        self._kerning: dict[str, float] = {}

    def _advance(self, char: str) -> float:
        advance = self._advances.get(char)
        if advance is None:
            advance = self._advances[char] = self.font.getlength(char)
        return advance

    def _kerned(self, pair: str) -> float:
        """How much nearer (negative) or further the second glyph sits than the advance of
        the first: Pillow's width of the pair less its glyphs' own."""
        kerning = self._kerning.get(pair)
        if kerning is None:
            alone = self._advance(pair[0]) + self._advance(pair[1])
            kerning = self._kerning[pair] = self.font.getlength(pair) - alone
        return kerning

    def __call__(self, text: str) -> float:
        if not _summable(text):
            return self.font.getlength(text)
        width = sum(map(self._advance, text))
        for index in range(len(text) - 1):
            if not (_IDEOGRAPH.match(text[index]) and _IDEOGRAPH.match(text[index + 1])):
                width += self._kerned(text[index : index + 2])
        return width


@functools.cache  # one per font and size, for the life of the process
def _measure(font: CardFont) -> Callable[[str], float]:
    """Pillow's width of a text in `font` (its `getlength`), measured faster."""
    return _Widths(font) if isinstance(font, ImageFont.FreeTypeFont) else font.getlength


# Drawing --------------------------------------------------------------------------------------

# ISA-L's level 1: within a few per cent of zlib's level 3 in size, in a seventh of the time.
_DEFLATE_LEVEL = 1
_BAND_BYTES = 120 * 1024  # under glibc's 128 KB mmap threshold, so the buffers are reused
# Every colour on a card is the text colour laid over the background at some opacity, so a
# card is drawn as one 8-bit channel of that opacity and saved as a 256-colour palette PNG:
# a third of the bytes to compress, about eight times faster than RGB, and smaller files.
_SITE_NAME_OPACITY = 0.85
_LABEL_OPACITY = 0.16
_RING_OPACITY = 0.08
_FOOTER_OPACITY = 0.22


def _shade(opacity: float) -> int:
    return round(255 * opacity)


@functools.cache  # the same two colours on every card of a site
def _card_palette(background: RGB, text: RGB) -> tuple[int, ...]:
    """Palette entry i: the text colour at opacity i/255 over the background."""
    return tuple(channel for i in range(256) for channel in _mix(text, background, i / 255))


def _draw_label(draw: ImageDraw.ImageDraw, label: str, top: int, font: CardFont) -> None:
    label = _fit_line(label.upper(), font, TITLE_WIDTH - 2 * _LABEL_PADDING)
    width = round(font.getlength(label)) + 2 * _LABEL_PADDING
    box = (MARGIN_X, top, MARGIN_X + width, top + _LABEL_HEIGHT)
    draw.rounded_rectangle(box, radius=_LABEL_HEIGHT // 2, fill=_shade(_LABEL_OPACITY))
    middle = (MARGIN_X + _LABEL_PADDING, top + _LABEL_HEIGHT // 2)
    draw.text(middle, label, 255, font, anchor="lm")


# A card's site name and label are the same on many cards: each is drawn once per process
# and copied (a tenth of a millisecond each, of the 1.5 ms a card takes). Copying gives the
# same pixels as drawing because both are drawn on blank pixels at whole-pixel positions.


@functools.cache
def _blank_card(site_name: str, bold: str) -> Image.Image:
    """A card with its decoration and site name, and nothing else yet."""
    image = Image.new("L", CARD_SIZE, 0)  # text opacity: 0 is the background
    draw = ImageDraw.Draw(image)
    _draw_decoration(draw)
    site_font = _font(bold, _SITE_NAME_SIZE)
    site_name = _fit_line(" ".join(site_name.split()), site_font, TITLE_WIDTH - 200)
    draw.text((MARGIN_X, _HEADER_Y), site_name, _shade(_SITE_NAME_OPACITY), site_font, "lm")
    return image


@functools.cache
def _label_tile(label: str, regular: str) -> tuple[Image.Image, int, int] | None:
    """What `_draw_label` draws, cut to the pixels it drew, and where it goes: x on the
    card and y from the label's top. None if the label reached past the room it was drawn
    in (it is then drawn on the card itself)."""
    margin = _LABEL_HEIGHT
    room = Image.new("L", (CARD_SIZE[0], _LABEL_HEIGHT + 2 * margin), 0)
    _draw_label(ImageDraw.Draw(room), label, margin, _font(regular, _LABEL_SIZE))
    drawn = room.getbbox()
    if drawn is None or drawn[1] == 0 or drawn[3] == room.height or drawn[2] == room.width:
        return None
    return room.crop(drawn), drawn[0], drawn[1] - margin


def _place_label(image: Image.Image, label: str, top: int, regular: str) -> None:
    """Draw the label at `top`: a copy of its tile where the card is still blank."""
    tile = _label_tile(label, regular)
    if tile is not None:
        pixels, x, dy = tile
        box = (x, top + dy, x + pixels.width, top + dy + pixels.height)
        if image.crop(box).getbbox() is None:
            image.paste(pixels, box[:2])
            return
    _draw_label(ImageDraw.Draw(image), label, top, _font(regular, _LABEL_SIZE))


def _draw_decoration(draw: ImageDraw.ImageDraw) -> None:
    """A faint ring in the top right corner and a footer band: quiet, and the same on
    every card so the brand colour carries the look."""
    width, height = CARD_SIZE
    ring = _shade(_RING_OPACITY)
    draw.ellipse((width - 260, -240, width + 240, 260), outline=ring, width=56)
    draw.rectangle((0, height - _FOOTER_HEIGHT, width, height), fill=_shade(_FOOTER_OPACITY))


# Pillow hands an image's memory back to the system when the image goes, and asks for it
# again for the next one: drawing card after card, the page faults of a fresh 750 KB of
# pixels cost a third as much as the drawing. Kept freed blocks are used again instead.
_KEPT_IMAGE_BLOCKS = 8


@functools.cache  # once per process
def _keep_image_memory() -> None:
    Image.core.set_blocks_max(max(_KEPT_IMAGE_BLOCKS, Image.core.get_blocks_max()))


def render_card(spec: CardSpec, fonts: Fonts) -> bytes:
    """The card as PNG bytes; the same spec and fonts give the same bytes."""
    _keep_image_memory()
    background, text = _palette(spec)
    image = _blank_card(spec.site_name, str(fonts.bold)).copy()
    label = " ".join(spec.label.split())
    label_room = _LABEL_HEIGHT + _LABEL_GAP if label else 0
    body_height = _BODY_BOTTOM - _BODY_TOP
    font, lines = fit_title(spec.title, fonts.bold, TITLE_WIDTH, body_height - label_room)
    line_height = _line_height(int(getattr(font, "size", TITLE_SIZES[-1])))
    # The label and title sit together in the middle of the space below the site name.
    top = _BODY_TOP + (body_height - label_room - len(lines) * line_height) // 2
    if label:
        _place_label(image, label, top, str(fonts.regular))
        top += label_room
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        middle = top + number * line_height + line_height // 2
        _draw_title_line(image, draw, (MARGIN_X, middle), line, font)

    return palette_png(image, _card_palette(background, text))


def _draw_title_line(
    image: Image.Image, draw: ImageDraw.ImageDraw, xy: tuple[int, int], line: str, font: CardFont
) -> None:
    """One line of a title, from kept glyphs where that gives Pillow's own pixels."""
    kept = isinstance(font, ImageFont.FreeTypeFont)
    if not (kept and card_glyphs.draw_line(image, xy, line, font, 255)):
        draw.text(xy, line, 255, font, anchor="lm")


def palette_png(image: Image.Image, palette: tuple[int, ...]) -> bytes:
    """An 8-bit ("L") image as a 256-colour palette PNG: pixel value i is palette entry i.

    Written here rather than by Pillow for speed: deflating the 750 KB of a card's pixels
    was most of the time a card takes, and ISA-L's deflate (python-isal) does it about
    seven times faster than zlib at the same size. The pixels go to the compressor in bands
    of rows smaller than the allocator's mmap threshold: a framed 750 KB copy of the card
    was mapped fresh each time, and its page faults cost a third as much as drawing it.
    No dated metadata: the same pixels give the same bytes."""
    width, height = image.size
    rows = max(1, _BAND_BYTES // (width + 1))
    deflate = isal_zlib.compressobj(_DEFLATE_LEVEL)
    data = []
    for top in range(0, height, rows):
        # Each row of PNG data starts with its filter type, 0 (none): a zero column on the
        # left of the band, which shows rows top… of the image.
        band = Image.new("L", (width + 1, min(rows, height - top)), 0)
        band.paste(image, (1, -top))
        data.append(deflate.compress(band.tobytes()))
    data.append(deflate.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8-bit, palette
    return b"".join(
        (
            _PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", bytes(palette)),
            _chunk(b"IDAT", b"".join(data)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# Cache ----------------------------------------------------------------------------------------


def _font_fingerprint(path: Path) -> list[object]:
    try:
        stat = path.stat()
    except OSError:
        return [str(path), None, None]
    return [str(path), stat.st_size, stat.st_mtime_ns]


class CardCache:
    """Cards kept as `<directory>/<sha256>.png`, so a rebuild draws only changed pages.

    The key covers the spec, the font files (path, size, modification time) and
    RENDERER_VERSION; anything else that changes a card must be part of one of those.
    """

    def __init__(self, directory: Path, fonts: Fonts) -> None:
        self.directory = directory
        self.fonts = fonts
        self.rendered = 0
        self.reused = 0
        self._fonts_key = [
            _font_fingerprint(fonts.regular),
            _font_fingerprint(fonts.bold),
            fonts.covers_cjk,
        ]
        # A build asks for each card's path twice (drawing ahead, then writing the cards).
        self._paths: dict[CardSpec, Path] = {}

    def _key(self, spec: CardSpec) -> str:
        facts = {"spec": asdict(spec), "fonts": self._fonts_key, "renderer": RENDERER_VERSION}
        encoded = json.dumps(facts, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    def path(self, spec: CardSpec) -> Path:
        """Where the card of `spec` is kept (whether or not it is there yet)."""
        path = self._paths.get(spec)
        if path is None:
            path = self._paths[spec] = self.directory / f"{self._key(spec)}.png"
        return path

    def draw_and_keep(self, spec: CardSpec) -> None:
        """Draw the card of `spec` into the cache, through a temporary file named after this
        process (`.<key>.<pid>.tmp`: what a process stopped midway leaves is found by its
        pid) and a rename."""
        kept = self.path(spec)
        temporary = kept.with_name(f".{kept.stem}.{os.getpid()}.tmp")
        with open(temporary, "wb") as file:
            file.write(render_card(spec, self.fonts))
        os.replace(temporary, kept)

    def card(self, spec: CardSpec) -> bytes:
        """The card's PNG: from the cache when it is there, else drawn and stored."""
        cached = self.cached(spec)
        if cached is not None:
            return cached
        data = render_card(spec, self.fonts)
        self.store(spec, data)
        return data

    def cached(self, spec: CardSpec) -> bytes | None:
        """The stored card of `spec`, or None when it has to be drawn."""
        path = self.cached_file(spec)
        return path.read_bytes() if path is not None else None

    def cached_file(self, spec: CardSpec) -> Path | None:
        """The file of the stored card of `spec`, or None when it has to be drawn."""
        path = self.path(spec)
        try:
            with open(path, "rb") as file:
                if file.read(len(_PNG_SIGNATURE)) != _PNG_SIGNATURE:
                    return None
        except OSError:
            return None
        self.reused += 1
        return path

    def keep(self, spec: CardSpec, drawn: Path) -> None:
        """Keep a card drawn into the site by linking it here: a complete file appears
        under its name at once, so a crash never leaves half a card."""
        self.rendered += 1
        kept = self.path(spec)
        with contextlib.suppress(OSError):  # not kept: drawn again next build
            self.directory.mkdir(parents=True, exist_ok=True)
            link_or_copy(drawn, kept)

    def store(self, spec: CardSpec, data: bytes) -> None:
        """Keep a freshly drawn card (drawn here or in a worker process)."""
        self.rendered += 1
        # The cache only saves time: a card that cannot be kept is drawn again next build.
        with contextlib.suppress(OSError):
            # Through a temporary file and a rename: a crash never leaves half a card.
            write_atomically(self.path(spec), data)
