"""`leadpress new`: a working site from the files shipped in `scaffold/`."""

from __future__ import annotations

import json
from pathlib import Path

from .paths import SCAFFOLD_DIR

# Package data cannot hold dot-files reliably: they are stored under plain names.
_RENAMES = {"gitignore": ".gitignore", "github": ".github"}
_PLACEHOLDERS = ("__SITE_NAME__", "__SITE_URL__")


class ScaffoldError(Exception):
    pass


def scaffold(target: Path, *, site_name: str, site_url: str, force: bool = False) -> list[Path]:
    """Copy the scaffold into `target`, filling in the site's name and URL."""
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} is a file; choose a new folder name.")
    if target.exists() and any(target.iterdir()) and not force:
        raise ScaffoldError(
            f"{target} is not empty; choose a new folder, or add --force to write into it "
            "(files of the same name are replaced)."
        )
    if not site_url.startswith(("http://", "https://")):
        raise ScaffoldError(f"--site-url {site_url!r} must start with https:// or http://")
    # JSON strings are valid YAML scalars: names with quotes or colons stay intact.
    values = {"__SITE_NAME__": json.dumps(site_name), "__SITE_URL__": json.dumps(site_url)}
    written = []
    for source in sorted(SCAFFOLD_DIR.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        parts = source.relative_to(SCAFFOLD_DIR).parts
        relative = Path(*(_RENAMES.get(part, part) for part in parts))
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        if source.name == "mkdocs.yml":
            for placeholder in _PLACEHOLDERS:
                text = text.replace(placeholder, values[placeholder])
        destination.write_text(text, encoding="utf-8")
        written.append(destination)
    return written
