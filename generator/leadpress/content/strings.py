"""Interface strings and date formats of the generated parts of pages, per language."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "articles": "Articles",
        "articles_description": "Guides, analysis and how-tos from {site}, with the newest first.",
        "category": "Category: {name}",
        "category_description": "All articles from {site} about {name}, with the newest first.",
        "tag": "Tagged “{name}”",
        "tag_description": "All articles from {site} tagged “{name}”, with the newest first.",
        "case_studies": "Case studies",
        "case_studies_description": (
            "How customers work with {site}: where they started, "
            "what they changed and the results they measured."
        ),
        "industry": "Case studies: {name}",
        "industry_description": (
            "Case studies from {name}: how these companies "
            "work with {site} and the results they measured."
        ),
        "industries": "By industry",
        "webinars": "Webinars",
        "webinars_description": (
            "Live online sessions from {site}: register for the "
            "next one, or watch the recordings of past sessions."
        ),
        "upcoming": "Upcoming",
        "past": "Past webinars",
        "none_upcoming": "No webinar is scheduled right now. Watch a recording below.",
        "authors": "Authors",
        "authors_description": (
            "The people who write for {site}: their roles, their backgrounds and their articles."
        ),
        "author_description": "All articles by {name} for {site}, with the newest first.",
        "author_page": "{name}",
        "by": "By",
        "minutes": "{n} min read",
        "published": "Published",
        "updated": "Updated",
        "related": "Related reading",
        "tags": "Tags",
        "categories": "Categories",
        "page_of": "Page {page} of {pages}",
        "newer": "Newer",
        "older": "Older",
        "pagination": "Pagination",
        "customer": "Customer",
        "industry_label": "Industry",
        "company_size": "Company size",
        "results": "Results",
        "status_upcoming": "Upcoming webinar",
        "status_past": "On demand",
        "when": "When",
        "duration": "Duration",
        "duration_value": "{n} minutes",
        "speakers": "Speakers",
        "register": "Register for free",
        "register_note": "Free and online. Registration closes when the session starts, {when}.",
        "watch": "Watch the recording",
        "recording_soon": "The recording will be available here soon.",
        "no_entries": "Nothing published here yet.",
        "home": "Home",
        "search": "Search",
        "campaign_ended": "This offer has ended.",
        "campaign_ended_note": "Thank you for your interest. Here is what we have published since:",
        "campaign_upcoming": "This offer opens on {date}.",
        "customers_say": "What customers say",
        "faq": "Frequently asked questions",
        "privacy": "Privacy notice",
        "read_case_study": "Read the case study",
        "label_article": "Article",
        "label_case-study": "Case study",
        "label_webinar": "Webinar",
        "label_page": "",
        "label_landing": "",
    },
    "zh": {
        "articles": "文章",
        "articles_description": "{site} 的实用指南、分析与方法论文章，按发布时间从新到旧排列。",
        "category": "分类：{name}",
        "category_description": "{site} 关于“{name}”的全部文章，按发布时间从新到旧排列。",
        "tag": "标签：{name}",
        "tag_description": "{site} 标记为“{name}”的全部文章，按发布时间从新到旧排列。",
        "case_studies": "客户案例",
        "case_studies_description": (
            "客户如何使用 {site}：他们的起点、做出的改变，以及可衡量的成果。"
        ),
        "industry": "客户案例：{name}",
        "industry_description": "{name}行业的客户案例：这些企业如何使用 {site}，以及取得的成果。",
        "industries": "按行业",
        "webinars": "在线研讨会",
        "webinars_description": "{site} 的在线直播：报名参加下一场，或观看往期直播的回放视频。",
        "upcoming": "即将开始",
        "past": "往期回放",
        "none_upcoming": "暂无排期的直播，欢迎观看往期回放。",
        "authors": "作者",
        "authors_description": (
            "为 {site} 撰稿的作者：认识他们的职位与从业背景，并按作者浏览他们写过的全部文章。"
        ),
        "author_description": "{name} 为 {site} 撰写的全部文章，按发布时间从新到旧排列。",
        "author_page": "{name}的文章",
        "by": "作者",
        "minutes": "阅读约 {n} 分钟",
        "published": "发布于",
        "updated": "更新于",
        "related": "相关阅读",
        "tags": "标签",
        "categories": "分类",
        "page_of": "第 {page} 页，共 {pages} 页",
        "newer": "较新",
        "older": "较早",
        "pagination": "分页",
        "customer": "客户",
        "industry_label": "行业",
        "company_size": "企业规模",
        "results": "成果",
        "status_upcoming": "即将开始的研讨会",
        "status_past": "回放",
        "when": "时间",
        "duration": "时长",
        "duration_value": "{n} 分钟",
        "speakers": "嘉宾",
        "register": "免费报名",
        "register_note": "免费在线参加，报名截止于直播开始时（{when}）。",
        "watch": "观看回放",
        "recording_soon": "回放视频即将上线。",
        "no_entries": "这里还没有内容。",
        "home": "首页",
        "search": "搜索",
        "campaign_ended": "本活动已结束。",
        "campaign_ended_note": "感谢关注。以下是我们最近发布的内容：",
        "campaign_upcoming": "本活动将于{date}开始。",
        "customers_say": "客户怎么说",
        "faq": "常见问题",
        "privacy": "隐私声明",
        "read_case_study": "阅读客户案例",
        "label_article": "文章",
        "label_case-study": "客户案例",
        "label_webinar": "在线研讨会",
        "label_page": "",
        "label_landing": "",
    },
}


def base_language(lang: str) -> str:
    code = lang.split("-")[0].lower()
    return code if code in _STRINGS else "en"


@cache
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(base_language(lang))


def translate(lang: str, key: str, **values: object) -> str:
    """An interface string in `lang` (English where Leadpress has no translation), with
    numbers written the locale's way (1,234 or 1 234)."""
    shown = {
        name: _number(value, lang) if type(value) is int else value  # not a bool
        for name, value in values.items()
    }
    return _STRINGS[base_language(lang)][key].format(**shown)


# Babel formats a number or a date in tens of microseconds, and the pages of a site show the
# same few (reading times, publication dates in every listing) thousands of times.
@cache
def _number(value: int, lang: str) -> str:
    return format_decimal(value, locale=_locale(lang))


def format_date(moment: datetime, lang: str) -> str:
    """The date as the locale writes it in full: November 23, 2026; 2026年11月23日 (CLDR)."""
    return _long_date(moment.date(), lang)


@cache
def _long_date(day: date, lang: str) -> str:
    return babel_format_date(day, format="long", locale=_locale(lang))


def format_datetime(moment: datetime, lang: str) -> str:
    """Date and time as written, with the UTC offset, so every reader can convert it."""
    offset = moment.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else ""
    clock = moment.strftime("%H:%M")
    if base_language(lang) == "zh":
        return f"{format_date(moment, lang)} {clock}（{zone}）"
    return f"{format_date(moment, lang)}, {clock} ({zone})"
