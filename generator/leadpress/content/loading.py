"""Reading front matter and authors from source text into typed models, collecting every problem."""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, get_args

import yaml
from frontmatter.default_handlers import YAMLHandler
from pydantic import BaseModel, ValidationError

from ..problems import Problem
from .models import MODEL_BY_TYPE, Author, ContentType, Entry

# Folder under the docs dir -> the content type of the pages in it.
TYPE_BY_FOLDER = {
    "articles": ContentType.ARTICLE,
    "case-studies": ContentType.CASE_STUDY,
    "webinars": ContentType.WEBINAR,
}

# What a correct value looks like, quoted in error messages.
EXAMPLES = {
    "type": "type: article (or case-study, webinar, page, landing)",
    "campaign": "campaign: spring-launch (the slug of a campaign in campaigns/)",
    "form": "form: demo-request",
    "title": "title: Five pipeline metrics your board actually reads",
    "description": "description: One sentence on what the reader gets.",
    "date": "date: 2026-03-14",
    "updated": "updated: 2026-04-02",
    "start": "start: 2027-02-04T10:00:00+08:00",
    "duration": "duration: 60 (minutes), or duration: 1h 30m",
    "authors": "authors: [mei-lin]",
    "categories": "categories: [Revenue operations]",
    "tags": "tags: [pipeline, forecasting]",
    "slug": "slug: five-pipeline-metrics (lowercase letters, digits and dashes)",
    "draft": "draft: true",
    "noindex": "noindex: true",
    "lang": "lang: zh (or en, or another language code)",
    "translation_key": "translation_key: pipeline-metrics (the same on each translation)",
    "image": "image: assets/images/cover.png",
    "customer": "customer: Tarnbrook Freight",
    "industry": "industry: Logistics",
    "company_size": "company_size: 200-500 employees",
    "results": 'results: [{metric: Lead-to-demo rate, value: "+38%"}]',
    "metric": "metric: Lead-to-demo rate",
    "value": 'value: "+38%"',
    "quote": "quote: {text: ..., author: Dana Ruiz, role: VP Marketing}",
    "text": "text: What the customer said, in quotes",
    "author": "author: Dana Ruiz",
    "speakers": "speakers: [{name: Lin Mei, title: Head of Growth, company: Tallyfold}]",
    "name": "name: Lin Mei",
    "registration_form": "registration_form: webinar-registration",
    "recording_url": "recording_url: https://video.example.com/recording",
    "url": "url: https://www.example.com/team/mei-lin",
    "hide": "hide: [navigation, toc]",
}

_VALUE_ERRORS = {
    "not_a_date": "{value} is not a date; write it as YYYY-MM-DD, e.g. `{example}`",
    "not_a_datetime": "{value} is not a date and time; write it as ISO 8601, e.g. `{example}`",
    "no_time": "{value} is a date without a time; write the time and its UTC offset, "
    "e.g. `{example}`",
    "no_timezone": "{value} has no time zone, so viewers abroad would see the wrong time; "
    "add its UTC offset, e.g. `{example}`",
    "not_a_duration": "{value} is not a duration; write minutes or hours and minutes, "
    "e.g. `{example}`",
    "bad_slug": "{value} is not a valid slug; use lowercase letters, digits and single "
    "dashes, e.g. `{example}`",
    "bad_url": "{value} is not a web address; write a full URL starting with https://, "
    "e.g. `{example}`",
    "blank": "is empty; write a value, e.g. `{example}`",
}


@dataclass(frozen=True)
class Source:
    """One Markdown file as read from the docs dir."""

    src_uri: str  # path inside the docs dir, '/'-separated
    text: str
    display_path: str  # path as the user knows it, e.g. content/articles/x.md
    # The site language whose folder holds the file (`zh` for zh/articles/x.md), if any.
    lang_folder: str | None = None

    @property
    def path_in_language(self) -> str:
        """The path inside its language's folder: zh/articles/x.md -> articles/x.md."""
        if self.lang_folder is None:
            return self.src_uri
        return self.src_uri.removeprefix(f"{self.lang_folder}/")


@dataclass(frozen=True)
class Parsed:
    source: Source
    kind: ContentType
    meta: Entry
    body: str


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that leaves timestamps as text, so a bad date gets our message, not a crash."""


_FrontMatterLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str
)

# libyaml's parser, with the same constructors: about ten times as fast on large sites.
_FastFrontMatterLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _FastFrontMatterLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        pass

    _FastFrontMatterLoader.add_constructor(
        "tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str
    )


class _Handler(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        if _FastFrontMatterLoader is not None:
            try:
                return yaml.load(fm, Loader=_FastFrontMatterLoader)
            except yaml.YAMLError:
                pass  # parsed again below, for the pure-Python parser's exact message
        return yaml.load(fm, Loader=_FrontMatterLoader)


def content_type_for(src_uri: str) -> ContentType:
    """The type a page gets from its folder; a section's own index.md is a plain page."""
    parts = src_uri.split("/")
    if len(parts) > 1 and posixpath.basename(src_uri) not in ("index.md", "README.md"):
        return TYPE_BY_FOLDER.get(parts[0], ContentType.PAGE)
    return ContentType.PAGE


def parse_source(
    source: Source, timezone: tzinfo | None = None
) -> tuple[Parsed | None, list[Problem]]:
    """Split front matter from body and validate it against the model of the page's type."""
    handler = _Handler()
    raw: Any = {}
    body = source.text
    if handler.detect(source.text):
        front, body = handler.split(source.text)
        try:
            raw = handler.load(front)
        except yaml.YAMLError as error:
            # Line numbers in the message count from the top of the file.
            lines_before = source.text[: source.text.find(front)].count("\n")
            return None, [
                Problem(source.display_path, "front matter", explain_yaml(error, lines_before))
            ]
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        return None, [
            Problem(
                source.display_path,
                "front matter",
                "must be a list of `key: value` lines between two `---` lines",
            )
        ]
    kind = content_type_for(source.path_in_language)
    if "type" in raw:
        try:
            kind = ContentType(raw["type"])
        except ValueError:
            return None, [
                Problem(
                    source.display_path,
                    "type",
                    f"{_show(raw['type'])} is not a content type; use one of "
                    + ", ".join(t.value for t in ContentType),
                )
            ]
    model = MODEL_BY_TYPE[kind]
    try:
        meta = model.model_validate(raw, context={"timezone": timezone})
    except ValidationError as error:
        return None, [
            Problem(source.display_path, field_path(e["loc"]), _explain(e, kind, model))
            for e in error.errors()
        ]
    return Parsed(source, kind, meta, body), []


def load_authors(text: str, display_path: str) -> tuple[dict[str, Author], list[Problem]]:
    """Authors are defined once, keyed by id, in a YAML file."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        return {}, [Problem(display_path, "", explain_yaml(error, offset=0))]
    if not isinstance(raw, dict):
        return {}, [
            Problem(
                display_path,
                "",
                "must map each author id to its details, e.g. "
                "`mei-lin: {name: Lin Mei, title: Head of Growth}`",
            )
        ]
    authors: dict[str, Author] = {}
    problems: list[Problem] = []
    for author_id, details in raw.items():
        if not isinstance(details, dict):
            problems.append(
                Problem(
                    display_path,
                    str(author_id),
                    f"must be a mapping with at least `name:`, e.g. `{author_id}: "
                    "{name: Lin Mei, title: Head of Growth}`",
                )
            )
            continue
        try:
            authors[str(author_id)] = Author.model_validate({**details, "id": str(author_id)})
        except ValidationError as error:
            problems += [
                Problem(
                    display_path,
                    f"{author_id}.{field_path(e['loc'])}",
                    _explain(e, None, Author),
                )
                for e in error.errors()
            ]
    return authors, problems


def field_path(loc: Iterable[str | int]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _explain(error: Any, kind: ContentType | None, model: type[Entry] | type[Author]) -> str:
    """Turn one pydantic error into `what is wrong and what would be right`."""
    noun = kind.value.replace("-", " ") if kind else "author"
    kind_name = f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"
    field = next((p for p in reversed(error["loc"]) if isinstance(p, str)), "")
    example = EXAMPLES.get(field, f"{field}: ...")
    value = _show(error.get("input"))
    code = error["type"]
    if code == "missing":
        if len(error["loc"]) > 1:
            return f"missing; add it, e.g. `{example}`"
        return f"missing; every {noun} needs it, e.g. `{example}`"
    if code == "extra_forbidden":
        nested = len(error["loc"]) > 1
        # A field that only one other type has means the page sits in the wrong folder.
        owners = [t for t, m in MODEL_BY_TYPE.items() if field in m.model_fields]
        if len(owners) == 1 and kind is not None and not nested:
            owner = owners[0]
            folder = next((f for f, t in TYPE_BY_FOLDER.items() if t == owner), None)
            where = f"move the file to {folder}/ or " if folder else ""
            return f"is a {owner.value} field, not {kind_name}'s; {where}set `type: {owner.value}`"
        # Suggest among the fields of the mapping the key was written in (a speaker, a result).
        where_model = _model_at(model, error["loc"][:-1])
        known = sorted(set(where_model.model_fields) - {"id"})
        close = difflib.get_close_matches(field, known, n=1)
        hint = f"did you mean `{close[0]}`?" if close else "known fields: " + ", ".join(known)
        custom = " (custom data goes under `extra:`)" if "extra" in where_model.model_fields else ""
        place = "here" if nested else f"for {kind_name}"
        return f"unknown field {place}; {hint}{custom}"
    if code == "value_error":
        reason = str(error.get("ctx", {}).get("error", ""))
        template = _VALUE_ERRORS.get(reason, "{value} is not valid; e.g. `{example}`")
        return template.format(value=value, example=example)
    if code in ("string_type", "str_type"):
        return f"expected text, got {_kind_of(error.get('input'))} {value}; e.g. `{example}`"
    if code == "list_type":
        return f"expected a list, got {_kind_of(error.get('input'))} {value}; e.g. `{example}`"
    if code in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {value}; e.g. `{example}`"
    if code in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping of keys to values, got {value}; e.g. `{example}`"
    if code == "too_short":
        return f"needs at least one entry; e.g. `{example}`"
    if code == "string_pattern_mismatch":
        return f"{value} is not valid here; e.g. `{example}`"
    if code in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {value}; e.g. `{example}`"
    return f"{error['msg']} (got {value}); e.g. `{example}`"


def _model_at(model: type[BaseModel], loc: Iterable[str | int]) -> type[BaseModel]:
    """The model of the mapping at `loc` inside `model` (`speakers[0]` -> Speaker)."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        nested = _models_in(field.annotation) if field else []
        if not nested:
            break
        model = nested[0]
    return model


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def explain_yaml(error: yaml.YAMLError, offset: int) -> str:
    """Describe a YAML error; `offset` is the number of file lines before the YAML text."""
    where = ""
    mark = getattr(error, "problem_mark", None)
    if mark is not None:
        where = f" at line {mark.line + 1 + offset}, column {mark.column + 1}"
    problem = getattr(error, "problem", None) or str(error)
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark is not None:
        problem += f", {context} started at line {context_mark.line + 1 + offset}"
    return (
        f"invalid YAML{where} ({problem}); check the indentation, and put quotes around "
        'values that contain ": " or start with [, {, *, &, !, %, @ or a backquote'
    )


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return "text"
