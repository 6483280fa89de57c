"""Default-deny NetworkPolicies plus the allow-lists declared in the spec.

Every namespace denies all ingress and egress, then allows: traffic between its
own pods, DNS to kube-system, the Kubernetes API for declared operator pods, and
each declared cross-namespace flow on both ends (egress at the source, ingress
at the destination) so neither side depends on the other's defaults.
"""

from typing import Any

from generator.render.objects import Manifest, metadata, resource
from generator.spec.network import Flow
from generator.spec.platform import PlatformSpec

API = "networking.k8s.io/v1"
NAMESPACE_NAME = "kubernetes.io/metadata.name"


def _policy(name: str, namespace: str, spec: dict[str, Any]) -> Manifest:
    return resource(API, "NetworkPolicy", metadata(name, namespace), spec=spec)


def _ports(ports: list[int], protocol: str = "TCP") -> list[dict[str, Any]]:
    return [{"port": port, "protocol": protocol} for port in ports]


def _namespace_peer(namespace: str, pods: dict[str, str] | None = None) -> dict[str, Any]:
    peer: dict[str, Any] = {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME: namespace}}}
    if pods:
        peer["podSelector"] = {"matchLabels": pods}
    return peer


def _baseline(namespace: str) -> list[Manifest]:
    same_namespace: list[dict[str, Any]] = [{"podSelector": {}}]
    dns = {
        "to": [_namespace_peer("kube-system", {"k8s-app": "kube-dns"})],
        "ports": _ports([53], "UDP") + _ports([53]),
    }
    return [
        _policy(
            "default-deny-all",
            namespace,
            {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
            },
        ),
        _policy(
            "allow-same-namespace",
            namespace,
            {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": same_namespace}],
                "egress": [{"to": same_namespace}],
            },
        ),
        _policy(
            "allow-dns-egress",
            namespace,
            {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [dns],
            },
        ),
    ]


def _flow(flow: Flow) -> list[Manifest]:
    egress = {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [_namespace_peer(flow.destination, flow.destination_pods)],
                "ports": _ports(flow.ports),
            }
        ],
    }
    ingress = {
        "podSelector": {"matchLabels": flow.destination_pods} if flow.destination_pods else {},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [_namespace_peer(flow.source)], "ports": _ports(flow.ports)}],
    }
    return [
        _policy(f"allow-{flow.name}-egress", flow.source, egress),
        _policy(f"allow-{flow.name}-ingress", flow.destination, ingress),
    ]


def render(spec: PlatformSpec) -> list[Manifest]:
    """All NetworkPolicies of the platform."""
    manifests: list[Manifest] = []
    for namespace in spec.namespaces:
        manifests.extend(_baseline(namespace.name))
    api = spec.network.api_server
    for client_namespace, selectors in api.clients.items():
        for index, selector in enumerate(selectors):
            manifests.append(
                _policy(
                    f"allow-apiserver-egress-{index}",
                    client_namespace,
                    {
                        "podSelector": {"matchLabels": selector} if selector else {},
                        "policyTypes": ["Egress"],
                        "egress": [
                            {"to": [{"ipBlock": {"cidr": api.cidr}}], "ports": _ports(api.ports)}
                        ],
                    },
                )
            )
    for flow in spec.network.flows:
        manifests.extend(_flow(flow))
    for egress in spec.network.external_egress:
        manifests.append(
            _policy(
                f"allow-{egress.name}-egress",
                egress.namespace,
                {
                    "podSelector": {"matchLabels": egress.pods},
                    "policyTypes": ["Egress"],
                    "egress": [
                        {"to": [{"ipBlock": {"cidr": egress.cidr}}], "ports": _ports(egress.ports)}
                    ],
                },
            )
        )
    return manifests
