"""Checking one submission against its form: the rules the lead service enforces.

The browser runs the same rules (from `forms.json`) for quick feedback, but only this code
decides what is stored. Values are kept as text exactly as sent, minus control characters;
escaping is the job of whatever shows them later.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from .models import (
    ATTRIBUTION_FIELDS,
    ATTRIBUTION_MAX_LENGTH,
    HONEYPOT_FIELD,
    KEY_FIELD,
    PAGE_FIELD,
    STARTED_FIELD,
    SYSTEM_FIELDS,
    FieldType,
    Form,
    FormField,
    text_in,
)

# A pragmatic address check: one @, a dot in the domain, no spaces or angle brackets.
EMAIL = re.compile(r"^[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\"]{2,}$")
PHONE = re.compile(r"^\+?[0-9 ()./-]{5,40}$")
_TRUE = {"on", "true", "1", "yes"}

MESSAGES = {
    "en": {
        "required": "Please fill in {label}.",
        "too_long": "{label} is too long (at most {n} characters).",
        "too_short": "{label} is too short (at least {n} characters).",
        "email": "Please enter an email address such as name@company.com.",
        "phone": "Please enter a phone number, digits with an optional + in front.",
        "choice": "Please choose one of the options for {label}.",
        "unknown": "This form has no field called {name}.",
        "queued": "Saved. We will send it as soon as the connection is back.",
    },
    "zh": {
        "required": "请填写{label}。",
        "too_long": "{label}过长（最多 {n} 个字符）。",
        "too_short": "{label}过短（至少 {n} 个字符）。",
        "email": "请输入有效的邮箱地址，例如 name@company.com。",
        "phone": "请输入电话号码，可以 + 开头。",
        "choice": "请为{label}选择一个选项。",
        "unknown": "此表单没有名为 {name} 的字段。",
        "queued": "已保存，网络恢复后会自动提交。",
    },
}


@dataclass
class Submission:
    """A checked submission: the visitor's answers, where they came from, and what is wrong."""

    values: dict[str, str] = field(default_factory=dict)
    attribution: dict[str, str] = field(default_factory=dict)
    page_path: str = ""
    started_at: float | None = None  # milliseconds since the epoch, from the browser
    idempotency_key: str | None = None
    honeypot_filled: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.honeypot_filled


def clean_text(value: str) -> str:
    """Drop control and format characters (NUL, bidi overrides, zero-width) but keep line
    breaks and tabs in long text; trim the ends."""
    kept = "".join(
        char
        for char in value
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co")
    )
    return unicodedata.normalize("NFC", kept).strip()


def _one(raw: str | list[str] | None) -> str:
    if isinstance(raw, list):
        return raw[-1] if raw else ""
    return raw or ""


def _message(lang: str, key: str, **values: object) -> str:
    table = MESSAGES.get(lang.split("-")[0], MESSAGES["en"])
    return table[key].format(**values)


def check_field(form_field: FormField, raw: str, lang: str = "en") -> tuple[str, str | None]:
    """(the value to store, an error message or None)."""
    label = text_in(form_field.label, lang)
    if form_field.type == FieldType.CHECKBOX:
        checked = raw.strip().lower() in _TRUE
        if form_field.required and not checked:
            return "", _message(lang, "required", label=label)
        return ("true" if checked else ""), None
    value = clean_text(raw)
    if form_field.type != FieldType.TEXTAREA:
        value = " ".join(value.split())  # one line: no line breaks smuggled into a name
    if not value:
        return "", _message(lang, "required", label=label) if form_field.required else None
    if len(value) > form_field.limit:
        return "", _message(lang, "too_long", label=label, n=form_field.limit)
    if len(value) < form_field.min_length:
        return "", _message(lang, "too_short", label=label, n=form_field.min_length)
    if form_field.type == FieldType.EMAIL and not EMAIL.match(value):
        return "", _message(lang, "email")
    if form_field.type == FieldType.PHONE and not PHONE.match(value):
        return "", _message(lang, "phone")
    if form_field.type == FieldType.SELECT and value not in {c.value for c in form_field.choices}:
        return "", _message(lang, "choice", label=label)
    return value, None


def check_submission(
    form: Form, data: Mapping[str, str | list[str]], lang: str = "en"
) -> Submission:
    """Check every field of `data` against `form`. Unknown fields are errors, so nothing a
    form does not define is ever stored."""
    result = Submission()
    known = {f.name for f in form.fields}
    for form_field in form.fields:
        value, error = check_field(form_field, _one(data.get(form_field.name)), lang)
        if error:
            result.errors[form_field.name] = error
        elif value:
            result.values[form_field.name] = value
    for name in ATTRIBUTION_FIELDS:
        value = clean_text(_one(data.get(name)))[:ATTRIBUTION_MAX_LENGTH]
        if value:
            result.attribution[name] = " ".join(value.split())
    result.page_path = clean_text(_one(data.get(PAGE_FIELD)))[:ATTRIBUTION_MAX_LENGTH]
    started = _one(data.get(STARTED_FIELD)).strip()
    try:
        result.started_at = float(started) if started else None
    except ValueError:
        result.started_at = None
    key = clean_text(_one(data.get(KEY_FIELD)))
    result.idempotency_key = key[:200] or None
    result.honeypot_filled = bool(_one(data.get(HONEYPOT_FIELD)).strip())
    allowed = known | set(ATTRIBUTION_FIELDS) | set(SYSTEM_FIELDS)
    for name in sorted(set(data) - allowed):
        result.errors[name[:60]] = _message(lang, "unknown", name=name[:60])
    return result
