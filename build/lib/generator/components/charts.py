"""Third-party Helm charts the spec lists under ``helm_releases`` (operators, Airflow, monitoring).

A chart is a black box: each release declares the pods its chart creates and
where in the values their resources live (``generator.spec.helm``), the pods
that call the Kubernetes API, and its own sync wave. Every release becomes its
own ArgoCD Application; it renders no kustomize objects.
"""

from generator.components.base import ApiClient, Component, MetricsEndpoint, Platform
from generator.spec.helm import HelmRelease
from generator.spec.platform import PlatformSpec


class Charts(Component[list[HelmRelease]]):
    """The chart releases, in spec order."""

    name = "charts"
    key = "helm_releases"
    model = list[HelmRelease]
    required = False
    wave = 1  # only for a kustomize Application, which it has none of: releases carry theirs

    def namespaces_used(self, spec: PlatformSpec) -> dict[tuple[str | int, ...], str]:
        """Each release's namespace."""
        return {(self.key, r.name, "namespace"): r.namespace for r in self.section(spec)}

    def charts(self, platform: Platform) -> list[HelmRelease]:
        """Every release of the spec."""
        return self.section(platform.spec)

    def api_clients(self, platform: Platform) -> list[ApiClient]:
        """The chart pods each release says call the API."""
        return [
            ApiClient(release.namespace, pods)
            for release in self.section(platform.spec)
            for pods in release.api_server_clients
        ]

    def metrics_endpoints(self, platform: Platform) -> list[MetricsEndpoint]:
        """Each release's declared metrics ports, labelled with the release's name."""
        return [
            MetricsEndpoint(release.name, m.name, release.namespace, m.pods, m.port, m.number,
                            m.path, m.service)
            for release in self.section(platform.spec)
            for m in release.metrics
        ]  # fmt: skip


COMPONENT = Charts()
