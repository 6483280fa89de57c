"""The parts of the spec that belong to no single component: cluster, GitOps, namespaces, network.

Each registered component adds its own top-level section; the loader builds
the full model from this one and the registry (``generator.pipeline.load``).
"""

from typing import Annotated

from pydantic import Field

from generator.spec.common import MemoryQuantity, Name, StrictModel
from generator.spec.namespace import NamespaceSpec
from generator.spec.network import NetworkSpec


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


class PlatformSpec(StrictModel):
    """Everything ``render`` needs for one environment (components add their sections).

    ``environment`` is not written in any spec file: it is the environment
    file's name, set by the loader.
    """

    environment: Name
    cluster: ClusterInfo
    gitops: GitOpsSpec
    namespaces: list[NamespaceSpec] = Field(min_length=1)
    network: NetworkSpec

    def namespace_names(self) -> set[str]:
        """Names of the platform namespaces."""
        return {namespace.name for namespace in self.namespaces}

    def core_namespaces_used(self) -> dict[tuple[str | int, ...], str]:
        """Spec field path → namespace, for the namespaces the core sections name."""
        used: dict[tuple[str | int, ...], str] = {}
        for section, flows in (("flows", self.network.flows), ("denied", self.network.denied)):
            for flow in flows:
                used[("network", section, flow.name, "source")] = flow.source
                if flow.destination is not None:
                    used[("network", section, flow.name, "destination")] = flow.destination
        for egress in self.network.external_egress:
            used[("network", "external_egress", egress.name, "namespace")] = egress.namespace
        return used
