"""`leadpress leads`: run the lead service, export leads, count them."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path

import click
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from ..forms.models import FormsFile, resolve_webhook
from .storage import DatabaseError, database_url, display_url

DEFAULT_DB = "sqlite:///leads.db"
DB_HELP = (
    "The database: sqlite:///path/leads.db (a file, created if missing) or "
    "postgresql://user:password@host:5432/dbname."
)
FORMS_HELP = "The forms.json that `leadpress build` writes into the site."


def _forms(path: Path) -> FormsFile:
    from ..forms.loading import read_forms_json

    if not path.is_file():
        raise click.ClickException(
            f"{path} does not exist: run `leadpress build` first (it writes forms.json into "
            "the site folder), or give its path with --forms."
        )
    try:
        return read_forms_json(path)
    except (ValidationError, ValueError) as error:
        raise click.ClickException(
            f"{path} is not a forms.json of this Leadpress: {error}. Rebuild the site with "
            "`leadpress build`."
        ) from None


def _database_error(db: str, error: Exception) -> click.ClickException:
    """Say which database could not be used, and why, in one line."""
    if isinstance(error, DatabaseError):
        return click.ClickException(f"--db {db}: {error}")
    url = database_url(db)
    reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
    if url.drivername.startswith("postgresql"):
        where = f"{url.host or 'localhost'}:{url.port or 5432}"
        return click.ClickException(
            f"cannot use PostgreSQL at {where} (database {url.database!r}): {reason}. Is the "
            "server running, and do the user, password and database in --db exist?"
        )
    return click.ClickException(f"cannot use the SQLite database {url.database}: {reason}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def leads() -> None:
    """The lead service: takes the submissions of the site's forms, stores them (SQLite or
    PostgreSQL), forwards them to CRM webhooks and exports them.

    Build the site first (`leadpress build` writes site/forms.json), then
    `leadpress leads serve`.
    """


@leads.command()
@click.option(
    "--forms",
    "forms_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("site/forms.json"),
    show_default=True,
    help=FORMS_HELP,
)
@click.option("--db", default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8787, show_default=True, type=click.IntRange(0, 65535), help="Port."
)
@click.option(
    "--rate-limit",
    default="10/minute",
    show_default=True,
    help="Submissions each client address may send (e.g. 10/minute, 600/hour).",
)
@click.option(
    "--burst",
    default=20,
    show_default=True,
    type=click.IntRange(1),
    help="Submissions a client may send at once before the rate applies.",
)
@click.option(
    "--max-body",
    default=64 * 1024,
    show_default=True,
    type=click.IntRange(1024),
    help="Largest submission accepted, in bytes.",
)
@click.option("--no-outbox", is_flag=True, help="Do not forward leads to CRM webhooks.")
@click.option(
    "--retry-base",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0.001),
    help="Seconds before a failed webhook is retried; doubles each time, up to 10 minutes.",
)
@click.option(
    "--webhook-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds a CRM webhook has to answer before the attempt counts as failed.",
)
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    help="Proxies whose X-Forwarded-For gives the client address (comma-separated, or *).",
)
@click.option(
    "--access-log",
    is_flag=True,
    help="Log every request (with the client's IP address, which the database never keeps).",
)
def serve(
    forms_path: Path,
    db: str,
    host: str,
    port: int,
    rate_limit: str,
    burst: int,
    max_body: int,
    no_outbox: bool,
    retry_base: float,
    webhook_timeout: float,
    forwarded_allow_ips: str,
    access_log: bool,
) -> None:
    """Run the lead service for the forms of forms.json.

    Endpoints: POST /v1/forms/<form>/submissions (JSON or a plain HTML form post),
    GET /healthz, GET /openapi.json. The database is created or migrated on start.
    Stop it with Ctrl-C: submissions already received are stored before it exits.
    """
    import uvicorn

    from .app import create_app
    from .outbox import RetryPolicy
    from .ratelimit import RateLimit
    from .storage import Storage

    forms = _forms(forms_path)
    try:
        limit = RateLimit.parse(rate_limit, burst)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--rate-limit") from None
    try:
        storage = Storage(db)
        storage.migrate()  # here, so that a database problem is one clear line, not a trace
        storage.close()
        app = create_app(
            forms,
            db,
            rate_limit=limit,
            max_body=max_body,
            outbox=not no_outbox,
            retry=RetryPolicy(base=retry_base, timeout=webhook_timeout),
        )
    except (DatabaseError, OperationalError) as error:
        raise _database_error(db, error) from None
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    shown = "[::1]" if host == "::1" else host
    click.echo(f"Lead service for {len(forms.forms)} forms ({', '.join(forms.forms)})")
    click.echo(f"  listening on http://{shown}:{port}/  (API: http://{shown}:{port}/openapi.json)")
    click.echo(f"  database: {display_url(storage.url)}")
    if no_outbox:
        click.echo("  CRM forwarding is off (--no-outbox)")
    for name, form in forms.forms.items() if not no_outbox else ():
        for webhook in form.webhooks:
            if resolve_webhook(webhook, os.environ) is None:
                click.echo(
                    f"  warning: {name} forwards to {webhook}, but {webhook[4:]} is not set: "
                    "its leads wait in the outbox until it is set and the service restarted"
                )
    sys.stdout.flush()
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=access_log,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_level="info",
    )


@leads.command()
@click.option(
    "--forms",
    "forms_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"{FORMS_HELP} Gives one column per field, in order (default: site/forms.json if "
    "it exists, else the fields found in the leads).",
)
@click.option("--db", default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option("--form", "form_name", metavar="NAME", help="Only the leads of this form.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]),
    help="Only leads from this day (or moment), UTC: 2026-03-01.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="The CSV file to write (- for standard output).",
)
def export(
    forms_path: Path | None, db: str, form_name: str | None, since: datetime | None, out: Path
) -> None:
    """Write leads as CSV: created_at, form, page_path, id, one column per form field, then
    the first- and last-touch attribution (utm_*, ref, click ids, referrer).

    Cells that a spreadsheet would run as a formula are prefixed with ' so they stay text.
    The file is UTF-8 with a byte-order mark, so Excel shows Chinese correctly.
    """
    from .export import export_csv

    if forms_path is None and Path("site/forms.json").is_file():
        forms_path = Path("site/forms.json")
    forms = _forms(forms_path) if forms_path is not None else None
    if form_name and forms is not None and form_name not in forms.forms:
        known = ", ".join(forms.forms)
        raise click.ClickException(f"forms.json has no form {form_name!r}; its forms: {known}")
    target = sys.stdout if str(out) == "-" else out
    try:
        count = export_csv(db, target, form_name, since, forms=forms)
    except (DatabaseError, OperationalError) as error:
        raise _database_error(db, error) from None
    if target is not sys.stdout:
        click.echo(f"Wrote {count} leads to {out}", err=True)


@leads.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for reading, or JSON for another tool.",
)
def stats(db: str, output_format: str) -> None:
    """Count leads: in total, per form, and per first- and last-touch utm_campaign,
    utm_source and referral code; and how many are still waiting for the CRM."""
    from .export import stats as lead_stats
    from .export import stats_table

    try:
        figures = lead_stats(db)
    except (DatabaseError, OperationalError) as error:
        raise _database_error(db, error) from None
    if output_format == "json":
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        click.echo(stats_table(figures))


if __name__ == "__main__":  # pragma: no cover
    leads()
