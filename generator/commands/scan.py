"""checkov over everything ArgoCD applies, offline (``python -m generator scan``).

checkov reads files, and Kustomize bases alone are not what is deployed, so the
gate builds every overlay of every environment, writes each object to its own
file (``<env>/<kind>-<namespace>-<name>.yaml``) together with the ArgoCD
objects, and scans that tree with the repository's ``.checkov.yaml``. Any
failed check fails; skipped checks are listed in the config and justified in
ADR 0007. checkov runs from its own virtualenv (``.venv-checkov``).
"""

import json
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.commands.tools import ToolError
from generator.commands.validate import argocd_stream, overlay_stream
from generator.paths import REPO_ROOT

CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
CONFIG = REPO_ROOT / ".checkov.yaml"


@dataclass(frozen=True)
class Finding:
    """One failed check on one object."""

    check: str
    name: str
    resource: str
    file: str

    def describe(self) -> str:
        """``CKV_K8S_x resource (file): name``."""
        return f"{self.check} {self.resource} ({self.file}): {self.name}"


@dataclass(frozen=True)
class Scan:
    """What checkov saw and said."""

    objects: int
    resources: int
    passed: int
    failed: list[Finding]
    skipped_by_config: list[str]


def _objects(root: Path, env: str) -> Iterable[dict[str, Any]]:
    for stream in (overlay_stream(root, env), argocd_stream(root, env)):
        yield from (d for d in yaml.safe_load_all(stream) if d)


def write_objects(root: Path, envs: Iterable[str], target: Path) -> int:
    """One file per object and environment under ``target``; returns how many."""
    count = 0
    for env in envs:
        for document in _objects(root, env):
            meta = document["metadata"]
            name = f"{document['kind']}-{meta.get('namespace', 'cluster')}-{meta['name']}".lower()
            path = target / env / f"{name}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump(document, sort_keys=True), encoding="utf-8")
            count += 1
    return count


def _report(output: str) -> list[dict[str, Any]]:
    parsed = json.loads(output)
    return parsed if isinstance(parsed, list) else [parsed]


def scan(root: Path, envs: Iterable[str], checkov: Path = CHECKOV) -> Scan:
    """Write, scan, and read back checkov's JSON report."""
    if not checkov.is_file():
        raise ToolError(f"{checkov} not found; run `make setup`")
    with tempfile.TemporaryDirectory(prefix="streamflow-scan-") as work:
        objects = write_objects(root, envs, Path(work))
        result = subprocess.run(
            [str(checkov), "--config-file", str(CONFIG), "-d", work, "-o", "json"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode not in (0, 1):
            raise ToolError(f"checkov failed ({result.returncode}):\n{result.stderr[-2000:]}")
        reports = [r for r in _report(result.stdout) if "results" in r]
    summaries = [report["summary"] for report in reports]
    if not summaries or any(summary["parsing_errors"] for summary in summaries):
        raise ToolError(f"checkov could not parse the rendered objects: {summaries}")
    resources = sum(summary["resource_count"] for summary in summaries)
    if resources < objects:  # a Job counts twice (itself and its pod template)
        raise ToolError(f"checkov parsed {resources} resources of {objects} objects written")
    failed = [
        Finding(c["check_id"], c["check_name"], c["resource"], c["file_path"].lstrip("/"))
        for report in reports
        for c in report["results"]["failed_checks"]
    ]
    passed = sum(summary["passed"] for summary in summaries)
    return Scan(objects, resources, passed, failed, skipped_checks())


def skipped_checks() -> list[str]:
    """The check ids ``.checkov.yaml`` skips."""
    return list(yaml.safe_load(CONFIG.read_text(encoding="utf-8")).get("skip-check", []))
