"""PostgreSQL's CPU per alert row the fraud-detector's JDBC sink upserts into bronze.

The sink sends prepared multi-row ``INSERT … ON CONFLICT (alert_id) DO UPDATE``
statements (pgjdbc's rewritten batches, every value as text of unspecified
type) and commits with each flush. This replays that against a migrated
``bronze.raw_fraud_alerts`` and against copies of it changed one way each,
alternating for ROUNDS rounds over fresh alerts, and prints PostgreSQL's CPU
(every server process, from ``/proc``) per row: what each index, constraint or
the upsert itself costs an alert storm (issue #29), on the same footing.
Run: `.venv-jobs/bin/python benchmarks/bronze_upsert.py`.
"""

import json
import os
import statistics
import uuid

import psycopg
from cpu_split import sample

from devtools.testing.postgres import PostgresServer
from jobs.flink.routing import ALERT_COLUMNS

ROWS, BATCH, FLUSH = 40_000, 128, 2_000
ROUNDS = int(os.environ.get("THROUGHPUT_ROUNDS", "3"))
TABLE = "bronze.raw_fraud_alerts"
# Each variant: a copy of the table (LIKE … INCLUDING ALL), the DDL that changes it, and
# whether rows are upserted (as the sink does) or only inserted.
VARIANTS: dict[str, tuple[list[str], bool]] = {
    "as migrated": ([], True),
    "+ indexes on event_time, customer_id (before V005)": (
        ["CREATE INDEX ON {table} (event_time)", "CREATE INDEX ON {table} (customer_id)"],
        True,
    ),
    "plain INSERT, no ON CONFLICT": ([], False),
}


def alerts(count: int, salt: int) -> list[tuple[str | None, ...]]:
    """Rows as the sink binds them: text, in ALERT_COLUMNS' order, keys unique per salt."""
    hits = json.dumps([{"rule_id": "FR-005", "score": 1.0, "detail": "on the blacklist"}])
    rows = []
    for index in range(count):
        transaction = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{salt}/{index}"))
        values = {
            "alert_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, transaction)),
            "transaction_id": transaction,
            "customer_id": f"C{index % 10_000:07d}",
            "store_id": f"S{index % 500:05d}",
            "amount": "123.45",
            "currency": "EUR",
            "event_time": "2026-01-05T13:45:12.345Z",
            "detected_at": "2026-01-05T13:45:13.500Z",
            "rules_score": "1.0",
            "ml_score": "0.42",
            "blended_score": "0.826",
            "alpha": "0.3",
            "threshold": "0.7",
            "model_version": "v1",
            "rule_hits": hits,
            "schema_version": "1.0",
        }
        rows.append(tuple(values.get(column) for column in ALERT_COLUMNS))
    return rows


def statement(table: str, rows: int, upsert: bool) -> str:
    """The sink's statement for ``rows`` rows."""
    columns = ", ".join(ALERT_COLUMNS)
    row = "(" + ", ".join(["%s"] * len(ALERT_COLUMNS)) + ")"
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in ALERT_COLUMNS if c != "alert_id")
    conflict = f" ON CONFLICT (alert_id) DO UPDATE SET {updates}" if upsert else ""
    return f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * rows)}{conflict}"


def server_micros_per_row(dsn: str, table: str, rows: list[tuple[str | None, ...]],
                          upsert: bool) -> float:  # fmt: skip
    """PostgreSQL's CPU-µs per row, writing ``rows`` into an emptied ``table``."""
    with psycopg.connect(dsn, prepare_threshold=0) as connection:
        connection.execute(f"TRUNCATE {table}")
        connection.commit()
        before = sample()
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            values = [value for row in chunk for value in row]
            connection.execute(statement(table, len(chunk), upsert), values, prepare=True)
            if (start + BATCH) % FLUSH < BATCH:
                connection.commit()
        connection.commit()
        spent = sample()["postgres"] - before["postgres"]
    return 1e6 * spent / len(rows)


def main() -> None:
    """Every variant over the same fresh alerts per round; medians and spread."""
    with PostgresServer() as postgres:
        dsn = postgres.dsn("streamflow")
        tables = {}
        with psycopg.connect(dsn, autocommit=True) as connection:
            for number, (name, (ddl, _)) in enumerate(VARIANTS.items()):
                copy = f"bronze.variant_{number}"
                connection.execute(f"CREATE TABLE {copy} (LIKE {TABLE} INCLUDING ALL)")
                for change in ddl:
                    connection.execute(change.format(table=copy))
                tables[name] = copy
        micros: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for round_number in range(ROUNDS):
            rows = alerts(ROWS, round_number)
            for name, (_, upsert) in VARIANTS.items():
                micros[name].append(server_micros_per_row(dsn, tables[name], rows, upsert))
        print(f"PostgreSQL CPU per alert row, median of {ROUNDS} rounds (min–max):")
        for name, values in micros.items():
            print(f"  {name:52} {statistics.median(values):5.1f} µs "
                  f"({min(values):.1f}–{max(values):.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
