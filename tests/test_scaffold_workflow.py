"""The CI workflow `leadpress new` writes: valid for GitHub Actions, and it restores the build
cache, builds with the strict audit and publishes with `leadpress deploy`."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import run_leadpress
from leadpress.deploy.cli import deploy

WORKFLOW = ".github/workflows/publish.yml"
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


@pytest.fixture(scope="module")
def workflow_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("new")
    created = run_leadpress("new", "my-site", cwd=root)
    assert created.returncode == 0, created.stderr
    return root / "my-site" / WORKFLOW


@pytest.fixture(scope="module")
def workflow(workflow_file: Path) -> dict[Any, Any]:
    return yaml.safe_load(workflow_file.read_text(encoding="utf-8"))


def _schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    """GitHub's workflow schema (SchemaStore's, shipped inside check-jsonschema: offline)."""
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
    )


def test_the_workflow_is_valid_for_github_actions(workflow_file: Path, tmp_path: Path) -> None:
    checked = _schema_check(workflow_file)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The same check rejects a workflow GitHub would reject: it is really looking.
    broken = tmp_path / "broken.yml"
    text = workflow_file.read_text(encoding="utf-8")
    broken.write_text(text.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest"), "utf-8")
    assert _schema_check(broken).returncode != 0

    # actionlint checks more (expressions, contexts, each action's inputs) when installed.
    actionlint = shutil.which("actionlint", path=f"{CHECK_JSONSCHEMA.parent}:{os.environ['PATH']}")
    if actionlint is not None:
        linted = subprocess.run([actionlint, str(workflow_file)], capture_output=True, text=True)
        assert linted.returncode == 0, linted.stdout + linted.stderr


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def _index(steps: list[dict[str, Any]], matches) -> int:
    found = [i for i, step in enumerate(steps) if matches(step)]
    assert len(found) == 1, found
    return found[0]


def _commands(step: dict[str, Any]) -> list[list[str]]:
    return [shlex.split(line) for line in step.get("run", "").splitlines() if line.strip()]


def test_the_workflow_caches_audits_strictly_then_deploys(workflow: dict[Any, Any]) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"]
    steps = _steps(workflow)

    checkout = steps[_index(steps, lambda s: s.get("uses", "").startswith("actions/checkout@"))]
    assert checkout["with"]["fetch-depth"] == 0  # lastmod dates come from git history
    cache = _index(steps, lambda s: s.get("uses", "").startswith("actions/cache@"))
    assert steps[cache]["with"]["path"] == ".leadpress-cache"
    assert "restore-keys" in steps[cache]["with"]  # a new commit starts from the last cache
    build = _index(steps, lambda s: ["leadpress", "build", "--strict"] in _commands(s))
    publish = _index(steps, lambda s: "leadpress deploy" in s.get("run", ""))
    assert cache < build < publish

    step = steps[publish]
    assert step["env"]["AWS_ACCESS_KEY_ID"] == "${{ secrets.S3_ACCESS_KEY_ID }}"
    assert step["env"]["AWS_SECRET_ACCESS_KEY"] == "${{ secrets.S3_SECRET_ACCESS_KEY }}"
    for name in ("S3_BUCKET", "S3_ENDPOINT_URL", "CLOUDFRONT_DISTRIBUTION_ID"):
        assert step["env"][name] == f"${{{{ vars.{name} }}}}"
    assert "vars.S3_BUCKET != ''" in step["if"]  # not before the user has set a bucket


def _publish_args(workflow: dict[Any, Any], tmp_path: Path, env: dict[str, str]) -> list[str]:
    """Run the publish step's script as the runner would (bash -e), with a stand-in
    `leadpress` that records its arguments."""
    script = next(s["run"] for s in _steps(workflow) if "leadpress deploy" in s.get("run", ""))
    fake = tmp_path / "bin" / "leadpress"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_FILE"\n', encoding="utf-8")
    fake.chmod(0o755)
    args_file = tmp_path / "args.txt"
    environment = {
        "PATH": f"{fake.parent}:/usr/bin:/bin",
        "ARGS_FILE": str(args_file),
        "S3_ENDPOINT_URL": "",  # an unset repository variable reads as empty
        "CLOUDFRONT_DISTRIBUTION_ID": "",
        **env,
    }
    subprocess.run(["bash", "-e", "-c", script], env=environment, check=True)
    return args_file.read_text(encoding="utf-8").splitlines()


def test_the_publish_step_gives_leadpress_deploy_the_repository_settings(
    workflow: dict[Any, Any], tmp_path: Path
) -> None:
    pushed = _publish_args(
        workflow,
        tmp_path,
        {
            "GITHUB_EVENT_NAME": "push",
            "S3_BUCKET": "www-example-com/site",
            "S3_ENDPOINT_URL": "https://account.r2.cloudflarestorage.com",
            "CLOUDFRONT_DISTRIBUTION_ID": "E2ABC123",
        },
    )
    assert pushed == [
        "deploy",
        "s3://www-example-com/site",
        "--endpoint-url",
        "https://account.r2.cloudflarestorage.com",
        "--invalidate",
        "cloudfront:E2ABC123",
    ]
    reviewed = _publish_args(
        workflow, tmp_path, {"GITHUB_EVENT_NAME": "pull_request", "S3_BUCKET": "www-example-com"}
    )
    assert reviewed == ["deploy", "s3://www-example-com", "--dry-run"]

    # The real command accepts both: options, destination and CDN are parsed and checked.
    for args in (pushed, reviewed):
        context = deploy.make_context("deploy", args[1:])
        assert context.params["dest"].bucket == "www-example-com"
    assert deploy.make_context("deploy", reviewed[1:]).params["dry_run"] is True
