"""Flink: the three PyFlink jobs, run by the Flink Kubernetes Operator.

The operator (a chart release, wave 1) creates JobManager and TaskManager pods
from the ``FlinkDeployment``s rendered here; this component counts them (the
operator's memory and limit-factor rules, TaskManagers from parallelism and
slots) and wires the jobs to Kafka and PostgreSQL through those components.
"""

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from generator.components import kafka, postgres
from generator.components.base import (
    CUSTOM_RESOURCE_OPTIONS,
    ApiClient,
    Component,
    Connection,
    MetricsEndpoint,
    Platform,
    PodCounter,
)
from generator.components.flink import manifests, observability
from generator.components.flink.configuration import METRICS_PORT, python_memory_per_slot_mb
from generator.components.flink.spec import FlinkSpec
from generator.components.observability import Alert, Dashboard, Metric
from generator.manifests.objects import Manifest
from generator.manifests.reservations import (
    BudgetError,
    Footprint,
    Reservation,
    name_of,
    pod_reservation,
)
from generator.spec.quantity import QuantityError, flink_memory_bytes

MAIN_CONTAINER = "flink-main-container"


def _process(spec: dict[str, Any], role: str, config: dict[str, Any], where: str) -> Reservation:
    resource = spec[role]["resource"]
    short = "jobmanager" if role == "jobManager" else "taskmanager"
    memory_factor = float(config.get(f"kubernetes.{short}.memory.limit-factor", 1.0))
    cpu_factor = float(config.get(f"kubernetes.{short}.cpu.limit-factor", 1.0))
    try:
        memory = flink_memory_bytes(str(resource["memory"]))
    except QuantityError as error:
        raise BudgetError(f"{where}: {error}") from error
    cpu = round(float(resource["cpu"]) * 1000)
    main = {
        "name": MAIN_CONTAINER,
        "resources": {
            "requests": {"cpu": f"{cpu}m", "memory": str(memory)},
            "limits": {
                "cpu": f"{math.ceil(cpu * cpu_factor)}m",
                "memory": str(math.ceil(memory * memory_factor)),
            },
        },
    }
    template = spec.get("podTemplate", {}).get("spec", {})
    role_template = spec[role].get("podTemplate", {}).get("spec", {})
    extra = [
        c
        for t in (template, role_template)
        for c in t.get("containers", [])
        if c["name"] != MAIN_CONTAINER
    ]
    inits = [c for t in (template, role_template) for c in t.get("initContainers", [])]
    return pod_reservation({"containers": [main, *extra], "initContainers": inits}, where)


def _deployment_pods(manifest: Manifest, siblings: Sequence[Manifest]) -> Iterator[Footprint]:
    namespace, name = name_of(manifest)
    spec = manifest["spec"]
    config = spec.get("flinkConfiguration", {})
    where = f"FlinkDeployment/{name}"
    jobmanager = _process(spec, "jobManager", config, f"{where}/jobmanager")
    replicas = spec["jobManager"].get("replicas", 1)
    yield Footprint(namespace, f"{name}-jobmanager", "FlinkDeployment", replicas, jobmanager)
    slots = int(config.get("taskmanager.numberOfTaskSlots", 1))
    session_parallelism = sum(
        s["spec"]["job"].get("parallelism", 1)
        for s in siblings
        if s["kind"] == "FlinkSessionJob" and s["spec"]["deploymentName"] == name
    )
    parallelism = spec.get("job", {}).get("parallelism", session_parallelism)
    replicas = spec["taskManager"].get("replicas", math.ceil(parallelism / slots))
    taskmanager = _process(spec, "taskManager", config, f"{where}/taskmanager")
    yield Footprint(namespace, f"{name}-taskmanager", "FlinkDeployment", replicas, taskmanager)


class Flink(Component[FlinkSpec]):
    """Stream processing: reads Kafka, writes Kafka and the bronze tables."""

    name = "flink"
    key = "flink"
    model = FlinkSpec
    wave = 3
    sync_options = CUSTOM_RESOURCE_OPTIONS
    pod_counters: ClassVar[Mapping[str, PodCounter]] = {"FlinkDeployment": _deployment_pods}
    inert_kinds = frozenset({"FlinkSessionJob"})

    def connections(self, platform: Platform) -> list[Connection]:
        """The jobs consume and produce Kafka topics and write bronze through JDBC.

        Only Flink's own processes (the JobManager enumerates Kafka partitions,
        the TaskManagers read, write and sink), not the operator beside them.
        """
        spec = platform.spec
        source = self.section(spec).namespace
        return [
            Connection(
                "flink-to-kafka",
                source,
                kafka.COMPONENT.bootstrap(spec),
                "PyFlink jobs consume transactions.raw and produce alerts, metrics and DLQ records",
                manifests.PROCESS_PODS,
            ),
            Connection(
                "flink-to-postgres",
                source,
                postgres.COMPONENT.sql(spec),
                "JDBC sinks write bronze.raw_transactions and bronze.raw_fraud_alerts",
                manifests.PROCESS_PODS,
            ),
        ]

    def api_clients(self, platform: Platform) -> list[ApiClient]:
        """JobManagers and TaskManagers: Kubernetes HA (always on, ``configuration``).

        JobManagers create TaskManager pods and hold the leader ConfigMaps;
        TaskManagers watch those ConfigMaps to find the current leader.
        """
        namespace = self.section(platform.spec).namespace
        return [ApiClient(namespace, manifests.PROCESS_PODS)]

    def metrics_endpoints(self, platform: Platform) -> list[MetricsEndpoint]:
        """Flink's Prometheus reporter on every JobManager and TaskManager.

        Flink exports thousands of series per job (every operator, subtask and
        task metric); only the catalogued ones are kept.
        """
        namespace = self.section(platform.spec).namespace
        keep = tuple(metric.name for metric in self.metric_catalogue())
        return [
            MetricsEndpoint(self.name, "processes", namespace, manifests.PROCESS_PODS,
                            manifests.METRICS_PORT_NAME, METRICS_PORT, keep=keep)
        ]  # fmt: skip

    def manifests(self, platform: Platform) -> list[Manifest]:
        """Storage, RBAC, clusters, jobs and JobManager PDBs."""
        flink = self.section(platform.spec)
        wiring = manifests.Wiring(
            kafka.COMPONENT.bootstrap_address(platform.spec),
            postgres.COMPONENT.jdbc_url(platform.spec),
            python_memory_per_slot_mb(flink),
        )
        return manifests.render(flink, wiring)

    def reported_jobs(self, platform: Platform) -> tuple[str, ...]:
        """Every job's ``job_name`` as Flink's reporter exports it (the SLOs select them)."""
        return observability.reported_jobs(self.section(platform.spec))

    def metric_catalogue(self) -> tuple[Metric, ...]:
        """Flink's job and task metrics and the jobs' own: the only series the scrape keeps."""
        return observability.CATALOGUE

    def alerts(self, platform: Platform) -> list[Alert]:
        """Lagging, not running, not checkpointing, restarting."""
        return observability.alerts(self.section(platform.spec))

    def dashboards(self, platform: Platform) -> list[Dashboard]:
        """The jobs' processing, and what the fraud-detector decides."""
        return [observability.processing(), observability.fraud()]


COMPONENT = Flink()
