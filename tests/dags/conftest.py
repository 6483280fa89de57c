"""Airflow on a real PostgreSQL metadata database, with the warehouse on the same server.

Airflow reads its configuration when first imported, and pytest imports the
test modules (and with them Airflow and Cosmos) before any fixture runs. So
this file fixes everything Airflow reads *at import*: a fresh AIRFLOW_HOME, and
the server's port, chosen now and used when the ``airflow`` fixture starts
the server. Nothing outside this temporary home is touched.
"""

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from devtools.testing.postgres import OWNER, PostgresServer
from devtools.testing.roles import role_with
from jobs.backfill.load import load
from jobs.backfill.rows import Replayer, take
from jobs.events.stream import EventStream, GeneratorConfig
from jobs.migrations.seed import seed
from libs.processes import HarnessError, free_port

REPOSITORY = Path(__file__).resolve().parents[2]
DAGS = REPOSITORY / "dags"
PORT = free_port()
HOME = Path(tempfile.mkdtemp(prefix="streamflow-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@127.0.0.1:{PORT}/airflow",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        # Cosmos runs `dbt ls` while a DAG file is parsed (LoadMode.DBT_LS): a few seconds
        # here, over Airflow's 30 s import timeout when `make test` runs the other suites
        # beside this one. What these tests check is that the DAGs import, not how fast
        # a shared CI machine parses them.
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "300",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(HOME / "logs"),
        # As in the cluster: dbt logs in as the role that builds silver and gold, the
        # maintenance DAG as the owner. The harness server trusts loopback; the
        # password is a placeholder Cosmos requires.
        "AIRFLOW_CONN_STREAMFLOW_WAREHOUSE": (
            f"postgresql://{role_with('silver', 'build')}:trust@127.0.0.1:{PORT}/streamflow"
        ),
        "AIRFLOW_CONN_STREAMFLOW_MAINTENANCE": f"postgresql://{OWNER}:trust@127.0.0.1:{PORT}/streamflow",
    }
)
# Airflow puts the DAG folder on sys.path when it parses DAGs; the helpers live there.
sys.path.insert(0, str(DAGS))
# Initialise Airflow (with the settings above) before anything imports Cosmos, as the
# DAG processor does: Cosmos is also an Airflow plugin, and importing it first is circular.
import airflow  # noqa: E402, F401 (imported for its side effect)

TRANSACTIONS = 20_000


@dataclass(frozen=True)
class AirflowWarehouse:
    """The server holding Airflow's metadata and the warehouse, with bronze loaded."""

    server: PostgresServer

    def airflow(self, *arguments: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run the ``airflow`` CLI of this virtualenv with the test configuration."""
        command = [str(Path(sys.executable).with_name("airflow")), *arguments]
        return subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=timeout, env=os.environ
        )

    def count(self, relation: str) -> int:
        """Rows in ``relation`` of the warehouse."""
        with psycopg.connect(self.server.dsn()) as connection:
            row = connection.execute(f"SELECT count(*) FROM {relation}").fetchone()
        return int(row[0]) if row else 0


def load_bronze(dsn: str) -> None:
    """Generated transactions and alerts, ingested 10 minutes ago (past dbt's settle window)."""
    stream = EventStream(GeneratorConfig(seed=3))
    seed(dsn, stream.world)
    batch = Replayer.for_world(stream.world).replay(
        take(iter(stream), TRANSACTIONS), datetime.now(UTC)
    )
    load(dsn, batch, ingested_at=datetime.now(UTC) - timedelta(minutes=10))


@pytest.fixture(scope="session")
def airflow_stack() -> Iterator[AirflowWarehouse]:
    """Server started, warehouse migrated and loaded, ``airflow db migrate`` done."""
    with PostgresServer(port=PORT) as server:
        server.create_database("airflow")
        load_bronze(server.dsn())
        warehouse = AirflowWarehouse(server)
        migrated = warehouse.airflow("db", "migrate")
        if migrated.returncode != 0:
            raise HarnessError(f"airflow db migrate failed:\n{migrated.stdout}{migrated.stderr}")
        yield warehouse
