"""Slugs, reading time and URLs: the plain functions behind every published address."""

from __future__ import annotations

import pytest

from leadpress.content.readtime import reading_minutes
from leadpress.content.slugs import is_valid_slug, slugify
from leadpress.content.urls import relative_url, url_of

# Slugs


def test_chinese_title_gets_pinyin_slug() -> None:
    assert slugify("客户关系管理") == "ke-hu-guan-xi-guan-li"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("银行", "yin-hang"),  # 行 is hang in 银行, not xing
        ("银行的线索管理", "yin-hang-de-xian-suo-guan-li"),
        ("行业分析", "hang-ye-fen-xi"),
        ("重庆银行", "chong-qing-yin-hang"),  # 重 is chong in 重庆, not zhong
    ],
)
def test_polyphonic_characters_are_read_as_in_the_phrase(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_mixed_chinese_latin_and_digits_title() -> None:
    assert slugify("2026 年 ToB 增长指南") == "2026-nian-tob-zeng-zhang-zhi-nan"


def test_latin_word_glued_to_chinese_is_its_own_slug_word() -> None:
    assert slugify("CRM系统选型") == "crm-xi-tong-xuan-xing"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Café déjà vu", "cafe-deja-vu"),
        ("Ångström über naïve", "angstrom-uber-naive"),
        ("Señor Müller's résumé", "senor-muller-s-resume"),
    ],
)
def test_accents_are_stripped(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_accents_are_stripped_in_unicode_style_too() -> None:
    assert slugify("Café déjà vu", style="unicode") == "cafe-deja-vu"


@pytest.mark.parametrize(
    ("title", "slug"),
    [("Łódź", "lodz"), ("Søren", "soren"), ("Straße", "strasse")],
)
def test_latin_letters_without_a_separate_accent_are_transliterated_not_dropped(
    title: str, slug: str
) -> None:
    # Ł, ø and ß have no combining accent to strip; the default style must not delete them.
    assert slugify(title) == slug


@pytest.mark.parametrize("style", ["pinyin", "unicode"])
@pytest.mark.parametrize(
    "title",
    [
        "R&D <b>notes</b>: café",
        'Tom & Jerry\'s "best" <script>alert(1)</script>',
        "Q3 营销复盘：线索→商机！",
        "《增长黑客》读书笔记 (2026)",
        "a < b && c > d; e = f?",
        "50% off / #1 deal @ ACME",
    ],
)
def test_punctuation_and_html_characters_never_appear_in_slugs(title: str, style: str) -> None:
    slug = slugify(title, style=style)
    assert slug
    assert is_valid_slug(slug), slug
    assert not set(slug) & set("&<>\"'/:;?#%@=!()[]{}，：！《》→ ")


def test_unicode_style_keeps_chinese() -> None:
    assert slugify("客户关系 管理", style="unicode") == "客户关系-管理"


def test_unicode_style_chinese_slug_is_a_valid_slug() -> None:
    assert is_valid_slug(slugify("2026 年 ToB 增长指南", style="unicode"))


def test_long_title_is_cut_at_a_word_boundary_within_max_length() -> None:
    title = "How to build a revenue operations team that sales and marketing both trust"
    full = slugify(title, max_length=1000)
    slug = slugify(title, max_length=30)
    assert slug == "how-to-build-a-revenue"
    assert len(slug) <= 30
    assert full.startswith(slug + "-")  # whole words only


def test_long_chinese_title_is_cut_between_syllables() -> None:
    slug = slugify("客户关系管理" * 5, max_length=20)
    assert len(slug) <= 20
    assert slug == "ke-hu-guan-xi-guan"


# Reading time


def test_400_chinese_characters_take_about_one_minute() -> None:
    assert reading_minutes("客" * 400) == 1
    assert reading_minutes("客" * 800) == 2


def test_2000_chinese_characters_take_five_minutes() -> None:
    text = ("客户关系管理" * 400)[:2000]
    assert reading_minutes(text) == 5


def test_230_latin_words_take_one_minute() -> None:
    assert reading_minutes("pipeline " * 230) == 1


def test_2300_latin_words_take_ten_minutes() -> None:
    assert reading_minutes("pipeline " * 2300) == 10


def test_mixed_text_adds_chinese_and_latin_reading_time() -> None:
    text = "客" * 1200 + " " + "word " * 690  # 3 minutes of Chinese + 3 of English
    assert reading_minutes(text) == 6


def test_fenced_code_is_not_counted() -> None:
    code = "```python\n" + "print('hello world')\n" * 2000 + "```\n"
    assert reading_minutes("A short intro.\n\n" + code + "\nThe end.\n") == 1


def test_tilde_fenced_code_is_not_counted() -> None:
    # `~~~` fences are code blocks in Markdown just like backtick fences.
    code = "~~~python\n" + "print('hello world')\n" * 2000 + "~~~\n"
    assert reading_minutes("A short intro.\n\n" + code + "\nThe end.\n") == 1


@pytest.mark.parametrize("text", ["", "Hi.", "客", "```\ncode only\n```"])
def test_reading_time_is_at_least_one_minute(text: str) -> None:
    assert reading_minutes(text) == 1


# URLs


@pytest.mark.parametrize(
    ("uri", "url"),
    [
        ("about.md", "about/"),
        ("articles/index.md", "articles/"),
        ("articles/five-metrics/index.md", "articles/five-metrics/"),
        ("index.md", ""),
    ],
)
def test_page_gets_a_directory_url(uri: str, url: str) -> None:
    assert url_of(uri) == url


@pytest.mark.parametrize(
    ("uri", "url"),
    [
        ("about.md", "about.html"),
        ("articles/index.md", "articles/index.html"),
        ("articles/five-metrics/index.md", "articles/five-metrics/index.html"),
        ("index.md", "index.html"),
    ],
)
def test_without_directory_urls_pages_end_in_html(uri: str, url: str) -> None:
    assert url_of(uri, directory_urls=False) == url


def test_url_of_a_chinese_path_is_percent_encoded() -> None:
    assert url_of("客户/x.md") == "%E5%AE%A2%E6%88%B7/x/"


@pytest.mark.parametrize(
    ("target", "base", "link"),
    [
        ("articles/b/", "articles/a/", "../b/"),
        ("articles/", "articles/a/", "../"),
        ("articles/a/", "articles/", "a/"),
        ("articles/a/", "articles/page/2/", "../../a/"),
        ("about/", "", "about/"),
        ("articles/a/", "articles/a/", "./"),
    ],
)
def test_relative_link_between_directory_urls(target: str, base: str, link: str) -> None:
    assert relative_url(target, base) == link


@pytest.mark.parametrize(
    ("target", "base", "link"),
    [
        ("articles/b/index.html", "articles/a/index.html", "../b/index.html"),
        ("about.html", "articles/x.html", "../about.html"),
        ("articles/x.html", "about.html", "articles/x.html"),
    ],
)
def test_relative_link_between_html_file_urls(target: str, base: str, link: str) -> None:
    assert relative_url(target, base) == link


@pytest.mark.parametrize(
    ("base", "link"),
    [
        ("", "./"),
        ("about/", "../"),
        ("articles/a/", "../../"),
        ("articles/page/2/", "../../../"),
    ],
)
def test_link_to_the_home_page_with_directory_urls(base: str, link: str) -> None:
    assert relative_url(url_of("index.md"), base) == link


@pytest.mark.parametrize(
    ("base", "link"),
    [
        ("index.html", "index.html"),
        ("about.html", "index.html"),
        ("articles/a/index.html", "../../index.html"),
    ],
)
def test_link_to_the_home_page_without_directory_urls(base: str, link: str) -> None:
    assert relative_url(url_of("index.md", directory_urls=False), base) == link
