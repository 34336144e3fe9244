"""`leadpress import`: existing articles into Leadpress Markdown files."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..content.models import ContentType
from .frontmatter import FOLDER_BY_TYPE, Prepared, Settings, prepare
from .report import format_report
from .run import docs_dir, find_authors, import_date, read_sources, site_languages
from .writer import plan, write


@click.command(name="import")
@click.argument(
    "sources", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="SOURCE..."
)
@click.option(
    "--type",
    "content_type",
    type=click.Choice(["article", "case-study", "webinar"]),
    default="article",
    show_default=True,
    help="The content type of the imported pages.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en", "auto"]),
    default="auto",
    show_default=True,
    help="The pages' language; auto detects it from each text.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write into (default: articles/, case-studies/ or webinars/, after --type, "
    "in the docs_dir of ./mkdocs.yml, else in content/; on a multilingual site, inside the "
    "folder of each article's language, e.g. content/zh/articles/).",
)
@click.option(
    "--to-simplified", is_flag=True, help="Convert traditional Chinese to simplified (OpenCC)."
)
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.option("--dry-run", is_flag=True, help="Print the report; write nothing.")
def import_command(
    sources: tuple[Path, ...],
    content_type: str,
    lang: str,
    out_dir: Path | None,
    to_simplified: bool,
    force: bool,
    dry_run: bool,
) -> None:
    """Turn existing articles into Leadpress Markdown files with front matter.

    SOURCE is a saved web page (a WeChat article saved as HTML too), a WordPress export
    (WXR: one file per post, drafts stay drafts), a plain-text file, or a folder of them.
    The kind is read from each file's content. Navigation, share bars, comments, related
    lists, counters and footers are dropped; headings, lists, links and images are kept.

    The report lists each source with the file written and what the source did not say
    (date, author, ...) with how to fix it. An article without a stated date is written as
    a draft dated today. Existing files are never overwritten without --force. The command
    exits with status 1 when a source could not be read or a file was not written.
    """
    kind = ContentType(content_type)
    config = Path("mkdocs.yml")
    folder = FOLDER_BY_TYPE[kind]
    target: Path | Callable[[Prepared], Path] = out_dir or docs_dir(config) / folder
    languages = site_languages(config)
    if out_dir is None and len(languages) > 1:
        # A multilingual site keeps each language in its folder: content/zh/articles/...
        docs = docs_dir(config)

        def target(prepared: Prepared) -> Path:
            page_lang = prepared.front.get("lang")
            return docs / (page_lang if page_lang in languages else languages[0]) / folder

    settings = Settings(
        content_type=kind,
        today=import_date(),
        lang=lang,  # type: ignore[arg-type]
        to_simplified=to_simplified,
        authors=find_authors(docs_dir(config) / folder if out_dir is None else out_dir),
    )
    read = read_sources(list(sources))
    planned = plan([prepare(article, settings) for article in read.articles], target, force)
    write(planned, dry_run)
    click.echo(format_report(planned, read.failures, dry_run))
    if read.failures or any(p.outcome not in ("written", "would write") for p in planned):
        sys.exit(1)
