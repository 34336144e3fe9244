"""The lead service's database: an SQLite file by default, PostgreSQL by URL, one code path.

SQLAlchemy Core keeps the SQL the same for both. The few differences (SQLite's pragmas, how
a write transaction starts, which dialect spells `ON CONFLICT`) are settled once, here.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError

SCHEMA_VERSION = 1
# How long a writer waits for SQLite's lock before giving up (another process may hold it).
BUSY_TIMEOUT_MS = 10_000
_LOCK_ID = 0x1EAD5  # PostgreSQL advisory lock taken while migrating


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in UTC. Stored without a zone (SQLite has none), read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("lead timestamps must be aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


metadata = MetaData()

leads = Table(
    "leads",
    metadata,
    # Random, time-ordered ids: a sequential number would tell anyone holding one how many
    # leads the company gets.
    Column("id", String(36), primary_key=True),
    Column("form", String(100), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
    # JSON: {field name: text}. `values` is an SQL keyword, so Python calls it field_values.
    Column("values", Text, key="field_values", nullable=False),
    Column("attribution", Text, nullable=False),  # JSON: {first_utm_source: ..., ...}
    Column("page_path", Text, nullable=False),
    # sha256 of a per-database salt and the IP: lets abuse be grouped without keeping IPs.
    Column("client_hash", String(64), nullable=False),
    Column("idempotency_key", String(200)),
    Column("response", Text, nullable=False),  # JSON: what the first submission was answered
    UniqueConstraint("form", "idempotency_key", name="leads_form_idempotency_key"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", String(36), ForeignKey("leads.id"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("last_error", Text),
    Column("delivered_at", UTCDateTime()),
)
Index(
    "outbox_pending",
    outbox.c.next_attempt_at,
    sqlite_where=outbox.c.delivered_at.is_(None),
    postgresql_where=outbox.c.delivered_at.is_(None),
)

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))
settings = Table(
    "settings",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", Text, nullable=False),
)


class DatabaseError(RuntimeError):
    """A database Leadpress cannot use; the message says what to do."""


def database_url(text: str | URL) -> URL:
    """`sqlite:///leads.db` (or a bare path) or `postgresql://user@host/db`, ready to connect:
    SQLite paths made absolute, PostgreSQL through psycopg 3 (the driver Leadpress ships)."""
    if isinstance(text, str):
        text = text.strip()
        if "://" not in text:
            text = "sqlite:///" + text
        try:
            url = make_url(text)
        except ArgumentError:
            raise DatabaseError(
                f"{text!r} is not a database URL; use e.g. sqlite:///leads.db or "
                "postgresql://user:password@host:5432/leads"
            ) from None
    else:
        url = text
    backend = url.drivername.split("+")[0]
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise DatabaseError(
            f"{url.drivername!r} databases are not supported; use sqlite:///leads.db or "
            "postgresql://user:password@host:5432/leads"
        )
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise DatabaseError(
            "the lead service needs an SQLite file, not a memory database; "
            "use e.g. sqlite:///leads.db"
        )
    path = Path(url.database).expanduser().resolve()
    if not path.parent.is_dir():
        raise DatabaseError(f"the folder {path.parent} does not exist; create it or choose another")
    return url.set(drivername="sqlite", database=str(path))


def display_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Leadpress issues BEGIN itself (see _sqlite_begin): pysqlite's own is always deferred and
    # leaves table creation outside the transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _switch_to_wal(cursor)  # readers never block the writer
    cursor.execute("PRAGMA synchronous=FULL")  # a commit is on disk before the 2xx answer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """WAL journal mode, which the file keeps once set. Connections racing to switch a new
    file can get "database is locked" at once, without SQLite waiting the busy timeout
    (seen with four processes starting on one new database): try again until it passes."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            message = str(error).lower()
            if ("locked" not in message and "busy" not in message) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def _sqlite_begin(conn: Connection) -> None:
    # A write transaction takes the lock at BEGIN: a deferred one that upgrades later can fail
    # with "database is locked" at once, without waiting for busy_timeout.
    mode = "IMMEDIATE" if conn.get_execution_options().get("leads_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def new_lead_id(now: datetime) -> str:
    """A UUID in the version 7 layout: milliseconds first, so ids sort by time, then 74
    random bits, so they cannot be guessed."""
    millis = int(now.timestamp() * 1000) & ((1 << 48) - 1)
    rand = secrets.randbits(74)
    value = millis << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


@dataclass(frozen=True)
class NewLead:
    """A checked submission, ready to store with the webhooks it goes to."""

    id: str
    form: str
    created_at: datetime
    values: dict[str, str]
    attribution: dict[str, str]
    page_path: str
    client_hash: str
    idempotency_key: str | None
    response: dict[str, Any]
    webhooks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Saved:
    response: dict[str, Any]
    created: bool  # False: an earlier submission had the same idempotency key


@dataclass(frozen=True)
class StoredLead:
    id: str
    form: str
    created_at: datetime
    values: dict[str, str]
    attribution: dict[str, str]
    page_path: str

    @property
    def created(self) -> str:
        """created_at as ISO 8601 in UTC: 2026-11-20T09:30:00.123456Z."""
        return self.created_at.isoformat().replace("+00:00", "Z")

    def payload(self) -> dict[str, Any]:
        """The lead as a CRM receives it."""
        return {
            "id": self.id,
            "form": self.form,
            "created_at": self.created,
            "values": self.values,
            "attribution": self.attribution,
            "page_path": self.page_path,
        }


@dataclass(frozen=True)
class Delivery:
    """One outbox row claimed for sending."""

    id: int
    url: str
    attempts: int  # attempts made before this one
    lead: StoredLead


_LEAD_COLUMNS = (
    leads.c.id.label("lead_id"),
    leads.c.form,
    leads.c.created_at,
    leads.c.field_values.label("field_values"),  # the column's SQL name is "values"
    leads.c.attribution,
    leads.c.page_path,
)


def _stored(row: Any) -> StoredLead:
    return StoredLead(
        id=row.lead_id,
        form=row.form,
        created_at=row.created_at,
        values=json.loads(row.field_values),
        attribution=json.loads(row.attribution),
        page_path=row.page_path,
    )


class Storage:
    """The leads, their outbox and the schema, behind one SQLAlchemy engine."""

    def __init__(self, db_url: str | URL, *, must_exist: bool = False) -> None:
        self.url = database_url(db_url)
        self.is_sqlite = self.url.drivername == "sqlite"
        if self.is_sqlite:
            if must_exist and not Path(str(self.url.database)).is_file():
                raise DatabaseError(
                    f"there is no database at {self.url.database}; give the --db the lead "
                    "service runs with"
                )
            self.engine: Engine = create_engine(
                self.url, connect_args={"check_same_thread": False}, pool_size=8
            )
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = create_engine(
                self.url, pool_size=8, pool_pre_ping=True, connect_args={"connect_timeout": 5}
            )
        self._writes = self.engine.execution_options(leads_write=True)
        dialect_insert = sqlite.insert if self.is_sqlite else postgresql.insert
        # The unique constraint, not a look-up first, decides which of two racing
        # submissions with one idempotency key is stored.
        self._insert_lead = (
            dialect_insert(leads)
            .on_conflict_do_nothing(index_elements=["form", "idempotency_key"])
            .returning(leads.c.id)
        )
        self._salt: bytes | None = None

    # Schema

    def migrate(self) -> None:
        """Create the tables, or bring an older database up to date; safe to repeat and to
        run from two processes at once."""
        with self._writes.begin() as conn:
            if not self.is_sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(_LOCK_ID)))
            schema_version.create(conn, checkfirst=True)
            current = conn.scalar(select(func.max(schema_version.c.version))) or 0
            if current > SCHEMA_VERSION:
                raise DatabaseError(
                    f"this database has schema version {current}, newer than this Leadpress "
                    f"({SCHEMA_VERSION}); upgrade Leadpress"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                _MIGRATIONS[version](conn)
            if current != SCHEMA_VERSION:
                conn.execute(schema_version.delete())
                conn.execute(insert(schema_version).values(version=SCHEMA_VERSION))
        self._load_salt()

    def check_schema(self) -> None:
        """For readers (export, stats): the database must be one the service created."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("leads"):
                raise DatabaseError(
                    f"{display_url(self.url)} holds no leads yet: start the lead service "
                    "on it first (leadpress leads serve)"
                )

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def close(self) -> None:
        self.engine.dispose()

    def _load_salt(self) -> None:
        with self.engine.connect() as conn:
            salt = conn.scalar(select(settings.c.value).where(settings.c.name == "client_salt"))
        self._salt = bytes.fromhex(salt)

    def client_hash(self, address: str) -> str:
        if self._salt is None:
            self._load_salt()
        assert self._salt is not None
        return hashlib.sha256(self._salt + address.encode()).hexdigest()

    # Leads

    def save(self, batch: Sequence[NewLead]) -> list[Saved]:
        """Store leads and their outbox rows in one transaction: one commit (one fsync) for
        the whole batch, and never a lead without its deliveries."""
        rows = [
            {
                "id": lead.id,
                "form": lead.form,
                "created_at": lead.created_at,
                "field_values": json.dumps(lead.values, ensure_ascii=False),
                "attribution": json.dumps(lead.attribution, ensure_ascii=False),
                "page_path": lead.page_path,
                "client_hash": lead.client_hash,
                "idempotency_key": lead.idempotency_key,
                "response": json.dumps(lead.response, ensure_ascii=False),
            }
            for lead in batch
        ]
        results = []
        with self._writes.begin() as conn:
            # One multi-row INSERT for the batch; the ids it returns are the leads stored.
            inserted = set(conn.execute(self._insert_lead, rows).scalars())
            deliveries = []
            for lead in batch:
                if lead.id in inserted:
                    results.append(Saved(lead.response, created=True))
                    deliveries += [
                        {
                            "lead_id": lead.id,
                            "url": url,
                            "attempts": 0,
                            "next_attempt_at": lead.created_at,
                        }
                        for url in lead.webhooks
                    ]
                else:  # a retry: answered as the first submission with its key was
                    first = conn.scalar(
                        select(leads.c.response).where(
                            leads.c.form == lead.form,
                            leads.c.idempotency_key == lead.idempotency_key,
                        )
                    )
                    results.append(Saved(json.loads(first), created=False))
            if deliveries:
                conn.execute(insert(outbox), deliveries)
        return results

    def iter_leads(
        self, form: str | None = None, since: date | datetime | None = None
    ) -> Iterator[StoredLead]:
        """Leads, oldest first; `since` a date means from the start of that day, UTC."""
        query = select(*_LEAD_COLUMNS).order_by(leads.c.created_at, leads.c.id)
        if form:
            query = query.where(leads.c.form == form)
        if since is not None:
            if not isinstance(since, datetime):
                since = datetime(since.year, since.month, since.day, tzinfo=UTC)
            elif since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            query = query.where(leads.c.created_at >= since)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=500).execute(query):
                yield _stored(row)

    # Outbox

    def claim_due(self, now: datetime, lease: timedelta, limit: int = 50) -> list[Delivery]:
        """Undelivered rows whose time has come, each pushed `lease` into the future so that
        another worker (or this one, after a crash) only retries it once the lease is over."""
        query = (
            select(outbox.c.id.label("outbox_id"), outbox.c.url, outbox.c.attempts)
            .add_columns(outbox.c.next_attempt_at, *_LEAD_COLUMNS)
            .join(leads, leads.c.id == outbox.c.lead_id)
            .where(outbox.c.delivered_at.is_(None), outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.next_attempt_at)
            .limit(limit)
        )
        claimed = []
        with self._writes.begin() as conn:
            for row in conn.execute(query).all():
                taken = conn.execute(
                    update(outbox)
                    .where(
                        outbox.c.id == row.outbox_id,
                        outbox.c.next_attempt_at == row.next_attempt_at,
                        outbox.c.delivered_at.is_(None),
                    )
                    .values(next_attempt_at=now + lease)
                )
                if taken.rowcount == 1:
                    claimed.append(Delivery(row.outbox_id, row.url, row.attempts, _stored(row)))
        return claimed

    def mark_delivered(self, delivery_id: int, now: datetime) -> None:
        with self._writes.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id == delivery_id)
                .values(delivered_at=now, attempts=outbox.c.attempts + 1, last_error=None)
            )

    def mark_failed(self, delivery_id: int, error: str, next_attempt_at: datetime) -> None:
        with self._writes.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id == delivery_id)
                .values(
                    attempts=outbox.c.attempts + 1,
                    last_error=error[:500],
                    next_attempt_at=next_attempt_at,
                )
            )

    def next_due(self) -> datetime | None:
        with self.engine.connect() as conn:
            return conn.scalar(
                select(func.min(outbox.c.next_attempt_at)).where(outbox.c.delivered_at.is_(None))
            )

    def outbox_counts(self) -> dict[str, int]:
        query = select(
            func.count().filter(outbox.c.delivered_at.is_(None)),
            func.count().filter(outbox.c.delivered_at.is_not(None)),
        )
        with self.engine.connect() as conn:
            pending, delivered = conn.execute(query).one()
        return {"pending": pending, "delivered": delivered}


def _create_v1(conn: Connection) -> None:
    # Version 1 is the tables as defined above; a later version adds a step that alters them.
    metadata.create_all(conn, tables=[leads, outbox, settings], checkfirst=True)
    if conn.scalar(select(settings.c.value).where(settings.c.name == "client_salt")) is None:
        conn.execute(insert(settings).values(name="client_salt", value=secrets.token_hex(32)))


_MIGRATIONS = {1: _create_v1}
