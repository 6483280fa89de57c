"""How fast each job consumed, from its committed offsets sampled while the demo produces.

A Flink Kafka source commits its offsets when a checkpoint completes (every second
here), so a group's committed offset is what the job has durably processed; its
slope over the steady part of the run is the rate the job sustained there. A job
that keeps up sustains the producer's rate; one that falls behind shows less.
"""

import time

from devtools.demo.background import Background
from devtools.testing.topics import platform_topics
from jobs.flink import topics


class ConsumedOffsets(Background):
    """Committed offsets of consumer groups on ``transactions.raw``, sampled once a second."""

    def __init__(self, bootstrap_servers: str, groups: list[str]) -> None:
        super().__init__("offsets")
        self.bootstrap_servers, self.groups = bootstrap_servers, groups
        self.samples: dict[str, list[tuple[float, int]]] = {group: [] for group in groups}

    def run(self) -> None:
        """Sample every group's committed offset each second until stopped."""
        from confluent_kafka import Consumer, KafkaException, TopicPartition  # noqa: PLC0415

        partitions = [TopicPartition(topics.TRANSACTIONS, p)
                      for p in range(platform_topics()[topics.TRANSACTIONS])]  # fmt: skip
        consumers = {group: Consumer({"bootstrap.servers": self.bootstrap_servers,
                                      "group.id": group, "enable.auto.commit": False})
                     for group in self.groups}  # fmt: skip
        try:
            while not self.stopping.wait(1.0):
                for group, consumer in consumers.items():
                    try:
                        committed = consumer.committed(partitions, timeout=10)
                    except KafkaException:
                        continue  # the coordinator is not ready yet: no sample this second
                    offset = sum(max(p.offset, 0) for p in committed)
                    self.samples[group].append((time.time(), offset))
        finally:
            for consumer in consumers.values():
                consumer.close()

    def rate(self, group: str, start: float, end: float) -> float | None:
        """Events/s the group consumed between the samples nearest inside [start, end]."""
        inside = [(t, offset) for t, offset in self.samples[group] if start <= t <= end]
        if len(inside) < 2 or inside[-1][0] - inside[0][0] < 1.0:
            return None
        (t0, first), (t1, last) = inside[0], inside[-1]
        return (last - first) / (t1 - t0)
