"""Kafka sinks with transactions (EXACTLY_ONCE).

Records become visible to ``read_committed`` consumers only when the checkpoint
that covers them completes.
"""

from pyflink.common.serialization import SimpleStringSchema
from pyflink.datastream.connectors.base import DeliveryGuarantee
from pyflink.datastream.connectors.kafka import KafkaRecordSerializationSchema, KafkaSink

# Below the broker's transaction.max.timeout.ms (15 min), above any checkpoint.
TRANSACTION_TIMEOUT_MS = "600000"


def exactly_once_kafka_sink(
    bootstrap_servers: str, topic: str, transactional_prefix: str
) -> KafkaSink:
    """A transactional sink of JSON strings to ``topic``."""
    serializer = (
        KafkaRecordSerializationSchema.builder()
        .set_topic(topic)
        .set_value_serialization_schema(SimpleStringSchema())
        .build()
    )
    return (
        KafkaSink.builder()
        .set_bootstrap_servers(bootstrap_servers)
        .set_record_serializer(serializer)
        .set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .set_transactional_id_prefix(transactional_prefix)
        .set_property("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
        .build()
    )
