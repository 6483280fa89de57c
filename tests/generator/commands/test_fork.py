"""`fork` points every reference at the fork's remote and registry, or changes nothing."""

import pytest

from tests.conftest import Workspace

REPO_URL = "https://git.example.org/acme/streamflow.git"
REGISTRY = "registry.example.org/acme"


def test_fork_rewrites_remote_registry_and_links(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert workspace.run("render") == 0
    assert "gitops.repo_url is still" in capsys.readouterr().err
    assert workspace.run("fork", "--repo-url", REPO_URL, "--registry", REGISTRY) == 0
    assert workspace.run("render") == 0
    assert "gitops.repo_url is still" not in capsys.readouterr().err
    tree = workspace.rendered_text()
    assert "github.com/streamflow-platform" not in tree
    assert "ghcr.io/streamflow-platform" not in tree
    assert f"repoURL: {REPO_URL}" in tree
    assert f"image: {REGISTRY}/flink-jobs:0.1.0" in tree
    assert f"repository: {REGISTRY}/airflow" in tree
    assert "https://git.example.org/acme/streamflow/blob/main/docs/runbooks/" in tree


def test_an_invalid_remote_changes_no_spec_file(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.read_text() for p in workspace.specs.rglob("*.yaml")}
    assert workspace.run("fork", "--repo-url", "not a url", "--registry", REGISTRY) == 1
    assert "gitops.repo_url = 'not a url'" in capsys.readouterr().err
    assert {p: p.read_text() for p in workspace.specs.rglob("*.yaml")} == before
