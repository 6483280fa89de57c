"""The contract against what ``render`` produced: the policies and namespaces, the error."""

import dataclasses

import pytest

from generator.pipeline.connectivity.rendered import ConnectivityError, check_tree, network
from generator.pipeline.tree import Tree, render_all

BROKEN_POLICY = "allow-flink-to-kafka-egress"


def _without_policy(tree: Tree, env: str, name: str) -> Tree:
    environment = tree.environments[env]
    parts = [
        dataclasses.replace(part, manifests=[
            m for m in part.manifests
            if not (m["kind"] == "NetworkPolicy" and m["metadata"]["name"] == name)
        ])
        for part in environment.parts
    ]  # fmt: skip
    broken = dataclasses.replace(environment, parts=parts)
    return dataclasses.replace(tree, environments={**tree.environments, env: broken})


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
        check_tree(_without_policy(tree, "prod", BROKEN_POLICY))
    header, *problems = str(raised.value).split("\n  ")
    assert header == (
        "the NetworkPolicies break the connectivity contract "
        "(generator/pipeline/connectivity/contract.py):"
    )
    assert problems and all(p.startswith("prod: streamflow-processing{") for p in problems)
    assert all(p.endswith(":9092/TCP: required but denied (flink-to-kafka)") for p in problems)
