"""Benchmark of site search's share of a build: the demo built with and without leadpress/search.

Copies the demo twice into a temporary folder, removes `leadpress/search` from one copy's
mkdocs.yml (the baseline), then builds both alternately with the real `leadpress build`
and prints the median wall time of each, the ratio, and the index time the build reports.

    .venv/bin/python bench/search.py            # 3 builds of each
    .venv/bin/python bench/search.py --runs 5
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_PARTS = ("mkdocs.yml", "content", "theme", "campaigns")
LEADPRESS = Path(sys.executable).with_name("leadpress")
SEARCH_BLOCK = re.compile(r"  - leadpress/search:.*?(?=\n\S|\n  - |\Z)", re.S)


def _copy_demo(target: Path, *, search: bool) -> Path:
    target.mkdir(parents=True)
    for part in DEMO_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    if not search:
        config = target / "mkdocs.yml"
        text, count = SEARCH_BLOCK.subn("", config.read_text("utf-8"))
        if count != 1:
            raise SystemExit("mkdocs.yml has no `- leadpress/search` entry to remove")
        config.write_text(text, encoding="utf-8")
    return target


def _build(root: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [str(LEADPRESS), "build"], cwd=root, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"build failed in {root}:\n{result.stderr}")
    return seconds, result.stdout + result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leadpress-bench-search-") as folder:
        with_search = _copy_demo(Path(folder) / "with-search", search=True)
        baseline = _copy_demo(Path(folder) / "baseline", search=False)
        _build(with_search), _build(baseline)  # warm caches (social cards, imports)
        times: dict[str, list[float]] = {"baseline": [], "search": []}
        index_seconds: list[float] = []
        for _ in range(args.runs):
            seconds, _ = _build(baseline)
            times["baseline"].append(seconds)
            seconds, output = _build(with_search)
            times["search"].append(seconds)
            match = re.search(r"Search: (.*); (\d+) pages indexed in ([\d.]+) s", output)
            if match is None:
                raise SystemExit("the build printed no search line")
            index_seconds.append(float(match.group(3)))
        base, search = statistics.median(times["baseline"]), statistics.median(times["search"])
        print(f"engine:                {match.group(1)}")
        print(f"pages indexed:         {match.group(2)}")
        print(f"build without search:  {base:.2f} s (median of {args.runs})")
        print(f"build with search:     {search:.2f} s (median of {args.runs})")
        print(f"ratio:                 {search / base:.2f}x")
        print(f"index step (reported): {statistics.median(index_seconds):.2f} s")


if __name__ == "__main__":
    main()
