"""The lead service over HTTP, as browsers and bots meet it: the real service (uvicorn in its
own process) on SQLite and on PostgreSQL, every answer checked against the rows stored."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from leads_helpers import (
    BACKENDS,
    ORIGIN,
    Service,
    count_leads,
    database,
    demo,
    started_ms_ago,
    stored_leads,
    webinar,
    write_forms_json,
)

WEBINAR = "webinar-registration"
DEMO = "demo-request"
HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module", params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp(f"leads-{request.param}")
    db_url = database(request.param, folder)
    running = Service(write_forms_json(folder), db_url, folder / "service.log", "--no-outbox")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def unchanged(service: Service) -> Iterator[None]:
    """The test must leave the number of stored leads as it found it."""
    before = count_leads(service.db_url)
    yield
    assert count_leads(service.db_url) == before


def test_health_and_startup_message(service: Service) -> None:
    assert httpx.get(f"{service.url}/healthz").json() == {"status": "ok"}
    output = service.output()
    assert f"listening on http://127.0.0.1:{service.port}/" in output
    shown = "sqlite:///" if service.db_url.startswith("sqlite") else "postgresql+psycopg://"
    assert f"database: {shown}" in output


def test_json_submission_is_stored_with_its_attribution(service: Service) -> None:
    response = service.submit(WEBINAR, webinar(email="json@tarnbrook.example"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["thank_you"] == {"url": "https://www.tallyfold.example/thank-you/", "message": None}
    assert response.headers["access-control-allow-origin"] == ORIGIN
    lead = stored_leads(service.db_url)[body["id"]]
    assert lead["form"] == WEBINAR
    assert lead["values"] == {
        "email": "json@tarnbrook.example",
        "full_name": "Ada Quist",
        "company": "Tarnbrook Freight",
        "role": "finance",
        "consent": "true",
    }
    assert lead["attribution"] == {
        "first_utm_source": "newsletter",
        "first_utm_medium": "email",
        "first_utm_campaign": "renewal-forecast-2027",
        "last_utm_source": "linkedin",
        "last_utm_campaign": "renewal-forecast-2027",
        "last_ref": "northwind",
    }
    assert lead["page_path"] == "/webinars/renewal-forecast-cfo/"
    assert re.fullmatch("[0-9a-f]{64}", lead["client_hash"])
    assert lead["response"] == body


def test_plain_form_post_is_stored_and_the_browser_sent_to_the_thank_you_page(
    service: Service,
) -> None:
    before = count_leads(service.db_url)
    response = service.submit(
        WEBINAR,
        webinar(email="nojs@tarnbrook.example"),
        encoded=True,
        headers={"Accept": HTML_ACCEPT},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "https://www.tallyfold.example/thank-you/"
    # A form whose thank-you is a message: the service shows it on a page of its own.
    response = service.submit(
        DEMO, demo(), encoded=True, headers={"Accept": HTML_ACCEPT, "Accept-Language": "zh-CN"}
    )
    assert response.status_code == 303
    page = httpx.get(urljoin(str(response.url), response.headers["location"]))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "顾问会在一个工作日内与您联系" in page.text
    assert count_leads(service.db_url) == before + 2
    values = {lead["values"]["email"] for lead in stored_leads(service.db_url).values()}
    assert {"nojs@tarnbrook.example", "li.wei@ferncastle.example"} <= values


def test_form_encoded_post_from_javascript_gets_json(service: Service) -> None:
    response = service.submit(WEBINAR, webinar(email="fetch@tarnbrook.example"), encoded=True)
    assert response.status_code == 201
    assert stored_leads(service.db_url)[response.json()["id"]]["values"]["consent"] == "true"


def test_same_idempotency_key_stores_one_lead_and_answers_the_same(service: Service) -> None:
    before = count_leads(service.db_url)
    headers = {"Idempotency-Key": "retry-7f3a"}
    first = service.submit(WEBINAR, webinar(email="retry@tarnbrook.example"), headers=headers)
    again = service.submit(WEBINAR, webinar(email="retry@tarnbrook.example"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    # The key may also come as a field, as a form without JavaScript... or a script sends it.
    by_field = service.submit(WEBINAR, webinar(idempotency_key="retry-7f3a"), encoded=True)
    assert by_field.json() == first.json()
    assert count_leads(service.db_url) == before + 1
    # The same key on another form is another submission.
    other = service.submit(DEMO, demo(), headers=headers)
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert count_leads(service.db_url) == before + 2


def test_concurrent_retries_with_one_key_store_one_lead(service: Service) -> None:
    before = count_leads(service.db_url)
    headers = {"Idempotency-Key": "double-click-91c2"}
    with ThreadPoolExecutor(12) as pool:
        answers = list(
            pool.map(lambda _: service.submit(WEBINAR, webinar(), headers=headers), range(12))
        )
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert count_leads(service.db_url) == before + 1


# name: (form, the data, as a function so that times are taken when sent; headers; status and
# error of the answer)
HOSTILE: dict[str, tuple[str, Callable[[], dict[str, Any]], dict[str, Any], int, str]] = {
    "wrong origin": (
        WEBINAR,
        webinar,
        {"Origin": "https://evil.example"},
        403,
        "forbidden_origin",
    ),
    "opaque origin": (WEBINAR, webinar, {"Origin": "null"}, 403, "forbidden_origin"),
    "foreign referer, no origin": (
        WEBINAR,
        webinar,
        {"Origin": None, "Referer": "https://evil.example/form.html"},
        403,
        "forbidden_origin",
    ),
    "missing required field": (WEBINAR, lambda: webinar(email=None), {}, 422, "invalid"),
    "field the form does not have": (
        WEBINAR,
        lambda: webinar(password="hunter2"),
        {},
        422,
        "invalid",
    ),
    "instant submission": (
        WEBINAR,
        lambda: webinar(form_started_at=started_ms_ago(0)),
        {},
        422,
        "too_fast",
    ),
    "10,000-character name": (
        WEBINAR,
        lambda: webinar(full_name="A" * 10_000),
        {},
        422,
        "invalid",
    ),
    "10,000-character message": (
        DEMO,
        lambda: demo(message="Tell me more. " * 715),
        {},
        422,
        "invalid",
    ),
    "select value not offered": (
        WEBINAR,
        lambda: webinar(role="admin' OR 1=1 --"),
        {},
        422,
        "invalid",
    ),
    "object as a value": (WEBINAR, lambda: webinar(email={"$ne": ""}), {}, 400, "bad_request"),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_submission_is_rejected_and_nothing_stored(
    service: Service, unchanged: None, case: str
) -> None:
    form, data, headers, status, error = HOSTILE[case]
    response = service.submit(form, data(), headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error


def test_unknown_form_is_404(service: Service, unchanged: None) -> None:
    response = service.submit("newsletter", webinar())
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_form"


def test_missing_fields_are_named_in_the_visitors_language(
    service: Service, unchanged: None
) -> None:
    response = service.submit(WEBINAR, {"email": "not-an-address"})
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {"email", "full_name", "company", "consent"}
    assert fields["full_name"] == "Please fill in Full name."
    chinese = service.submit(
        WEBINAR, {"email": "x"}, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    )
    assert chinese.json()["fields"]["full_name"] == "请填写姓名。"
    by_parameter = service.submit(WEBINAR, {"email": "x"}, params={"lang": "zh"})
    assert by_parameter.json()["fields"]["company"] == "请填写公司。"


def test_megabyte_body_is_refused_before_it_is_read(service: Service, unchanged: None) -> None:
    body = json.dumps(webinar(message="x" * 1_000_000)).encode()
    response = service.submit(
        WEBINAR, None, content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_megabyte_body_without_content_length_is_cut_off(service: Service, unchanged: None) -> None:
    def chunks() -> Iterator[bytes]:
        yield json.dumps(webinar())[:-1].encode() + b', "message": "'
        for _ in range(100):
            yield b"x" * 10_000
        yield b'"}'

    response = httpx.post(
        f"{service.url}/v1/forms/{WEBINAR}/submissions",
        content=chunks(),
        headers={"Content-Type": "application/json", "Origin": ORIGIN},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/json", b'{"email": "a@b.c", ', 400),
        ("application/json", b"[1, 2, 3]", 400),
        ("application/json", b"\xff\xfe{}", 400),
        ("application/json", b"[" * 50_000, 400),
        ("application/json", b'{"full_name": "\\ud800"}', 400),
        ("application/x-www-form-urlencoded", b"email=%ff%fe", 400),
        ("multipart/form-data; boundary=x", b"--x--", 415),
        ("text/plain", b"email=a@b.c", 415),
    ],
)
def test_unreadable_body_is_refused(
    service: Service, unchanged: None, content_type: str, body: bytes, status: int
) -> None:
    response = httpx.post(
        f"{service.url}/v1/forms/{WEBINAR}/submissions",
        content=body,
        headers={"Content-Type": content_type, "Origin": ORIGIN},
    )
    assert response.status_code == status


def test_honeypot_gets_a_success_answer_and_nothing_is_stored(
    service: Service, unchanged: None
) -> None:
    response = service.submit(WEBINAR, webinar(website="http://cheap-pills.example"))
    # Answered as a person would be, so that a bot cannot learn which field betrayed it.
    assert response.status_code == 201
    assert set(response.json()) == {"id", "thank_you"}
    assert response.json()["id"] not in stored_leads(service.db_url)


def test_rate_limit_per_client_address(service: Service) -> None:
    before = count_leads(service.db_url)
    address = {"X-Forwarded-For": "192.0.2.77"}
    answers = [
        service.submit(WEBINAR, webinar(email=f"burst{n}@tarnbrook.example"), headers=address)
        for n in range(21)
    ]
    assert [answer.status_code for answer in answers] == [201] * 20 + [429]
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert answers[-1].json()["error"] == "rate_limited"
    assert count_leads(service.db_url) == before + 20
    # Another visitor is not affected.
    assert service.submit(WEBINAR, webinar()).status_code == 201


def test_sql_and_script_payloads_are_stored_as_plain_text(service: Service) -> None:
    hostile = {
        "full_name": "<script>alert(document.cookie)</script>",
        "company": "Robert'); DROP TABLE leads;--",
        "first_utm_campaign": "' OR '1'='1",
        "page_path": '/webinars/"><img src=x onerror=alert(1)>',
    }
    response = service.submit(WEBINAR, webinar(**hostile))
    assert response.status_code == 201
    lead = stored_leads(service.db_url)[response.json()["id"]]
    assert lead["values"]["full_name"] == hostile["full_name"]
    assert lead["values"]["company"] == hostile["company"]
    assert lead["attribution"]["first_utm_campaign"] == hostile["first_utm_campaign"]
    assert lead["page_path"] == hostile["page_path"]
    assert count_leads(service.db_url) > 0  # the table is still there


@pytest.mark.parametrize("encoded", [False, True], ids=["json", "form"])
def test_odd_unicode_is_stored_inert(service: Service, encoded: bool) -> None:
    odd = {
        # Right-to-left override, NUL, zero-width joiner, an emoji, a combining accent.
        "full_name": "Zoe\u0301 \u202eevil\u202c Quist\x00 \U0001f680",
        "company": "Cafe\u0301\u200b Ltd",
        "last_utm_content": "spring\u2066\x07sale",
    }
    response = service.submit(WEBINAR, webinar(**odd), encoded=encoded)
    assert response.status_code == 201, response.text
    lead = stored_leads(service.db_url)[response.json()["id"]]
    assert lead["values"]["full_name"] == "Zoé evil Quist \U0001f680"
    assert lead["values"]["company"] == "Café Ltd"
    assert lead["attribution"]["last_utm_content"] == "springsale"
    for text in [*lead["values"].values(), *lead["attribution"].values()]:
        assert not [c for c in text if unicodedata.category(c) in ("Cc", "Cf")], text


def test_error_page_for_browsers_escapes_what_was_sent(service: Service, unchanged: None) -> None:
    response = service.submit(
        WEBINAR,
        {"email": "x", "<script>alert(1)</script>": "1"},
        encoded=True,
        headers={"Accept": HTML_ACCEPT, "Referer": f"{ORIGIN}/webinars/renewal-forecast-cfo/"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "Please fill in Full name." in response.text
    assert f'href="{ORIGIN}/webinars/renewal-forecast-cfo/"' in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_cors_preflight_only_for_the_sites_origin(service: Service) -> None:
    url = f"{service.url}/v1/forms/{WEBINAR}/submissions"
    request = {"Access-Control-Request-Method": "POST"}
    allowed = httpx.options(url, headers={**request, "Origin": ORIGIN})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "Idempotency-Key" in allowed.headers["access-control-allow-headers"]
    assert "Content-Type" in allowed.headers["access-control-allow-headers"]
    refused = httpx.options(url, headers={**request, "Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers


def test_openapi_describes_every_form(service: Service) -> None:
    document = httpx.get(f"{service.url}/openapi.json").json()
    try:
        from openapi_spec_validator import validate  # only where it is installed
    except ImportError:
        validate = None
    if validate is not None:
        validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] and document["info"]["version"]
    paths = document["paths"]
    for form in (WEBINAR, DEMO):
        operation = paths[f"/v1/forms/{form}/submissions"]["post"]
        assert {"201", "400", "403", "404", "413", "422", "429"} <= set(operation["responses"])
        assert "Retry-After" in operation["responses"]["429"]["headers"]
        content = operation["requestBody"]["content"]
        assert set(content) == {"application/json", "application/x-www-form-urlencoded"}
        reference = content["application/json"]["schema"]["$ref"]
        name = reference.removeprefix("#/components/schemas/")
        assert document["components"]["schemas"][name]["additionalProperties"] is False
    schemas = document["components"]["schemas"]
    webinar_schema = schemas["WebinarRegistrationSubmission"]
    assert webinar_schema["required"] == ["email", "full_name", "company", "consent"]
    properties = webinar_schema["properties"]
    assert properties["full_name"]["maxLength"] == 100
    assert properties["email"]["format"] == "email"
    assert properties["role"]["enum"] == [
        "marketing",
        "sales",
        "customer-success",
        "finance",
        "other",
    ]
    assert {"first_utm_source", "last_ref", "page_path", "form_started_at"} <= set(properties)
    assert schemas["DemoRequestSubmission"]["properties"]["message"]["maxLength"] == 2000
    assert {"/healthz", "/openapi.json"} <= set(paths)
    # Every reference resolves.
    for reference in re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(document)):
        assert reference in schemas


def test_default_database_is_leads_db_in_the_current_folder(tmp_path: Path) -> None:
    forms_path = write_forms_json(tmp_path)
    service = Service(forms_path, "", tmp_path / "service.log", "--no-outbox")
    service.start()
    try:
        assert service.submit(WEBINAR, webinar()).status_code == 201
    finally:
        service.stop()
    assert count_leads(f"sqlite:///{tmp_path / 'leads.db'}") == 1
