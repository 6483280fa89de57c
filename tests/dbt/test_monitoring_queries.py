"""CloudNativePG's freshness queries run on the real warehouse and return their declared columns.

The queries are the ones the generator writes into the ``<cluster>-monitoring``
ConfigMap; CloudNativePG turns each declared column into a metric, so a column
the query does not return would be a metric that never exists.
"""

import time
from typing import Any

import psycopg
import pytest

from generator.components.postgres import COMPONENT as POSTGRES
from generator.components.postgres.monitoring import custom_queries
from generator.pipeline.load import load
from tests.conftest import REPO
from tests.dbt.conftest import NO_SETTLE, Warehouse

pytestmark = pytest.mark.integration
LOADED = 2_000


def run(warehouse: Warehouse, query: dict[str, Any]) -> dict[str, Any]:
    with psycopg.connect(warehouse.server.dsn()) as connection:
        cursor = connection.execute(query["query"])
        row = cursor.fetchone()
        assert row is not None and cursor.description is not None
        returned = [column.name for column in cursor.description]
    declared = [name for metric in query["metrics"] for name in metric]
    assert returned == declared
    return dict(zip(returned, row, strict=True))


def test_freshness_queries_return_every_declared_column(warehouse: Warehouse) -> None:
    queries = custom_queries(POSTGRES.section(load("dev", REPO / "specs").spec))
    assert run(warehouse, queries["streamflow_bronze"]) == {
        "newest_ingested_seconds": 0,
        "rows_last_hour": 0,
    }
    warehouse.load_events(LOADED)
    build = warehouse.dbt.run("build", variables=NO_SETTLE)
    assert build.returncode == 0, build.output
    bronze = run(warehouse, queries["streamflow_bronze"])
    gold = run(warehouse, queries["streamflow_gold"])
    assert bronze["rows_last_hour"] == LOADED
    assert time.time() - float(bronze["newest_ingested_seconds"]) < 600
    assert 0 < float(gold["newest_ingested_seconds"]) <= float(bronze["newest_ingested_seconds"])
