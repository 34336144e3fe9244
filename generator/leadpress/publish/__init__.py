"""Publishing a built site: minified pages, stylesheets and scripts, fingerprinted assets,
pre-compressed copies, `_headers` with a hashed Content-Security-Policy, and `_redirects`."""

from __future__ import annotations

from .names import FINGERPRINT, content_hash, fingerprinted_name, is_fingerprinted

__all__ = ["FINGERPRINT", "content_hash", "fingerprinted_name", "is_fingerprinted"]
