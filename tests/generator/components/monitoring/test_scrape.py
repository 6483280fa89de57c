"""Monitors: PodMonitors for pod-only ports, ServiceMonitors where a Service exists, one label."""

from typing import Any

from generator.components import flink, kafka
from generator.components.monitoring import COMPONENT
from generator.pipeline.load import load
from generator.pipeline.tree import render_environment
from tests.conftest import REPO


def _objects() -> dict[tuple[str, str], dict[str, Any]]:
    environment = render_environment(load("dev", REPO / "specs"))
    return {(m["kind"], m["metadata"]["name"]): m for p in environment.parts for m in p.manifests}


def test_every_metrics_endpoint_has_exactly_one_monitor_of_the_right_kind() -> None:
    platform = load("dev", REPO / "specs")
    objects = _objects()
    endpoints = platform.metrics_endpoints()
    assert {e.component for e in endpoints} >= {"kafka", "flink", "postgres", "airflow",
                                                "strimzi-operator", "flink-operator",
                                                "cnpg-operator"}  # fmt: skip
    for endpoint in endpoints:
        kind = "ServiceMonitor" if endpoint.service else "PodMonitor"
        monitor = objects[(kind, f"{endpoint.component}-{endpoint.name}")]
        spec = monitor["spec"]
        assert monitor["metadata"]["namespace"] == COMPONENT.section(platform.spec).namespace
        assert spec["namespaceSelector"] == {"matchNames": [endpoint.namespace]}
        assert spec["selector"] == {"matchLabels": dict(endpoint.pods)}
        scrape = spec["endpoints" if endpoint.service else "podMetricsEndpoints"][0]
        assert scrape["port"] == endpoint.port
        assert scrape["relabelings"] == [
            {"targetLabel": "streamflow_component", "replacement": endpoint.component}
        ]
    assert objects[("ServiceMonitor", "airflow-statsd")]


def test_flink_scrape_keeps_only_catalogued_names_and_kafka_reporter_allows_only_them() -> None:
    objects = _objects()
    scrape = objects[("PodMonitor", "flink-processes")]["spec"]["podMetricsEndpoints"][0]
    kept = scrape["metricRelabelings"][0]["regex"].split("|")
    assert sorted(kept) == sorted(m.name for m in flink.COMPONENT.metric_catalogue())
    reporter = objects[("Kafka", "streamflow")]["spec"]["kafka"]["metricsConfig"]
    assert reporter["type"] == "strimziMetricsReporter"
    assert len(reporter["values"]["allowList"]) == len(kafka.COMPONENT.metric_catalogue())


def test_prometheus_reaches_every_scrape_target_through_network_policies() -> None:
    objects = _objects()
    platform = load("dev", REPO / "specs")
    for endpoint in platform.metrics_endpoints():
        name = f"allow-scrape-{endpoint.component}-{endpoint.name}"
        ingress = objects[("NetworkPolicy", f"{name}-ingress")]["spec"]
        egress = objects[("NetworkPolicy", f"{name}-egress")]["spec"]
        assert ingress["podSelector"] == {"matchLabels": dict(endpoint.pods)}
        assert ingress["ingress"][0]["ports"] == [{"port": endpoint.number, "protocol": "TCP"}]
        assert egress["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}


def test_postgres_cluster_runs_the_freshness_queries() -> None:
    objects = _objects()
    cluster = objects[("Cluster", "streamflow-pg")]["spec"]["monitoring"]
    assert cluster["customQueriesConfigMap"] == [{"name": "streamflow-pg-monitoring",
                                                   "key": "queries"}]  # fmt: skip
    assert (
        "streamflow_bronze" in objects[("ConfigMap", "streamflow-pg-monitoring")]["data"]["queries"]
    )
