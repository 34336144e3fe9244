"""Reading `campaigns/forms.yml` and writing `site/forms.json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import ValidationError

from ..content.loading import explain_yaml, field_path
from ..problems import Problem
from .models import Form, FormsFile

EXAMPLES = {
    "fields": "fields: [{name: email, type: email, label: Work email, required: true}]",
    "name": "name: company (lowercase letters, digits and _)",
    "type": "type: email (or text, phone, select, checkbox, textarea, hidden)",
    "label": "label: {en: Work email, zh: 工作邮箱}",
    "required": "required: true",
    "max_length": "max_length: 100",
    "min_length": "min_length: 2",
    "choices": "choices: [marketing, sales, {value: cs, label: Customer success}]",
    "thank_you": "thank_you: {page: thank-you.md} or {message: {en: Thanks!}}",
    "webhooks": "webhooks: [https://crm.example.com/hooks/leads]",
    "consent": "consent: {en: 'I agree to the {privacy}.', zh: '我同意{privacy}。'}",
    "min_fill_seconds": "min_fill_seconds: 2",
    "submit": "submit: {en: Register, zh: 立即报名}",
    "title": "title: {en: Register for the webinar}",
}
_REASONS = {
    "bad_field_name": "{value} is not a usable field name (lowercase letters, digits and _; "
    "not one of the names Leadpress reserves for attribution); e.g. `{example}`",
    "select_without_choices": "a select field needs `choices:`, e.g. `{example}`",
    "choices_not_select": "only a `type: select` field has choices",
    "thank_you_empty": "give a page or a message, e.g. `{example}`",
    "duplicate_field": "two fields have the same name; each needs its own",
    "bad_webhook": "{value} is not a web address; write https://... or, to keep a secret URL "
    "out of the published site, env:NAME to read it from the lead service's environment",
}


def _explain(error: dict[str, Any]) -> str:
    loc = error["loc"]
    name = next((p for p in reversed(loc) if isinstance(p, str)), "")
    example = EXAMPLES.get(name, f"{name}: ...")
    value = repr(error.get("input")) if isinstance(error.get("input"), str) else error.get("input")
    if error["type"] == "value_error":
        reason = str(error.get("ctx", {}).get("error", "")).removeprefix("Value error, ")
        key = "choices" if reason == "select_without_choices" else name
        example = EXAMPLES.get(key, example)
        return _REASONS.get(reason, "{value} is not valid; e.g. `{example}`").format(
            value=value, example=example
        )
    if error["type"] == "missing":
        return f"missing; add it, e.g. `{example}`"
    if error["type"] == "extra_forbidden":
        return f"unknown field; known fields here are listed in the README, e.g. `{example}`"
    if error["type"] == "enum":
        return f"{value} is not a field type; e.g. `{EXAMPLES['type']}`"
    return f"{error['msg']} (got {value}); e.g. `{example}`"


def parse_forms(text: str, display_path: str) -> tuple[dict[str, Form], list[Problem]]:
    """`forms.yml` maps each form's name to its definition (optionally under `forms:`)."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        return {}, [Problem(display_path, "", explain_yaml(error, offset=0))]
    if isinstance(data, dict) and isinstance(data.get("forms"), dict):
        data = data["forms"]
    if not isinstance(data, dict):
        example = "`demo-request: {fields: [{name: email, type: email, label: Email}]}`"
        message = f"must map each form's name to its definition, e.g. {example}"
        return {}, [Problem(display_path, "", message)]
    forms: dict[str, Form] = {}
    problems: list[Problem] = []
    for name, definition in data.items():
        if not isinstance(definition, dict):
            problems.append(Problem(display_path, str(name), "must be a mapping with `fields:`"))
            continue
        try:
            forms[str(name)] = Form.model_validate({**definition, "name": str(name)})
        except ValidationError as error:
            for item in error.errors():
                where = f"{name}.{field_path(item['loc'])}" if item["loc"] else str(name)
                problems.append(Problem(display_path, where, _explain(item)))  # type: ignore[arg-type]
    return forms, problems


def load_forms(path: Path, display_path: str) -> tuple[dict[str, Form], list[Problem]]:
    if not path.is_file():
        return {}, []
    return parse_forms(path.read_text(encoding="utf-8"), display_path)


def site_origins(site_url: str, extra: list[str]) -> list[str]:
    """The origins a browser sends with a submission: the site's, and any configured."""
    parts = urlsplit(site_url)
    origins = [f"{parts.scheme}://{parts.netloc}"] if parts.netloc else []
    return sorted({*origins, *(o.rstrip("/") for o in extra)})


def forms_json(forms: dict[str, Form], site_url: str, origins: list[str], days: int) -> str:
    document = FormsFile(site_url=site_url, origins=origins, forms=forms, attribution_days=days)
    return json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def read_forms_json(path: Path) -> FormsFile:
    return FormsFile.model_validate_json(path.read_text(encoding="utf-8"))
