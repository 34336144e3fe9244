"""The service's OpenAPI 3.1 document, built from the same form definitions it validates
with, so that the published schema cannot drift from what the service accepts."""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..forms.models import (
    ATTRIBUTION_MAX_LENGTH,
    HONEYPOT_FIELD,
    KEY_FIELD,
    PAGE_FIELD,
    STARTED_FIELD,
    FieldType,
    Form,
    FormField,
    FormsFile,
    text_in,
)
from ..forms.validation import PHONE
from .pages import LANGUAGES

Json = dict[str, Any]


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _schema_name(form_name: str) -> str:
    return "".join(part.capitalize() for part in form_name.split("-")) + "Submission"


def field_schema(form_field: FormField) -> Json:
    schema: Json = {"title": text_in(form_field.label, "en")}
    if form_field.help:
        schema["description"] = text_in(form_field.help, "en")
    if form_field.type == FieldType.CHECKBOX:
        schema["type"] = ["boolean", "string"]
        schema["description"] = "Checked: true, or one of on, true, 1, yes."
        return schema
    schema["type"] = "string"
    schema["maxLength"] = form_field.limit
    minimum = max(form_field.min_length, 1 if form_field.required else 0)
    if minimum:
        schema["minLength"] = minimum
    if form_field.type == FieldType.EMAIL:
        schema["format"] = "email"
    elif form_field.type == FieldType.PHONE:
        schema["pattern"] = PHONE.pattern
    elif form_field.type == FieldType.SELECT:
        schema["enum"] = [choice.value for choice in form_field.choices]
    return schema


def submission_schema(form: Form, attribution_fields: list[str]) -> Json:
    properties = {f.name: field_schema(f) for f in form.fields}
    for name in attribution_fields:
        properties[name] = {
            "type": "string",
            "description": f"Attribution; kept up to {ATTRIBUTION_MAX_LENGTH} characters.",
        }
    properties[PAGE_FIELD] = {"type": "string", "description": "Path of the page the form is on."}
    properties[STARTED_FIELD] = {
        "type": ["number", "string"],
        "description": "When the form appeared, in milliseconds since the epoch. A form sent "
        f"sooner than {form.min_fill_seconds:g} s after it is refused as too_fast.",
    }
    properties[KEY_FIELD] = {
        "type": "string",
        "maxLength": 200,
        "description": "Same as the Idempotency-Key header (which wins when both are sent).",
    }
    properties[HONEYPOT_FIELD] = {
        "type": "string",
        "maxLength": 0,
        "description": "Hidden from people; must stay empty.",
    }
    properties["lang"] = {"type": "string", "enum": list(LANGUAGES)}
    return {
        "type": "object",
        "title": text_in(form.title, "en") or form.name,
        "properties": properties,
        "required": [f.name for f in form.fields if f.required],
        "additionalProperties": False,
    }


def _error(description: str, headers: Json | None = None) -> Json:
    response: Json = {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }
    if headers:
        response["headers"] = headers
    return response


def _submit_operation(form: Form) -> Json:
    body_schema = _ref(_schema_name(form.name))
    return {
        "operationId": f"submit_{form.name.replace('-', '_')}",
        "summary": f"Submit the form {text_in(form.title, 'en') or form.name}",
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "A retry with the same key returns the first answer and "
                "stores nothing new.",
            },
            {
                "name": "lang",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": list(LANGUAGES)},
                "description": "Language of the messages (default: Accept-Language, else en).",
            },
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": body_schema},
                "application/x-www-form-urlencoded": {"schema": body_schema},
            },
        },
        "responses": {
            "201": {
                "description": "Stored (or stored earlier under the same idempotency key).",
                "headers": {
                    "Idempotent-Replayed": {
                        "description": "true when this answers a retry.",
                        "schema": {"type": "string"},
                    }
                },
                "content": {"application/json": {"schema": _ref("Created")}},
            },
            "303": {
                "description": "A form post from a browser that prefers HTML: the thank-you page.",
                "headers": {"Location": {"schema": {"type": "string"}}},
            },
            "400": _error("The body is not valid JSON or form encoding."),
            "403": _error("Origin (or Referer) is not one of the site's origins."),
            "404": _error("No such form."),
            "413": _error("The body is larger than the limit."),
            "415": _error("Neither JSON nor a URL-encoded form."),
            "422": _error(
                "A field is invalid (error `invalid`, with `fields`) or the form was "
                "sent too soon after it appeared (error `too_fast`)."
            ),
            "429": _error(
                "Too many submissions from this client.",
                {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
            ),
            "503": _error("The database cannot take the submission now; retry."),
        },
    }


def openapi_document(forms: FormsFile) -> Json:
    schemas: Json = {
        "Created": {
            "type": "object",
            "required": ["id", "thank_you"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "thank_you": {
                    "type": "object",
                    "properties": {
                        "url": {"type": ["string", "null"], "format": "uri"},
                        "message": {"type": ["string", "null"]},
                    },
                },
            },
        },
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {
                    "type": "string",
                    "enum": [
                        "unknown_form",
                        "forbidden_origin",
                        "rate_limited",
                        "unsupported_media_type",
                        "too_large",
                        "bad_request",
                        "invalid",
                        "too_fast",
                        "busy",
                        "unavailable",
                    ],
                },
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "For `invalid`: a message for each field to correct.",
                },
            },
        },
    }
    paths: Json = {
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "The service and its database answer.",
                "responses": {
                    "200": {
                        "description": "Healthy.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"status": {"const": "ok"}},
                                }
                            }
                        },
                    },
                    "503": {"description": "The database does not answer."},
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": {"200": {"description": "The OpenAPI document."}},
            }
        },
    }
    for name, form in forms.forms.items():
        schemas[_schema_name(name)] = submission_schema(form, forms.attribution_fields)
        paths[f"/v1/forms/{name}/submissions"] = {"post": _submit_operation(form)}
        paths[f"/v1/forms/{name}/thank-you"] = {
            "get": {
                "operationId": f"thank_you_{name.replace('-', '_')}",
                "summary": "The thank-you message as an HTML page, for browsers without "
                "JavaScript.",
                "responses": {
                    "200": {"description": "The page.", "content": {"text/html": {}}},
                    "404": _error("No such form."),
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Leadpress lead service",
            "version": __version__,
            "description": "Accepts submissions of the site's forms (from forms.json).",
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }
