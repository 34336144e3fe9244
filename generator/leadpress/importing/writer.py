"""Imported articles as Markdown files: front matter checked by Leadpress's own loader, and
never an existing file overwritten without --force."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Literal

import yaml

from ..buildcache import write_atomically
from ..content.loading import Source, parse_source
from .frontmatter import FOLDER_BY_TYPE, Prepared

Outcome = Literal["written", "would write", "exists", "duplicate", "invalid"]


@dataclass
class Planned:
    prepared: Prepared
    path: Path
    outcome: Outcome
    detail: str = ""


class _FrontMatterDumper(yaml.SafeDumper):
    """Block style for the page's fields, flow style for lists: `tags: [a, b]`, as the
    README's examples write them."""


def _flow_list(dumper: yaml.SafeDumper, value: list[object]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_FrontMatterDumper.add_representer(list, _flow_list)


def render(prepared: Prepared) -> str:
    front = yaml.dump(
        prepared.front,
        Dumper=_FrontMatterDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1000,
    )
    return f"---\n{front}---\n\n{prepared.body.strip()}\n"


def check(prepared: Prepared, text: str, display_path: str) -> list[str]:
    """Problems Leadpress's loader finds in the file about to be written (none expected)."""
    folder = FOLDER_BY_TYPE.get(prepared.front.get("type"), "articles")  # type: ignore[arg-type]
    _parsed, problems = parse_source(
        Source(f"{folder}/{prepared.slug}.md", text, display_path), UTC
    )
    return [str(problem) for problem in problems]


def plan(
    items: list[Prepared], out_dir: Path | Callable[[Prepared], Path], force: bool
) -> list[Planned]:
    """Decide each article's file: `<slug>.md` in `out_dir` (or the folder it gives for the
    article, e.g. by its language). Without `force`, an existing file, or one an earlier
    source of the same run claimed, is left alone."""
    claimed: dict[Path, Prepared] = {}
    planned: list[Planned] = []
    for prepared in items:
        folder = out_dir(prepared) if callable(out_dir) else out_dir
        path = folder / f"{prepared.slug}.md"
        if path in claimed and not force:
            planned.append(
                Planned(
                    prepared,
                    path,
                    "duplicate",
                    f"{claimed[path].extracted.label} makes "
                    "the same file in this run; give one of them another slug, or add --force "
                    "to let the later one win",
                )
            )
            continue
        if path.exists() and path not in claimed and not force:
            planned.append(
                Planned(prepared, path, "exists", "the file exists; add --force to overwrite it")
            )
            continue
        claimed[path] = prepared
        planned.append(Planned(prepared, path, "would write"))
    return planned


def write(planned: list[Planned], dry_run: bool) -> None:
    """Write every planned file (each replaced whole, never half-written), or none in a dry run."""
    for item in planned:
        if item.outcome != "would write":
            continue
        text = render(item.prepared)
        problems = check(item.prepared, text, str(item.path))
        if problems:
            item.outcome, item.detail = "invalid", "; ".join(problems)
            continue
        if dry_run:
            continue
        write_atomically(item.path, text.encode("utf-8"))  # readable as any new file
        item.outcome = "written"
