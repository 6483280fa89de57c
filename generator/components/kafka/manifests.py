"""Strimzi ``Kafka`` (KRaft), ``KafkaNodePool`` and ``KafkaTopic`` objects.

Strimzi creates the broker pods, their PodDisruptionBudget and NetworkPolicies
itself; we configure those through the CRs instead of writing second copies
that would fight the operator (two PDBs over the same pods block evictions).
"""

from typing import Any

from generator.components.kafka.spec import KafkaSpec, NodePool
from generator.manifests.objects import Manifest, metadata, resource
from generator.spec.common import duration_ms
from generator.spec.quantity import memory_bytes

API = "kafka.strimzi.io/v1"
PLAIN_PORT = 9092
METRICS_PORT = 9404
METRICS_PORT_NAME = "tcp-prometheus"


def broker_pods(kafka: KafkaSpec) -> dict[str, str]:
    """Labels of the broker pods (not the entity operator, which has no metrics port)."""
    return {**cluster_pods(kafka), "strimzi.io/broker-role": "true"}


def metrics_allow_list(names: tuple[str, ...]) -> list[str]:
    """Strimzi reporter allow-list: exactly these names (counters may carry ``_total``)."""
    return sorted({f"{name.removesuffix('_total')}(_total)?" for name in names})


def cluster_pods(kafka: KafkaSpec) -> dict[str, str]:
    """Labels Strimzi puts on every pod of the cluster (brokers, controllers)."""
    return {"strimzi.io/cluster": kafka.name}


def entity_operator_pods(kafka: KafkaSpec) -> dict[str, str]:
    """Labels of the entity-operator pod (topic operator), an API-server client."""
    return {"strimzi.io/name": f"{kafka.name}-entity-operator"}


def bootstrap_address(kafka: KafkaSpec) -> str:
    """``host:port`` of the plain listener's bootstrap Service that Strimzi creates."""
    return f"{kafka.name}-kafka-bootstrap.{kafka.namespace}.svc:{PLAIN_PORT}"


def _heap(pool: NodePool) -> str:
    return f"{memory_bytes(pool.heap) // 2**20}m"


def _node_pool(kafka: KafkaSpec, pool: NodePool) -> Manifest:
    storage: dict[str, Any] = {
        "type": "persistent-claim",
        "size": pool.storage.size,
        "deleteClaim": False,
        "kraftMetadata": "shared",
    }
    if pool.storage.storage_class:
        storage["class"] = pool.storage.storage_class
    meta = metadata(pool.name, kafka.namespace, labels=cluster_pods(kafka))
    return resource(
        API,
        "KafkaNodePool",
        meta,
        spec={
            "replicas": pool.replicas,
            "roles": sorted(pool.roles),
            "storage": storage,
            "jvmOptions": {"-Xms": _heap(pool), "-Xmx": _heap(pool)},
            "resources": pool.resources.to_manifest(),
        },
    )


def _kafka(kafka: KafkaSpec, clients: list[str], metrics: tuple[str, ...]) -> Manifest:
    listener = {
        "name": "plain",
        "port": PLAIN_PORT,
        "type": "internal",
        "tls": False,
        "networkPolicyPeers": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}
            for namespace in [kafka.namespace, *sorted(set(clients) - {kafka.namespace})]
        ],
    }
    config = {
        "auto.create.topics.enable": False,
        "default.replication.factor": kafka.replication_factor,
        "min.insync.replicas": kafka.min_insync_replicas,
        "offsets.topic.replication.factor": kafka.replication_factor,
        "transaction.state.log.min.isr": kafka.min_insync_replicas,
        "transaction.state.log.replication.factor": kafka.replication_factor,
    }
    return resource(
        API,
        "Kafka",
        metadata(kafka.name, kafka.namespace),
        spec={
            "kafka": {
                "version": kafka.version,
                "metadataVersion": kafka.metadata_version,
                "listeners": [listener],
                "config": config,
                "metricsConfig": {
                    "type": "strimziMetricsReporter",
                    "values": {"allowList": metrics_allow_list(metrics)},
                },
                "template": {"podDisruptionBudget": {"maxUnavailable": kafka.pdb_max_unavailable}},
            },
            "entityOperator": {"topicOperator": {"resources": kafka.topic_operator.to_manifest()}},
        },
    )


def _topics(kafka: KafkaSpec) -> list[Manifest]:
    topics = []
    for topic in kafka.topics:
        config: dict[str, Any] = {
            "cleanup.policy": "delete",
            "min.insync.replicas": kafka.topic_min_insync(topic),
            "retention.ms": duration_ms(topic.retention),
            **topic.config,
        }
        meta = metadata(
            topic.name,
            kafka.namespace,
            labels=cluster_pods(kafka),
            annotations={"streamflow.io/purpose": topic.purpose},
        )
        topics.append(
            resource(
                API,
                "KafkaTopic",
                meta,
                spec={
                    "topicName": topic.name,
                    "partitions": topic.partitions,
                    "replicas": kafka.topic_replicas(topic),
                    "config": config,
                },
            )
        )
    return topics


def render(kafka: KafkaSpec, clients: list[str], metrics: tuple[str, ...]) -> list[Manifest]:
    """Cluster, node pools, topics; ``clients``: client namespaces; ``metrics``: names kept."""
    pools = [_node_pool(kafka, pool) for pool in kafka.node_pools]
    return [_kafka(kafka, clients, metrics), *pools, *_topics(kafka)]
