"""Network allow-lists layered on a default-deny policy in every namespace."""

from typing import Annotated

from pydantic import Field

from generator.spec.common import Name, StrictModel

Port = Annotated[int, Field(ge=1, le=65535)]


class Flow(StrictModel):
    """Traffic allowed from pods of one namespace to selected pods of another."""

    name: Name
    source: Name
    destination: Name
    destination_pods: dict[str, str] = Field(default_factory=dict)
    ports: list[Port] = Field(min_length=1)
    reason: str = Field(min_length=1)


class ExternalEgress(StrictModel):
    """Egress leaving the cluster (e.g. an operator fetching job artifacts over HTTPS)."""

    name: Name
    namespace: Name
    pods: dict[str, str] = Field(min_length=1)
    cidr: str = "0.0.0.0/0"
    ports: list[Port] = Field(min_length=1)
    reason: str = Field(min_length=1)


class ApiServerAccess(StrictModel):
    """Pods that talk to the Kubernetes API (operators); K3s serves it on 6443."""

    cidr: str = "0.0.0.0/0"
    ports: list[Port] = Field(default_factory=lambda: [443, 6443])
    clients: dict[Name, list[dict[str, str]]] = Field(default_factory=dict)


class NetworkSpec(StrictModel):
    """Cross-namespace flows; same-namespace traffic and DNS are always allowed."""

    api_server: ApiServerAccess = Field(default_factory=ApiServerAccess)
    flows: list[Flow] = Field(default_factory=list)
    external_egress: list[ExternalEgress] = Field(default_factory=list)
