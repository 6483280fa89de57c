"""The contract against what ``render`` produced: the policies and namespaces, the error."""

import dataclasses
from collections.abc import Callable

import pytest

from generator.manifests.objects import Manifest
from generator.pipeline.connectivity.rendered import ConnectivityError, check_tree, network
from generator.pipeline.tree import Tree, render_all

BROKEN_POLICY = "allow-flink-to-kafka-egress"


def _edited(tree: Tree, env: str, edit: Callable[[Manifest], Manifest | None]) -> Tree:
    """``tree`` with ``edit`` applied to every manifest of ``env`` (None drops it)."""
    environment = tree.environments[env]
    parts = [
        dataclasses.replace(part, manifests=[
            edited for edited in map(edit, part.manifests) if edited is not None
        ])
        for part in environment.parts
    ]  # fmt: skip
    edited_environment = dataclasses.replace(environment, parts=parts)
    return dataclasses.replace(tree, environments={**tree.environments, env: edited_environment})


def _drop_broken_policy(manifest: Manifest) -> Manifest | None:
    is_it = manifest["kind"] == "NetworkPolicy" and manifest["metadata"]["name"] == BROKEN_POLICY
    return None if is_it else manifest


def test_the_network_is_the_rendered_policies_and_namespace_labels() -> None:
    found = network(render_all().environments["dev"])
    assert BROKEN_POLICY in {p["metadata"]["name"] for p in found.policies}
    assert {p["kind"] for p in found.policies} == {"NetworkPolicy"}
    # specs/platform.yaml: restricted everywhere but monitoring (node-exporter's host access).
    enforced = {
        namespace: labels["pod-security.kubernetes.io/enforce"]
        for namespace, labels in found.namespace_labels.items()
    }
    assert enforced == {
        "streamflow-data": "restricted", "streamflow-kafka": "restricted",
        "streamflow-monitoring": "privileged", "streamflow-orchestration": "restricted",
        "streamflow-processing": "restricted",
    }  # fmt: skip


def test_a_broken_environment_is_reported_with_every_violation_and_where_the_contract_is() -> None:
    tree = render_all()
    assert set(check_tree(tree)) == {"dev", "prod"}
    with pytest.raises(ConnectivityError) as raised:
        check_tree(_edited(_edited(tree, "dev", _drop_broken_policy), "prod", _drop_broken_policy))
    header, *problems = str(raised.value).split("\n  ")
    assert header == (
        "the NetworkPolicies break the connectivity contract "
        "(generator/pipeline/connectivity/contract.py):"
    )
    assert [p.split(": ", 1)[0] for p in problems] == ["dev", "prod"]
    assert all(": streamflow-processing{" in p for p in problems)
    assert all(p.endswith(":9092/TCP: required but denied (flink-to-kafka)") for p in problems)


def test_a_namespace_without_labels_has_only_its_name_label() -> None:
    def unlabelled(manifest: Manifest) -> Manifest:
        if manifest["kind"] != "Namespace" or manifest["metadata"]["name"] != "streamflow-data":
            return manifest
        return {**manifest, "metadata": {"name": "streamflow-data"}}

    environment = _edited(render_all(), "dev", unlabelled).environments["dev"]
    assert network(environment).namespace_labels["streamflow-data"] == {}
