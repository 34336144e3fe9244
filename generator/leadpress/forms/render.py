"""The HTML of a form, from its definition, in the page's language."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

from jinja2 import Environment
from markupsafe import Markup

from .models import FieldType, Form, FormField, text_in
from .validation import MESSAGES

CHOOSE = {"en": "Choose…", "zh": "请选择"}
PRIVACY = {"en": "privacy notice", "zh": "隐私声明"}


@dataclass(frozen=True)
class FieldView:
    """One field with its texts resolved for a language, as the template shows it."""

    field: FormField
    lang: str

    def __getattr__(self, name: str):
        return getattr(self.field, name)

    @property
    def label_text(self) -> str:
        return text_in(self.field.label, self.lang)

    @property
    def help_text(self) -> str:
        return text_in(self.field.help, self.lang) if self.field.help else ""

    @property
    def placeholder_text(self) -> str:
        return text_in(self.field.placeholder, self.lang) if self.field.placeholder else ""

    @property
    def input_type(self) -> str:
        return {FieldType.PHONE: "tel"}.get(self.field.type, self.field.type.value)

    @property
    def choice_texts(self) -> list[dict[str, str]]:
        return [{"value": c.value, "label": text_in(c.label, self.lang)} for c in self.choices]


def consent_html(form: Form, lang: str, privacy_url: str | None) -> Markup | None:
    """The consent text, escaped, with `{privacy}` as a link to the privacy notice."""
    if not form.consent:
        return None
    text = escape(text_in(form.consent, lang))
    words = PRIVACY.get(lang.split("-")[0], PRIVACY["en"])
    link = f'<a href="{escape(privacy_url)}">{escape(words)}</a>' if privacy_url else words
    return Markup(text.replace("{privacy}", link))


def form_html(
    env: Environment,
    form: Form,
    *,
    lang: str,
    action: str,
    thank_you_url: str | None,
    privacy_url: str | None,
    attribution_days: int,
    form_id: str | None = None,
) -> str:
    base = lang.split("-")[0]
    messages = MESSAGES.get(base, MESSAGES["en"])
    return env.get_template("leadpress/form.html").render(
        form=form,
        form_id=form_id or f"lp-{form.name}",
        lang=lang,
        action=action,
        thank_you_url=thank_you_url,
        title=text_in(form.title, lang) if form.title else "",
        submit=text_in(form.submit, lang),
        consent=consent_html(form, lang, privacy_url),
        fields=[FieldView(f, lang) for f in form.fields],
        choose=CHOOSE.get(base, CHOOSE["en"]),
        messages=json.dumps(messages, ensure_ascii=False),
        attribution_days=attribution_days,
    )
