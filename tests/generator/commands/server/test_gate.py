"""The API-server gate passes the committed output and fails each kind of broken object."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.commands.server.control_plane import ControlPlane
from generator.commands.server.gate import check_environment, dry_run, install_crds
from generator.commands.tools import ToolError
from generator.commands.validate import kustomize_build
from tests.conftest import REPO

pytestmark = [pytest.mark.tools, pytest.mark.integration]


@pytest.fixture(scope="module")
def plane() -> Iterator[ControlPlane]:
    with ControlPlane() as running:
        install_crds(running)
        yield running


def _objects(overlay: str, kind: str) -> list[dict[str, Any]]:
    stream = kustomize_build(REPO / "overlays" / "dev" / overlay)
    return [doc for doc in yaml.safe_load_all(stream) if doc and doc["kind"] == kind]


def _problems(plane: ControlPlane, *documents: dict[str, Any]) -> str:
    outcome = dry_run(plane, yaml.safe_dump_all(documents), "broken")
    assert not outcome.ok
    return "\n".join(outcome.problems)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_committed_object_applies_without_error_or_warning(
    plane: ControlPlane, env: str
) -> None:
    outcomes = check_environment(plane, REPO, env, "argocd")
    assert [(o.label, o.problems) for o in outcomes] == [
        (f"overlays/{env}", []),
        (f"argocd/{env}", []),
    ]
    assert all(outcome.applied > 10 for outcome in outcomes)


def test_a_field_a_crd_cel_rule_rejects_fails(plane: ControlPlane) -> None:
    [cluster] = _objects("postgres", "Cluster")
    cluster["spec"]["imageCatalogRef"] = {
        "apiGroup": "postgresql.cnpg.io", "kind": "ImageCatalog", "name": "postgresql", "major": 16
    }  # fmt: skip
    cluster["spec"]["imageName"] = "ghcr.io/cloudnative-pg/postgresql:16.10"
    assert "imageName and imageCatalogRef are mutually exclusive" in _problems(plane, cluster)


def test_an_invalid_label_value_fails(plane: ControlPlane) -> None:
    [topic, *_] = _objects("kafka", "KafkaTopic")
    topic["metadata"]["labels"]["team"] = "fraud detection!"
    assert "metadata.labels: Invalid value" in _problems(plane, topic)


def test_a_deployment_whose_pods_violate_restricted_fails_on_the_warning(
    plane: ControlPlane,
) -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "debug", "namespace": "streamflow-processing"},
        "spec": {
            "selector": {"matchLabels": {"app": "debug"}},
            "template": {
                "metadata": {"labels": {"app": "debug"}},
                # No runAsNonRoot, no seccomp profile: what Airflow's StatsD pod did.
                "spec": {"containers": [{"name": "shell", "image": "busybox:1.37"}]},
            },
        },
    }  # fmt: skip
    assert 'would violate PodSecurity "restricted:latest"' in _problems(plane, deployment)


def test_servers_and_files_are_gone_after_stop() -> None:
    plane = ControlPlane().start()
    directory, processes = plane.directory, [plane.etcd, plane.apiserver]
    plane.stop()
    assert directory is not None and not directory.exists()
    assert all(process is not None and process.poll() is not None for process in processes)


def test_a_failed_start_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setitem(os.environ, "KUBE-APISERVER", "/bin/false")
    plane = ControlPlane()
    with pytest.raises(ToolError, match="kube-apiserver did not become ready"):
        plane.start()
    assert plane.etcd is None and plane.apiserver is None
    assert list(tmp_path.iterdir()) == []  # etcd's data and the certificates included
