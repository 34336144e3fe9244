"""Leads out of the database: a CSV for spreadsheets, and counts by form and by source.

Every cell a spreadsheet program would run as a formula (`=`, `+`, `-`, `@`, tab or carriage
return first) gets a leading `'`, so a company named `=HYPERLINK(...)` stays text.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from ..forms.models import ATTRIBUTION_FIELDS, FormsFile
from .storage import Storage, StoredLead

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NONE = "(none)"
# Counted by `stats`: the campaign, the source and the partner's referral code, as they were
# at the first touch and at the last one before the form.
STATS_KEYS = tuple(
    f"{touch}_{key}" for key in ("utm_campaign", "utm_source", "ref") for touch in ("first", "last")
)


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


META_COLUMNS = ("created_at", "form", "page_path", "id")


def columns(
    forms: FormsFile | None, form: str | None, leads: Iterable[StoredLead]
) -> tuple[list[str], list[str]]:
    """(field columns, attribution columns): each field of the forms in their order, then
    fields found in stored leads but no longer in forms.json, so nothing stored is left out."""
    fields: list[str] = []
    attribution = list(forms.attribution_fields if forms else ATTRIBUTION_FIELDS)
    if forms:
        for name, definition in forms.forms.items():
            if form is None or name == form:
                fields += [f.name for f in definition.fields if f.name not in fields]
    known_attribution = set(attribution)
    for lead in leads:
        fields += [name for name in lead.values if name not in fields]
        new = [name for name in lead.attribution if name not in known_attribution]
        attribution += new
        known_attribution.update(new)
    return fields, attribution


def _row(lead: StoredLead, fields: list[str], attribution: list[str]) -> list[str]:
    cells = [lead.created, lead.form, lead.page_path, lead.id]
    cells += [lead.values.get(name, "") for name in fields]
    cells += [lead.attribution.get(name, "") for name in attribution]
    return [neutralise(cell) for cell in cells]


def export_csv(
    db_url: str,
    out: str | Path | IO[str],
    form: str | None = None,
    since: date | datetime | None = None,
    *,
    forms: FormsFile | None = None,
) -> int:
    """Write the leads (of `form`, from `since`) as CSV to `out`; returns how many.

    Columns: created_at, form, page_path, id; one per field of the forms (in the order of
    forms.json); then the first- and last-touch attribution fields.

    A path is written as UTF-8 with a byte-order mark, which spreadsheet programs need to
    read Chinese correctly, and only replaces an existing file once complete.
    """
    storage = Storage(db_url, must_exist=True)
    try:
        storage.check_schema()
        # Two passes (columns, then rows) rather than holding every lead in memory.
        fields, attribution = columns(forms, form, storage.iter_leads(form, since))
        header = [*META_COLUMNS, *fields, *attribution]
        rows = (_row(lead, fields, attribution) for lead in storage.iter_leads(form, since))
        if isinstance(out, str | Path):
            target = Path(out)
            partial = target.with_name(target.name + ".partial")
            try:
                with partial.open("w", encoding="utf-8-sig", newline="") as stream:
                    count = _write(stream, header, rows)
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
            return count
        return _write(out, header, rows)
    finally:
        storage.close()


def _write(stream: IO[str], header: list[str], rows: Iterable[list[str]]) -> int:
    writer = csv.writer(stream)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def stats(db_url: str) -> dict[str, Any]:
    """Lead counts in total, per form and per first/last utm_campaign, utm_source and ref
    (`(none)` where a lead has no value), most frequent first; and the outbox's state."""
    storage = Storage(db_url, must_exist=True)
    try:
        storage.check_schema()
        per_form: Counter[str] = Counter()
        per_key: dict[str, Counter[str]] = {key: Counter() for key in STATS_KEYS}
        for lead in storage.iter_leads():
            per_form[lead.form] += 1
            for key, counter in per_key.items():
                counter[lead.attribution.get(key) or NONE] += 1
        result: dict[str, Any] = {
            "leads": sum(per_form.values()),
            "form": dict(per_form.most_common()),
        }
        result.update({key: dict(counter.most_common()) for key, counter in per_key.items()})
        result["outbox"] = storage.outbox_counts()
        return result
    finally:
        storage.close()


def stats_table(figures: dict[str, Any]) -> str:
    """The figures of `stats` for reading in a terminal."""
    lines = [f"Leads: {figures['leads']}"]
    outbox = figures["outbox"]
    lines.append(f"CRM outbox: {outbox['delivered']} delivered, {outbox['pending']} waiting")
    for key in ("form", *STATS_KEYS):
        counts: dict[str, int] = figures[key]
        if not counts:
            continue
        lines += ["", f"By {key}:"]
        width = max(len(name) for name in counts)
        lines += [f"  {name:<{width}}  {count:>6}" for name, count in counts.items()]
    return "\n".join(lines)
