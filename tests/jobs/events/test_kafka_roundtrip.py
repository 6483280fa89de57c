"""Generator → real Kafka → consumer: nothing lost, keyed and partitioned by customer."""

import collections
import json

import pytest
from confluent_kafka import Consumer, TopicPartition

from devtools.testing.kafka import KafkaBroker
from devtools.testing.topics import platform_topics
from jobs.events.sinks import KafkaSink, Progress, pump
from jobs.events.stream import EventStream, GeneratorConfig

pytestmark = pytest.mark.integration
COUNT = 100_000
TOPIC = "transactions.raw"


def test_100k_events_round_trip(kafka: KafkaBroker) -> None:
    import itertools  # noqa: PLC0415

    events = itertools.islice(iter(EventStream(GeneratorConfig(seed=11))), COUNT)
    sink = KafkaSink(kafka.bootstrap_servers, TOPIC)
    counters = pump(events, sink, progress=Progress(enabled=False))
    assert (counters.sent, counters.delivered, counters.failed) == (COUNT, COUNT, 0)

    consumer = Consumer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "group.id": "roundtrip",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 6000,
            "isolation.level": "read_committed",
        }
    )
    partitions = platform_topics()[TOPIC]
    consumer.assign([TopicPartition(TOPIC, p, 0) for p in range(partitions)])
    seen: dict[str, set[int]] = collections.defaultdict(set)
    received = labelled = 0
    ids = set()
    try:
        while received < COUNT:
            batch = consumer.consume(num_messages=10_000, timeout=10)
            assert batch, f"stalled after {received} records"
            for message in batch:
                value, key, partition = message.value(), message.key(), message.partition()
                assert message.error() is None and value and key and partition is not None
                payload = json.loads(value)
                assert key.decode() == payload["customer_id"]
                seen[payload["customer_id"]].add(partition)
                labelled += "fraud_label" in payload
                ids.add(payload["transaction_id"])
                received += 1
    finally:
        consumer.close()
    assert received == COUNT == len(ids)
    assert all(len(p) == 1 for p in seen.values()), "a customer's events span partitions"
    per_partition = collections.Counter(p for ps in seen.values() for p in ps)
    assert len(per_partition) == partitions
    assert labelled / COUNT == pytest.approx(0.02, abs=0.002)
