"""``crds/lock.yaml``: where every upstream CRD file comes from and the sha256 it must have.

The repository carries no CRD file, only this lock (ADR 0016): the checks obtain
the files at the locked commits (``generator.commands.crds.cache``) and verify every byte
against the lock before use. The one transformation (dropping a Helm ``if``
wrapper) happens when a file is read, never in a stored copy.
"""

import hashlib
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from generator.paths import REPO_ROOT

LOCK_FILE = REPO_ROOT / "crds" / "lock.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the files are megabytes


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LockedFile(_Strict):
    """One upstream file and the checksum it must have."""

    path: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    helm_condition: bool = False

    @property
    def basename(self) -> str:
        """The file's name in a mirror or the cache: ``<source>/<basename>``."""
        return PurePosixPath(self.path).name


class Source(_Strict):
    """The CRDs one chart installs, from one upstream repository at one commit."""

    name: str = Field(pattern=r"^[a-z0-9-]+$")
    chart: str
    chart_version: str
    repository: str = Field(pattern=r"^[\w.-]+/[\w.-]+$")
    tag: str
    commit: str = Field(pattern=r"^[0-9a-f]{40}$")
    note: str | None = None
    files: list[LockedFile] = Field(min_length=1)

    def relative(self, locked: LockedFile) -> str:
        """``<source>/<basename>``: the file's place in a mirror and in the cache."""
        return f"{self.name}/{locked.basename}"

    def url(self, locked: LockedFile) -> str:
        """The file at its pinned commit on GitHub."""
        return f"https://raw.githubusercontent.com/{self.repository}/{self.commit}/{locked.path}"


class Lock(_Strict):
    """Every locked source."""

    sources: list[Source]

    def charts(self) -> dict[str, str]:
        """Chart name → the chart version whose CRDs are locked."""
        return {source.chart: source.chart_version for source in self.sources}

    def entries(self) -> list[tuple[Source, LockedFile]]:
        """Every locked file with its source, in lock order."""
        return [(source, locked) for source in self.sources for locked in source.files]


def load_lock(path: Path = LOCK_FILE) -> Lock:
    """Parse and check the lock file's shape."""
    return Lock.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def digest(data: bytes) -> str:
    """Hex sha256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return digest(path.read_bytes())


def _unwrap(text: str) -> str:
    """Drop a Helm ``{{- if … }}`` first line and ``{{- end }}`` last line."""
    lines = text.strip().splitlines()
    if not (lines[0].startswith("{{") and lines[-1].startswith("{{")):
        raise ValueError("expected a file wrapped in one Helm condition")
    return "\n".join(lines[1:-1]) + "\n"


def definitions(lock: Lock, directory: Path) -> list[dict[str, Any]]:
    """Every CRD of the locked files in ``directory`` (``<source>/<basename>``), sorted by name."""
    crds: list[dict[str, Any]] = []
    for source, locked in lock.entries():
        text = (directory / source.relative(locked)).read_text(encoding="utf-8")
        if locked.helm_condition:
            text = _unwrap(text)
        crds += [
            document
            for document in yaml.load_all(text, Loader=_LOADER)
            if document and document.get("kind") == "CustomResourceDefinition"
        ]
    return sorted(crds, key=lambda crd: str(crd["metadata"]["name"]))
