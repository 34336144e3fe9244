"""Shared helpers of the lead-service tests: the demo forms as forms.json, a database of each
kind, the real service started as a user would, and direct looks into its database.

The database is read with the plain drivers (sqlite3, psycopg), not through the service's
storage layer, so that a count of rows is an independent check.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from leadpress.forms.loading import forms_json, parse_forms

REPO = Path(__file__).resolve().parent.parent
ORIGIN = "https://www.tallyfold.example"
SITE_URL = ORIGIN + "/"
BACKENDS = ["sqlite", "postgresql"]
# The PostgreSQL server the tests use (a database is created on it for the session).
POSTGRES = os.environ.get("LEADPRESS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
TABLES = ("outbox", "leads", "schema_version", "settings")

_addresses = itertools.count(1)


def visitor_ip() -> str:
    """A new client address for each call, sent as X-Forwarded-For (the service trusts it
    from loopback, as from a reverse proxy), so that tests do not share a rate-limit bucket."""
    number = next(_addresses)
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def write_forms_json(folder: Path, webhooks: list[str] | None = None) -> Path:
    """campaigns/forms.yml of the demo site as the build would write it, optionally with
    every form forwarding to `webhooks`."""
    forms, problems = parse_forms(
        (REPO / "campaigns" / "forms.yml").read_text(encoding="utf-8"), "campaigns/forms.yml"
    )
    assert problems == []
    if webhooks is not None:
        forms = {
            name: form.model_copy(update={"webhooks": webhooks}) for name, form in forms.items()
        }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "forms.json"
    path.write_text(forms_json(forms, SITE_URL, [ORIGIN], 90), encoding="utf-8")
    return path


def started_ms_ago(seconds: float) -> str:
    return str(int((time.time() - seconds) * 1000))


def webinar(**changes: Any) -> dict[str, Any]:
    """A valid registration for the webinar, filled in 20 s, with its attribution."""
    data: dict[str, Any] = {
        "email": "ada@tarnbrook.example",
        "full_name": "Ada Quist",
        "company": "Tarnbrook Freight",
        "role": "finance",
        "consent": "on",
        "page_path": "/webinars/renewal-forecast-cfo/",
        "form_started_at": started_ms_ago(20),
        "first_utm_source": "newsletter",
        "first_utm_medium": "email",
        "first_utm_campaign": "renewal-forecast-2027",
        "last_utm_source": "linkedin",
        "last_utm_campaign": "renewal-forecast-2027",
        "last_ref": "northwind",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def demo(**changes: Any) -> dict[str, Any]:
    """A valid demo request."""
    data: dict[str, Any] = {
        "email": "li.wei@ferncastle.example",
        "full_name": "李伟",
        "company": "Ferncastle Payments",
        "phone": "+86 21 5555 0100",
        "message": "Forecasting renewals by segment.",
        "consent": "on",
        "page_path": "/book-a-demo/",
        "form_started_at": started_ms_ago(45),
        "first_utm_source": "google",
        "first_utm_campaign": "brand",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


# Databases


_postgres: dict[str, str] = {}


def postgres_url() -> str:
    """A database of its own for this test session on the local PostgreSQL server, dropped
    when the session ends. Without a server the test is skipped, but fails under CI (where
    a skipped PostgreSQL test would pass unnoticed)."""
    if "url" in _postgres:
        return _postgres["url"]
    if "error" not in _postgres:
        try:
            with psycopg.connect(POSTGRES, connect_timeout=3, autocommit=True) as conn:
                name = f"leads_test_{secrets.token_hex(4)}"
                conn.execute(f"CREATE DATABASE {name}")
            _postgres["url"] = POSTGRES.rsplit("/", 1)[0] + "/" + name
            atexit.register(_drop_database, name)
            return _postgres["url"]
        except psycopg.OperationalError as error:
            reason = " ".join(str(error).split())
            _postgres["error"] = f"no PostgreSQL server answers at {POSTGRES} ({reason})"
    if os.environ.get("CI"):
        pytest.fail(
            f"{_postgres['error']}. CI runs the PostgreSQL tests: install and start PostgreSQL "
            "(or set LEADPRESS_TEST_POSTGRES to a server's URL).",
            pytrace=False,
        )
    pytest.skip(_postgres["error"])


def _drop_database(name: str) -> None:
    with psycopg.connect(POSTGRES, connect_timeout=3, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def database(backend: str, folder: Path) -> str:
    """An empty database of `backend`: a new SQLite file in `folder`, or the session's
    PostgreSQL database with the service's tables dropped."""
    if backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / 'leads.db'}"
    url = postgres_url()
    with psycopg.connect(url, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    return url


def query(db_url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of `sql`, read with the database's own driver."""
    if db_url.startswith("sqlite:///"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=10) as conn:
            return conn.execute(sql).fetchall()
    with psycopg.connect(db_url) as conn:
        return conn.execute(sql).fetchall()  # type: ignore[arg-type]


def count_leads(db_url: str) -> int:
    return query(db_url, "SELECT count(*) FROM leads")[0][0]


def stored_leads(db_url: str) -> dict[str, dict[str, Any]]:
    """Every stored lead by id, its JSON columns decoded."""
    rows = query(
        db_url,
        'SELECT id, form, "values", attribution, page_path, client_hash, idempotency_key, '
        "response FROM leads",
    )
    return {
        row[0]: {
            "form": row[1],
            "values": json.loads(row[2]),
            "attribution": json.loads(row[3]),
            "page_path": row[4],
            "client_hash": row[5],
            "idempotency_key": row[6],
            "response": json.loads(row[7]),
        }
        for row in rows
    }


# The service


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Service:
    """`leadpress leads serve` in a subprocess on a free loopback port."""

    def __init__(
        self,
        forms_path: Path,
        db_url: str,
        log: Path,
        *options: str,
        env: dict[str, str] | None = None,
    ) -> None:
        self.forms_path = forms_path
        self.db_url = db_url
        self.log = log
        self.options = options
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Service:
        self.port = free_port()
        command = [sys.executable, "-m", "leadpress.leads", "serve"]
        command += ["--forms", str(self.forms_path), "--port", str(self.port), *self.options]
        if self.db_url:  # else the default, leads.db in the current folder
            command += ["--db", self.db_url]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, cwd=self.log.parent, env=self.env
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the service exited:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.kill()
        raise AssertionError(f"the service did not answer within 30 s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """kill -9: no shutdown, no flushing, as in a power cut of the process."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def submit(
        self,
        form: str,
        data: dict[str, Any] | None = None,
        *,
        encoded: bool = False,
        headers: dict[str, str] | None = None,
        **options: Any,
    ) -> httpx.Response:
        """POST a submission from a browser on the site: as JSON, or `encoded` as a plain
        form post. Each comes from a new visitor address unless headers say otherwise."""
        sent = {"Origin": ORIGIN, "X-Forwarded-For": visitor_ip(), **(headers or {})}
        sent = {name: value for name, value in sent.items() if value is not None}
        body: dict[str, Any] = {"data": data} if encoded else {"json": data}
        return httpx.post(
            f"{self.url}/v1/forms/{form}/submissions",
            headers=sent,
            timeout=15,
            **body,
            **options,
        )
