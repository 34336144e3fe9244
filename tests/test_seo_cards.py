"""Social cards: size, real CJK glyphs, line breaking, colours, determinism and the cache."""

from __future__ import annotations

import io
import itertools
import os
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from conftest import SHARED
from leadpress.seo import card_glyphs, cards
from leadpress.seo.cards import (
    BLACK,
    CARD_SIZE,
    TITLE_SIZES,
    TITLE_WIDTH,
    WHITE,
    CardCache,
    CardSpec,
    Fonts,
    FontsNotFound,
    find_fonts,
    fit_title,
    parse_colour,
    readable_text_colour,
    render_card,
    wrap_title,
)

CHINESE_TITLE = "客户关系管理的五个常见误区"
UNASSIGNED = "\u0378"  # no font maps it: it draws the .notdef box
CLOSING = "，。！？；：、）》」』"
OPENING = "（《「『"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def noto_cjk_installed() -> bool:
    """Independent of find_fonts: the Debian file, or fontconfig knowing a Noto CJK face."""
    if Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").is_file():
        return True
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(
        ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, check=False
    )
    return "Noto Sans CJK" in listed.stdout


requires_noto = pytest.mark.skipif(
    not noto_cjk_installed(),
    reason="Noto Sans CJK is not installed here (Debian: apt-get install fonts-noto-cjk)",
)
requires_dejavu = pytest.mark.skipif(
    not DEJAVU_BOLD.is_file(), reason="DejaVu Sans is not installed (Debian: fonts-dejavu-core)"
)


@pytest.fixture(scope="module")
def fonts() -> Fonts:
    try:
        return find_fonts()
    except FontsNotFound as error:
        pytest.skip(f"no card font on this machine: {error}")


@pytest.fixture(scope="module")
def cjk_fonts(fonts: Fonts) -> Fonts:
    if not fonts.covers_cjk:
        pytest.skip("no CJK font on this machine (Debian: apt-get install fonts-noto-cjk)")
    return fonts


@pytest.fixture(scope="module")
def latin_fonts() -> Fonts:
    if not DEJAVU_BOLD.is_file():
        pytest.skip("DejaVu Sans is not installed (Debian: fonts-dejavu-core)")
    return Fonts(DEJAVU, DEJAVU_BOLD, covers_cjk=False)


@pytest.fixture(scope="module")
def title_font(fonts: Fonts):
    return cards._font(str(fonts.bold), 60)


def image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def spec(title: str = "Pipeline coverage explained", **fields: str) -> CardSpec:
    return CardSpec(title=title, site_name="Tarnbrook Freight", **fields)


def png_chunks(png: bytes) -> list[str]:
    chunks, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        chunks.append(png[offset + 4 : offset + 8].decode("ascii"))
        offset += 12 + length
    return chunks


# Images --------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["Pipeline coverage explained", CHINESE_TITLE])
def test_card_is_a_1200_by_630_png(fonts: Fonts, title: str) -> None:
    card = image(render_card(spec(title, label="Case study"), fonts))
    assert card.format == "PNG"
    assert card.size == CARD_SIZE == (1200, 630)


@requires_noto
def test_find_fonts_reports_cjk_coverage_when_noto_cjk_is_installed() -> None:
    found = find_fonts()
    assert found.covers_cjk
    assert found.regular.is_file() and found.bold.is_file()
    if found.bold.suffix == ".ttc":  # a collection: the Simplified Chinese face is drawn
        assert cards._font(str(found.bold), 40).getname()[0].endswith(" SC")


def test_chinese_titles_draw_real_glyphs_not_missing_glyph_boxes(cjk_fonts: Fonts) -> None:
    chinese = render_card(spec(CHINESE_TITLE), cjk_fonts)
    boxes = render_card(spec(UNASSIGNED * len(CHINESE_TITLE)), cjk_fonts)
    other = render_card(spec("销售漏斗中最容易忽视的环节"), cjk_fonts)
    assert len("销售漏斗中最容易忽视的环节") == len(CHINESE_TITLE)
    assert chinese != boxes
    assert chinese != other


def test_a_latin_only_font_draws_chinese_as_boxes_and_still_renders(latin_fonts: Fonts) -> None:
    # The check above is meaningful: without CJK glyphs both titles come out the same.
    chinese = render_card(spec(CHINESE_TITLE), latin_fonts)
    boxes = render_card(spec(UNASSIGNED * len(CHINESE_TITLE)), latin_fonts)
    assert chinese == boxes
    assert image(chinese).size == CARD_SIZE


@requires_noto
@requires_dejavu
def test_a_configured_font_is_checked_for_chinese_glyphs() -> None:
    noto = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not noto.is_file():
        pytest.skip("Noto Sans CJK is not at the Debian path")
    assert find_fonts(noto) == Fonts(noto, noto, covers_cjk=True)
    assert find_fonts(DEJAVU) == Fonts(DEJAVU, DEJAVU, covers_cjk=False)


def test_a_configured_font_that_does_not_exist_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "brand" / "Missing-Bold.otf"
    with pytest.raises(FontsNotFound) as raised:
        find_fonts(missing)
    assert str(missing) in str(raised.value)


def test_a_configured_file_that_is_not_a_font_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "font.ttf"
    fake.write_text("not a font")
    with pytest.raises(FontsNotFound, match="cannot be read as a font"):
        find_fonts(fake)


def test_without_any_font_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cards, "_noto_pairs", list)
    monkeypatch.setattr(cards, "_dejavu_pairs", list)
    monkeypatch.setattr(cards, "_fc_match", lambda pattern: None)
    with pytest.raises(FontsNotFound, match="fonts-noto-cjk") as raised:
        find_fonts()
    assert "font:" in str(raised.value)


@requires_dejavu
def test_without_a_cjk_font_dejavu_is_used_and_said_not_to_cover_cjk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cards, "_noto_pairs", list)
    monkeypatch.setattr(cards, "_fc_match", lambda pattern: None)
    found = find_fonts()
    assert found.covers_cjk is False
    assert found.regular.name == "DejaVuSans.ttf"
    assert found.bold.name == "DejaVuSans-Bold.ttf"


def test_a_font_file_gone_after_discovery_still_gives_a_card(tmp_path: Path) -> None:
    gone = Fonts(tmp_path / "gone.ttf", tmp_path / "gone-bold.ttf", covers_cjk=False)
    assert image(render_card(spec(label="Webinar"), gone)).size == CARD_SIZE


# Line breaking -------------------------------------------------------------------------------


def test_english_breaks_at_spaces(title_font) -> None:
    text = "Pipeline coverage explained for revenue teams who forecast every week"
    width = title_font.getlength("Pipeline coverage explained") + 1
    lines = wrap_title(text, title_font, width)
    assert lines[0] == "Pipeline coverage explained"
    assert len(lines) > 2
    assert " ".join(lines) == text
    assert all(title_font.getlength(line) <= width for line in lines)


def test_a_word_longer_than_a_line_is_broken_between_characters(title_font) -> None:
    word = "Supercalifragilisticexpialidocious"
    width = title_font.getlength("Supercalifrag")
    lines = wrap_title(f"A {word} word", title_font, width)
    assert lines[0] == "A"  # the long word starts on a line of its own
    assert lines[-1].endswith(" word")  # and the next word may follow its last piece
    pieces = [*lines[1:-1], lines[-1].removesuffix(" word")]
    assert len(pieces) >= 3
    assert "".join(pieces) == word
    assert all(title_font.getlength(line) <= width for line in lines)
    # Each piece but the last is as full as the line allows.
    for piece, following in itertools.pairwise(pieces):
        assert title_font.getlength(piece + following[0]) > width


MEASURED_TEXTS = [
    "Tower AVATAR: Yearly office Trials",  # kerned pairs, and "ffi", shaped across three
    "How Acme cut onboarding time by 40% with pipelines (part 2)",
    "用 Salesforce 管理客户：2024 年的 5 个「增长」技巧，值得一试！",
    "Café déjà vu — naïve résumé",
    "2024年增长了35%,达到1,200万元(同比)。",  # digits and ASCII marks among ideographs
    "而在企業(yè)服務(wù)領(lǐng)域就不一樣了,單點(diǎn)突破",  # scraped: pinyin inside Chinese
    "用数据说话,VC也认可",  # a comma after 话 is wider than before V: measured whole
    "مرحبا بالعالم",  # joined letters
    "",
    "W",
]


def _corpus_lines() -> list[str]:
    corpus = SHARED / "corpus"
    texts = sorted(corpus.glob("*.txt")) if corpus.is_dir() else []
    lines = [line.strip() for text in texts for line in text.read_text("utf-8").splitlines()]
    return [line[:60] for line in lines if line][:400]


@pytest.mark.parametrize("size", [TITLE_SIZES[0], 56, TITLE_SIZES[-1]])
def test_titles_are_measured_as_pillow_measures_them(fonts, size: int) -> None:
    """Widths summed from characters and pairs (fitting a title measures it many times)
    are Pillow's own, on kerned Latin, Chinese, accents and real scraped lines."""
    font = cards._font(str(fonts.bold), size)
    measure = cards._measure(font)
    texts = [*MEASURED_TEXTS, *_corpus_lines()]
    differing = [t for t in texts if abs(measure(t) - font.getlength(t)) > 0.5]
    exact = sum(measure(t) == font.getlength(t) for t in texts)
    assert not differing
    assert exact >= len(texts) - 2  # "ffi" is shaped by three characters at once
    assert measure("AVATAR") != sum(map(measure, "AVATAR"))  # pairs are kerned


# Lines of titles as sites have them: kerned and ligated Latin ("office", "attribution"),
# digits and punctuation among Latin letters and among ideographs (drawn differently), and
# what must be left to Pillow (mixed scripts, accents written as combining marks).
DRAWN_TEXTS = (
    "How Acme cut onboarding time by 40% with pipelines (part 2)",
    "AVATAR WAVE Type office staff affluent attribution committee",
    "Café déjà vu — naïve résumé: 1,200 deals...",
    "2024年增长了35%,达到1,200万元(同比)。",
    "客户成功——从“续约”到“增购”……值得一试！",
    "2024 (Q3) — 12.5%",
    "用 Salesforce 管理客户",  # Latin and Chinese: Pillow's
    "e\u0301te\u0301",  # combining accents: Pillow's
)


@pytest.mark.parametrize("size", [TITLE_SIZES[0], 56, TITLE_SIZES[-1]])
def test_titles_drawn_from_kept_glyphs_are_pillows_own_pixels(fonts, size: int) -> None:
    """A title line pasted glyph by glyph is the line Pillow draws, pixel for pixel, on
    Latin, Chinese and real scraped lines; lines that need whole-line shaping are left
    to Pillow."""
    font = cards._font(str(fonts.bold), size)
    drawn = left = 0
    for text in [*DRAWN_TEXTS, *_corpus_lines()]:
        if not text.strip():
            continue
        ours, pillows = Image.new("L", (2400, 4 * size)), Image.new("L", (2400, 4 * size))
        ImageDraw.Draw(pillows).text((40, 2 * size), text, 255, font, anchor="lm")
        if card_glyphs.draw_line(ours, (40, 2 * size), text, font, 255):
            assert ours.tobytes() == pillows.tobytes(), text
            drawn += 1
        else:
            assert ours.getbbox() is None  # nothing drawn: the caller asks Pillow
            left += 1
    assert drawn >= len(DRAWN_TEXTS) - 2
    assert left >= 2  # "用 Salesforce…" and the combining accents at least


def _random_lines(seed: int, count: int) -> list[str]:
    """Lines of letters, digits, brackets, quotes, dashes and ellipses in every order:
    where Pillow's layout gives marks the script of their neighbours, and where it fails
    to."""
    rng = random.Random(seed)
    latin, han = (
        "abcdefghijklmnopqrstuvwxyzAVTWYfiltQéüñÇß",
        "客户成功增长数据管理销售线索营销中国企业的了",
    )
    marks = "0123456789 .,;:!?-—–()[]{}<>“”‘’'\"%&@#/«»$€+=*…"
    han_marks = "，。！？、；：「」『』（）《》【】——……“”0123456789 %（）％·•-"
    lines = []
    for number in range(count):
        letters, others = (latin, marks) if number % 2 else (han, han_marks)
        length = rng.randint(1, 18)
        lines.append(
            "".join(rng.choice(letters if rng.random() < 0.6 else others) for _ in range(length))
        )
    return lines


@pytest.mark.parametrize("seed", [1, 2])
def test_random_lines_drawn_from_kept_glyphs_are_pillows_own_pixels(fonts, seed: int) -> None:
    rng = random.Random(seed)
    drawn = 0
    for text in _random_lines(seed, 300):
        size = rng.choice(TITLE_SIZES)
        font = cards._font(str(fonts.bold), size)
        ours, pillows = Image.new("L", (1600, 4 * size)), Image.new("L", (1600, 4 * size))
        ImageDraw.Draw(pillows).text((60, 2 * size), text, 255, font, anchor="lm")
        if card_glyphs.draw_line(ours, (60, 2 * size), text, font, 255):
            assert ours.tobytes() == pillows.tobytes(), (size, text)
            drawn += 1
    assert drawn >= 250  # most lines: the rest mix scripts or pair brackets out of reach


def test_a_font_is_asked_which_letter_pairs_it_joins(fonts) -> None:
    """Noto Sans draws "fi" as one glyph and "tt" as two that touch: only the first is
    drawn whole."""
    font = cards._font(str(fonts.bold), TITLE_SIZES[0])
    ligatures = card_glyphs._joined(font, "latin")
    assert "fi" in ligatures and "ffi" in ligatures
    assert "tt" not in ligatures and "Th" not in ligatures


def test_glyph_drawn_cards_are_the_cards_pillow_draws(fonts, monkeypatch) -> None:
    """Whole cards with kept glyphs are byte for byte the cards Pillow draws alone."""
    specs = [spec(text, label=label) for text in DRAWN_TEXTS for label in ("", "Webinar")]
    ours = [render_card(s, fonts) for s in specs]
    monkeypatch.setattr(card_glyphs, "draw_line", lambda *args: False)
    assert ours == [render_card(s, fonts) for s in specs]


def test_chinese_breaks_between_any_two_ideographs(title_font) -> None:
    width = title_font.getlength("客户关系管") + 1
    assert wrap_title(CHINESE_TITLE, title_font, width) == ["客户关系管", "理的五个常", "见误区"]


@pytest.mark.parametrize("mark", list(CLOSING))
def test_closing_punctuation_never_starts_a_line(title_font, mark: str) -> None:
    # Greedy filling would put the mark first on line two: it takes the ideograph with it.
    width = title_font.getlength("我们的客") + 1
    lines = wrap_title(f"我们的客{mark}户都说好", title_font, width)
    assert lines == ["我们的", f"客{mark}户都", "说好"]
    assert not any(line[0] in CLOSING for line in lines)


@pytest.mark.parametrize("mark", list(OPENING))
def test_opening_punctuation_never_ends_a_line(title_font, mark: str) -> None:
    width = title_font.getlength("我们的客") + 1
    lines = wrap_title(f"我们的{mark}客户都说好", title_font, width)
    assert lines == ["我们的", f"{mark}客户都", "说好"]
    assert not any(line[-1] in OPENING for line in lines)


def test_mixed_chinese_and_english_keeps_english_words_whole(title_font) -> None:
    width = title_font.getlength("用 Salesforce") + 1
    lines = wrap_title("用 Salesforce 管理客户", title_font, width)
    assert lines == ["用 Salesforce", "管理客户"]


LONG_ENGLISH = (
    "How Ferncastle Payments cut onboarding time from six weeks to nine days with a "
    "shared pipeline, weekly forecast reviews and one source of truth for every account"
)
LONG_CHINESE = (
    "澜岳精工如何在十八个月内把销售周期缩短一半：从线索评分、商机管理到售后续约，"
    "一套客户关系管理流程的完整复盘与经验总结"
)


@pytest.mark.parametrize("text", [LONG_ENGLISH, LONG_CHINESE])
def test_long_titles_shrink_to_fit_four_lines_without_losing_text(fonts: Fonts, text: str) -> None:
    font, lines = fit_title(text, fonts.bold)
    assert len(lines) <= 4
    assert font.size < TITLE_SIZES[0]  # had to shrink
    assert all(font.getlength(line) <= TITLE_WIDTH for line in lines)
    joiner = " " if text is LONG_ENGLISH else ""
    assert joiner.join(lines) == text
    assert not any(line.endswith("…") for line in lines)


def test_short_titles_keep_the_largest_size(fonts: Fonts) -> None:
    font, lines = fit_title("Pricing", fonts.bold)
    assert (font.size, lines) == (TITLE_SIZES[0], ["Pricing"])


@pytest.mark.parametrize("text", [LONG_ENGLISH * 3, LONG_CHINESE * 3])
def test_titles_too_long_for_four_lines_are_cut_with_an_ellipsis(fonts: Fonts, text: str) -> None:
    font, lines = fit_title(text, fonts.bold)
    assert len(lines) == 4
    assert font.size == TITLE_SIZES[-1]
    assert lines[-1].endswith("…")
    assert all(font.getlength(line) <= TITLE_WIDTH for line in lines)


# Colours ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#ffffff", BLACK),
        ("#ffd54a", BLACK),  # brand yellow
        ("#7f7f7f", BLACK),  # mid grey: black contrasts slightly more
        ("#1f4bd8", WHITE),
        ("#000", WHITE),
        ("#0b1f33", WHITE),
    ],
)
def test_text_colour_is_the_one_with_more_contrast(background: str, text: str) -> None:
    assert readable_text_colour(background) == text


def test_colours_parse_in_short_and_long_form() -> None:
    assert parse_colour("#abc") == (0xAA, 0xBB, 0xCC)
    assert parse_colour("#1F4BD8") == (0x1F, 0x4B, 0xD8)
    with pytest.raises(ValueError, match="#rgb or #rrggbb"):
        parse_colour("blue")


def count(png: bytes, colour: tuple[int, int, int]) -> int:
    """How many pixels of the card have exactly `colour`."""
    colours = image(png).convert("RGB").getcolors(CARD_SIZE[0] * CARD_SIZE[1]) or []
    return dict((rgb, number) for number, rgb in colours).get(colour, 0)


def test_titles_are_drawn_dark_on_light_and_light_on_dark(fonts: Fonts) -> None:
    on_light = render_card(spec(brand_colour="#ffd54a"), fonts)
    on_dark = render_card(spec(brand_colour="#0b1f33"), fonts)
    assert count(on_light, (0, 0, 0)) > 2000
    assert count(on_light, (255, 255, 255)) == 0
    assert count(on_dark, (255, 255, 255)) > 2000
    assert count(on_dark, (0, 0, 0)) == 0


def test_an_explicit_text_colour_is_used(fonts: Fonts) -> None:
    card = render_card(spec(brand_colour="#ffffff", text_colour="#c00000"), fonts)
    assert count(card, (0xC0, 0, 0)) > 2000


def test_a_colour_that_does_not_parse_still_gives_a_card(fonts: Fonts) -> None:
    card = render_card(spec(brand_colour="corporate blue"), fonts)
    pixel = image(card).convert("RGB").getpixel((600, 600))
    assert pixel == parse_colour(cards.DEFAULT_BRAND_COLOUR)


# Determinism --------------------------------------------------------------------------------


def test_the_same_spec_gives_byte_identical_pngs_without_metadata(fonts: Fonts) -> None:
    first = render_card(spec(CHINESE_TITLE, label="网络研讨会"), fonts)
    second = render_card(spec(CHINESE_TITLE, label="网络研讨会"), fonts)
    assert first == second
    # A palette image: no time or text chunks.
    assert set(png_chunks(first)) == {"IHDR", "PLTE", "IDAT", "IEND"}


@pytest.mark.parametrize("label", ["Case study", "网络研讨会", "Webinar · 网络研讨会 " * 8])
@pytest.mark.parametrize("site_name", ["Tallyfold", "塔利福德"])
def test_a_label_copied_from_its_tile_has_the_pixels_of_one_drawn_on_the_card(
    fonts: Fonts, label: str, site_name: str
) -> None:
    # A card starts as a copy of the site's blank card, and its label is pasted from a
    # tile drawn once: both must give exactly what drawing on the card itself gives.
    regular = str(fonts.regular)
    for top in (140, 180, 260):
        copied = cards._blank_card(site_name, str(fonts.bold)).copy()
        cards._place_label(copied, label, top, regular)
        drawn = Image.new("L", cards.CARD_SIZE, 0)
        draw = ImageDraw.Draw(drawn)
        cards._draw_decoration(draw)
        site_font = cards._font(str(fonts.bold), cards._SITE_NAME_SIZE)
        draw.text((cards.MARGIN_X, cards._HEADER_Y), site_name, 217, site_font, "lm")
        cards._draw_label(draw, label, top, cards._font(regular, cards._LABEL_SIZE))
        assert copied.tobytes() == drawn.tobytes(), (label, top)


def test_the_palette_png_decodes_to_the_pixels_and_colours_drawn() -> None:
    # Leadpress writes the PNG itself (for a faster deflate); Pillow's decoder and zlib's
    # checksums judge it. Every pixel value and an uneven width, so a row offset shows.
    image = Image.frombytes("L", (257, 3), bytes(range(256)) * 3 + bytes([7, 8, 9]))
    palette = tuple((3 * i + channel) % 256 for i in range(256) for channel in range(3))
    data = cards.palette_png(image, palette)
    decoded = Image.open(io.BytesIO(data))
    decoded.load()  # checks the CRCs and the deflate stream
    assert (decoded.mode, decoded.size) == ("P", (257, 3))
    assert decoded.tobytes() == image.tobytes()
    assert tuple(decoded.getpalette()) == palette


# Cache --------------------------------------------------------------------------------------


def test_the_cache_draws_once_and_reuses_the_file(
    fonts: Fonts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "cache" / "cards"  # created on first use
    cache = CardCache(directory, fonts)
    first = cache.card(spec())
    assert (cache.rendered, cache.reused) == (1, 0)
    files = list(directory.iterdir())
    assert len(files) == 1 and files[0].suffix == ".png" and len(files[0].stem) == 64
    assert files[0].read_bytes() == first == render_card(spec(), fonts)

    def no_drawing(*args: object) -> bytes:
        raise AssertionError("a cached card was drawn again")

    monkeypatch.setattr(cards, "render_card", no_drawing)
    assert cache.card(spec()) == first
    assert (cache.rendered, cache.reused) == (1, 1)
    later_build = CardCache(directory, fonts)
    assert later_build.card(spec()) == first
    assert (later_build.rendered, later_build.reused) == (0, 1)


def test_a_changed_title_or_label_is_drawn_again(fonts: Fonts, tmp_path: Path) -> None:
    cache = CardCache(tmp_path, fonts)
    cache.card(spec("Pipeline coverage"))
    changed = cache.card(spec("Pipeline coverage, revised"))
    cache.card(spec("Pipeline coverage, revised", label="Case study"))
    assert (cache.rendered, cache.reused) == (3, 0)
    assert len(list(tmp_path.glob("*.png"))) == 3
    assert changed == render_card(spec("Pipeline coverage, revised"), fonts)


def test_a_changed_font_file_or_renderer_draws_again(
    latin_fonts: Fonts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    font = tmp_path / "Brand.ttf"
    shutil.copyfile(latin_fonts.bold, font)
    fonts = Fonts(font, font, covers_cjk=False)
    CardCache(tmp_path / "cards", fonts).card(spec())
    os.utime(font, ns=(0, 1_000_000_000))
    after_font = CardCache(tmp_path / "cards", fonts)
    after_font.card(spec())
    monkeypatch.setattr(cards, "RENDERER_VERSION", "next")
    after_renderer = CardCache(tmp_path / "cards", fonts)
    after_renderer.card(spec())
    assert (after_font.rendered, after_renderer.rendered) == (1, 1)
    assert len(list((tmp_path / "cards").glob("*.png"))) == 3


def test_a_failed_write_leaves_no_file_and_still_returns_the_card(
    fonts: Fonts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(source: object, target: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(cards.os, "replace", crash)
    cache = CardCache(tmp_path, fonts)
    assert cache.card(spec()) == render_card(spec(), fonts)
    assert list(tmp_path.iterdir()) == []
