"""``crds/lock.yaml``: the upstream origin and checksum of every vendored CRD file.

The files are kept byte for byte as upstream publishes them so that anyone can
check them against the tag; the one transformation (dropping a Helm ``if``
wrapper) happens when they are read, not in the files.
"""

import hashlib
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from generator.tools import REPO_ROOT

CRD_DIR = REPO_ROOT / "crds"
LOCK_FILE = CRD_DIR / "lock.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the files are megabytes


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VendoredFile(_Strict):
    """One upstream file and the checksum it had when vendored."""

    path: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    helm_condition: bool = False


class Source(_Strict):
    """The CRDs one chart installs, from one upstream repository at one tag."""

    name: str = Field(pattern=r"^[a-z0-9-]+$")
    chart: str
    chart_version: str
    repository: str = Field(pattern=r"^[\w.-]+/[\w.-]+$")
    tag: str
    commit: str = Field(pattern=r"^[0-9a-f]{40}$")
    note: str | None = None
    files: list[VendoredFile] = Field(min_length=1)

    def local(self, vendored: VendoredFile, root: Path = CRD_DIR) -> Path:
        """Where the file lives in this repository."""
        return root / self.name / PurePosixPath(vendored.path).name

    def url(self, vendored: VendoredFile) -> str:
        """The file at its pinned commit on GitHub."""
        return f"https://raw.githubusercontent.com/{self.repository}/{self.commit}/{vendored.path}"


class Lock(_Strict):
    """Every vendored source."""

    sources: list[Source]

    def charts(self) -> dict[str, str]:
        """Chart name → the chart version whose CRDs are vendored."""
        return {source.chart: source.chart_version for source in self.sources}


def load_lock(path: Path = LOCK_FILE) -> Lock:
    """Parse and check the lock file's shape."""
    return Lock.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def sha256(path: Path) -> str:
    """Hex digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def problems(lock: Lock, root: Path = CRD_DIR) -> list[str]:
    """Missing, changed or unlisted files: empty when ``crds/`` is exactly the lock."""
    found: list[str] = []
    listed = {LOCK_FILE.name}
    for source in lock.sources:
        for vendored in source.files:
            local = source.local(vendored, root)
            listed.add(str(local.relative_to(root)))
            if not local.is_file():
                found.append(f"{local.relative_to(root)}: missing (from {source.url(vendored)})")
            elif sha256(local) != vendored.sha256:
                found.append(
                    f"{local.relative_to(root)}: sha256 {sha256(local)} differs from the lock's "
                    f"{vendored.sha256} ({source.repository}@{source.tag})"
                )
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if str(path.relative_to(root)) not in listed:
            found.append(f"{path.relative_to(root)}: not in {LOCK_FILE.name}")
    return found


def _unwrap(text: str) -> str:
    """Drop a Helm ``{{- if … }}`` first line and ``{{- end }}`` last line."""
    lines = text.strip().splitlines()
    if not (lines[0].startswith("{{") and lines[-1].startswith("{{")):
        raise ValueError("expected a file wrapped in one Helm condition")
    return "\n".join(lines[1:-1]) + "\n"


def definitions(lock: Lock, root: Path = CRD_DIR) -> list[dict[str, Any]]:
    """Every vendored CRD as a parsed object, sorted by name."""
    crds: list[dict[str, Any]] = []
    for source in lock.sources:
        for vendored in source.files:
            text = source.local(vendored, root).read_text(encoding="utf-8")
            if vendored.helm_condition:
                text = _unwrap(text)
            crds += [
                document
                for document in yaml.load_all(text, Loader=_LOADER)
                if document and document.get("kind") == "CustomResourceDefinition"
            ]
    return sorted(crds, key=lambda crd: str(crd["metadata"]["name"]))
