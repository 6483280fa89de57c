"""Kubernetes NetworkPolicy semantics, for checking rendered policies without a cluster.

A connection is allowed when the source's egress and the destination's ingress
both allow it. A pod is isolated in a direction when some policy of its
namespace selects it and lists that direction in ``policyTypes``; an isolated
pod accepts only what one of those policies' rules allows (policies add up,
none subtracts). A rule matches when one of its peers and one of its ports
match; an empty or missing list matches everything. Peers: ``podSelector``
(pods of the policy's namespace), ``namespaceSelector`` (all pods of the
matching namespaces), both in one peer (those pods in those namespaces),
``ipBlock`` (addresses outside the pod network, minus ``except``). Ports: number
or container-port name, ``endPort`` ranges, protocol TCP unless stated.
Upstream reference: https://kubernetes.io/docs/concepts/services-networking/network-policies/
"""

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

NAMESPACE_NAME = "kubernetes.io/metadata.name"
Policy = Mapping[str, Any]


@dataclass(frozen=True)
class Pod:
    """A pod: its namespace, labels and named container ports."""

    namespace: str
    labels: Mapping[str, str] = field(default_factory=dict)
    named_ports: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Address:
    """An address outside the pod network (a node, the API server, the internet)."""

    ip: str


Peer = Pod | Address


def _holds(expression: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """One ``matchExpressions`` entry: In, NotIn, Exists or DoesNotExist."""
    key, operator = expression["key"], expression["operator"]
    value = labels.get(key)
    outcomes = {
        "In": value is not None and value in expression.get("values", []),
        "NotIn": value is None or value not in expression.get("values", []),
        "Exists": value is not None,
        "DoesNotExist": value is None,
    }
    return outcomes[operator]


def selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A LabelSelector against labels; ``{}`` selects everything."""
    if selector is None:
        return True
    return all(
        labels.get(key) == value for key, value in selector.get("matchLabels", {}).items()
    ) and all(_holds(expression, labels) for expression in selector.get("matchExpressions", []))


def policy_types(policy: Policy) -> list[str]:
    """``policyTypes``, defaulted as the API server does."""
    spec = policy["spec"]
    if "policyTypes" in spec:
        return list(spec["policyTypes"])
    return ["Ingress", *(["Egress"] if "egress" in spec else [])]


@dataclass(frozen=True)
class Network:
    """The policies of a cluster and its namespaces' labels."""

    policies: Sequence[Policy]
    namespace_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def _labels_of(self, namespace: str) -> Mapping[str, str]:
        return {NAMESPACE_NAME: namespace, **self.namespace_labels.get(namespace, {})}

    def _peer_matches(self, peer: Mapping[str, Any], policy_namespace: str, other: Peer) -> bool:
        if "ipBlock" in peer:
            if not isinstance(other, Address):
                return False
            ip = ipaddress.ip_address(other.ip)
            block = peer["ipBlock"]
            excepted = any(ip in ipaddress.ip_network(e) for e in block.get("except", []))
            return ip in ipaddress.ip_network(block["cidr"]) and not excepted
        if not isinstance(other, Pod):
            return False
        if "namespaceSelector" in peer:
            namespace_ok = selects(peer["namespaceSelector"], self._labels_of(other.namespace))
        else:
            namespace_ok = other.namespace == policy_namespace
        return namespace_ok and selects(peer.get("podSelector"), other.labels)

    @staticmethod
    def _port_matches(entry: Mapping[str, Any], target: Peer, port: int, protocol: str) -> bool:
        if entry.get("protocol", "TCP") != protocol:
            return False
        wanted = entry.get("port")
        if wanted is None:
            return True
        if isinstance(wanted, str):
            return isinstance(target, Pod) and target.named_ports.get(wanted) == port
        return bool(wanted <= port <= entry.get("endPort", wanted))

    def _admits(self, pod: Pod, direction: str, other: Peer, target: Peer, *, port: int,
                protocol: str) -> bool:  # fmt: skip
        """Whether ``pod``'s policies in ``direction`` let ``other`` through to ``target``."""
        peers_key = "to" if direction == "Egress" else "from"
        selecting = [
            policy for policy in self.policies
            if policy["metadata"]["namespace"] == pod.namespace
            and direction in policy_types(policy)
            and selects(policy["spec"]["podSelector"], pod.labels)  # required by the API
        ]  # fmt: skip
        if not selecting:
            return True
        for policy in selecting:
            for rule in policy["spec"].get(direction.lower()) or []:
                peers = rule.get(peers_key) or [{}]
                ports = rule.get("ports") or [{"protocol": protocol}]
                peer_ok = any(
                    not peer or self._peer_matches(peer, pod.namespace, other) for peer in peers
                )
                if peer_ok and any(self._port_matches(p, target, port, protocol) for p in ports):
                    return True
        return False

    def allows(self, source: Peer, destination: Peer, port: int, protocol: str = "TCP") -> bool:
        """Source egress and destination ingress both allow ``port``/``protocol``."""
        egress = not isinstance(source, Pod) or self._admits(
            source, "Egress", destination, destination, port=port, protocol=protocol
        )
        ingress = not isinstance(destination, Pod) or self._admits(
            destination, "Ingress", source, destination, port=port, protocol=protocol
        )
        return egress and ingress
