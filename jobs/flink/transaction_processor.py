"""transaction-processor: ``transactions.raw`` → ``bronze.raw_transactions`` | ``streamflow.dlq``.

Every record is parsed and validated (version-aware); a valid one becomes a
bronze row (upserted on ``transaction_id``, so a replay never duplicates it),
an invalid one a ``DLQRecord`` with its partition and offset, produced
transactionally. Each input record lands in exactly one of the two.

    python -m jobs.flink.transaction_processor --bootstrap-servers HOST:9092
"""

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from pyflink.common import Row, Types
from pyflink.datastream import (
    OutputTag,
    ProcessFunction,
    RuntimeContext,
    StreamExecutionEnvironment,
)

from jobs.flink import topics
from jobs.flink.environment import common_arguments, create_environment, job_options, run
from jobs.flink.metrics import ByLabel, EventTime, LatencyCounters, LocalCounter, streamflow_group
from jobs.flink.routing import BRONZE_COLUMNS, bronze_row, classify
from jobs.flink.sinks import exactly_once_kafka_sink
from jobs.flink.tables import jdbc_sink, kafka_raw_source
from libs.contracts.metrics import PROCESSING
from libs.models.events import DLQRecord

# Its Kafka consumer group (offsets commit with each checkpoint; the demo waits on them).
CONSUMER_GROUP = "flink-processor"

JOB_NAME = "transaction-processor"
DLQ = OutputTag("dlq", Types.STRING())
BRONZE_TYPE = Types.ROW_NAMED(BRONZE_COLUMNS, [Types.STRING()] * len(BRONZE_COLUMNS))


class RouteTransactions(ProcessFunction):  # type: ignore[misc]
    """Valid records to the main output, invalid ones to the DLQ side output."""

    def open(self, runtime_context: RuntimeContext) -> None:
        """Register the job's metrics (jobs/flink/metrics.py)."""
        group = streamflow_group(runtime_context)
        self.received = LocalCounter(group, "events_received")
        self.processed = LocalCounter(group, "events_processed")
        self.dead_lettered = ByLabel(group, "error", "dead_lettered")
        self.latency = LatencyCounters(group, PROCESSING)
        self.event_time = EventTime(group)

    def process_element(self, value: Row, ctx: ProcessFunction.Context) -> Iterator[Any]:
        """Route one Kafka record."""
        self.received.inc()
        partition, offset = value["partition"], value["offset"]
        parsed = classify(value["value"], value["key"], partition, offset)
        if isinstance(parsed, DLQRecord):
            self.dead_lettered.inc(parsed.error_type)
            yield DLQ, parsed.to_json().decode()
            return
        event_ms = int(parsed.timestamp.timestamp() * 1000)
        self.latency.observe(event_ms)
        self.event_time.saw(event_ms)
        self.processed.inc()
        yield Row(*bronze_row(parsed, partition, offset))


def build(argv: list[str] | None = None) -> StreamExecutionEnvironment:
    """The job's pipeline, ready to ``execute``."""
    parser = argparse.ArgumentParser(
        prog="python -m jobs.flink.transaction_processor", description=__doc__
    )
    common_arguments(parser)
    options = job_options(parser.parse_args(argv))
    environment, tables = create_environment(options)
    tables.execute_sql(
        kafka_raw_source("raw_transactions_source", topics.TRANSACTIONS, CONSUMER_GROUP, options)
    )
    tables.execute_sql(
        jdbc_sink(
            "bronze_transactions",
            "bronze.raw_transactions",
            BRONZE_COLUMNS,
            "transaction_id",
            options,
        )
    )
    records = tables.to_data_stream(tables.from_path("raw_transactions_source"))
    routed = records.process(RouteTransactions(), output_type=BRONZE_TYPE).name(
        "parse-and-validate"
    )
    routed.get_side_output(DLQ).sink_to(
        exactly_once_kafka_sink(options.bootstrap_servers, topics.DLQ, "streamflow-dlq")
    ).name("dlq")
    statements = tables.create_statement_set()
    statements.add_insert("bronze_transactions", tables.from_data_stream(routed))
    statements.attach_as_datastream()
    return environment


def main(argv: list[str] | None = None) -> int:
    """Build and run the job until it ends (``--bounded``) or is cancelled."""
    return run(build, JOB_NAME, argv)


if __name__ == "__main__":
    sys.exit(main())
