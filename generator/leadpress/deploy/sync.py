"""Make an S3 bucket (or a prefix in it) hold exactly the built site, in a safe order."""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .cdn import Invalidator, invalidation_paths, invalidator_for, url_paths
from .errors import DeployError
from .plan import ASSETS, INDEXES, PAGES, LocalFile, Plan, local_files, make_plan, remote_objects

# Files from this size up go in parts; their ETag is then not an MD5, hence x-amz-meta-sha256.
MULTIPART_THRESHOLD = 64 * 1024 * 1024
WORKERS = 8
DELETE_BATCH = 1000  # the most DeleteObjects takes at once

CREDENTIALS_HELP = (
    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or run "
    "`aws configure`); for an S3-compatible service, use the access key it gives you"
)
_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Destination:
    bucket: str
    prefix: str = ""  # empty, or ending in "/"

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def parse_destination(dest: str) -> Destination:
    """`s3://bucket` or `s3://bucket/some/prefix`."""
    scheme, found, rest = dest.partition("://")
    if not found or scheme.lower() != "s3":
        raise DeployError(f"{dest!r} is not an S3 address: use s3://bucket or s3://bucket/prefix")
    bucket, _, path = rest.partition("/")
    if not bucket:
        raise DeployError(f"{dest!r} has no bucket name: use s3://bucket or s3://bucket/prefix")
    if not _BUCKET.match(bucket):
        raise DeployError(
            f"{bucket!r} is not a valid bucket name: use letters, digits, dots and hyphens"
        )
    parts = [part for part in path.split("/") if part]
    if any(part in {".", ".."} for part in parts):
        raise DeployError(f"{dest!r}: the prefix may not contain . or .. segments")
    return Destination(bucket, "".join(part + "/" for part in parts))


@dataclass(frozen=True)
class Step:
    """One finished upload or deletion, for progress display."""

    action: Literal["upload", "delete"]
    key: str
    done: int
    total: int


@dataclass(frozen=True)
class DeployReport:
    uploaded: tuple[str, ...]  # keys relative to the prefix; planned ones on a dry run
    unchanged: tuple[str, ...]
    deleted: tuple[str, ...]
    invalidated_paths: tuple[str, ...]  # what the CDN was asked to drop; empty if not asked
    seconds: float
    changed_paths: tuple[str, ...] = ()  # URL paths of uploaded and deleted files
    invalidation_id: str | None = None
    dry_run: bool = False

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"Dry run: would upload {len(self.uploaded)}, unchanged {len(self.unchanged)}, "
                f"would delete {len(self.deleted)}; nothing was changed"
            )
        return (
            f"Uploaded {len(self.uploaded)}, unchanged {len(self.unchanged)}, "
            f"deleted {len(self.deleted)} in {self.seconds:.1f} s"
        )


def check_site(site_dir: Path) -> None:
    if not site_dir.is_dir():
        raise DeployError(
            f"{site_dir}/ does not exist: run `leadpress build` first, or give the built "
            "site's folder with --site-dir"
        )
    # Deploying the wrong folder with deletions on would empty the bucket: ask for a real site.
    if not (site_dir / "index.html").is_file():
        raise DeployError(
            f"{site_dir}/ has no index.html, so it is not a built site: run `leadpress build` "
            "first, or give the built site's folder with --site-dir"
        )


def endpoint_from_environment() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


def s3_client(endpoint_url: str | None = None) -> Any:
    import boto3
    from botocore.config import Config

    endpoint_url = endpoint_url or endpoint_from_environment()
    config = Config(retries={"max_attempts": 5, "mode": "standard"})
    if endpoint_url:
        # Not every S3-compatible service accepts the CRC checksums recent AWS SDKs add to each
        # upload; Content-MD5 still protects every file.
        config = config.merge(
            Config(
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
        )
    # A session of its own: boto3's default one keeps the credentials it found first.
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)


@contextmanager
def _explained(destination: Destination, endpoint_url: str | None) -> Iterator[None]:
    """Turn boto errors into one line that says what to fix."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
    )

    where = f" at {endpoint_url}" if endpoint_url else ""
    try:
        yield
    except (NoCredentialsError, PartialCredentialsError):
        raise DeployError(f"no S3 credentials found: {CREDENTIALS_HELP}") from None
    except EndpointConnectionError as error:
        raise DeployError(f"cannot reach the S3 service: {error}") from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message") or code
        if code == "NoSuchBucket":
            raise DeployError(
                f"bucket {destination.bucket!r} does not exist{where}: create it first, or "
                "check the name (and --endpoint-url for an S3-compatible service)"
            ) from None
        if code in {"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"}:
            raise DeployError(
                f"the S3 credentials were refused ({code}): {CREDENTIALS_HELP}"
            ) from None
        if code in {"AccessDenied", "403", "AllAccessDisabled"}:
            raise DeployError(
                f"access denied to {destination}{where}: the credentials need to list, read, "
                "write and delete objects in this bucket"
            ) from None
        raise DeployError(f"S3 {error.operation_name} failed{where}: {message}") from None
    except BotoCoreError as error:
        raise DeployError(f"S3 request failed{where}: {error}") from None


def _upload(client: Any, bucket: str, key: str, file: LocalFile) -> None:
    extra: dict[str, Any] = {
        "ContentType": file.content_type,
        "CacheControl": file.cache_control,
        "Metadata": {"sha256": file.sha256},
    }
    if file.content_encoding:
        extra["ContentEncoding"] = file.content_encoding
    if file.size < MULTIPART_THRESHOLD:
        # Content-MD5 makes S3 refuse a file that changed since it was hashed (a rebuild
        # running meanwhile), instead of storing it under the old hash.
        md5 = base64.b64encode(bytes.fromhex(file.md5)).decode("ascii")
        client.put_object(
            Bucket=bucket, Key=key, Body=file.path.read_bytes(), ContentMD5=md5, **extra
        )
    else:
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD)
        client.upload_file(str(file.path), bucket, key, ExtraArgs=extra, Config=config)


def _in_parallel(work: Callable[[str], None], keys: Iterable[str], done: Callable[[str], None]):
    """Run `work` on every key; on the first failure, start no more and raise it."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {pool.submit(work, key): key for key in keys}
        try:
            for future in as_completed(futures):
                future.result()
                done(futures[future])
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _delete(client: Any, bucket: str, keys: list[str]) -> None:
    response = client.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True}
    )
    if errors := response.get("Errors"):
        failed = ", ".join(f"{error['Key']} ({error.get('Code')})" for error in errors[:5])
        raise DeployError(f"could not delete {len(errors)} objects: {failed}")


def _execute(
    client: Any,
    destination: Destination,
    plan: Plan,
    local: Mapping[str, LocalFile],
    progress: Callable[[Step], None] | None,
) -> None:
    total, done = plan.changes, 0

    def finished(action: Literal["upload", "delete"], key: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(Step(action, key, done, total))

    def upload(key: str) -> None:
        _upload(client, destination.bucket, destination.prefix + key, local[key])

    # Each phase completes before the next starts: assets, then pages, then feeds and sitemaps.
    for phase in (ASSETS, PAGES, INDEXES):
        keys = [key for key in plan.uploads if local[key].phase == phase]
        _in_parallel(upload, keys, lambda key: finished("upload", key))
    # Last, so a page still served from a cache or an old tab finds its old assets meanwhile.
    for start in range(0, len(plan.deletions), DELETE_BATCH):
        batch = list(plan.deletions[start : start + DELETE_BATCH])
        _delete(client, destination.bucket, [destination.prefix + key for key in batch])
        for key in batch:
            finished("delete", key)


def deploy(
    site_dir: Path | str,
    dest: str | Destination,
    *,
    endpoint_url: str | None = None,
    dry_run: bool = False,
    delete: bool = True,
    invalidate: str | Invalidator | None = None,
    client: Any = None,
    progress: Callable[[Step], None] | None = None,
) -> DeployReport:
    """Upload new and changed files of `site_dir` to `dest`, then delete what it no longer has.

    `invalidate` is a spec such as `cloudfront:E2ABC123`, or an Invalidator. Raises
    DeployError with a message for the user on anything that stops the deploy.
    """
    started = time.monotonic()
    destination = dest if isinstance(dest, Destination) else parse_destination(dest)
    site = Path(site_dir)
    check_site(site)
    invalidator = invalidator_for(invalidate) if isinstance(invalidate, str) else invalidate
    endpoint_url = endpoint_url or endpoint_from_environment()
    client = client or s3_client(endpoint_url)

    with _explained(destination, endpoint_url):
        local = local_files(site)
        remote = remote_objects(
            client, destination.bucket, destination.prefix, compare_with=local, workers=WORKERS
        )
        plan = make_plan(local, remote, delete=delete)
        changed = tuple(url_paths(plan.uploads + plan.deletions, destination.prefix))
        if not dry_run:
            _execute(client, destination, plan, local, progress)

    sent: tuple[str, ...] = ()
    invalidation_id = None
    if invalidator is not None and changed and not dry_run:
        sent = tuple(invalidation_paths(changed, destination.prefix))
        invalidation_id = invalidator.invalidate(sent)
    return DeployReport(
        uploaded=plan.uploads,
        unchanged=plan.unchanged,
        deleted=plan.deletions,
        invalidated_paths=sent,
        seconds=time.monotonic() - started,
        changed_paths=changed,
        invalidation_id=invalidation_id,
        dry_run=dry_run,
    )
