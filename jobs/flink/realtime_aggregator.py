"""realtime-aggregator: per-store and per-category windows to ``metrics.realtime``.

Transactions and fraud alerts are read with their event time — the Kafka
record timestamp, which the event generator and the fraud-detector set to the
transaction's own time — watermarked per partition inside the sources with
bounded out-of-orderness, and aggregated in tumbling windows: count, amount
sum and average, fraud-alert rate. Late events within the allowed lateness
fire their window again as an update; ``metrics.realtime`` is an upsert
stream keyed by (dimension, key, window_start), written transactionally.

It is Flink SQL driven from Python: windows over two topics need per-partition
watermarks in the sources (a watermark after a union of unevenly read
partitions drops most events as late), and PyFlink 1.20's Python windows lose
record timestamps at ``key_by`` ("Record has Java Long.MIN_VALUE timestamp").

    python -m jobs.flink.realtime_aggregator --bootstrap-servers HOST:9092
"""

import argparse
import sys

from pyflink.datastream import StreamExecutionEnvironment

from jobs.flink import topics
from jobs.flink.environment import common_arguments, create_environment, job_options, run
from jobs.flink.tables import kafka_raw_source, upsert_kafka_sink

# Its Kafka consumer group (offsets commit with each checkpoint; the demo waits on them).
CONSUMER_GROUP = "flink-aggregator"

JOB_NAME = "realtime-aggregator"
METRIC_COLUMNS = {
    "dimension": "STRING",
    "key": "STRING",
    "window_start": "TIMESTAMP(3)",
    "window_end": "TIMESTAMP(3)",
    "transactions": "BIGINT",
    "amount_sum": "DECIMAL(18, 2)",
    "amount_avg": "DECIMAL(18, 2)",
    "alerts": "BIGINT",
    "alert_rate": "DOUBLE",
}
TICKS_SQL = """
SELECT JSON_VALUE(`value`, '$.store_id') AS store_id,
       COALESCE(JSON_VALUE(`value`, '$.category'), 'unknown') AS category,
       TRY_CAST(JSON_VALUE(`value`, '$.amount') AS DECIMAL(12, 2)) AS amount,
       {alert} AS alert, record_time
FROM {source}
WHERE JSON_VALUE(`value`, '$.store_id') IS NOT NULL
  AND TRY_CAST(JSON_VALUE(`value`, '$.amount') AS DECIMAL(12, 2)) > 0
"""
WINDOW_SQL = """
SELECT '{dimension}' AS dimension, {field} AS `key`,
       TUMBLE_START(record_time, INTERVAL '{window}' SECOND) AS window_start,
       TUMBLE_END(record_time, INTERVAL '{window}' SECOND) AS window_end,
       COUNT(*) FILTER (WHERE NOT alert) AS transactions,
       CAST(COALESCE(SUM(amount) FILTER (WHERE NOT alert), 0) AS DECIMAL(18, 2)) AS amount_sum,
       CAST(COALESCE(AVG(amount) FILTER (WHERE NOT alert), 0) AS DECIMAL(18, 2)) AS amount_avg,
       COUNT(*) FILTER (WHERE alert) AS alerts,
       CASE WHEN COUNT(*) FILTER (WHERE NOT alert) = 0 THEN 0.0
            ELSE CAST(COUNT(*) FILTER (WHERE alert) AS DOUBLE)
                 / COUNT(*) FILTER (WHERE NOT alert) END AS alert_rate
FROM ticks
GROUP BY {field}, TUMBLE(record_time, INTERVAL '{window}' SECOND)
"""


def build(argv: list[str] | None = None) -> StreamExecutionEnvironment:
    """The job's pipeline, ready to ``execute``."""
    parser = argparse.ArgumentParser(
        prog="python -m jobs.flink.realtime_aggregator", description=__doc__
    )
    common_arguments(parser)
    parser.add_argument("--window-s", type=int, default=60)
    parser.add_argument("--out-of-orderness-s", type=int, default=5)
    parser.add_argument("--allowed-lateness-s", type=int, default=30)
    args = parser.parse_args(argv)
    options = job_options(args)
    environment, tables = create_environment(options)
    for key, value in {
        "table.exec.emit.late-fire.enabled": "true",
        "table.exec.emit.late-fire.delay": "0 s",
        "table.exec.emit.allow-lateness": f"{args.allowed_lateness_s} s",
        "table.exec.source.idle-timeout": "10 s",
    }.items():
        tables.get_config().set(key, value)
    lateness = args.out_of_orderness_s
    tables.execute_sql(
        kafka_raw_source(
            "agg_transactions",
            topics.TRANSACTIONS,
            CONSUMER_GROUP,
            options,
            watermark_s=lateness,
        )
    )
    tables.execute_sql(
        kafka_raw_source("agg_alerts", topics.ALERTS, CONSUMER_GROUP, options, watermark_s=lateness)
    )
    ticks = " UNION ALL ".join(
        TICKS_SQL.format(alert=alert, source=source)
        for alert, source in (("FALSE", "agg_transactions"), ("TRUE", "agg_alerts"))
    )
    tables.execute_sql(f"CREATE TEMPORARY VIEW ticks AS {ticks}")
    tables.execute_sql(
        upsert_kafka_sink(
            "metrics", topics.METRICS, METRIC_COLUMNS, ["dimension", "key", "window_start"], options
        )
    )
    windows = " UNION ALL ".join(
        WINDOW_SQL.format(dimension=dimension, field=field, window=args.window_s)
        for dimension, field in (("store", "store_id"), ("category", "category"))
    )
    statements = tables.create_statement_set()
    statements.add_insert_sql(f"INSERT INTO metrics {windows}")
    statements.attach_as_datastream()
    return environment


def main(argv: list[str] | None = None) -> int:
    """Build and run the job until it ends (``--bounded``) or is cancelled."""
    return run(build, JOB_NAME, argv)


if __name__ == "__main__":
    sys.exit(main())
