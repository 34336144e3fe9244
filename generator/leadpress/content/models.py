"""Typed content models: what a page's front matter means, independent of any site engine."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)

from .slugs import is_valid_slug


class ContentType(StrEnum):
    ARTICLE = "article"
    CASE_STUDY = "case-study"
    WEBINAR = "webinar"
    PAGE = "page"
    LANDING = "landing"


# Types that are listed, related and fed; pages and landing pages stand alone.
LISTED_TYPES = (ContentType.ARTICLE, ContentType.CASE_STUDY, ContentType.WEBINAR)


# Front-matter keys that MkDocs and Material read themselves; accepted on every page.
ENGINE_KEYS = frozenset(
    {"template", "hide", "search", "icon", "status", "subtitle", "comments", "tags_title"}
)


def _to_datetime(value: Any, info: ValidationInfo) -> datetime:
    """Accept a YAML date, a YAML timestamp or an ISO 8601 string.

    A date or a time without offset is read in the site's time zone (passed as context,
    UTC when none is given), so that every moment can be compared with the build's clock.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not_a_date") from None
    else:
        raise ValueError("not_a_date")
    if moment.tzinfo is None:
        zone: tzinfo = (info.context or {}).get("timezone") or UTC
        moment = moment.replace(tzinfo=zone)
    return moment


def _to_zoned_datetime(value: Any) -> datetime:
    """Like `_to_datetime`, but the time and its UTC offset must both be written out."""
    if isinstance(value, str):
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
            raise ValueError("no_time")
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not_a_datetime") from None
    if not isinstance(value, datetime):
        raise ValueError("not_a_datetime" if not isinstance(value, date) else "no_time")
    if value.tzinfo is None:
        raise ValueError("no_timezone")
    return value


def _to_minutes(value: Any) -> int:
    """Duration in minutes from `60`, `"90 min"`, `"1h 30m"` or ISO 8601 `"PT1H30M"`."""
    if isinstance(value, bool):
        raise ValueError("not_a_duration")
    if isinstance(value, int):
        minutes = value
    elif isinstance(value, str):
        text = value.strip().lower()
        match = re.fullmatch(
            r"(?:pt)?\s*(?:(\d+)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?)?)?)?", text
        )
        if text.isdigit():
            minutes = int(text)
        elif match and any(match.groups()):
            minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
        else:
            raise ValueError("not_a_duration")
    else:
        raise ValueError("not_a_duration")
    if not 0 < minutes <= 24 * 60:
        raise ValueError("not_a_duration")
    return minutes


def _to_list(value: Any) -> Any:
    """`tags: pipeline` is read as `tags: [pipeline]`, the way a marketer means it."""
    return [value] if isinstance(value, str) else value


def _check_slug(value: str | None) -> str | None:
    if value is not None and not is_valid_slug(value):
        raise ValueError("bad_slug")
    return value


def _check_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        raise ValueError("bad_url")
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("blank")
    return value.strip()


Text = Annotated[str, AfterValidator(_non_blank)]
Moment = Annotated[datetime, BeforeValidator(_to_datetime)]
ZonedMoment = Annotated[datetime, BeforeValidator(_to_zoned_datetime)]
Minutes = Annotated[int, BeforeValidator(_to_minutes)]
Slug = Annotated[str | None, AfterValidator(_check_slug)]
Url = Annotated[str | None, AfterValidator(_check_url)]
Labels = Annotated[list[Text], BeforeValidator(_to_list)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Author(_Strict):
    id: str
    name: Text
    title: str | None = None
    bio: str | None = None
    url: Url = None
    avatar: str | None = None


class Metric(_Strict):
    """One result of a case study, e.g. `Lead-to-demo rate: +38%`."""

    metric: Text
    value: Text

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        # `- Lead-to-demo rate: "+38%"` is the shorthand for {metric, value}.
        if isinstance(data, dict) and len(data) == 1 and "metric" not in data:
            ((metric, value),) = data.items()
            data = {"metric": str(metric), "value": value}
        # A number written without quotes (`Demos booked: 120`) is still a value to show.
        if isinstance(data, dict) and isinstance(data.get("value"), int | float):
            data = {**data, "value": str(data["value"])}
        return data


class Quote(_Strict):
    text: Text
    author: Text
    role: str | None = None


class Speaker(_Strict):
    name: Text
    title: str | None = None
    company: str | None = None


class Entry(_Strict):
    """Fields every content page shares."""

    type: ContentType | None = None
    title: Text
    description: str | None = None
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    slug: Slug = None
    # Ties translations together when their paths differ; the same value on each of them.
    translation_key: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")
    image: str | None = None
    draft: bool = False
    noindex: bool = False
    tags: Labels = []
    # Anything a site's own templates want, kept out of the checked fields.
    extra: dict[str, Any] = {}
    # Engine keys (template, hide, ...) pass through untouched.
    template: str | None = None
    hide: list[str] = []
    search: dict[str, Any] | None = None
    icon: str | None = None
    status: str | None = None
    subtitle: str | None = None
    comments: bool | None = None


class Page(Entry):
    """A plain page (home, about, privacy): nothing is required but what MkDocs needs."""

    title: Text | None = None  # type: ignore[assignment]
    date: Moment | None = None
    updated: Moment | None = None


class Article(Entry):
    date: Moment
    updated: Moment | None = None
    authors: Labels = []
    categories: Labels = []


class CaseStudy(Article):
    customer: Text
    industry: Text
    company_size: str | None = None
    results: list[Metric] = []
    quote: Quote | None = None


class Webinar(Entry):
    date: Moment | None = None
    start: ZonedMoment
    duration: Minutes = 60
    speakers: list[Speaker] = Field(min_length=1)
    registration_form: Slug = None
    recording_url: Url = None
    authors: Labels = []
    categories: Labels = []

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration)


class Landing(Page):
    """A landing page written in Markdown (`type: landing`): the site's look without its
    navigation; `campaign` ties it to a campaign of `campaigns/`."""

    campaign: Slug = None
    form: Slug = None


MODEL_BY_TYPE: dict[ContentType, type[Entry]] = {
    ContentType.ARTICLE: Article,
    ContentType.CASE_STUDY: CaseStudy,
    ContentType.WEBINAR: Webinar,
    ContentType.PAGE: Page,
    ContentType.LANDING: Landing,
}
