"""Kafka component: the pods Strimzi creates are counted, and its name reaches every reference."""

from typing import Any

from generator.components.base import Rendered
from generator.components.kafka import COMPONENT
from tests.conftest import Workspace
from tests.generator.manifests.test_reservations import container

Mi = 2**20


def test_entity_operator_and_node_pool_pods_are_counted() -> None:
    kafka = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "Kafka",
        "metadata": {"name": "k", "namespace": "ns"},
        "spec": {
            "entityOperator": {
                "topicOperator": container("t", "50m", "128Mi"),
                "userOperator": container("u", "50m", "96Mi"),
            }
        },
    }
    pool = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaNodePool",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"replicas": 3, **container("kafka", "1", "2Gi")},
    }
    topic: dict[str, Any] = {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic",
                             "metadata": {"name": "t", "namespace": "ns"}, "spec": {}}  # fmt: skip
    found = list(COMPONENT.footprints(Rendered(COMPONENT, [kafka, pool, topic], [], []), 1))
    # entity operator 128+96, brokers 3×2048; topics create no pods
    assert sum(f.total.memory_request for f in found) == (224 + 3 * 2048) * Mi
    assert {f.component for f in found} == {"kafka"}


def test_renaming_the_cluster_changes_every_reference(rendered: Workspace) -> None:
    rendered.edit("platform.yaml", lambda d: d["kafka"].__setitem__("name", "events"))
    assert rendered.run("render") == 0
    tree = rendered.rendered_text()
    assert "streamflow-kafka-bootstrap" not in tree
    assert "strimzi.io/cluster: streamflow\n" not in tree
    assert "streamflow-entity-operator" not in tree
    assert "events-kafka-bootstrap.streamflow-kafka.svc:9092" in tree
    assert "strimzi.io/cluster: events" in tree
    assert "strimzi.io/name: events-entity-operator" in tree
