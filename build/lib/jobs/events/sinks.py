"""Where events go: a JSONL file or a Kafka topic, at a target rate, with progress."""

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from jobs.events.stream import Event


@dataclass
class Counters:
    """What a run did; ``delivered``/``failed`` come from Kafka's delivery reports."""

    sent: int = 0
    delivered: int = 0
    failed: int = 0
    labelled: int = 0
    malformed: int = 0
    errors: dict[str, int] = field(default_factory=dict)


class Sink(Protocol):
    """A destination for events."""

    counters: Counters

    def send(self, event: Event) -> None:
        """Queue one event."""

    def close(self) -> None:
        """Flush everything queued; afterwards the counters are final."""


class JsonlSink:
    """One JSON document per line; delivery is the write itself."""

    def __init__(self, path: Path) -> None:
        self.counters = Counters()
        self._stream: IO[bytes] = path.open("wb", buffering=1 << 20)

    def send(self, event: Event) -> None:
        """Append the event's JSON and a newline."""
        self._stream.write(event.value + b"\n")
        self.counters.delivered += 1

    def close(self) -> None:
        """Flush and close the file."""
        self._stream.close()


def producer_config(bootstrap_servers: str, **overrides: Any) -> dict[str, Any]:
    """Idempotent, fully acknowledged producer settings tuned for throughput."""
    return {
        "bootstrap.servers": bootstrap_servers,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 20,
        "batch.size": 1_000_000,
        "compression.type": "lz4",
        "queue.buffering.max.messages": 500_000,
        **overrides,
    }


class KafkaSink:
    """Produces to one topic keyed by customer, counting delivery reports."""

    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        from confluent_kafka import Producer  # noqa: PLC0415 - only the Kafka sink needs it

        self.counters = Counters()
        self.topic = topic
        self._producer = Producer(producer_config(bootstrap_servers))
        # Bound once: this is the per-event path.
        self._produce = self._producer.produce
        self._poll = self._producer.poll
        self._report = self._delivered

    def _delivered(self, error: Any, _message: Any) -> None:
        if error is None:
            self.counters.delivered += 1
        else:
            self.counters.failed += 1
            name = error.name()
            self.counters.errors[name] = self.counters.errors.get(name, 0) + 1

    def send(self, event: Event) -> None:
        """Queue one record; when the local queue is full, serve callbacks and retry."""
        while True:
            try:
                self._produce(
                    self.topic,
                    event.value,
                    event.key,
                    timestamp=event.timestamp_ms,
                    on_delivery=self._report,
                )
                break
            except BufferError:
                self._poll(0.05)
        self._poll(0)

    def close(self) -> None:
        """Wait for every outstanding delivery report."""
        remaining = self._producer.flush(60)
        if remaining:
            self.counters.failed += remaining
            self.counters.errors["flush_timeout"] = remaining


class Progress:
    """A one-line status on stderr, refreshed about once a second."""

    def __init__(self, enabled: bool, stream: IO[str] | None = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._next = self.started + 1.0

    def update(self, counters: Counters, *, final: bool = False) -> None:
        """Print the status if a second has passed (or always when ``final``)."""
        now = time.monotonic()
        if not self.enabled or (now < self._next and not final):
            return
        self._next = now + 1.0
        elapsed = max(now - self.started, 1e-9)
        share = 100 * counters.labelled / max(counters.sent, 1)
        self.stream.write(
            f"\rsent {counters.sent:,} ({counters.sent / elapsed:,.0f}/s)  delivered "
            f"{counters.delivered:,}  failed {counters.failed:,}  fraud {share:.2f}%  "
            f"malformed {counters.malformed:,}" + ("\n" if final else "")
        )
        self.stream.flush()


def pump(
    events: Iterable[Event], sink: Sink, *, rate: float = 0.0, progress: Progress | None = None
) -> Counters:
    """Send ``events`` to ``sink`` at ``rate`` events/s (0: as fast as possible).

    The pace is checked every few events against a monotonic clock, so a slow
    moment is caught up rather than lost. Always closes (flushes) the sink.
    """
    counters = sink.counters
    started = time.monotonic()
    send = sink.send
    try:
        for event in events:
            send(event)
            counters.sent += 1
            if event.label is not None:
                counters.labelled += 1
            elif event.malformed is not None:
                counters.malformed += 1
            if not counters.sent & 0xFF:
                if rate > 0:
                    ahead = counters.sent / rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
                if progress:
                    progress.update(counters)
    finally:
        sink.close()
        if progress:
            progress.update(counters, final=True)
    return counters
