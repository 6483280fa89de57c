"""What a platform component is: everything about one part of the platform, in one place.

A component owns its spec section (a Pydantic model under one top-level key of
``specs/``), the objects it renders (``apps/<name>/base``), the charts it
installs, the pods it causes (so the budget can count them), the endpoints it
serves and the connections it needs (so the NetworkPolicies can be derived),
its ArgoCD sync wave, and how it is watched: the metrics it exports, its alerts
and recording rules, its dashboards (``generator.components.observability``).
The generic code — the pipeline, ``argocd``, monitoring, the CLI — only ever
talks to components through this interface and the ordered registry in
``generator.components``.
"""

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from generator.components.observability import Alert, Dashboard, Metric, Rule
from generator.manifests import argocd
from generator.manifests.objects import Manifest
from generator.manifests.reservations import (
    INERT_KINDS,
    WORKLOAD_KINDS,
    BudgetError,
    Footprint,
    chart_footprints,
    name_of,
    workload_footprints,
)
from generator.spec.helm import HelmRelease
from generator.spec.network import Flow
from generator.spec.platform import PlatformSpec

S = TypeVar("S")
PodCounter = Callable[[Manifest, Sequence[Manifest]], Iterator[Footprint]]

# CRs whose CRDs arrive with an operator chart in an earlier wave: a dry run
# before that chart has synced would fail on the unknown kind.
CUSTOM_RESOURCE_OPTIONS = ("SkipDryRunOnMissingResource=true",)


@dataclass(frozen=True)
class Endpoint:
    """Pods of a component that accept connections on some TCP ports."""

    component: str
    name: str
    namespace: str
    pods: Mapping[str, str]
    ports: tuple[int, ...]

    @property
    def reference(self) -> str:
        """How a spec refers to it: ``<component>.<endpoint>``."""
        return f"{self.component}.{self.name}"


@dataclass(frozen=True)
class MetricsEndpoint:
    """A port Prometheus scrapes, and the metric names worth keeping from it.

    ``component`` becomes the target label ``streamflow_component`` — the label
    every rule and panel selects on, in the cluster and in the local stack alike.
    ``service``: the port is on a Service with the ``pods`` labels (ServiceMonitor);
    otherwise only on pods (PodMonitor). ``keep``: if set, the only metric names
    kept from this target (high-cardinality series nobody reads are dropped).
    """

    component: str
    name: str
    namespace: str
    pods: Mapping[str, str]
    port: str
    number: int
    path: str = "/metrics"
    service: bool = False
    keep: tuple[str, ...] = ()

    def as_endpoint(self) -> Endpoint:
        """The same port as a network endpoint, for the scraper's connection."""
        return Endpoint(self.component, self.name, self.namespace, self.pods, (self.number,))


@dataclass(frozen=True)
class Connection:
    """A connection the platform needs: from pods of one namespace to an endpoint."""

    name: str
    source: str
    destination: Endpoint
    reason: str
    source_pods: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiClient:
    """Pods that call the Kubernetes API (operators, Flink's JobManager)."""

    namespace: str
    pods: Mapping[str, str]


@dataclass(frozen=True)
class WebhookServer:
    """Pods the Kubernetes API server calls: admission or conversion webhooks."""

    namespace: str
    pods: Mapping[str, str]
    port: int


class Component(Generic[S]):
    """One platform component; subclasses set the class attributes and override what applies.

    ``name`` is its ArgoCD Application and ``apps/<name>`` directory, ``key`` its
    top-level section in ``specs/`` (None when it has none) validated by
    ``model``. ``pod_counters`` map each custom kind it renders that makes an
    operator create pods to the function that counts them; ``inert_kinds`` are
    the custom kinds it renders that create none. Any other kind fails the budget.
    """

    name: ClassVar[str]
    key: ClassVar[str | None] = None
    model: ClassVar[Any] = None
    required: ClassVar[bool] = True
    wave: ClassVar[int]
    sync_options: ClassVar[tuple[str, ...]] = ()
    pod_counters: ClassVar[Mapping[str, PodCounter]] = {}
    inert_kinds: ClassVar[frozenset[str]] = frozenset()

    def section(self, spec: PlatformSpec) -> S:
        """The component's part of the validated spec."""
        if self.key is None:
            raise TypeError(f"component {self.name!r} has no spec section")
        value: S = getattr(spec, self.key)
        return value

    def namespace(self, spec: PlatformSpec) -> str | None:
        """Destination namespace of its Application: its section's ``namespace``, if any."""
        if self.key is None:
            return None
        namespace = getattr(self.section(spec), "namespace", None)
        return namespace if isinstance(namespace, str) else None

    def namespaces_used(self, spec: PlatformSpec) -> dict[tuple[str | int, ...], str]:
        """Spec field path → namespace, for every namespace the section names."""
        namespace = self.namespace(spec)
        if namespace is None or self.key is None:
            return {}
        return {(self.key, "namespace"): namespace}

    def manifests(self, platform: "Platform") -> list[Manifest]:
        """Objects of ``apps/<name>/base`` (none: no kustomize Application)."""
        return []

    def charts(self, platform: "Platform") -> list[HelmRelease]:
        """Helm releases this component installs, each its own Application."""
        return []

    def chart_field(self, release: HelmRelease) -> tuple[str | int, ...]:
        """Where a release of ``charts()`` sits in the spec, for error messages."""
        return (self.key or self.name, release.name)

    def endpoints(self, platform: "Platform") -> list[Endpoint]:
        """Endpoints it serves, by name; other components connect to them."""
        return []

    def connections(self, platform: "Platform") -> list[Connection]:
        """Connections its pods need (to other components' endpoints)."""
        return []

    def api_clients(self, platform: "Platform") -> list[ApiClient]:
        """Its pods that talk to the Kubernetes API: by default, what its charts declare."""
        return [
            ApiClient(release.namespace, pods)
            for release in self.charts(platform)
            for pods in release.api_server_clients
        ]

    def webhook_servers(self, platform: "Platform") -> list[WebhookServer]:
        """Its pods the API server calls: by default, the webhooks its charts declare."""
        return [
            WebhookServer(release.namespace, webhook.pods, webhook.port)
            for release in self.charts(platform)
            for webhook in release.webhooks
        ]

    def metrics_endpoints(self, platform: "Platform") -> list[MetricsEndpoint]:
        """Ports Prometheus scrapes: by default, each chart's, named after its release."""
        return [
            MetricsEndpoint(release.name, m.name, release.namespace, m.pods, m.port, m.number,
                            m.path, m.service)
            for release in self.charts(platform)
            for m in release.metrics
        ]  # fmt: skip

    def metric_catalogue(self) -> tuple[Metric, ...]:
        """Metric names its targets export that its (or the pipeline's) rules and panels use."""
        return ()

    def alerts(self, platform: "Platform") -> list[Alert]:
        """Its alert rules, with thresholds from its own spec section."""
        return []

    def recording_rules(self, platform: "Platform") -> list[Rule]:
        """Series it records for its alerts and panels to read."""
        return []

    def dashboards(self, platform: "Platform") -> list[Dashboard]:
        """Its Grafana dashboards."""
        return []

    def render(self, platform: "Platform") -> "Rendered":
        """Its objects, its charts and the ArgoCD Applications that sync them."""
        spec = platform.spec
        manifests = self.manifests(platform)
        applications = []
        if manifests:
            applications.append(
                argocd.kustomize_application(
                    spec,
                    self.name,
                    wave=self.wave,
                    namespace=self.namespace(spec),
                    options=self.sync_options,
                )
            )
        charts = [(r, argocd.helm_application(spec, r)) for r in self.charts(platform)]
        applications.extend(application for _, application in charts)
        return Rendered(self, manifests, applications, charts)

    def footprints(self, rendered: "Rendered", nodes: int) -> Iterator[Footprint]:
        """Pods its objects and charts cause; anything that may create pods uncounted fails."""
        for manifest in rendered.manifests:
            yield from self._tagged(self._manifest_footprints(manifest, rendered.manifests, nodes))
        for release, application in rendered.charts:
            if not release.pods:
                raise BudgetError(
                    f"component {self.name}: Helm release {release.name!r} declares no pods; "
                    "list every pod its chart creates (helm_releases[].pods) so the budget "
                    "can count it"
                )
            values = application["spec"]["source"]["helm"]["valuesObject"]
            yield from self._tagged(chart_footprints(release, values, nodes))

    def _manifest_footprints(
        self, manifest: Manifest, manifests: Sequence[Manifest], nodes: int
    ) -> Iterator[Footprint]:
        kind = manifest["kind"]
        if kind in WORKLOAD_KINDS:
            return workload_footprints(manifest, nodes)
        if kind in self.pod_counters:
            return self.pod_counters[kind](manifest, manifests)
        if kind in INERT_KINDS or kind in self.inert_kinds:
            return iter(())
        namespace, name = name_of(manifest)
        raise BudgetError(
            f"component {self.name}: {kind} {namespace}/{name} may create pods and nothing "
            f"counts them; give {type(self).__name__} a pod counter for {kind} (or list it in "
            "inert_kinds if it creates none)"
        )

    def _tagged(self, found: Iterator[Footprint]) -> Iterator[Footprint]:
        for footprint in found:
            if footprint.application:
                yield dataclasses.replace(footprint, component=self.name)
            else:  # its objects sync in this component's own Application
                yield dataclasses.replace(
                    footprint, component=self.name, application=self.name, sync_wave=self.wave
                )


@dataclass(frozen=True)
class Rendered:
    """What one component rendered for one environment."""

    component: "Component[Any]"
    manifests: list[Manifest]
    applications: list[Manifest]
    charts: list[tuple[HelmRelease, Manifest]]


Registry = tuple[Component[Any], ...]


def _flow_connection(flow: Flow, endpoints: Mapping[str, Endpoint]) -> Connection:
    """A spec flow: to a component's endpoint by reference, or to explicit pods and ports."""
    if flow.to is not None:
        destination = endpoints[flow.to]
    else:
        assert flow.destination is not None  # the Flow model requires one of the two
        destination = Endpoint(
            "", flow.name, flow.destination, dict(flow.destination_pods), tuple(flow.ports)
        )
    return Connection(flow.name, flow.source, destination, flow.reason)


@dataclass(frozen=True)
class Platform:
    """One environment's validated spec together with the components that render it."""

    spec: PlatformSpec
    registry: Registry

    def endpoints(self) -> dict[str, Endpoint]:
        """Every endpoint of every component, by ``<component>.<endpoint>``."""
        return {e.reference: e for c in self.registry for e in c.endpoints(self)}

    def connections(self) -> list[Connection]:
        """Every connection: what components declare plus the spec's own flows."""
        declared = [c for component in self.registry for c in component.connections(self)]
        endpoints = self.endpoints()
        return declared + [_flow_connection(flow, endpoints) for flow in self.spec.network.flows]

    def api_clients(self) -> list[ApiClient]:
        """Every pod selector that needs the Kubernetes API."""
        return [client for c in self.registry for client in c.api_clients(self)]

    def webhook_servers(self) -> list[WebhookServer]:
        """Every pod selector the API server calls."""
        return [server for c in self.registry for server in c.webhook_servers(self)]

    def metrics_endpoints(self) -> list[MetricsEndpoint]:
        """Every scrape target of every component."""
        return [e for c in self.registry for e in c.metrics_endpoints(self)]

    def metric_catalogue(self) -> dict[str, Metric]:
        """Every catalogued metric of every component, by name."""
        return {m.name: m for c in self.registry for m in c.metric_catalogue()}

    def alerts(self) -> list[Alert]:
        """Every component's alerts, in registry order."""
        return [alert for c in self.registry for alert in c.alerts(self)]

    def recording_rules(self) -> list[Rule]:
        """Every component's recording rules, in registry order."""
        return [rule for c in self.registry for rule in c.recording_rules(self)]

    def dashboards(self) -> list[Dashboard]:
        """Every component's dashboards."""
        return [board for c in self.registry for board in c.dashboards(self)]
