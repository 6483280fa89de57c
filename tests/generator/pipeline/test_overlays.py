"""Overlays hold only differences, and kustomize turns base + overlay into the env render."""

import subprocess
from typing import Any

import pytest
import yaml

from generator.commands.tools import tool
from generator.manifests.objects import identity
from generator.pipeline.load import environments, load
from generator.pipeline.overlays import json_patch, plan
from generator.pipeline.tree import render_environment
from tests.conftest import REPO


def test_json_patch_of_nested_change() -> None:
    base = {"spec": {"replicas": 1, "keep": True, "gone": 1, "list": [1, 2]}}
    target = {"spec": {"replicas": 3, "keep": True, "list": [1], "new": {"a": 1}}}
    assert json_patch(base, target) == [
        {"op": "replace", "path": "/spec/replicas", "value": 3},
        {"op": "remove", "path": "/spec/gone"},
        {"op": "replace", "path": "/spec/list", "value": [1]},
        {"op": "add", "path": "/spec/new", "value": {"a": 1}},
    ]


def test_json_patch_escapes_keys_and_distinguishes_types() -> None:
    assert json_patch({"a/b": 1, "c~d": "1"}, {"a/b": 2, "c~d": 1}) == [
        {"op": "replace", "path": "/a~1b", "value": 2},
        {"op": "replace", "path": "/c~0d", "value": 1},
    ]


def test_identical_renders_need_no_overlay() -> None:
    manifests = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}]
    result = plan(manifests, manifests)
    assert (result.patches, result.added, result.removed) == ([], [], [])


def _kustomize(directory: str) -> list[dict[str, Any]]:
    output = subprocess.run([tool("kustomize"), "build", str(REPO / directory)], check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    return [doc for doc in yaml.safe_load_all(output) if doc]


@pytest.mark.tools
@pytest.mark.parametrize("env", environments(REPO / "specs"))
def test_kustomize_build_of_each_overlay_equals_the_environment_render(env: str) -> None:
    parts = [p for p in render_environment(load(env, REPO / "specs")).parts if p.manifests]
    assert parts
    for part in parts:
        name = part.component.name
        built = {identity(m): m for m in _kustomize(f"overlays/{env}/{name}")}
        expected = {identity(m): m for m in part.manifests}
        assert built == expected, f"overlays/{env}/{name}"


def test_dev_overlays_are_empty_because_dev_is_the_base() -> None:
    kustomizations = sorted((REPO / "overlays" / "dev").glob("*/kustomization.yaml"))
    assert kustomizations
    for path in kustomizations:
        data = yaml.safe_load(path.read_text())
        assert "patches" not in data, path
        assert len(data["resources"]) == 1, path
