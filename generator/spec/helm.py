"""Third-party Helm charts deployed as ArgoCD Helm sources.

A chart is a black box to the generator, so each release declares the pods the
chart will create and *where in the values* their resources and replica counts
live. The renderer writes the resources into the values at those paths and the
budget reads them back from the rendered values, so what is budgeted is exactly
what is deployed.
"""

import copy
import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from generator.spec.common import FieldError, JsonObject, Name, Replicas, Resources, StrictModel
from generator.spec.values_path import get_path, set_path, sorted_tree

# Chart values that would put a credential into git; charts must be pointed at
# pre-created Secrets by name instead.
SECRET_VALUE_KEYS = frozenset(
    {
        "adminPassword",
        "apiSecretKey",
        "fernetKey",
        "jwtSecret",
        "password",
        "postgresPassword",
        "webserverSecretKey",
    }
)
_SEMVER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$")
_VALUES_PATH = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")


def _pinned_version(value: str) -> str:
    if not _SEMVER.match(value):
        raise ValueError(f"chart version {value!r} is not an exact semantic version (e.g. 1.2.3)")
    return value


def _values_path(value: str) -> str:
    if not _VALUES_PATH.match(value):
        raise ValueError(f"{value!r} is not a dotted values path like 'scheduler.resources'")
    return value


ValuesPath = Annotated[str, AfterValidator(_values_path)]


class Chart(StrictModel):
    """Where a chart comes from, pinned to one version."""

    repo_url: str = Field(pattern=r"^(https|oci)://")
    name: Name
    version: Annotated[str, AfterValidator(_pinned_version)]


class ChartContainer(StrictModel):
    """A container the chart creates and the values path of its ``resources``."""

    name: Name
    values_path: ValuesPath
    kind: Literal["app", "init", "sidecar"] = "app"
    resources: Resources


class SecurityContextPaths(StrictModel):
    """Where the chart reads this pod's pod- and container-level ``securityContext``."""

    pod: ValuesPath
    container: ValuesPath


class SyncHook(StrictModel):
    """A chart Job ArgoCD runs as a Sync hook, ordered by ``wave`` within the phase.

    The generator writes ``argocd.argoproj.io/sync-wave`` into the annotations
    at ``annotations_path``, so the order the budget assumes is the order ArgoCD
    runs: hooks of one wave run together, the next wave waits for them.
    """

    annotations_path: ValuesPath
    wave: int


class ChartPod(StrictModel):
    """A pod (Deployment, StatefulSet, DaemonSet or Job) created by the chart.

    ``security_context``: required in a ``restricted`` namespace; the values there
    must satisfy the restricted Pod Security Standard (checked by the loader).
    """

    name: Name
    replicas: Replicas = 1
    replicas_path: ValuesPath | None = None
    per_node: bool = False
    transient: bool = False
    hook: SyncHook | None = None
    enabled_path: ValuesPath | None = None
    security_context: SecurityContextPaths | None = None
    containers: list[ChartContainer] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_replica_source(self) -> "ChartPod":
        if self.per_node and self.replicas_path:
            raise ValueError("a per_node pod (DaemonSet) cannot also have replicas_path")
        if self.hook is not None and not self.transient:
            raise ValueError("a sync hook runs to completion: set transient: true")
        return self


def _secret_literals(values: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(values, dict):
        for key, value in values.items():
            if key in SECRET_VALUE_KEYS and isinstance(value, str) and value:
                yield (*path, key)
            yield from _secret_literals(value, (*path, key))
    elif isinstance(values, list):
        for index, item in enumerate(values):
            yield from _secret_literals(item, (*path, index))


class ChartMetrics(StrictModel):
    """A metrics port of a chart's pods, scraped by Prometheus.

    ``service``: the chart also puts the port on a Service whose labels are
    ``pods`` (then a ServiceMonitor scrapes it); otherwise a PodMonitor does,
    so a port that exists only on pods is never looked for on a Service.
    """

    name: Name
    pods: dict[str, str] = Field(min_length=1)
    port: Name
    number: Annotated[int, Field(ge=1, le=65535)]
    path: str = "/metrics"
    service: bool = False


class ChartWebhook(StrictModel):
    """A webhook the chart's pods serve to the Kubernetes API server (admission, conversion)."""

    pods: dict[str, str] = Field(min_length=1)
    port: int = Field(ge=1, le=65535)


class HelmRelease(StrictModel):
    """One chart installed into one namespace, synced by its own ArgoCD Application.

    ``api_server_clients``: pod selectors of the chart's pods that call the
    Kubernetes API (operators); the NetworkPolicies admit exactly those.
    ``metrics``: the chart's metrics ports, scraped by the monitoring component.
    ``webhooks``: what the API server must reach (its calls come from
    ``network.api_server.webhook_sources``).
    """

    name: Name
    namespace: Name
    wave: int
    chart: Chart
    server_side_apply: bool = False
    values: JsonObject = Field(default_factory=dict)
    pods: list[ChartPod] = Field(default_factory=list)
    api_server_clients: list[dict[str, str]] = Field(default_factory=list)
    metrics: list[ChartMetrics] = Field(default_factory=list)
    webhooks: list[ChartWebhook] = Field(default_factory=list)

    @model_validator(mode="after")
    def _no_secrets_in_values(self) -> "HelmRelease":
        leaks = list(_secret_literals(self.values, ("values",)))
        if leaks:
            raise FieldError(
                "holds a literal credential; reference a pre-created Secret by name instead",
                *leaks,
            )
        return self

    def rendered_values(self) -> JsonObject:
        """The values plus resources and replica counts of every declared pod."""
        values = copy.deepcopy(self.values)
        for pod in self.pods:
            if pod.replicas_path:
                set_path(values, pod.replicas_path, pod.replicas)
            if pod.hook is not None:
                annotations = get_path(values, pod.hook.annotations_path) or {}
                wave = {"argocd.argoproj.io/sync-wave": str(pod.hook.wave)}
                set_path(values, pod.hook.annotations_path, {**annotations, **wave})
            for container in pod.containers:
                resources = container.resources.to_manifest()
                existing = get_path(values, container.values_path)
                if existing is not None and existing != resources:
                    raise FieldError(
                        f"values path {container.values_path!r} already holds other "
                        f"resources {existing}",
                        ("pods", pod.name, "containers", container.name, "values_path"),
                    )
                set_path(values, container.values_path, resources)
        return sorted_tree(values)  # type: ignore[no-any-return]

    @model_validator(mode="after")
    def _values_paths_are_consistent(self) -> "HelmRelease":
        self.rendered_values()
        return self
