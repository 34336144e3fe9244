"""Problems found in a site's sources, reported all at once as `path: field: message`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one source file, phrased so a marketer can fix it."""

    path: str
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.path}: {self.field}" if self.field else self.path
        return f"{where}: {self.message}"


class SiteError(Exception):
    """Raised when a build finds error-level problems; carries every one of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(format_problems(self.problems))


def format_problems(problems: Iterable[Problem]) -> str:
    items = list(problems)
    errors = [p for p in items if p.severity == "error"]
    lines = [f"Leadpress found {_count(len(errors), 'problem')} in the site's sources:"]
    lines += [f"  {p}" for p in items]
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
