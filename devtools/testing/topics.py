"""The platform's topics as the spec defines them, and reading them as tests and the demo do."""

import time
from pathlib import Path

import yaml

from libs.processes import HarnessError

SPEC = Path(__file__).resolve().parents[2] / "specs" / "platform.yaml"


def platform_topics(spec: Path = SPEC) -> dict[str, int]:
    """Topic name → partitions, read from ``specs/platform.yaml``."""
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    return {topic["name"]: int(topic["partitions"]) for topic in data["kafka"]["topics"]}


def read_topic(
    bootstrap_servers: str, topic: str, *, committed: bool = True, timeout: float = 120.0
) -> list[bytes]:
    """Every record of ``topic`` up to its end offsets now, read_committed by default.

    The end is each partition's end offset as this consumer's isolation level
    sees it (the last stable offset for read_committed), and reading stops when
    the consumer's position reaches it — never on a quiet poll, which on a
    loaded machine can come before the first fetch.
    """
    from confluent_kafka import Consumer, TopicPartition  # noqa: PLC0415 - Kafka users only

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": f"read-{time.time()}",
            "enable.auto.commit": False,
            "isolation.level": "read_committed" if committed else "read_uncommitted",
        }
    )
    partitions = [TopicPartition(topic, p, 0) for p in range(platform_topics()[topic])]
    values: list[bytes] = []
    try:
        ends = {p.partition: consumer.get_watermark_offsets(p, timeout=30)[1] for p in partitions}
        consumer.assign(partitions)
        deadline = time.monotonic() + timeout
        while any(
            max(position.offset, 0) < ends[position.partition]
            for position in consumer.position(partitions)
        ):
            if time.monotonic() > deadline:
                raise HarnessError(f"{topic}: not at its end offsets {ends} after {timeout:.0f}s")
            batch = consumer.consume(num_messages=5_000, timeout=1)
            values += [m.value() or b"" for m in batch if m.error() is None]
    finally:
        consumer.close()
    return values


def consumed(bootstrap_servers: str, group: str, topic: str) -> bool:
    """Whether ``group`` has committed offsets at the end of every partition of ``topic``.

    A Flink Kafka source commits its offsets when a checkpoint completes, so
    this holds once everything now in the topic is in the job's checkpointed state.
    """
    from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition  # noqa: PLC0415

    not_ready = {KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
                 KafkaError.COORDINATOR_NOT_AVAILABLE}  # fmt: skip
    consumer = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": group})
    partitions = [TopicPartition(topic, p) for p in range(platform_topics()[topic])]
    try:
        committed = consumer.committed(partitions, timeout=30)
        ends = [consumer.get_watermark_offsets(p, timeout=30)[1] for p in partitions]
    except KafkaException as error:
        if error.args[0].retriable() or error.args[0].code() in not_ready:
            return False  # the group's coordinator is still loading or moving: not yet
        raise
    finally:
        consumer.close()
    return all(c.offset >= end for c, end in zip(committed, ends, strict=True))


def log_start_offsets(bootstrap_servers: str, topic: str) -> list[int]:
    """Each partition's first offset still on the broker (0 while nothing was deleted)."""
    from confluent_kafka import Consumer, TopicPartition  # noqa: PLC0415

    consumer = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": "probe"})
    try:
        return [consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[0]
                for p in range(platform_topics()[topic])]  # fmt: skip
    finally:
        consumer.close()
