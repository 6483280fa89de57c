"""Renovate's custom managers find every pinned chart, image and Go tool they are meant to.

Renovate itself is not run here (it needs the registries); its regular expressions
are, on the real files, so a spec or Makefile reformat that would hide a version
from the update automation fails CI.
"""

import json
import re
import subprocess
from pathlib import Path

from tests.conftest import REPO

CONFIG = json.loads((REPO / "renovate.json").read_text(encoding="utf-8"))
TRACKED = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout.split()  # fmt: skip


def matches(description_start: str) -> list[dict[str, str]]:
    """Named groups of every match of the custom manager whose description starts so."""
    manager = next(m for m in CONFIG["customManagers"]
                   if m["description"].startswith(description_start))  # fmt: skip
    files = [REPO / relative for relative in TRACKED
             if any(re.search(pattern.strip("/"), relative)
                    for pattern in manager["managerFilePatterns"])]  # fmt: skip
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in manager["matchStrings"]:
            python = pattern.replace("(?<", "(?P<")
            found += [m.groupdict() for m in re.finditer(python, text)]
    return found


def test_every_chart_in_the_spec_is_found() -> None:
    found = [
        *matches("Helm charts pinned in specs/ (one"),
        *matches("Helm charts pinned in specs/ (bl"),
    ]
    charts = {m["depName"]: m["currentValue"] for m in found}
    assert charts == {
        "strimzi-kafka-operator": "0.50.0",
        "flink-kubernetes-operator": "1.13.0",
        "cloudnative-pg": "0.29.0",
        "kube-prometheus-stack": "81.6.2",
        "airflow": "1.22.0",
    }


def test_every_image_in_the_spec_is_found() -> None:
    images = {(m["depName"], m["currentValue"]) for m in matches("Container images")}
    assert {("ghcr.io/streamflow-platform/flink-jobs", "0.1.0"),
            ("ghcr.io/streamflow-platform/airflow", "0.1.0"),
            ("ghcr.io/cloudnative-pg/postgresql", "16.10")} <= images  # fmt: skip


def test_every_go_tool_of_the_makefile_is_found() -> None:
    tools = {m["depName"]: m["currentValue"] for m in matches("Go tools")}
    versions = dict(re.findall(r"^([A-Z]+)_VERSION := (\S+)$", (REPO / "Makefile").read_text(),
                               re.MULTILINE))  # fmt: skip
    assert sorted(tools.values()) == sorted(versions.values())
    assert len(tools) == len(versions) == 5


def test_the_lock_files_are_covered() -> None:
    patterns = CONFIG["pip-compile"]["managerFilePatterns"]
    for lock in Path(REPO / "locks").glob("*.txt"):
        relative = lock.relative_to(REPO).as_posix()
        assert any(re.search(p.strip("/"), relative) for p in patterns), relative
