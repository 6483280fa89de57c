"""``validate --server``: one control plane, every environment, one line per apply."""

import re
import subprocess
from pathlib import Path

from generator.commands.server.control_plane import ControlPlane
from generator.commands.server.gate import Outcome, check_environment, install_crds
from generator.commands.tools import ToolError, tool
from generator.spec.platform import PlatformSpec


def server_minor() -> str:
    """``1.34`` of the pinned kube-apiserver binary."""
    version = subprocess.run(
        [tool("kube-apiserver"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"v(\d+\.\d+)\.", version)
    if not found:
        raise ToolError(f"cannot read kube-apiserver's version from {version!r}")
    return found.group(1)


def _report(outcome: Outcome) -> None:
    print(f"{outcome.label}: {outcome.applied} objects applied server-side (dry run), "
          f"{len(outcome.problems)} problems")  # fmt: skip
    for problem in outcome.problems:
        print(f"  {problem}")


def check_on_server(root: Path, specs: dict[str, PlatformSpec]) -> bool:
    """Dry-run every environment's output on a kube-apiserver of its Kubernetes minor."""
    minor = server_minor()
    for env, spec in specs.items():
        wanted = ".".join(spec.cluster.kubernetes_version.split(".")[:2])
        if wanted != minor:
            raise ToolError(
                f"specs/environments/{env}.yaml: cluster.kubernetes_version "
                f"{spec.cluster.kubernetes_version} needs kube-apiserver {wanted}, "
                f"but .tools/bin has {minor} (tools/kubernetes/go.mod)"
            )
    ok = True
    with ControlPlane() as plane:
        print(f"kube-apiserver {minor}: {install_crds(plane)} locked CRDs installed")
        for env, spec in specs.items():
            for outcome in check_environment(plane, root, env, spec.gitops.argocd_namespace):
                _report(outcome)
                ok &= outcome.ok
    return ok
