"""Network allow-lists layered on a default-deny policy in every namespace.

Components declare the connections their own pods need and the API-server
clients among them; the spec adds flows for pods no component models (chart
pods, scrapers). A flow names its destination by a component's endpoint
(``to: postgres.sql``), so pod selectors and ports are derived from the
component that owns them, or — for targets no component serves — by namespace,
pod labels and ports.
"""

from typing import Annotated

from pydantic import Field, model_validator

from generator.spec.common import FieldError, Name, StrictModel

Port = Annotated[int, Field(ge=1, le=65535)]
EndpointReference = Annotated[str, Field(pattern=r"^[a-z0-9-]+\.[a-z0-9-]+$")]


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
    cidr: str = "0.0.0.0/0"
    ports: list[Port] = Field(min_length=1)
    reason: str = Field(min_length=1)


class ApiServerAccess(StrictModel):
    """Where the Kubernetes API is reached (K3s serves it on 6443)."""

    cidr: str = "0.0.0.0/0"
    ports: list[Port] = Field(default_factory=lambda: [443, 6443])


class NetworkSpec(StrictModel):
    """Cross-namespace flows; same-namespace traffic and DNS are always allowed."""

    api_server: ApiServerAccess = Field(default_factory=ApiServerAccess)
    flows: list[Flow] = Field(default_factory=list)
    external_egress: list[ExternalEgress] = Field(default_factory=list)
