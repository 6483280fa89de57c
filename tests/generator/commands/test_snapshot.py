"""The snapshot ``diff`` compares, checked against a second derivation of the same facts.

Not against the renderer the snapshot is built from: what each Application
syncs is what ``kustomize build`` makes of the committed overlay, its wave and
Helm values are what the committed Application says, and the budget is the
figure the environment files state.
"""

import subprocess
from typing import Any

import pytest
import yaml

from generator.commands.snapshot import snapshot
from generator.commands.tools import tool
from generator.components import REGISTRY
from generator.pipeline.load import SPEC_DIR
from tests.conftest import REPO

pytestmark = pytest.mark.tools
TAKEN = snapshot(SPEC_DIR, REGISTRY)
BUDGETS = {"dev": 4 * 2**30, "prod": 48 * 2**30}  # memory_budget in specs/environments/


def _committed_applications(env: str) -> dict[str, dict[str, Any]]:
    documents = (yaml.safe_load(path.read_text()) for path in
                 sorted((REPO / "argocd" / env / "apps").glob("*.yaml")))  # fmt: skip
    return {d["metadata"]["name"]: d for d in documents if d["kind"] == "Application"}


def _built(path: str) -> set[str]:
    stream = subprocess.run([tool("kustomize"), "build", str(REPO / path)], capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    keys = set()
    for document in yaml.safe_load_all(stream):
        namespace = document["metadata"].get("namespace")
        name = document["metadata"]["name"]
        keys.add(f"{document['kind']} {namespace}/{name}" if namespace else
                 f"{document['kind']} {name}")  # fmt: skip
    return keys


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_application_its_objects_values_and_the_budget(env: str) -> None:
    taken = TAKEN[env]
    committed = _committed_applications(env)
    assert sorted(taken["applications"]) == sorted(committed)
    for name, application in committed.items():
        snapped = taken["applications"][name]
        wave = application["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
        assert snapped["wave"] == int(wave)
        source = application["spec"]["source"]
        if "path" in source:
            assert set(snapped["resources"]) == _built(source["path"]), name
        else:
            assert snapped["values"] == source["helm"]["valuesObject"], name
    assert taken["budget"]["budget"] == BUDGETS[env]
    assert taken["budget"]["peak"] <= BUDGETS[env]
    namespaces = taken["budget"]["namespaces"].values()
    assert sum(n["steady"] for n in namespaces) == taken["budget"]["steady"]
