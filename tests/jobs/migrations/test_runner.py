"""Migrations on a real PostgreSQL: idempotent, typed, constrained, tamper-evident."""

from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest

from devtools.testing.postgres import PostgresServer
from jobs.migrations.runner import migrate
from jobs.migrations.seed import seed
from libs.contracts.warehouse.catalog import (
    Migration,
    MigrationError,
    bootstrap_scripts,
    migrations,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def fresh() -> Iterator[PostgresServer]:
    with PostgresServer(database="fresh") as server:
        yield server


PRIMARY_KEYS = """
    SELECT tc.table_name, string_agg(kcu.column_name, ',' ORDER BY kcu.ordinal_position)
    FROM information_schema.table_constraints tc
    JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)
    WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'bronze'
    GROUP BY tc.table_name
"""


def _columns(connection: psycopg.Connection, table: str) -> dict[str, str]:
    schema, name = table.split(".")
    rows = connection.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s",
        (schema, name),
    ).fetchall()
    return dict(rows)


def test_second_run_is_a_no_op(postgres: PostgresServer) -> None:
    assert migrate(postgres.dsn()) == []
    with psycopg.connect(postgres.dsn()) as connection:
        versions = [
            r[0]
            for r in connection.execute(
                "SELECT version FROM public.schema_migrations ORDER BY version"
            )
        ]
    assert versions == [m.version for m in migrations()]


def test_schemas_tables_and_types(postgres: PostgresServer) -> None:
    with psycopg.connect(postgres.dsn()) as connection:
        schemas = {
            r[0] for r in connection.execute("SELECT schema_name FROM information_schema.schemata")
        }
        assert {"bronze", "silver", "gold"} <= schemas
        transactions = _columns(connection, "bronze.raw_transactions")
        assert transactions["transaction_id"] == "uuid"
        assert transactions["amount"] == "numeric"
        assert transactions["event_time"] == "timestamp with time zone"
        alerts = _columns(connection, "bronze.raw_fraud_alerts")
        assert alerts["rule_hits"] == "jsonb"
        assert {"customers", "stores", "blacklist"} <= {
            r[0]
            for r in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'bronze'"
            )
        }
        keys: dict[str, str] = dict(connection.execute(PRIMARY_KEYS).fetchall())
        assert keys["raw_transactions"] == "transaction_id"
        assert keys["raw_fraud_alerts"] == "alert_id"
        assert keys["blacklist"] == "entity_type,entity_id"


INSERT = (
    "INSERT INTO bronze.raw_transactions (transaction_id, customer_id, store_id, amount, "
    "currency, event_time, latitude, longitude, channel, category, schema_version, "
    "source_partition, source_offset) VALUES (gen_random_uuid(), 'C1', 'S1', %s, 'EUR', now(), "
    "52.5, 13.4, 'pos', 'grocery', '1.0', 0, 0)"
)


def test_amount_must_be_positive(postgres: PostgresServer) -> None:
    with psycopg.connect(postgres.dsn()) as connection:
        connection.execute(INSERT, (Decimal("12.34"),))
        with pytest.raises(psycopg.errors.CheckViolation, match="amount_positive"):
            connection.execute(INSERT, (Decimal("-1.00"),))


def test_primary_key_rejects_duplicates(postgres: PostgresServer) -> None:
    with psycopg.connect(postgres.dsn()) as connection:
        connection.execute(
            "INSERT INTO bronze.blacklist (entity_type, entity_id, reason) "
            "VALUES ('store', 'X', 'r')"
        )
        with pytest.raises(psycopg.errors.UniqueViolation):
            connection.execute(
                "INSERT INTO bronze.blacklist (entity_type, entity_id, reason) "
                "VALUES ('store', 'X', 'again')"
            )


def test_changed_applied_migration_is_refused(fresh: PostgresServer) -> None:
    first = migrations()[0]
    tampered = Migration(first.version, first.name, first.path, first.sql + "\n-- edited\n")
    with pytest.raises(
        MigrationError, match=r"V001__schemas\.sql was changed after it was applied"
    ):
        migrate(fresh.dsn(), [tampered, *migrations()[1:]])


def test_bootstrap_scripts_leave_nothing_for_the_runner(fresh: PostgresServer) -> None:
    # The harness ran what CloudNativePG runs at initdb (bootstrap_scripts, as
    # superuser): the owner owns the tables and the runner sees every migration
    # as applied (same SQL, same checksums).
    assert "roles.sql" in bootstrap_scripts("streamflow", fresh.roles)
    with psycopg.connect(fresh.dsn()) as connection:
        owner = connection.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = 'bronze' "
            "AND tablename = 'raw_transactions'"
        ).fetchone()
    assert owner == ("streamflow",)
    assert migrate(fresh.dsn(user="streamflow")) == []


def test_seed_is_idempotent(fresh: PostgresServer) -> None:
    first = seed(fresh.dsn(), seed_value=5)
    assert first["customers"] == 10_000 and first["stores"] == 1_000 and first["blacklist"] > 0
    assert seed(fresh.dsn(), seed_value=5) == {"customers": 0, "stores": 0, "blacklist": 0}
