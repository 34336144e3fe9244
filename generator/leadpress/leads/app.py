"""The lead service's HTTP side: the endpoint that takes form submissions, and what browsers
and tools need around it (CORS, health, OpenAPI, a thank-you page for browsers without
JavaScript).

A submission goes through cheap checks first (form, origin, rate, size), then the form's own
rules (`forms.validation.check_submission`, the same rules the browser runs), and is answered
2xx only once it is committed. Anything rejected stores nothing. What a caller should know:

- Origin: a POST with an Origin outside `forms.origins` is refused (403). Without Origin,
  the Referer's origin must be allowed; with neither, the sender is not a browser and is let
  through (an Origin check protects visitors' browsers, not the API).
- A filled honeypot is answered exactly like a stored lead (201, or the 303 of a plain form
  post) and nothing is stored, so a bot cannot tell which field betrayed it.
- A form sent sooner than `min_fill_seconds` after `form_started_at` is refused (422
  `too_fast`). Without a start time (no JavaScript) it is not timed.
- Messages are in the `lang` query parameter's language, else the form's `lang` field's,
  else Accept-Language's (en or zh), else English.
- A retry with the same idempotency key (header, or the `idempotency_key` field) gets the
  first answer again, with `Idempotent-Replayed: true`, and stores nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urljoin

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..content.urls import url_of
from ..forms.models import KEY_FIELD, Form, FormsFile, text_in
from ..forms.validation import Submission, check_submission
from . import pages
from .openapi import openapi_document
from .outbox import OutboxWorker, RetryPolicy
from .ratelimit import RateLimit, RateLimiter, client_key
from .storage import NewLead, Saved, Storage, new_lead_id
from .writer import LeadWriter, WriterBusy

log = logging.getLogger("leadpress.leads")

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 200  # far more than a form and its attribution fields
# A browser clock further ahead of the server's than this cannot tell how long the form took
# to fill in; such a submission is not timed rather than refused.
CLOCK_SKEW_SECONDS = 30.0
Data = dict[str, str | list[str]]
DEFAULT_RATE_LIMIT = RateLimit(per_minute=10, burst=20)
DEFAULT_RETRY = RetryPolicy()


class Rejected(Exception):
    """A submission refused with an HTTP status; nothing of it is stored."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


def _quality(accept: str, media_type: str) -> float:
    """How much an Accept header wants `media_type` (the most specific matching range)."""
    family = media_type.split("/")[0] + "/*"
    best = (-1, 0.0)
    for part in accept.split(","):
        kind, *params = (piece.strip() for piece in part.split(";"))
        rank = {media_type: 2, family: 1, "*/*": 0}.get(kind.lower(), -1)
        if rank <= best[0]:
            continue
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        best = (rank, quality)
    return best[1]


def _prefers_html(request: Request) -> bool:
    """A plain HTML form post from a browser (no JavaScript): it gets pages, not JSON."""
    if _content_type(request) != FORM_TYPE:
        return False
    accept = request.headers.get("accept", "*/*")
    return _quality(accept, "text/html") > _quality(accept, JSON_TYPE)


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _form_value(value: Any) -> str | list[str] | None:
    """A JSON value as a form field would carry it: text, or texts for a repeated field;
    None for what no form sends (objects, nested lists)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, int | float):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, list):
        items = [_form_value(item) for item in value]
        return items if all(isinstance(item, str) for item in items) else None  # type: ignore[return-value]
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a value a form sends")


def _bad_request(lang: str, detail: str) -> Rejected:
    return Rejected(400, "bad_request", pages.message(lang, "bad_request", detail=detail))


def parse_json(body: bytes, lang: str) -> Data:
    try:
        document = json.loads(body.decode("utf-8-sig"), parse_constant=_reject_constant)
        # JSON can spell lone surrogates (\ud800), which no database or answer can carry;
        # only an escape can, so most bodies skip the check.
        if b"\\ud" in body or b"\\uD" in body:
            json.dumps(document, ensure_ascii=False).encode()
    except (UnicodeError, ValueError, RecursionError):
        raise _bad_request(lang, "not valid JSON in UTF-8") from None
    if not isinstance(document, dict) or len(document) > MAX_FIELDS:
        raise _bad_request(lang, f"expected one JSON object of at most {MAX_FIELDS} fields")
    data: Data = {}
    for name, value in document.items():
        text = _form_value(value)
        if text is None:
            raise _bad_request(lang, f"{name[:60]} must be text, a number or true/false")
        data[name] = text
    return data


def parse_form(body: bytes, lang: str) -> Data:
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeError, ValueError):
        detail = f"not a form encoding in UTF-8 with at most {MAX_FIELDS} fields"
        raise _bad_request(lang, detail) from None
    data: Data = {}
    for name, value in pairs:
        if name in data:  # a repeated field: check_submission takes the last
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data


def _last(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[-1] if value else None
    return value


class LeadService:
    """The state behind the routes: forms, storage, writer, rate limiter, outbox."""

    def __init__(
        self,
        forms: FormsFile,
        db_url: str,
        *,
        rate_limit: RateLimit,
        max_body: int,
        clock: Callable[[], float],
        outbox: bool,
        retry: RetryPolicy,
    ) -> None:
        self.forms = forms
        self.max_body = max_body
        self.clock = clock
        self.storage = Storage(db_url)
        self.writer = LeadWriter(self.storage)
        self.limiter = RateLimiter(rate_limit, clock)
        self.origins = {origin.rstrip("/").lower() for origin in forms.origins}
        self.outbox = OutboxWorker(self.storage, retry, clock=clock) if outbox else None
        # Built once: the schema and the thank-you answers only change with forms.json.
        self.openapi = json.dumps(openapi_document(forms), ensure_ascii=False).encode()
        self.thanks = {
            (name, lang): self._thank_you(form, lang)
            for name, form in forms.forms.items()
            for lang in pages.LANGUAGES
        }

    def _thank_you(self, form: Form, lang: str) -> dict[str, str | None]:
        page = form.thank_you.page
        url = None
        if page:
            path = url_of(page) if page.endswith(".md") else page.lstrip("/")
            url = urljoin(self.forms.site_url, path)
        return {"url": url, "message": text_in(form.thank_you.message, lang) or None}

    # Lifespan

    def start(self) -> None:
        self.storage.migrate()
        self.writer.start()

    def stop(self) -> None:
        self.writer.stop()
        self.storage.close()

    # Routes

    async def healthz(self, request: Request) -> Response:
        """Healthy when the database answers and the writer is there to store leads."""
        try:
            await run_in_threadpool(self.storage.ping)
        except Exception as error:
            log.warning("health check: the database does not answer: %s", error)
            return JSONResponse({"status": "unavailable"}, 503)
        if not self.writer.running:
            return JSONResponse({"status": "unavailable"}, 503)
        return JSONResponse({"status": "ok"})

    async def openapi_json(self, request: Request) -> Response:
        return Response(self.openapi, media_type=JSON_TYPE)

    async def thank_you_page(self, request: Request) -> Response:
        lang = self._lang(request)
        form = self.forms.forms.get(request.path_params["form"])
        if form is None:
            return self._unknown_form(request, lang)
        page = pages.thank_you_page(form, lang, self.forms.site_url)
        return HTMLResponse(page, headers=pages.HTML_HEADERS)

    async def preflight(self, request: Request) -> Response:
        lang = self._lang(request)
        if request.path_params["form"] not in self.forms.forms:
            return self._unknown_form(request, lang)
        cors = self._cors(request)
        if "Access-Control-Allow-Origin" not in cors:
            message = pages.message(lang, "forbidden_origin")
            return JSONResponse({"error": "forbidden_origin", "message": message}, 403, cors)
        headers = {
            **cors,
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key",
            "Access-Control-Max-Age": "600",
        }
        return Response(status_code=204, headers=headers)

    async def submit(self, request: Request) -> Response:
        lang = self._lang(request)
        html = _prefers_html(request)
        form = self.forms.forms.get(request.path_params["form"])
        try:
            if form is None:
                raise Rejected(
                    404,
                    "unknown_form",
                    pages.message(lang, "unknown_form", form=request.path_params["form"][:60]),
                )
            self._check_origin(request, lang)
            self._check_rate(request, lang)
            data = await self._read(request, lang)
            lang = self._lang(request, _last(data.pop("lang", None)))
            if key := request.headers.get("idempotency-key"):
                data[KEY_FIELD] = key
            submission = check_submission(form, data, lang)
            if submission.errors:
                raise Rejected(
                    422, "invalid", pages.message(lang, "invalid"), fields=submission.errors
                )
            if submission.honeypot_filled:
                # A bot: answered like a person, so it learns nothing, and nothing is stored.
                response = {
                    "id": new_lead_id(self._now()),
                    "thank_you": self.thanks[form.name, lang],
                }
                return self._success(request, form, Saved(response, True), html, lang)
            self._check_fill_time(form, submission, lang)
            saved = await self._store(request, form, submission, lang)
        except Rejected as rejected:
            return self._rejected(request, rejected, html, lang)
        return self._success(request, form, saved, html, lang)

    # Steps of a submission

    def _check_origin(self, request: Request, lang: str) -> None:
        """Browsers send Origin with every POST. Without one, the Referer's origin must be
        the site's; with neither, the sender is not a browser (curl, a server-side form
        handler) and could send any header it likes, so there is nothing to check."""
        origin = request.headers.get("origin")
        if origin is None:
            referer = request.headers.get("referer")
            if not referer:
                return
            origin = pages.origin_of(referer) or "null"
        if origin.rstrip("/").lower() not in self.origins:
            raise Rejected(403, "forbidden_origin", pages.message(lang, "forbidden_origin"))

    def _check_rate(self, request: Request, lang: str) -> None:
        wait = self.limiter.take(client_key(self._client(request)))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise Rejected(
                429,
                "rate_limited",
                pages.message(lang, "rate_limited", seconds=seconds),
                headers={"Retry-After": str(seconds)},
            )

    async def _read(self, request: Request, lang: str) -> Data:
        kind = _content_type(request)
        if kind not in (JSON_TYPE, FORM_TYPE):
            message = pages.message(lang, "unsupported_media_type")
            raise Rejected(415, "unsupported_media_type", message)
        too_large = pages.message(lang, "too_large", limit=self.max_body)
        length = request.headers.get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                raise _bad_request(lang, "a bad Content-Length")
            if int(length) > self.max_body:  # refused before a byte of it is read
                raise Rejected(413, "too_large", too_large)
        # Counted as it arrives too: a chunked body has no Content-Length to trust.
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > self.max_body:
                    raise Rejected(413, "too_large", too_large)
                chunks.append(chunk)
        except ClientDisconnect:
            raise _bad_request(lang, "the connection closed before the end") from None
        body = b"".join(chunks)
        return parse_json(body, lang) if kind == JSON_TYPE else parse_form(body, lang)

    def _check_fill_time(self, form: Form, submission: Submission, lang: str) -> None:
        # Without JavaScript there is no start time, and such a visitor is no bot.
        if submission.started_at is None:
            return
        elapsed = self.clock() - submission.started_at / 1000
        if -CLOCK_SKEW_SECONDS < elapsed < form.min_fill_seconds:
            raise Rejected(422, "too_fast", pages.message(lang, "too_fast"))

    async def _store(
        self, request: Request, form: Form, submission: Submission, lang: str
    ) -> Saved:
        now = self._now()
        lead_id = new_lead_id(now)
        lead = NewLead(
            id=lead_id,
            form=form.name,
            created_at=now,
            values=submission.values,
            attribution=submission.attribution,
            page_path=submission.page_path,
            client_hash=self.storage.client_hash(self._client(request)),
            idempotency_key=submission.idempotency_key,
            response={"id": lead_id, "thank_you": self.thanks[form.name, lang]},
            webhooks=tuple(form.webhooks),
        )
        try:
            saved = await self.writer.save(lead)
        except WriterBusy:
            raise Rejected(
                503, "busy", pages.message(lang, "busy"), headers={"Retry-After": "1"}
            ) from None
        except Exception as error:
            log.error("lead not stored: %s", error)
            raise Rejected(
                503, "unavailable", pages.message(lang, "unavailable"), headers={"Retry-After": "5"}
            ) from None
        if saved.created and lead.webhooks and self.outbox is not None:
            self.outbox.wake()
        return saved

    # Answers

    def _success(
        self, request: Request, form: Form, saved: Saved, html: bool, lang: str
    ) -> Response:
        headers = {**self._cors(request), "Cache-Control": "no-store"}
        if not saved.created:
            headers["Idempotent-Replayed"] = "true"
        if html:
            # Relative to this URL, so that it holds behind a proxy that adds a path prefix.
            target = self.thanks[form.name, lang]["url"] or f"thank-you?lang={lang}"
            return RedirectResponse(target, 303, headers=headers)
        return JSONResponse(saved.response, 201, headers=headers)

    def _rejected(self, request: Request, rejected: Rejected, html: bool, lang: str) -> Response:
        headers = {**self._cors(request), "Cache-Control": "no-store", **rejected.headers}
        if html:
            referer = request.headers.get("referer", "")
            back = referer if pages.origin_of(referer) in self.origins else self.forms.site_url
            page = pages.error_page(lang, rejected.message, list(rejected.fields.values()), back)
            return HTMLResponse(page, rejected.status, headers={**headers, **pages.HTML_HEADERS})
        body: dict[str, Any] = {"error": rejected.error, "message": rejected.message}
        if rejected.fields:
            body["fields"] = rejected.fields
        return JSONResponse(body, rejected.status, headers=headers)

    def _unknown_form(self, request: Request, lang: str) -> Response:
        message = pages.message(lang, "unknown_form", form=request.path_params["form"][:60])
        return JSONResponse({"error": "unknown_form", "message": message}, 404)

    def _cors(self, request: Request) -> dict[str, str]:
        """CORS grants only to the site's origins; `Vary` tells caches the answer depends on
        the Origin."""
        origin = request.headers.get("origin")
        if origin is None or origin.rstrip("/").lower() not in self.origins:
            return {"Vary": "Origin"}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Expose-Headers": "Retry-After, Idempotent-Replayed",
            "Vary": "Origin",
        }

    def _lang(self, request: Request, field: str | None = None) -> str:
        """The `lang` query parameter, else the form's `lang` field, else Accept-Language."""
        return pages.pick_language(
            request.query_params.get("lang"),
            field,
            pages.accept_language(request.headers.get("accept-language", "")),
        )

    def _client(self, request: Request) -> str:
        # With a reverse proxy in front, uvicorn puts X-Forwarded-For here (--forwarded-allow-ips).
        return request.client.host if request.client else "unknown"

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)


def create_app(
    forms: FormsFile,
    db_url: str,
    *,
    rate_limit: RateLimit = DEFAULT_RATE_LIMIT,
    max_body: int = 64 * 1024,
    clock: Callable[[], float] = time.time,
    outbox: bool = True,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> Starlette:
    """The lead service for `forms` on the database at `db_url` (see storage.database_url).

    The database is migrated and the writer started when the app starts (its lifespan), and
    the outbox worker runs in the background unless `outbox=False`.
    """
    service = LeadService(
        forms,
        db_url,
        rate_limit=rate_limit,
        max_body=max_body,
        clock=clock,
        outbox=outbox,
        retry=retry,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(service.start)
        task = asyncio.create_task(service.outbox.run()) if service.outbox else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            await run_in_threadpool(service.stop)

    routes = [
        Route("/healthz", service.healthz, methods=["GET"]),
        Route("/openapi.json", service.openapi_json, methods=["GET"]),
        Route("/v1/forms/{form}/submissions", service.submit, methods=["POST"]),
        Route("/v1/forms/{form}/submissions", service.preflight, methods=["OPTIONS"]),
        Route("/v1/forms/{form}/thank-you", service.thank_you_page, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.service = service
    return app
