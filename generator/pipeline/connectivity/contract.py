"""What the platform's NetworkPolicies must allow and must deny, derived from the components.

The contract is a complete matrix over the pods the platform knows: for every
namespace, each pod selector the components declare there plus one pod nobody
declared (``UNLISTED``), against every endpoint and metrics port, the API
server, DNS and the internet, and from outside (the API server's webhook calls,
the internet) into every endpoint. A cell is *required* when a component or a
spec flow declares that connection, and *forbidden* otherwise — so a policy
that is too narrow (a required cell denied) and one that is too open (a
forbidden cell allowed) both fail. ``network.denied`` names connections that
must stay forbidden even if someone declares them later (the loader rejects
such a declaration).
"""

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from generator.components.base import Endpoint, Platform
from generator.pipeline.connectivity.policy import Address, Network, Peer, Pod, selects

# A pod no component declared: what an attacker's or a forgotten workload looks like.
UNLISTED = {"streamflow.io/contract": "unlisted-pod"}
# An address on the internet (TEST-NET-2, RFC 5737), for "reaches the internet".
INTERNET = "198.51.100.7"
INTERNET_PORTS = (80, 443)
DNS = Pod("kube-system", {"k8s-app": "kube-dns"})


@dataclass(frozen=True)
class Cell:
    """One connection the contract decides: from ``source`` to ``destination`` on one port."""

    source: Peer
    destination: Peer
    port: int
    protocol: str
    required: bool
    why: str

    def describe(self) -> str:
        """``ns{labels} -> ns{labels}:port/proto`` for a human."""
        return f"{_name(self.source)} -> {_name(self.destination)}:{self.port}/{self.protocol}"


def _name(peer: Peer) -> str:
    if isinstance(peer, Address):
        return peer.ip
    labels = ",".join(f"{k}={v}" for k, v in sorted(peer.labels.items()))
    return f"{peer.namespace}{{{labels}}}"


def representative(cidr: str) -> str:
    """An address inside ``cidr``: the internet probe if it fits, else the first host."""
    network = ipaddress.ip_network(cidr)
    if ipaddress.ip_address(INTERNET) in network:
        return INTERNET
    return str(network[0] if network.num_addresses == 1 else next(network.hosts()))


def _known_pods(platform: Platform, endpoints: list[Endpoint]) -> dict[str, list[Pod]]:
    """Per namespace: every declared pod selector as a pod, and the unlisted pod."""
    selectors: dict[str, list[Mapping[str, str]]] = {
        ns.name: [UNLISTED] for ns in platform.spec.namespaces
    }
    declared = [
        *((c.source, c.source_pods) for c in platform.connections()),
        *((c.namespace, c.pods) for c in platform.api_clients()),
        *((w.namespace, w.pods) for w in platform.webhook_servers()),
        *((e.namespace, e.pods) for e in endpoints),
        *((e.namespace, e.pods) for e in platform.spec.network.external_egress),
    ]
    for namespace, pods in declared:
        if namespace in selectors and pods and dict(pods) not in selectors[namespace]:
            selectors[namespace].append(dict(pods))
    return {ns: [Pod(ns, labels) for labels in found] for ns, found in selectors.items()}


def _endpoints(platform: Platform) -> list[Endpoint]:
    served = list(platform.endpoints().values())
    return served + [m.as_endpoint() for m in platform.metrics_endpoints()]


def _to_endpoints(
    platform: Platform, pods: Mapping[str, list[Pod]], endpoints: list[Endpoint]
) -> Iterator[Cell]:
    connections = platform.connections()
    for namespace, sources in pods.items():
        for source in sources:
            for endpoint in endpoints:
                if endpoint.namespace == namespace:
                    continue  # same-namespace traffic is always allowed (baseline)
                reasons = [
                    c.name for c in connections
                    if c.source == namespace and c.destination == endpoint
                    and selects({"matchLabels": dict(c.source_pods)}, source.labels)
                ]  # fmt: skip
                target = Pod(endpoint.namespace, endpoint.pods)
                for port in endpoint.ports:
                    why = ", ".join(reasons) or "not declared"
                    yield Cell(source, target, port, "TCP", bool(reasons), why)


def _to_outside(platform: Platform, pods: Mapping[str, list[Pod]]) -> Iterator[Cell]:
    api = platform.spec.network.api_server
    api_address = Address(representative(api.cidr))
    clients = platform.api_clients()
    external = platform.spec.network.external_egress
    for namespace, sources in pods.items():
        for source in sources:
            calls_api = any(
                c.namespace == namespace and selects({"matchLabels": dict(c.pods)}, source.labels)
                for c in clients
            )
            for port in api.ports:
                yield Cell(source, api_address, port, "TCP", calls_api, "API client" if calls_api
                           else "not an API client")  # fmt: skip
            for protocol in ("UDP", "TCP"):
                yield Cell(source, DNS, 53, protocol, True, "DNS")
            for port in INTERNET_PORTS:
                rules = [e.name for e in external
                         if e.namespace == namespace and port in e.ports
                         and selects({"matchLabels": dict(e.pods)}, source.labels)
                         and representative(e.cidr) == INTERNET]  # fmt: skip
                yield Cell(source, Address(INTERNET), port, "TCP", bool(rules),
                           ", ".join(rules) or "no external_egress rule")  # fmt: skip


def _from_outside(platform: Platform, endpoints: list[Endpoint]) -> Iterator[Cell]:
    api = platform.spec.network.api_server
    callers = [Address(representative(cidr)) for cidr in api.webhook_sources]
    webhooks = platform.webhook_servers()
    for endpoint in endpoints:
        target = Pod(endpoint.namespace, endpoint.pods)
        for port in endpoint.ports:
            yield Cell(Address(INTERNET), target, port, "TCP", False, "no ingress from outside")
            for caller in callers:
                yield Cell(caller, target, port, "TCP", False, "not a webhook port")
    for webhook in webhooks:
        target = Pod(webhook.namespace, webhook.pods)
        for caller in callers:
            yield Cell(caller, target, webhook.port, "TCP", True, "webhook")
        yield Cell(Address(INTERNET), target, webhook.port, "TCP", False, "webhook, internet")


def cells(platform: Platform) -> list[Cell]:
    """The whole matrix of one environment."""
    endpoints = _endpoints(platform)
    pods = _known_pods(platform, endpoints)
    return [
        *_to_endpoints(platform, pods, endpoints),
        *_to_outside(platform, pods),
        *_from_outside(platform, endpoints),
    ]


@dataclass(frozen=True)
class Verdict:
    """The matrix evaluated against the policies."""

    allowed: int
    denied: int
    violations: list[str]


def check(platform: Platform, network: Network) -> Verdict:
    """Evaluate every cell; a violation is a required cell denied or a forbidden one allowed."""
    allowed = denied = 0
    violations: list[str] = []
    for cell in cells(platform):
        verdict = network.allows(cell.source, cell.destination, cell.port, cell.protocol)
        allowed, denied = allowed + verdict, denied + (not verdict)
        if verdict != cell.required:
            wanted = "required but denied" if cell.required else "forbidden but allowed"
            violations.append(f"{cell.describe()}: {wanted} ({cell.why})")
    return Verdict(allowed, denied, violations)
