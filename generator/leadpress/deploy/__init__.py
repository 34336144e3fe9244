"""`leadpress deploy`: sync the built site/ to an S3 bucket or an S3-compatible service."""

from __future__ import annotations

from .cdn import CloudFront, Invalidator, invalidation_paths, invalidator_for, url_paths
from .errors import DeployError
from .plan import LocalFile, Plan, RemoteObject, headers_for, local_files, make_plan, remote_objects
from .sync import DeployReport, Destination, Step, deploy, parse_destination

__all__ = [
    "CloudFront",
    "DeployError",
    "DeployReport",
    "Destination",
    "Invalidator",
    "LocalFile",
    "Plan",
    "RemoteObject",
    "Step",
    "deploy",
    "headers_for",
    "invalidation_paths",
    "invalidator_for",
    "local_files",
    "make_plan",
    "parse_destination",
    "remote_objects",
    "url_paths",
]
