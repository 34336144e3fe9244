"""What a campaign file (`campaigns/<name>.yml`) means, checked as strictly as front matter."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..content.models import Moment, Slug, Text

CODE_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _check_code(value: str | None) -> str | None:
    if value is not None and (not CODE_PATTERN.match(value) or len(value) > 40):
        raise ValueError("bad_code")
    return value


def _check_id(value: str) -> str:
    if not CODE_PATTERN.match(value):
        raise ValueError("bad_id")
    return value


def _end_of_day(value: Any) -> Any:
    """A campaign that ends on a date runs to the end of that day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(23, 59, 59))
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", value):
        return value.strip() + "T23:59:59"
    return value


def _to_point(value: Any) -> Any:
    """`- Forecast in one hour` is the shorthand for `{title: Forecast in one hour}`."""
    return {"title": value} if isinstance(value, str) else value


Code = Annotated[str | None, AfterValidator(_check_code)]
EndMoment = Annotated[Moment, BeforeValidator(_end_of_day)]
Id = Annotated[str, AfterValidator(_check_id)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Utm(_Strict):
    """Default UTM values; each channel may override any of them."""

    source: str | None = None
    medium: str | None = None
    campaign: str | None = None
    content: str | None = None
    term: str | None = None


class ValuePoint(_Strict):
    title: Text
    text: str | None = None


class Proof(_Strict):
    """Case studies shown as social proof: those with any of these tags or industries."""

    tags: list[Text] = []
    industries: list[Text] = []
    limit: int = Field(default=3, ge=1, le=12)


class CallToAction(_Strict):
    label: Text
    # A page of the site (`webinars/launch.md#register`, `/contact/`) or a URL on an
    # allowed host.
    url: Text


class Question(_Strict):
    q: Text
    a: Text


class Landing(_Strict):
    variant: Slug = None  # None: the campaign's main page at /<campaign-slug>/
    title: str | None = None  # the page title; the headline by default
    headline: Text
    subheading: str | None = None
    description: str | None = None
    image: str | None = None
    image_alt: str | None = None
    value_points: list[Annotated[ValuePoint, BeforeValidator(_to_point)]] = []
    proof: Proof | None = None
    form: Slug = None
    cta: CallToAction | None = None
    faq: list[Question] = []
    noindex: bool | None = None  # None: the campaign's setting

    @model_validator(mode="after")
    def _has_a_path(self) -> Landing:
        if self.form is None and self.cta is None:
            raise ValueError("no_action")
        return self


class Channel(_Strict):
    id: Id
    name: Text
    utm_source: Text
    utm_medium: Text
    utm_content: str | None = None
    utm_term: str | None = None
    landing: Slug = None  # a variant; the main landing page by default
    url: str | None = None  # another target: a page of the site, or a URL on an allowed host
    code: Code = None


class Partner(_Strict):
    """A referral partner or seed customer: their link carries `ref=<code>`."""

    id: Id
    name: Text
    reward: str | None = None
    landing: Slug = None
    url: str | None = None
    code: Code = None
    utm_source: str | None = None
    utm_medium: str = "referral"


class Campaign(_Strict):
    name: Text
    slug: Annotated[str, AfterValidator(_check_id)]
    start: Moment
    end: EndMoment
    goal: str | None = None
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    utm: Utm = Utm()
    noindex: bool = False
    publish_links: bool = False
    landing: list[Landing] = Field(min_length=1)
    channels: list[Channel] = []
    partners: list[Partner] = []

    @model_validator(mode="after")
    def _dates_in_order(self) -> Campaign:
        if self.end < self.start:
            raise ValueError("end_before_start")
        return self

    def is_running(self, now: datetime) -> bool:
        return self.start <= now <= self.end
