"""A fresh Kafka broker and PostgreSQL server per test, and helpers to drive real jobs."""

import itertools
import json
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devtools.testing.flink import FlinkProcess, rest
from devtools.testing.kafka import KafkaBroker
from devtools.testing.postgres import PostgresServer
from devtools.testing.roles import sink_login
from devtools.testing.topics import consumed, log_start_offsets, platform_topics, read_topic
from jobs.events.sinks import Counters, KafkaSink, Progress, pump
from jobs.events.stream import Event, EventStream, GeneratorConfig
from jobs.events.world import build_world
from jobs.flink.blacklist import read_blacklist
from jobs.flink.environment import prepare_gateway
from jobs.flink.routing import classify
from jobs.migrations.seed import seed
from jobs.train.__main__ import train_small
from libs.contracts.metrics import JOB_PREFIX
from libs.detection.config import load_rules
from libs.detection.core import DetectorContext, detect
from libs.detection.transaction import Txn
from libs.ml.loader import load_model
from libs.models.events import Transaction
from libs.models.state import CustomerFraudState

WORLD_SEED = 42

# A pytest-xdist worker runs many modules in one process, hence one gateway JVM: a test
# that calls Flink's Java classes directly (test_memory_model) may start it before any job
# does, and every job after it runs there. Prepared at collection, whichever comes first.
prepare_gateway()


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
        """Every record of a topic up to its end offsets now (``devtools.testing.topics``)."""
        return read_topic(self.kafka.bootstrap_servers, topic, committed=committed,
                          timeout=timeout)  # fmt: skip

    def consumed(self, group: str, topic: str) -> bool:
        """Whether ``group`` committed the end of every partition (a checkpoint holds it all)."""
        return consumed(self.kafka.bootstrap_servers, group, topic)

    def log_start_offsets(self, topic: str) -> list[int]:
        """Each partition's first offset still on the broker."""
        return log_start_offsets(self.kafka.bootstrap_servers, topic)

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


def reported(port: int, name: str) -> list[float]:
    """Every value of one of the jobs' metrics on a Flink reporter's endpoint (none yet: [])."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return []
    metric = JOB_PREFIX + name
    return [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line.startswith((metric + "{", metric + " "))]  # fmt: skip


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
    assert train_small(directory, WORLD_SEED) == 0
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


class Job(FlinkProcess):
    """A job in its own process group (``devtools.testing.flink``), and what upgrades do to it."""

    def stop_with_savepoint(self, directory: Path) -> Path:
        """Stop the running job with a savepoint in the new ``directory`` (what an upgrade does).

        A local mini-cluster shuts down with its only job, so the savepoint is
        known by the job ending cleanly and its ``_metadata`` file, not by REST.
        """
        url = self.rest_url()
        running: list[str] = []

        def job_running() -> bool:
            listed = rest(f"{url}/jobs")["jobs"]
            running[:] = [job["id"] for job in listed if job["status"] == "RUNNING"]
            return bool(running)

        wait_for(job_running, timeout=120, what="the job RUNNING")
        rest(f"{url}/jobs/{running[0]}/stop",
             {"targetDirectory": directory.as_uri(), "drain": False})  # fmt: skip
        assert self.process.wait(timeout=240) == 0, "the job did not end cleanly on its savepoint"
        (metadata,) = directory.glob("savepoint-*/_metadata")
        return metadata.parent


@pytest.fixture
def jobs() -> Iterator[list[Job]]:
    started: list[Job] = []
    try:
        yield started
    finally:
        for job in started:
            job.kill()
