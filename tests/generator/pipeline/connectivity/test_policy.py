"""NetworkPolicy semantics, checked against the examples of the upstream documentation.

https://kubernetes.io/docs/concepts/services-networking/network-policies/ — each
test quotes the example's policy and asserts what the page says it does.
"""

from typing import Any

import pytest
import yaml

from generator.pipeline.connectivity.policy import Address, Network, Pod, policy_types, selects

TEST_NETWORK_POLICY = yaml.safe_load("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: test-network-policy, namespace: default}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}
        - namespaceSelector: {matchLabels: {project: myproject}}
        - podSelector: {matchLabels: {role: frontend}}
      ports: [{protocol: TCP, port: 6379}]
  egress:
    - to: [{ipBlock: {cidr: 10.0.0.0/24}}]
      ports: [{protocol: TCP, port: 5978}]
""")
DB = Pod("default", {"role": "db"})


def _network(*policies: dict[str, Any], **namespaces: dict[str, str]) -> Network:
    return Network(list(policies), namespaces)


def _policy(namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"name": "p", "namespace": namespace}, "spec": spec}


def test_example_ingress_sources_of_the_db_pods() -> None:
    network = _network(TEST_NETWORK_POLICY, myproject={"project": "myproject"})
    assert network.allows(Pod("default", {"role": "frontend"}), DB, 6379)
    assert network.allows(Pod("myproject", {"any": "pod"}), DB, 6379)
    assert network.allows(Address("172.17.0.5"), DB, 6379)
    assert network.allows(Address("172.17.2.1"), DB, 6379)
    # The except block, another port, another protocol, an unlisted pod or namespace:
    assert not network.allows(Address("172.17.1.9"), DB, 6379)
    assert not network.allows(Pod("default", {"role": "frontend"}), DB, 6380)
    assert not network.allows(Pod("default", {"role": "frontend"}), DB, 6379, "UDP")
    assert not network.allows(Pod("default", {"role": "backend"}), DB, 6379)
    assert not network.allows(Pod("other", {"role": "frontend"}), DB, 6379)


def test_example_egress_of_the_db_pods() -> None:
    network = _network(TEST_NETWORK_POLICY)
    assert network.allows(DB, Address("10.0.0.7"), 5978)
    assert not network.allows(DB, Address("10.0.1.7"), 5978)
    assert not network.allows(DB, Address("10.0.0.7"), 5979)
    assert not network.allows(DB, Pod("default", {"role": "frontend"}), 5978)


def test_pods_the_example_does_not_select_are_not_isolated() -> None:
    network = _network(TEST_NETWORK_POLICY)
    web = Pod("default", {"role": "web"})
    assert network.allows(Pod("other"), web, 80)
    assert network.allows(web, Address("203.0.113.1"), 443)


def test_namespace_and_pod_selector_in_one_peer_mean_and_in_two_peers_mean_or() -> None:
    both = _policy("default", {"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"user": "alice"}},
         "podSelector": {"matchLabels": {"role": "client"}}}]}]})  # fmt: skip
    either = _policy("default", {"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"user": "alice"}}},
        {"podSelector": {"matchLabels": {"role": "client"}}}]}]})  # fmt: skip
    alice_client = Pod("alice", {"role": "client"})
    alice_other = Pod("alice", {"role": "server"})
    local_client = Pod("default", {"role": "client"})
    target = Pod("default", {"app": "x"})
    with_and = _network(both, alice={"user": "alice"})
    with_or = _network(either, alice={"user": "alice"})
    assert with_and.allows(alice_client, target, 80)
    assert not with_and.allows(alice_other, target, 80)
    assert not with_and.allows(local_client, target, 80)
    assert with_or.allows(alice_other, target, 80) and with_or.allows(local_client, target, 80)


def test_default_deny_and_allow_all_examples() -> None:
    deny_ingress = _policy("default", {"podSelector": {}, "policyTypes": ["Ingress"]})
    allow_ingress = _policy("default", {"podSelector": {}, "ingress": [{}],
                                        "policyTypes": ["Ingress"]})  # fmt: skip
    deny_egress = _policy("default", {"podSelector": {}, "policyTypes": ["Egress"]})
    allow_egress = _policy("default", {"podSelector": {}, "egress": [{}],
                                       "policyTypes": ["Egress"]})  # fmt: skip
    deny_all = _policy("default", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
    pod, other = Pod("default", {"app": "a"}), Pod("elsewhere")
    assert not _network(deny_ingress).allows(other, pod, 80)
    assert _network(deny_ingress).allows(pod, other, 80)  # egress untouched
    assert _network(deny_ingress, allow_ingress).allows(other, pod, 80)  # policies add up
    assert not _network(deny_egress).allows(pod, other, 80)
    assert _network(deny_egress, allow_egress).allows(pod, Address("8.8.8.8"), 53, "UDP")
    assert not _network(deny_all).allows(pod, other, 80)
    assert not _network(deny_all).allows(other, pod, 80)


def test_port_range_example_with_end_port() -> None:
    ranged = _policy("default", {"podSelector": {"matchLabels": {"role": "db"}},
                                 "policyTypes": ["Egress"],
                                 "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}],
                                             "ports": [{"protocol": "TCP", "port": 32000,
                                                        "endPort": 32768}]}]})  # fmt: skip
    network = _network(ranged)
    assert network.allows(DB, Address("10.0.0.1"), 32000)
    assert network.allows(DB, Address("10.0.0.1"), 32768)
    assert not network.allows(DB, Address("10.0.0.1"), 32769)
    assert not network.allows(DB, Address("10.0.0.1"), 31999)


def test_targeting_a_namespace_by_its_name_label() -> None:
    by_name = _policy("default", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
        {"to": [{"namespaceSelector": {"matchLabels": {
            "kubernetes.io/metadata.name": "kube-system"}}}]}]})  # fmt: skip
    network = _network(by_name)
    assert network.allows(Pod("default"), Pod("kube-system", {"k8s-app": "kube-dns"}), 53, "UDP")
    assert not network.allows(Pod("default"), Pod("kube-public"), 53, "UDP")


def test_named_ports_match_the_destination_container_port() -> None:
    named = _policy("default", {"podSelector": {}, "ingress": [{"ports": [{"port": "metrics"}]}]})
    exporter = Pod("default", {"app": "e"}, {"metrics": 9187})
    assert _network(named).allows(Pod("monitoring"), exporter, 9187)
    assert not _network(named).allows(Pod("monitoring"), exporter, 5432)


def test_a_named_port_in_an_egress_rule_is_the_destination_pods_port() -> None:
    scrape = _policy("monitoring", {"podSelector": {}, "policyTypes": ["Egress"],
                                    "egress": [{"ports": [{"port": "metrics"}]}]})  # fmt: skip
    exporter = Pod("default", {"app": "e"}, {"metrics": 9187})
    assert _network(scrape).allows(Pod("monitoring"), exporter, 9187)
    assert not _network(scrape).allows(Pod("monitoring"), exporter, 5432)
    assert not _network(scrape).allows(Pod("monitoring"), Address("10.0.0.1"), 9187)


def test_policy_types_default_like_the_api_server() -> None:
    assert policy_types({"spec": {"podSelector": {}}}) == ["Ingress"]
    assert policy_types({"spec": {"podSelector": {}, "egress": []}}) == ["Ingress", "Egress"]


@pytest.mark.parametrize(
    ("expression", "labels", "expected"),
    [
        ({"key": "tier", "operator": "In", "values": ["a", "b"]}, {"tier": "a"}, True),
        ({"key": "tier", "operator": "In", "values": ["a"]}, {}, False),
        ({"key": "tier", "operator": "In", "values": ["a"]}, {"tier": "b"}, False),
        ({"key": "tier", "operator": "NotIn", "values": ["a"]}, {"tier": "b"}, True),
        ({"key": "tier", "operator": "NotIn", "values": ["a", "b"]}, {"tier": "b"}, False),
        ({"key": "tier", "operator": "NotIn", "values": ["a"]}, {}, True),
        ({"key": "tier", "operator": "Exists"}, {"tier": "x"}, True),
        ({"key": "tier", "operator": "DoesNotExist"}, {"tier": "x"}, False),
    ],
)
def test_match_expressions(expression: dict[str, Any], labels: dict[str, str],
                           expected: bool) -> None:  # fmt: skip
    assert selects({"matchExpressions": [expression]}, labels) is expected
