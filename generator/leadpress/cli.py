"""The `leadpress` command."""

from __future__ import annotations

import importlib
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import click
from mkdocs.exceptions import Abort, ConfigurationError

from . import __version__
from .problems import format_problems
from .scaffold_site import ScaffoldError, scaffold

CONFIG_HELP = "The site's MkDocs config file (default: ./mkdocs.yml)."
# Set by a command whose process holds nothing left to tidy up when it ends (see `console`).
_exit_at_once = False


class _Formatter(logging.Formatter):
    """MkDocs-style lines: a padded level name, then the message, continued lines indented."""

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"{record.levelname:<7} -  "
        message = super().format(record)
        return prefix + message.replace("\n", "\n" + " " * len(prefix))


def _setup_logging(verbose: bool, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("%(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)


def _include_drafts(drafts: bool) -> None:
    # The content plugin reads this, in `build`, `serve` and plain `mkdocs` alike.
    if drafts:
        os.environ["LEADPRESS_DRAFTS"] = "1"


class _Commands(click.Group):
    """The main group; commands with heavy imports (boto3, SQLAlchemy, trafilatura) load
    only when used, so `leadpress build` does not pay for them."""

    lazy: ClassVar[dict[str, tuple[str, str]]] = {
        "deploy": ("leadpress.deploy.cli", "deploy"),
        "import": ("leadpress.importing.cli", "import_command"),
        "leads": ("leadpress.leads.cli", "leads"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attribute = self.lazy[name]
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leadpress")
def main() -> None:
    """Leadpress: Markdown articles, case studies and webinars into an SEO-tuned B2B
    marketing site.

    Start with `leadpress new my-site`, then `leadpress serve` inside it.
    """


def console() -> None:
    """The `leadpress` executable: `main`, and after a build an immediate exit.

    A build leaves its whole site in memory (hundreds of MB of small objects on a large
    site), and the interpreter would free them one by one as it shuts down: half a second
    at 1,000 pages, after the summary is printed. Everything the build writes is written
    and closed by then, so once the output is flushed the process can end at once."""
    try:
        main()
    except SystemExit as stop:
        if not _exit_at_once or not isinstance(stop.code, int | None):
            raise
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(stop.code or 0)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--site-name", default=None, help="The site's name (default: from DIRECTORY).")
@click.option(
    "--site-url",
    default="https://www.example.com/",
    show_default=True,
    help="Where the site will be published; used for canonical URLs and feeds.",
)
@click.option("--force", is_flag=True, help="Write into DIRECTORY even if it is not empty.")
def new(directory: Path, site_name: str | None, site_url: str, force: bool) -> None:
    """Create a new site in DIRECTORY, ready to build.

    It holds mkdocs.yml, content/ with an example article, case study and webinar,
    authors, campaigns/, theme/ and a GitHub Actions workflow that builds the site with the
    strict SEO audit and publishes it to an S3 bucket with `leadpress deploy`.
    """
    name = site_name or directory.resolve().name.replace("-", " ").replace("_", " ").title()
    try:
        written = scaffold(directory, site_name=name, site_url=site_url, force=force)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {len(written)} files in {directory}/ for “{name}”.")
    click.echo("Next:")
    click.echo(f"  cd {directory}")
    click.echo("  leadpress serve      # preview with live reload on http://127.0.0.1:8000/")
    click.echo("  leadpress build      # write the site to site/")
    click.echo(
        "To publish from GitHub, set the bucket and its keys that "
        ".github/workflows/publish.yml names at its top."
    )


@main.command()
@click.option("-f", "--config-file", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("-d", "--site-dir", type=click.Path(file_okay=False), help="Output folder.")
@click.option("--drafts", is_flag=True, help="Include drafts and pages dated in the future.")
@click.option("-s", "--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--precompress",
    is_flag=True,
    help="Also write .gz and .br copies of the text files (leadpress/publish).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print debug messages.")
def build(
    config_file: str | None,
    site_dir: str | None,
    drafts: bool,
    strict: bool,
    precompress: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build the site into site/ (or --site-dir).

    The site is built in a temporary folder and swapped in only when the whole build
    succeeded: on any error the previous site/ stays as it was, and the command exits
    with status 1 after listing every problem found as `file: field: what to fix`.

    A long build says how far it has got every two seconds (LEADPRESS_PROGRESS_EVERY
    sets the seconds); it ends with a summary: pages by type, landing pages, feeds, the
    SEO audit's findings and the time it took.
    """
    from .buildcache import memo
    from .buildcache.pool import worker_count
    from .content import pinyin

    # Before anything else, unless the last build left the slugs it made (warm builds need
    # no dictionary): pinyin's dictionary loads on another CPU while this one starts up.
    if worker_count() > 1 and not memo.kept_beside(config_file):
        pinyin.start_loading()
    from .building import build_atomically, load_site_config
    from .progress import EVERY_VARIABLE, parse_every

    try:
        every = None if quiet else parse_every(os.environ.get(EVERY_VARIABLE))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    _setup_logging(verbose, quiet)
    _include_drafts(drafts)
    if precompress:  # the publish plugin reads this, as the content plugin reads drafts
        os.environ["LEADPRESS_PRECOMPRESS"] = "1"
    try:
        config = load_site_config(config_file, strict=strict, site_dir=site_dir)
        report = build_atomically(config, progress_every=every)
    except (Abort, ConfigurationError) as error:
        message = str(error)
        if message and not message.startswith("Aborted with a BuildError"):
            click.echo(f"Error: {message}", err=True)
        click.echo("Build failed: site/ was left unchanged.", err=True)
        sys.exit(1)
    finally:
        pinyin.stop_loading()
    click.echo(report.summary())
    if report.audit:
        click.echo(report.audit)
    global _exit_at_once
    _exit_at_once = True


@main.command()
@click.option("-f", "--config-file", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("-d", "--site-dir", type=click.Path(file_okay=False), help="Output folder.")
@click.option("--drafts", is_flag=True, help="Include drafts and pages dated in the future.")
@click.option(
    "-s", "--strict", is_flag=True, help="Exit with status 1 when an error-level finding exists."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Print the findings as a table grouped by page, or as the JSON report.",
)
def audit(
    config_file: str | None, site_dir: str | None, drafts: bool, strict: bool, output_format: str
) -> None:
    """Build the site and check every page the way an SEO plug-in would.

    Checks titles and descriptions (missing, too long or short, duplicated), one H1 per page,
    image alt text, broken internal links and anchors, orphan pages, thin content, skipped
    heading levels and social images. Every finding says how to fix it. The report is also
    written to site/seo-report.json. With --strict, an error-level finding fails the build
    and site/ is left unchanged.
    """
    from .building import build_atomically, load_site_config
    from .plugins.seo import REPORT_FILE

    _setup_logging(verbose=False, quiet=True)
    # The findings are printed below as one table, not also as log lines.
    logging.getLogger("mkdocs.plugins.leadpress.plugins.seo").setLevel(logging.ERROR)
    _include_drafts(drafts)
    try:
        config = load_site_config(config_file, strict=strict, site_dir=site_dir)
        report = build_atomically(config)
    except (Abort, ConfigurationError) as error:
        click.echo(f"Error: {error}", err=True)
        click.echo("Audit failed: site/ was left unchanged.", err=True)
        sys.exit(1)
    report_path = report.site_dir / REPORT_FILE
    if not report_path.is_file():
        raise click.ClickException(
            "No SEO report was written: add `- leadpress/seo` to `plugins:` in mkdocs.yml "
            "(and keep its `audit: {enabled: true}`)."
        )
    if output_format == "json":
        click.echo(report_path.read_text(encoding="utf-8"))
        return
    from .seo.audit import Finding, format_table

    data = json.loads(report_path.read_text(encoding="utf-8"))
    findings = [Finding(**finding) for finding in data["findings"]]
    click.echo(format_table(findings, data["pages_audited"]))


@main.command()
@click.option("-f", "--config-file", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("-c", "--campaign", "only", metavar="SLUG", help="Only this campaign's links.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="A table for reading, or CSV / JSON for a spreadsheet or another tool.",
)
@click.option(
    "--qr",
    "qr_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write a QR code (SVG) of each short link into this folder.",
)
def links(config_file: str | None, only: str | None, output_format: str, qr_dir: Path | None):
    """Print every campaign's tracked links: channel or partner, code, short and full URL.

    Reads campaigns/*.yml and checks them as the build does, without building the site.
    Short links (/go/<code>/) are stable across builds; give a channel or partner `code:`
    to choose one.
    """
    from .campaigns.links import qr_svg, report_csv, report_json, report_table
    from .campaigns.tracked import CampaignsNotReady, site_links

    _setup_logging(verbose=False, quiet=True)
    try:
        found = site_links(config_file)
    except (CampaignsNotReady, ConfigurationError) as error:
        raise click.ClickException(str(error)) from None
    if found.problems:
        click.echo(format_problems(found.problems), err=True)
        sys.exit(1)
    chosen = found.links
    if only:
        chosen = [link for link in found.links if link.campaign == only]
        if not chosen:
            known = ", ".join(sorted({link.campaign for link in found.links})) or "none"
            raise click.ClickException(f"no campaign {only!r} has links; campaigns: {known}")
    if qr_dir is not None:
        qr_dir.mkdir(parents=True, exist_ok=True)
        for link in chosen:
            (qr_dir / f"{link.code}.svg").write_bytes(qr_svg(link.short_url))
    render = {"csv": report_csv, "json": report_json, "table": report_table}[output_format]
    click.echo(render(chosen), nl=output_format == "table")
    if qr_dir is not None:
        click.echo(f"Wrote {len(chosen)} QR codes to {qr_dir}/", err=True)


@main.command()
@click.option("-f", "--config-file", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option(
    "-a",
    "--dev-addr",
    metavar="IP:PORT",
    default=None,
    help="Address to serve on (default: the config's dev_addr, 127.0.0.1:8000).",
)
@click.option("--drafts", is_flag=True, help="Include drafts and pages dated in the future.")
@click.option("--no-livereload", is_flag=True, help="Do not reload pages when sources change.")
@click.option(
    "--leads",
    "with_leads",
    is_flag=True,
    help="Also run the lead service on the forms' service_url, storing leads in leads.db, "
    "so that the preview's forms really submit.",
)
@click.option("-v", "--verbose", is_flag=True, help="Print debug messages.")
def serve(
    config_file: str | None,
    dev_addr: str | None,
    drafts: bool,
    no_livereload: bool,
    with_leads: bool,
    verbose: bool,
) -> None:
    """Preview the site with live reload: every saved change rebuilds and refreshes the page.

    It builds into a temporary folder; site/ is not touched. With --leads, the lead service
    runs beside it (`leadpress leads serve`), accepting the preview's own address.
    """
    from mkdocs.commands.serve import serve as mkdocs_serve

    _setup_logging(verbose, quiet=False)
    _include_drafts(drafts)
    # A process manager stops the preview with SIGTERM: shut down as on Ctrl-C, so the lead
    # service started below is stopped too rather than left holding its port.
    signal.signal(signal.SIGTERM, _interrupt)
    service = None
    try:
        if with_leads:
            from .preview import start_lead_service

            service = start_lead_service(config_file, dev_addr)
        mkdocs_serve(config_file, livereload=not no_livereload, dev_addr=dev_addr)
    except (Abort, ConfigurationError) as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    finally:
        if service is not None:
            service.terminate()
            try:
                service.wait(timeout=10)
            except subprocess.TimeoutExpired:
                service.kill()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":  # pragma: no cover
    main()
