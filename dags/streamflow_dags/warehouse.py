"""Warehouse housekeeping for the maintenance DAG: prune bronze, vacuum, measure.

Pruning only removes bronze rows that are past retention *and* already loaded
into silver (``ingested_at`` at or below the staging model's watermark), so
it can never take data dbt has not seen. Silver and gold keep their history.
"""

from dataclasses import dataclass

# (bronze table, silver model whose watermark proves the rows were loaded)
PRUNABLE = (
    ("raw_transactions", "stg_transactions"),
    ("raw_fraud_alerts", "stg_fraud_alerts"),
)
VACUUMED = ("bronze.raw_transactions", "bronze.raw_fraud_alerts")


def prune_statement(table: str, loaded_by: str) -> str:
    """DELETE of rows older than ``%(retention_days)s`` days that silver already holds."""
    return (
        f"DELETE FROM bronze.{table}"
        " WHERE event_time < now() - make_interval(days => %(retention_days)s)"
        f" AND ingested_at <= (SELECT coalesce(max(ingested_at), '-infinity'::timestamptz)"
        f" FROM silver.{loaded_by})"
    )


def vacuum_statement(table: str) -> str:
    """``VACUUM (ANALYZE)`` of one table (must run outside a transaction)."""
    return f"VACUUM (ANALYZE) {table}"


SIZES_QUERY = """
SELECT n.nspname || '.' || c.relname AS relation,
       pg_total_relation_size(c.oid) AS total_bytes,
       c.reltuples::bigint AS estimated_rows
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname IN ('bronze', 'silver', 'gold') AND c.relkind IN ('r', 'p')
ORDER BY total_bytes DESC, relation
"""


@dataclass(frozen=True)
class TableSize:
    """One table's footprint."""

    relation: str
    total_bytes: int
    estimated_rows: int

    def describe(self) -> str:
        """``bronze.raw_transactions: 123.4 MiB, ~1000000 rows``."""
        rows = max(self.estimated_rows, 0)  # -1 until the table is first analysed
        return f"{self.relation}: {self.total_bytes / 2**20:.1f} MiB, ~{rows} rows"
