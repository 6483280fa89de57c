"""Monitors: PodMonitors for pod-only ports, ServiceMonitors where a Service exists, one label."""

import json
from typing import Any

from generator.components.monitoring import COMPONENT
from generator.pipeline.load import load
from generator.pipeline.tree import render_environment
from tests.conftest import REPO
from tests.generator.components.monitoring.promql import metric_names


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


def _referenced(objects: dict[tuple[str, str], dict[str, Any]], prefix: str) -> set[str]:
    """Metric names with ``prefix`` the rendered rules and dashboards query (parsed PromQL)."""
    expressions = [rule["expr"] for (kind, _), rules in objects.items() if kind == "PrometheusRule"
                   for group in rules["spec"]["groups"] for rule in group["rules"]]  # fmt: skip
    for (kind, _), config_map in objects.items():
        if kind == "ConfigMap" and "grafana_dashboard" in config_map["metadata"]["labels"]:
            for model in map(json.loads, config_map["data"].values()):
                expressions += [t["expr"] for p in model["panels"] for t in p.get("targets", [])]
    return {n for e in expressions for n in metric_names(e) if n.startswith(prefix)}


def test_flink_scrape_keeps_and_kafka_reporter_allows_exactly_what_is_queried() -> None:
    # A second derivation: what the rendered rules and panels read, against what the
    # rendered monitor keeps and the rendered reporter lets through. Counted by hand:
    # nine Flink metrics, eleven of the jobs' own (compiled_scoring the latest), nine Kafka
    # metrics.
    objects = _objects()
    scrape = objects[("PodMonitor", "flink-processes")]["spec"]["podMetricsEndpoints"][0]
    kept = set(scrape["metricRelabelings"][0]["regex"].split("|"))
    assert kept == _referenced(objects, "flink_")
    assert len(kept) == 20 and len({k for k in kept if "_streamflow_" in k}) == 11
    reporter = objects[("Kafka", "streamflow")]["spec"]["kafka"]["metricsConfig"]
    assert reporter["type"] == "strimziMetricsReporter"
    allowed = {pattern.removesuffix("(_total)?") for pattern in reporter["values"]["allowList"]}
    queried = {name.removesuffix("_total") for name in _referenced(objects, "kafka_")}
    assert allowed == queried and len(allowed) == 9


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
