"""The per-file report of `leadpress import`."""

from __future__ import annotations

from dataclasses import dataclass

from .writer import Planned


@dataclass(frozen=True)
class Failure:
    """A source that could not be read at all."""

    source: str
    reason: str


def format_report(planned: list[Planned], failures: list[Failure], dry_run: bool) -> str:
    lines: list[str] = []
    for item in planned:
        source = item.prepared.extracted.label
        if item.outcome in ("written", "would write"):
            verb = "would write" if dry_run else "->"
            draft = " (draft)" if item.prepared.front.get("draft") else ""
            lines.append(f"{source} {verb} {item.path}{draft}")
        else:
            lines.append(f"{source} -> {item.path}: NOT WRITTEN: {item.detail}")
        lines += [f"    {note}" for note in item.prepared.notes]
    for failure in failures:
        lines.append(f"{failure.source}: CANNOT BE READ: {failure.reason}")
    done = [p for p in planned if p.outcome in ("written", "would write")]
    drafts = sum(1 for p in done if p.prepared.front.get("draft"))
    skipped = len(planned) - len(done)
    summary = (
        f"{'Would import' if dry_run else 'Imported'} {len(done)} "
        f"article{'s' if len(done) != 1 else ''} ({drafts} as drafts)"
    )
    if skipped:
        summary += f"; {skipped} not written"
    if failures:
        summary += f"; {len(failures)} source{'s' if len(failures) != 1 else ''} could not be read"
    if dry_run:
        summary += "; dry run: nothing was written"
    lines.append(summary + ".")
    return "\n".join(lines)
