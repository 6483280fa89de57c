"""Locating the pinned command-line tools (kustomize, kubeconform)."""

import os
import shutil
from pathlib import Path

from generator.paths import REPO_ROOT

TOOLS_BIN = REPO_ROOT / ".tools" / "bin"


class ToolError(Exception):
    """kustomize, kubeconform or a schema directory is missing or failed."""


def tool(name: str) -> str:
    """Path of a pinned tool: $KUSTOMIZE/$KUBECONFORM, then .tools/bin, then PATH."""
    override = os.environ.get(name.upper())
    candidates = [override] if override else [str(TOOLS_BIN / name), shutil.which(name)]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    raise ToolError(f"{name} not found in .tools/bin or PATH; run `make setup`")
