"""PostgreSQL: a CloudNativePG cluster holding the ``bronze``/``silver``/``gold`` warehouse.

CloudNativePG's operator (a chart release, wave 1) creates the instance pods
and the app user's Secret; other components reach the database through this
component's ``sql`` endpoint, host and JDBC URL, never through repeated names.
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
from generator.components.observability import Alert, Metric
from generator.components.postgres import manifests, observability
from generator.components.postgres.spec import PostgresSpec
from generator.manifests.objects import Manifest
from generator.manifests.reservations import Footprint, container_reservation, name_of
from generator.spec.platform import PlatformSpec


def _instance_pods(manifest: Manifest, _: Sequence[Manifest]) -> Iterator[Footprint]:
    namespace, name = name_of(manifest)
    spec = manifest["spec"]
    pod = container_reservation(spec.get("resources"), f"Cluster/{name}")
    yield Footprint(namespace, name, "Cluster", spec.get("instances", 1), pod)


class Postgres(Component[PostgresSpec]):
    """The warehouse: Flink's JDBC sinks write bronze, dbt builds silver and gold."""

    name = "postgres"
    key = "postgres"
    model = PostgresSpec
    wave = 2
    sync_options = CUSTOM_RESOURCE_OPTIONS
    pod_counters: ClassVar[Mapping[str, PodCounter]] = {"Cluster": _instance_pods}
    inert_kinds = frozenset({"Database", "ScheduledBackup"})

    def jdbc_url(self, spec: PlatformSpec) -> str:
        """What the Flink jobs pass as ``--jdbc-url``."""
        return manifests.jdbc_url(self.section(spec))

    def primary_host(self, spec: PlatformSpec) -> str:
        """Host name of the read-write Service."""
        return manifests.primary_host(self.section(spec))

    def sql(self, spec: PlatformSpec) -> Endpoint:
        """``postgres.sql``: the instances' PostgreSQL port."""
        pg = self.section(spec)
        return Endpoint(
            self.name, "sql", pg.namespace, manifests.instance_pods(pg), (manifests.PORT,)
        )

    def endpoints(self, platform: Platform) -> list[Endpoint]:
        """Its one endpoint, the SQL port."""
        return [self.sql(platform.spec)]

    def api_clients(self, platform: Platform) -> list[ApiClient]:
        """Instance managers watch their Cluster and Secrets through the API."""
        pg = self.section(platform.spec)
        return [ApiClient(pg.namespace, manifests.instance_pods(pg))]

    def metrics_endpoints(self, platform: Platform) -> list[MetricsEndpoint]:
        """Each instance's exporter: CloudNativePG's metrics and the freshness queries."""
        pg = self.section(platform.spec)
        return [
            MetricsEndpoint(self.name, "instances", pg.namespace, manifests.instance_pods(pg),
                            manifests.METRICS_PORT_NAME, manifests.METRICS_PORT)
        ]  # fmt: skip

    def manifests(self, platform: Platform) -> list[Manifest]:
        """Cluster, extra databases, the scheduled backup and the migration Job."""
        return manifests.render(self.section(platform.spec))

    def metric_catalogue(self) -> tuple[Metric, ...]:
        """CloudNativePG's exporter and the warehouse's freshness queries."""
        return observability.CATALOGUE

    def alerts(self, platform: Platform) -> list[Alert]:
        """An instance down, the volume filling."""
        return observability.alerts(self.name, self.section(platform.spec))


COMPONENT = Postgres()
