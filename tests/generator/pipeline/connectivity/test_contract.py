"""The rendered NetworkPolicies keep the connectivity contract, and the contract catches breaks.

The pods here carry the labels the real pods carry (Flink's native Kubernetes
labels, the CloudNativePG chart's, kube-prometheus-stack's), not the selectors
the generator wrote, and the policies are read from ``kustomize build`` of the
committed overlays: what ArgoCD applies.
"""

import dataclasses
from typing import Any

import pytest
import yaml

from generator.commands.validate import kustomize_build
from generator.pipeline.connectivity.contract import INTERNET, Verdict, check, representative
from generator.pipeline.connectivity.policy import Address, Network, Pod
from generator.pipeline.connectivity.rendered import network, verdict
from generator.pipeline.load import load
from generator.pipeline.tree import render_all, render_environment
from tests.conftest import REPO

TASKMANAGER = Pod("streamflow-processing", {
    "app": "transaction-processor", "component": "taskmanager", "type": "flink-native-kubernetes"
})  # fmt: skip
JOBMANAGER = dataclasses.replace(
    TASKMANAGER, labels={**TASKMANAGER.labels, "component": "jobmanager"}
)
FLINK_OPERATOR = Pod(
    "streamflow-processing", {"app.kubernetes.io/name": "flink-kubernetes-operator"}
)
CNPG_OPERATOR = Pod("streamflow-data", {
    "app.kubernetes.io/name": "cloudnative-pg", "app.kubernetes.io/instance": "cnpg-operator"
})  # fmt: skip
POSTGRES = Pod(
    "streamflow-data", {"cnpg.io/cluster": "streamflow-pg", "cnpg.io/instanceRole": "primary"}
)
PROMETHEUS = Pod("streamflow-monitoring", {
    "app.kubernetes.io/name": "prometheus", "prometheus": "kube-prometheus-stack-prometheus"
})  # fmt: skip
GRAFANA = Pod("streamflow-monitoring", {"app.kubernetes.io/name": "grafana"})
AIRFLOW_SCHEDULER = Pod("streamflow-orchestration", {"tier": "airflow", "component": "scheduler"})
KAFKA_BROKER = Pod("streamflow-kafka", {
    "strimzi.io/cluster": "streamflow", "strimzi.io/kind": "Kafka", "strimzi.io/broker-role": "true"
})  # fmt: skip
EVERY_POD = [TASKMANAGER, JOBMANAGER, FLINK_OPERATOR, CNPG_OPERATOR, POSTGRES, PROMETHEUS, GRAFANA,
             AIRFLOW_SCHEDULER, KAFKA_BROKER]  # fmt: skip


def _committed(env: str) -> Network:
    documents = []
    for overlay in ("namespaces", "network-policies"):
        stream = kustomize_build(REPO / "overlays" / env / overlay)
        documents += [doc for doc in yaml.safe_load_all(stream) if doc]
    return Network(
        [d for d in documents if d["kind"] == "NetworkPolicy"],
        {d["metadata"]["name"]: d["metadata"].get("labels", {}) for d in documents
         if d["kind"] == "Namespace"},
    )  # fmt: skip


@pytest.fixture(scope="module", params=["dev", "prod"])
def env(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _api(env: str) -> tuple[Address, list[Address]]:
    api = load(env).spec.network.api_server
    return Address(representative(api.cidr)), [
        Address(representative(c)) for c in api.webhook_sources
    ]


def test_every_environment_keeps_the_whole_matrix() -> None:
    for env, environment in render_all().environments.items():
        found = verdict(environment)
        assert found.violations == [], env
        assert found.allowed > 40 and found.denied > 100, (env, found)


@pytest.mark.tools
def test_flink_taskmanagers_and_jobmanagers_reach_the_api_server(env: str) -> None:
    committed, (api, _) = _committed(env), _api(env)
    assert committed.allows(TASKMANAGER, api, 6443)
    assert committed.allows(JOBMANAGER, api, 6443)
    assert not committed.allows(TASKMANAGER, api, 443)  # post-DNAT: the node's port only


@pytest.mark.tools
def test_the_api_server_reaches_the_cloudnative_pg_webhook_and_nothing_else(env: str) -> None:
    committed, (_, callers) = _committed(env), _api(env)
    for caller in callers:
        assert committed.allows(caller, CNPG_OPERATOR, 9443)
        assert not committed.allows(caller, CNPG_OPERATOR, 8080)
        assert not committed.allows(caller, POSTGRES, 5432)
    assert not committed.allows(Address(INTERNET), CNPG_OPERATOR, 9443)


@pytest.mark.tools
def test_only_the_flink_operator_reaches_the_internet(env: str) -> None:
    committed = _committed(env)
    reaching = [pod for pod in EVERY_POD if committed.allows(pod, Address(INTERNET), 443)]
    assert reaching == [FLINK_OPERATOR]
    assert not any(committed.allows(pod, Address(INTERNET), 80) for pod in EVERY_POD)


@pytest.mark.tools
def test_prometheus_discovers_targets_and_the_operator_is_not_the_only_api_client(env: str) -> None:
    committed, (api, _) = _committed(env), _api(env)
    assert committed.allows(PROMETHEUS, api, 6443)
    assert committed.allows(PROMETHEUS, TASKMANAGER, 9249)
    assert not committed.allows(PROMETHEUS, POSTGRES, 5432)
    assert not committed.allows(AIRFLOW_SCHEDULER, KAFKA_BROKER, 9092)
    assert committed.allows(AIRFLOW_SCHEDULER, POSTGRES, 5432)
    assert committed.allows(TASKMANAGER, KAFKA_BROKER, 9092)
    assert not committed.allows(FLINK_OPERATOR, KAFKA_BROKER, 9092)


def _dev() -> tuple[Any, Network]:
    environment = render_environment(load("dev"))
    return environment, network(environment)


def _without(found: Network, name: str) -> Network:
    kept = [p for p in found.policies if p["metadata"]["name"] != name]
    assert len(kept) < len(found.policies), name
    return dataclasses.replace(found, policies=kept)


def _violations(verdict_: Verdict) -> str:
    return "\n".join(verdict_.violations)


def test_a_policy_too_narrow_is_a_required_connection_denied() -> None:
    environment, found = _dev()
    broken = check(environment.platform, _without(found, "allow-flink-to-kafka-egress"))
    assert "streamflow-processing{type=flink-native-kubernetes} -> " in _violations(broken)
    assert "9092/TCP: required but denied (flink-to-kafka)" in _violations(broken)


def test_a_policy_too_open_is_a_forbidden_connection_allowed() -> None:
    environment, found = _dev()
    open_egress = {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "allow-all-egress", "namespace": "streamflow-data"},
        "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]},
    }  # fmt: skip
    broken = check(environment.platform, dataclasses.replace(
        found, policies=[*found.policies, open_egress]))  # fmt: skip
    message = _violations(broken)
    assert f"-> {INTERNET}:443/TCP: forbidden but allowed" in message
    assert "unlisted-pod} -> 192.168.56.10:6443/TCP: forbidden but allowed" in message
    # Kafka's own ingress still refuses the database's pods: both ends must allow.
    assert "streamflow-data{cnpg.io/cluster=streamflow-pg} -> streamflow-kafka" not in message
