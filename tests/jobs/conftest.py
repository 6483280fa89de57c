"""Real servers for integration tests, started once per test session."""

from collections.abc import Iterator

import pytest

from devtools.testing.kafka import KafkaBroker
from devtools.testing.postgres import PostgresServer
from devtools.testing.topics import platform_topics


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
