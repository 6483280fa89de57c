"""Memory-request budget: what the scheduler will reserve, per environment.

The count is taken from rendered output, not from the spec's intentions: plain
workloads from their pod templates; operator-created pods from the CRs that
cause them (Strimzi node pools and entity operator, Flink JobManagers and
TaskManagers, CNPG instances); chart pods from the Helm values written into the
ArgoCD Applications. A pod reserves its *effective* request: the larger of its
init phase (each init container plus the native sidecars started before it)
and its running phase (app containers plus sidecars), times its replicas.
Jobs are transient: the check allows the steady state plus the largest of them.
ArgoCD and K3s's own system pods are not counted (docs/adr/0005-budget.md).
"""

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.render.objects import Manifest
from generator.spec.quantity import (
    QuantityError,
    cpu_millicores,
    flink_memory_bytes,
    format_cpu,
    format_memory,
    memory_bytes,
)
from generator.spec.values_path import get_path

if TYPE_CHECKING:
    from generator.tree import Environment


class BudgetError(Exception):
    """Over budget, or a workload whose reservation cannot be known."""


@dataclass(frozen=True)
class Reservation:
    """CPU (millicores) and memory (bytes) requests and limits of one pod."""

    cpu_request: int = 0
    memory_request: int = 0
    cpu_limit: int = 0
    memory_limit: int = 0

    def __add__(self, other: "Reservation") -> "Reservation":
        return Reservation(*(a + b for a, b in zip(self._tuple(), other._tuple(), strict=True)))

    def larger(self, other: "Reservation") -> "Reservation":
        """Dimension-wise maximum, as the scheduler combines init and run phases."""
        return Reservation(*(max(a, b) for a, b in zip(self._tuple(), other._tuple(), strict=True)))

    def times(self, count: int) -> "Reservation":
        """The reservation of ``count`` identical pods."""
        return Reservation(*(value * count for value in self._tuple()))

    def _tuple(self) -> tuple[int, int, int, int]:
        return self.cpu_request, self.memory_request, self.cpu_limit, self.memory_limit


@dataclass(frozen=True)
class Footprint:
    """One workload: its pods and what each reserves."""

    namespace: str
    workload: str
    kind: str
    replicas: int
    pod: Reservation
    transient: bool = False

    @property
    def total(self) -> Reservation:
        """All replicas together."""
        return self.pod.times(self.replicas)


@dataclass(frozen=True)
class Report:
    """Every footprint of one environment against its budget."""

    environment: str
    budget: int
    footprints: list[Footprint]

    @property
    def steady(self) -> Reservation:
        """Sum over long-running workloads."""
        return sum((f.total for f in self.footprints if not f.transient), Reservation())

    @property
    def peak_memory(self) -> int:
        """Steady memory plus the largest transient workload (a migration Job)."""
        transient = [f.total.memory_request for f in self.footprints if f.transient]
        return self.steady.memory_request + max(transient, default=0)


def container_reservation(resources: Any, where: str) -> Reservation:
    """Requests and limits of one container; both are mandatory on this platform."""
    if not isinstance(resources, dict) or "requests" not in resources or "limits" not in resources:
        raise BudgetError(f"{where}: needs resources.requests and resources.limits")
    try:
        requests, limits = resources["requests"], resources["limits"]
        return Reservation(
            cpu_millicores(str(requests["cpu"])),
            memory_bytes(str(requests["memory"])),
            cpu_millicores(str(limits["cpu"])),
            memory_bytes(str(limits["memory"])),
        )
    except (KeyError, TypeError, QuantityError) as error:
        raise BudgetError(f"{where}: bad resources {resources!r}: {error}") from error


def pod_reservation(pod_spec: dict[str, Any], where: str) -> Reservation:
    """Effective reservation of a pod spec (Kubernetes' init/sidecar rule)."""
    running = Reservation()
    for container in pod_spec.get("containers", []):
        running += container_reservation(container.get("resources"), f"{where}/{container['name']}")
    sidecars, init_peak = Reservation(), Reservation()
    for container in pod_spec.get("initContainers", []):
        own = container_reservation(container.get("resources"), f"{where}/{container['name']}")
        if container.get("restartPolicy") == "Always":
            sidecars += own
            init_peak = init_peak.larger(sidecars)
        else:
            init_peak = init_peak.larger(sidecars + own)
    return init_peak.larger(running + sidecars)


def _name(manifest: Manifest) -> tuple[str, str]:
    meta = manifest["metadata"]
    return meta.get("namespace", ""), meta["name"]


def _workload(manifest: Manifest, nodes: int) -> Iterator[Footprint]:
    namespace, name = _name(manifest)
    kind, spec = manifest["kind"], manifest.get("spec", {})
    pod = spec.get("jobTemplate", {}).get("spec", spec).get("template", {}).get("spec", {})
    replicas = {"DaemonSet": nodes, "Job": 1, "CronJob": 1}.get(kind, spec.get("replicas", 1))
    yield Footprint(
        namespace,
        name,
        kind,
        replicas,
        pod_reservation(pod, f"{kind}/{name}"),
        transient=kind in {"Job", "CronJob"},
    )


def _kafka(manifest: Manifest) -> Iterator[Footprint]:
    namespace, name = _name(manifest)
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


def _node_pool(manifest: Manifest) -> Iterator[Footprint]:
    namespace, name = _name(manifest)
    spec = manifest["spec"]
    pod = container_reservation(spec.get("resources"), f"KafkaNodePool/{name}")
    yield Footprint(namespace, name, "KafkaNodePool", spec["replicas"], pod)


def _cnpg(manifest: Manifest) -> Iterator[Footprint]:
    namespace, name = _name(manifest)
    spec = manifest["spec"]
    pod = container_reservation(spec.get("resources"), f"Cluster/{name}")
    yield Footprint(namespace, name, "Cluster", spec.get("instances", 1), pod)


def _flink_process(
    spec: dict[str, Any], role: str, config: dict[str, Any], where: str
) -> Reservation:
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
        "name": "flink-main-container",
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
        if c["name"] != "flink-main-container"
    ]
    inits = [c for t in (template, role_template) for c in t.get("initContainers", [])]
    return pod_reservation({"containers": [main, *extra], "initContainers": inits}, where)


def _flink(manifest: Manifest, session_parallelism: dict[str, int]) -> Iterator[Footprint]:
    namespace, name = _name(manifest)
    spec = manifest["spec"]
    config = spec.get("flinkConfiguration", {})
    where = f"FlinkDeployment/{name}"
    jobmanager = _flink_process(spec, "jobManager", config, f"{where}/jobmanager")
    yield Footprint(
        namespace,
        f"{name}-jobmanager",
        "FlinkDeployment",
        spec["jobManager"].get("replicas", 1),
        jobmanager,
    )
    slots = int(config.get("taskmanager.numberOfTaskSlots", 1))
    parallelism = spec.get("job", {}).get("parallelism", session_parallelism.get(name, 0))
    replicas = spec["taskManager"].get("replicas", math.ceil(parallelism / slots))
    taskmanager = _flink_process(spec, "taskManager", config, f"{where}/taskmanager")
    yield Footprint(namespace, f"{name}-taskmanager", "FlinkDeployment", replicas, taskmanager)


def _chart_pods(
    application: Manifest, release_pods: Iterable[Any], nodes: int
) -> Iterator[Footprint]:
    source = application["spec"]["source"]
    values = source["helm"]["valuesObject"]
    namespace = application["spec"]["destination"]["namespace"]
    for pod in release_pods:
        if pod.enabled_path and get_path(values, pod.enabled_path) is False:
            continue
        where = f"{source['chart']}/{pod.name}"
        spec: dict[str, list[dict[str, Any]]] = {"containers": [], "initContainers": []}
        for container in pod.containers:
            entry = {"name": container.name, "resources": get_path(values, container.values_path)}
            spec["initContainers" if container.kind == "init" else "containers"].append(entry)
        replicas = nodes if pod.per_node else pod.replicas
        if pod.replicas_path:
            replicas = get_path(values, pod.replicas_path) or 0
        yield Footprint(
            namespace,
            pod.name,
            f"helm:{source['chart']}",
            replicas,
            pod_reservation(spec, where),
            transient=pod.transient,
        )


WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}


def footprints(environment: "Environment") -> Report:
    """Every reservation of one rendered environment."""
    spec = environment.spec
    nodes = spec.cluster.nodes
    manifests = [m for component in environment.components for m in component.manifests]
    session_parallelism: dict[str, int] = {}
    for manifest in manifests:
        if manifest["kind"] == "FlinkSessionJob":
            target = manifest["spec"]["deploymentName"]
            parallelism = manifest["spec"]["job"].get("parallelism", 1)
            session_parallelism[target] = session_parallelism.get(target, 0) + parallelism
    found: list[Footprint] = []
    for manifest in manifests:
        kind = manifest["kind"]
        if kind in WORKLOAD_KINDS:
            found.extend(_workload(manifest, nodes))
        elif kind == "Kafka":
            found.extend(_kafka(manifest))
        elif kind == "KafkaNodePool":
            found.extend(_node_pool(manifest))
        elif kind == "Cluster" and manifest["apiVersion"].startswith("postgresql.cnpg.io/"):
            found.extend(_cnpg(manifest))
        elif kind == "FlinkDeployment":
            found.extend(_flink(manifest, session_parallelism))
    releases = {release.name: release for release in spec.helm_releases}
    for application in environment.applications:
        release = releases.get(application["metadata"]["name"])
        if release is not None:
            found.extend(_chart_pods(application, release.pods, nodes))
    return Report(spec.environment, memory_bytes(spec.cluster.memory_budget), found)


def check(report: Report) -> None:
    """Raise ``BudgetError`` when the environment's peak exceeds its memory budget."""
    if report.peak_memory > report.budget:
        raise BudgetError(
            f"environment {report.environment}: cluster.memory_budget "
            f"{format_memory(report.budget)} is exceeded: memory requests reach "
            f"{format_memory(report.peak_memory)} (steady "
            f"{format_memory(report.steady.memory_request)} plus the largest Job); "
            f"run `python -m generator budget --env {report.environment}` for the table"
        )


def table(report: Report) -> str:
    """Human-readable table of every workload and the totals against the budget."""
    header = (
        "namespace",
        "workload",
        "kind",
        "replicas",
        "cpu req",
        "cpu lim",
        "mem req",
        "mem lim",
    )
    rows = [header]
    for f in sorted(report.footprints, key=lambda f: (f.namespace, f.workload)):
        total = f.total
        rows.append(
            (
                f.namespace,
                f.workload + (" (transient)" if f.transient else ""),
                f.kind,
                str(f.replicas),
                format_cpu(total.cpu_request),
                format_cpu(total.cpu_limit),
                format_memory(total.memory_request),
                format_memory(total.memory_limit),
            )
        )
    steady = report.steady
    rows.append(
        (
            "TOTAL (steady)",
            "",
            "",
            "",
            format_cpu(steady.cpu_request),
            format_cpu(steady.cpu_limit),
            format_memory(steady.memory_request),
            format_memory(steady.memory_limit),
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    verdict = "OK" if report.peak_memory <= report.budget else "OVER BUDGET"
    lines.append(
        f"peak memory requests (steady + largest Job): {format_memory(report.peak_memory)} "
        f"of {format_memory(report.budget)} budget "
        f"({100 * report.peak_memory / report.budget:.1f}%) — {verdict}"
    )
    lines.append("not counted: ArgoCD and K3s system pods (see docs/adr/0005-budget.md)")
    return "\n".join(line.rstrip() for line in lines)
