"""`leadpress deploy` against a real S3-compatible server (moto), started for this module."""

from __future__ import annotations

import gzip
import hashlib
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from leadpress.deploy import (
    DeployError,
    Destination,
    LocalFile,
    RemoteObject,
    deploy,
    headers_for,
    invalidation_paths,
    local_files,
    make_plan,
    parse_destination,
    url_paths,
)
from leadpress.deploy import sync as deploy_sync
from leadpress.deploy.cli import deploy as deploy_command

MOTO_SERVER = Path(sys.executable).with_name("moto_server")

HTML = "text/html; charset=utf-8"
CSS = "text/css; charset=utf-8"
JS = "text/javascript; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
IMMUTABLE = "public, max-age=31536000, immutable"
PAGE = "public, max-age=0, must-revalidate"
SHORT = "public, max-age=300"

CSS_KEY = "assets/stylesheets/main.57a0d79d.min.css"
CHINESE_PAGE = "zh/银行案例/index.html"
CHINESE_URL = "/zh/%E9%93%B6%E8%A1%8C%E6%A1%88%E4%BE%8B/"
STYLES = b"body{color:#123}" * 20


def _page(title: str) -> bytes:
    return f'<!doctype html><link rel="stylesheet" href="/{CSS_KEY}"><h1>{title}</h1>'.encode()


def site_files() -> dict[str, bytes]:
    return {
        "index.html": _page("Home"),
        "404.html": _page("Not found"),
        "blog/first-post/index.html": _page("First post"),
        CHINESE_PAGE: _page("银行案例"),
        CSS_KEY: STYLES,
        CSS_KEY + ".gz": gzip.compress(STYLES, mtime=0),
        "assets/images/logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        "feed.xml": b"<rss version='2.0'><channel/></rss>",
        "sitemap.xml": b"<urlset/>",
        "robots.txt": b"User-agent: *\nSitemap: https://www.example.com/sitemap.xml\n",
        "forms.json": b"{}",
    }


# What a visitor's browser and the CDN are told about each file.
EXPECTED_HEADERS: dict[str, tuple[str, str, str | None]] = {
    "index.html": (HTML, PAGE, None),
    "404.html": (HTML, PAGE, None),
    "blog/first-post/index.html": (HTML, PAGE, None),
    CHINESE_PAGE: (HTML, PAGE, None),
    CSS_KEY: (CSS, IMMUTABLE, None),
    CSS_KEY + ".gz": (CSS, IMMUTABLE, "gzip"),
    "assets/images/logo.svg": ("image/svg+xml", SHORT, None),
    "feed.xml": ("application/rss+xml", SHORT, None),
    "sitemap.xml": ("application/xml", SHORT, None),
    "robots.txt": (TEXT, SHORT, None),
    "forms.json": ("application/json", SHORT, None),
}


def write_site(root: Path, files: dict[str, bytes]) -> Path:
    for key, content in files.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"moto_server exited: {server.stderr.read().decode()}")
                if time.monotonic() > deadline:
                    pytest.fail("moto_server did not answer within 30 s")
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def aws_env(endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Dummy credentials, and no AWS settings of the machine running the tests."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # `--invalidate cloudfront:ID` makes its own client: send it to moto too.
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", endpoint)
    return endpoint


@pytest.fixture
def s3(aws_env: str) -> Any:
    return boto3.client("s3", endpoint_url=aws_env)


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"leadpress-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", site_files())


def objects(s3: Any, bucket: str) -> dict[str, str]:
    """Every key in the bucket with its ETag."""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])}


def record_calls(client: Any) -> list[tuple[str, str]]:
    """(operation, key) of every S3 call the client makes from now on, in order."""
    calls: list[tuple[str, str]] = []

    def hook(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "DeleteObjects":
            calls.extend((model.name, item["Key"]) for item in params["Delete"]["Objects"])
        else:
            calls.append((model.name, params.get("Key", "")))

    client.meta.events.register("before-parameter-build.s3.*", hook)
    return calls


def writes(calls: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [call for call in calls if call[0] in {"PutObject", "DeleteObjects"}]


def create_distribution(endpoint: str) -> str:
    cloudfront = boto3.client("cloudfront", endpoint_url=endpoint)
    origin = {"Id": "site", "DomainName": "site.s3.amazonaws.com"}
    origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}  # type: ignore[assignment]
    response = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": uuid.uuid4().hex,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
            "Comment": "",
            "Enabled": True,
        }
    )
    return str(response["Distribution"]["Id"])


def invalidated(endpoint: str, distribution: str, request: str) -> list[str]:
    cloudfront = boto3.client("cloudfront", endpoint_url=endpoint)
    response = cloudfront.get_invalidation(DistributionId=distribution, Id=request)
    return list(response["Invalidation"]["InvalidationBatch"]["Paths"]["Items"])


# The deploy, end to end.


def test_first_deploy_uploads_every_file_with_its_type_and_caching(
    site: Path, s3: Any, bucket: str
) -> None:
    report = deploy(site, f"s3://{bucket}", client=s3)

    files = site_files()
    assert sorted(report.uploaded) == sorted(files)
    assert report.unchanged == report.deleted == ()
    assert set(objects(s3, bucket)) == set(files)
    for key, (content_type, cache_control, encoding) in EXPECTED_HEADERS.items():
        head = s3.head_object(Bucket=bucket, Key=key)
        assert (head["ContentType"], head["CacheControl"]) == (content_type, cache_control), key
        assert head.get("ContentEncoding") == encoding, key
        assert head["Metadata"]["sha256"] == hashlib.sha256(files[key]).hexdigest(), key
    chinese = s3.get_object(Bucket=bucket, Key=CHINESE_PAGE)["Body"].read()
    assert chinese == files[CHINESE_PAGE]
    compressed = s3.get_object(Bucket=bucket, Key=CSS_KEY + ".gz")["Body"].read()
    assert gzip.decompress(compressed) == STYLES


def test_second_deploy_with_nothing_changed_uploads_nothing(
    site: Path, s3: Any, bucket: str
) -> None:
    deploy(site, f"s3://{bucket}", client=s3)
    calls = record_calls(s3)

    report = deploy(site, f"s3://{bucket}", client=s3)

    assert report.uploaded == report.deleted == ()
    assert sorted(report.unchanged) == sorted(site_files())
    assert writes(calls) == []
    assert report.changed_paths == ()


def test_changing_one_file_uploads_exactly_that_file(site: Path, s3: Any, bucket: str) -> None:
    deploy(site, f"s3://{bucket}", client=s3)
    (site / "blog/first-post/index.html").write_bytes(_page("First post, revised"))

    report = deploy(site, f"s3://{bucket}", client=s3)

    assert report.uploaded == ("blog/first-post/index.html",)
    assert len(report.unchanged) == len(site_files()) - 1
    body = s3.get_object(Bucket=bucket, Key="blog/first-post/index.html")["Body"].read()
    assert body == _page("First post, revised")
    assert report.changed_paths == ("/blog/first-post/", "/blog/first-post/index.html")


def test_removed_files_are_deleted_after_every_upload_and_pages_follow_assets(
    site: Path, s3: Any, bucket: str
) -> None:
    deploy(site, f"s3://{bucket}", client=s3)
    # A restyle: a new fingerprinted stylesheet, pages that use it, the old one and a post gone.
    # The new page and feed sort before the stylesheet, so key order alone would upload them first.
    new_css = "assets/stylesheets/main.1b2c3d4e.min.css"
    new_page = _page("About").replace(CSS_KEY.encode(), new_css.encode())
    write_site(site, {new_css: b"body{color:#456}", "about/index.html": new_page})
    write_site(site, {"about/feed.xml": b"<rss version='2.0'><channel/></rss>"})
    (site / CSS_KEY).unlink()
    (site / (CSS_KEY + ".gz")).unlink()
    (site / "blog/first-post/index.html").unlink()
    (site / "index.html").write_bytes(_page("Home").replace(CSS_KEY.encode(), new_css.encode()))
    calls = record_calls(s3)

    report = deploy(site, f"s3://{bucket}", client=s3)

    assets, pages, feeds = [new_css], ["about/index.html", "index.html"], ["about/feed.xml"]
    assert report.uploaded == (*assets, *pages, *feeds)
    assert report.deleted == (CSS_KEY, CSS_KEY + ".gz", "blog/first-post/index.html")
    expected = set(site_files()) - set(report.deleted) | {*assets, *pages, *feeds}
    assert set(objects(s3, bucket)) == expected
    done = writes(calls)
    order = [key for _, key in done]
    assert max(map(order.index, assets)) < min(map(order.index, pages))
    assert max(map(order.index, pages)) < min(map(order.index, feeds))
    last_upload = max(i for i, (operation, _) in enumerate(done) if operation == "PutObject")
    first_delete = min(i for i, (operation, _) in enumerate(done) if operation == "DeleteObjects")
    assert last_upload < first_delete
    assert {key for operation, key in done if operation == "DeleteObjects"} == set(report.deleted)


def test_dry_run_changes_nothing_and_lists_the_plan(site: Path, s3: Any, bucket: str) -> None:
    deploy(site, f"s3://{bucket}", client=s3)
    (site / "feed.xml").write_bytes(b"<rss version='2.0'><channel><item/></channel></rss>")
    (site / "robots.txt").unlink()
    write_site(site, {"case-studies/acme/index.html": _page("Acme")})
    before = objects(s3, bucket)
    calls = record_calls(s3)

    report = deploy(site, f"s3://{bucket}", client=s3, dry_run=True)

    assert report.dry_run
    assert report.uploaded == ("case-studies/acme/index.html", "feed.xml")
    assert report.deleted == ("robots.txt",)
    assert objects(s3, bucket) == before
    assert writes(calls) == []
    assert report.summary().startswith("Dry run: would upload 2,")


def test_no_delete_keeps_objects_whose_file_was_removed(site: Path, s3: Any, bucket: str) -> None:
    deploy(site, f"s3://{bucket}", client=s3)
    (site / "404.html").unlink()

    report = deploy(site, f"s3://{bucket}", client=s3, delete=False)

    assert report.deleted == ()
    assert "404.html" in objects(s3, bucket)


def test_a_prefix_holds_the_site_and_nothing_outside_it_is_touched(
    site: Path, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"production")
    s3.put_object(Bucket=bucket, Key="preview-old/index.html", Body=b"another prefix")

    first = deploy(site, f"s3://{bucket}/preview", client=s3)
    (site / "404.html").unlink()
    second = deploy(site, f"s3://{bucket}/preview/", client=s3)

    assert sorted(first.uploaded) == sorted(site_files())  # keys relative to the prefix
    assert second.uploaded == ()
    assert second.deleted == ("404.html",)
    keys = set(objects(s3, bucket))
    expected = {f"preview/{key}" for key in site_files()} - {"preview/404.html"}
    assert keys == expected | {"index.html", "preview-old/index.html"}
    assert s3.get_object(Bucket=bucket, Key="index.html")["Body"].read() == b"production"
    assert "/preview/404.html" in second.changed_paths


def test_objects_uploaded_by_other_tools_are_compared_by_their_etag(
    site: Path, s3: Any, bucket: str
) -> None:
    # No x-amz-meta-sha256: a single-part upload's ETag is its MD5, and that is enough.
    s3.put_object(Bucket=bucket, Key="robots.txt", Body=site_files()["robots.txt"])
    s3.put_object(Bucket=bucket, Key="forms.json", Body=b"[]")  # same size, other content

    report = deploy(site, f"s3://{bucket}", client=s3)

    assert "robots.txt" in report.unchanged
    assert "forms.json" in report.uploaded


def test_large_files_uploaded_in_parts_are_recognised_by_their_sha256(
    site: Path, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deploy_sync, "MULTIPART_THRESHOLD", 5 * 1024 * 1024)
    whitepaper = bytes(range(256)) * (6 * 4096)  # 6 MiB
    write_site(site, {"downloads/whitepaper.pdf": whitepaper})
    deploy(site, f"s3://{bucket}", client=s3)
    etag = s3.head_object(Bucket=bucket, Key="downloads/whitepaper.pdf")["ETag"]
    assert "-" in etag  # a multipart ETag, not the file's MD5

    unchanged = deploy(site, f"s3://{bucket}", client=s3)
    (site / "downloads/whitepaper.pdf").write_bytes(b"!" + whitepaper[1:])
    changed = deploy(site, f"s3://{bucket}", client=s3)

    assert "downloads/whitepaper.pdf" in unchanged.unchanged
    assert unchanged.uploaded == ()
    assert changed.uploaded == ("downloads/whitepaper.pdf",)


def test_a_folder_that_is_not_a_built_site_is_refused_before_anything_is_deleted(
    tmp_path: Path, site: Path, s3: Any, bucket: str
) -> None:
    deploy(site, f"s3://{bucket}", client=s3)
    before = objects(s3, bucket)
    not_built = write_site(tmp_path / "content", {"blog/post.md": b"# A post"})

    with pytest.raises(DeployError, match="leadpress build"):
        deploy(not_built, f"s3://{bucket}", client=s3)
    assert objects(s3, bucket) == before


# CloudFront invalidation.


def test_cloudfront_is_asked_to_drop_the_changed_pages_by_their_urls(
    site: Path, s3: Any, bucket: str, aws_env: str
) -> None:
    distribution = create_distribution(aws_env)
    deploy(site, f"s3://{bucket}", client=s3)
    (site / "blog/first-post/index.html").write_bytes(_page("First post, revised"))
    (site / CHINESE_PAGE).write_bytes(_page("银行案例 2"))
    (site / "robots.txt").unlink()

    report = deploy(site, f"s3://{bucket}", client=s3, invalidate=f"cloudfront:{distribution}")

    expected = [
        "/blog/first-post/",
        "/blog/first-post/index.html",
        "/robots.txt",
        CHINESE_URL,
        CHINESE_URL + "index.html",
    ]
    assert report.invalidation_id is not None
    assert list(report.invalidated_paths) == expected
    assert invalidated(aws_env, distribution, report.invalidation_id) == expected


def test_cloudfront_gets_one_wildcard_when_most_of_the_site_changed(
    site: Path, s3: Any, bucket: str, aws_env: str
) -> None:
    distribution = create_distribution(aws_env)
    write_site(site, {f"blog/post-{n}/index.html": _page(f"Post {n}") for n in range(60)})

    report = deploy(site, f"s3://{bucket}/www", client=s3, invalidate=f"cloudfront:{distribution}")

    assert report.invalidation_id is not None
    assert invalidated(aws_env, distribution, report.invalidation_id) == ["/www/*"]
    assert len(report.changed_paths) > 100


def test_no_invalidation_is_requested_when_nothing_changed(
    site: Path, s3: Any, bucket: str, aws_env: str
) -> None:
    distribution = create_distribution(aws_env)
    deploy(site, f"s3://{bucket}", client=s3)

    report = deploy(site, f"s3://{bucket}", client=s3, invalidate=f"cloudfront:{distribution}")

    cloudfront = boto3.client("cloudfront", endpoint_url=aws_env)
    listing = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    assert report.invalidation_id is None
    assert listing["Quantity"] == 0


def test_an_unknown_distribution_is_reported_after_the_upload(
    site: Path, s3: Any, bucket: str
) -> None:
    with pytest.raises(DeployError, match=r"CloudFront distribution ENOSUCH.*does not exist"):
        deploy(site, f"s3://{bucket}", client=s3, invalidate="cloudfront:ENOSUCH")
    assert set(objects(s3, bucket)) == set(site_files())


# The command.


def run_cli(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(deploy_command, list(args), env=env)


def test_cli_uploads_and_prints_the_summary(site: Path, bucket: str, aws_env: str) -> None:
    first = run_cli(f"s3://{bucket}", "--site-dir", str(site), "--endpoint-url", aws_env)
    second = run_cli(f"s3://{bucket}", "--site-dir", str(site), "--endpoint-url", aws_env)

    assert first.exit_code == 0, first.output
    assert re.search(r"^Uploaded 11, unchanged 0, deleted 0 in \d+\.\d s$", first.output, re.M)
    assert "Changed paths" in first.output and "  /blog/first-post/\n" in first.output
    assert second.exit_code == 0, second.output
    assert re.search(r"^Uploaded 0, unchanged 11, deleted 0 in \d+\.\d s$", second.output, re.M)


def test_cli_reads_the_endpoint_from_the_environment_and_can_be_quiet(
    site: Path, s3: Any, bucket: str, aws_env: str
) -> None:
    result = run_cli(
        f"s3://{bucket}", "--site-dir", str(site), "--quiet", env={"AWS_ENDPOINT_URL": aws_env}
    )

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [result.output.strip()]  # the summary line only
    assert result.output.startswith("Uploaded 11,")
    assert len(objects(s3, bucket)) == 11


def test_cli_dry_run_lists_the_plan_and_keeps_the_bucket(
    site: Path, s3: Any, bucket: str, aws_env: str
) -> None:
    s3.put_object(Bucket=bucket, Key="old-page/index.html", Body=b"old")

    result = run_cli(
        f"s3://{bucket}", "--site-dir", str(site), "--endpoint-url", aws_env, "--dry-run"
    )

    assert result.exit_code == 0, result.output
    assert f"  upload  {CSS_KEY}\n" in result.output
    assert f"  upload  {CHINESE_PAGE}\n" in result.output
    assert "  delete  old-page/index.html\n" in result.output
    assert "would upload 11," in result.output
    assert set(objects(s3, bucket)) == {"old-page/index.html"}


def test_cli_no_delete_keeps_removed_files(site: Path, s3: Any, bucket: str, aws_env: str) -> None:
    s3.put_object(Bucket=bucket, Key="old-page/index.html", Body=b"old")

    result = run_cli(
        f"s3://{bucket}", "--site-dir", str(site), "--endpoint-url", aws_env, "--no-delete"
    )

    assert result.exit_code == 0, result.output
    assert "deleted 0" in result.output
    assert "old-page/index.html" in objects(s3, bucket)


def test_cli_invalidates_cloudfront(site: Path, bucket: str, aws_env: str) -> None:
    distribution = create_distribution(aws_env)
    args = (f"s3://{bucket}", "--site-dir", str(site), "--endpoint-url", aws_env)
    run_cli(*args)
    (site / "404.html").write_bytes(_page("Lost?"))

    result = run_cli(*args, "--invalidate", f"cloudfront:{distribution}")

    assert result.exit_code == 0, result.output
    assert f"Invalidated 1 path on CloudFront distribution {distribution}" in result.output
    assert "/404.html" in result.output


@pytest.mark.parametrize(
    ("dest", "message"),
    [
        ("s3://", "has no bucket name"),
        ("s3:///site", "has no bucket name"),
        ("my-bucket", "is not an S3 address"),
        ("https://my-bucket/site", "is not an S3 address"),
        ("s3://my bucket/", "not a valid bucket name"),
    ],
)
def test_cli_rejects_a_bad_destination(site: Path, dest: str, message: str) -> None:
    result = run_cli(dest, "--site-dir", str(site))

    assert result.exit_code == 2
    assert message in result.output


def test_cli_rejects_an_unknown_cdn(site: Path, bucket: str) -> None:
    result = run_cli(f"s3://{bucket}", "--site-dir", str(site), "--invalidate", "fastly:abc")

    assert result.exit_code == 2
    assert "cloudfront:<ID>" in result.output


def test_cli_says_to_build_first_when_the_site_dir_is_missing(
    tmp_path: Path, bucket: str, aws_env: str
) -> None:
    result = run_cli(
        f"s3://{bucket}", "--site-dir", str(tmp_path / "site"), "--endpoint-url", aws_env
    )

    assert result.exit_code == 1
    assert "does not exist: run `leadpress build` first" in result.output


def test_cli_reports_a_missing_bucket(site: Path, aws_env: str) -> None:
    result = run_cli(
        "s3://leadpress-no-such-bucket", "--site-dir", str(site), "--endpoint-url", aws_env
    )

    assert result.exit_code == 1
    assert "bucket 'leadpress-no-such-bucket' does not exist" in result.output
    assert "Traceback" not in result.output


def test_cli_reports_missing_credentials(
    site: Path, s3: Any, bucket: str, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    result = run_cli(f"s3://{bucket}", "--site-dir", str(site), "--endpoint-url", aws_env)

    assert result.exit_code == 1
    assert "no S3 credentials found" in result.output
    assert "AWS_ACCESS_KEY_ID" in result.output
    assert objects(s3, bucket) == {}


# Plain functions: the rules and the plan.


@pytest.mark.parametrize(
    ("key", "content_type", "cache_control", "encoding"),
    [
        ("index.html", HTML, PAGE, None),
        ("blog/index.html.br", HTML, PAGE, "br"),
        (
            "assets/javascripts/bundle.a5f9d56c.min.js",
            "text/javascript; charset=utf-8",
            IMMUTABLE,
            None,
        ),
        ("assets/stylesheets/palette.fb2fffe2.min.css.map", "application/json", IMMUTABLE, None),
        ("assets/images/card.3f2a9c1b.webp", "image/webp", IMMUTABLE, None),
        (
            "assets/javascripts/lunr/min/lunr.zh.min.js",
            "text/javascript; charset=utf-8",
            SHORT,
            None,
        ),
        ("assets/fonts/inter.woff2", "font/woff2", SHORT, None),
        ("images/card.png", "image/png", SHORT, None),
        ("blog/feed.xml", "application/rss+xml", SHORT, None),
        ("blog/atom.xml", "application/atom+xml", SHORT, None),
        ("sitemap-2.xml", "application/xml", SHORT, None),
        ("sitemap.xml.gz", "application/xml", SHORT, "gzip"),
        ("_redirects", TEXT, SHORT, None),
        ("_headers", TEXT, SHORT, None),
        ("downloads/kit.tar.gz", "application/gzip", SHORT, None),
        ("downloads/data.bin", "application/octet-stream", SHORT, None),
    ],
)
def test_headers_follow_the_rules(
    key: str, content_type: str, cache_control: str, encoding: str | None
) -> None:
    headers = headers_for(key)

    assert (headers.content_type, headers.cache_control) == (content_type, cache_control)
    assert headers.content_encoding == encoding


def test_plan_uploads_assets_then_pages_then_feeds_in_key_order() -> None:
    def local(key: str, sha256: str) -> LocalFile:
        headers = headers_for(key)
        return LocalFile(
            path=Path(key),
            md5="md5-" + sha256,
            sha256=sha256,
            size=1,
            content_type=headers.content_type,
            cache_control=headers.cache_control,
            phase=headers.phase,
        )

    keys = ["sitemap.xml", "b/index.html", "a/index.html", "z.css", "feed.xml", "logo.svg"]
    files = {key: local(key, "new") for key in keys}
    remote = {
        "logo.svg": RemoteObject("md5-new", 1, sha256="new"),
        "z.css": RemoteObject("md5-old", 1, sha256="old"),
        "gone.html": RemoteObject("x", 1),
        "a-gone.png": RemoteObject("y", 1),
    }

    plan = make_plan(files, remote)

    assert plan.uploads == ("z.css", "a/index.html", "b/index.html", "feed.xml", "sitemap.xml")
    assert plan.unchanged == ("logo.svg",)
    assert plan.deletions == ("a-gone.png", "gone.html")
    assert make_plan(files, remote, delete=False).deletions == ()


def test_destinations_and_invalidation_paths() -> None:
    assert parse_destination("s3://site") == Destination("site", "")
    assert parse_destination("s3://site//www/en/") == Destination("site", "www/en/")
    with pytest.raises(DeployError):
        parse_destination("s3://site/../other")
    assert url_paths(["index.html", "a b/x.css"], "www/") == [
        "/www/",
        "/www/a%20b/x.css",
        "/www/index.html",
    ]
    paths = [f"/p{n}" for n in range(100)]
    assert invalidation_paths(paths) == paths
    assert invalidation_paths([*paths, "/one-more"], "www/") == ["/www/*"]


def test_keys_use_composed_unicode_whatever_the_file_system_wrote(tmp_path: Path) -> None:
    decomposed = "cafe\u0301"  # how macOS stores "café"
    site = write_site(tmp_path / "site", {f"{decomposed}/index.html": b"x"})

    assert list(local_files(site)) == ["caf\u00e9/index.html"]
