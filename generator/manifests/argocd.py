"""ArgoCD objects: the AppProject, the root app-of-apps and one child per component.

Children carry sync waves (operators → clusters/topics/databases → jobs →
Airflow). Waves only wait for a child when ArgoCD assesses child health, which
it stopped doing in 1.8; ``bootstrap_values`` restores it with a Lua health
check that the bootstrap installs into ``argocd-cm``.
"""

from importlib import resources
from typing import Any

from generator.manifests.objects import Manifest, metadata, resource
from generator.spec.helm import HelmRelease
from generator.spec.platform import PlatformSpec

API = "argoproj.io/v1alpha1"
IN_CLUSTER = "https://kubernetes.default.svc"
HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"
CLUSTER_SCOPED_KINDS = [
    ("", "Namespace"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
]
SYNC_RETRY = {
    "limit": 10,
    "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"},
}
# Deleting an Application deletes its resources, children first (foreground). The
# path-qualified spelling (ArgoCD >= 2.x) is the one the API server does not warn about.
CASCADE_FINALIZER = "resources-finalizer.argocd.argoproj.io/foreground"


def application_health_lua() -> str:
    """The Lua source of the child-Application health check."""
    return (resources.files("generator") / "lua" / "application_health.lua").read_text("utf-8")


def _sync_policy(options: list[str]) -> dict[str, Any]:
    return {
        "automated": {"prune": True, "selfHeal": True},
        "retry": SYNC_RETRY,
        "syncOptions": sorted(options),
    }


def _application(
    spec: PlatformSpec,
    name: str,
    *,
    wave: int,
    source: dict[str, Any],
    namespace: str | None,
    options: list[str],
) -> Manifest:
    meta = metadata(
        name,
        spec.gitops.argocd_namespace,
        annotations={"argocd.argoproj.io/sync-wave": str(wave)},
    )
    meta["finalizers"] = [CASCADE_FINALIZER]
    destination = {"server": IN_CLUSTER}
    if namespace:
        destination["namespace"] = namespace
    return resource(
        API,
        "Application",
        meta,
        spec={
            "project": spec.gitops.project,
            "source": source,
            "destination": destination,
            "syncPolicy": _sync_policy(options),
            "revisionHistoryLimit": 5,
        },
    )


def kustomize_application(
    spec: PlatformSpec, name: str, *, wave: int, namespace: str | None, options: tuple[str, ...]
) -> Manifest:
    """Child Application syncing ``overlays/<env>/<name>``."""
    source = {
        "repoURL": spec.gitops.repo_url,
        "targetRevision": spec.gitops.target_revision,
        "path": f"overlays/{spec.environment}/{name}",
    }
    return _application(
        spec,
        name,
        wave=wave,
        source=source,
        namespace=namespace,
        options=["CreateNamespace=false", "PruneLast=true", *options],
    )


def helm_application(spec: PlatformSpec, release: HelmRelease) -> Manifest:
    """Child Application installing a pinned chart with values from the spec."""
    source = {
        "repoURL": release.chart.repo_url,
        "chart": release.chart.name,
        "targetRevision": release.chart.version,
        "helm": {"releaseName": release.name, "valuesObject": release.rendered_values()},
    }
    options = ["CreateNamespace=false"]
    if release.server_side_apply:
        options.append("ServerSideApply=true")
    return _application(
        spec,
        release.name,
        wave=release.wave,
        source=source,
        namespace=release.namespace,
        options=options,
    )


def project(spec: PlatformSpec, chart_repos: set[str]) -> Manifest:
    """AppProject: only this repo and the pinned chart repos, only platform namespaces."""
    repos = sorted({spec.gitops.repo_url, *chart_repos})
    destinations = [
        {"server": IN_CLUSTER, "namespace": namespace}
        for namespace in sorted(spec.namespace_names())
    ]
    meta = metadata(
        spec.gitops.project,
        spec.gitops.argocd_namespace,
        annotations={"argocd.argoproj.io/sync-wave": "-1"},
    )
    return resource(
        API,
        "AppProject",
        meta,
        spec={
            "description": f"StreamFlow platform ({spec.environment})",
            "sourceRepos": repos,
            "destinations": destinations,
            "clusterResourceWhitelist": [{"group": g, "kind": k} for g, k in CLUSTER_SCOPED_KINDS],
            "orphanedResources": {"warn": True},
        },
    )


def root(spec: PlatformSpec) -> Manifest:
    """The app-of-apps the bootstrap applies once; it syncs ``argocd/<env>/apps``."""
    meta = metadata(f"streamflow-{spec.environment}", spec.gitops.argocd_namespace)
    meta["finalizers"] = [CASCADE_FINALIZER]
    return resource(
        API,
        "Application",
        meta,
        spec={
            "project": "default",
            "source": {
                "repoURL": spec.gitops.repo_url,
                "targetRevision": spec.gitops.target_revision,
                "path": f"argocd/{spec.environment}/apps",
            },
            "destination": {"server": IN_CLUSTER, "namespace": spec.gitops.argocd_namespace},
            "syncPolicy": _sync_policy([]),
        },
    )


def bootstrap_values() -> dict[str, Any]:
    """Helm values for the argo-cd chart that the Terragrunt bootstrap installs."""
    return {"configs": {"cm": {HEALTH_KEY: application_health_lua()}}}
