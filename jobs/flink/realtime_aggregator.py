"""realtime-aggregator: per-store and per-category windows to ``metrics.realtime``.

Transactions and fraud alerts are parsed in Python into ticks at their *event*
time; Flink SQL (in the JVM) watermarks them with bounded out-of-orderness
and aggregates tumbling windows: count, amount sum and average, fraud-alert
rate. Late ticks within the allowed lateness fire their window again as an
update; ``metrics.realtime`` is written as an upsert stream keyed by
(dimension, key, window_start), transactionally.

The windows run in SQL rather than the Python DataStream API because PyFlink
1.20 loses record timestamps between a Python watermark assigner and
``key_by``'s Python key extraction (every window then fails with "Record has
Java Long.MIN_VALUE timestamp"), in thread and process mode alike.

    python -m jobs.flink.realtime_aggregator --bootstrap-servers HOST:9092
"""

import argparse
import sys
from collections.abc import Callable, Iterator
from typing import Any

from pyflink.common import Row, Types
from pyflink.datastream import DataStream, StreamExecutionEnvironment
from pyflink.table import Schema

from jobs.flink.aggregation import Tick, alert_tick, transaction_tick
from jobs.flink.environment import common_arguments, create_environment, job_options
from jobs.flink.fraud_detector import ALERTS_TOPIC
from jobs.flink.routing import TOPIC
from jobs.flink.tables import kafka_raw_source, upsert_kafka_sink

JOB_NAME = "realtime-aggregator"
METRICS_TOPIC = "metrics.realtime"
TICK_FIELDS = list(Tick._fields)
TICK = Types.ROW_NAMED(
    TICK_FIELDS, [Types.STRING(), Types.STRING(), Types.DOUBLE(), Types.LONG(), Types.BOOLEAN()]
)
METRIC_COLUMNS = {
    "dimension": "STRING", "key": "STRING", "window_start": "TIMESTAMP(3)",
    "window_end": "TIMESTAMP(3)", "transactions": "BIGINT", "amount_sum": "DECIMAL(18, 2)",
    "amount_avg": "DECIMAL(18, 2)", "alerts": "BIGINT", "alert_rate": "DOUBLE",
}  # fmt: skip
WINDOW_SQL = """
SELECT '{dimension}' AS dimension, {field} AS `key`,
       TUMBLE_START(rowtime, INTERVAL '{window}' SECOND) AS window_start,
       TUMBLE_END(rowtime, INTERVAL '{window}' SECOND) AS window_end,
       COUNT(*) FILTER (WHERE NOT alert) AS transactions,
       CAST(COALESCE(SUM(amount) FILTER (WHERE NOT alert), 0) AS DECIMAL(18, 2)) AS amount_sum,
       CAST(COALESCE(AVG(amount) FILTER (WHERE NOT alert), 0) AS DECIMAL(18, 2)) AS amount_avg,
       COUNT(*) FILTER (WHERE alert) AS alerts,
       CASE WHEN COUNT(*) FILTER (WHERE NOT alert) = 0 THEN 0.0
            ELSE CAST(COUNT(*) FILTER (WHERE alert) AS DOUBLE)
                 / COUNT(*) FILTER (WHERE NOT alert) END AS alert_rate
FROM ticks
GROUP BY {field}, TUMBLE(rowtime, INTERVAL '{window}' SECOND)
"""


def _ticks(raw_rows: DataStream, parse: Callable[[bytes], Tick]) -> DataStream:
    def to_tick(row: Row) -> Iterator[Row]:
        try:
            yield Row(*parse(row["value"]))
        except (ValueError, KeyError, TypeError):
            return

    return raw_rows.flat_map(to_tick, output_type=TICK)


def build(argv: list[str] | None = None) -> StreamExecutionEnvironment:
    """The job's pipeline, ready to ``execute``."""
    parser = argparse.ArgumentParser(prog="python -m jobs.flink.realtime_aggregator",
                                     description=__doc__)  # fmt: skip
    common_arguments(parser)
    parser.add_argument("--window-s", type=int, default=60)
    parser.add_argument("--out-of-orderness-s", type=int, default=5)
    parser.add_argument("--allowed-lateness-s", type=int, default=30)
    args = parser.parse_args(argv)
    options = job_options(args)
    environment, tables = create_environment(options)
    settings: dict[str, Any] = {
        "table.exec.emit.late-fire.enabled": "true",
        "table.exec.emit.late-fire.delay": "0 s",
        "table.exec.emit.allow-lateness": f"{args.allowed_lateness_s} s",
    }
    for key, value in settings.items():
        tables.get_config().set(key, value)
    tables.execute_sql(kafka_raw_source("agg_transactions", TOPIC, "flink-aggregator", options))
    tables.execute_sql(kafka_raw_source("agg_alerts", ALERTS_TOPIC, "flink-aggregator", options))
    ticks = _ticks(tables.to_data_stream(tables.from_path("agg_transactions")), transaction_tick)
    ticks = ticks.union(_ticks(tables.to_data_stream(tables.from_path("agg_alerts")), alert_tick))
    schema = (
        Schema.new_builder()
        .column_by_expression("rowtime", "TO_TIMESTAMP_LTZ(event_ms, 3)")
        .watermark("rowtime", f"rowtime - INTERVAL '{args.out_of_orderness_s}' SECOND")
        .build()
    )
    tables.create_temporary_view("ticks", tables.from_data_stream(ticks, schema))
    tables.execute_sql(upsert_kafka_sink("metrics", METRICS_TOPIC, METRIC_COLUMNS,
                                         ["dimension", "key", "window_start"], options))  # fmt: skip
    query = " UNION ALL ".join(
        WINDOW_SQL.format(dimension=dimension, field=field, window=args.window_s)
        for dimension, field in (("store", "store_id"), ("category", "category"))
    )
    statements = tables.create_statement_set()
    statements.add_insert_sql(f"INSERT INTO metrics {query}")
    statements.attach_as_datastream()
    return environment


def main(argv: list[str] | None = None) -> int:
    """Build and run the job until it ends (``--bounded``) or is cancelled."""
    build(argv).execute(JOB_NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
