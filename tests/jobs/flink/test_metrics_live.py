"""The metric contract, live: a real Prometheus scrapes a real broker and the real jobs.

The broker runs with the reporter settings Strimzi writes for the Kafka CR's
``metricsConfig`` (and the allow-list the generator derives), the jobs run on
the local mini-cluster with Flink's Prometheus reporter, and Prometheus scrapes
them with the labels and keep-lists of the generated monitors while events
flow. Every metric name a rule references from a live source must then be in
the TSDB; names only a cluster exports must be catalogued with their upstream.
Then two alerts are made to fire for real, through the rules the generator
renders (``for`` and the absence window shortened for the test only).
"""

import copy
import functools
from pathlib import Path
from typing import Any

import pytest

from devtools.testing.kafka import KafkaBroker, strimzi_metrics_reporter
from devtools.testing.postgres import PostgresServer
from devtools.testing.prometheus import PrometheusServer
from devtools.testing.roles import sink_login
from devtools.testing.topics import platform_topics
from generator.components import kafka as kafka_component
from generator.components.base import MetricsEndpoint
from generator.components.kafka.manifests import metrics_allow_list
from generator.components.monitoring import rule_groups
from generator.components.monitoring.scrape import keep_regex
from generator.components.observability import COMPONENT_LABEL, LIVE_SOURCES, UPSTREAM, Source
from generator.pipeline.load import load
from jobs.flink import fraud_detector, transaction_processor
from jobs.migrations.seed import seed
from libs.contracts.metrics import reported_job_name
from libs.processes import free_port, log_tail
from tests.conftest import REPO
from tests.generator.components.monitoring.promql import (
    metric_names,
    recorded_names,
    rule_expressions,
)
from tests.jobs.flink.conftest import WORLD_SEED, Job, Stack, events, reported, wait_for

pytestmark = pytest.mark.integration
JOBS = {"transaction-processor": "jobs.flink.transaction_processor",
        "fraud-detector": "jobs.flink.fraud_detector"}  # fmt: skip
SHORT_ABSENCE = "[10s]"


def scrape_config(endpoint: MetricsEndpoint, ports: list[int]) -> dict[str, Any]:
    """What the endpoint's generated monitor does, as a static scrape configuration."""
    config: dict[str, Any] = {
        "job_name": f"{endpoint.component}-{endpoint.name}",
        "metrics_path": endpoint.path,
        "static_configs": [{"targets": [f"127.0.0.1:{p}" for p in ports],
                            "labels": {COMPONENT_LABEL: endpoint.component}}],
    }  # fmt: skip
    if endpoint.keep:
        config["metric_relabel_configs"] = [
            {"source_labels": ["__name__"], "regex": keep_regex(endpoint.keep), "action": "keep"}
        ]
    return config


def for_the_test(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The platform alerts with ``for: 0s`` and a 10 s absence window (test only)."""
    platform = copy.deepcopy(next(g for g in groups if g["name"] == "platform-alerts"))
    for rule in platform["rules"]:
        rule["for"] = "0s"
        rule["expr"] = rule["expr"].replace("[2m]", SHORT_ABSENCE)
    return [platform]


def test_every_live_metric_exists_and_two_alerts_fire(
    jobs: list[Job], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = load("dev", REPO / "specs")
    groups = rule_groups(platform)
    catalogue = platform.metric_catalogue()
    endpoints = {e.component: e for e in platform.metrics_endpoints()}
    referenced = set().union(*map(metric_names, rule_expressions(groups).values()))
    referenced -= recorded_names(groups)
    assert referenced <= catalogue.keys()
    # Every catalogued name of a live source must be scraped (the CNPG custom queries
    # run against the real warehouse in tests/dbt); the rest only exist in a cluster.
    live = {m.name for m in catalogue.values()
            if m.source in LIVE_SOURCES - {Source.CNPG_CUSTOM}}  # fmt: skip
    assert all(UPSTREAM[m.source] for m in catalogue.values() if m.source not in LIVE_SOURCES)

    for variable, value in sink_login().items():
        monkeypatch.setenv(variable, value)
    kafka_metrics = free_port()
    reporter = strimzi_metrics_reporter(
        kafka_metrics,
        metrics_allow_list(tuple(m.name for m in kafka_component.COMPONENT.metric_catalogue())),
    )
    with KafkaBroker(reporter) as kafka, PostgresServer() as postgres:
        kafka.create_topics(platform_topics())
        seed(postgres.dsn(), seed_value=WORLD_SEED)
        stack = Stack(kafka, postgres)
        produced = stack.produce(events(3_000, malformed_rate=0.02))
        ports = {job: free_port() for job in JOBS}
        for job, module in JOBS.items():
            arguments = stack.args("--metrics-port", str(ports[job]))
            jobs.append(Job(module, arguments, tmp_path / f"{job}.log"))
        scrapes = [scrape_config(endpoints["kafka"], [kafka_metrics]),
                   scrape_config(endpoints["flink"], list(ports.values()))]  # fmt: skip
        with PrometheusServer(scrapes, for_the_test(groups)) as prometheus:
            try:
                wait_for(lambda: live <= prometheus.names(), timeout=240,
                         what="every live metric in Prometheus")  # fmt: skip
            except BaseException:
                print("missing:", sorted(live - prometheus.names()))
                print("targets:", prometheus.api("targets")["activeTargets"])
                print("prometheus log:", log_tail(prometheus.log))
                raise
            # Counts are Python ints the reporter reads at each scrape (jobs/flink/metrics.py):
            # once both jobs have checkpointed every event, a scrape shows them exactly.
            for group in (transaction_processor.CONSUMER_GROUP, fraud_detector.CONSUMER_GROUP):
                wait_for(functools.partial(stack.consumed, group, "transactions.raw"),
                         timeout=240, what=f"{group} at the end of its input")  # fmt: skip
            (valid,) = stack.query("SELECT count(*) FROM bronze.raw_transactions")[0]
            assert 0 < valid < produced.delivered
            received = reported(ports["transaction-processor"], "events_received")
            assert received and sum(received) == produced.delivered, received  # all subtasks
            decisions = reported(ports["fraud-detector"], "decisions")
            assert decisions and sum(decisions) == valid, decisions

            def firing(alert: str, **labels: str) -> bool:
                return any(a["labels"]["alertname"] == alert
                           and labels.items() <= a["labels"].items()
                           for a in prometheus.firing())  # fmt: skip

            # Healthy first: the alert must be quiet while the job runs (it fires, correctly,
            # while the job is still being deployed and reports no positive uptime yet).
            detector = reported_job_name("fraud-detector")
            wait_for(lambda: not firing("FlinkJobNotRunning", job_name=detector),
                     timeout=120, what="the fraud-detector running")  # fmt: skip
            assert not firing("KafkaBrokerDown")
            jobs[1].kill()  # the fraud-detector
            wait_for(lambda: firing("FlinkJobNotRunning", job_name=detector),
                     timeout=90, what="FlinkJobNotRunning of the killed job")  # fmt: skip
            kafka.stop()
            wait_for(lambda: firing("KafkaBrokerDown"), timeout=60,
                     what="KafkaBrokerDown after the broker stopped")  # fmt: skip
