"""The whole platform spec and the invariants that span components."""

from collections import Counter
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import Field, model_validator

from generator.spec.common import MemoryQuantity, Name, StrictModel
from generator.spec.flink import FlinkSpec
from generator.spec.helm import HelmRelease
from generator.spec.kafka import KafkaSpec
from generator.spec.namespaces import NamespaceSpec
from generator.spec.network import NetworkSpec
from generator.spec.postgres import PostgresSpec

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


class ClusterInfo(StrictModel):
    """Facts about the target cluster that the manifests depend on."""

    nodes: Annotated[int, Field(ge=1)]
    kubernetes_version: str = Field(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")
    memory_budget: MemoryQuantity


class GitOpsSpec(StrictModel):
    """Where ArgoCD pulls this repository from."""

    repo_url: str = Field(pattern=r"^(https|ssh|git)://|^git@")
    target_revision: str = Field(min_length=1)
    argocd_namespace: Name = "argocd"
    project: Name


class Waves(StrictModel):
    """ArgoCD sync waves of the kustomize components (Helm releases carry their own)."""

    namespaces: int
    security: int
    kafka: int
    postgres: int
    flink: int


def _secret_literals(values: Any, path: str) -> Iterator[str]:
    if isinstance(values, dict):
        for key, value in values.items():
            where = f"{path}.{key}" if path else str(key)
            if key in SECRET_VALUE_KEYS and isinstance(value, str) and value:
                yield where
            yield from _secret_literals(value, where)
    elif isinstance(values, list):
        for index, item in enumerate(values):
            yield from _secret_literals(item, f"{path}[{index}]")


class PlatformSpec(StrictModel):
    """Everything ``render`` needs for one environment."""

    environment: Name
    cluster: ClusterInfo
    gitops: GitOpsSpec
    waves: Waves
    namespaces: list[NamespaceSpec] = Field(min_length=1)
    network: NetworkSpec
    kafka: KafkaSpec
    flink: FlinkSpec
    postgres: PostgresSpec
    helm_releases: list[HelmRelease] = Field(default_factory=list)

    def namespace_names(self) -> set[str]:
        """Names of the platform namespaces."""
        return {namespace.name for namespace in self.namespaces}

    @model_validator(mode="after")
    def _names_are_unique(self) -> "PlatformSpec":
        groups: dict[str, list[str]] = {
            "namespaces": [n.name for n in self.namespaces],
            "helm_releases": [r.name for r in self.helm_releases],
            "kafka.topics": [t.name for t in self.kafka.topics],
            "kafka.node_pools": [p.name for p in self.kafka.node_pools],
            "flink.jobs": [j.name for j in self.flink.jobs],
            "network.flows": [f.name for f in self.network.flows],
        }
        for field, names in groups.items():
            duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
            if duplicates:
                raise ValueError(f"{field}: duplicate name(s) {duplicates}")
        return self

    @model_validator(mode="after")
    def _namespaces_exist(self) -> "PlatformSpec":
        known = self.namespace_names()
        used = {
            "kafka.namespace": self.kafka.namespace,
            "flink.namespace": self.flink.namespace,
            "postgres.namespace": self.postgres.namespace,
            **{f"helm_releases[{r.name}].namespace": r.namespace for r in self.helm_releases},
            **{f"network.flows[{f.name}].source": f.source for f in self.network.flows},
            **{f"network.flows[{f.name}].destination": f.destination for f in self.network.flows},
            **{
                f"network.external_egress[{e.name}].namespace": e.namespace
                for e in self.network.external_egress
            },
            **{f"network.api_server.clients[{n}]": n for n in self.network.api_server.clients},
        }
        for field, namespace in sorted(used.items()):
            if namespace not in known:
                raise ValueError(f"{field}: namespace {namespace!r} is not in namespaces")
        return self

    @model_validator(mode="after")
    def _no_secrets_in_values(self) -> "PlatformSpec":
        for release in self.helm_releases:
            leaks = list(_secret_literals(release.values, ""))
            if leaks:
                raise ValueError(
                    f"helm_releases[{release.name}].values: {leaks} hold literal credentials; "
                    "reference a pre-created Secret by name instead"
                )
        return self
