"""Network allow-lists layered on a default-deny policy in every namespace.

Components declare the connections their own pods need and the API-server
clients among them; the spec adds flows for pods no component models (chart
pods, scrapers). A flow names its destination by a component's endpoint
(``to: postgres.sql``), so pod selectors and ports are derived from the
component that owns them, or — for targets no component serves — by namespace,
pod labels and ports.
"""

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from generator.spec.common import FieldError, Name, StrictModel

Port = Annotated[int, Field(ge=1, le=65535)]
EndpointReference = Annotated[str, Field(pattern=r"^[a-z0-9-]+\.[a-z0-9-]+$")]
# Narrower than this is one site's address range, wider is "anywhere".
NARROWEST_INTERNAL_PREFIX = 8


def _network(value: str) -> str:
    """An IPv4/IPv6 network in CIDR notation; ``ip_network`` is strict: host bits must be zero."""
    return str(ipaddress.ip_network(value))


def _internal_network(value: str) -> str:
    network = ipaddress.ip_network(_network(value))
    if network.prefixlen < NARROWEST_INTERNAL_PREFIX:
        raise ValueError(
            f"{value} is wider than /{NARROWEST_INTERNAL_PREFIX}: the API server is a few "
            "node addresses, not the internet (external HTTPS is an external_egress rule)"
        )
    return str(network)


Cidr = Annotated[str, AfterValidator(_network)]
InternalCidr = Annotated[str, AfterValidator(_internal_network)]


class Flow(StrictModel):
    """Traffic allowed from pods of one namespace to an endpoint or to explicit pods."""

    name: Name
    source: Name
    to: EndpointReference | None = None
    destination: Name | None = None
    destination_pods: dict[str, str] = Field(default_factory=dict)
    ports: list[Port] = Field(default_factory=list)
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_destination(self) -> "Flow":
        explicit = self.destination is not None or self.ports or self.destination_pods
        if self.to is not None and explicit:
            raise FieldError(
                "give either `to` (a component endpoint) or destination/ports, not both",
                ("to",),
            )
        if self.to is None and (self.destination is None or not self.ports):
            raise FieldError(
                "needs `to: <component>.<endpoint>` or both destination and ports",
                ("destination",),
                ("ports",),
            )
        return self


class ExternalEgress(StrictModel):
    """Egress leaving the cluster (e.g. an operator fetching job artifacts over HTTPS)."""

    name: Name
    namespace: Name
    pods: dict[str, str] = Field(min_length=1)
    cidr: Cidr = "0.0.0.0/0"
    ports: list[Port] = Field(min_length=1)
    reason: str = Field(min_length=1)


class ApiServerAccess(StrictModel):
    """Where pods reach the Kubernetes API, and where its calls to webhooks come from.

    NetworkPolicies see a connection after kube-proxy's DNAT: a pod calling the
    ``kubernetes`` Service (443) is checked against the API server's own address
    and port (K3s: the server nodes, 6443). The API server calls admission
    webhooks from the node it runs on; on K3s with flannel a call to a pod on the
    same node leaves through the node's bridge, so its source is that node's
    pod-network gateway (``10.42.<n>.1``), and from other nodes the node address.
    """

    cidr: InternalCidr
    ports: list[Port] = Field(default_factory=lambda: [6443], min_length=1)
    webhook_sources: list[InternalCidr] = Field(min_length=1)


class NetworkSpec(StrictModel):
    """Cross-namespace flows; same-namespace traffic and DNS are always allowed."""

    api_server: ApiServerAccess
    flows: list[Flow] = Field(default_factory=list)
    external_egress: list[ExternalEgress] = Field(default_factory=list)
    # Connections that must stay impossible, whatever is declared later (the
    # connectivity contract fails a render that declares or allows one).
    denied: list[Flow] = Field(default_factory=list)
