"""Real scraped Chinese articles, junk included, build into valid article pages."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup

from conftest import SHARED, run_leadpress
from leadpress.content.readtime import count_words
from leadpress.content.slugs import slugify

CORPUS = SHARED / "corpus"
TEXTS = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(
    not TEXTS, reason=f"no real-world corpus at {CORPUS} (it is in the shared folder)"
)


def _title(text: str) -> str:
    first = next(line.strip() for line in text.splitlines() if line.strip())
    return first[:40]


def test_site_with_corpus_bodies_builds(make_site) -> None:
    files = {}
    for number, path in enumerate(TEXTS):
        text = path.read_text(encoding="utf-8")
        front = (
            f"title: {json.dumps(_title(text), ensure_ascii=False)}\n"
            f"date: 2026-0{number + 1}-10\nlang: zh\ntags: [客户, 运营]\n"
        )
        files[f"articles/corpus-{number}.md"] = f"---\n{front}---\n{text}"
    root = make_site(files)

    result = run_leadpress("build", cwd=root)
    assert result.returncode == 0, result.stderr

    for path in TEXTS:
        text = path.read_text(encoding="utf-8")
        page = root / "site/articles" / slugify(_title(text)) / "index.html"
        assert page.is_file(), path.name
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.h1.get_text() == _title(text)
        assert soup.html["lang"] == "zh"  # in an English site, the page says it is Chinese
        # A long sentence of the body survives intact.
        sentence = max(text.splitlines(), key=len).strip()[:30]
        assert sentence in soup.select_one("article").get_text()
        # Reading time counts characters: at least one minute per 400 of them.
        label = soup.select_one(".lp-byline__readtime").get_text()
        assert label.startswith("阅读约")  # Chinese pages speak Chinese
        minutes = int(re.search(r"\d+", label).group())
        assert minutes >= count_words(text)[0] // 400
