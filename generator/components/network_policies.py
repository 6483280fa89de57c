"""Default-deny NetworkPolicies plus allow rules derived from every component's needs.

Every namespace denies all ingress and egress, then allows: traffic between its
own pods, DNS to kube-system, the Kubernetes API for the pods components
declare as API clients (at its post-DNAT address, ``network.api_server``), the
API server's calls to the webhooks components serve, and each connection
(declared by a component, or a spec flow) on both ends — egress at the source,
ingress at the destination's pods — so neither side depends on the other's
defaults. ``generator.pipeline.connectivity`` proves the result against the
contract. Selectors and ports come from the component that serves the endpoint,
never from repeated strings.
"""

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from generator.components.base import Component, Connection, Platform
from generator.manifests.objects import Manifest, metadata, resource

API = "networking.k8s.io/v1"
NAMESPACE_NAME = "kubernetes.io/metadata.name"


def _policy(name: str, namespace: str, spec: dict[str, Any]) -> Manifest:
    return resource(API, "NetworkPolicy", metadata(name, namespace), spec=spec)


def _ports(ports: tuple[int, ...] | list[int], protocol: str = "TCP") -> list[dict[str, Any]]:
    return [{"port": port, "protocol": protocol} for port in ports]


def _selector(pods: Mapping[str, str]) -> dict[str, Any]:
    return {"matchLabels": dict(pods)} if pods else {}


def namespace_peer(namespace: str, pods: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A peer selecting a namespace by its name label (and optionally pods in it)."""
    peer: dict[str, Any] = {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME: namespace}}}
    if pods:
        peer["podSelector"] = {"matchLabels": dict(pods)}
    return peer


def _baseline(namespace: str) -> list[Manifest]:
    same_namespace: list[dict[str, Any]] = [{"podSelector": {}}]
    dns = {
        "to": [namespace_peer("kube-system", {"k8s-app": "kube-dns"})],
        "ports": _ports([53], "UDP") + _ports([53]),
    }
    both = ["Ingress", "Egress"]
    return [
        _policy("default-deny-all", namespace, {"podSelector": {}, "policyTypes": both}),
        _policy(
            "allow-same-namespace",
            namespace,
            {
                "podSelector": {},
                "policyTypes": both,
                "ingress": [{"from": same_namespace}],
                "egress": [{"to": same_namespace}],
            },
        ),
        _policy(
            "allow-dns-egress",
            namespace,
            {"podSelector": {}, "policyTypes": ["Egress"], "egress": [dns]},
        ),
    ]


def _connection(connection: Connection) -> list[Manifest]:
    destination = connection.destination
    egress = {
        "podSelector": _selector(connection.source_pods),
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [namespace_peer(destination.namespace, destination.pods)],
                "ports": _ports(destination.ports),
            }
        ],
    }
    ingress = {
        "podSelector": _selector(destination.pods),
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [namespace_peer(connection.source, connection.source_pods)],
                "ports": _ports(destination.ports),
            }
        ],
    }
    return [
        _policy(f"allow-{connection.name}-egress", connection.source, egress),
        _policy(f"allow-{connection.name}-ingress", destination.namespace, ingress),
    ]


def _webhook_ingress(name: str, namespace: str, pods: Mapping[str, str], sources: list[str],
                     port: int) -> Manifest:  # fmt: skip
    rule = {"from": [{"ipBlock": {"cidr": cidr}} for cidr in sources], "ports": _ports([port])}
    spec = {"podSelector": _selector(pods), "policyTypes": ["Ingress"], "ingress": [rule]}
    return _policy(name, namespace, spec)


def _ip_egress(
    name: str, namespace: str, pods: Mapping[str, str], cidr: str, ports: list[int]
) -> Manifest:
    rule = {"to": [{"ipBlock": {"cidr": cidr}}], "ports": _ports(ports)}
    spec = {"podSelector": _selector(pods), "policyTypes": ["Egress"], "egress": [rule]}
    return _policy(name, namespace, spec)


class NetworkPolicies(Component[Any]):
    """Reads every other component's endpoints, connections and API clients."""

    name = "network-policies"
    wave = 0

    def manifests(self, platform: Platform) -> list[Manifest]:
        """All NetworkPolicies of the platform."""
        spec = platform.spec
        manifests: list[Manifest] = []
        for declared in spec.namespaces:
            manifests.extend(_baseline(declared.name))
        api = spec.network.api_server
        by_namespace: dict[str, list[Mapping[str, str]]] = defaultdict(list)
        for client in platform.api_clients():
            if client.pods not in by_namespace[client.namespace]:
                by_namespace[client.namespace].append(client.pods)
        for namespace, selectors in sorted(by_namespace.items()):
            for index, pods in enumerate(selectors):
                name = f"allow-apiserver-egress-{index}"
                manifests.append(_ip_egress(name, namespace, pods, api.cidr, api.ports))
        webhooks: dict[str, int] = defaultdict(int)
        for server in platform.webhook_servers():
            name = f"allow-apiserver-webhook-ingress-{webhooks[server.namespace]}"
            webhooks[server.namespace] += 1
            manifests.append(_webhook_ingress(name, server.namespace, server.pods,
                                              api.webhook_sources, server.port))  # fmt: skip
        for connection in platform.connections():
            manifests.extend(_connection(connection))
        for egress in spec.network.external_egress:
            name = f"allow-{egress.name}-egress"
            manifests.append(
                _ip_egress(name, egress.namespace, egress.pods, egress.cidr, egress.ports)
            )
        return manifests


COMPONENT = NetworkPolicies()
