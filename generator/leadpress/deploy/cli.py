"""`leadpress deploy`: publish the built site to an S3 bucket or an S3-compatible service."""

from __future__ import annotations

import time
from pathlib import Path

import click

from .cdn import Invalidator, invalidator_for
from .errors import DeployError
from .sync import DeployReport, Destination, Step, parse_destination
from .sync import deploy as run_deploy

PROGRESS_EVERY = 2.0  # seconds; short deploys print only the summary
LISTED_PATHS = 20


class _Progress:
    """A line every few seconds, so a long upload is visibly moving; silent on short ones."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, step: Step) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            verb = "uploaded" if step.action == "upload" else "deleted"
            click.echo(f"  {step.done}/{step.total} ({verb} {step.key})", err=True)


def _destination(_ctx: click.Context, _param: click.Parameter, value: str) -> Destination:
    try:
        return parse_destination(value)
    except DeployError as error:
        raise click.BadParameter(str(error)) from None


def _invalidator(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> Invalidator | None:
    try:
        return invalidator_for(value) if value else None
    except DeployError as error:
        raise click.BadParameter(str(error)) from None


def _print_plan(report: DeployReport) -> None:
    for key in report.uploaded:
        click.echo(f"  upload  {key}")
    for key in report.deleted:
        click.echo(f"  delete  {key}")


def _print_paths(report: DeployReport, invalidator: Invalidator | None) -> None:
    if invalidator is not None and not report.changed_paths:
        click.echo(f"Nothing changed, so nothing was invalidated on {invalidator.description}.")
        return
    if invalidator is not None and report.invalidation_id:
        paths = report.invalidated_paths
        click.echo(
            f"Invalidated {len(paths)} path{'' if len(paths) == 1 else 's'} on "
            f"{invalidator.description} (request {report.invalidation_id}): "
            + ", ".join(paths[:5])
            + (", …" if len(paths) > 5 else "")
        )
        return
    if report.changed_paths:
        click.echo("Changed paths (to purge from a CDN cache):")
        for path in report.changed_paths[:LISTED_PATHS]:
            click.echo(f"  {path}")
        if len(report.changed_paths) > LISTED_PATHS:
            click.echo(f"  … and {len(report.changed_paths) - LISTED_PATHS} more")


@click.command()
@click.argument("dest", metavar="DEST", callback=_destination)
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The built site to publish.",
)
@click.option(
    "--endpoint-url",
    envvar="AWS_ENDPOINT_URL",
    metavar="URL",
    help="An S3-compatible service (R2, MinIO, B2, …) instead of AWS. Env: AWS_ENDPOINT_URL.",
)
@click.option(
    "--dry-run", is_flag=True, help="List what would be uploaded and deleted; change nothing."
)
@click.option("--no-delete", is_flag=True, help="Keep objects whose file is no longer in the site.")
@click.option(
    "--invalidate",
    metavar="cloudfront:ID",
    callback=_invalidator,
    help="Ask this CloudFront distribution to drop its cached copies of the changed paths.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary and errors.")
def deploy(
    dest: Destination,
    site_dir: Path,
    endpoint_url: str | None,
    dry_run: bool,
    no_delete: bool,
    invalidate: Invalidator | None,
    quiet: bool,
) -> None:
    """Publish the built site to DEST, s3://bucket or s3://bucket/prefix.

    Only new and changed files are uploaded (compared by content hash), each with its
    Content-Type and a Cache-Control that suits it: a year for fingerprinted assets, none for
    pages. Assets go first, pages after them, and files the site no longer has are deleted
    last, so visitors never get a page whose assets are missing. Credentials come from the
    usual AWS settings (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE).
    """
    try:
        report = run_deploy(
            site_dir,
            dest,
            endpoint_url=endpoint_url,
            dry_run=dry_run,
            delete=not no_delete,
            invalidate=invalidate,
            progress=None if quiet else _Progress(),
        )
    except DeployError as error:
        raise click.ClickException(str(error)) from None
    if not quiet and dry_run:
        _print_plan(report)
    click.echo(report.summary())
    if not quiet and not dry_run:
        _print_paths(report, invalidate)
