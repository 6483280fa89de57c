"""maintenance: daily bronze pruning, VACUUM (ANALYZE) and a table-size report.

The design's answer to "disk full on PostgreSQL": bronze rows older than the
retention (``STREAMFLOW_BRONZE_RETENTION_DAYS``, 30 by default) that silver
already holds are deleted, the bronze tables vacuumed and analysed, and every
warehouse table's size is logged and returned (XCom) for dashboards.
"""

import logging
from datetime import datetime
from typing import Any

from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import DAG, task
from streamflow_dags.dbt import default_args
from streamflow_dags.settings import Settings
from streamflow_dags.warehouse import (
    PRUNABLE,
    SIZES_QUERY,
    VACUUMED,
    TableSize,
    prune_statement,
    vacuum_statement,
)

LOGGER = logging.getLogger("streamflow.maintenance")
settings = Settings.from_environment()


def _hook() -> PostgresHook:
    return PostgresHook(postgres_conn_id=settings.maintenance_conn_id)


with DAG(
    dag_id="maintenance",
    description="prune bronze past retention, VACUUM (ANALYZE), report table sizes",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["maintenance", "postgres", "streamflow"],
):

    @task
    def prune_bronze() -> dict[str, int]:
        """Delete loaded bronze rows past retention; return rows deleted per table."""
        deleted = {}
        with _hook().get_conn() as connection, connection.cursor() as cursor:
            for table, loaded_by in PRUNABLE:
                cursor.execute(
                    prune_statement(table, loaded_by),
                    {"retention_days": settings.bronze_retention_days},
                )
                deleted[table] = cursor.rowcount
            connection.commit()
        LOGGER.info(
            "pruned bronze (retention %d days): %s", settings.bronze_retention_days, deleted
        )
        return deleted

    @task
    def vacuum_analyze() -> None:
        """VACUUM (ANALYZE) the pruned tables, in autocommit as VACUUM requires."""
        _hook().run([vacuum_statement(table) for table in VACUUMED], autocommit=True)

    @task
    def report_table_sizes() -> list[dict[str, Any]]:
        """Log and return the size of every bronze/silver/gold table."""
        sizes = [TableSize(*row) for row in _hook().get_records(SIZES_QUERY)]
        for size in sizes:
            LOGGER.info("%s", size.describe())
        return [
            {"relation": s.relation, "total_bytes": s.total_bytes, "rows": s.estimated_rows}
            for s in sizes
        ]

    prune_bronze() >> vacuum_analyze() >> report_table_sizes()
