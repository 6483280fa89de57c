from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from devtools.testing.postgres import PostgresServer
from jobs.backfill.__main__ import main
from jobs.backfill.load import load
from jobs.backfill.rows import Replayer, take
from jobs.events.stream import EventStream, GeneratorConfig
from jobs.migrations.seed import seed

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    with PostgresServer() as started:
        yield started


def test_loading_twice_adds_nothing_and_ingested_at_can_be_backdated(
    server: PostgresServer,
) -> None:
    stream = EventStream(GeneratorConfig(seed=9))
    seed(server.dsn(), stream.world)
    batch = Replayer.for_world(stream.world).replay(take(iter(stream), 20_000), datetime.now(UTC))
    then = datetime.now(UTC) - timedelta(hours=2)

    first = load(server.dsn(), batch, ingested_at=then)
    again = load(server.dsn(), batch)

    assert first == {
        "raw_transactions": len(batch.transactions),
        "raw_fraud_alerts": len(batch.alerts),
    }
    assert again == {"raw_transactions": 0, "raw_fraud_alerts": 0}
    with psycopg.connect(server.dsn()) as connection:
        row = connection.execute(
            "SELECT min(ingested_at), max(ingested_at) FROM bronze.raw_transactions"
        ).fetchone()
    assert row == (then, then)


def test_the_command_seeds_and_loads(
    server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.create_database("cli")
    from jobs.migrations.runner import migrate  # noqa: PLC0415

    migrate(server.dsn("cli"))

    assert main(["--dsn", server.dsn("cli"), "--count", "2000", "--malformed-rate", "0.1"]) == 0

    printed = capsys.readouterr().out
    with psycopg.connect(server.dsn("cli")) as connection:
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM bronze.raw_transactions),"
            " (SELECT count(*) FROM bronze.customers)"
        ).fetchone()
    assert counts is not None and counts[1] == 10_000
    assert f"raw_transactions +{counts[0]}," in printed
    assert "dead letters" in printed and counts[0] < 2000
