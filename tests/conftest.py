"""Shared fixtures: a scratch copy of the specs and a rendered tree beside it."""

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, settings

REPO = Path(__file__).resolve().parent.parent

# Every Flink JVM a test starts (PyFlink's gateway reads JVM_ARGS; job processes and the
# demo inherit it) runs seconds to minutes: with the quick compiler alone, a
# fraud-detector test used 35 CPU-seconds of JVM instead of 56, as fast (issue #25).
# Benchmarks and deployments keep the JVM's default.
os.environ.setdefault("JVM_ARGS", "-XX:TieredStopAtLevel=1")

# Every property test, whatever its own @settings say about examples: the same examples
# on every run (derandomized, no example database) and no wall-clock deadline, so a
# loaded CI machine neither flakes nor finds what a quiet one would not (issue #28).
settings.register_profile(
    "streamflow", derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
# `make mutation` (`--hypothesis-profile=mutation`): the first failing example kills a
# mutant, so Hypothesis does not spend the mutant's time budget shrinking it.
settings.register_profile(
    "mutation", settings.get_profile("streamflow"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)  # fmt: skip
settings.load_profile("streamflow")


class Workspace:
    """A temporary repository: ``specs/`` copied from the real one, output rendered."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.specs = root / "specs"
        shutil.copytree(REPO / "specs", self.specs)

    def run(self, *args: str) -> int:
        """Run the CLI against this workspace."""
        # Imported here: this conftest is shared with the Airflow environment, which
        # has neither the generator's dependencies nor a use for them.
        from generator.__main__ import main  # noqa: PLC0415

        return main(["--specs", str(self.specs), "--out", str(self.root), *args])

    def edit(self, relative: str, change: Callable[[dict[str, Any]], None]) -> None:
        """Load a spec file, let ``change`` mutate it, write it back."""
        path = self.specs / relative
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def rendered_text(self) -> str:
        """Every generated YAML file, concatenated in path order (for "nothing mentions X")."""
        return "\n".join(
            path.read_text(encoding="utf-8")
            for top in ("apps", "overlays", "argocd")
            for path in sorted((self.root / top).rglob("*.yaml"))
        )

    def snapshot(self) -> dict[str, str]:
        """Digest of every generated file, to prove nothing was touched."""
        digests = {}
        for top in ("apps", "overlays", "argocd"):
            for path in sorted((self.root / top).rglob("*")):
                if path.is_file():
                    relative = path.relative_to(self.root).as_posix()
                    digests[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
        return digests


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """Specs copied into a temp dir, not yet rendered."""
    return Workspace(tmp_path)


@pytest.fixture
def rendered(workspace: Workspace) -> Workspace:
    """Specs copied into a temp dir and rendered there."""
    assert workspace.run("render") == 0
    return workspace
