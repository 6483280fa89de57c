"""The four Grafana dashboards, built with Grafana's foundation SDK and shipped as ConfigMaps.

kube-prometheus-stack's Grafana sidecar loads every ConfigMap labelled
``grafana_dashboard: "1"``. Each dashboard has a stable uid, a data-source
variable (so it works against any Prometheus), and queries that select on the
labels the monitors set (``streamflow_component``) or that the exporters set
(Flink's ``job_name``, Kafka's ``topic``), never on the scrape ``job``. Every
metric a panel uses is in ``generator.metrics`` (a test parses each query).
"""

import json
from collections.abc import Sequence
from typing import Any

from grafana_foundation_sdk.builders.dashboard import Dashboard, DatasourceVariable, Row
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.builders.stat import Panel as Stat
from grafana_foundation_sdk.builders.timeseries import Panel as TimeSeries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.common import DataSourceRef

from generator.manifests.objects import Manifest, metadata, resource
from generator.metrics import JOB_PREFIX as JOB
from libs.contracts.metrics import DETECTION, PROCESSING, bounds_within, reported_job_name

# The job whose event-time lag the fraud dashboard shows (its module's JOB_NAME).
DETECTOR = reported_job_name("fraud-detector")

SIDECAR_LABEL = {"grafana_dashboard": "1"}
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
Query = tuple[str, str]  # (expression, legend)


def _targets(panel: Any, queries: Sequence[Query]) -> Any:
    for expression, legend in queries:
        panel = panel.with_target(Dataquery().expr(expression).legend_format(legend))
    return panel


def series(title: str, unit: str, *queries: Query) -> TimeSeries:
    """A time-series panel."""
    panel = TimeSeries().title(title).datasource(DATASOURCE).unit(unit).span(12).height(8)
    return _targets(panel, queries)  # type: ignore[no-any-return]


def stat(title: str, unit: str, *queries: Query) -> Stat:
    """A single-value panel."""
    panel = Stat().title(title).datasource(DATASOURCE).unit(unit).span(6).height(4)
    return _targets(panel, queries)  # type: ignore[no-any-return]


def _dashboard(
    uid: str, title: str, description: str, rows: Sequence[tuple[str, list[Any]]]
) -> Dashboard:
    board = (
        Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["streamflow"])
        .refresh("30s")
        .time("now-6h", "now")
        .with_variable(DatasourceVariable("datasource").label("Data source").type("prometheus"))
    )
    for row, panels in rows:
        board = board.with_row(Row(row))
        for panel in panels:
            board = board.with_panel(panel)
    return board


def _within(measure: str, seconds: float, window: str = "5m") -> str:
    buckets = "|".join(bounds_within(seconds))
    return (
        f'sum(rate({JOB}measure_le_latency_bucket{{measure="{measure}",le=~"{buckets}"}}[{window}]))'
        f' / (sum(rate({JOB}measure_latency_events{{measure="{measure}"}}[{window}])) > 0)'
    )


def pipeline(slos: Sequence[tuple[str, str]], period: str) -> Dashboard:
    """Pipeline overview: the SLOs first, then what flows through the pipeline."""
    slo_panels: list[Any] = [
        stat(f"SLO {name} over {period}", "percentunit",
             (f'1 - slo:sli_error:ratio_rate{period}{{slo="{name}"}}', description))
        for name, description in slos
    ]  # fmt: skip
    slo_panels += [
        series("Error budget remaining", "percentunit",
               ("slo:error_budget:remaining", "{{slo}}")),
        series("Error ratio (1h)", "percentunit", ("slo:sli_error:ratio_rate1h", "{{slo}}")),
    ]  # fmt: skip
    flow = [
        series(
            "Events per second",
            "ops",
            (f"sum(rate({JOB}events_received[5m]))", "received"),
            (f"sum(rate({JOB}events_processed[5m]))", "to bronze"),
            (f"sum by (error) (rate({JOB}error_dead_lettered[5m]))", "DLQ: {{error}}"),
        ),
        series(
            "Warehouse freshness",
            "s",
            ("time() - max(cnpg_streamflow_bronze_newest_ingested_seconds)", "bronze"),
            ("time() - max(cnpg_streamflow_gold_newest_ingested_seconds)", "gold (dbt)"),
        ),
        stat(
            "Bronze rows, last hour",
            "short",
            ("max(cnpg_streamflow_bronze_rows_last_hour)", "rows"),
        ),
        stat(
            "Targets up",
            "short",
            ("sum by (streamflow_component) (up)", "{{streamflow_component}}"),
        ),
    ]
    warehouse = [
        series("Database size", "bytes",
               ("max by (datname) (cnpg_pg_database_size_bytes)", "{{datname}}")),
        series("PostgreSQL connections", "short",
               ("sum by (datname, state) (cnpg_backends_total)", "{{datname}} {{state}}")),
        stat("Instances answering", "short", ("sum(cnpg_collector_up)", "up")),
    ]  # fmt: skip
    return _dashboard(
        "streamflow-pipeline",
        "StreamFlow / Pipeline overview",
        "SLOs and the flow from Kafka through Flink into the warehouse.",
        [("Service-level objectives", slo_panels), ("Pipeline", flow), ("Warehouse", warehouse)],
    )


def kafka() -> Dashboard:
    """The Kafka brokers: traffic per topic and partition health."""
    brokers = 'up{streamflow_component="kafka"}'
    panels = [
        stat("Brokers up", "short", (f"sum({brokers})", "up")),
        stat("Active controllers", "short",
             ("sum(kafka_controller_kafkacontroller_activecontrollercount)", "active")),
        stat("Offline partitions", "short",
             ("sum(kafka_controller_kafkacontroller_offlinepartitionscount)", "offline")),
        stat("Under min ISR", "short",
             ("sum(kafka_server_replicamanager_underminisrpartitioncount)", "under min ISR")),
        series("Messages in per topic", "ops",
               ('sum by (topic) (rate(kafka_server_brokertopicmetrics_messagesinpersec_total'
                '{topic!=""}[5m]))', "{{topic}}")),
        series("Bytes in and out", "Bps",
               ('sum(rate(kafka_server_brokertopicmetrics_bytesinpersec_total{topic=""}[5m]))',
                "in"),
               ('sum(rate(kafka_server_brokertopicmetrics_bytesoutpersec_total{topic=""}[5m]))',
                "out")),
        series("Under-replicated partitions", "short",
               ("sum(kafka_server_replicamanager_underreplicatedpartitions)", "under-replicated")),
        series("Log size per topic", "bytes",
               ("sum by (topic) (kafka_log_log_size)", "{{topic}}")),
        series("Broker state (3 = running)", "short",
               ("kafka_server_kafkaserver_brokerstate", "{{pod}}")),
    ]  # fmt: skip
    return _dashboard("streamflow-kafka", "StreamFlow / Kafka",
                      "Strimzi-managed brokers, through Strimzi's metrics reporter.",
                      [("Brokers", panels)])  # fmt: skip


def flink() -> Dashboard:
    """The Flink jobs: running, checkpointing, keeping up, fast enough."""
    panels = [
        series("Uptime", "ms", ("max by (job_name) (flink_jobmanager_job_uptime)", "{{job_name}}")),
        series("Restarts (1h)", "short",
               ("max by (job_name) (increase(flink_jobmanager_job_numRestarts[1h]))",
                "{{job_name}}")),
        series("Checkpoints (15m)", "short",
               ("max by (job_name) (increase(flink_jobmanager_job_numberOfCompletedCheckpoints"
                "[15m]))", "{{job_name}} completed"),
               ("max by (job_name) (increase(flink_jobmanager_job_numberOfFailedCheckpoints"
                "[15m]))", "{{job_name}} failed")),
        series("Last checkpoint duration", "ms",
               ("max by (job_name) (flink_jobmanager_job_lastCheckpointDuration)",
                "{{job_name}}")),
        series("Consumer lag (records)", "short",
               ("max by (job_name) (flink_taskmanager_job_task_operator_pendingRecords)",
                "{{job_name}}")),
        series("Records in per second", "ops",
               ("sum by (job_name, task_name) (flink_taskmanager_job_task_numRecordsInPerSecond)",
                "{{job_name}} {{task_name}}")),
        series("Busy and back-pressured (ms/s)", "ms",
               ("max by (job_name) (flink_taskmanager_job_task_busyTimeMsPerSecond)",
                "{{job_name}} busy"),
               ("max by (job_name) (flink_taskmanager_job_task_backPressuredTimeMsPerSecond)",
                "{{job_name}} back-pressured")),
        series("Processing latency within 1 / 5 s", "percentunit",
               (_within(PROCESSING, 1.0), "≤ 1 s"), (_within(PROCESSING, 5.0), "≤ 5 s")),
    ]  # fmt: skip
    return _dashboard("streamflow-flink", "StreamFlow / Flink processing",
                      "The three PyFlink jobs, through Flink's Prometheus reporter.",
                      [("Jobs", panels)])  # fmt: skip


def fraud() -> Dashboard:
    """Fraud monitoring: decisions, alerts by rule, how fast and with which model."""
    rate = f"sum(rate({JOB}alerts[15m])) / (sum(rate({JOB}decisions[15m])) > 0)"
    panels = [
        stat("Alert rate (15m)", "percentunit", (rate, "alerts per decision")),
        stat("Model in use", "short", (f"min({JOB}model_available)", "1 = model, 0 = rules only")),
        series("Decisions and alerts per second", "ops",
               (f"sum(rate({JOB}decisions[5m]))", "decisions"),
               (f"sum(rate({JOB}alerts[5m]))", "alerts")),
        series("Alerts by rule", "ops",
               (f"sum by (rule_id) (rate({JOB}rule_id_alerts[5m]))", "{{rule_id}}")),
        series("Detection latency within 1 / 2 s", "percentunit",
               (_within(DETECTION, 1.0), "≤ 1 s"), (_within(DETECTION, 2.0), "≤ 2 s")),
        series("Event-time lag of the detector", "ms",
               (f'time() * 1000 - max({JOB}last_event_time_ms{{job_name="{DETECTOR}"}})',
                "now - newest event")),
    ]  # fmt: skip
    return _dashboard("streamflow-fraud", "StreamFlow / Fraud monitoring",
                      "What the fraud-detector decides, by rule, and how fast.",
                      [("Detection", panels)])  # fmt: skip


def dashboards(slos: Sequence[tuple[str, str]], period: str) -> list[dict[str, Any]]:
    """The four dashboards as Grafana JSON models."""
    boards = [pipeline(slos, period), kafka(), flink(), fraud()]
    encoder = JSONEncoder(sort_keys=True)
    return [json.loads(encoder.encode(board.build())) for board in boards]


def config_maps(namespace: str, slos: Sequence[tuple[str, str]], period: str) -> list[Manifest]:
    """One ConfigMap per dashboard, labelled for the Grafana sidecar."""
    return [
        resource(
            "v1",
            "ConfigMap",
            metadata(f"dashboard-{model['uid']}", namespace, labels=SIDECAR_LABEL),
            data={f"{model['uid']}.json": json.dumps(model, sort_keys=True, indent=2) + "\n"},
        )
        for model in dashboards(slos, period)
    ]
