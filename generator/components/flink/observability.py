"""How the Flink jobs are watched: Flink's reporter and the jobs' own metrics.

Flink exports thousands of series per job (every operator, subtask and task
metric); the scrape keeps only this catalogue. The jobs' own metrics are named
by the contract in ``libs.contracts.metrics``. Runbooks:
docs/runbooks/{KafkaConsumerLagHigh,FlinkJobNotRunning,FlinkCheckpointsFailing,
FlinkJobRestartingFrequently}.md.
"""

from generator.components.flink.spec import FlinkSpec
from generator.components.observability import Alert, Dashboard, Metric, Source, series, stat
from libs.contracts.metrics import (
    DETECTION,
    JOB_PREFIX,
    PROCESSING,
    bounds_within,
    reported_job_name,
)

UPTIME = "flink_jobmanager_job_uptime"
# The job whose event-time lag the fraud dashboard shows (its module's JOB_NAME).
DETECTOR = reported_job_name("fraud-detector")


def _job(name: str, meaning: str) -> Metric:
    return Metric(JOB_PREFIX + name, Source.JOB, meaning)


CATALOGUE = (
    # Flink's built-in job and task metrics through its Prometheus reporter
    Metric(UPTIME, Source.FLINK, "ms since the job started running"),
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
    _job(
        "compiled_scoring",
        "1 while the fraud-detector scores with its compiled core, 0 in Python (a slower path)",
    ),
)


def reported_jobs(flink: FlinkSpec) -> tuple[str, ...]:
    """Every job as Flink's reporter labels it (``job_name``)."""
    return tuple(reported_job_name(job.name) for job in flink.jobs)


def alerts(flink: FlinkSpec) -> list[Alert]:
    """Falling behind, not running, not checkpointing, restarting: thresholds from the spec."""
    jobs, limits = reported_jobs(flink), flink.alerts
    # Flink reports -1 (or 0) for a job that is not running; a job whose JobManager is
    # gone reports nothing at all, which only an absent_over_time per job can see.
    not_running = " or ".join(
        [
            f'max by (job_name) (max_over_time({UPTIME}{{job_name=~"{"|".join(jobs)}"}}[2m])) <= 0',
            *(f'absent_over_time({UPTIME}{{job_name="{job}"}}[2m])' for job in jobs),
        ]
    )
    return [
        Alert("KafkaConsumerLagHigh",
               "max by (job_name) (flink_taskmanager_job_task_operator_pendingRecords) "
               f"> {limits.consumer_lag_records}",
               "10m", "warning", "A Flink job is falling behind its Kafka topic",
               f"{{{{ $labels.job_name }}}} has more than {limits.consumer_lag_records} records "
               "still to read for 10 minutes."),
        Alert("FlinkJobNotRunning", not_running, "2m", "critical",
               "A Flink job is not running",
               "{{ $labels.job_name }} reported no uptime for 2 minutes: it failed, was "
               "cancelled, or its JobManager is gone."),
        Alert("FlinkCheckpointsFailing",
               "increase(flink_jobmanager_job_numberOfFailedCheckpoints[15m]) > 0 and "
               "increase(flink_jobmanager_job_numberOfCompletedCheckpoints[15m]) == 0",
               "5m", "critical", "A Flink job's checkpoints are failing",
               "{{ $labels.job_name }} completed no checkpoint in 15 minutes while some failed: "
               "its transactional sinks commit nothing, so alerts and rows stop appearing."),
        Alert("FlinkJobRestartingFrequently",
               f"increase(flink_jobmanager_job_numRestarts[1h]) > {limits.restarts_per_hour}",
               "0m", "warning", "A Flink job keeps restarting",
               f"{{{{ $labels.job_name }}}} restarted more than {limits.restarts_per_hour} times "
               "in an hour (a poison record or an unreachable sink)."),
    ]  # fmt: skip


def within(measure: str, seconds: float, window: str = "5m") -> str:
    """The fraction of a latency ``measure``'s events within ``seconds`` over ``window``."""
    buckets = "|".join(bounds_within(seconds))
    return (
        f'sum(rate({JOB_PREFIX}measure_le_latency_bucket{{measure="{measure}",le=~"{buckets}"}}'
        f"[{window}])) / (sum(rate({JOB_PREFIX}measure_latency_events"
        f'{{measure="{measure}"}}[{window}])) > 0)'
    )


def processing() -> Dashboard:
    """The Flink jobs: running, checkpointing, keeping up, fast enough."""
    panels = [
        series("Uptime", "ms", (f"max by (job_name) ({UPTIME})", "{{job_name}}")),
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
               (within(PROCESSING, 1.0), "≤ 1 s"), (within(PROCESSING, 5.0), "≤ 5 s")),
    ]  # fmt: skip
    return Dashboard("streamflow-flink", "StreamFlow / Flink processing",
                     "The three PyFlink jobs, through Flink's Prometheus reporter.",
                     [("Jobs", panels)])  # fmt: skip


def fraud() -> Dashboard:
    """Fraud monitoring: decisions, alerts by rule, how fast and with which model."""
    job = JOB_PREFIX
    rate = f"sum(rate({job}alerts[15m])) / (sum(rate({job}decisions[15m])) > 0)"
    panels = [
        stat("Alert rate (15m)", "percentunit", (rate, "alerts per decision")),
        stat("Model in use", "short", (f"min({job}model_available)", "1 = model, 0 = rules only")),
        stat("Compiled scoring", "short",
             (f"min({job}compiled_scoring)", "1 = compiled core, 0 = Python fallback")),
        series("Decisions and alerts per second", "ops",
               (f"sum(rate({job}decisions[5m]))", "decisions"),
               (f"sum(rate({job}alerts[5m]))", "alerts")),
        series("Alerts by rule", "ops",
               (f"sum by (rule_id) (rate({job}rule_id_alerts[5m]))", "{{rule_id}}")),
        series("Detection latency within 1 / 2 s", "percentunit",
               (within(DETECTION, 1.0), "≤ 1 s"), (within(DETECTION, 2.0), "≤ 2 s")),
        series("Event-time lag of the detector", "ms",
               (f'time() * 1000 - max({job}last_event_time_ms{{job_name="{DETECTOR}"}})',
                "now - newest event")),
    ]  # fmt: skip
    return Dashboard("streamflow-fraud", "StreamFlow / Fraud monitoring",
                     "What the fraud-detector decides, by rule, and how fast.",
                     [("Detection", panels)])  # fmt: skip
