"""Benchmark of leadpress/publish: what the last build step costs and what it saves.

Builds the demo site (copied to a temporary folder) with every publishing step off, which is
the baseline of the same run, then with the default steps, then with pre-compression too, a
few times each, and prints the median build time, its ratio to the baseline, and the bytes
of the pages as a visitor downloads them (gzip, as a CDN would send them).

    .venv/bin/python bench/publish.py            # 3 builds of each kind
    .venv/bin/python bench/publish.py --runs 5
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LEADPRESS = Path(sys.executable).with_name("leadpress")
PARTS = ("mkdocs.yml", "content", "theme", "campaigns")
OFF = "      minify: false\n      fingerprint: false\n      headers: false\n"
KINDS = {
    "baseline (publish off)": (OFF, []),
    "publish (defaults)": ("", []),
    "publish + precompress": ("", ["--precompress"]),
}  # fmt: skip


def _copy(target: Path, options: str) -> Path:
    target.mkdir(parents=True)
    for part in PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    config = target / "mkdocs.yml"
    entry = "  - leadpress/publish" + (":\n" + options.rstrip("\n") if options else "")
    text = re.sub(r"^  - leadpress/publish\b.*$", entry, config.read_text(), flags=re.M)
    config.write_text(text)
    return target


def _build(root: Path, args: list[str]) -> float:
    # Same clock for every build, and a warm card cache after the first, as in CI.
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795176000"}
    started = time.perf_counter()
    subprocess.run(
        [str(LEADPRESS), "build", "-q", *args],
        cwd=root,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,  # the build's own summary; the figures are printed below
    )
    return time.perf_counter() - started


def _page_bytes(site: Path) -> tuple[int, int]:
    pages = [p.read_bytes() for p in site.rglob("*.html")]
    return sum(map(len, pages)), sum(len(gzip.compress(p, 6)) for p in pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="leadpress-bench-") as folder:
        results = {}
        for index, (kind, (options, args)) in enumerate(KINDS.items()):
            root = _copy(Path(folder) / f"site-{index}", options)
            _build(root, args)  # warm-up: social cards drawn once, imports cached
            times = [_build(root, args) for _ in range(runs)]
            results[kind] = (statistics.median(times), *_page_bytes(root / "site"))
        base_time, base_raw, base_gz = results["baseline (publish off)"]
        print(f"{'build':<24} {'median s':>9} {'x base':>7} {'pages KB':>9} {'gzip KB':>8}")
        for kind, (seconds, raw, packed) in results.items():
            print(
                f"{kind:<24} {seconds:>9.2f} {seconds / base_time:>7.2f} "
                f"{raw / 1024:>9.0f} {packed / 1024:>8.0f}"
            )
        _, raw, packed = results["publish (defaults)"]
        print(
            f"pages: {raw / base_raw:.2f} of the baseline's bytes, {packed / base_gz:.2f} gzipped"
        )


if __name__ == "__main__":
    main()
