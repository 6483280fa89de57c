"""checkov gates everything ArgoCD applies, and every skipped check is justified."""

import re

import pytest
import yaml

from generator.commands import scan
from generator.pipeline.load import environments
from tests.conftest import REPO, Workspace

pytestmark = pytest.mark.tools
ADR = REPO / "docs" / "adr" / "0007-pod-security-and-network.md"


def test_the_committed_output_passes_and_checkov_parses_every_object() -> None:
    found = scan.scan(REPO, environments())
    assert found.failed == []
    assert found.objects > 150 and found.resources >= found.objects


def test_a_secret_in_an_environment_variable_fails(rendered: Workspace) -> None:
    job = rendered.root / "apps" / "postgres" / "base" / "job.yaml"
    document = yaml.safe_load(job.read_text())
    container = document["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [{"name": "PGPASSWORD", "valueFrom": {
        "secretKeyRef": {"name": "streamflow-pg-app", "key": "password"}}}]  # fmt: skip
    job.write_text(yaml.safe_dump(document))
    found = scan.scan(rendered.root, ["dev"])
    assert [f.check for f in found.failed] == ["CKV_K8S_35"]
    assert "Job.streamflow-data.streamflow-pg-migrate" in found.failed[0].describe()


def test_every_skipped_check_is_justified_in_adr_0007() -> None:
    justified = dict(re.findall(r"^\| (CKV_K8S_\d+) \| [^|]+ \| ([^|]{20,}) \|$", ADR.read_text(),
                                re.M))  # fmt: skip
    assert sorted(justified) == sorted(scan.skipped_checks())
