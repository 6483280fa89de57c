"""The platform's nine alert rules, with thresholds from the spec and runbooks in docs/runbooks/.

Every expression selects targets by ``streamflow_component`` (the label the
PodMonitors set and the local stack's scrape config sets alike), never by
``job=``, whose value depends on how a target was discovered.
"""

from typing import Any, NamedTuple

from generator import metrics as m
from generator.components.monitoring.context import RuleContext

Rule = dict[str, Any]
JOB = m.JOB_PREFIX


class Alert(NamedTuple):
    """One alert before it becomes a rule."""

    name: str
    expr: str
    duration: str
    severity: str
    summary: str
    description: str


def _rule(context: RuleContext, alert: Alert) -> Rule:
    return {
        "alert": alert.name,
        "expr": alert.expr,
        "for": alert.duration,
        "labels": {"severity": alert.severity},
        "annotations": {
            "summary": alert.summary,
            "description": alert.description,
            "runbook_url": f"{context.runbooks}/{alert.name}.md",
        },
    }


def alert_rules(c: RuleContext) -> list[Rule]:
    """The nine alerts, in runbook order."""
    t = c.thresholds
    uptime = m.BY_NAME["flink_jobmanager_job_uptime"].name
    # Flink reports -1 (or 0) for a job that is not running; a job whose JobManager is
    # gone reports nothing at all, which only an absent_over_time per job can see.
    not_running = " or ".join(
        [
            f'max by (job_name) (max_over_time({uptime}{{job_name=~"{"|".join(c.flink_jobs)}"}}'
            "[2m])) <= 0",
            *(f'absent_over_time({uptime}{{job_name="{job}"}}[2m])' for job in c.flink_jobs),
        ]
    )
    decisions, alerts = f"{JOB}decisions", f"{JOB}alerts"
    fraud_rate = (
        f"sum(rate({alerts}[30m])) / (sum(rate({decisions}[30m])) > {t.min_decisions_per_second})"
    )
    table = [
        Alert("KafkaBrokerDown",
               f'(count(up{{streamflow_component="kafka"}} == 1) or vector(0)) < {c.brokers}',
               "2m", "critical", "A Kafka broker is down",
               f"Fewer than the {c.brokers} broker(s) of the spec answer scrapes; producers with "
               "acks=all stall once partitions drop below min.insync.replicas."),
        Alert("KafkaConsumerLagHigh",
               "max by (job_name) (flink_taskmanager_job_task_operator_pendingRecords) "
               f"> {t.consumer_lag_records}",
               "10m", "warning", "A Flink job is falling behind its Kafka topic",
               f"{{{{ $labels.job_name }}}} has more than {t.consumer_lag_records} records "
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
               f"increase(flink_jobmanager_job_numRestarts[1h]) > {t.restarts_per_hour}",
               "0m", "warning", "A Flink job keeps restarting",
               f"{{{{ $labels.job_name }}}} restarted more than {t.restarts_per_hour} times "
               "in an hour (a poison record or an unreachable sink)."),
        Alert("PostgresInstanceDown",
               "min(cnpg_collector_up) == 0 or "
               f'(count(up{{streamflow_component="postgres"}} == 1) or vector(0)) '
               f"< {c.postgres_instances}",
               "2m", "critical", "A PostgreSQL instance is down",
               f"Fewer than the {c.postgres_instances} instance(s) of the spec are up; the JDBC "
               "sinks retry and the jobs restart until the primary is back."),
        Alert("PostgresStorageHigh",
               f"sum(cnpg_pg_database_size_bytes) / {c.postgres_storage_bytes} "
               f"> {t.postgres_storage_fraction}",
               "15m", "warning", "The warehouse volume is filling up",
               f"Databases use more than {t.postgres_storage_fraction:.0%} of the "
               f"{c.postgres_storage_bytes // 2**30}Gi volume the spec declares."),
        Alert("FraudRateAnomalous",
               f"({fraud_rate}) > {t.fraud_rate_high} or ({fraud_rate}) < {t.fraud_rate_low}",
               "15m", "warning", "The fraud alert rate is outside its normal band",
               f"Alerts per decision left [{t.fraud_rate_low}, {t.fraud_rate_high}] for 15 "
               "minutes: a fraud wave, a rule misconfiguration, or a broken model."),
        Alert("NoTransactionsProcessed",
               f"sum(rate({JOB}events_processed[10m])) == 0 or absent({JOB}events_processed)",
               "10m", "critical", "No transactions reach the warehouse",
               "The transaction-processor wrote nothing to bronze for 10 minutes: the "
               "producer stopped, or the job or its sink is down."),
    ]  # fmt: skip
    return [_rule(c, alert) for alert in table]
