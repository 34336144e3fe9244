"""The one error a deploy raises: its message says what went wrong and what to do."""

from __future__ import annotations


class DeployError(Exception):
    pass
