"""Reading `campaigns/*.yml`: every mistake becomes a Problem naming the file and field."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..content.loading import explain_yaml, field_path
from ..problems import Problem
from .models import Campaign

# Files in the campaigns folder that are not campaigns.
NOT_CAMPAIGNS = {"forms.yml", "forms.yaml"}

EXAMPLES = {
    "name": "name: Spring launch 2027",
    "slug": "slug: spring-launch (lowercase letters, digits and dashes)",
    "start": "start: 2027-03-01",
    "end": "end: 2027-04-30",
    "goal": "goal: webinar registrations",
    "lang": "lang: zh",
    "utm": "utm: {source: tallyfold, medium: email, campaign: spring-launch}",
    "landing": "landing: [{headline: ..., cta: {label: Book a demo, url: /contact/}}]",
    "variant": "variant: cfo",
    "headline": "headline: Forecast renewals your CFO trusts",
    "value_points": "value_points: [{title: One view of renewals, text: ...}]",
    "proof": "proof: {tags: [renewals], limit: 2}",
    "tags": "tags: [renewals]",
    "industries": "industries: [Logistics]",
    "limit": "limit: 2",
    "form": "form: webinar-registration",
    "cta": "cta: {label: Save your seat, url: webinars/launch.md#register}",
    "label": "label: Save your seat",
    "url": "url: webinars/launch.md#register (a page of the site) or https://partner.example/",
    "faq": "faq: [{q: Is it free?, a: Yes.}]",
    "q": "q: Is it free?",
    "a": "a: Yes, and the recording is sent to everyone who registers.",
    "channels": "channels: [{id: newsletter, name: Newsletter, utm_source: newsletter, "
    "utm_medium: email}]",
    "partners": "partners: [{id: northwind, name: Northwind Advisory}]",
    "id": "id: linkedin-ads (lowercase letters, digits and dashes)",
    "utm_source": "utm_source: linkedin",
    "utm_medium": "utm_medium: paid-social",
    "code": "code: spring-li (lowercase letters, digits and dashes, at most 40)",
    "reward": "reward: One month free for each customer referred",
    "noindex": "noindex: true",
    "publish_links": "publish_links: true",
}

_REASONS = {
    "not_a_date": "{value} is not a date; write it as YYYY-MM-DD, e.g. `{example}`",
    "bad_slug": "{value} is not a valid slug; use lowercase letters, digits and single "
    "dashes, e.g. `{example}`",
    "bad_id": "{value} is not a valid id; use lowercase letters, digits and single dashes, "
    "e.g. `{example}`",
    "bad_code": "{value} is not a valid code; use only a-z, 0-9 and dashes, at most 40 "
    "characters, e.g. `{example}`",
    "blank": "is empty; write a value, e.g. `{example}`",
}
# Rules about several fields at once, reported at the field a marketer would change.
_WHOLE_MODEL = {
    "end_before_start": (
        "end",
        "{end} is before start ({start}); the campaign must end after it starts, e.g. `{example}`",
    ),
    "no_action": (
        "cta",
        "a landing page needs a `form:` or a `cta:` so visitors can act, e.g. `{example}`",
    ),
}


@dataclass(frozen=True)
class CampaignFile:
    path: str  # as the user sees it, e.g. campaigns/spring-launch.yml
    campaign: Campaign


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel]:
    model: type[BaseModel] = Campaign
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        nested = [
            a
            for a in (annotation, *getattr(annotation, "__args__", ()))
            if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if not nested:
            break
        model = nested[0]
    return model


def _explain(error: dict[str, Any], data: dict[str, Any]) -> tuple[str, str]:
    """(field path, what is wrong and what would be right) for one pydantic error."""
    loc = tuple(error["loc"])
    path = field_path(loc)
    field = next((p for p in reversed(loc) if isinstance(p, str)), "")
    example = EXAMPLES.get(field, f"{field}: ...")
    value = _show(error.get("input"))
    code = error["type"]
    if code == "value_error":
        reason = str(error.get("ctx", {}).get("error", "")).removeprefix("Value error, ")
        if reason in _WHOLE_MODEL:
            name, template = _WHOLE_MODEL[reason]
            example = EXAMPLES[name]
            where = f"{path}.{name}" if path else name
            return where, template.format(
                example=example, start=data.get("start"), end=data.get("end")
            )
        return path, _REASONS.get(reason, "{value} is not valid; e.g. `{example}`").format(
            value=value, example=example
        )
    if code == "missing":
        return path, f"missing; add it, e.g. `{example}`"
    if code == "extra_forbidden":
        known = sorted(_model_at(loc[:-1]).model_fields)
        close = difflib.get_close_matches(field, known, n=1)
        hint = f"did you mean `{close[0]}`?" if close else "known fields: " + ", ".join(known)
        return path, f"unknown field; {hint}"
    if code == "too_short":
        return path, f"needs at least one entry; e.g. `{example}`"
    if code in ("list_type", "dict_type", "model_type", "string_type", "bool_type"):
        wanted = {"list_type": "a list", "string_type": "text", "bool_type": "true or false"}
        return path, f"expected {wanted.get(code, 'a mapping')}, got {value}; e.g. `{example}`"
    if code in ("greater_than_equal", "less_than_equal", "int_parsing", "int_type"):
        return path, f"{value} is out of range or not a whole number; e.g. `{example}`"
    if code == "string_pattern_mismatch":
        return path, f"{value} is not valid here; e.g. `{example}`"
    return path, f"{error['msg']} (got {value}); e.g. `{example}`"


def parse_campaign(
    text: str, display_path: str, zone: tzinfo = UTC
) -> tuple[Campaign | None, list[Problem]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return None, [Problem(display_path, "", explain_yaml(error, offset=0))]
    if not isinstance(data, dict):
        return None, [
            Problem(
                display_path,
                "",
                "a campaign file maps its fields to values, e.g. `name: Spring launch` "
                "followed by `slug:`, `start:`, `end:` and `landing:`",
            )
        ]
    try:
        return Campaign.model_validate(data, context={"timezone": zone}), []
    except ValidationError as error:
        problems = []
        for item in error.errors():
            path, message = _explain(item, data)  # type: ignore[arg-type]
            problems.append(Problem(display_path, path, message))
        return None, problems


def load_campaigns(
    folder: Path, display_folder: str, zone: tzinfo = UTC
) -> tuple[list[CampaignFile], list[Problem]]:
    """Every campaign in `folder`, in file-name order, and every problem found."""
    loaded: list[CampaignFile] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return loaded, problems
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        if path.name in NOT_CAMPAIGNS:
            continue
        shown = f"{display_folder}/{path.name}"
        campaign, found = parse_campaign(path.read_text(encoding="utf-8"), shown, zone)
        problems += found
        if campaign is not None:
            loaded.append(CampaignFile(shown, campaign))
    return loaded, problems
