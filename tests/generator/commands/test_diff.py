"""``generator diff`` on real git history: each side rendered by its own generator code."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.commands.diff import MISSING, Change, compare, field_changes, markdown, text

REPO = Path(__file__).resolve().parents[3]
# What rendering reads: the spec, the generator, and the workloads the spec points at.
RENDER_INPUTS = ("specs", "generator", "libs", "jobs", "dags", "dbt")


class History:
    """A temporary git repository holding what a render needs, committed as the base."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for top in RENDER_INPUTS:
            shutil.copytree(REPO / top, root / top, ignore=shutil.ignore_patterns("__pycache__"))
        self.git("init", "--quiet", "--initial-branch=main")
        self.commit("base")

    def git(self, *arguments: str) -> None:
        subprocess.run(["git", "-C", str(self.root), "-c", "user.name=t", "-c",
                        "user.email=t@example.org", *arguments], check=True)  # fmt: skip

    def commit(self, message: str) -> None:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)

    def edit(self, relative: str, change: Callable[[dict[str, Any]], None]) -> None:
        path = self.root / relative
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def diff(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """``python -m generator diff`` with this repository's own generator code."""
        environment = {**os.environ, "PYTHONPATH": str(self.root)}
        return subprocess.run([sys.executable, "-m", "generator", "diff", *arguments],
                              cwd=self.root, env=environment, capture_output=True, text=True,
                              check=False)  # fmt: skip


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "repo")


def _resize_kafka(data: dict[str, Any]) -> None:
    pool = data["kafka"]["node_pools"][0]
    pool["resources"]["requests"]["memory"] = "3Gi"
    pool["resources"]["limits"]["memory"] = "4Gi"


def test_a_resized_prod_node_pool_shows_those_fields_in_prod_only_and_its_budget(
    history: History,
) -> None:
    history.edit("specs/environments/prod.yaml", _resize_kafka)
    result = history.diff()
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert "== dev: no difference ==" in lines
    prod = lines[lines.index("== prod ==") :]
    assert prod[1].startswith("  budget prod: +3072Mi (")  # three brokers, 1Gi more each
    assert prod[2].startswith("    streamflow-kafka: steady +3072Mi")
    assert prod[3:] == [
        "  Application kafka (changed, wave 2)",
        "    changed KafkaNodePool streamflow-kafka/dual-role",
        '      spec.resources.limits.memory: "3Gi" → "4Gi"',
        '      spec.resources.requests.memory: "2Gi" → "3Gi"',
    ]


def test_a_new_topic_is_one_added_kafka_topic_in_each_environment(history: History) -> None:
    new = {"name": "fraud.cases", "partitions": 1, "retention": "7d", "purpose": "a test topic"}
    history.edit("specs/platform.yaml", lambda data: data["kafka"]["topics"].append(new))
    result = history.diff("--format", "markdown")
    assert result.returncode == 1, result.stderr
    comment = result.stdout
    for env in ("dev", "prod"):
        section = comment.split(f"\n### {env}\n")[1].split("\n### ")[0]
        assert "+0Mi" in section
        changes = [line for line in section.splitlines() if line.startswith(("- ", "  - "))]
        assert changes == ["- added `KafkaTopic streamflow-kafka/fraud.cases`"]


def test_a_generator_change_with_the_same_output_shows_no_difference(history: History) -> None:
    tree = history.root / "generator" / "pipeline" / "tree.py"
    tree.write_text(tree.read_text(encoding="utf-8").replace(
        '"""Every child Application, in registry order."""',
        '"""Every child Application of the environment, in registry order."""'))  # fmt: skip
    history.commit("reword a docstring")
    result = history.diff("--base", "HEAD~1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[1:] == [
        "== dev: no difference ==",
        "== prod: no difference ==",
    ]


def test_a_base_whose_spec_is_invalid_is_reported_clearly(history: History) -> None:
    history.edit("specs/platform.yaml", lambda data: data["kafka"]["topics"][0].update(
        partitions=0))  # fmt: skip
    history.commit("an invalid spec")
    history.edit("specs/platform.yaml", lambda data: data["kafka"]["topics"][0].update(
        partitions=3))  # fmt: skip
    result = history.diff("--base", "HEAD")
    assert result.returncode == 2
    assert "base HEAD (" in result.stderr and "does not render" in result.stderr
    assert "specs/platform.yaml" in result.stderr and "partitions" in result.stderr


def test_named_lists_are_matched_by_name_and_missing_keys_are_shown() -> None:
    old = {"containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}]}
    new = {"containers": [{"name": "b", "image": "y:2"}, {"name": "a", "image": "x:1"}],
           "labels": {"app.kubernetes.io/name": "z"}}  # fmt: skip
    assert list(field_changes(old, new)) == [
        Change("containers[name=b].image", "y:1", "y:2"),
        Change("labels", MISSING, {"app.kubernetes.io/name": "z"}),  # a new subtree, whole
    ]
    labelled = {"labels": {"app.kubernetes.io/name": "y"}}
    assert list(field_changes(labelled, {"labels": new["labels"]})) == [
        Change('labels["app.kubernetes.io/name"]', "y", "z")
    ]
    assert list(field_changes([1, 2], [1, 3])) == [Change("[1]", 2, 3)]
    assert list(field_changes([1], [1, 2])) == [Change("(root)", [1], [1, 2])]


def _app(wave: int, values: dict[str, Any]) -> dict[str, Any]:
    return {"wave": wave, "source": {"chart": "c", "targetRevision": "1.0"}, "values": values,
            "sync": {}, "resources": {}}  # fmt: skip


def _env(app: dict[str, Any], peak: int) -> dict[str, Any]:
    namespaces = {"monitoring": {"steady": peak, "transient": 0}}
    return {"applications": {"monitoring": app},
            "budget": {"budget": 4 << 30, "peak": peak, "steady": peak,
                       "namespaces": namespaces}}  # fmt: skip


def test_helm_values_and_sync_waves_of_a_chart_application() -> None:
    before = {"dev": _env(_app(1, {"prometheus": {"retention": "8d"}}), 100 << 20)}
    after = {"dev": _env(_app(2, {"prometheus": {"retention": "10d"}}), 292 << 20)}
    found = compare(before, after)
    report = text(found, "main")
    assert "  budget dev: +192Mi (100Mi → 292Mi of 4096Mi)" in report
    assert "\n    sync-wave: 1 → 2\n    Helm values:\n" in report
    assert '\n      prometheus.retention: "8d" → "10d"' in report
    comment = markdown(found, "main")
    assert '  - `prometheus.retention`: `"8d"` → `"10d"`' in comment
    assert compare(before, before)[0].changed is False
