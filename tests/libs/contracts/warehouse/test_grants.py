"""Least-privilege roles on a real PostgreSQL, bootstrapped as CloudNativePG does it.

The harness runs the ``initdb`` scripts (migrations as the owner, then the
spec's roles and their grants) and gives the roles ``LOGIN`` as the managed
roles do; each test then logs in as a workload would.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from devtools.testing.postgres import OWNER, PostgresServer
from devtools.testing.roles import platform_roles, role_with
from jobs.backfill.load import load
from jobs.backfill.rows import Replayer, take
from jobs.events.stream import EventStream, GeneratorConfig
from jobs.migrations.__main__ import main as migrations_cli
from jobs.migrations.runner import migrate
from libs.contracts.warehouse.catalog import schemas
from libs.contracts.warehouse.grants import RoleAccess, owner_grants

pytestmark = pytest.mark.integration

SINKS = role_with("bronze", "write")
DBT = role_with("silver", "build")
UPSERT = (
    "INSERT INTO bronze.blacklist (entity_type, entity_id, reason) VALUES ('store', %s, 'test') "
    "ON CONFLICT (entity_type, entity_id) DO UPDATE SET reason = EXCLUDED.reason"
)


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    with PostgresServer() as started:
        yield started


def _run(server: PostgresServer, user: str, statement: str, *params: object) -> None:
    with psycopg.connect(server.dsn(user=user)) as connection:
        connection.execute(statement.encode(), params or None)


def _denied(server: PostgresServer, user: str, *statements: str) -> None:
    for statement in statements:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _run(server, user, statement)


def _privileges(server: PostgresServer) -> set[tuple[str, ...]]:
    """Every (grantee, object, privilege) on the warehouse's schemas and their relations."""
    with psycopg.connect(server.dsn()) as connection:
        rows = connection.execute(
            "SELECT g.rolname, n.nspname, '', a.privilege_type FROM pg_namespace n, "
            "aclexplode(n.nspacl) a JOIN pg_roles g ON g.oid = a.grantee "
            "WHERE n.nspname IN ('bronze', 'silver', 'gold') UNION ALL "
            "SELECT g.rolname, n.nspname, c.relname, a.privilege_type FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a "
            "JOIN pg_roles g ON g.oid = a.grantee WHERE n.nspname IN ('bronze', 'silver', 'gold')"
        ).fetchall()
    return {tuple(map(str, row)) for row in rows}


def test_the_owner_keeps_the_schemas(server: PostgresServer) -> None:
    with psycopg.connect(server.dsn()) as connection:
        owners = connection.execute(
            "SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace "
            "WHERE nspname IN ('bronze', 'silver', 'gold')"
        ).fetchall()
        logins = connection.execute(
            "SELECT rolname FROM pg_roles WHERE rolcanlogin AND NOT rolsuper "
            "AND NOT rolcreaterole AND NOT rolcreatedb AND rolname = ANY(%s)",
            ([SINKS, DBT],),
        ).fetchall()
    assert dict(owners) == {"bronze": OWNER, "silver": OWNER, "gold": OWNER}
    assert sorted(name for (name,) in logins) == sorted([SINKS, DBT])


def test_the_sinks_write_bronze_and_nothing_else(server: PostgresServer) -> None:
    stream = EventStream(GeneratorConfig(seed=8))
    batch = Replayer.for_world(stream.world).replay(take(iter(stream), 200), datetime.now(UTC))
    assert load(server.dsn(user=SINKS), batch)["raw_transactions"] > 0  # the backfill's path
    _run(server, SINKS, UPSERT, "S-upsert")
    _run(server, SINKS, UPSERT, "S-upsert")  # the JDBC sinks' upsert: insert, then update
    _run(server, SINKS, "SELECT count(*) FROM bronze.blacklist")  # FR-005's lookup
    _run(server, DBT, "CREATE TABLE silver.built_by_dbt (id int)")
    _denied(
        server,
        SINKS,
        "INSERT INTO silver.built_by_dbt VALUES (1)",
        "SELECT * FROM silver.built_by_dbt",
        "CREATE TABLE silver.by_sink (id int)",
        "CREATE TABLE bronze.by_sink (id int)",
        "DROP TABLE bronze.raw_transactions",
        "DELETE FROM bronze.raw_transactions",
        "TRUNCATE bronze.blacklist",
        "ALTER TABLE bronze.blacklist ADD COLUMN extra int",
    )


def test_dbt_reads_bronze_and_builds_silver_and_gold(server: PostgresServer) -> None:
    _run(server, DBT, "SELECT count(*) FROM bronze.raw_transactions")
    for schema in ("silver", "gold"):
        _run(server, DBT, f"CREATE TABLE {schema}.rebuilt AS SELECT 1 AS id")
        _run(server, DBT, f"ALTER TABLE {schema}.rebuilt RENAME TO rebuilt_old")
        _run(server, DBT, f"DROP TABLE {schema}.rebuilt_old")
    _denied(
        server,
        DBT,
        "INSERT INTO bronze.blacklist (entity_type, entity_id, reason) VALUES ('store', 'x', 'y')",
        "UPDATE bronze.blacklist SET reason = 'dbt'",
        "DELETE FROM bronze.blacklist",
        "CREATE TABLE bronze.by_dbt (id int)",
        "DROP TABLE bronze.customers",
        "DROP SCHEMA silver CASCADE",
    )


def test_the_owner_reads_what_dbt_builds(server: PostgresServer) -> None:
    # The maintenance DAG (as the owner) checks silver before it prunes bronze.
    _run(server, DBT, "CREATE TABLE silver.for_maintenance AS SELECT 1 AS id")
    _run(server, OWNER, "SELECT * FROM silver.for_maintenance")
    _denied(server, OWNER, "INSERT INTO silver.for_maintenance VALUES (2)")


def test_a_table_added_by_a_later_migration_is_granted_too(server: PostgresServer) -> None:
    _run(server, OWNER, "CREATE TABLE bronze.added_later (id int PRIMARY KEY)")
    _run(server, SINKS, "INSERT INTO bronze.added_later VALUES (1)")
    _run(server, DBT, "SELECT * FROM bronze.added_later")
    _denied(server, DBT, "INSERT INTO bronze.added_later VALUES (2)")


def test_grants_are_idempotent_and_follow_a_narrowed_spec(
    server: PostgresServer, tmp_path: Path
) -> None:
    roles = platform_roles()
    declared = owner_grants(roles, schemas())
    owner = server.dsn(user=OWNER)
    migrate(owner, grants=declared)
    before = _privileges(server)
    migrate(owner, grants=declared)
    assert _privileges(server) == before

    narrowed = [RoleAccess(r.name, {"bronze": "read"}) if r.name == SINKS else r for r in roles]
    migrate(owner, grants=owner_grants(narrowed, schemas()))
    _denied(server, SINKS, UPSERT.replace("%s", "'S-narrowed'"))
    _run(server, SINKS, "SELECT count(*) FROM bronze.raw_transactions")

    # The migration Job's way back: the rendered grants file through the CLI.
    grants_file = tmp_path / "grants.sql"
    grants_file.write_text(declared, encoding="utf-8")
    assert migrations_cli(["migrate", "--dsn", owner, "--grants-file", str(grants_file)]) == 0
    _run(server, SINKS, UPSERT, "S-restored")
    assert _privileges(server) == before
