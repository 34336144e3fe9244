"""Build speed: work spread over a process pool, and results kept between builds.

Everything here is a plain function over plain data; what is cached is keyed by hashes of
all its inputs, so a build with the cache gives the same bytes as one without.
"""

from __future__ import annotations

import os

CACHE_VARIABLE = "LEADPRESS_CACHE"  # "off": compute everything, keep nothing between builds


def cache_wanted() -> bool:
    """False when the environment turns every build cache off."""
    return os.environ.get(CACHE_VARIABLE, "").lower() != "off"
