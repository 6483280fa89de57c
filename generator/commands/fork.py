"""Point a fork at its own Git remote and image registry in one step.

The upstream repository's address appears in the spec as ``gitops.repo_url`` (what
ArgoCD pulls) and in the runbook links; the platform's own images (the jobs' and
Airflow's) live under one registry prefix. ``python -m generator fork --repo-url URL
--registry REGISTRY`` rewrites exactly those strings in ``specs/``, validates the
result like ``render`` would and writes nothing if it is invalid; then re-render.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from generator.components import REGISTRY, flink
from generator.components.base import Registry
from generator.pipeline.load import BASE_FILE, ENV_DIR, SpecError, environments, load

PLACEHOLDER_REPO = "https://github.com/streamflow-platform/streamflow.git"


@dataclass(frozen=True)
class Fork:
    """The strings a fork replaces: (old, new) for the remote and for the registry."""

    repo_url: tuple[str, str]
    registry: tuple[str, str]


def _web_base(repo_url: str) -> str:
    """``https://host/owner/name`` of a clone URL (for links into the repository)."""
    return re.sub(r"\.git$", "", repo_url)


def current(spec_dir: Path, registry: Registry = REGISTRY) -> tuple[str, str]:
    """(repo URL, registry prefix of the platform's own images) as the spec has them now."""
    spec = load(None, spec_dir, registry).spec
    image = flink.COMPONENT.section(spec).image.repository
    return spec.gitops.repo_url, image.rsplit("/", 1)[0]


def fork(spec_dir: Path, repo_url: str, image_registry: str) -> list[Path]:
    """Rewrite the spec files for the fork; return the files changed. Raises ``SpecError``."""
    old_repo, old_registry = current(spec_dir)
    files = [spec_dir / BASE_FILE, *sorted((spec_dir / ENV_DIR).glob("*.yaml"))]
    originals = {path: path.read_text(encoding="utf-8") for path in files}
    replacements = [
        (old_repo, repo_url),
        (_web_base(old_repo) + "/", _web_base(repo_url) + "/"),
        (old_registry.rstrip("/") + "/", image_registry.rstrip("/") + "/"),
    ]
    changed = []
    for path, text in originals.items():
        new = text
        for old, replacement in replacements:
            new = new.replace(old, replacement)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    try:
        load(None, spec_dir)
        for env in environments(spec_dir):
            load(env, spec_dir)
    except SpecError:
        for path in changed:
            path.write_text(originals[path], encoding="utf-8")
        raise
    return changed


def placeholder_warning(repo_url: str) -> str | None:
    """The warning ``render`` prints while the spec still points at the upstream repository."""
    if repo_url != PLACEHOLDER_REPO:
        return None
    return (
        f"warning: gitops.repo_url is still {PLACEHOLDER_REPO}; a fork's ArgoCD would sync "
        "upstream. Run `python -m generator fork --repo-url URL --registry REGISTRY`"
    )
