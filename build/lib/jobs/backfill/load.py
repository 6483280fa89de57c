"""Write a ``BronzeBatch`` with COPY, keeping the jobs' idempotence.

COPY cannot skip conflicts, so rows go to a temporary table first and then
``INSERT … ON CONFLICT DO NOTHING`` into bronze: loading the same events twice
adds nothing, as a replay of the streaming jobs would not.
"""

from datetime import datetime

import psycopg
from psycopg import sql

from jobs.backfill.rows import BronzeBatch, Row
from jobs.flink.routing import ALERT_COLUMNS, BRONZE_COLUMNS


def _copy(
    cursor: psycopg.Cursor[tuple[object, ...]],
    table: str,
    columns: list[str],
    rows: list[Row],
    ingested_at: datetime | None,
) -> int:
    staging = sql.Identifier(f"load_{table}")
    cursor.execute(
        sql.SQL(
            "CREATE TEMPORARY TABLE {} (LIKE bronze.{} INCLUDING DEFAULTS) ON COMMIT DROP"
        ).format(staging, sql.Identifier(table))
    )
    if ingested_at is not None:  # stamped as rows arrive, not by rewriting them after
        cursor.execute(
            sql.SQL("ALTER TABLE {} ALTER COLUMN ingested_at SET DEFAULT {}").format(
                staging, sql.Literal(ingested_at)
            )
        )
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(staging, names)) as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(
        sql.SQL("INSERT INTO bronze.{} SELECT * FROM {} ON CONFLICT DO NOTHING").format(
            sql.Identifier(table), staging
        )
    )
    return cursor.rowcount


def load(dsn: str, batch: BronzeBatch, ingested_at: datetime | None = None) -> dict[str, int]:
    """Insert the batch in one transaction; return new rows per table.

    ``ingested_at`` backdates the load (dbt's incremental watermark reads it);
    by default the column's ``now()`` applies, as for the streaming jobs.
    """
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        return {
            "raw_transactions": _copy(
                cursor, "raw_transactions", BRONZE_COLUMNS, batch.transactions, ingested_at
            ),
            "raw_fraud_alerts": _copy(
                cursor, "raw_fraud_alerts", ALERT_COLUMNS, batch.alerts, ingested_at
            ),
        }
