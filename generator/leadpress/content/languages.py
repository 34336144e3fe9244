"""The languages a site publishes in, where each one's pages live, and how they are named.

A multilingual site keeps each language's pages in a folder named by its code
(`content/zh/articles/x.md`, `content/en/about.md`). The first language is the default:
its pages are published at the site's root, the others under `/<code>/`. A page's
translations are the pages of other languages at the same path inside their folder, or
with the same `translation_key`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global


@dataclass(frozen=True)
class Languages:
    codes: tuple[str, ...] = ("en",)

    @property
    def default(self) -> str:
        return self.codes[0]

    @property
    def multilingual(self) -> bool:
        return len(self.codes) > 1

    def split(self, src_uri: str) -> tuple[str | None, str]:
        """`zh/articles/x.md` -> ("zh", "articles/x.md") when zh is one of the site's languages."""
        if self.multilingual:
            head, sep, rest = src_uri.partition("/")
            if sep and head in self.codes:
                return head, rest
        return None, src_uri

    def prefix(self, lang: str) -> str:
        """Where a language's pages are published: "" for the default, "zh/" for Chinese."""
        if not self.multilingual or lang == self.default or lang not in self.codes:
            return ""
        return f"{lang}/"

    def home_uri(self, lang: str) -> str:
        return f"{self.prefix(lang)}index.md"

    def group(self, lang: str) -> str:
        """The site language a page of `lang` is listed with (the default for any other)."""
        return lang if lang in self.codes else self.default


def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang, sep="-")
    except (UnknownLocaleError, ValueError):
        return None


@cache
def display_name(lang: str) -> str:
    """A language's name in itself, for a language switcher: English, 中文, Deutsch."""
    locale = _locale(lang)
    name = locale.get_display_name(locale) if locale else None
    return (name[:1].upper() + name[1:]) if name else lang


@cache
def territory_locale(lang: str) -> str:
    """The locale with its most likely territory, as Open Graph wants it: zh -> zh_CN."""
    locale = _locale(lang)
    if locale is None:
        return lang.replace("-", "_")
    if not locale.territory:
        likely = get_global("likely_subtags").get(str(locale))
        if likely:
            locale = Locale.parse(likely)
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language
