"""Rendering is deterministic, and --check catches edited and deleted output."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.pipeline.deploy_order import MARKDOWN_HEADER
from generator.pipeline.write import HEADER
from tests.conftest import REPO, Workspace


def _render_in_subprocess(workspace: Workspace, seed: str) -> dict[str, str]:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "generator", "--specs", str(workspace.specs), "--out",
         str(workspace.root), "render"],
        check=True, capture_output=True, env=environment, cwd=REPO,
    )  # fmt: skip
    return workspace.snapshot()


def test_render_is_byte_identical_across_runs_and_hash_seeds(workspace: Workspace) -> None:
    first = _render_in_subprocess(workspace, "0")
    second = _render_in_subprocess(workspace, "12345")
    third = _render_in_subprocess(workspace, "random")
    assert first == second == third
    assert len(first) > 50


def test_committed_output_is_what_render_produces(rendered: Workspace) -> None:
    committed = {
        path.relative_to(REPO).as_posix(): path.read_text(encoding="utf-8")
        for top in ("apps", "overlays", "argocd")
        for path in (REPO / top).rglob("*")
        if path.is_file()
    }
    fresh = {
        path.relative_to(rendered.root).as_posix(): path.read_text(encoding="utf-8")
        for top in ("apps", "overlays", "argocd")
        for path in (rendered.root / top).rglob("*")
        if path.is_file()
    }
    assert committed == fresh


def test_every_generated_file_has_the_header(rendered: Workspace) -> None:
    for relative in rendered.snapshot():
        header = MARKDOWN_HEADER if relative.endswith(".md") else HEADER
        assert (rendered.root / relative).read_text(encoding="utf-8").startswith(header)


@pytest.mark.parametrize("damage", ["edit", "delete", "add"])
def test_check_names_stale_files(
    rendered: Workspace, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = rendered.root / "apps" / "kafka" / "base" / "kafkatopic.yaml"
    if damage == "edit":
        target.write_text(target.read_text().replace("partitions: 3", "partitions: 4"))
    elif damage == "delete":
        target.unlink()
    else:
        (target.parent / "stray.yaml").write_text("kind: Stray\n")
    assert rendered.run("render", "--check") == 1
    expected = {"edit": "differs: apps/kafka/base/kafkatopic.yaml",
                "delete": "missing: apps/kafka/base/kafkatopic.yaml",
                "add": "extra: apps/kafka/base/stray.yaml"}[damage]  # fmt: skip
    assert expected in capsys.readouterr().err


def test_check_passes_on_fresh_output_and_render_repairs(rendered: Workspace) -> None:
    assert rendered.run("render", "--check") == 0
    target = rendered.root / "argocd" / "dev" / "apps" / "kafka.yaml"
    target.unlink()
    assert rendered.run("render") == 0
    assert rendered.run("render", "--check") == 0
    assert Path(target).exists()


STAGING = """\
# staging: three nodes, prod-like Kafka replication, dev-sized everything else
cluster:
  nodes: 3
  memory_budget: 8Gi
kafka:
  replication_factor: 3
  min_insync_replicas: 2
  node_pools:
    - name: dual-role
      replicas: 3
network:  # every environment states its API server; these are the base's addresses
  api_server:
    cidr: 192.168.56.10/32
    webhook_sources: [192.168.56.10/32, 10.42.0.1/32]
"""


@pytest.mark.tools
def test_a_new_environment_file_renders_end_to_end(
    rendered: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    (rendered.specs / "environments" / "staging.yaml").write_text(STAGING, encoding="utf-8")
    assert rendered.run("render") == 0
    root = rendered.root
    assert (root / "argocd/staging/root.yaml").read_text().count("path: argocd/staging/apps") == 1
    apps = {p.stem for p in (root / "argocd/staging/apps").glob("*.yaml")}
    assert apps == {p.stem for p in (root / "argocd/dev/apps").glob("*.yaml")}
    overlays = {p.name for p in (root / "overlays/staging").iterdir()}
    assert overlays == {p.name for p in (root / "overlays/dev").iterdir()}
    # only Kafka differs from the base: its overlay patches the cluster, pool and topics,
    # and monitoring's KafkaBrokerDown rule follows the broker count
    patched = {p.relative_to(root / "overlays/staging").parts[0]
               for p in (root / "overlays/staging").rglob("patches/*")}  # fmt: skip
    assert patched == {"kafka", "monitoring"}
    rules = (root / "overlays/staging/monitoring/patches"
             / "prometheusrule-streamflow-platform-alerts.yaml").read_text()  # fmt: skip
    assert 'count(up{streamflow_component="kafka"} == 1) or vector(0)) < 3' in rules
    pool = (root / "overlays/staging/kafka/patches/kafkanodepool-dual-role.yaml").read_text()
    assert "path: /spec/replicas\n  value: 3" in pool
    capsys.readouterr()
    assert rendered.run("budget", "--env", "staging") == 0
    table = capsys.readouterr().out
    assert "== staging ==" in table and "of 8192Mi budget" in table
    exporter = next(line for line in table.splitlines() if "prometheus-node-exporter" in line)
    assert " 3 " in exporter  # a DaemonSet: one pod per node
    assert rendered.run("render", "--check") == 0
    assert rendered.run("validate") == 0
