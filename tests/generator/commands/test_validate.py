"""`validate` passes on the real output and fails on broken manifests."""

import pytest

from generator.commands.validate import kubeconform, kustomize_build
from tests.conftest import REPO, Workspace

pytestmark = pytest.mark.tools


def test_validate_passes_on_committed_output(rendered: Workspace) -> None:
    assert rendered.run("validate") == 0


def test_wrong_type_in_kafka_topic_fails() -> None:
    stream = kustomize_build(REPO / "overlays" / "dev" / "kafka")
    broken = stream.replace("partitions: 3", "partitions: three", 1)
    assert broken != stream
    assert not kubeconform(broken, "1.34.0", "broken topic")


def test_misspelled_field_in_deployment_fails() -> None:
    deployment = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: streamflow-data}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          imagePullPolicy: IfNotPresent
          resourcs: {}
"""
    assert kubeconform(deployment.replace("resourcs: {}", ""), "1.34.0", "good")
    assert not kubeconform(deployment, "1.34.0", "misspelled")


def test_kind_without_schema_is_an_error_not_a_skip() -> None:
    unknown = "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n"
    assert not kubeconform(unknown, "1.34.0", "unknown kind")


def test_validate_fails_on_a_hand_broken_overlay(
    rendered: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    topics = rendered.root / "apps" / "kafka" / "base" / "kafkatopic.yaml"
    topics.write_text(topics.read_text().replace("partitions: 3", "partitions: '3'"))
    assert rendered.run("validate") == 1


def test_misspelled_field_in_a_custom_resource_fails() -> None:
    """The schemas generated from the vendored CRDs are closed below the root."""
    stream = kustomize_build(REPO / "overlays" / "dev" / "kafka")
    broken = stream.replace("partitions: 3", "partitons: 3", 1)
    assert kubeconform(stream, "1.34.0", "vendored CRDs")
    assert not kubeconform(broken, "1.34.0", "misspelled topic field")
