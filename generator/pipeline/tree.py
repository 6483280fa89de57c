"""Assemble every generated file (bases, overlays, ArgoCD) in memory.

Nothing here touches the disk: ``render`` writes the result only after every
environment has rendered and passed its budget, which is what makes a bad spec
leave the tree untouched.
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from generator.components import REGISTRY
from generator.components.base import Platform, Registry, Rendered
from generator.manifests import argocd
from generator.manifests.objects import Manifest, identity
from generator.pipeline import deploy_order, overlays
from generator.pipeline.load import SPEC_DIR, environments, load
from generator.pipeline.write import dump
from generator.spec.platform import PlatformSpec

KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}


@dataclass(frozen=True)
class Environment:
    """One environment's spec and what each component rendered from it."""

    platform: Platform
    parts: list[Rendered]

    @property
    def spec(self) -> PlatformSpec:
        """The environment's validated spec."""
        return self.platform.spec

    @property
    def applications(self) -> list[Manifest]:
        """Every child Application, in registry order."""
        return [application for part in self.parts for application in part.applications]


def _by_kind(manifests: list[Manifest]) -> dict[str, list[Manifest]]:
    """Objects grouped into one file per kind, sorted by namespace and name."""
    groups: dict[str, list[Manifest]] = defaultdict(list)
    for manifest in sorted(manifests, key=identity):
        groups[f"{manifest['kind'].lower()}.yaml"].append(manifest)
    return dict(sorted(groups.items()))


def _base_files(name: str, manifests: list[Manifest]) -> dict[str, str]:
    directory = f"apps/{name}/base"
    files = {f"{directory}/{kind}": dump(docs) for kind, docs in _by_kind(manifests).items()}
    kustomization = {**KUSTOMIZATION, "resources": sorted(n.rsplit("/", 1)[1] for n in files)}
    files[f"{directory}/kustomization.yaml"] = dump([kustomization])
    return files


def _patch_name(manifest: Manifest, prefix: str = "") -> str:
    _, kind, _, name = identity(manifest)
    return f"patches/{prefix}{kind.lower()}-{name}.yaml"


def _overlay_files(
    env: str, name: str, base: list[Manifest], target: list[Manifest]
) -> dict[str, str]:
    directory = f"overlays/{env}/{name}"
    changes = overlays.plan(base, target)
    files: dict[str, str] = {}
    patches = []
    for manifest, operations in changes.patches:
        patch = _patch_name(manifest)
        files[f"{directory}/{patch}"] = dump([operations])
        patches.append({"path": patch, "target": overlays.patch_target(manifest)})
    for manifest in changes.removed:
        patch = _patch_name(manifest, "delete-")
        files[f"{directory}/{patch}"] = dump([overlays.deletion(manifest)])
        patches.append({"path": patch})
    added = _by_kind(changes.added)
    files.update({f"{directory}/{kind}": dump(docs) for kind, docs in added.items()})
    bases = [f"../../../apps/{name}/base"] if base else []
    kustomization: Manifest = {**KUSTOMIZATION, "resources": [*bases, *added]}
    if patches:
        kustomization["patches"] = sorted(patches, key=lambda p: str(p["path"]))
    files[f"{directory}/kustomization.yaml"] = dump([kustomization])
    return files


DEPLOY_ORDER = "argocd/DEPLOY-ORDER.md"


def _argocd_files(environment: Environment) -> dict[str, str]:
    spec = environment.spec
    directory = f"argocd/{spec.environment}"
    chart_repos = {r.chart.repo_url for part in environment.parts for r, _ in part.charts}
    files = {
        f"{directory}/root.yaml": dump([argocd.root(spec)]),
        f"{directory}/apps/appproject.yaml": dump([argocd.project(spec, chart_repos)]),
    }
    for application in environment.applications:
        files[f"{directory}/apps/{application['metadata']['name']}.yaml"] = dump([application])
    return files


def render_environment(platform: Platform) -> Environment:
    """Render one environment: every registered component, in registry order."""
    return Environment(platform, [component.render(platform) for component in platform.registry])


@dataclass(frozen=True)
class Tree:
    """Everything ``render`` produces: the files, and the renders they came from."""

    files: dict[str, str]
    base: Environment
    environments: dict[str, Environment]


def render_all(spec_dir: Path = SPEC_DIR, registry: Registry = REGISTRY) -> Tree:
    """Every generated file and each environment's render; raises on any invalid input.

    Budgets are not checked here: the caller checks each environment's render
    (against the base's) before it writes anything (spec → render → budget → files).
    """
    base = render_environment(load(None, spec_dir, registry))
    rendered = {
        env: render_environment(load(env, spec_dir, registry)) for env in environments(spec_dir)
    }
    files: dict[str, str] = {}
    for part in base.parts:
        if part.manifests:
            files.update(_base_files(part.component.name, part.manifests))
    for env, environment in rendered.items():
        for base_part, part in zip(base.parts, environment.parts, strict=True):
            if part.manifests:
                name = part.component.name
                files.update(_overlay_files(env, name, base_part.manifests, part.manifests))
        files.update(_argocd_files(environment))
    files["argocd/bootstrap/argocd-values.yaml"] = dump([argocd.bootstrap_values()])
    files[DEPLOY_ORDER] = deploy_order.document(
        {env: environment.applications for env, environment in rendered.items()}
    )
    return Tree(files, base, rendered)
