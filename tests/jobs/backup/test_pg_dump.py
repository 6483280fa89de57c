"""The dev backup round trip on real PostgreSQL servers: dump, keep the newest, restore, compare.

``jobs/backup/pg_dump.sh`` is the very file the CronJob runs (rendered into its
ConfigMap); here it runs with the harness server's own ``pg_dump``, as the
owner, as in the cluster. The restore goes into a fresh server bootstrapped
from the same spec, as a new ``Cluster`` would be.
"""

import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from devtools.testing.dbt import DbtProject
from devtools.testing.postgres import OWNER, PostgresServer, server_binaries
from devtools.testing.roles import role_with
from jobs.backfill.load import load
from jobs.backfill.rows import Replayer, take
from jobs.events.stream import EventStream, GeneratorConfig
from jobs.migrations.seed import seed

pytestmark = pytest.mark.integration

SCRIPTS = Path(__file__).resolve().parents[3] / "jobs" / "backup"
LAYERS = ("bronze", "silver", "gold")
FINGERPRINT = (
    "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "
    "FROM {table} t"
)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A warehouse with bronze loaded by the sinks' role and silver/gold built by dbt's."""
    with PostgresServer() as server:
        stream = EventStream(GeneratorConfig(seed=21))
        seed(server.dsn(), stream.world)
        events = take(iter(stream), 3_000)
        batch = Replayer.for_world(stream.world).replay(events, datetime.now(UTC))
        load(server.dsn(user=role_with("bronze", "write")), batch,
             ingested_at=datetime.now(UTC) - timedelta(minutes=10))  # fmt: skip
        target = tmp_path_factory.mktemp("dbt-target")
        built = DbtProject("127.0.0.1", server.port, role_with("silver", "build"), target).run(
            "build", "--vars", '{"ingest_settle_seconds": 0}'
        )
        assert built.returncode == 0, built.output
        yield server


def _script(name: str, *arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Run a backup script with the harness server's client binaries first on PATH."""
    path = f"{server_binaries()}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["/bin/sh", str(SCRIPTS / name), *arguments],
        env={**os.environ, "PATH": path, **environment},
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip


def _dump(server: PostgresServer, directory: Path, keep: int) -> subprocess.CompletedProcess[str]:
    dsn_file = directory.parent / "dsn"
    dsn_file.write_text(server.dsn(user=OWNER), encoding="utf-8")
    return _script("pg_dump.sh", BACKUP_DIR=str(directory), KEEP=str(keep), DSN_FILE=str(dsn_file))


def _archives(directory: Path) -> list[Path]:
    return sorted(directory.glob("streamflow-*.dump"))


def fingerprints(server: PostgresServer) -> dict[str, tuple[object, ...]]:
    """Per table of bronze, silver and gold: rows, a checksum of them, owner and grants."""
    found: dict[str, tuple[object, ...]] = {}
    with psycopg.connect(server.dsn()) as connection:
        tables = connection.execute(
            "SELECT n.nspname, c.relname, pg_get_userbyid(c.relowner), "
            "(SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(c.relacl) a) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)",
            (list(LAYERS),),
        ).fetchall()
        for schema, table, owner, grants in tables:
            name = f"{schema}.{table}"
            row = connection.execute(FINGERPRINT.format(table=name).encode()).fetchone()
            assert row is not None
            found[name] = (*row, owner, grants)
    return found


def test_a_backup_restores_every_layer_exactly(source: PostgresServer, tmp_path: Path) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for _ in range(3):
        done = _dump(source, dumps, keep=2)
        assert done.returncode == 0, done.stderr
    archives = _archives(dumps)
    assert len(archives) == 2  # the newest two
    assert sorted(dumps.iterdir()) == archives  # nothing partial left

    expected = fingerprints(source)
    filled = {name.split(".")[0] for name, (rows, *_) in expected.items() if rows}
    assert filled == set(LAYERS)
    with PostgresServer() as fresh:  # bootstrapped from the same spec: roles, empty tables
        restored = _script("pg_restore.sh", str(archives[-1]), fresh.dsn())
        assert restored.returncode == 0, restored.stderr
        assert fingerprints(fresh) == expected
        with psycopg.connect(fresh.dsn(user=role_with("bronze", "write"))) as sinks:
            sinks.execute(
                "INSERT INTO bronze.blacklist (entity_type, entity_id, reason) "
                "VALUES ('store', 'after-restore', 'grants restored')"
            )


def test_a_failed_dump_leaves_the_kept_archives_alone(
    source: PostgresServer, tmp_path: Path
) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    assert _dump(source, dumps, keep=1).returncode == 0
    kept = _archives(dumps)
    unreachable = tmp_path / "unreachable"
    unreachable.write_text("host=127.0.0.1 port=1 user=streamflow dbname=streamflow")
    failed = _script("pg_dump.sh", BACKUP_DIR=str(dumps), KEEP="1", DSN_FILE=str(unreachable))
    assert failed.returncode != 0
    assert "port 1" in failed.stderr or "connection" in failed.stderr.lower()
    assert sorted(dumps.iterdir()) == kept  # no partial file, the good archive kept
    refused = _dump(source, dumps, keep=0)
    assert refused.returncode == 2 and "KEEP must be a positive integer, got '0'" in refused.stderr
    assert sorted(dumps.iterdir()) == kept
