"""Produce → visible alert: send times stamped at the producer, alerts timed as they commit.

The watch reads ``fraud.alerts`` read_committed from the start, in a thread:
an alert is visible when the fraud-detector's Kafka transaction commits, at a
checkpoint, so the figure includes up to one checkpoint interval by design.
"""

import json
import time

from devtools.demo.background import Background
from jobs.events.sinks import KafkaSink
from jobs.events.stream import Event
from jobs.flink import topics


class StampingKafkaSink(KafkaSink):
    """A producer that remembers when each transaction was sent (by transaction id)."""

    def __init__(self, bootstrap_servers: str, sent: dict[str, float]) -> None:
        super().__init__(bootstrap_servers, topics.TRANSACTIONS)
        self.sent = sent

    def send(self, event: Event) -> None:
        """Stamp, then send; a malformed event (no transaction id) is sent unstamped."""
        if event.malformed is None:
            self.sent[json.loads(event.value)["transaction_id"]] = time.time()
        super().send(event)


class AlertWatch(Background):
    """Seconds from send to committed alert, per alerted transaction that was stamped."""

    def __init__(self, bootstrap_servers: str, sent: dict[str, float]) -> None:
        super().__init__("alert-watch")
        self.bootstrap_servers = bootstrap_servers
        self.sent = sent
        self.delays: list[float] = []
        self.seen = 0

    def run(self) -> None:
        """Read fraud.alerts read_committed from the start, timing each stamped alert."""
        from confluent_kafka import Consumer, TopicPartition  # noqa: PLC0415

        consumer = Consumer(
            {
                "bootstrap.servers": self.bootstrap_servers,
                "group.id": "demo-watch",
                "isolation.level": "read_committed",
                "enable.auto.commit": False,
            }
        )
        consumer.assign([TopicPartition(topics.ALERTS, 0, 0)])
        try:
            while not self.stopping.is_set():
                for message in consumer.consume(num_messages=500, timeout=0.2):
                    value = message.value()
                    if message.error() is not None or not value:
                        continue
                    self.seen += 1
                    sent = self.sent.get(json.loads(value)["transaction_id"])
                    if sent is not None:
                        self.delays.append(time.time() - sent)
        finally:
            consumer.close()
