"""Telling a CDN which URLs a deploy changed, so visitors stop getting the old copies."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from .errors import DeployError

# Past this many paths one wildcard is cheaper (CloudFront bills per path beyond 1,000 a
# month, a wildcard counting as one) and as good: most of the site changed anyway.
MAX_PATHS = 100


def url_paths(keys: Iterable[str], prefix: str = "") -> list[str]:
    """The URL paths that serve these bucket keys, URL-encoded, sorted.

    A page `x/index.html` is also served as `x/`, the URL the site links to. Paths include the
    prefix: they are relative to the bucket root, which is what a CDN in front of it serves.
    """
    paths: set[str] = set()
    for key in keys:
        path = "/" + prefix + key
        paths.add(path)
        if path.endswith("/index.html"):
            paths.add(path.removesuffix("index.html"))
    # Encoded so non-ASCII names (案例/) are valid, and a `*` in a name is not a wildcard.
    return [quote(path, safe="/") for path in sorted(paths)]


def invalidation_paths(paths: Sequence[str], prefix: str = "", limit: int = MAX_PATHS) -> list[str]:
    """`paths`, or one wildcard over the prefix when there are more than `limit`."""
    if len(paths) > limit:
        return [quote("/" + prefix, safe="/") + "*"]
    return list(paths)


class Invalidator(Protocol):
    """A CDN that can drop cached copies of paths; add one to PROVIDERS to support it."""

    description: str  # for messages: "CloudFront distribution E2ABC"

    def invalidate(self, paths: Sequence[str]) -> str:
        """Request the invalidation and return the CDN's id for the request."""
        ...


@dataclass
class CloudFront:
    distribution_id: str
    client: Any = None  # a boto3 CloudFront client; made on first use when not given

    @property
    def description(self) -> str:
        return f"CloudFront distribution {self.distribution_id}"

    def invalidate(self, paths: Sequence[str]) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        if self.client is None:
            import boto3

            self.client = boto3.session.Session().client("cloudfront")
        batch = {
            "Paths": {"Quantity": len(paths), "Items": list(paths)},
            # Must be unique per request; a repeated one would return the earlier request.
            "CallerReference": f"leadpress-{time.time_ns()}",
        }
        try:
            response = self.client.create_invalidation(
                DistributionId=self.distribution_id, InvalidationBatch=batch
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            reason = (
                "it does not exist: check the ID in the CloudFront console"
                if code == "NoSuchDistribution"
                else error.response.get("Error", {}).get("Message") or code
            )
            raise DeployError(f"cannot invalidate {self.description}: {reason}") from None
        except BotoCoreError as error:
            raise DeployError(f"cannot invalidate {self.description}: {error}") from None
        return str(response["Invalidation"]["Id"])


PROVIDERS: dict[str, Callable[[str], Invalidator]] = {"cloudfront": CloudFront}
_TARGET = re.compile(r"^[A-Za-z0-9_-]+$")


def invalidator_for(spec: str) -> Invalidator:
    """The CDN named by `--invalidate`, such as `cloudfront:E2ABC123`."""
    kind, _, target = spec.partition(":")
    make = PROVIDERS.get(kind.strip().lower())
    if make is None or not _TARGET.match(target.strip()):
        kinds = ", ".join(f"{name}:<ID>" for name in PROVIDERS)
        raise DeployError(f"--invalidate {spec!r}: expected {kinds}, e.g. cloudfront:E2ABC123")
    return make(target.strip())
