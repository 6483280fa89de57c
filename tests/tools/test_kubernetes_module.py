"""The wrapper module builds one Kubernetes release, of the minor the spec deploys."""

import re

from generator.pipeline.load import environments, load
from tests.conftest import REPO

GO_MOD = (REPO / "tools" / "kubernetes" / "go.mod").read_text(encoding="utf-8")


def _kubernetes() -> str:
    found = re.search(r"^\s*(?:require\s+)?k8s\.io/kubernetes (v\S+)", GO_MOD, re.M)
    assert found, "tools/kubernetes/go.mod does not require k8s.io/kubernetes"
    return found.group(1)


def test_every_staging_module_is_replaced_by_the_same_release() -> None:
    staging = f"v0.{_kubernetes().removeprefix('v1.')}"
    replaced = re.findall(r"^\s*(k8s\.io/\S+) => (k8s\.io/\S+) (v\S+)$", GO_MOD, re.M)
    assert len(replaced) == 31
    assert all(source == target for source, target, _ in replaced)
    assert {version for *_, version in replaced} == {staging}


def test_the_minor_is_the_one_every_environment_deploys() -> None:
    minor = ".".join(_kubernetes().removeprefix("v").split(".")[:2])
    for env in environments():
        assert load(env).spec.cluster.kubernetes_version.startswith(f"{minor}."), env
