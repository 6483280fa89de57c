"""How the warehouse is watched: CloudNativePG's exporter and the freshness queries.

Each instance's exporter serves CloudNativePG's own metrics (cluster only) and
the custom queries of ``monitoring`` (``cnpg_<query>_<column>``). Runbooks:
docs/runbooks/{PostgresInstanceDown,PostgresStorageHigh}.md.
"""

from generator.components.observability import Alert, Metric, Source, up
from generator.components.postgres.spec import PostgresSpec
from generator.spec.quantity import memory_bytes

# Epoch seconds of the newest bronze row: what the freshness SLO measures.
BRONZE_NEWEST = "cnpg_streamflow_bronze_newest_ingested_seconds"
CATALOGUE = (
    # Warehouse freshness through CloudNativePG custom queries
    Metric(BRONZE_NEWEST, Source.CNPG_CUSTOM,
           "epoch seconds of the newest bronze transaction (0 when empty)"),
    Metric(
        "cnpg_streamflow_bronze_rows_last_hour",
        Source.CNPG_CUSTOM,
        "bronze transactions ingested in the last hour",
    ),
    Metric(
        "cnpg_streamflow_gold_newest_ingested_seconds",
        Source.CNPG_CUSTOM,
        "epoch seconds of the newest row dbt has built into gold (0 before the first build)",
    ),
    # CloudNativePG's own exporter (cluster only)
    Metric("cnpg_collector_up", Source.CNPG, "1 when the instance's PostgreSQL answers"),
    Metric("cnpg_pg_database_size_bytes", Source.CNPG, "size of each database"),
    Metric("cnpg_backends_total", Source.CNPG, "connections by database and state"),
)  # fmt: skip


def alerts(component: str, pg: PostgresSpec) -> list[Alert]:
    """An instance down, or the volume filling, against the spec's instances and size."""
    instances, fraction = pg.instances, pg.alerts.storage_fraction
    volume = memory_bytes(pg.storage_size)
    return [
        Alert("PostgresInstanceDown",
               "min(cnpg_collector_up) == 0 or "
               f"(count({up(component)} == 1) or vector(0)) < {instances}",
               "2m", "critical", "A PostgreSQL instance is down",
               f"Fewer than the {instances} instance(s) of the spec are up; the JDBC "
               "sinks retry and the jobs restart until the primary is back."),
        Alert("PostgresStorageHigh",
               f"sum(cnpg_pg_database_size_bytes) / {volume} > {fraction}",
               "15m", "warning", "The warehouse volume is filling up",
               f"Databases use more than {fraction:.0%} of the "
               f"{volume // 2**30}Gi volume the spec declares."),
    ]  # fmt: skip
