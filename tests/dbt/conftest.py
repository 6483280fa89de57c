"""A PostgreSQL server with bronze loaded from the event generator, and the dbt project on it."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devtools.testing.dbt import DbtProject
from devtools.testing.postgres import PostgresServer
from devtools.testing.roles import role_with
from jobs.backfill.load import load
from jobs.backfill.rows import Replayer, take
from jobs.events.stream import Event, EventStream, GeneratorConfig
from jobs.migrations.seed import seed

# Loads and builds happen within seconds of each other here: no settle window.
NO_SETTLE = {"ingest_settle_seconds": 0}


@dataclass
class Warehouse:
    """The server, the dbt project on it, and a generator that continues where it stopped."""

    server: PostgresServer
    dbt: DbtProject
    events: Iterator[Event]
    replayer: Replayer

    def load_events(self, count: int) -> dict[str, int]:
        """Generate the next ``count`` events and load them into bronze."""
        batch = self.replayer.replay(take(self.events, count), datetime.now(UTC))
        return load(self.server.dsn(), batch)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """A migrated, seeded server; bronze is empty until a test loads events."""
    with PostgresServer() as server:
        stream = EventStream(GeneratorConfig(seed=11))
        seed(server.dsn(), stream.world)
        target: Path = tmp_path_factory.mktemp("dbt-target")
        project = DbtProject("127.0.0.1", server.port, role_with("silver", "build"), target)
        yield Warehouse(server, project, iter(stream), Replayer.for_world(stream.world))
