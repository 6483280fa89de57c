"""Apply what ArgoCD would apply, server-side, as a dry run; any error or warning fails.

A server-side dry run goes through the whole admission chain without storing
anything: OpenAPI and CEL validation of every CRD, label and name syntax,
defaulting, and Pod Security admission of each namespace's level. Pod Security
only *warns* about a Deployment or StatefulSet whose pods it would reject (the
pods are refused later, by the ReplicaSet), so a warning is a failure here.
Namespaces are created for real first: their Pod Security labels decide what
the dry run admits, and objects cannot be dry-run into a namespace that does not
exist.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.commands.crds.cache import verified
from generator.commands.crds.lock import definitions, load_lock
from generator.commands.server.control_plane import ControlPlane
from generator.commands.tools import ToolError
from generator.commands.validate import argocd_stream, overlay_stream

FIELD_MANAGER = "argocd-controller"  # what ArgoCD's server-side apply uses
_APPLIED = re.compile(r" serverside-applied \(server dry run\)$")


@dataclass
class Outcome:
    """What one apply said: how many objects the server accepted and every complaint."""

    label: str
    applied: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Everything applied, nothing refused, nothing warned about."""
        return not self.problems and self.applied > 0


def _documents(stream: str) -> list[dict[str, object]]:
    return [doc for doc in yaml.safe_load_all(stream) if doc]


def _stream(documents: list[dict[str, object]]) -> str:
    return "\n".join(json.dumps(document) for document in documents)


def install_crds(plane: ControlPlane) -> int:
    """Create every locked CRD and wait until the server serves it."""
    crds = definitions(load_lock(), verified())
    result = plane.kubectl("apply", "--server-side", "-f", "-", stdin=_stream(crds))
    if result.returncode != 0:
        raise ToolError(f"installing the locked CRDs failed:\n{result.stderr.strip()}")
    ready = plane.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=120s")
    if ready.returncode != 0:
        raise ToolError(f"the locked CRDs did not become established:\n{ready.stderr.strip()}")
    return len(crds)


def create_namespaces(plane: ControlPlane, stream: str, argocd_namespace: str) -> None:
    """Create (or update) the namespaces in ``stream``, for real, and ArgoCD's.

    ArgoCD's namespace is the bootstrap's (terragrunt/modules/argocd), not rendered.
    """
    namespaces = [doc for doc in _documents(stream) if doc.get("kind") == "Namespace"]
    namespaces.append(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": argocd_namespace}}
    )
    result = plane.kubectl(
        "apply", "--server-side", f"--field-manager={FIELD_MANAGER}", "-f", "-",
        stdin=_stream(namespaces),
    )  # fmt: skip
    if result.returncode != 0:
        raise ToolError(f"creating the namespaces failed:\n{result.stderr.strip()}")


def dry_run(plane: ControlPlane, stream: str, label: str) -> Outcome:
    """Server-side apply of ``stream`` in dry-run mode, every problem collected."""
    result = plane.kubectl(
        "apply", "--server-side", "--dry-run=server", f"--field-manager={FIELD_MANAGER}",
        "-f", "-", stdin=_stream(_documents(stream)),
    )  # fmt: skip
    outcome = Outcome(label)
    outcome.applied = sum(1 for line in result.stdout.splitlines() if _APPLIED.search(line))
    outcome.problems = [line for line in result.stderr.splitlines() if line.strip()]
    if result.returncode != 0 and not outcome.problems:
        outcome.problems = [f"kubectl apply exited {result.returncode}"]
    return outcome


def check_environment(
    plane: ControlPlane, root: Path, env: str, argocd_namespace: str
) -> list[Outcome]:
    """Every overlay of ``env`` and its ArgoCD objects, as committed under ``root``."""
    stream = overlay_stream(root, env)
    create_namespaces(plane, stream, argocd_namespace)
    argocd = argocd_stream(root, env)
    return [dry_run(plane, stream, f"overlays/{env}"), dry_run(plane, argocd, f"argocd/{env}")]
