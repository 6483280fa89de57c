"""Offline schema validation: ``kustomize build`` of every overlay into kubeconform.

Core kinds are checked against the JSON schemas shipped in the
``kubernetes-validate`` package, rewritten once into a cache because
kubeconform cannot follow their absolute ``$id``/``$ref``; CR kinds against
schemas generated from the locked CRDs (``generator.commands.crds``: verified against
``crds/lock.yaml`` in their cache), so nothing unverified is read. Missing schemas are errors (no
``-ignore-missing-schemas``): a skipped kind is an unvalidated kind.
"""

import functools
import json
import subprocess
from pathlib import Path
from typing import Any

from generator.commands.crds.cache import verified
from generator.commands.crds.schemas import KUBECONFORM_TEMPLATE, cached_schemas
from generator.commands.staged import build_once
from generator.commands.tools import ToolError, tool
from generator.paths import REPO_ROOT

CACHE = REPO_ROOT / ".cache" / "kubeconform" / "core"
CORE_TEMPLATE = (
    "{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/"
    "{{ .ResourceKind }}{{ .KindSuffix }}.json"
)


def _rewrite(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                value.replace("/api/_definitions.json", "_definitions.json")
                if key == "$ref" and isinstance(value, str)
                else _rewrite(value)
            )
            for key, value in node.items()
            if key != "$id"
        }
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    return node


def core_schemas(kubernetes_version: str) -> Path:
    """Directory of kubeconform-readable core schemas for one Kubernetes version."""
    import kubernetes_validate  # noqa: PLC0415 - only validation needs this 100 MB package

    source_root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"

    def rewrite(staging: Path) -> None:
        for suffix in ("", "-strict"):
            name = f"v{kubernetes_version}-local{suffix}"
            source, target = source_root / name, staging / name
            if not source.is_dir():
                raise ToolError(f"kubernetes-validate has no schemas for {name}")
            target.mkdir()
            for schema in source.glob("*.json"):
                data = _rewrite(json.loads(schema.read_text(encoding="utf-8")))
                (target / schema.name).write_text(json.dumps(data), encoding="utf-8")

    return build_once(CACHE / f"v{kubernetes_version}", rewrite)


@functools.cache
def schema_locations(kubernetes_version: str) -> tuple[str, ...]:
    """``-schema-location`` arguments: core kinds, then the locked CRDs.

    Computed once per process: checking the CRD cache against its lock hashes
    megabytes, and every kubeconform call of one ``validate`` needs the same answer.
    """
    verified()
    return (
        f"{core_schemas(kubernetes_version)}/{CORE_TEMPLATE}",
        f"{cached_schemas()}/{KUBECONFORM_TEMPLATE}",
    )


def kubeconform(documents: str, kubernetes_version: str, label: str) -> bool:
    """Validate a YAML stream; print kubeconform's summary; True when all valid."""
    command = [
        tool("kubeconform"),
        "-n",
        "1",
        "-strict",
        "-summary",
        "-kubernetes-version",
        kubernetes_version,
    ]
    for location in schema_locations(kubernetes_version):
        command += ["-schema-location", location]
    result = subprocess.run(command, input=documents, capture_output=True, text=True, check=False)
    print(f"{label}: {(result.stdout + result.stderr).strip()}")
    return result.returncode == 0 and "Skipped: 0" in result.stdout


def kustomize_build(directory: Path) -> str:
    """Output of ``kustomize build``; a build failure is a validation failure."""
    result = subprocess.run(
        [tool("kustomize"), "build", str(directory)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ToolError(f"kustomize build {directory} failed:\n{result.stderr.strip()}")
    return result.stdout


def overlay_stream(root: Path, env: str) -> str:
    """``kustomize build`` of every overlay of ``env`` under ``root``, as one YAML stream."""
    overlays = sorted(p for p in (root / "overlays" / env).iterdir() if p.is_dir())
    return "---\n".join(kustomize_build(overlay) for overlay in overlays)


def argocd_stream(root: Path, env: str) -> str:
    """Every ArgoCD object of ``env`` under ``root``, as one YAML stream."""
    paths = sorted((root / "argocd" / env).rglob("*.yaml"))
    return "---\n".join(path.read_text(encoding="utf-8") for path in paths)


def validate_environment(root: Path, env: str, kubernetes_version: str) -> bool:
    """Every overlay and every ArgoCD object of one environment, as committed."""
    ok = kubeconform(overlay_stream(root, env), kubernetes_version, f"overlays/{env}")
    return kubeconform(argocd_stream(root, env), kubernetes_version, f"argocd/{env}") and ok
