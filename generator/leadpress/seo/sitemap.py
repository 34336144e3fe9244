"""sitemap.xml (a sitemap index for large sites) and robots.txt."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
# The sitemaps.org protocol's limit per file.
MAX_URLS = 50_000


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: datetime | None = None
    alternates: dict[str, str] = field(default_factory=dict)  # hreflang -> URL


def _w3c(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _urlset(entries: Sequence[SitemapEntry]) -> bytes:
    with_alternates = any(e.alternates for e in entries)
    nsmap = {None: SITEMAP_NS, **({"xhtml": XHTML_NS} if with_alternates else {})}
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap=nsmap)
    for entry in entries:
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = entry.loc
        if entry.lastmod:
            etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = _w3c(entry.lastmod)
        for hreflang, href in sorted(entry.alternates.items()):
            etree.SubElement(
                url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=hreflang, href=href
            )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _index(locations: Sequence[tuple[str, datetime | None]]) -> bytes:
    root = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    for loc, lastmod in locations:
        sitemap = etree.SubElement(root, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}loc").text = loc
        if lastmod:
            etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}lastmod").text = _w3c(lastmod)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_sitemaps(
    entries: Iterable[SitemapEntry], site_url: str, max_urls: int = MAX_URLS
) -> dict[str, bytes]:
    """File name -> content: `sitemap.xml` alone, or an index of `sitemap-N.xml` files
    when there are more pages than one sitemap may hold."""
    ordered = sorted(entries, key=lambda e: e.loc)
    if len(ordered) <= max_urls:
        return {"sitemap.xml": _urlset(ordered)}
    files: dict[str, bytes] = {}
    locations: list[tuple[str, datetime | None]] = []
    for number, start in enumerate(range(0, len(ordered), max_urls), start=1):
        chunk = ordered[start : start + max_urls]
        name = f"sitemap-{number}.xml"
        files[name] = _urlset(chunk)
        dates = [e.lastmod for e in chunk if e.lastmod]
        locations.append((site_url + name, max(dates) if dates else None))
    files["sitemap.xml"] = _index(locations)
    return files


def robots_txt(site_url: str, existing: str | None = None) -> str:
    """robots.txt that points to the sitemap; a site's own robots.txt is kept as written,
    with the Sitemap line added when it has none."""
    sitemap_line = f"Sitemap: {site_url}sitemap.xml"
    if existing is not None:
        if "sitemap:" in existing.lower():
            return existing
        return existing.rstrip("\n") + f"\n\n{sitemap_line}\n"
    return f"User-agent: *\nAllow: /\n\n{sitemap_line}\n"


def last_commit_dates(folder: Path) -> dict[Path, datetime]:
    """Each file's last commit time under `folder`, read in one `git log` pass.

    Empty when `folder` is not in a git work tree or git is missing: the sitemap then
    simply has no lastmod for files without a date.
    """
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        log = subprocess.run(
            [
                "git",
                "-c",
                "core.quotePath=false",
                "log",
                "--format=%x00%ct",
                "--name-only",
                "--no-renames",
                "--",
                ".",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    dates: dict[Path, datetime] = {}
    moment: datetime | None = None
    for line in log.splitlines():
        if line.startswith("\x00"):
            moment = datetime.fromtimestamp(int(line[1:]), UTC)
        elif line and moment is not None:
            # Newest commits come first: the first time a path is seen is its last change.
            dates.setdefault((Path(top) / line).resolve(), moment)
    return dates
