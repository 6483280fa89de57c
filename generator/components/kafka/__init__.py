"""Kafka: a Strimzi-managed cluster in KRaft mode and its topics.

Strimzi's cluster operator (a chart release, wave 1) creates the pods: one per
node-pool replica and the entity operator. This component renders the CRs that
cause them and counts those pods for the budget.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import ClassVar

from generator.components.base import (
    CUSTOM_RESOURCE_OPTIONS,
    ApiClient,
    Component,
    Endpoint,
    MetricsEndpoint,
    Platform,
    PodCounter,
)
from generator.components.kafka import manifests, observability
from generator.components.kafka.spec import KafkaSpec
from generator.components.observability import Alert, Dashboard, Metric
from generator.manifests.objects import Manifest
from generator.manifests.reservations import (
    Footprint,
    container_reservation,
    name_of,
    pod_reservation,
)
from generator.spec.platform import PlatformSpec


def _kafka_pods(manifest: Manifest, _: Sequence[Manifest]) -> Iterator[Footprint]:
    namespace, name = name_of(manifest)
    spec = manifest["spec"]
    operators = spec.get("entityOperator", {})
    containers = [
        {"name": role, "resources": operators[role].get("resources")}
        for role in ("topicOperator", "userOperator")
        if role in operators
    ]
    if containers:
        pod = pod_reservation({"containers": containers}, f"Kafka/{name}/entityOperator")
        yield Footprint(namespace, f"{name}-entity-operator", "Kafka", 1, pod)
    for extra in ("cruiseControl", "kafkaExporter"):
        if extra in spec:
            pod = container_reservation(spec[extra].get("resources"), f"Kafka/{name}/{extra}")
            yield Footprint(namespace, f"{name}-{extra}", "Kafka", 1, pod)


def _node_pool_pods(manifest: Manifest, _: Sequence[Manifest]) -> Iterator[Footprint]:
    namespace, name = name_of(manifest)
    spec = manifest["spec"]
    pod = container_reservation(spec.get("resources"), f"KafkaNodePool/{name}")
    yield Footprint(namespace, name, "KafkaNodePool", spec["replicas"], pod)


class Kafka(Component[KafkaSpec]):
    """The event backbone: every job reads and writes through its bootstrap endpoint."""

    name = "kafka"
    key = "kafka"
    model = KafkaSpec
    wave = 2
    sync_options = CUSTOM_RESOURCE_OPTIONS
    pod_counters: ClassVar[Mapping[str, PodCounter]] = {
        "Kafka": _kafka_pods,
        "KafkaNodePool": _node_pool_pods,
    }
    inert_kinds = frozenset({"KafkaTopic"})

    def bootstrap_address(self, spec: PlatformSpec) -> str:
        """What clients pass as ``--bootstrap-servers``."""
        return manifests.bootstrap_address(self.section(spec))

    def bootstrap(self, spec: PlatformSpec) -> Endpoint:
        """``kafka.bootstrap``: the brokers' plain listener."""
        kafka = self.section(spec)
        pods = manifests.cluster_pods(kafka)
        return Endpoint(self.name, "bootstrap", kafka.namespace, pods, (manifests.PLAIN_PORT,))

    def endpoints(self, platform: Platform) -> list[Endpoint]:
        """Its one endpoint, the bootstrap listener."""
        return [self.bootstrap(platform.spec)]

    def api_clients(self, platform: Platform) -> list[ApiClient]:
        """The entity operator reconciles KafkaTopics through the API."""
        kafka = self.section(platform.spec)
        return [ApiClient(kafka.namespace, manifests.entity_operator_pods(kafka))]

    def manifests(self, platform: Platform) -> list[Manifest]:
        """Kafka, node pools and topics; the listener admits exactly the connecting namespaces."""
        bootstrap = self.bootstrap(platform.spec)
        clients = [c.source for c in platform.connections() if c.destination == bootstrap]
        allowed = tuple(metric.name for metric in self.metric_catalogue())
        return manifests.render(self.section(platform.spec), clients, allowed)

    def metrics_endpoints(self, platform: Platform) -> list[MetricsEndpoint]:
        """The brokers' Strimzi metrics reporter (its allow-list already trims the names)."""
        kafka = self.section(platform.spec)
        return [
            MetricsEndpoint(self.name, "brokers", kafka.namespace, manifests.broker_pods(kafka),
                            manifests.METRICS_PORT_NAME, manifests.METRICS_PORT)
        ]  # fmt: skip

    def metric_catalogue(self) -> tuple[Metric, ...]:
        """What the brokers' reporter exports (and the only names it lets through)."""
        return observability.CATALOGUE

    def alerts(self, platform: Platform) -> list[Alert]:
        """A broker down, against the spec's broker count."""
        return observability.alerts(self.name, self.section(platform.spec))

    def dashboards(self, platform: Platform) -> list[Dashboard]:
        """Traffic per topic and partition health."""
        return [observability.dashboard(self.name)]


COMPONENT = Kafka()
