"""A fresh Kafka broker and PostgreSQL server per test, and helpers to drive real jobs."""

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from jobs.detection.config import load_rules
from jobs.detection.core import DetectorContext, detect
from jobs.detection.transaction import Txn
from jobs.events.sinks import Counters, KafkaSink, Progress, pump
from jobs.events.stream import Event, EventStream, GeneratorConfig
from jobs.events.world import build_world
from jobs.flink.blacklist import read_blacklist
from jobs.flink.routing import classify
from jobs.migrations.seed import seed
from jobs.ml.loader import load_model
from jobs.models.events import Transaction
from jobs.models.state import CustomerFraudState
from jobs.testing.kafka import KafkaBroker
from jobs.testing.postgres import PostgresServer
from jobs.testing.processes import dying_with_parent
from jobs.testing.roles import sink_login
from jobs.testing.topics import platform_topics
from jobs.train.__main__ import main as train

WORLD_SEED = 42
COORDINATOR_NOT_READY = frozenset({
    KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
    KafkaError.COORDINATOR_NOT_AVAILABLE,
})  # fmt: skip


@dataclass
class Stack:
    """The servers one test's jobs talk to."""

    kafka: KafkaBroker
    postgres: PostgresServer

    def args(self, *extra: str) -> list[str]:
        """Arguments every job takes, pointed at these servers."""
        return [
            "--bootstrap-servers",
            self.kafka.bootstrap_servers,
            "--jdbc-url",
            f"jdbc:postgresql://127.0.0.1:{self.postgres.port}/streamflow",
            "--checkpoint-interval-ms",
            "1000",
            *extra,
        ]

    def produce(self, events: Iterable[Event], topic: str = "transactions.raw") -> Counters:
        """Send events and wait for every delivery report."""
        return pump(
            events, KafkaSink(self.kafka.bootstrap_servers, topic), progress=Progress(False)
        )

    def read(self, topic: str, committed: bool = True, timeout: float = 120.0) -> list[bytes]:
        """Every record of a topic up to its end offsets now, read_committed by default.

        The end is each partition's end offset as this consumer's isolation level
        sees it (the last stable offset for read_committed), and reading stops when
        the consumer's position reaches it — never on a quiet poll, which on a
        loaded machine can come before the first fetch.
        """
        consumer = Consumer(
            {
                "bootstrap.servers": self.kafka.bootstrap_servers,
                "group.id": f"check-{time.time()}",
                "enable.auto.commit": False,
                "isolation.level": "read_committed" if committed else "read_uncommitted",
            }
        )
        partitions = [TopicPartition(topic, p, 0) for p in range(platform_topics()[topic])]
        values: list[bytes] = []
        try:
            ends = {p.partition: consumer.get_watermark_offsets(p, timeout=30)[1]
                    for p in partitions}  # fmt: skip
            consumer.assign(partitions)
            deadline = time.monotonic() + timeout
            while any(
                max(position.offset, 0) < ends[position.partition]
                for position in consumer.position(partitions)
            ):
                if time.monotonic() > deadline:
                    pytest.fail(f"{topic}: not at its end offsets {ends} after {timeout:.0f}s")
                batch = consumer.consume(num_messages=5_000, timeout=1)
                values += [m.value() or b"" for m in batch if m.error() is None]
        finally:
            consumer.close()
        return values

    def consumed(self, group: str, topic: str) -> bool:
        """Whether ``group`` has committed offsets at the end of every partition of ``topic``.

        A Flink Kafka source commits its offsets when a checkpoint completes, so
        this holds once everything now in the topic is in the job's checkpointed state.
        """
        consumer = Consumer({"bootstrap.servers": self.kafka.bootstrap_servers, "group.id": group})
        partitions = [TopicPartition(topic, p) for p in range(platform_topics()[topic])]
        try:
            committed = consumer.committed(partitions, timeout=30)
            ends = [consumer.get_watermark_offsets(p, timeout=30)[1] for p in partitions]
        except KafkaException as error:
            if error.args[0].retriable() or error.args[0].code() in COORDINATOR_NOT_READY:
                return False  # the group's coordinator is still loading or moving: not yet
            raise
        finally:
            consumer.close()
        return all(c.offset >= end for c, end in zip(committed, ends, strict=True))

    def log_start_offsets(self, topic: str) -> list[int]:
        """Each partition's first offset still on the broker (0 while nothing was deleted)."""
        servers = self.kafka.bootstrap_servers
        consumer = Consumer({"bootstrap.servers": servers, "group.id": "probe"})
        try:
            return [consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[0]
                    for p in range(platform_topics()[topic])]  # fmt: skip
        finally:
            consumer.close()

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a query against the warehouse."""
        import psycopg  # noqa: PLC0415

        with psycopg.connect(self.postgres.dsn()) as connection:
            return connection.execute(sql.encode()).fetchall()


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """Fresh servers with the platform's topics, migrations and seed data."""
    for variable, value in sink_login().items():
        monkeypatch.setenv(variable, value)
    with KafkaBroker() as kafka, PostgresServer() as postgres:
        kafka.create_topics(platform_topics())
        seed(postgres.dsn(), seed_value=WORLD_SEED)
        yield Stack(kafka, postgres)


def events(count: int, **config: Any) -> list[Event]:
    """Generated events from the seeded world the database was seeded with."""
    stream = EventStream(GeneratorConfig(seed=WORLD_SEED, **config), build_world(WORLD_SEED))
    return list(itertools.islice(iter(stream), count))


def transaction_id(event: Event) -> str:
    """The id inside an event's JSON."""
    return str(json.loads(event.value)["transaction_id"])


def wait_for(
    condition: Callable[[], bool], timeout: float = 120.0, what: str = "condition"
) -> None:
    """Poll until ``condition`` holds or fail the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(1.0)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model trained on the same world."""
    directory = tmp_path_factory.mktemp("model")
    assert (
        train(
            [
                "--output",
                str(directory),
                "--events",
                "20000",
                "--trees",
                "30",
                "--seed",
                str(WORLD_SEED),
            ]
        )
        == 0
    )
    return directory


def expected_alerts(sent: Iterable[Event], stack: Stack, model_dir: Path) -> set[str]:
    """Transaction ids the scoring core alerts on over ``sent``, in the same per-customer order.

    What the fraud-detector must produce, exactly once, whatever faults it meets.
    """
    customers, stores = read_blacklist(stack.postgres.dsn())
    model = load_model(model_dir, backend="python")
    context = DetectorContext(load_rules(), customers, stores, model.scorer, model.version,
                              model.population_amounts)  # fmt: skip
    states: dict[str, CustomerFraudState] = {}
    alerted = set()
    for event in sent:
        routed = classify(event.value, event.key, 0, 0)
        if not isinstance(routed, Transaction):
            continue
        txn, key = Txn.of(routed), event.key.decode()
        states[key], decision = detect(states.get(key, CustomerFraudState()), txn, context)
        if decision.alert:
            alerted.add(txn.transaction_id)
    return alerted


class Job:
    """A job in its own process group, so its gateway JVM dies with it.

    PyFlink connects to an already running gateway when ``PYFLINK_GATEWAY_PORT``
    is set, which it is in a test process that ran a job in-process before: the
    job would then run in that JVM, without its own reporter. It gets its own,
    and its own Flink log directory (the mini-cluster's log, REST address included).
    """

    def __init__(self, module: str, arguments: list[str], log: Path) -> None:
        self.flink_logs = log.with_suffix(".flink")
        self.flink_logs.mkdir(parents=True, exist_ok=True)
        environment = {k: v for k, v in os.environ.items() if "PYFLINK_GATEWAY" not in k}
        environment["FLINK_LOG_DIR"] = str(self.flink_logs)
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                dying_with_parent([sys.executable, "-m", module, *arguments]), env=environment,
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def flink_log(self) -> str:
        """Everything the job's JVM and its Python functions logged so far."""
        return "".join(path.read_text(errors="replace") for path in self.flink_logs.glob("*.log"))

    def rest_url(self) -> str:
        """The mini-cluster's REST endpoint, once it listens."""
        found: list[str] = []

        def listening() -> bool:
            assert self.process.poll() is None, "the job exited before its REST endpoint listened"
            found.extend(REST_ENDPOINT.findall(self.flink_log())[-1:])
            return bool(found)

        wait_for(listening, timeout=180, what="the job's REST endpoint")
        return f"http://{found[0]}"

    def stop_with_savepoint(self, directory: Path) -> Path:
        """Stop the running job with a savepoint in the new ``directory`` (what an upgrade does).

        A local mini-cluster shuts down with its only job, so the savepoint is
        known by the job ending cleanly and its ``_metadata`` file, not by REST.
        """
        url = self.rest_url()
        running: list[str] = []

        def job_running() -> bool:
            listed = _rest(f"{url}/jobs")["jobs"]
            running[:] = [job["id"] for job in listed if job["status"] == "RUNNING"]
            return bool(running)

        wait_for(job_running, timeout=120, what="the job RUNNING")
        _rest(f"{url}/jobs/{running[0]}/stop",
              {"targetDirectory": directory.as_uri(), "drain": False})  # fmt: skip
        assert self.process.wait(timeout=240) == 0, "the job did not end cleanly on its savepoint"
        (metadata,) = directory.glob("savepoint-*/_metadata")
        return metadata.parent

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


REST_ENDPOINT = re.compile(r"Rest endpoint listening at (\S+:\d+)")


def _rest(url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One call to Flink's REST API: GET, or POST of a JSON body."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.load(response)
    return answer


@pytest.fixture
def jobs() -> Iterator[list[Job]]:
    started: list[Job] = []
    try:
        yield started
    finally:
        for job in started:
            job.kill()
