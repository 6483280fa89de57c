"""Event generator throughput vs a bare confluent-kafka producer, in one run.

(a) generator → JSONL file, (b) generator → Kafka (idempotent, acks=all), and
(c) a bare producer loop sending pre-built payloads with the same producer
settings and delivery callbacks. (b) and (c) alternate against one real KRaft
broker started by the test harness; medians and the ratio b / c are printed.
Target (issue #3): b / c >= 0.5. Run: `.venv-jobs/bin/python benchmarks/generator_throughput.py`.
"""

import itertools
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from confluent_kafka import Producer

from devtools.testing.kafka import KafkaBroker
from jobs.events.sinks import JsonlSink, KafkaSink, Progress, producer_config, pump
from jobs.events.stream import Event, EventStream, GeneratorConfig

EVENTS = 200_000
ROUNDS = 5
TOPIC = "transactions.raw"


def _events(seed: int) -> Iterator[Event]:
    return itertools.islice(iter(EventStream(GeneratorConfig(seed=seed))), EVENTS)


def generator_to_file(directory: Path) -> float:
    """Events/s of the generator writing JSON lines."""
    started = time.perf_counter()
    pump(_events(1), JsonlSink(directory / "events.jsonl"), progress=Progress(enabled=False))
    return EVENTS / (time.perf_counter() - started)


def generator_to_kafka(bootstrap: str, seed: int) -> float:
    """Events/s of the generator producing to Kafka, until every delivery report."""
    started = time.perf_counter()
    counters = pump(_events(seed), KafkaSink(bootstrap, TOPIC), progress=Progress(enabled=False))
    assert counters.delivered == EVENTS, counters
    return EVENTS / (time.perf_counter() - started)


def bare_producer(bootstrap: str, payloads: list[tuple[bytes, bytes]]) -> float:
    """Events/s of a plain produce loop over pre-built payloads, same settings."""
    delivered = 0

    def report(error: object, _message: object) -> None:
        nonlocal delivered
        delivered += error is None

    producer = Producer(producer_config(bootstrap))
    started = time.perf_counter()
    for key, value in payloads:
        while True:
            try:
                producer.produce(TOPIC, value=value, key=key, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    producer.flush(60)
    elapsed = time.perf_counter() - started
    assert delivered == EVENTS, delivered
    return EVENTS / elapsed


def main() -> None:
    """Run every variant and print medians and the ratio."""
    stream = iter(EventStream(GeneratorConfig(seed=99)))
    payloads = [(e.key, e.value) for e in itertools.islice(stream, EVENTS)]
    with tempfile.TemporaryDirectory() as scratch, KafkaBroker() as broker:
        broker.create_topics({TOPIC: 3})
        to_file = [generator_to_file(Path(scratch)) for _ in range(ROUNDS)]
        to_kafka, bare = [], []
        for round_ in range(ROUNDS):
            to_kafka.append(generator_to_kafka(broker.bootstrap_servers, round_))
            bare.append(bare_producer(broker.bootstrap_servers, payloads))
    ratios = [g / b for g, b in zip(to_kafka, bare, strict=True)]
    print(f"events per run: {EVENTS:,}; rounds: {ROUNDS} (Kafka variants alternate)")
    print(f"(a) generator -> JSONL file : median {statistics.median(to_file):>10,.0f} events/s")
    print(f"(b) generator -> Kafka      : median {statistics.median(to_kafka):>10,.0f} events/s")
    print(f"(c) bare producer -> Kafka  : median {statistics.median(bare):>10,.0f} events/s")
    print(
        f"ratio (b)/(c): median {statistics.median(ratios):.2f} "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f}); target >= 0.50"
    )


if __name__ == "__main__":
    main()
