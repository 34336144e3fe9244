"""Build speed: work spread over a process pool, and results kept between builds.

Everything here is a plain function over plain data; what is cached is keyed by hashes of
all its inputs, so a build with the cache gives the same bytes as one without.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any

DEFAULT_CACHE_DIR = ".leadpress-cache"  # beside mkdocs.yml
CACHE_VARIABLE = "LEADPRESS_CACHE"  # "off": compute everything, keep nothing between builds


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once, at import (on the main thread): the umask can only be read by setting it.
UMASK = _read_umask()
FILE_MODE = 0o666 & ~UMASK  # what open() gives a new file; mkstemp gives 0o600
FOLDER_MODE = 0o777 & ~UMASK


def cache_wanted() -> bool:
    """False when the environment turns every build cache off."""
    return os.environ.get(CACHE_VARIABLE, "").lower() != "off"


def dump_atomically(path: Path, value: object) -> None:
    """Pickle `value` to `path` through a temporary file and a rename, so a crash never
    leaves half a file. A cache only saves time: a file that cannot be written is not."""
    with suppress(OSError):
        write_atomically(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def load_versioned(path: Path, version: str) -> dict[str, Any] | None:
    """What was kept at `path` as `{"format": version, ...}`; None when the file is missing,
    unreadable or of another format: a cache only ever saves time."""
    try:
        with open(path, "rb") as handle:
            stored = pickle.load(handle)
    except Exception:  # missing, truncated or garbled: a pickle fails in many ways
        return None
    if not isinstance(stored, dict) or stored.get("format") != version:
        return None
    return stored


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename: a crash never leaves
    half a file, and a file hard-linked elsewhere is replaced, not changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        # Readable as any other new file: a site file linked from here is served by a web
        # server that is not its owner.
        os.fchmod(handle, FILE_MODE)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """`target` as a hard link to `source`, replacing any file there: no bytes written.
    Where links are not possible (another file system), a copy, through a temporary file
    and a rename."""
    try:
        os.link(source, target)
    except FileExistsError:
        os.unlink(target)
        os.link(source, target)
    except OSError:
        write_atomically(Path(target), Path(source).read_bytes())
