"""Assemble every generated file (bases, overlays, ArgoCD) in memory.

Nothing here touches the disk: ``render`` writes the result only after every
environment has rendered and passed its budget, which is what makes a bad spec
leave the tree untouched.
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from generator import budget
from generator.output import dump
from generator.render import argocd, overlay
from generator.render.components import components
from generator.render.objects import Component, Manifest, identity
from generator.spec.loading import SPEC_DIR, environments, load
from generator.spec.platform import PlatformSpec

KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}


@dataclass(frozen=True)
class Environment:
    """One environment's spec and everything rendered from it."""

    spec: PlatformSpec
    components: list[Component]
    applications: list[Manifest]


def _by_kind(manifests: list[Manifest]) -> dict[str, list[Manifest]]:
    """Objects grouped into one file per kind, sorted by namespace and name."""
    groups: dict[str, list[Manifest]] = defaultdict(list)
    for manifest in sorted(manifests, key=identity):
        groups[f"{manifest['kind'].lower()}.yaml"].append(manifest)
    return dict(sorted(groups.items()))


def _base_files(component: Component) -> dict[str, str]:
    directory = f"apps/{component.name}/base"
    files = {
        f"{directory}/{name}": dump(docs) for name, docs in _by_kind(component.manifests).items()
    }
    kustomization = {**KUSTOMIZATION, "resources": sorted(n.rsplit("/", 1)[1] for n in files)}
    files[f"{directory}/kustomization.yaml"] = dump([kustomization])
    return files


def _patch_name(manifest: Manifest, prefix: str = "") -> str:
    _, kind, _, name = identity(manifest)
    return f"patches/{prefix}{kind.lower()}-{name}.yaml"


def _overlay_files(env: str, base: Component, target: Component) -> dict[str, str]:
    directory = f"overlays/{env}/{target.name}"
    changes = overlay.plan(base.manifests, target.manifests)
    files: dict[str, str] = {}
    patches = []
    for manifest, operations in changes.patches:
        name = _patch_name(manifest)
        files[f"{directory}/{name}"] = dump([operations])
        patches.append({"path": name, "target": overlay.patch_target(manifest)})
    for manifest in changes.removed:
        name = _patch_name(manifest, "delete-")
        files[f"{directory}/{name}"] = dump([overlay.deletion(manifest)])
        patches.append({"path": name})
    added = _by_kind(changes.added)
    files.update({f"{directory}/{name}": dump(docs) for name, docs in added.items()})
    kustomization: Manifest = {
        **KUSTOMIZATION,
        "resources": [f"../../../apps/{target.name}/base", *added],
    }
    if patches:
        kustomization["patches"] = sorted(patches, key=lambda p: str(p["path"]))
    files[f"{directory}/kustomization.yaml"] = dump([kustomization])
    return files


def _argocd_files(environment: Environment) -> dict[str, str]:
    spec = environment.spec
    directory = f"argocd/{spec.environment}"
    files = {
        f"{directory}/root.yaml": dump([argocd.root(spec)]),
        f"{directory}/apps/appproject.yaml": dump([argocd.project(spec)]),
    }
    for application in environment.applications:
        files[f"{directory}/apps/{application['metadata']['name']}.yaml"] = dump([application])
    return files


def render_environment(spec: PlatformSpec) -> Environment:
    """Render one environment (kustomize components and ArgoCD Applications)."""
    rendered = components(spec)
    applications = [argocd.kustomize_application(spec, c) for c in rendered]
    applications.extend(argocd.helm_application(spec, r) for r in spec.helm_releases)
    return Environment(spec, rendered, applications)


def render_all(spec_dir: Path = SPEC_DIR) -> tuple[dict[str, str], dict[str, Environment]]:
    """Every generated file and each environment's render; raises on any invalid input."""
    base = components(load(None, spec_dir))
    rendered = {env: render_environment(load(env, spec_dir)) for env in environments(spec_dir)}
    for environment in rendered.values():
        budget.check(budget.footprints(environment))
    files: dict[str, str] = {}
    for component in base:
        files.update(_base_files(component))
    for env, environment in rendered.items():
        for base_component, component in zip(base, environment.components, strict=True):
            files.update(_overlay_files(env, base_component, component))
        files.update(_argocd_files(environment))
    files["argocd/bootstrap/argocd-values.yaml"] = dump([argocd.bootstrap_values()])
    return files, rendered
