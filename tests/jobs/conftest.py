"""Real servers for integration tests, started once per test session."""

import os
from collections.abc import Iterator

import pytest

from jobs.testing.kafka import KafkaBroker
from jobs.testing.postgres import PostgresServer
from jobs.testing.topics import platform_topics

# Every Flink JVM a test starts (PyFlink's gateway reads JVM_ARGS; job processes and the
# demo inherit it) runs seconds to minutes: with the quick compiler alone, a
# fraud-detector test used 35 CPU-seconds of JVM instead of 56, as fast (issue #25).
# Benchmarks and deployments keep the JVM's default.
os.environ.setdefault("JVM_ARGS", "-XX:TieredStopAtLevel=1")


@pytest.fixture(scope="session")
def kafka() -> Iterator[KafkaBroker]:
    """A KRaft broker with the platform's topics."""
    with KafkaBroker() as broker:
        broker.create_topics(platform_topics())
        yield broker


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server with the migrations applied."""
    with PostgresServer() as server:
        yield server
