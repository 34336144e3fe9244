"""Forms, defined once in `campaigns/forms.yml`.

The same definition drives the HTML of the form, the checks in the browser, the checks in
the lead service and the columns of the export: `site/forms.json` carries it from the
build to the service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

FORMS_JSON_VERSION = 1
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
FORM_NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Where a visitor came from, kept in the browser and sent with every form as hidden fields:
# the first touch and the last touch before the form.
TOUCH_KEYS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "ref",
    "gclid",
    "gbraid",
    "wbraid",
    "fbclid",
    "msclkid",
    "ttclid",
    "li_fat_id",
    "referrer",
    "landing_path",
    "time",
)
ATTRIBUTION_FIELDS = tuple(f"{touch}_{key}" for touch in ("first", "last") for key in TOUCH_KEYS)
# Other fields the form script sends that are not the visitor's answers.
PAGE_FIELD = "page_path"
STARTED_FIELD = "form_started_at"
KEY_FIELD = "idempotency_key"
HONEYPOT_FIELD = "website"
LANG_FIELD = "lang"  # the page's language, for messages in the visitor's language
SYSTEM_FIELDS = (PAGE_FIELD, STARTED_FIELD, KEY_FIELD, HONEYPOT_FIELD, LANG_FIELD)
ATTRIBUTION_MAX_LENGTH = 500
DEFAULT_THANKS = {
    "en": "Thank you! We will be in touch soon.",
    "zh": "提交成功，我们会尽快与您联系。",
}


class FieldType(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    PHONE = "phone"
    SELECT = "select"
    CHECKBOX = "checkbox"
    TEXTAREA = "textarea"
    HIDDEN = "hidden"


def _to_texts(value: Any) -> Any:
    """`label: Work email` is the shorthand for `label: {en: Work email}`."""
    return {"en": value} if isinstance(value, str) else value


def _check_name(value: str) -> str:
    if not NAME_PATTERN.match(value) or value in SYSTEM_FIELDS or value in ATTRIBUTION_FIELDS:
        raise ValueError("bad_field_name")
    return value


def _check_webhook(value: str) -> str:
    if not re.match(r"^(https?://[^\s/]+\S*|env:[A-Z_][A-Z0-9_]*)$", value):
        raise ValueError("bad_webhook")
    return value


def resolve_webhook(value: str, environ: Mapping[str, str]) -> str | None:
    """A webhook's URL. `env:NAME` keeps a CRM's secret URL out of forms.json (which is
    published with the site): the lead service reads it from its own environment."""
    if value.startswith("env:"):
        return environ.get(value[4:]) or None
    return value


# Text in each language: {en: ..., zh: ...}.
Texts = Annotated[dict[str, str], BeforeValidator(_to_texts)]
FieldName = Annotated[str, AfterValidator(_check_name)]


def text_in(texts: dict[str, str], lang: str) -> str:
    """The text for `lang`, else for its base language, else English, else any."""
    base = lang.split("-")[0]
    for key in (lang, base, "en"):
        if texts.get(key):
            return texts[key]
    return next(iter(texts.values()), "")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Choice(_Strict):
    value: str
    label: Texts

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # `- marketing` is a choice whose label is its value.
        return {"value": data, "label": data} if isinstance(data, str) else data


class FormField(_Strict):
    name: FieldName
    type: FieldType = FieldType.TEXT
    label: Texts
    help: Texts = {}
    placeholder: Texts = {}
    required: bool = False
    min_length: int = Field(default=0, ge=0)
    max_length: int | None = Field(default=None, ge=1, le=10_000)
    choices: list[Choice] = []
    default: str | None = None  # for hidden fields
    autocomplete: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FormField:
        if self.type == FieldType.SELECT and not self.choices:
            raise ValueError("select_without_choices")
        if self.choices and self.type != FieldType.SELECT:
            raise ValueError("choices_not_select")
        return self

    @property
    def limit(self) -> int:
        """The longest value the service accepts, whatever the definition says."""
        defaults = {FieldType.EMAIL: 254, FieldType.PHONE: 40, FieldType.TEXTAREA: 5000}
        return self.max_length or defaults.get(self.type, 200)


class ThankYou(_Strict):
    page: str | None = None  # a page of the site, e.g. thank-you.md
    message: Texts = {}

    @model_validator(mode="after")
    def _one_of(self) -> ThankYou:
        if not self.page and not self.message:
            raise ValueError("thank_you_empty")
        return self


class Form(_Strict):
    name: Annotated[str, Field(pattern=FORM_NAME_PATTERN.pattern)]
    title: Texts = {}
    submit: Texts = {"en": "Submit", "zh": "提交"}
    fields: list[FormField] = Field(min_length=1)
    consent: Texts = {}  # shown above the button; may contain a {privacy} link
    thank_you: ThankYou = ThankYou(message=DEFAULT_THANKS)
    webhooks: list[Annotated[str, AfterValidator(_check_webhook)]] = []
    # Submissions sent faster than this after the form appeared are from bots.
    min_fill_seconds: float = Field(default=2.0, ge=0, le=600)

    @model_validator(mode="after")
    def _unique_names(self) -> Form:
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError("duplicate_field")
        return self

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)


class FormsFile(BaseModel):
    """`site/forms.json`: the forms and what the lead service needs to know of the site."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = FORMS_JSON_VERSION
    site_url: str
    origins: list[str]
    forms: dict[str, Form]
    attribution_fields: list[str] = list(ATTRIBUTION_FIELDS)
    attribution_days: int = 90
