"""Strimzi ``Kafka`` (KRaft), ``KafkaNodePool`` and ``KafkaTopic`` objects.

Strimzi creates the broker pods, their PodDisruptionBudget and NetworkPolicies
itself; we configure those through the CRs instead of writing second copies
that would fight the operator (two PDBs over the same pods block evictions).
"""

from typing import Any

from generator.render.objects import Manifest, metadata, resource
from generator.spec.common import duration_ms
from generator.spec.kafka import KafkaSpec, NodePool
from generator.spec.platform import PlatformSpec
from generator.spec.quantity import memory_bytes

API = "kafka.strimzi.io/v1"
PLAIN_PORT = 9092


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
    meta = metadata(pool.name, kafka.namespace, labels={"strimzi.io/cluster": kafka.name})
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


def _kafka(spec: PlatformSpec) -> Manifest:
    kafka = spec.kafka
    clients = sorted(
        {
            flow.source
            for flow in spec.network.flows
            if flow.destination == kafka.namespace and PLAIN_PORT in flow.ports
        }
    )
    listener = {
        "name": "plain",
        "port": PLAIN_PORT,
        "type": "internal",
        "tls": False,
        "networkPolicyPeers": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}
            for namespace in [kafka.namespace, *clients]
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
            "min.insync.replicas": kafka.min_insync_replicas,
            "retention.ms": duration_ms(topic.retention),
            **topic.config,
        }
        meta = metadata(
            topic.name,
            kafka.namespace,
            labels={"strimzi.io/cluster": kafka.name},
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
                    "replicas": topic.replicas or kafka.replication_factor,
                    "config": config,
                },
            )
        )
    return topics


def render(spec: PlatformSpec) -> list[Manifest]:
    """The Kafka cluster, its node pools and topics."""
    pools = [_node_pool(spec.kafka, pool) for pool in spec.kafka.node_pools]
    return [_kafka(spec), *pools, *_topics(spec.kafka)]
