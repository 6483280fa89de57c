"""The rendered NetworkPolicies keep the connectivity contract, and the contract catches breaks.

The pods here carry the labels the real pods carry (Flink's native Kubernetes
labels, the CloudNativePG chart's, kube-prometheus-stack's), not the selectors
the generator wrote, and the policies are read from ``kustomize build`` of the
committed overlays: what ArgoCD applies.
"""

import dataclasses
import functools
from typing import Any

import pytest
import yaml

from generator.commands.validate import kustomize_build
from generator.pipeline.connectivity.contract import (
    INTERNET,
    Verdict,
    cells,
    check,
    representative,
)
from generator.pipeline.connectivity.policy import Address, Network, Pod, Policy
from generator.pipeline.connectivity.rendered import network, verdict
from generator.pipeline.load import load
from generator.pipeline.tree import render_all, render_environment
from tests.conftest import REPO, Workspace

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


# The endpoints dev serves to other namespaces (component endpoints and metrics ports), as
# the pods' owners document them: nothing outside the cluster may reach any of them.
DEV_ENDPOINTS = [
    "streamflow-kafka{strimzi.io/cluster=streamflow}:9092",
    "streamflow-kafka{strimzi.io/kind=cluster-operator}:8080",
    "streamflow-kafka{strimzi.io/broker-role=true,strimzi.io/cluster=streamflow}:9404",
    "streamflow-data{cnpg.io/cluster=streamflow-pg}:5432",
    "streamflow-data{cnpg.io/cluster=streamflow-pg}:9187",
    "streamflow-data{app.kubernetes.io/name=cloudnative-pg}:8080",
    "streamflow-processing{app.kubernetes.io/name=flink-kubernetes-operator}:8080",
    "streamflow-processing{type=flink-native-kubernetes}:9249",
    "streamflow-orchestration{component=statsd,release=airflow,tier=airflow}:9102",
]
# specs/environments/dev.yaml: network.api_server (cidr and webhook_sources).
DEV_API_SERVER, DEV_WEBHOOK_CALLERS = "192.168.56.10", ["192.168.56.10", "10.42.0.1"]
CNPG_WEBHOOK = "streamflow-data{app.kubernetes.io/name=cloudnative-pg}:9443/TCP"


def _isolating(platform_namespaces: list[str], **rules: Any) -> list[Policy]:
    """One policy per namespace selecting every pod in both directions, with ``rules``."""
    return [
        {"metadata": {"name": "contract-probe", "namespace": namespace},
         "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], **rules}}
        for namespace in platform_namespaces
    ]  # fmt: skip


@functools.cache
def _opened_and_closed(env: str) -> tuple[int, Verdict, Verdict]:
    """The contract against a network that allows every port anywhere, and one that allows
    nothing: every forbidden cell must then be reported allowed, every required one denied.
    Cached: a dozen tests read the same two verdicts, none changes them."""
    environment = render_environment(load(env))
    namespaces = [ns.name for ns in environment.platform.spec.namespaces]
    anywhere = [{"namespaceSelector": {}}, {"ipBlock": {"cidr": "0.0.0.0/0"}}]
    every_port = [{"protocol": p, "port": 1, "endPort": 65535} for p in ("TCP", "UDP")]
    opened = _isolating(namespaces, ingress=[{"from": anywhere, "ports": every_port}],
                        egress=[{"to": anywhere, "ports": every_port}])  # fmt: skip
    labels = network(environment).namespace_labels
    platform = environment.platform
    return (
        len(cells(platform)),
        check(platform, Network(opened, labels)),
        check(platform, Network(_isolating(namespaces), labels)),
    )


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_cell_is_a_real_connection_the_policies_decide(env: str) -> None:
    """A cell with no source, no port or a protocol no policy names would pass as 'denied'
    whatever the policies say; opened up, every cell must be allowed, closed, every denied."""
    total, opened, closed = _opened_and_closed(env)
    assert (opened.allowed, opened.denied) == (total, 0)
    assert (closed.allowed, closed.denied) == (0, total)
    assert len(opened.violations) + len(closed.violations) == total
    assert all(v.endswith(")") and ": forbidden but allowed (" in v for v in opened.violations)
    assert all(": required but denied (" in v for v in closed.violations)


def test_nothing_outside_reaches_an_endpoint_and_only_the_api_server_reaches_the_webhook() -> None:
    _, opened, closed = _opened_and_closed("dev")
    from_outside = {v for v in opened.violations + closed.violations
                    if v.split(" ", 1)[0][0].isdigit()}  # fmt: skip
    expected = (
        {
            f"{INTERNET} -> {endpoint}/TCP: forbidden but allowed (no ingress from outside)"
            for endpoint in DEV_ENDPOINTS
        }
        | {
            f"{caller} -> {endpoint}/TCP: forbidden but allowed (not a webhook port)"
            for endpoint in DEV_ENDPOINTS
            for caller in DEV_WEBHOOK_CALLERS
        }
        | {
            f"{caller} -> {CNPG_WEBHOOK}: required but denied (webhook)"
            for caller in DEV_WEBHOOK_CALLERS
        }
        | {f"{INTERNET} -> {CNPG_WEBHOOK}: forbidden but allowed (webhook, internet)"}
    )
    assert from_outside == expected


@pytest.mark.parametrize(
    "line",
    [
        # _to_endpoints: a declared connection names it; anything else is "not declared".
        "streamflow-processing{type=flink-native-kubernetes} -> streamflow-kafka"
        "{strimzi.io/cluster=streamflow}:9092/TCP: required but denied (flink-to-kafka)",
        "streamflow-kafka{streamflow.io/contract=unlisted-pod} -> streamflow-data"
        "{cnpg.io/cluster=streamflow-pg}:5432/TCP: forbidden but allowed (not declared)",
        # _to_outside: the API server, DNS over both protocols, the internet by rule only.
        "streamflow-processing{app.kubernetes.io/name=flink-kubernetes-operator} -> "
        f"{DEV_API_SERVER}:6443/TCP: required but denied (API client)",
        f"streamflow-processing{{streamflow.io/contract=unlisted-pod}} -> {DEV_API_SERVER}:6443"
        "/TCP: forbidden but allowed (not an API client)",
        "streamflow-data{streamflow.io/contract=unlisted-pod} -> kube-system{k8s-app=kube-dns}"
        ":53/UDP: required but denied (DNS)",
        "streamflow-data{streamflow.io/contract=unlisted-pod} -> kube-system{k8s-app=kube-dns}"
        ":53/TCP: required but denied (DNS)",
        "streamflow-processing{app.kubernetes.io/name=flink-kubernetes-operator} -> "
        f"{INTERNET}:443/TCP: required but denied (flink-operator-artifacts)",
        "streamflow-processing{app.kubernetes.io/name=flink-kubernetes-operator} -> "
        f"{INTERNET}:80/TCP: forbidden but allowed (no external_egress rule)",
        f"streamflow-processing{{type=flink-native-kubernetes}} -> {INTERNET}:443/TCP: "
        "forbidden but allowed (no external_egress rule)",
    ],
)
def test_each_kind_of_cell_reads_as_the_reviewer_sees_it(line: str) -> None:
    _, opened, closed = _opened_and_closed("dev")
    assert line in opened.violations + closed.violations


@pytest.mark.parametrize(
    ("cidr", "address"),
    [("192.168.56.10/32", "192.168.56.10"), ("10.0.10.0/28", "10.0.10.1"),
     ("0.0.0.0/0", INTERNET), ("198.51.100.0/24", INTERNET), ("10.42.0.0/31", "10.42.0.0")],
)  # fmt: skip
def test_a_network_is_probed_at_a_host_inside_it(cidr: str, address: str) -> None:
    assert representative(cidr) == address


def test_the_contract_knows_every_declared_pod_and_one_unlisted_pod_per_namespace() -> None:
    environment = render_environment(load("dev"))
    sources = {cell.describe().split(" -> ")[0] for cell in cells(environment.platform)}
    unlisted = "streamflow.io/contract=unlisted-pod"
    assert sources - {ip for ip in sources if ip[0].isdigit()} == {
        f"streamflow-data{{{unlisted}}}",
        "streamflow-data{app.kubernetes.io/name=cloudnative-pg}",
        "streamflow-data{cnpg.io/cluster=streamflow-pg}",
        f"streamflow-kafka{{{unlisted}}}",
        "streamflow-kafka{strimzi.io/broker-role=true,strimzi.io/cluster=streamflow}",
        "streamflow-kafka{strimzi.io/cluster=streamflow}",
        "streamflow-kafka{strimzi.io/kind=cluster-operator}",
        "streamflow-kafka{strimzi.io/name=streamflow-entity-operator}",
        f"streamflow-monitoring{{{unlisted}}}",
        "streamflow-monitoring{app.kubernetes.io/name=prometheus}",
        f"streamflow-orchestration{{{unlisted}}}",
        "streamflow-orchestration{component=statsd,release=airflow,tier=airflow}",
        f"streamflow-processing{{{unlisted}}}",
        "streamflow-processing{app.kubernetes.io/name=flink-kubernetes-operator}",
        "streamflow-processing{type=flink-native-kubernetes}",
    }


def test_each_cell_is_checked_on_its_own_protocol() -> None:
    environment, found = _dev()
    tcp_only = [
        {**policy, "spec": {**policy["spec"], "egress": [
            {**rule, "ports": [p for p in rule.get("ports", []) if p.get("protocol") != "UDP"]}
            for rule in policy["spec"].get("egress", [])
        ]}}
        for policy in found.policies
    ]  # fmt: skip
    message = _violations(
        check(environment.platform, dataclasses.replace(found, policies=tcp_only))
    )
    assert ":53/UDP: required but denied (DNS)" in message
    assert ":53/TCP: required but denied" not in message


def test_a_connection_declared_twice_names_both_reasons(workspace: Workspace) -> None:
    def declare_twice(data: dict[str, Any]) -> None:
        network_ = data["network"]
        network_["flows"].append({**network_["flows"][0], "name": "dbt-to-postgres"})
        artifacts = next(e for e in network_["external_egress"]
                         if e["name"] == "flink-operator-artifacts")  # fmt: skip
        network_["external_egress"].append({**artifacts, "name": "flink-operator-plugins"})

    workspace.edit("platform.yaml", declare_twice)
    environment = render_environment(load("dev", workspace.specs))
    whys = {cell.why for cell in cells(environment.platform)}
    assert "airflow-to-postgres, dbt-to-postgres" in whys
    assert "flink-operator-artifacts, flink-operator-plugins" in whys
