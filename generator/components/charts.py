"""Third-party Helm charts the spec lists under ``helm_releases`` (operators, Airflow, monitoring).

A chart is a black box: each release declares the pods its chart creates and
where in the values their resources live (``generator.spec.helm``), the pods
that call the Kubernetes API, the webhooks the API server calls, its metrics
ports (all turned into policies and monitors by ``Component``'s defaults), and
its own sync wave. Every release becomes its
own ArgoCD Application; it renders no kustomize objects.
"""

from generator.components.base import Component, Platform
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


COMPONENT = Charts()
