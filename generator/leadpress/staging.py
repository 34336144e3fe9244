"""The folders of an atomic build: a staging folder beside `site/`, swapped in whole.

A large site has thousands of folders (one per page), and making a folder costs far more
than writing a small file on some disks (0.2 ms each on the machine of bench/README.md). So the
previous site is not simply deleted after the swap: a background job deletes its files but
keeps its folders, and the next build starts from that emptied tree. Folders the new build
leaves empty are removed before its site is swapped in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from .buildcache import FOLDER_MODE

OLD_INFIX = "-old-"  # .site-old-<pid>: the previous site, until it is emptied
EMPTIED_SUFFIX = "-emptied"  # .site-emptied: folders only, ready for the next build
STALE_SECONDS = 600  # an .site-old-<pid> left this long was not emptied: deleted

# Delete every file of $1, keep its folders, and leave them as $2 for the next build
# (unless a tree is waiting there already). Whatever is left of $1 is then deleted.
_EMPTY_SCRIPT = (
    'find "$1" ! -type d -delete 2>/dev/null && { [ -e "$2" ] || mv -- "$1" "$2"; }; rm -rf -- "$1"'
)


def staging_folder(final: Path) -> Path:
    """A new folder beside `final` to build into: the emptied tree of an earlier site when
    one is ready, else an empty folder."""
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}-build-", dir=final.parent))
    emptied = final.with_name(f".{final.name}{EMPTIED_SUFFIX}")
    if emptied.is_dir():
        # A rename onto an empty folder replaces it; it fails when a build running beside
        # this one took the tree first.
        with suppress(OSError):
            emptied.rename(staging)
    staging.chmod(FOLDER_MODE)  # mkdtemp's 0o700 would keep a web server out of the site
    return staging


def prune_empty_folders(root: Path) -> None:
    """Remove the folders under `root` that hold no file, deepest first."""
    for folder, _, names in os.walk(root, topdown=False):
        if not names and folder != str(root):
            with suppress(OSError):  # it fails for a folder that holds a folder with files
                os.rmdir(folder)


def swap_in(staging: Path, final: Path) -> None:
    """Rename the new site into place; the previous one is renamed aside first and emptied
    in the background, so the command is done as soon as the new site is."""
    for leftover in final.parent.glob(f".{final.name}{OLD_INFIX}*"):
        # From a build whose clean-up was cut short; a recent one may still be emptied by
        # its job (which takes seconds), and two jobs must not work on one tree.
        if _untouched_for(leftover, STALE_SECONDS):
            _delete_in_background(leftover)
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}{OLD_INFIX}{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
    staging.rename(final)
    if old is not None:
        _empty_in_background(old, final.with_name(f".{final.name}{EMPTIED_SUFFIX}"))


def _untouched_for(folder: Path, seconds: float) -> bool:
    try:
        return time.time() - folder.stat().st_mtime > seconds
    except OSError:  # gone already
        return False


def _empty_in_background(folder: Path, emptied: Path) -> None:
    _in_background(_EMPTY_SCRIPT, folder, emptied)


def _delete_in_background(folder: Path) -> None:
    _in_background('rm -rf -- "$1"', folder)


def _in_background(script: str, *folders: Path) -> None:
    """Run `script` on `folders` in a shell job that outlives this process (the shell
    starts it and returns); without a POSIX shell, delete the first folder here."""
    shell = shutil.which("sh")
    if shell is None or os.name != "posix":
        shutil.rmtree(folders[0], ignore_errors=True)
        return
    subprocess.run(
        [shell, "-c", f"({script}) >/dev/null 2>&1 &", "leadpress", *map(str, folders)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        check=False,
    )
