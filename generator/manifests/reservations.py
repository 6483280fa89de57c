"""What one pod reserves on a node, and the pods that Kubernetes' own workload kinds create.

These are the budget's building blocks. Components use them to count the pods
they cause (operator-created pods from their CRs, chart pods from Helm values);
``generator.pipeline.budget`` adds the results up. Everything is exact integer
arithmetic (millicores, bytes): the total is compared with a hard limit.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.manifests.objects import Manifest
from generator.spec.quantity import QuantityError, cpu_millicores, memory_bytes
from generator.spec.values_path import get_path

if TYPE_CHECKING:
    from generator.spec.helm import HelmRelease


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
    # A CronJob's pod: it starts on its schedule, so during any sync.
    scheduled: bool = False
    component: str = ""
    # When it runs, for transient pods that may overlap: its ArgoCD Application, that
    # Application's sync wave, and its own wave inside the Application's sync.
    application: str = ""
    sync_wave: int = 0
    hook_wave: int = 0

    @property
    def total(self) -> Reservation:
        """All replicas together."""
        return self.pod.times(self.replicas)


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
    """Effective reservation of a pod spec (Kubernetes' init/sidecar rule).

    A pod reserves the larger of its init phase (each init container plus the
    native sidecars started before it) and its running phase (app containers
    plus sidecars).
    """
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


def name_of(manifest: Manifest) -> tuple[str, str]:
    """(namespace, name) of an object."""
    meta = manifest["metadata"]
    return meta.get("namespace", ""), meta["name"]


WORKLOAD_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}
)
TRANSIENT_KINDS = frozenset({"Job", "CronJob"})

# Core kinds that never create pods; anything else must be counted by a component
# or declared inert by it, so an unknown kind can never silently count as 0.
INERT_KINDS = frozenset(
    {
        "ConfigMap",
        "Namespace",
        "NetworkPolicy",
        "PersistentVolumeClaim",
        "PodDisruptionBudget",
        "Role",
        "RoleBinding",
        "Secret",
        "Service",
        "ServiceAccount",
    }
)


def workload_footprints(manifest: Manifest, nodes: int) -> Iterator[Footprint]:
    """Pods of a Kubernetes workload kind (DaemonSets run once per node; Jobs are transient)."""
    namespace, name = name_of(manifest)
    kind, spec = manifest["kind"], manifest.get("spec", {})
    pod = spec.get("jobTemplate", {}).get("spec", spec).get("template", {}).get("spec", {})
    replicas = {"DaemonSet": nodes, "Job": 1, "CronJob": 1}.get(kind, spec.get("replicas", 1))
    annotations = manifest.get("metadata", {}).get("annotations", {})
    yield Footprint(
        namespace,
        name,
        kind,
        replicas,
        pod_reservation(pod, f"{kind}/{name}"),
        transient=kind in TRANSIENT_KINDS,
        scheduled=kind == "CronJob",
        hook_wave=int(annotations.get("argocd.argoproj.io/sync-wave", 0)),
    )


def chart_footprints(
    release: "HelmRelease", values: dict[str, Any], nodes: int
) -> Iterator[Footprint]:
    """Pods a chart creates, read back from the values written into its Application.

    Reading the rendered values (not the spec) means what is counted is what
    is deployed: replicas and resources come from the paths each pod declares.
    """
    for pod in release.pods:
        if pod.enabled_path and get_path(values, pod.enabled_path) is False:
            continue
        where = f"{release.chart.name}/{pod.name}"
        spec: dict[str, list[dict[str, Any]]] = {"containers": [], "initContainers": []}
        for container in pod.containers:
            entry = {"name": container.name, "resources": get_path(values, container.values_path)}
            spec["initContainers" if container.kind == "init" else "containers"].append(entry)
        replicas = nodes if pod.per_node else pod.replicas
        if pod.replicas_path:
            replicas = get_path(values, pod.replicas_path) or 0
        yield Footprint(
            release.namespace,
            pod.name,
            f"helm:{release.chart.name}",
            replicas,
            pod_reservation(spec, where),
            transient=pod.transient,
            application=release.name,
            sync_wave=release.wave,
            hook_wave=pod.hook.wave if pod.hook else 0,
        )
