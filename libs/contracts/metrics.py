"""What the jobs' metrics are called, as Flink's Prometheus reporter exports them.

The contract between the jobs, which register the metrics (``jobs.flink.metrics``),
and the generator, whose rules, dashboards and scrape configuration select them:
names, the latency buckets an SLO threshold must be one of, and how the reporter
spells a job's name. Standard library only: the generator's environment imports it.

Flink's Prometheus reporter names a user metric after its group path, so the
names are ``flink_taskmanager_job_task_operator_streamflow_<path>`` and every
key-value group adds its key to the name and a label (``rule_id_alerts``
carries ``rule_id``).
"""

import re

GROUP = "streamflow"
# The reporter's name of a user metric registered in an operator's ``GROUP``.
JOB_PREFIX = f"flink_taskmanager_job_task_operator_{GROUP}_"
REPORTER_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
# Upper bounds (seconds) of the latency buckets; an SLO threshold must be one of them.
LATENCY_BOUNDS_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
OVERFLOW = "+Inf"
PROCESSING = "processing"
DETECTION = "detection"


def reported_job_name(job_name: str) -> str:
    """The ``job_name`` label Flink's Prometheus reporter exports for a job.

    The reporter replaces every character outside ``[a-zA-Z0-9:_]`` in label
    values with ``_`` (seen live: ``fraud-detector`` is ``fraud_detector``), so
    rules and panels must select the filtered name.
    """
    return re.sub(r"[^a-zA-Z0-9:_]", "_", job_name)


def bound_label(seconds: float) -> str:
    """The ``le`` label of a bucket bound (``5`` not ``5.0``)."""
    return f"{seconds:g}"


def bounds_within(seconds: float) -> list[str]:
    """Labels of every bucket whose events are within ``seconds``."""
    return [bound_label(b) for b in LATENCY_BOUNDS_S if b <= seconds]


def reporter_settings(port: int) -> dict[str, str]:
    """Flink configuration that serves the Prometheus reporter on ``port``."""
    return {
        "metrics.reporter.prom.factory.class": REPORTER_FACTORY,
        "metrics.reporter.prom.port": str(port),
    }
