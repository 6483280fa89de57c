"""Every metric name a rule or a dashboard panel may use, and where it comes from.

This table is the contract between the platform and its observability: rules
and panels are checked against it (a name in neither this table nor the live
scrape fails a test), the Kafka reporter's allow-list and the Flink scrape's
keep-list are derived from it, and names from sources that only exist in a
cluster say which upstream document defines them.
"""

from dataclasses import dataclass
from enum import StrEnum


class Source(StrEnum):
    """Who exports a metric; the first five are proven by the local live stack."""

    PROMETHEUS = "prometheus"
    KAFKA = "kafka"
    FLINK = "flink"
    JOB = "job"
    CNPG_CUSTOM = "cnpg-custom"
    CNPG = "cnpg"


LIVE_SOURCES = frozenset(
    {Source.PROMETHEUS, Source.KAFKA, Source.FLINK, Source.JOB, Source.CNPG_CUSTOM}
)
UPSTREAM = {
    Source.PROMETHEUS: (
        "https://prometheus.io/docs/concepts/jobs_instances/"
        "#automatically-generated-labels-and-time-series"
    ),
    Source.KAFKA: "https://github.com/strimzi/metrics-reporter (0.2.0, shipped by Strimzi 0.50.0)",
    Source.FLINK: (
        "https://nightlies.apache.org/flink/flink-docs-release-1.20/docs/ops/metrics/"
        "#system-metrics"
    ),
    Source.JOB: "jobs/flink/metrics.py (this repository)",
    Source.CNPG_CUSTOM: "generator/components/postgres/monitoring.py (this repository)",
    Source.CNPG: (
        "https://cloudnative-pg.io/documentation/current/monitoring/ "
        "(the operator's default-monitoring.yaml)"
    ),
}

# The Flink Prometheus reporter's name of a user metric in an operator scope.
JOB_PREFIX = "flink_taskmanager_job_task_operator_streamflow_"


@dataclass(frozen=True)
class Metric:
    """One metric name and its source."""

    name: str
    source: Source
    meaning: str


def _job(name: str, meaning: str) -> Metric:
    return Metric(JOB_PREFIX + name, Source.JOB, meaning)


CATALOGUE: tuple[Metric, ...] = (
    Metric("up", Source.PROMETHEUS, "1 when the last scrape of a target succeeded"),
    # Strimzi metrics reporter (Kafka's Yammer and client metrics, lowercased)
    Metric("kafka_server_kafkaserver_brokerstate", Source.KAFKA, "broker state (3 = running)"),
    Metric(
        "kafka_controller_kafkacontroller_activecontrollercount",
        Source.KAFKA,
        "1 on the active KRaft controller",
    ),
    Metric(
        "kafka_controller_kafkacontroller_offlinepartitionscount",
        Source.KAFKA,
        "partitions without a leader",
    ),
    Metric(
        "kafka_server_replicamanager_underreplicatedpartitions",
        Source.KAFKA,
        "partitions with fewer in-sync replicas than replicas",
    ),
    Metric(
        "kafka_server_replicamanager_underminisrpartitioncount",
        Source.KAFKA,
        "partitions below min.insync.replicas (acks=all writes fail)",
    ),
    Metric(
        "kafka_server_brokertopicmetrics_messagesinpersec_total",
        Source.KAFKA,
        "messages appended, per topic",
    ),
    Metric(
        "kafka_server_brokertopicmetrics_bytesinpersec_total",
        Source.KAFKA,
        "bytes appended, per topic",
    ),
    Metric(
        "kafka_server_brokertopicmetrics_bytesoutpersec_total",
        Source.KAFKA,
        "bytes fetched by consumers, per topic",
    ),
    Metric("kafka_log_log_size", Source.KAFKA, "bytes on disk per partition"),
    # Flink's built-in job and task metrics through its Prometheus reporter
    Metric("flink_jobmanager_job_uptime", Source.FLINK, "ms since the job started running"),
    Metric(
        "flink_jobmanager_job_numRestarts", Source.FLINK, "restarts since the job was submitted"
    ),
    Metric("flink_jobmanager_job_numberOfFailedCheckpoints", Source.FLINK, "failed checkpoints"),
    Metric(
        "flink_jobmanager_job_numberOfCompletedCheckpoints", Source.FLINK, "completed checkpoints"
    ),
    Metric(
        "flink_jobmanager_job_lastCheckpointDuration", Source.FLINK, "ms the last checkpoint took"
    ),
    Metric(
        "flink_taskmanager_job_task_operator_pendingRecords",
        Source.FLINK,
        "records the Kafka source has not read yet (consumer lag)",
    ),
    Metric(
        "flink_taskmanager_job_task_numRecordsInPerSecond",
        Source.FLINK,
        "records into each task per second",
    ),
    Metric(
        "flink_taskmanager_job_task_busyTimeMsPerSecond",
        Source.FLINK,
        "ms per second each task is busy",
    ),
    Metric(
        "flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
        Source.FLINK,
        "ms per second each task is back-pressured",
    ),
    # The jobs' own metrics (jobs/flink/metrics.py)
    _job("events_received", "raw events read by the transaction-processor"),
    _job("events_processed", "events written to bronze"),
    _job("error_dead_lettered", "events sent to the DLQ, by label error (the error type)"),
    _job("decisions", "transactions scored by the fraud-detector"),
    _job("alerts", "alerts raised"),
    _job("rule_id_alerts", "alerts by label rule_id (an alert counts once per rule it hit)"),
    _job("measure_latency_events", "events timed, by label measure (processing, detection)"),
    _job(
        "measure_le_latency_bucket",
        "events by latency bucket: labels measure and le (upper bound in seconds, or +Inf)",
    ),
    _job("last_event_time_ms", "event time of the newest event seen (ms since the epoch)"),
    _job("model_available", "1 while the fraud-detector scores with its model, 0 rules only"),
    # Warehouse freshness through CloudNativePG custom queries
    Metric(
        "cnpg_streamflow_bronze_newest_ingested_seconds",
        Source.CNPG_CUSTOM,
        "epoch seconds of the newest bronze transaction (0 when empty)",
    ),
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
)

BY_NAME = {metric.name: metric for metric in CATALOGUE}


def names(source: Source) -> tuple[str, ...]:
    """Every catalogued name from one source, in table order."""
    return tuple(m.name for m in CATALOGUE if m.source == source)
