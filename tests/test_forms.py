"""Forms as the build makes them: one definition for the HTML, the browser, the service."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import copy_demo, run_leadpress, tree_digest
from leadpress.forms.loading import parse_forms, read_forms_json
from leadpress.forms.models import ATTRIBUTION_FIELDS, Form
from leadpress.forms.validation import check_submission, clean_text

REPO = Path(__file__).resolve().parent.parent
FORMS_YML = (REPO / "campaigns/forms.yml").read_text(encoding="utf-8")


def _forms() -> dict[str, Form]:
    forms, problems = parse_forms(FORMS_YML, "campaigns/forms.yml")
    assert problems == []
    return forms


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("forms-demo"))
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# Checks shared with the lead service ------------------------------------------------------


def test_a_valid_submission_keeps_values_and_attribution() -> None:
    form = _forms()["demo-request"]
    result = check_submission(
        form,
        {
            "email": "mei@example.com",
            "full_name": "  Lin   Mei ",
            "company": "Ferncastle",
            "consent": "on",
            "first_utm_source": "newsletter",
            "last_ref": "7ha3bn",
            "page_path": "/book-a-demo/",
            "idempotency_key": "k-1",
            "lang": "en",
        },
    )
    assert result.ok, result.errors
    assert result.values == {
        "email": "mei@example.com",
        "full_name": "Lin Mei",
        "company": "Ferncastle",
        "consent": "true",
    }
    assert result.attribution == {"first_utm_source": "newsletter", "last_ref": "7ha3bn"}
    assert result.idempotency_key == "k-1" and result.page_path == "/book-a-demo/"


def test_every_rule_of_the_definition_is_checked() -> None:
    form = _forms()["demo-request"]
    result = check_submission(
        form,
        {"email": "not an address", "full_name": "x" * 101, "phone": "call me", "extra": "1"},
    )
    assert set(result.errors) == {"email", "full_name", "company", "phone", "consent", "extra"}
    assert "at most 100" in result.errors["full_name"]
    webinar = _forms()["webinar-registration"]
    wrong_choice = check_submission(webinar, {"role": "ceo"})
    assert "choose one of the options" in wrong_choice.errors["role"]
    in_chinese = check_submission(webinar, {}, lang="zh")
    assert in_chinese.errors["email"] == "请填写工作邮箱。"


def test_control_and_format_characters_never_reach_storage() -> None:
    assert clean_text("A\u202eB\u0000C\u200bD\u00a0") == "ABCD"  # RTL override, NUL, ZWSP
    assert clean_text("e\u0301") == "é"  # combined to one character
    assert clean_text("line one\nline two") == "line one\nline two"


def test_honeypot_marks_a_submission_as_a_bot() -> None:
    result = check_submission(_forms()["demo-request"], {"website": "http://spam.example"})
    assert result.honeypot_filled and not result.ok


def test_attribution_field_names_cover_first_and_last_touch() -> None:
    assert "first_utm_source" in ATTRIBUTION_FIELDS and "last_gclid" in ATTRIBUTION_FIELDS
    assert "first_landing_path" in ATTRIBUTION_FIELDS and "last_referrer" in ATTRIBUTION_FIELDS


# The built site ---------------------------------------------------------------------------


def test_forms_json_carries_the_definitions_for_the_service(demo: Path) -> None:
    document = read_forms_json(demo / "site/forms.json")
    assert set(document.forms) == {"webinar-registration", "demo-request"}
    assert document.origins == ["https://www.tallyfold.example"]
    assert document.site_url == "https://www.tallyfold.example/"
    # the thank-you page is resolved to its URL, so the service can redirect to it
    assert document.forms["webinar-registration"].thank_you.page == "thank-you/"
    assert list(document.attribution_fields) == list(ATTRIBUTION_FIELDS)
    assert document.forms["demo-request"] == _forms()["demo-request"]


def test_embedded_form_html_follows_the_definition(demo: Path) -> None:
    page = demo / "site/book-a-demo/index.html"
    soup = _soup(page)
    form = soup.select_one("form.lp-form[data-leadpress-form='demo-request']")
    assert form is not None
    assert form["method"] == "post"
    assert form["action"] == "http://127.0.0.1:8787/v1/forms/demo-request/submissions"
    definition = _forms()["demo-request"]
    for field in definition.fields:
        control = form.find(attrs={"name": field.name})
        assert control is not None, field.name
        label = form.find("label", attrs={"for": control["id"]})
        assert label is not None and label.get_text(strip=True).rstrip("*").strip()
        assert control.has_attr("required") == field.required, field.name
        error = form.find(id=f"{control['id']}-error")
        assert error is not None and error["id"] in control["aria-describedby"]
    assert form.find("input", attrs={"name": "email"})["type"] == "email"
    assert form.find("input", attrs={"name": "phone"})["type"] == "tel"
    assert form.find("textarea", attrs={"name": "message"})["maxlength"] == "2000"
    trap = form.find("input", attrs={"name": "website"})
    assert trap["tabindex"] == "-1" and trap.find_parent(attrs={"aria-hidden": "true"})
    for hidden in ("page_path", "form_started_at", "idempotency_key"):
        assert form.find("input", attrs={"name": hidden, "type": "hidden"}) is not None
    consent = form.select_one(".lp-form__consent a")
    assert consent.get_text() == "privacy notice" and consent["href"] == "../privacy/"
    messages = json.loads(form["data-messages"])
    assert messages["required"] == "Please fill in {label}."
    # The form script is fingerprinted by leadpress/publish: forms.<hash>.js, and it is there.
    scripts = [s["src"] for s in soup.find_all("script", src=True)]
    form_script = [
        src for src in scripts if re.search(r"assets/leadpress/forms\.[0-9a-f]{8,}\.js$", src)
    ]
    assert len(form_script) == 1, scripts
    assert (page.parent / form_script[0]).resolve().is_file()


def test_webinar_page_embeds_its_registration_form(demo: Path) -> None:
    page = next((demo / "site/webinars").glob("live-building-*/index.html"))
    form = _soup(page).select_one("#register form.lp-form")
    assert form["data-leadpress-form"] == "webinar-registration"
    assert form["data-thank-you"] == "../../thank-you/"
    options = [o["value"] for o in form.find("select", attrs={"name": "role"}).find_all("option")]
    assert options == ["", "marketing", "sales", "customer-success", "finance", "other"]


def test_the_thank_you_page_is_kept_out_of_search(demo: Path) -> None:
    robots = _soup(demo / "site/thank-you/index.html").find("meta", attrs={"name": "robots"})
    assert robots["content"].startswith("noindex")


def test_form_in_the_pages_language(demo: Path, tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "zh")
    article = root / "content/zh/articles/tob-operations-wecom.md"
    article.write_text(
        article.read_text(encoding="utf-8") + "\n::: form demo-request\n", encoding="utf-8"
    )
    assert run_leadpress("build", cwd=root).returncode == 0
    page = next((root / "site/zh/articles").glob("yong-qi-ye-wei-xin-*/index.html"))
    form = _soup(page).select_one("form.lp-form")
    assert form["data-lang"] == "zh"
    assert (
        form.find("label", attrs={"for": "lp-demo-request-email"}).get_text().startswith("工作邮箱")
    )
    assert form.select_one(".lp-form__consent a").get_text() == "隐私声明"


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("replace", "by", "where", "message"),
    [
        ("type: select", "type: dropdown", "webinar-registration.fields[3].type", "not a field"),
        ("{name: full_name,", "{name: Full Name,", "webinar-registration.fields[1].name", "usable"),
        (
            "thank_you: {page: thank-you.md}",
            "thank_you: {page: thanks.md}",
            "webinar-registration.thank_you.page",
            "no page 'thanks.md'",
        ),
    ],
)
def test_bad_forms_file_is_a_clear_error(
    demo: Path, tmp_path: Path, replace: str, by: str, where: str, message: str
) -> None:
    root = Path(shutil.copytree(demo, tmp_path / "bad"))
    before = tree_digest(root / "site")
    forms = root / "campaigns/forms.yml"
    text = forms.read_text(encoding="utf-8")
    assert replace in text
    forms.write_text(text.replace(replace, by, 1), encoding="utf-8")
    result = run_leadpress("build", cwd=root)
    assert result.returncode == 1
    assert f"campaigns/forms.yml: {where}: " in result.stderr
    assert message in result.stderr
    assert tree_digest(root / "site") == before


def test_unknown_form_in_markdown_names_the_page(demo_copy: Path) -> None:
    page = demo_copy / "content/en/book-a-demo.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("form demo-request", "form no-such-form"),
        encoding="utf-8",
    )
    result = run_leadpress("build", cwd=demo_copy)
    assert result.returncode == 1
    assert "content/en/book-a-demo.md" in result.stderr
    assert "unknown form 'no-such-form'" in result.stderr


def test_the_form_script_is_valid_javascript() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    script = REPO / "generator/leadpress/templates/assets/leadpress/forms.js"
    result = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
