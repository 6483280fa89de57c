"""What the platform is, per environment, as plain JSON: the input of ``generator diff``.

``python -m generator snapshot`` prints it; ``diff`` runs that command with
the generator code of the base ref (so a change to the generator itself is
compared by its output) and builds the same snapshot of the working tree. It
holds, per environment and per ArgoCD Application: its sync wave, its source
(overlay path or pinned chart), its Helm values, every object it syncs by
identity, and the memory budget as ``budget`` counts it (per namespace, steady
and transient apart).
"""

from pathlib import Path
from typing import Any

from generator.components.base import Registry
from generator.manifests.objects import Manifest, identity
from generator.pipeline import budget
from generator.pipeline.tree import Environment, render_all

WAVE = "argocd.argoproj.io/sync-wave"
Snapshot = dict[str, Any]


def resource_key(manifest: Manifest) -> str:
    """``Kind namespace/name`` (``Kind name`` for cluster-scoped objects)."""
    _, kind, namespace, name = identity(manifest)
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def _application(application: Manifest, resources: list[Manifest]) -> dict[str, Any]:
    source = dict(application["spec"]["source"])
    helm = dict(source.pop("helm", {}))
    values = helm.pop("valuesObject", {})
    return {
        "wave": int(application["metadata"]["annotations"].get(WAVE, "0")),
        "source": {**source, **({"helm": helm} if helm else {})},
        "values": values,
        "sync": {k: v for k, v in application["spec"].items() if k != "source"},
        "resources": {resource_key(m): m for m in resources},
    }


def _budget(environment: Environment) -> dict[str, Any]:
    report = budget.footprints(environment)
    namespaces: dict[str, dict[str, int]] = {}
    for footprint in report.footprints:
        kind = "transient" if footprint.transient else "steady"
        counted = namespaces.setdefault(footprint.namespace, {"steady": 0, "transient": 0})
        counted[kind] += footprint.total.memory_request
    return {
        "budget": report.budget,
        "peak": report.peak_memory,
        "steady": report.steady.memory_request,
        "namespaces": dict(sorted(namespaces.items())),
    }


def environment_snapshot(environment: Environment) -> dict[str, Any]:
    """One environment: its Applications (by name) and its budget."""
    applications = {}
    for part in environment.parts:
        for application in part.applications:
            name = application["metadata"]["name"]
            synced = part.manifests if name == part.component.name else []
            applications[name] = _application(application, synced)
    return {"applications": dict(sorted(applications.items())), "budget": _budget(environment)}


def snapshot(spec_dir: Path, registry: Registry) -> Snapshot:
    """Every environment of the spec in ``spec_dir``; raises ``SpecError`` as ``render`` does."""
    tree = render_all(spec_dir, registry)
    return {env: environment_snapshot(tree.environments[env]) for env in sorted(tree.environments)}
