"""`leadpress import`: existing articles become Leadpress Markdown that loads and builds."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import markdown
import pytest
import yaml
from click.testing import CliRunner, Result

from conftest import DEMO_NOW, SHARED, epoch, parse_page, run_leadpress
from leadpress.cli import main
from leadpress.importing.cleanup import lost_characters, remove_pinyin_insertions
from leadpress.importing.dates import date_line, find_date, split_date

FIXTURES = Path(__file__).parent / "fixtures" / "import"
TODAY = DEMO_NOW.date()
CORPUS = SHARED / "corpus"
CORPUS_TEXTS = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
PINYIN_IN_BRACKETS = re.compile(r"[(（?][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü ]+[)）]")

SITE_CONFIG = """\
site_name: Imported articles
site_url: https://www.tallyfold.example/
docs_dir: content
theme:
  name: material
  language: en
nav:
  - Home: index.md
  - Articles: articles/index.md
plugins:
  - search
  - leadpress/content:
      timezone: UTC
  - leadpress/feeds
  - leadpress/seo
"""


def run_import(*args: str | Path) -> Result:
    """The real `leadpress import` command, with the import date fixed to the test clock."""
    return CliRunner().invoke(
        main,
        ["import", *map(str, args)],
        env={"SOURCE_DATE_EPOCH": epoch(DEMO_NOW)},
        catch_exceptions=False,
    )


def read_page(path: Path) -> tuple[dict, str]:
    """Front matter and body of a written file, which Leadpress's own loader must accept."""
    text = path.read_text(encoding="utf-8")
    parse_page(f"articles/{path.name}", text)
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def only_file(folder: Path) -> Path:
    files = sorted(folder.glob("*.md"))
    assert len(files) == 1, files
    return files[0]


# --- a saved blog page ------------------------------------------------------------------


def test_blog_page_keeps_the_article_and_drops_the_page_around_it(tmp_path: Path) -> None:
    result = run_import(FIXTURES / "blog-page.html", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    path = tmp_path / "why-renewal-forecasts-slip-and-how-to-fix-them.md"
    front, body = read_page(path)

    assert "Every quarter, the renewal forecast in our customers' dashboards drifts" in body
    assert "## Count the signals, not the feelings" in body
    assert "- Whether the executive sponsor logged in this quarter" in body
    assert "[renewal review checklist](https://northbeam.example/guides/renewal-review)" in body
    assert (
        "![Forecast against actual renewals, by month]"
        "(https://northbeam.example/img/forecast-chart.png)" in body
    )
    assert "cut their forecast error from eighteen percent to six percent" in body
    for furniture in (
        "Pricing",  # navigation
        "Contact sales",
        "Home >",  # breadcrumb
        "Share this",  # share bar
        "LinkedIn",
        "14 comments",  # comment counter and comments
        "Great post",
        "Leave a reply",
        "Related posts",  # related list
        "Five churn signals",
        "Read more",
        "cheap crm",  # link-farm keywords
        "Sponsored",  # ads
        "Advertisement",
        "All rights reserved",  # footer
    ):
        assert furniture not in body, furniture
    # The title is the page's H1; the body does not repeat it.
    assert "# Why renewal forecasts slip" not in body

    assert front["type"] == "article"
    assert front["title"] == "Why renewal forecasts slip, and how to fix them"
    assert front["date"] == date(2024, 3, 7)
    assert front["description"] == "Three habits that keep a renewal forecast honest."
    assert front["lang"] == "en"
    assert front["slug"] == "why-renewal-forecasts-slip-and-how-to-fix-them"
    assert "draft" not in front
    assert front["extra"] == {"source_author": "Priya Raman"}
    # The author is not one of the site's authors yet: the report says how to add them.
    assert "authors: 'Priya Raman' is not in authors.yml" in result.output
    assert "priya-raman: {name: Priya Raman}" in result.output


def test_a_known_author_is_written_as_the_author_id(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "authors.yml").write_text(
        "priya: {name: Priya Raman, title: Head of Customer Success}\n", encoding="utf-8"
    )
    result = run_import(FIXTURES / "blog-page.html", "--out", content / "articles")
    assert result.exit_code == 0, result.output
    front, _ = read_page(only_file(content / "articles"))
    assert front["authors"] == ["priya"]
    assert "extra" not in front
    assert "authors:" not in result.output


# --- a WeChat article saved as HTML -----------------------------------------------------


def test_wechat_article_takes_title_author_and_time_from_their_places(tmp_path: Path) -> None:
    result = run_import(FIXTURES / "wechat-article.html", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    front, body = read_page(tmp_path / "si-yu-yun-ying-de-san-ge-wu-qu.md")

    assert front["title"] == "私域运营的三个误区"
    # `var ct = "1709748000"` is 2024-03-06 18:00 UTC: 7 March in China, where it was posted.
    assert front["date"] == date(2024, 3, 7)
    assert front["extra"] == {"source_author": "林小雨"}
    assert front["lang"] == "zh"
    assert front["description"] == "加了企业微信好友，不等于有了私域。"

    assert "很多团队把客户加到企业微信之后，就以为私域已经建成了。" in body
    assert "## 误区一：只拉新，不分层" in body
    assert "比十条产品广告更能带来咨询" in body
    # The lazy-loaded image keeps its real address (data-src), not the blank placeholder.
    assert "![客户分层示意图](https://mmbiz.qpic.cn/mmbiz_png/abc123/640?wx_fmt=png)" in body
    assert "[私域内容日历指南](https://growthlab.example/guides/private-domain)" in body
    for furniture in ("阅读原文", "3116", "在看", "微信扫一扫", "关注该公众号", "写留言", "留言 6"):
        assert furniture not in body, furniture
    assert "save the images into content/" in result.output


def test_wechat_page_saved_after_its_scripts_ran_has_the_time_on_the_page(
    tmp_path: Path,
) -> None:
    page = (FIXTURES / "wechat-article.html").read_text(encoding="utf-8")
    empty = '<em id="publish_time" class="rich_media_meta rich_media_meta_text"></em>'
    shown = empty.replace("></em>", ">2024年3月9日 08:15</em>")
    page = page.replace('var ct = "1709748000";', "").replace(empty, shown)
    source = tmp_path / "saved.html"
    source.write_text(page, encoding="utf-8")
    result = run_import(source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    front, _ = read_page(only_file(tmp_path / "out"))
    assert front["date"] == date(2024, 3, 9)


# --- a WordPress export -----------------------------------------------------------------


def test_wordpress_export_gives_one_file_per_post_and_keeps_drafts_drafts(
    tmp_path: Path,
) -> None:
    result = run_import(FIXTURES / "wordpress-export.xml", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    # Three posts; the attachment is not an article.
    assert sorted(p.name for p in tmp_path.glob("*.md")) == [
        "draft-pricing-page-experiments.md",
        "webinar-invitation.md",
        "xian-suo-ping-fen.md",
    ]

    front, body = read_page(tmp_path / "webinar-invitation.md")
    assert front["title"] == "Writing a webinar invitation people open"
    assert front["date"] == date(2023, 9, 12)
    assert front["description"] == "How to write webinar invitations that get opened and attended."
    assert front["categories"] == ["Demand generation"]
    assert front["tags"] == ["email", "webinars"]
    assert front["extra"] == {"source_author": "Jamie Wong"}  # the display name, not the login
    assert "draft" not in front
    assert "An invitation competes with forty other emails on a Tuesday morning." in body
    assert "## Lead with the outcome" in body
    assert "- Name the date and the time zone" in body
    assert "(https://blog.harbourline.example/wp-content/uploads/2023/09/open-rates.png)" in body
    assert "Send the reminder one hour before the start" in body
    for furniture in ("[caption", "[sharethis", "wp:heading", "Nice tips"):
        assert furniture not in body, furniture

    front, body = read_page(tmp_path / "xian-suo-ping-fen.md")
    assert front["title"] == "线索评分从哪里开始"
    assert front["lang"] == "zh"
    assert front["slug"] == "xian-suo-ping-fen"  # WordPress's own slug, in pinyin
    assert front["date"] == date(2023, 10, 18)
    assert "## 先定义“合格线索”" in body  # an h3 under the title becomes the first level

    front, body = read_page(tmp_path / "draft-pricing-page-experiments.md")
    assert front["draft"] is True
    # A draft has no publication date in WordPress: it gets the import date, and the report
    # says so.
    assert front["date"] == TODAY
    assert "The version that showed annual prices first" in body
    assert (
        f"date: not stated in the source; written as a draft dated {TODAY.isoformat()}"
        in result.output
    )
    assert "Imported 3 articles (1 as drafts)." in result.output


# --- plain text -------------------------------------------------------------------------


def test_traditional_text_is_converted_with_to_simplified(tmp_path: Path) -> None:
    result = run_import(FIXTURES / "traditional.txt", "--out", tmp_path, "--to-simplified")
    assert result.exit_code == 0, result.output
    front, body = read_page(tmp_path / "ke-hu-cheng-gong-tuan-dui-de-san-ge-xi-guan.md")

    assert front["title"] == "客户成功团队的三个习惯"
    assert front["date"] == date(2013, 5, 7)  # 發佈時間：2013年5月7日
    assert front["extra"] == {"source_author": "陈思远"}
    assert front["lang"] == "zh"
    assert "许多B2B企业把客户成功当成售后服务" in body  # simplified, pinyin gone
    assert "## 二、建立高层联系" in body
    assert "比任何折扣都更有说服力" in body
    for furniture in (
        "首页",  # breadcrumb
        "正文",
        "2048",  # counters
        "评论",
        "(yè)",  # pinyin insertions
        "(wù)",
        "分享到",  # share prompt
        "阅读全文",
        "2013-05-07 10:20",  # posted-at footer
        "相关文章",  # related list
        "客户流失的五个信号",
        "暂无评论",  # comment prompt
    ):
        assert furniture not in body, furniture
    assert not re.search("[業務戶團隊]", body)  # no traditional characters left
    assert "removed 2 pinyin insertions" in result.output


def test_traditional_text_stays_traditional_without_the_flag(tmp_path: Path) -> None:
    result = run_import(FIXTURES / "traditional.txt", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    front, body = read_page(only_file(tmp_path))
    assert front["title"] == "客戶成功團隊的三個習慣"
    assert "許多B2B企業把客戶成功當成售後服務" in body  # pinyin still removed
    assert "add --to-simplified to convert" in result.output


def test_text_with_a_date_split_over_lines_and_no_author(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text(
        "首页 > 读 文 > 续约预测的三个信号\n2024\n03-15\n\n续约预测的三个信号\n\n"
        "续约之前三个月，先看活跃席位。\n\n再看付款是否准时。\n\n"
        "本文》有 0 条评论\n\n留下一个回复\n",
        encoding="utf-8",
    )
    result = run_import(source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    front, body = read_page(only_file(tmp_path / "out"))
    assert front["title"] == "续约预测的三个信号"
    assert front["date"] == date(2024, 3, 15)
    assert body.strip() == "续约之前三个月，先看活跃席位。\n\n再看付款是否准时。"
    assert "authors: no author is stated" in result.output


def test_text_without_a_date_is_a_draft_dated_today(tmp_path: Path) -> None:
    source = tmp_path / "undated.txt"
    source.write_text(
        "Pipeline reviews that help\n\nKeep the review to thirty minutes.\n", encoding="utf-8"
    )
    result = run_import(source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    front, body = read_page(only_file(tmp_path / "out"))
    assert front["title"] == "Pipeline reviews that help"
    assert front["draft"] is True
    assert front["date"] == TODAY
    assert front["lang"] == "en"
    assert body.strip() == "Keep the review to thirty minutes."
    assert f"{source} -> {tmp_path / 'out'}" in result.output
    assert "date: not stated in the source; written as a draft" in result.output


def test_text_in_a_chinese_legacy_encoding_is_read(tmp_path: Path) -> None:
    source = tmp_path / "gbk.txt"
    source.write_bytes(
        "线索评分的第一步\n2019年3月2日\n\n先用三个信号给线索打分，每月和销售一起复盘。\n".encode(
            "gbk"
        )
    )
    result = run_import(source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    front, body = read_page(only_file(tmp_path / "out"))
    assert front["title"] == "线索评分的第一步"
    assert front["date"] == date(2019, 3, 2)
    assert body.strip() == "先用三个信号给线索打分，每月和销售一起复盘。"


def test_markup_characters_in_plain_text_stay_text(tmp_path: Path) -> None:
    source = tmp_path / "markup.txt"
    source.write_text(
        "What <script> tags do\n\n# not a heading\n\n"
        "Use a_b and *stars* and <b>bold</b>.\n\n2013-5-7\n",
        encoding="utf-8",
    )
    result = run_import(source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    _front, body = read_page(only_file(tmp_path / "out"))
    html = markdown.markdown(body)
    assert "<script>" not in html and "<b>" not in html
    assert "<h1>" not in html
    assert "*stars*" in html and "a_b" in html


# --- the kind is read from the content --------------------------------------------------


def test_kind_comes_from_content_not_the_file_name(tmp_path: Path) -> None:
    disguised = tmp_path / "export.txt"  # a WordPress export with the wrong extension
    shutil.copy(FIXTURES / "wordpress-export.xml", disguised)
    page = tmp_path / "saved-page"  # a web page with no extension at all
    shutil.copy(FIXTURES / "blog-page.html", page)
    result = run_import(disguised, page, "--out", tmp_path / "out", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "post 101: Writing a webinar invitation" in result.output
    assert f"{page} would write {tmp_path / 'out'}/why-renewal-forecasts" in result.output


def test_a_folder_is_walked(tmp_path: Path) -> None:
    result = run_import(FIXTURES, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    # Three posts from the export, the blog page, the WeChat article and the text.
    written = list((tmp_path / "out").glob("*.md"))
    assert len(written) == 6
    assert "Imported 6 articles" in result.output
    umask = os.umask(0o022)
    os.umask(umask)
    # Readable as any new file the author makes (a temporary file's 0o600 would not be).
    assert {path.stat().st_mode & 0o777 for path in written} == {0o666 & ~umask}


def test_default_folder_is_the_sites_articles_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mkdocs.yml").write_text("site_name: x\ndocs_dir: pages  # docs\n", "utf-8")
    result = run_import(FIXTURES / "traditional.txt", "--type", "case-study")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "pages" / "case-studies").glob("*.md"))) == 1


def test_on_a_multilingual_site_each_article_goes_to_its_language_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = "site_name: x\ndocs_dir: content\nplugins:\n  - leadpress/content:\n"
    (tmp_path / "mkdocs.yml").write_text(config + "      languages: [en, zh]\n", "utf-8")
    result = run_import(
        FIXTURES / "traditional.txt", FIXTURES / "blog-page.html", "--to-simplified"
    )
    assert result.exit_code == 0, result.output
    chinese = only_file(tmp_path / "content/zh/articles")
    english = only_file(tmp_path / "content/en/articles")
    assert read_page(chinese)[0]["lang"] == "zh"
    assert read_page(english)[0]["lang"] == "en"


# --- never overwrite, dry runs, unreadable sources -------------------------------------


def test_an_existing_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "why-renewal-forecasts-slip-and-how-to-fix-them.md"
    target.write_text("my own edits\n", encoding="utf-8")

    result = run_import(FIXTURES / "blog-page.html", "--out", tmp_path)
    assert result.exit_code == 1
    assert target.read_text(encoding="utf-8") == "my own edits\n"
    assert f"-> {target}: NOT WRITTEN: the file exists; add --force" in result.output

    result = run_import(FIXTURES / "blog-page.html", "--out", tmp_path, "--force")
    assert result.exit_code == 0, result.output
    assert "Every quarter" in target.read_text(encoding="utf-8")


def test_two_sources_making_the_same_file_do_not_overwrite_each_other(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "page.html", tmp_path / "b" / "page.html"
    for copy in (first, second):
        copy.parent.mkdir()
        shutil.copy(FIXTURES / "blog-page.html", copy)
    second.write_text(
        second.read_text(encoding="utf-8").replace("Every quarter", "Each quarter"),
        encoding="utf-8",
    )
    result = run_import(first, second, "--out", tmp_path / "out")
    assert result.exit_code == 1
    written = only_file(tmp_path / "out")
    assert "Every quarter" in written.read_text(encoding="utf-8")
    assert f"{second} -> {written}: NOT WRITTEN: {first} makes the same file" in result.output


def test_dry_run_writes_nothing_and_reports_everything(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_import(FIXTURES, "--out", out, "--dry-run")
    assert result.exit_code == 0, result.output
    assert not out.exists()
    assert f"would write {out}/si-yu-yun-ying-de-san-ge-wu-qu.md" in result.output
    assert "Would import 6 articles" in result.output
    assert "dry run: nothing was written" in result.output


def test_an_unreadable_source_is_named_and_the_others_are_imported(tmp_path: Path) -> None:
    binary = tmp_path / "cover.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    broken_export = tmp_path / "broken-export.xml"
    broken_export.write_text(
        (FIXTURES / "wordpress-export.xml").read_text(encoding="utf-8")[:3000], encoding="utf-8"
    )
    missing = tmp_path / "missing.html"
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text(
        '<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url></urlset>',
        encoding="utf-8",
    )
    no_article = tmp_path / "menu.html"
    no_article.write_text(
        "<html><body><nav><a href='/'>Home</a> <a href='/blog/'>Blog</a></nav></body></html>",
        encoding="utf-8",
    )
    result = run_import(
        binary,
        FIXTURES / "blog-page.html",
        broken_export,
        missing,
        no_article,
        sitemap,
        "--out",
        tmp_path / "out",
    )
    assert result.exit_code == 1
    assert len(list((tmp_path / "out").glob("*.md"))) == 1
    assert f"{binary}: CANNOT BE READ: a binary file" in result.output
    assert f"{broken_export}: CANNOT BE READ: the WordPress export is not well-formed XML" in (
        result.output
    )
    assert f"{missing}: CANNOT BE READ: no such file or folder" in result.output
    assert f"{no_article}: CANNOT BE READ: no text that reads as an article" in result.output
    assert f"{sitemap}: CANNOT BE READ: an XML file, but not a WordPress export" in result.output
    assert "5 sources could not be read" in result.output


# --- other content types ----------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["case-study", "webinar"])
def test_other_types_get_their_required_fields_as_drafts(tmp_path: Path, content_type: str) -> None:
    result = run_import(FIXTURES / "blog-page.html", "--type", content_type, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    path = only_file(tmp_path)
    folder = {"case-study": "case-studies", "webinar": "webinars"}[content_type]
    parse_page(f"{folder}/{path.name}", path.read_text(encoding="utf-8"))
    front, _ = read_page(path)
    assert front["type"] == content_type
    assert front["draft"] is True  # placeholders are never published
    if content_type == "case-study":
        assert front["customer"] == "TODO"
        assert "customer: not in the source; written as TODO" in result.output
    else:
        assert front["start"] == "2024-03-07T00:00:00+00:00"
        assert front["speakers"] == [{"name": "Priya Raman"}]
        assert "start: the time of the session is not in the source" in result.output


# --- the imported files build -----------------------------------------------------------


def make_site(root: Path) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(SITE_CONFIG, encoding="utf-8")
    (root / "content" / "index.md").write_text(
        "---\ntitle: Imported articles, checked\n---\nEvery article below was imported.\n",
        encoding="utf-8",
    )
    return root


def test_imported_fixtures_build_strictly(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site-src")
    result = run_leadpress("import", str(FIXTURES), "--to-simplified", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list((root / "content" / "articles").glob("*.md"))) == 6

    result = run_leadpress("build", "--strict", "--drafts", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    page = root / "site" / "articles" / "si-yu-yun-ying-de-san-ge-wu-qu" / "index.html"
    assert "误区一：只拉新，不分层" in page.read_text(encoding="utf-8")


def test_build_does_not_load_the_importer() -> None:
    """trafilatura is heavy: `leadpress build` and `--help` never import it."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from leadpress.cli import main\n"
        "CliRunner().invoke(main, ['--help'])\n"
        "CliRunner().invoke(main, ['build', '--help'])\n"
        "assert 'trafilatura' not in sys.modules and 'opencc' not in sys.modules\n"
        "assert 'import' in CliRunner().invoke(main, ['--help']).output\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- rules --------------------------------------------------------------------------------


def test_only_brackets_holding_pinyin_are_removed() -> None:
    text = "營銷(yíng xiāo)和服務（fú wù）方案(a)用IM(IM)與(例如集成通信)和釘?shù)"
    cleaned, removed = remove_pinyin_insertions(text)
    assert cleaned == "營銷和服務方案(a)用IM(IM)與(例如集成通信)和釘"
    assert removed == 3


def test_only_question_marks_that_stand_for_lost_characters_are_reported() -> None:
    assert lost_characters("钉钉?00万企业用户") == 1
    assert lost_characters("怎么投诉?找谁?投诉后的原则是什么?") == 0
    assert lost_characters("这是??的结果") == 1


def test_dates_as_sources_write_them() -> None:
    assert find_date("他在2013年5月7日写道") == date(2013, 5, 7)
    assert date_line("日期:/2013-8-25") == date(2013, 8, 25)
    assert date_line("发布时间：2021年10月17日 10:00") == date(2021, 10, 17)
    assert date_line("posted on 2013-08-26 00:08") == date(2013, 8, 26)
    assert date_line("March 7, 2024") == date(2024, 3, 7)
    assert date_line("2013-8-25 是个好日子") is None  # a sentence, not a date line
    assert find_date("他在2009年写的一篇博客") is None  # a year is not a date
    assert find_date("2013-13-45") is None
    assert split_date("2021", "10-17") == date(2021, 10, 17)
    assert split_date("2021", "共10条") is None


# --- the real-world corpus ----------------------------------------------------------------

# Per corpus file: sentences of the article that must survive, and furniture that must go.
CORPUS_EXPECTED = {
    "000_a76eed592dd9b5fc.txt": {
        "title": "产品为本,用户至上",
        "date": date(2013, 8, 25),
        "kept": [
            "——也谈全业务下如何用集团产品保有集团客户",
            "这是一个变革的、充满无限机会的时代",
            "无疑是中小企业的不二选择",
            "## 2、优秀产品是致胜法宝",
            "### 2.1 如何选择产品?",
            "不过最好的办法是预防,保证产品的稳定性。",
        ],
        "gone": ["文/阿蜜果", "日期:/2013-8-25", "posted on", "阅读(3116)", "评论(6)", "所属分类"],
    },
    "001_3be6e7f473b43cce.txt": {
        "title": "企业服务产品的运营推广怎样破局?",
        "date": None,
        "kept": [
            "企业服务产品非常关注服务体验的集成完整性、开放性和用户迁移成本。",
            "在企业领域,腾讯依然想充当一个「连接一切」的中心角色,野心可鉴。",
            "维系客户的难点在于客户的付费转化率和长期持续付费意愿。",
            "毕竟Slack、明道和钉钉已经帮他做过MVP了。",
        ],
        "gone": ["ail,", "(yè)", "(wù)", "企業", "服務"],
    },
    "002_faac1a6520c05b34.txt": {
        "title": "把产品和客户的纽带系牢了",
        "date": date(2021, 10, 17),
        "kept": [
            "客户关系管理,顾名思义,就是企业用来维系产品和客户之间关系的各种原则、策略和方法。",
            "## 1、要给消费者惊喜,而不是预期",
            "哪个更能给消费者带来持久和深刻的念想呢,肯定是惊喜了。",
            "你的工作方向和原则也就自然清晰了!",
        ],
        "gone": ["首页 >", "读 文", "本文》有 0 条评论", "留下一个回复"],
    },
}


@pytest.fixture(scope="module")
def imported_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    if not CORPUS_TEXTS:
        pytest.skip(f"no real-world corpus at {CORPUS} (it is in the shared folder)")
    root = make_site(tmp_path_factory.mktemp("corpus-import"))
    result = run_leadpress("import", *map(str, CORPUS_TEXTS), "--to-simplified", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout


@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED))
def test_corpus_article_is_kept_and_its_furniture_dropped(
    imported_corpus: tuple[Path, str], name: str
) -> None:
    root, report = imported_corpus
    expected = CORPUS_EXPECTED[name]
    if not (CORPUS / name).is_file():
        pytest.skip(f"{name} is not in {CORPUS}")
    line = next(line for line in report.splitlines() if line.startswith(str(CORPUS / name)))
    path = root / line.split(" -> ")[1].removesuffix(" (draft)")
    front, body = read_page(path)

    assert front["title"] == expected["title"]
    assert front["lang"] == "zh"
    if expected["date"]:
        assert front["date"] == expected["date"]
        assert "draft" not in front
    else:
        assert front["draft"] is True and front["date"] == TODAY
    for sentence in expected["kept"]:
        assert sentence in body, sentence
    for furniture in expected["gone"]:
        assert furniture not in body, furniture
    assert not PINYIN_IN_BRACKETS.search(body), PINYIN_IN_BRACKETS.search(body)
    # No line of the body is a bare date fragment (`2021`, `10-17`) or a counter.
    for body_line in body.splitlines():
        assert not re.fullmatch(r"\s*(?:\d{4}|\d{1,2}-\d{1,2})\s*", body_line), body_line
        assert not re.search(r"(?:阅读|评论)\(\d+\)", body_line), body_line


def test_corpus_articles_build_strictly(imported_corpus: tuple[Path, str]) -> None:
    root, _ = imported_corpus
    result = run_leadpress("build", "--strict", "--drafts", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    built = sorted((root / "site" / "articles").glob("*/index.html"))
    assert len(built) == len(CORPUS_TEXTS)
    page = root / "site" / "articles" / "ba-chan-pin-he-ke-hu-de-niu-dai-xi-lao-le" / "index.html"
    assert "肯定是惊喜了" in page.read_text(encoding="utf-8")


OLD_BLOG_PAGE = """<html><head><meta charset="utf-8">
<title>{title} - Ana Ruiz - Old Blog</title>{head}</head><body>
<div id="nav"><a href="/">Home</a> <a href="/archive/">Archive</a></div>
<div class="post"><h2><a href="/p/7.html">{title}</a></h2>
<p>Quarterly business reviews fail when they recite numbers the customer already knows.
Start from the customer's goals, and show progress against each of them in turn.</p>
<p>Our <a href="/guides/qbr/">QBR guide</a> has an agenda that fits in forty-five minutes,
with time left at the end for the customer's own questions and the next steps.</p>
<p>Send the slides a day before, so that the meeting is spent on decisions.</p></div>
</body></html>"""


def test_old_site_links_are_made_absolute_or_reported(tmp_path: Path) -> None:
    title = "Run a QBR customers want to attend"
    without_address = tmp_path / "qbr.html"
    without_address.write_text(OLD_BLOG_PAGE.format(title=title, head=""), encoding="utf-8")
    with_address = tmp_path / "qbr-canonical.html"
    with_address.write_text(
        OLD_BLOG_PAGE.format(
            title=title, head='<link rel="canonical" href="https://old.example.org/p/7.html">'
        ),
        encoding="utf-8",
    )

    result = run_import(without_address, "--out", tmp_path / "a")
    assert result.exit_code == 0, result.output
    front, body = read_page(only_file(tmp_path / "a"))
    # The site name and author are cut from <title>: the article's own heading says less.
    assert front["title"] == title
    assert title not in body  # the heading that repeated the title is gone
    assert "[QBR guide](/guides/qbr/)" in body
    assert "links: 1 link keeps the old site's relative address (e.g. /guides/qbr/)" in (
        result.output
    )

    result = run_import(with_address, "--out", tmp_path / "b")
    assert result.exit_code == 0, result.output
    _front, body = read_page(only_file(tmp_path / "b"))
    assert "[QBR guide](https://old.example.org/guides/qbr/)" in body
    assert "links:" not in result.output
