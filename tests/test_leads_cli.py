"""`leadpress leads` commands: their help, and one clear line for each mistake a user makes
(no forms.json yet, a wrong --db, a PostgreSQL server that does not answer)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from leads_helpers import free_port, write_forms_json

LEADS = [sys.executable, "-m", "leadpress.leads"]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LEADS, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_help_names_the_commands_and_their_options(tmp_path: Path) -> None:
    result = _run("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert all(command in result.stdout for command in ("serve", "export", "stats"))
    serve = _run("serve", "--help", cwd=tmp_path).stdout
    for option in ("--forms", "--db", "--host", "--port", "--no-outbox", "--rate-limit"):
        assert option in serve
    assert "postgresql://" in serve


def test_serve_without_forms_json_says_to_build_first(tmp_path: Path) -> None:
    result = _run("serve", cwd=tmp_path)
    assert result.returncode == 1
    assert "site/forms.json does not exist: run `leadpress build` first" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("db", "message"),
    [
        ("mysql://root@127.0.0.1/leads", "'mysql' databases are not supported"),
        ("sqlite://", "needs an SQLite file, not a memory database"),
        ("sqlite:///no/such/folder/leads.db", "does not exist; create it"),
        ("postgresql://nobody@127.0.0.1:{port}/leads", "cannot use PostgreSQL at 127.0.0.1:"),
    ],
)
def test_serve_with_an_unusable_database_says_why(tmp_path: Path, db: str, message: str) -> None:
    forms_path = write_forms_json(tmp_path)
    db = db.replace("{port}", str(free_port()))  # nothing listens there
    result = _run("serve", "--forms", str(forms_path), "--db", db, cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_export_of_a_database_that_does_not_exist(tmp_path: Path) -> None:
    result = _run("export", "--db", "sqlite:///missing.db", "--out", "x.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "there is no database at" in result.stderr
    assert not (tmp_path / "missing.db").exists()
    assert not (tmp_path / "x.csv").exists()


def test_bad_rate_is_explained(tmp_path: Path) -> None:
    forms_path = write_forms_json(tmp_path)
    result = _run("serve", "--forms", str(forms_path), "--rate-limit", "lots", cwd=tmp_path)
    assert result.returncode == 2
    assert "write e.g. 10/minute" in result.stderr
